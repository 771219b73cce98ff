//! Who owns a `running` run: the process id and host name recorded with each run when it
//! starts, and whether that process still exists. A run left `running` by a process that is
//! gone (SIGKILL, out-of-memory killer, power loss) is settled as `interrupted` by the next
//! `run`, `watch` or `daemon` on the same host ([`super::StateDb::settle_interrupted`]).
//!
//! Only runs recorded on this host are judged: another machine sharing the state file (a
//! network disk) may own runs whose processes we cannot see. A pid reused by an unrelated
//! process keeps its run `running` (a false "alive", never a false "interrupted").

use std::sync::OnceLock;

/// The name of this machine (`gethostname`), or `unknown` when it cannot be read.
pub fn host_name() -> &'static str {
    static HOST: OnceLock<String> = OnceLock::new();
    HOST.get_or_init(read_host_name)
}

#[cfg(unix)]
fn read_host_name() -> String {
    let mut buf = [0u8; 256];
    // SAFETY: the buffer is valid for `buf.len()` bytes; gethostname writes at most that many.
    let rc = unsafe { libc::gethostname(buf.as_mut_ptr().cast(), buf.len()) };
    if rc == 0 {
        let end = buf.iter().position(|&b| b == 0).unwrap_or(buf.len());
        let name = String::from_utf8_lossy(&buf[..end]).into_owned();
        if !name.is_empty() {
            return name;
        }
    }
    std::env::var("HOSTNAME").unwrap_or_else(|_| "unknown".into())
}

#[cfg(not(unix))]
fn read_host_name() -> String {
    std::env::var("COMPUTERNAME").unwrap_or_else(|_| "unknown".into())
}

/// Whether process `pid` exists on this host. Errs on the side of "alive" when unsure.
#[cfg(unix)]
pub fn process_alive(pid: u32) -> bool {
    let Ok(pid) = libc::pid_t::try_from(pid) else {
        return true;
    };
    if pid <= 0 {
        return true;
    }
    // SAFETY: signal 0 only checks that the process exists and may be signalled.
    let rc = unsafe { libc::kill(pid, 0) };
    if rc == 0 {
        // A zombie (dead, not yet reaped: an orphan whose new parent does not reap, as in
        // some containers) still answers signal 0.
        return !is_zombie(pid);
    }
    // EPERM: it exists but belongs to someone else.
    std::io::Error::last_os_error().raw_os_error() != Some(libc::ESRCH)
}

/// Whether `pid` has ended but was not reaped yet (Linux; elsewhere assumed not).
#[cfg(unix)]
fn is_zombie(pid: libc::pid_t) -> bool {
    let Ok(stat) = std::fs::read_to_string(format!("/proc/{pid}/stat")) else {
        return false;
    };
    // The state follows the parenthesised command name, which may itself hold spaces.
    stat.rsplit_once(')')
        .and_then(|(_, rest)| rest.split_whitespace().next())
        .is_some_and(|state| state == "Z" || state == "X")
}

/// Whether process `pid` exists on this host (unknown off Unix: assumed alive).
#[cfg(not(unix))]
pub fn process_alive(_pid: u32) -> bool {
    true
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn this_process_is_alive_and_has_a_host() {
        assert!(process_alive(std::process::id()));
        assert!(!host_name().is_empty());
    }

    #[cfg(target_os = "linux")]
    #[test]
    fn an_unreaped_process_is_not_alive() {
        let mut child = std::process::Command::new("true").spawn().unwrap();
        let pid = child.id();
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
        while !is_zombie(pid as libc::pid_t) {
            assert!(
                std::time::Instant::now() < deadline,
                "never became a zombie"
            );
            std::thread::sleep(std::time::Duration::from_millis(10));
        }
        assert!(!process_alive(pid));
        child.wait().unwrap();
    }

    #[cfg(unix)]
    #[test]
    fn an_ended_process_is_not_alive() {
        let mut child = std::process::Command::new("true").spawn().unwrap();
        let pid = child.id();
        child.wait().unwrap();
        assert!(!process_alive(pid));
    }
}
