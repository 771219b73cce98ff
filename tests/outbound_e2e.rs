//! Outbound HTTP and notifications end to end (issue 14): the real binary posting to a local
//! receiver on 127.0.0.1, the allow-list refusing other hosts at run time and at `check`,
//! dry runs that plan and send nothing, secrets that never reach output or history, and the
//! shipped first-response SLA rule on the demo sandbox.

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::Output;
use std::sync::{Arc, Mutex};

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, Uri};
use axum::Router;
use hubscript::backend::TicketsBackend;
use hubscript::model::{ListParams, Ticket};
use hubscript::sandbox::Sandbox;
use hubscript::script::header::ScriptHeader;

use crate::util::bin::{stderr, stdout, Project};

/// One request the receiver got.
#[derive(Debug, Clone)]
struct Received {
    path: String,
    headers: HeaderMap,
    body: String,
}

/// A local HTTP receiver on 127.0.0.1 that records every request and answers `ok` (or, on
/// `/echo`, the body it got).
struct Receiver {
    addr: SocketAddr,
    got: Arc<Mutex<Vec<Received>>>,
}

impl Receiver {
    async fn start() -> Self {
        let got: Arc<Mutex<Vec<Received>>> = Arc::default();
        let app = Router::new()
            .fallback(
                |State(got): State<Arc<Mutex<Vec<Received>>>>,
                 uri: Uri,
                 headers: HeaderMap,
                 body: Bytes| async move {
                    let body = String::from_utf8_lossy(&body).into_owned();
                    let path = uri.path().to_string();
                    got.lock().unwrap().push(Received {
                        path: path.clone(),
                        headers,
                        body: body.clone(),
                    });
                    if path == "/echo" {
                        body
                    } else {
                        "ok".to_string()
                    }
                },
            )
            .with_state(got.clone());
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        tokio::spawn(async move { axum::serve(listener, app).await });
        Self { addr, got }
    }

    fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.addr)
    }

    fn received(&self) -> Vec<Received> {
        self.got.lock().unwrap().clone()
    }
}

/// Runs the binary in `p` off the async threads (the receiver answers meanwhile).
async fn run_bin(p: &Project, args: &[&str], env: &[(&str, &str)]) -> Output {
    let mut cmd = p.cmd(args);
    cmd.env_remove("SLACK_WEBHOOK_URL")
        .env_remove("HUBSPOT_PORTAL_ID")
        .env_remove("HUBSPOT_APP_URL");
    for (k, v) in env {
        cmd.env(k, v);
    }
    tokio::task::spawn_blocking(move || cmd.output().unwrap())
        .await
        .unwrap()
}

fn run_id(out: &Output) -> String {
    let text = stderr(out);
    let start = text
        .rfind("(run ")
        .unwrap_or_else(|| panic!("no run id in:\n{text}"))
        + 5;
    text[start..].split(')').next().unwrap().to_string()
}

/// Everything a user can see of a run: its output and its history entry.
async fn visible(p: &Project, out: &Output) -> String {
    let shown = run_bin(p, &["runs", "show", &run_id(out)], &[]).await;
    assert!(shown.status.success(), "{}", stderr(&shown));
    format!("{}\n{}\n{}", stdout(out), stderr(out), stdout(&shown))
}

const SECRET: &str = "T0SECRET/B0SECRET/xoxb-9f8e7d6c5b4a";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn post_to_an_allowed_host_carries_secrets_that_never_show() {
    let rx = Receiver::start().await;
    let p = Project::new();
    p.file(
        "notify.rhai",
        // `immediate`: the script reads the answer, so the POST is sent when it is made.
        "//! http = [\"127.0.0.1\"]\n//! env = [\"API_KEY\"]\n//! apply = \"immediate\"\n\
         let r = http::post(run::arg(\"url\"), #{ key: \"{{env.API_KEY}}\", n: 3 },\n\
             #{ headers: #{ Authorization: \"Bearer {{env.API_KEY}}\" } });\n\
         print(`status ${r.status} ok ${r.ok}`);\n\
         print(`echo ${r.text}`);\n\
         print(`key ${r.body.key}`);\n",
    );
    let url = rx.url("/echo");
    let out = run_bin(
        &p,
        &[
            "run",
            "notify.rhai",
            "--sandbox",
            "s.db",
            "--arg",
            &format!("url={url}"),
        ],
        &[("API_KEY", SECRET)],
    )
    .await;
    assert!(out.status.success(), "{}", stderr(&out));
    let got = rx.received();
    assert_eq!(got.len(), 1, "{got:?}");
    let body: serde_json::Value = serde_json::from_str(&got[0].body).unwrap();
    assert_eq!(body, serde_json::json!({ "key": SECRET, "n": 3 }));
    assert_eq!(got[0].headers["authorization"], format!("Bearer {SECRET}"));
    assert_eq!(got[0].headers["content-type"], "application/json");
    let seen = visible(&p, &out).await;
    assert!(seen.contains("status 200 ok true"), "{seen}");
    // The answer echoed the secret: the log shows its name instead.
    assert!(seen.contains("key [secret API_KEY]"), "{seen}");
    assert!(
        seen.contains(&format!("POST {url} -> 200")),
        "the request is logged:\n{seen}"
    );
    assert!(seen.contains("1 outbound request"), "and counted:\n{seen}");
    assert!(!seen.contains(SECRET), "the secret leaked:\n{seen}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_host_outside_the_list_is_refused_at_run_time_and_at_check() {
    let rx = Receiver::start().await;
    let p = Project::new();
    p.file(
        "runtime.rhai",
        "//! http = [\"hooks.slack.com\"]\nlet r = http::post(run::arg(\"url\"), #{ a: 1 });\n",
    );
    let out = run_bin(
        &p,
        &[
            "run",
            "runtime.rhai",
            "--sandbox",
            "s.db",
            "--arg",
            &format!("url={}", rx.url("/x")),
        ],
        &[],
    )
    .await;
    assert_eq!(out.status.code(), Some(1), "{}", stdout(&out));
    let err = stderr(&out);
    assert!(
        err.contains("host `127.0.0.1` is not allowed") && err.contains("hooks.slack.com"),
        "{err}"
    );
    assert!(
        err.contains("runtime.rhai:2"),
        "the error points at the call: {err}"
    );

    // A literal URL is refused before anything runs.
    p.file(
        "literal.rhai",
        "//! http = [\"hooks.slack.com\"]\nlet ok = 1;\nhttp::post(\"http://127.0.0.1:9/x\", #{ a: 1 });\n",
    );
    let out = run_bin(&p, &["check", "literal.rhai"], &[]).await;
    assert_eq!(out.status.code(), Some(2), "{}", stdout(&out));
    let err = stderr(&out);
    assert!(err.contains("literal.rhai:3"), "{err}");
    assert!(
        err.contains("http::post: host `127.0.0.1` is not allowed"),
        "{err}"
    );
    // `run` checks first, so nothing is sent either.
    let out = run_bin(&p, &["run", "literal.rhai", "--sandbox", "s.db"], &[]).await;
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(rx.received().is_empty(), "{:?}", rx.received());
}

fn script(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("scripts")
        .join(name)
}

/// Every live ticket with every property, by id.
async fn tickets(db: &Path) -> BTreeMap<String, Ticket> {
    let sb = Sandbox::open(db).unwrap();
    let props: Vec<String> = sb
        .properties()
        .await
        .unwrap()
        .into_iter()
        .map(|p| p.name)
        .collect();
    let mut out = BTreeMap::new();
    let mut after = None;
    loop {
        let page = sb
            .list(&ListParams {
                limit: Some(100),
                after: after.clone(),
                properties: props.clone(),
                ..Default::default()
            })
            .await
            .unwrap();
        for t in &page.results {
            out.insert(t.id.clone(), t.clone());
        }
        match page.next_after() {
            Some(a) => after = Some(a.to_string()),
            None => break,
        }
    }
    out
}

const SLA: i64 = 4 * 3_600_000;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sla_rule_escalates_overdue_first_responses_and_notifies_the_channel() {
    let rx = Receiver::start().await;
    let p = Project::new();
    let path = script("sla_first_response.rhai");
    let source = std::fs::read_to_string(&path).unwrap();
    let calendar = ScriptHeader::parse(&path, &source)
        .unwrap()
        .business_calendar();
    let db = p.path().join("s.db");
    let before = tickets(&db).await;
    let hook = rx.url(&format!("/services/{SECRET}"));

    let t0 = chrono::Utc::now().timestamp_millis();
    let out = run_bin(
        &p,
        &["run", path.to_str().unwrap(), "--sandbox", "s.db"],
        &[
            ("SLACK_WEBHOOK_URL", &hook),
            ("HUBSPOT_PORTAL_ID", "7729491"),
        ],
    )
    .await;
    let t1 = chrono::Utc::now().timestamp_millis();
    assert!(out.status.success(), "{}\n{}", stdout(&out), stderr(&out));
    let after = tickets(&db).await;

    // Which tickets the rule had to escalate: open, never answered, not URGENT yet, and past
    // 4 business hours when the run started; which it must leave: not past them when it ended.
    let mut escalated = Vec::new();
    for (id, t) in &before {
        let now = &after[id];
        let candidate = t.prop("hs_is_closed") == Some("false")
            && t.prop("first_agent_reply_date").is_none()
            && t.prop("hs_ticket_priority") != Some("URGENT");
        let created =
            hubscript::model::time::parse_to_millis(t.prop("createdate").unwrap()).unwrap();
        if candidate && calendar.business_time_between(created, t0).unwrap() > SLA {
            assert_eq!(
                now.prop("hs_ticket_priority"),
                Some("URGENT"),
                "#{id} is overdue"
            );
            escalated.push(id.clone());
        } else if !candidate || calendar.business_time_between(created, t1).unwrap() <= SLA {
            assert_eq!(now.properties, t.properties, "#{id} must not change");
        }
    }
    assert!(
        escalated.len() >= 10,
        "the demo data gives the rule work: {escalated:?}"
    );

    // One message, to the webhook, listing the escalated tickets with links to HubSpot.
    let got = rx.received();
    assert_eq!(got.len(), 1, "{got:?}");
    assert_eq!(got[0].path, format!("/services/{SECRET}"));
    let text = serde_json::from_str::<serde_json::Value>(&got[0].body).unwrap()["text"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(
        text.contains(&format!(
            "{} ticket(s) escalated to URGENT",
            escalated.len()
        )),
        "{text}"
    );
    // A header line, then one line per ticket (at most 15) and a count of the rest.
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(
        lines.len(),
        1 + escalated.len().min(15) + usize::from(escalated.len() > 15),
        "{text}"
    );
    assert!(
        lines[1..]
            .iter()
            .all(|l| l.starts_with("• ") || l.starts_with("… and ")),
        "{text}"
    );
    let first = &escalated
        .iter()
        .min_by_key(|id| id.parse::<u64>().unwrap())
        .unwrap();
    assert!(
        text.contains(&format!(
            "<https://app.hubspot.com/contacts/7729491/record/0-5/{first}|#{first} "
        )),
        "{text}"
    );
    let seen = visible(&p, &out).await;
    assert!(!seen.contains(SECRET), "the webhook URL leaked:\n{seen}");
    assert!(seen.contains("[secret SLACK_WEBHOOK_URL] -> 200"), "{seen}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_dry_run_sends_nothing_and_lists_the_planned_requests() {
    let rx = Receiver::start().await;
    let p = Project::new();
    let path = script("sla_first_response.rhai");
    let db = p.path().join("s.db");
    let before = tickets(&db).await;
    let hook = rx.url(&format!("/services/{SECRET}"));
    let out = run_bin(
        &p,
        &[
            "run",
            path.to_str().unwrap(),
            "--sandbox",
            "s.db",
            "--dry-run",
        ],
        &[("SLACK_WEBHOOK_URL", &hook)],
    )
    .await;
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(
        rx.received().is_empty(),
        "a dry run sent {:?}",
        rx.received()
    );
    assert_eq!(tickets(&db).await, before, "a dry run writes nothing");
    let text = stderr(&out);
    assert!(
        text.contains(
            "requests planned (dry run, nothing was sent):\n  POST [secret SLACK_WEBHOOK_URL]"
        ),
        "{text}"
    );
    assert!(
        text.contains("would escalate to URGENT"),
        "the planned message: {text}"
    );
    assert!(text.contains("1 outbound request planned"), "{text}");
    let seen = visible(&p, &out).await;
    assert!(!seen.contains(SECRET), "{seen}");

    // As JSON too.
    let out = run_bin(
        &p,
        &[
            "run",
            path.to_str().unwrap(),
            "--sandbox",
            "s.db",
            "--dry-run",
            "--json",
        ],
        &[("SLACK_WEBHOOK_URL", &hook)],
    )
    .await;
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["requests"][0]["method"], "POST");
    assert_eq!(v["requests"][0]["planned"], true);
    assert_eq!(v["requests"][0]["url"], "[secret SLACK_WEBHOOK_URL]");
    assert!(rx.received().is_empty());
}

/// The subject of ticket 1 in the sandbox file at `db`.
async fn subject_of_ticket_1(db: &Path) -> String {
    let sb = Sandbox::open(db).unwrap();
    let t = sb
        .get(
            "1",
            &hubscript::model::GetParams {
                properties: vec!["subject".into()],
                ..Default::default()
            },
        )
        .await
        .unwrap();
    t.properties["subject"].clone().unwrap_or_default()
}

/// Regression (issue 14 on top of issue 10): a POST made while a run plans is sent after the
/// run's changes are applied, never before them, and not at all when the run fails.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn posts_wait_for_the_apply_and_a_failed_run_sends_nothing() {
    let rx = Receiver::start().await;
    let p = Project::new();
    p.reset_sandbox(20);
    let db = p.path().join("s.db");
    p.file(
        "tell.rhai",
        "//! http = [\"127.0.0.1\"]\n\
         tickets::update(\"1\", #{ subject: \"renamed by the rule\" });\n\
         let r = http::post(run::arg(\"url\"), #{ text: \"ticket 1 renamed\" });\n\
         print(`planned ${r.planned}`);\n\
         if run::arg(\"fail\", \"no\") == \"yes\" { throw \"the rule broke after posting\"; }\n",
    );
    let url = rx.url("/hook");

    // The script fails after its POST: nothing is applied and nothing is sent.
    let before = subject_of_ticket_1(&db).await;
    let out = run_bin(
        &p,
        &[
            "run",
            "tell.rhai",
            "--arg",
            &format!("url={url}"),
            "--arg",
            "fail=yes",
        ],
        &[],
    )
    .await;
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert!(
        rx.received().is_empty(),
        "sent although the run failed: {:?}",
        rx.received()
    );
    assert!(stderr(&out).contains("not sent: POST"), "{}", stderr(&out));
    assert_eq!(subject_of_ticket_1(&db).await, before);

    // A run that succeeds: the POST goes out once, after the ticket change landed, and the
    // log says it was queued, then sent.
    let out = run_bin(
        &p,
        &[
            "run",
            "tell.rhai",
            "--sandbox",
            "s.db",
            "--arg",
            &format!("url={url}"),
        ],
        &[],
    )
    .await;
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(stdout(&out).contains("planned true"), "{}", stdout(&out));
    let got = rx.received();
    assert_eq!(got.len(), 1, "{got:?}");
    assert_eq!(got[0].body, r#"{"text":"ticket 1 renamed"}"#);
    assert_eq!(subject_of_ticket_1(&db).await, "renamed by the rule");
    let err = stderr(&out);
    let queued = err.find("queued POST").unwrap_or_else(|| panic!("{err}"));
    let sent = err
        .find(&format!("POST {url} -> 200"))
        .unwrap_or_else(|| panic!("{err}"));
    assert!(queued < sent, "queued, then sent after the apply:\n{err}");
}
