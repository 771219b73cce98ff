//! Facts about the terminal the process writes to: its width in columns and height in rows.
//! Asked of the kernel directly (one `ioctl`), so tables can be fitted (and the REPL's pager
//! engaged) without a terminal-handling crate.

/// The rows and columns of the terminal open on `fd` (0 when unknown).
#[cfg(unix)]
fn size(fd: i32) -> Option<(u16, u16)> {
    // SAFETY: TIOCGWINSZ only writes a `winsize` into `ws`, which lives for the call; on a
    // descriptor that is not a terminal it fails with ENOTTY and writes nothing.
    let mut ws: libc::winsize = unsafe { std::mem::zeroed() };
    let ok = unsafe { libc::ioctl(fd, libc::TIOCGWINSZ, &mut ws) } == 0;
    ok.then_some((ws.ws_row, ws.ws_col))
}

/// The size of the terminal open on `fd`: not known off Unix.
#[cfg(not(unix))]
fn size(_fd: i32) -> Option<(u16, u16)> {
    None
}

/// The width in columns of the terminal open on `fd` (1 stdout, 2 stderr); none when `fd` is
/// not a terminal or reports no width.
pub fn width(fd: i32) -> Option<usize> {
    size(fd)
        .map(|(_, cols)| cols)
        .filter(|c| *c > 0)
        .map(usize::from)
}

/// The height in rows of the terminal open on `fd`; none when `fd` is not a terminal or
/// reports no height (a pseudo-terminal nobody sized reports 0 x 0).
pub fn rows(fd: i32) -> Option<usize> {
    size(fd)
        .map(|(rows, _)| rows)
        .filter(|r| *r > 0)
        .map(usize::from)
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
            assert_eq!(rows(file.as_raw_fd()), None);
        }
        #[cfg(not(unix))]
        {
            drop(file);
            assert_eq!(width(1), None);
        }
    }
}
