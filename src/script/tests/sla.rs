//! Time zones, business calendars, `http::` and `notify::` as scripts see them (issue 14):
//! defaults from the header, explicit zones, errors that name the function, the per-run caps,
//! and a dry run that plans requests.

use std::sync::Arc;

use super::{messages, ok, run};
use crate::backend::fake::FakeBackend;
use crate::script::RunOptions;
use crate::state::RunStatus;

fn fake() -> Arc<FakeBackend> {
    Arc::new(FakeBackend::numbered(1, 3))
}

async fn printed(src: &str) -> Vec<String> {
    let o = run(&fake(), src, RunOptions::default()).await;
    ok(&o);
    messages(&o)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn zone_functions_default_to_the_header_timezone() {
    // 2026-03-29T00:30:00Z: 01:30 CET in Berlin, still Saturday 20:30 in New York.
    let out = printed(
        "//! timezone = \"Europe/Berlin\"\n\
         let t = parse_time(\"2026-03-29T00:30:00Z\");\n\
         print(format_time(t, \"%a %H:%M %Z\"));\n\
         print(format_time(t, \"%a %H:%M %Z\", \"America/New_York\"));\n\
         print(weekday(t) + \" \" + weekday(t, \"America/New_York\"));\n\
         print(format_time(start_of_day(t), \"%Y-%m-%dT%H:%M%z\"));\n\
         print(format_time(add_days(t, 1), \"%a %H:%M %Z\"));\n\
         print(format_time(start_of_week(t), \"%a %d %H:%M\"));\n\
         print(parse_time(\"2026-03-29 09:00\") == parse_time(\"2026-03-29T07:00:00Z\"));\n\
         print(parse_time(\"2026-03-29 09:00\", \"UTC\") == parse_time(\"2026-03-29T09:00:00Z\"));\n",
    )
    .await;
    assert_eq!(
        out,
        [
            "info: Sun 01:30 CET",
            "info: Sat 20:30 EDT",
            "info: Sun Sat",
            "info: 2026-03-29T00:00+0100",
            "info: Mon 01:30 CEST",
            "info: Mon 23 00:00",
            "info: true",
            "info: true",
        ]
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn business_time_uses_the_header_calendar() {
    // Friday 2026-01-16 15:00 Berlin + 4 business hours = Monday 11:00 (a holiday on Monday
    // would push it to Tuesday).
    let out = printed(
        "//! calendar = { timezone = \"Europe/Berlin\", hours = { \"mon-fri\" = \"09:00-17:00\" }, holidays = [\"2026-01-19\"] }\n\
         let fri = parse_time(\"2026-01-16T14:00:00Z\");\n\
         print(format_time(add_business_time(fri, \"4h\"), \"%a %d %H:%M\", \"Europe/Berlin\"));\n\
         print(business_time_between(fri, parse_time(\"2026-01-20T10:00:00Z\")) / hours(1));\n\
         print(is_business_time(fri) + \" \" + is_business_time(parse_time(\"2026-01-17T10:00:00Z\")));\n\
         print(is_business_day(parse_time(\"2026-01-19T10:00:00Z\")));\n\
         print(format_time(add_business_days(fri, 1), \"%a %d\", \"Europe/Berlin\"));\n\
         print(add_business_time(fri, hours(2)) == add_business_time(fri, \"2h\"));\n",
    )
    .await;
    assert_eq!(
        out,
        [
            "info: Tue 20 11:00",
            "info: 4",
            "info: true false",
            "info: false",
            "info: Tue 20",
            "info: true",
        ]
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_zones_and_durations_say_what_is_wrong() {
    for (src, needle) in [
        (
            "weekday(0, \"Mars/Base\");",
            "weekday: unknown time zone \"Mars/Base\"",
        ),
        ("format_time(0, \"%Q\", \"UTC\");", "invalid time format"),
        ("add_business_time(0, \"soon\");", "invalid duration `soon`"),
        (
            "parse_time(\"tomorrow\", \"UTC\");",
            "parse_time: `tomorrow`",
        ),
    ] {
        let o = run(&fake(), src, RunOptions::default()).await;
        assert_eq!(o.status, RunStatus::Failed, "{src}");
        let text = o.error.unwrap().render();
        assert!(text.contains(needle), "{src}: {text}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn without_a_portal_id_links_are_plain_text_and_urls_say_what_is_missing() {
    // The test process does not set HUBSPOT_PORTAL_ID.
    let o = run(
        &fake(),
        "print(notify::ticket_link(\"7\", \"#7 a <b>\"));\nnotify::ticket_url(\"7\");\n",
        RunOptions::default(),
    )
    .await;
    assert_eq!(messages(&o)[0], "info: #7 a &lt;b&gt;");
    let text = o.error.unwrap().render();
    assert!(text.contains("set HUBSPOT_PORTAL_ID"), "{text}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_dry_run_plans_requests_and_the_caps_stop_a_loop() {
    let o = run(
        &fake(),
        "//! http = [\"hooks.example.com\"]\n\
         let r = http::post(\"https://hooks.example.com/x\", #{ n: 1 });\n\
         print(`${r.planned} ${r.status}`);\n\
         for i in 0..200 { http::get(\"https://hooks.example.com/y\"); }\n",
        RunOptions {
            dry_run: true,
            ..RunOptions::default()
        },
    )
    .await;
    let log = messages(&o);
    assert_eq!(
        log[0],
        "info: would POST https://hooks.example.com/x (dry run: not sent)"
    );
    assert_eq!(log[1], "info: true 0");
    assert_eq!(
        o.requests.len(),
        crate::outbound::MAX_REQUESTS_PER_RUN as usize
    );
    assert!(o.requests.iter().all(|r| r.planned));
    assert_eq!(o.requests[0].body.as_deref(), Some("{\"n\":1}"));
    let text = o.error.unwrap().render();
    assert!(text.contains("the cap of 100 per run"), "{text}");

    // notify::slack needs its variable declared; a caught refusal is a map.
    let o = run(
        &fake(),
        "try { notify::slack(\"hi\") } catch (e) { print(e.category + \": \" + e.message) }\n",
        RunOptions::default(),
    )
    .await;
    ok(&o);
    let m = &messages(&o)[0];
    assert!(
        m.starts_with("info: ENV: environment variable `SLACK_WEBHOOK_URL` is not declared"),
        "{m}"
    );
}
