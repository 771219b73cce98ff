//! The write guardrail: at most N distinct tickets changed per run.
//!
//! Owns the one policy check every mutating binding calls ([`WriteGuard::admit`]) before it
//! writes or plans a write. A batch is admitted whole or not at all. It must not perform I/O.

use std::collections::HashSet;

/// What a write touches.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum WriteTarget {
    /// An existing ticket, by id.
    Existing(String),
    /// A ticket the write creates.
    New,
}

/// Distinct tickets changed so far and the cap.
#[derive(Debug, Default)]
pub(super) struct WriteGuard {
    cap: Option<u64>,
    changed: HashSet<String>,
    created: u64,
    /// Ids of the tickets the run created (counted in `created` already).
    born: HashSet<String>,
}

impl WriteGuard {
    /// A guard allowing `cap` distinct tickets (`None`: unlimited).
    pub(super) fn new(cap: Option<u64>) -> Self {
        Self {
            cap,
            ..Self::default()
        }
    }

    /// Distinct tickets changed (creates included).
    pub(super) fn count(&self) -> u64 {
        self.changed.len() as u64 + self.created
    }

    /// Admits a write touching `targets`, or explains why not. Tickets already changed earlier
    /// in the run do not count again.
    pub(super) fn admit(&mut self, what: &str, targets: &[WriteTarget]) -> Result<(), String> {
        let mut fresh: HashSet<&str> = HashSet::new();
        let mut creates = 0u64;
        for t in targets {
            match t {
                WriteTarget::Existing(id)
                    if !self.changed.contains(id) && !self.born.contains(id) =>
                {
                    fresh.insert(id);
                }
                WriteTarget::Existing(_) => {}
                WriteTarget::New => creates += 1,
            }
        }
        let after = self.count() + fresh.len() as u64 + creates;
        if let Some(cap) = self.cap {
            if after > cap {
                let adding = fresh.len() as u64 + creates;
                let change = if adding == 1 {
                    format!("would change ticket number {after} of this run")
                } else {
                    format!(
                        "would change {adding} more tickets, {after} in all for this run \
                         (a batch is admitted whole or not at all)"
                    )
                };
                return Err(format!(
                    "write limit reached: {what} {change}, but at most {cap} may change \
                     (raise it with --max-writes or `max_writes` in the script header)"
                ));
            }
        }
        let fresh: Vec<String> = fresh.into_iter().map(str::to_string).collect();
        self.changed.extend(fresh);
        self.created += creates;
        Ok(())
    }

    /// The run created ticket `id` (admitted as a create before): writing to it later changes
    /// no further ticket.
    pub(super) fn note_created(&mut self, id: &str) {
        self.born.insert(id.to_string());
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ex(id: &str) -> WriteTarget {
        WriteTarget::Existing(id.into())
    }

    #[test]
    fn counts_distinct_tickets_and_creates() {
        let mut g = WriteGuard::new(Some(2));
        g.admit("update", &[ex("1")]).unwrap();
        g.admit("update", &[ex("1")]).unwrap();
        g.admit("create", &[WriteTarget::New]).unwrap();
        assert_eq!(g.count(), 2);
        let e = g.admit("update", &[ex("3")]).unwrap_err();
        assert!(e.contains("ticket number 3"), "{e}");
        g.admit("update", &[ex("1")]).unwrap();
    }

    #[test]
    fn a_created_ticket_written_again_counts_once() {
        // Regression (issue 16, item 4): create then update counted as two tickets.
        let mut g = WriteGuard::new(Some(1));
        g.admit("create", &[WriteTarget::New]).unwrap();
        g.note_created("dry-run-1");
        g.admit("update", &[ex("dry-run-1")]).unwrap();
        assert_eq!(g.count(), 1);
        assert!(g.admit("update", &[ex("7")]).is_err());
    }

    #[test]
    fn a_batch_is_admitted_whole_or_not() {
        let mut g = WriteGuard::new(Some(2));
        assert!(g.admit("batch", &[ex("1"), ex("2"), ex("3")]).is_err());
        assert_eq!(g.count(), 0);
        g.admit("batch", &[ex("1"), ex("2"), ex("1")]).unwrap();
        assert_eq!(g.count(), 2);
    }
}
