//! Limits on the shape of script values that Rhai itself does not enforce: how deeply lists
//! and maps nest, and the size of a map grown through an indexer (`m["k" + i] = v`).
//!
//! **Why.** Rhai walks values recursively to clone, drop, print, compare and size-check them,
//! so a list nested a few thousand levels deep overflows the thread's stack and aborts the
//! whole process. And Rhai checks an indexer assignment only on the assigned item, never on the
//! map that grows, so a loop adding keys is never stopped by `max_map_size` or the string limit.
//!
//! **How.** Every value a script builds deeper or bigger has to be read from a variable on the
//! way (`x = [x]`, `x.push(x)`, `m[k] = ...` all read `x` or `m`), so the engine's variable
//! hook ([`ValueWatch::on_var`]) checks the variable's value before the statement uses it: the
//! error is raised at that line. The walk recurses no deeper than the limit, whatever the
//! value. To keep loops over big collections linear, a container seen before is re-walked only
//! when it has grown by a sixteenth or every [`RECHECK_EVERY`]th read; so a value changed in
//! place (`x[0] = [x[0]]`) can outgrow the limit by a few levels (about [`RECHECK_EVERY`] / 2)
//! before a walk catches it: still far below anything that endangers the stack.
//!
//! A list or map the script has grown since it was first seen gets the data-size check on
//! those walks (array items and string bytes counted through everything it holds, the numbers
//! in [`super::limits`]); its own length (a map's entries, a list's items) and the length of a
//! string are checked on every read. A container of more than 4,096 items is re-walked after
//! len/256 reads rather than [`RECHECK_EVERY`], so reading a big one stays linear; a value
//! deepened in place inside one can then outgrow the depth limit by that many statements
//! before the walk catches it. Rhai's own size checks are off (see `limits::apply`: they counted HubSpot's
//! data and re-walked a list at every `push`), so this is the one size check of script data,
//! for `push`, `m.k = v` and `m[k] = v` alike. Between two walks a value can gain a sixteenth
//! unchecked for size; the run's memory budget bounds what that could hold.
//! Choice, for h18 (bulk results not counting against runaway-data limits): the depth limit
//! never refuses host data (tickets are 3 levels deep), and the size check does not count what
//! the host returned: conversions tag those lists and maps ([`mark_host_data`]) and the walk
//! skips their sizes. So `by_id[t.id] = t` over a 10,000-ticket search counts 10,000 entries,
//! not the tickets' contents. Bulk results (`to_array()`, `read_many`, what `update_many`
//! returns) are host data too, so they never trip a size limit (issue 18).
//!
//! Conversions that walk values themselves (to JSON for HubSpot and `state::set`) call
//! [`check_depth`] first, so they never recurse on a value that slipped past.

use std::collections::HashMap;
use std::sync::Mutex;

use rhai::{Dynamic, EvalAltResult, EvalContext, Position};

use super::limits;

/// Deepest nesting of lists and maps in one value. HubSpot data needs 3 or 4 levels.
pub(crate) const MAX_VALUE_DEPTH: usize = 64;
/// A container read again with an unchanged length is re-walked once every this many reads.
pub(crate) const RECHECK_EVERY: u32 = 16;
/// Containers remembered per run before the memory is reset.
const MAX_REMEMBERED: usize = 4096;

/// What one walk found.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Shape {
    /// Deepest nesting (a scalar is 0, `[]` is 1, `[[1]]` is 2); capped at the limit + 1.
    pub depth: usize,
    /// Items of every array inside (as Rhai counts them).
    pub array_items: usize,
    /// Entries of every map inside.
    pub map_entries: usize,
    /// Bytes of every string inside.
    pub string_bytes: usize,
}

/// The tag [`mark_host_data`] puts on containers that came from HubSpot or the sandbox.
pub(crate) const HOST_DATA_TAG: i32 = 0x4855_4253;

/// Tags every list and map of a value the host built (a ticket, a page of results), so the
/// indexer size check does not count HubSpot's data against the script's limits (their depth
/// still counts). A script can set tags itself and so hide its own data from that count; the
/// run's memory budget still bounds it.
pub(crate) fn mark_host_data(v: &mut Dynamic) {
    mark(v, 0);
}

fn mark(v: &mut Dynamic, level: usize) {
    if level > MAX_VALUE_DEPTH {
        return;
    }
    if v.is_array() {
        if let Some(mut a) = v.write_lock::<rhai::Array>() {
            for item in a.iter_mut() {
                mark(item, level + 1);
            }
        }
    } else if v.is_map() {
        if let Some(mut m) = v.write_lock::<rhai::Map>() {
            for item in m.values_mut() {
                mark(item, level + 1);
            }
        }
    } else {
        return;
    }
    v.set_tag(HOST_DATA_TAG);
}

/// Walks `value`, descending no deeper than `max_depth + 1` levels: the recursion is bounded
/// by the limit, never by the value. Sizes inside host data ([`mark_host_data`]) are not
/// counted; its depth is.
pub(crate) fn shape(value: &Dynamic, max_depth: usize) -> Shape {
    let mut out = Shape::default();
    walk(value, 0, max_depth + 1, true, &mut out);
    out
}

fn walk(v: &Dynamic, level: usize, stop: usize, count: bool, out: &mut Shape) {
    // `read_lock` sees through shared (closure-captured) values too.
    if let Some(s) = v.read_lock::<rhai::ImmutableString>() {
        if count {
            out.string_bytes += s.len();
        }
        return;
    }
    let count = count && v.tag() != HOST_DATA_TAG;
    if let Some(a) = v.read_lock::<rhai::Array>() {
        out.depth = out.depth.max(level + 1);
        if count {
            out.array_items += a.len();
        }
        if level + 1 < stop {
            for item in a.iter() {
                walk(item, level + 1, stop, count, out);
            }
        }
        return;
    }
    if let Some(m) = v.read_lock::<rhai::Map>() {
        out.depth = out.depth.max(level + 1);
        if count {
            out.map_entries += m.len();
        }
        if level + 1 < stop {
            for item in m.values() {
                walk(item, level + 1, stop, count, out);
            }
        }
    }
}

fn too_deep(pos: Position) -> Box<EvalAltResult> {
    EvalAltResult::ErrorDataTooLarge(
        format!("Nesting of lists and maps (at most {MAX_VALUE_DEPTH} levels)"),
        pos,
    )
    .into()
}

/// An error when `value` nests deeper than [`MAX_VALUE_DEPTH`].
pub(crate) fn check_depth(value: &Dynamic, pos: Position) -> Result<(), Box<EvalAltResult>> {
    if shape(value, MAX_VALUE_DEPTH).depth > MAX_VALUE_DEPTH {
        return Err(too_deep(pos));
    }
    Ok(())
}

/// The engine's data-size limits applied to a walked value.
pub(crate) fn check_sizes(s: &Shape, pos: Position) -> Result<(), Box<EvalAltResult>> {
    let what = if s.string_bytes > limits::MAX_STRING_SIZE {
        format!(
            "Length of strings in one value ({} bytes, at most {})",
            s.string_bytes,
            limits::MAX_STRING_SIZE
        )
    } else if s.array_items > limits::MAX_ARRAY_SIZE {
        format!(
            "Size of arrays in one value ({} items, at most {})",
            s.array_items,
            limits::MAX_ARRAY_SIZE
        )
    } else if s.map_entries > limits::MAX_MAP_SIZE {
        format!(
            "Size of object map ({} entries in one map, at most {})",
            s.map_entries,
            limits::MAX_MAP_SIZE
        )
    } else {
        return Ok(());
    };
    Err(EvalAltResult::ErrorDataTooLarge(what, pos).into())
}

/// What was seen of one container.
#[derive(Debug, Clone, Copy)]
struct Seen {
    /// Its length when first seen (a map assigned from host data is not the script's growth).
    first_len: usize,
    /// Its length at the last walk.
    walked_len: usize,
    /// Reads since the last walk.
    reads: u32,
}

/// The per-run variable hook and its memory of containers already checked.
#[derive(Debug, Default)]
pub(crate) struct ValueWatch {
    seen: Mutex<HashMap<usize, Seen>>,
}

/// The address and length of a container value, `None` for anything else.
fn container(v: &Dynamic) -> Option<(usize, usize, bool)> {
    if let Some(a) = v.read_lock::<rhai::Array>() {
        return Some((
            std::ptr::from_ref::<rhai::Array>(&a) as usize,
            a.len(),
            false,
        ));
    }
    if let Some(m) = v.read_lock::<rhai::Map>() {
        return Some((std::ptr::from_ref::<rhai::Map>(&m) as usize, m.len(), true));
    }
    None
}

impl ValueWatch {
    /// The engine's `on_var` hook: checks the variable about to be used; never resolves it.
    ///
    /// A container is walked when first seen, when it has grown by a sixteenth (at least one
    /// item) since its last walk, and at every [`RECHECK_EVERY`]th read otherwise: walking on
    /// every read would make a loop over a big collection quadratic. A map's own entry count
    /// is checked on every read.
    pub(crate) fn on_var(
        &self,
        name: &str,
        ctx: &EvalContext,
    ) -> Result<Option<Dynamic>, Box<EvalAltResult>> {
        let Some(value) = ctx.scope().get(name) else {
            return Ok(None);
        };
        if let Some(s) = value.read_lock::<rhai::ImmutableString>() {
            // Rhai's own string limit is off (limits.rs): one string is checked here, at
            // the line that reads it (`s += s`).
            let s = Shape {
                string_bytes: s.len(),
                ..Shape::default()
            };
            return check_sizes(&s, Position::NONE).map(|()| None);
        }
        let Some((addr, len, is_map)) = container(value) else {
            return Ok(None);
        };
        let own = if is_map {
            Shape {
                map_entries: len,
                ..Shape::default()
            }
        } else {
            Shape {
                array_items: len,
                ..Shape::default()
            }
        };
        check_sizes(&own, Position::NONE)?;
        // Re-walking a big container every RECHECK_EVERY reads would make a loop over it
        // quadratic: big ones are re-walked after a number of reads proportional to their size.
        let recheck = RECHECK_EVERY.max(u32::try_from(len / 256).unwrap_or(u32::MAX));
        let mut seen = self.seen.lock().unwrap_or_else(|e| e.into_inner());
        if seen.len() > MAX_REMEMBERED {
            seen.clear();
        }
        let size_check = match seen.get_mut(&addr) {
            None => {
                seen.insert(
                    addr,
                    Seen {
                        first_len: len,
                        walked_len: len,
                        reads: 0,
                    },
                );
                false
            }
            Some(p) => {
                p.reads += 1;
                let grown = len >= p.walked_len + (p.walked_len / 16).max(1);
                if !grown && p.reads < recheck {
                    return Ok(None);
                }
                p.walked_len = len;
                p.reads = 0;
                len != p.first_len
            }
        };
        drop(seen);
        let s = shape(value, MAX_VALUE_DEPTH);
        if s.depth > MAX_VALUE_DEPTH {
            return Err(too_deep(Position::NONE));
        }
        if size_check {
            // Maps are limited by their own entries (checked above on every read): the items
            // of a bulk input are many small maps.
            check_sizes(
                &Shape {
                    map_entries: 0,
                    ..s
                },
                Position::NONE,
            )?;
        }
        Ok(None)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn nested(depth: usize) -> Dynamic {
        let mut v = Dynamic::from_int(1);
        for _ in 0..depth {
            v = Dynamic::from_array(vec![v]);
        }
        v
    }

    #[test]
    fn depth_counts_lists_and_maps_and_stops_at_the_limit() {
        assert_eq!(shape(&Dynamic::from_int(1), 8).depth, 0);
        assert_eq!(shape(&nested(3), 8).depth, 3);
        let mut m = rhai::Map::new();
        m.insert("a".into(), nested(2));
        m.insert("s".into(), Dynamic::from("hello"));
        let s = shape(&Dynamic::from_map(m), 8);
        assert_eq!(
            (s.depth, s.map_entries, s.array_items, s.string_bytes),
            (3, 2, 2, 5)
        );
        // The walk stops one level past the limit, however deep the value is.
        assert_eq!(shape(&nested(500), 8).depth, 9);
        assert!(check_depth(&nested(MAX_VALUE_DEPTH), Position::NONE).is_ok());
        let e = check_depth(&nested(MAX_VALUE_DEPTH + 1), Position::new(3, 1)).unwrap_err();
        assert_eq!(e.position().line(), Some(3));
        assert!(e.to_string().contains("at most 64 levels"), "{e}");
    }

    #[test]
    fn host_data_counts_for_depth_but_not_for_size() {
        let mut props = rhai::Map::new();
        props.insert("subject".into(), Dynamic::from("x".repeat(100)));
        let mut ticket = rhai::Map::new();
        ticket.insert("properties".into(), Dynamic::from_map(props));
        let mut host = Dynamic::from_map(ticket);
        mark_host_data(&mut host);
        let mut m = rhai::Map::new();
        m.insert("1".into(), host);
        m.insert("own".into(), Dynamic::from("abc"));
        let s = shape(&Dynamic::from_map(m), 8);
        assert_eq!((s.depth, s.map_entries, s.string_bytes), (3, 2, 3));
    }

    #[test]
    fn sizes_use_the_engine_limits() {
        let ok = Shape {
            map_entries: limits::MAX_MAP_SIZE,
            string_bytes: limits::MAX_STRING_SIZE,
            ..Shape::default()
        };
        assert!(check_sizes(&ok, Position::NONE).is_ok());
        let big = Shape {
            map_entries: limits::MAX_MAP_SIZE + 1,
            ..Shape::default()
        };
        let e = check_sizes(&big, Position::NONE).unwrap_err();
        assert!(e.to_string().contains("Size of object map"), "{e}");
    }
}
