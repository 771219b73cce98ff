//! Facts about the terminal the process writes to: its width in columns. Asked of the kernel
//! directly (one `ioctl`), so tables can be fitted without a terminal-handling crate.

/// The width in columns of the terminal open on `fd` (1 stdout, 2 stderr); none when `fd` is
/// not a terminal or reports no width.
#[cfg(unix)]
pub fn width(fd: i32) -> Option<usize> {
    // SAFETY: TIOCGWINSZ only writes a `winsize` into `ws`, which lives for the call; on a
    // descriptor that is not a terminal it fails with ENOTTY and writes nothing.
    let mut ws: libc::winsize = unsafe { std::mem::zeroed() };
    let ok = unsafe { libc::ioctl(fd, libc::TIOCGWINSZ, &mut ws) } == 0;
    (ok && ws.ws_col > 0).then(|| usize::from(ws.ws_col))
}

/// The width in columns of the terminal open on `fd`: not known off Unix.
#[cfg(not(unix))]
pub fn width(_fd: i32) -> Option<usize> {
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_descriptor_that_is_not_a_terminal_has_no_width() {
        let file = tempfile::tempfile().unwrap();
        #[cfg(unix)]
        {
            use std::os::unix::io::AsRawFd;
            assert_eq!(width(file.as_raw_fd()), None);
        }
        #[cfg(not(unix))]
        {
            drop(file);
            assert_eq!(width(1), None);
        }
    }
}
