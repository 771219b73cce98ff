//! Issue 17's proof with the real binary: three daemons share one PostgreSQL database (a fresh
//! schema of `HUBSCRIPT_TEST_PG_URL`) and one sandbox, with an every-second script, for about
//! 20 seconds; one of them is killed (SIGKILL, its run process with it) right after it fired.
//! Every fire time in the window is claimed exactly once and run by exactly one daemon (the
//! history and the script's own side effect, a created ticket, agree); the killed daemon's
//! claim is taken over by a survivor after its lease and its run marked interrupted; the
//! `state::add` counter counts every run. The checks read the claims and the history in the
//! database; the waits are for events with generous deadlines (a loaded 2-core machine may hold
//! a daemon up for seconds).

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use crate::util::bin::Project;
use crate::util::child::{Spawned, Stream};
use crate::util::pg::fresh_schema;
use crate::util::wait::wait_for;

/// Start-up of a daemon (the first one creates the schema).
const START: Duration = Duration::from_secs(60);
/// How long the daemons share the schedule.
const WINDOW: Duration = Duration::from_secs(20);
/// Generous bound for anything the test waits for.
const DEADLINE: Duration = Duration::from_secs(90);

// `queue`: a fire that comes while this daemon's previous run still goes (a slow second on a
// loaded machine) runs after it instead of being skipped.
const SCRIPT: &str = r#"//! schedule = "* * * * * *"
//! overlap = "queue"
let n = state::add("count", 1);
tickets::create(#{ subject: "tick", hs_pipeline: "0", hs_pipeline_stage: "1" });
print(`tick ${n}`);
"#;

fn daemon(p: &Project, url: &str) -> Spawned {
    let mut cmd = p.cmd(&[
        "daemon",
        "scripts",
        "--sandbox",
        "s.db",
        "--lease",
        "3s",
        "--grace",
        "20s",
    ]);
    cmd.env("HUBSCRIPT_STATE_URL", url);
    Spawned::spawn(cmd)
}

fn fires(d: &Spawned) -> usize {
    d.count(Stream::Err, |l| {
        l.contains(" fire ") && l.contains("script=tick")
    })
}

#[test]
fn three_daemons_fire_each_second_exactly_once_and_survive_a_kill() {
    let Some(pg) = fresh_schema("replicas::three_daemons") else {
        return;
    };
    let p = Project::new();
    p.reset_sandbox(0);
    p.file("scripts/tick.rhai", SCRIPT);
    let mut daemons: Vec<Spawned> = (0..3).map(|_| daemon(&p, &pg.url)).collect();
    for d in &daemons {
        d.expect_line(Stream::Err, "daemon started", START);
    }
    let started = Instant::now();

    // The victim is killed right after one of its fires (its run process is then starting or
    // running, and dies with it: PR_SET_PDEATHSIG).
    let victim_pid = daemons[0].pid();
    let before = fires(&daemons[0]);
    assert!(
        wait_for(DEADLINE, || fires(&daemons[0]) > before
            && started.elapsed() > Duration::from_secs(4)),
        "the first daemon never won a fire\n{}",
        daemons[0].dump()
    );
    daemons[0].sigkill();
    let mut victim = daemons.remove(0);
    assert!(victim.wait_exit(DEADLINE).is_some(), "{}", victim.dump());

    // The survivors go on until the window is over and the victim's claims are taken over.
    let victim_owner = format!(":{victim_pid}:");
    let running_of_victim = format!(
        "SELECT count(*) FROM claims WHERE status = 'running' AND owner LIKE '%{victim_owner}%'"
    );
    assert!(
        wait_for(DEADLINE, || started.elapsed() >= WINDOW
            && pg.number(&running_of_victim) == 0),
        "the victim's claims were never taken over\n{}\n{}",
        daemons[0].dump(),
        daemons[1].dump()
    );
    for d in &mut daemons {
        let status = d.terminate(DEADLINE);
        assert_eq!(status.code(), Some(0), "{}", d.dump());
    }

    // Claims: one per fire second, no second left out between the first and the last.
    let claims =
        pg.rows("SELECT subject, owner, status FROM claims WHERE script = 'tick' ORDER BY subject");
    let seconds: Vec<i64> = claims
        .iter()
        .map(|r| {
            let ms: i64 = r[0]
                .as_deref()
                .unwrap()
                .strip_prefix("fire:")
                .unwrap()
                .parse()
                .unwrap();
            assert_eq!(ms % 1000, 0, "{r:?}");
            ms / 1000
        })
        .collect();
    assert!(seconds.len() >= 10, "too few fires: {claims:?}");
    let span = (seconds[seconds.len() - 1] - seconds[0] + 1) as usize;
    assert_eq!(
        span,
        seconds.len(),
        "a fire second has no claim: {seconds:?}"
    );
    let owners: BTreeMap<&str, usize> = claims.iter().fold(BTreeMap::new(), |mut m, r| {
        *m.entry(r[1].as_deref().unwrap()).or_default() += 1;
        m
    });
    assert!(owners.len() >= 2, "one daemon took every fire: {owners:?}");
    // No claim is left running. The survivors' claims ended ok, or cancelled when the fire
    // never ran: claimed as shutdown began, or merged into an already queued run (three fires
    // during one run). The victim's ended ok or were taken over as interrupted.
    let mut cancelled = 0;
    for r in &claims {
        let (owner, status) = (r[1].as_deref().unwrap(), r[2].as_deref().unwrap());
        assert_ne!(status, "running", "{r:?}");
        if owner.contains(&victim_owner) {
            assert!(status == "ok" || status == "interrupted", "{r:?}");
        } else {
            assert!(status == "ok" || status == "cancelled", "{r:?}");
            cancelled += usize::from(status == "cancelled");
        }
    }
    assert!(
        cancelled * 4 <= claims.len(),
        "most fires never ran: {claims:?}"
    );
    assert_eq!(
        pg.number(
            "SELECT count(*) FROM runs r JOIN claims c ON c.id = r.claim_id
             WHERE c.status = 'cancelled'"
        ),
        0,
        "a cancelled claim has a run"
    );

    // History: every run belongs to a claim, no claim ran twice, every ok claim ran once ok.
    assert_eq!(
        pg.number("SELECT count(*) FROM runs WHERE script = 'tick' AND claim_id IS NULL"),
        0
    );
    let twice = pg.rows(
        "SELECT claim_id FROM runs WHERE script = 'tick' GROUP BY claim_id HAVING count(*) > 1",
    );
    assert!(twice.is_empty(), "claims run twice: {twice:?}");
    let ok_claims =
        pg.number("SELECT count(*) FROM claims WHERE script = 'tick' AND status = 'ok'");
    let ok_runs = pg.number(
        "SELECT count(*) FROM runs r JOIN claims c ON c.id = r.claim_id
         WHERE r.script = 'tick' AND r.status = 'ok' AND c.status = 'ok'",
    );
    assert_eq!(ok_runs, ok_claims);
    let not_ok = pg.rows(
        "SELECT r.id, r.status, r.error FROM runs r WHERE r.script = 'tick' AND r.status <> 'ok'",
    );
    let interrupted_claims =
        pg.number("SELECT count(*) FROM claims WHERE script = 'tick' AND status = 'interrupted'");
    for r in &not_ok {
        assert_eq!(r[1].as_deref(), Some("interrupted"), "{not_ok:?}");
        let why = r[2].as_deref().unwrap_or_default();
        assert!(why.contains("stopped renewing its claim"), "{why}");
    }
    assert!(not_ok.len() as i64 <= interrupted_claims, "{not_ok:?}");

    // The side effect and the counter: one ticket and one increment per ok run, plus at most
    // the interrupted run's (it may have got that far before the kill).
    let tickets = rusqlite::Connection::open(p.path().join("s.db"))
        .unwrap()
        .query_row("SELECT count(*) FROM tickets", [], |r| r.get::<_, i64>(0))
        .unwrap();
    let counter = pg.number("SELECT value::bigint FROM kv WHERE script = 'tick' AND key = 'count'");
    for (what, n) in [("tickets", tickets), ("state counter", counter)] {
        assert!(
            (ok_runs..=ok_runs + interrupted_claims).contains(&n),
            "{what} {n} for {ok_runs} ok runs and {interrupted_claims} interrupted claims"
        );
    }
    // The losers said why they did not run a fire.
    let skipped: usize = daemons
        .iter()
        .map(|d| {
            d.count(Stream::Err, |l| {
                l.contains("fire claimed by another daemon")
            })
        })
        .sum();
    assert!(skipped > 0, "{}", daemons[0].dump());
}
