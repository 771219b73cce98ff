//! The memory budget of a run: a counting global allocator (installed by the binary, see
//! `src/main.rs`) that knows how many heap bytes the process holds, and the limit a run may use.
//!
//! Why an allocator and not `RLIMIT_AS`: an address-space limit counts reserved, untouched
//! memory (each thread's stack, every malloc arena of 64 MiB), so a 512 MiB cap fails healthy
//! runs at random places and always by aborting; the allocator counts what the process really
//! holds, at every allocation, so no script construct escapes it, and it lets the run stop with
//! a clear error at its script line. Daemon and watch runs each get a process of their own
//! (`hubscript daemon`), so the budget is the run's; `run` and the REPL hold one run at a time.
//!
//! Two thresholds: past the *soft* one (7/8 of the budget) the engine's progress hook stops the
//! script at its current line ([`exceeded`]); an allocation that would cross the budget itself
//! (one call building a huge value between two progress checks) ends the process at once with
//! [`EXIT_MEMORY`] and a message, never letting the heap grow past the budget. The parent of a
//! child run turns that exit code into "memory limit of N reached".
//!
//! Cost: one relaxed atomic add per allocation and free (measured in the report of issue 9).

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicUsize, Ordering};

/// Default budget of one run: 512 MiB.
pub const DEFAULT_MEMORY: u64 = 512 * 1024 * 1024;
/// Smallest budget accepted (the runtime itself needs a few MiB).
pub const MIN_MEMORY: u64 = 16 * 1024 * 1024;
/// Largest budget accepted: 64 GiB.
pub const MAX_MEMORY: u64 = 64 * 1024 * 1024 * 1024;
/// Exit code of a process stopped by an allocation past its budget.
pub const EXIT_MEMORY: i32 = 3;

/// Heap bytes held by the process.
static USED: AtomicUsize = AtomicUsize::new(0);
/// Highest value of `USED` so far.
static PEAK: AtomicUsize = AtomicUsize::new(0);
/// The budget in bytes; 0 means none.
static LIMIT: AtomicUsize = AtomicUsize::new(0);

/// The global allocator that counts (install it with `#[global_allocator]`).
pub struct CountingAllocator;

// SAFETY: every call is forwarded to `System` unchanged; the counters are only bookkeeping.
unsafe impl GlobalAlloc for CountingAllocator {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        if !reserve(layout.size()) {
            over_budget(layout.size());
        }
        // SAFETY: forwarded with the caller's layout.
        let p = unsafe { System.alloc(layout) };
        if p.is_null() {
            USED.fetch_sub(layout.size(), Ordering::Relaxed);
        }
        p
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        if !reserve(layout.size()) {
            over_budget(layout.size());
        }
        // SAFETY: forwarded with the caller's layout.
        let p = unsafe { System.alloc_zeroed(layout) };
        if p.is_null() {
            USED.fetch_sub(layout.size(), Ordering::Relaxed);
        }
        p
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: forwarded with the caller's pointer and layout.
        unsafe { System.dealloc(ptr, layout) };
        USED.fetch_sub(layout.size(), Ordering::Relaxed);
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        let old = layout.size();
        if new_size > old && !reserve(new_size - old) {
            over_budget(new_size - old);
        }
        // SAFETY: forwarded with the caller's pointer, layout and size.
        let p = unsafe { System.realloc(ptr, layout, new_size) };
        if p.is_null() {
            if new_size > old {
                USED.fetch_sub(new_size - old, Ordering::Relaxed);
            }
        } else if new_size < old {
            USED.fetch_sub(old - new_size, Ordering::Relaxed);
        }
        p
    }
}

/// Counts `n` more bytes; false when that would cross the budget (nothing is counted then).
fn reserve(n: usize) -> bool {
    let before = USED.fetch_add(n, Ordering::Relaxed);
    let after = before.saturating_add(n);
    let limit = LIMIT.load(Ordering::Relaxed);
    if limit != 0 && after > limit {
        USED.fetch_sub(n, Ordering::Relaxed);
        return false;
    }
    PEAK.fetch_max(after, Ordering::Relaxed);
    true
}

/// An allocation would cross the budget: say so and end the process, without allocating.
#[cold]
fn over_budget(_size: usize) -> ! {
    let mut buf = [0u8; 160];
    let mut w = Buf::new(&mut buf);
    w.push(b"error: memory limit of ");
    w.size(LIMIT.load(Ordering::Relaxed) as u64);
    w.push(b" reached: the run was stopped at an allocation that would exceed it\n");
    let text = w.done();
    #[cfg(unix)]
    // SAFETY: writes a stack buffer to stderr, then ends the process without unwinding or
    // running destructors (nothing may allocate any more).
    unsafe {
        libc::write(2, text.as_ptr().cast(), text.len());
        libc::_exit(EXIT_MEMORY);
    }
    #[cfg(not(unix))]
    {
        let _ = text;
        std::process::abort();
    }
}

/// A fixed buffer written without allocating.
struct Buf<'a> {
    buf: &'a mut [u8],
    len: usize,
}

impl<'a> Buf<'a> {
    fn new(buf: &'a mut [u8]) -> Self {
        Self { buf, len: 0 }
    }

    fn push(&mut self, s: &[u8]) {
        for &b in s {
            if self.len < self.buf.len() {
                self.buf[self.len] = b;
                self.len += 1;
            }
        }
    }

    fn num(&mut self, mut n: u64) {
        let mut digits = [0u8; 20];
        let mut i = digits.len();
        loop {
            i -= 1;
            digits[i] = b'0' + (n % 10) as u8;
            n /= 10;
            if n == 0 {
                break;
            }
        }
        let d = digits;
        self.push(&d[i..]);
    }

    /// Writes `bytes` the way [`format_size`] does.
    fn size(&mut self, bytes: u64) {
        let (n, unit) = size_parts(bytes);
        self.num(n);
        self.push(unit.as_bytes());
    }

    fn done(self) -> &'a [u8] {
        &self.buf[..self.len]
    }
}

fn size_parts(bytes: u64) -> (u64, &'static str) {
    const UNITS: [(u64, &str); 3] = [(1 << 30, " GiB"), (1 << 20, " MiB"), (1 << 10, " KiB")];
    for (size, unit) in UNITS {
        if bytes >= size && bytes % size == 0 {
            return (bytes / size, unit);
        }
    }
    (bytes, " bytes")
}

/// `bytes` for people: `512 MiB`, `1 GiB`, `1500 bytes`.
pub fn format_size(bytes: u64) -> String {
    let (n, unit) = size_parts(bytes);
    format!("{n}{unit}")
}

/// Sets the budget of this process (`None`: no budget).
pub fn set_limit(bytes: Option<u64>) {
    let limit = bytes.map_or(0, |b| usize::try_from(b).unwrap_or(usize::MAX));
    LIMIT.store(limit, Ordering::Relaxed);
}

/// The budget, if one is set.
pub fn limit() -> Option<u64> {
    match LIMIT.load(Ordering::Relaxed) {
        0 => None,
        n => Some(n as u64),
    }
}

/// Heap bytes held now (0 when the counting allocator is not installed, e.g. in unit tests).
pub fn used() -> u64 {
    USED.load(Ordering::Relaxed) as u64
}

/// Highest heap use so far.
pub fn peak() -> u64 {
    PEAK.load(Ordering::Relaxed) as u64
}

/// The budget when the heap passed its soft threshold (7/8 of it): the run must stop now.
pub fn exceeded() -> Option<u64> {
    let limit = LIMIT.load(Ordering::Relaxed);
    if limit == 0 {
        return None;
    }
    let soft = limit - limit / 8;
    (USED.load(Ordering::Relaxed) > soft).then_some(limit as u64)
}

/// Peak resident set size of this process, in bytes (Linux and macOS; `None` elsewhere).
pub fn peak_rss() -> Option<u64> {
    #[cfg(unix)]
    {
        // SAFETY: getrusage fills the zeroed struct it is given.
        let mut ru: libc::rusage = unsafe { std::mem::zeroed() };
        // SAFETY: RUSAGE_SELF with a valid pointer.
        if unsafe { libc::getrusage(libc::RUSAGE_SELF, &raw mut ru) } != 0 {
            return None;
        }
        let max = u64::try_from(ru.ru_maxrss).ok()?;
        // Linux reports KiB, macOS bytes.
        Some(if cfg!(target_os = "macos") {
            max
        } else {
            max * 1024
        })
    }
    #[cfg(not(unix))]
    None
}

/// Parses a size: `512MiB`, `1GiB`, `1.5GiB`, `800MB`, `64M`, or a plain number of bytes;
/// binary units (KiB, MiB, GiB; K, M, G) and decimal ones (KB, MB, GB). Range-checked to
/// [`MIN_MEMORY`]..=[`MAX_MEMORY`].
pub fn parse_size(s: &str) -> Result<u64, String> {
    let t = s.trim();
    let split = t
        .find(|c: char| !(c.is_ascii_digit() || c == '.'))
        .unwrap_or(t.len());
    let (num, unit) = t.split_at(split);
    let unit = unit.trim();
    let factor: u64 = match unit.to_ascii_lowercase().as_str() {
        "" | "b" => 1,
        "k" | "kib" => 1 << 10,
        "m" | "mib" => 1 << 20,
        "g" | "gib" => 1 << 30,
        "kb" => 1_000,
        "mb" => 1_000_000,
        "gb" => 1_000_000_000,
        _ => {
            return Err(format!(
                "invalid size `{s}`: unknown unit `{unit}` (write e.g. \"512MiB\" or \"1GiB\")"
            ))
        }
    };
    let value: f64 = num
        .parse()
        .map_err(|_| format!("invalid size `{s}` (write e.g. \"512MiB\" or \"1GiB\")"))?;
    let bytes = value * factor as f64;
    if !bytes.is_finite() || bytes > MAX_MEMORY as f64 {
        return Err(format!(
            "size `{s}` is too large: at most {}",
            format_size(MAX_MEMORY)
        ));
    }
    let bytes = bytes as u64;
    if bytes < MIN_MEMORY {
        return Err(format!(
            "size `{s}` is too small: at least {}",
            format_size(MIN_MEMORY)
        ));
    }
    Ok(bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_parse_and_print() {
        assert_eq!(parse_size("512MiB").unwrap(), DEFAULT_MEMORY);
        assert_eq!(parse_size("1GiB").unwrap(), 1 << 30);
        assert_eq!(parse_size("1 GiB").unwrap(), 1 << 30);
        assert_eq!(parse_size("1.5g").unwrap(), 3 << 29);
        assert_eq!(parse_size("800MB").unwrap(), 800_000_000);
        assert_eq!(parse_size("33554432").unwrap(), 32 << 20);
        assert!(parse_size("1TiB").unwrap_err().contains("unknown unit"));
        assert!(parse_size("lots").is_err());
        assert!(parse_size("1MiB").unwrap_err().contains("too small"));
        assert!(parse_size("99999999GiB").unwrap_err().contains("too large"));
        assert_eq!(format_size(DEFAULT_MEMORY), "512 MiB");
        assert_eq!(format_size(1 << 30), "1 GiB");
        assert_eq!(format_size(1500), "1500 bytes");
        let mut b = [0u8; 32];
        let mut w = Buf::new(&mut b);
        w.size(DEFAULT_MEMORY);
        assert_eq!(w.done(), b"512 MiB");
    }
}
