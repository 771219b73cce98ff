//! Daylight-saving tests of `CronSchedule` in Europe/Berlin and America/New_York (2026:
//! Berlin springs forward on 29 March at 02:00 CET and falls back on 25 October at 03:00 CEST;
//! New York springs forward on 8 March at 02:00 EST and falls back on 1 November at 02:00 EDT).

use super::*;
use chrono_tz::America::New_York;
use chrono_tz::Europe::Berlin;

fn utc(s: &str) -> DateTime<Utc> {
    s.parse().unwrap()
}

fn fires(expr: &str, tz: Tz, from: &str, n: usize) -> Vec<String> {
    CronSchedule::parse(expr)
        .unwrap()
        .upcoming(utc(from), tz, n)
        .iter()
        .map(|t| t.to_rfc3339())
        .collect()
}

#[test]
fn the_cron_crate_alone_loses_the_spring_forward_run() {
    // What we correct: the crate skips 02:30 on the change day entirely.
    let s: cron::Schedule = "0 30 2 * * *".parse().unwrap();
    let next = s
        .after(&utc("2026-03-28T12:00:00Z").with_timezone(&Berlin))
        .next()
        .unwrap();
    assert_eq!(next.to_rfc3339(), "2026-03-30T02:30:00+02:00");
}

#[test]
fn berlin_spring_forward_runs_once_at_the_end_of_the_gap() {
    assert_eq!(
        fires("30 2 * * *", Berlin, "2026-03-28T12:00:00Z", 3),
        [
            "2026-03-29T03:00:00+02:00",
            "2026-03-30T02:30:00+02:00",
            "2026-03-31T02:30:00+02:00"
        ]
    );
}

#[test]
fn new_york_spring_forward_runs_once_at_the_end_of_the_gap() {
    assert_eq!(
        fires("30 2 * * *", New_York, "2026-03-07T06:00:00Z", 3),
        [
            "2026-03-07T02:30:00-05:00",
            "2026-03-08T03:00:00-04:00",
            "2026-03-09T02:30:00-04:00"
        ]
    );
}

#[test]
fn several_fire_times_in_the_gap_collapse_into_one_run() {
    // 02:00, 02:15, 02:30, 02:45 do not exist, and 03:00 is a fire time of its own: one run.
    assert_eq!(
        fires("*/15 2,3 * * *", New_York, "2026-03-08T06:00:00Z", 3),
        [
            "2026-03-08T03:00:00-04:00",
            "2026-03-08T03:15:00-04:00",
            "2026-03-08T03:30:00-04:00"
        ]
    );
}

#[test]
fn berlin_fall_back_runs_once_at_the_first_occurrence() {
    assert_eq!(
        fires("30 2 * * *", Berlin, "2026-10-24T12:00:00Z", 3),
        [
            "2026-10-25T02:30:00+02:00",
            "2026-10-26T02:30:00+01:00",
            "2026-10-27T02:30:00+01:00"
        ]
    );
    // Asked from inside the repeated hour (after the first 02:30 ran): no second run.
    let s = CronSchedule::parse("30 2 * * *").unwrap();
    let next = s.next_after(utc("2026-10-25T01:10:00Z"), Berlin).unwrap();
    assert_eq!(
        next.with_timezone(&Berlin).to_rfc3339(),
        "2026-10-26T02:30:00+01:00"
    );
}

#[test]
fn new_york_fall_back_runs_once_at_the_first_occurrence() {
    assert_eq!(
        fires("30 1 * * *", New_York, "2026-10-31T12:00:00Z", 3),
        [
            "2026-11-01T01:30:00-04:00",
            "2026-11-02T01:30:00-05:00",
            "2026-11-03T01:30:00-05:00"
        ]
    );
}

/// Consecutive fires of an every-hour or every-minute schedule across a change are exactly
/// `step` apart in real time: nothing doubled, nothing lost.
fn assert_steady(expr: &str, tz: Tz, from: &str, n: usize, step: Duration) {
    let s = CronSchedule::parse(expr).unwrap();
    let times = s.upcoming(utc(from), tz, n);
    assert_eq!(times.len(), n);
    for w in times.windows(2) {
        assert_eq!(w[1] - w[0], step, "{} -> {}", w[0], w[1]);
    }
}

#[test]
fn hourly_follows_real_time_through_every_change() {
    let hour = Duration::hours(1);
    assert_steady("@hourly", Berlin, "2026-03-28T22:30:00Z", 8, hour);
    assert_steady("@hourly", Berlin, "2026-10-24T22:30:00Z", 8, hour);
    assert_steady("0 * * * *", New_York, "2026-03-08T03:30:00Z", 8, hour);
    assert_steady("0 * * * *", New_York, "2026-11-01T03:30:00Z", 8, hour);
    // The repeated New York hour fires at both of its real instants.
    assert_eq!(
        fires("0 * * * *", New_York, "2026-11-01T04:30:00Z", 3),
        [
            "2026-11-01T01:00:00-04:00",
            "2026-11-01T01:00:00-05:00",
            "2026-11-01T02:00:00-05:00"
        ]
    );
    // The missing hour has no fire time, and nothing is lost in real time.
    assert_eq!(
        fires("30 * * * *", New_York, "2026-03-08T06:00:00Z", 2),
        ["2026-03-08T01:30:00-05:00", "2026-03-08T03:30:00-04:00"]
    );
}

#[test]
fn minutely_follows_real_time_through_every_change() {
    let minute = Duration::minutes(1);
    assert_steady("* * * * *", Berlin, "2026-03-29T00:30:00Z", 100, minute);
    assert_steady("* * * * *", Berlin, "2026-10-25T00:30:00Z", 100, minute);
    assert_steady("* * * * *", New_York, "2026-03-08T06:30:00Z", 100, minute);
    assert_steady("* * * * *", New_York, "2026-11-01T05:30:00Z", 100, minute);
}

#[test]
fn every_second_across_fall_back_stays_one_second_apart() {
    assert_steady(
        "* * * * * *",
        New_York,
        "2026-11-01T05:59:50Z",
        30,
        Duration::seconds(1),
    );
}
