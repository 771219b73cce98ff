//! Translation of the cron dialect hubscript accepts into what the `cron` crate parses.
//!
//! Accepted: 5-field crontab (`min hour dom month dow`, seconds are 0), 6 fields with seconds
//! first, 7 fields with seconds first and year last, and the macros `@yearly`/`@annually`,
//! `@monthly`, `@weekly`, `@daily`/`@midnight`, `@hourly`. Day-of-week numbers follow crontab in
//! every form: 0 and 7 are Sunday, 1 is Monday (the `cron` crate itself counts 1 = Sunday, so
//! the field is rewritten as day names). As in crontab, when both day-of-month and day-of-week
//! are restricted a day matches if EITHER matches; this module then yields two expressions
//! whose fire times the caller merges. Pure text work: no time zones, no clock.

/// Day names as the `cron` crate reads them, indexed by crontab number (0 = Sunday).
const DAY_NAMES: [&str; 7] = ["SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"];

/// Rewrites `expr` into one or two expressions for the `cron` crate (6 or 7 fields, seconds
/// first). Two are returned for crontab's day-of-month OR day-of-week rule.
pub(crate) fn to_crate_exprs(expr: &str) -> Result<Vec<String>, String> {
    let expr = expr.trim();
    if expr.starts_with('@') {
        let fields = match expr.to_ascii_lowercase().as_str() {
            "@yearly" | "@annually" => "0 0 0 1 1 *",
            "@monthly" => "0 0 0 1 * *",
            "@weekly" => "0 0 0 * * SUN",
            "@daily" | "@midnight" => "0 0 0 * * *",
            "@hourly" => "0 0 * * * *",
            _ => {
                return Err(format!(
                    "unknown macro `{expr}` (use @yearly, @annually, @monthly, @weekly, @daily, @midnight or @hourly)"
                ))
            }
        };
        return Ok(vec![fields.to_string()]);
    }
    let mut fields: Vec<String> = expr.split_whitespace().map(str::to_string).collect();
    match fields.len() {
        5 => fields.insert(0, "0".to_string()),
        6 | 7 => {}
        n => {
            return Err(format!(
                "expected 5 fields (minute hour day-of-month month day-of-week), 6 (seconds first) or 7 (seconds first, year last), found {n}"
            ))
        }
    }
    fields[5] = translate_day_of_week(&fields[5])?;
    let restricted = |f: &str| f != "*" && f != "?";
    if restricted(&fields[3]) && restricted(&fields[5]) {
        let mut by_dom = fields.clone();
        by_dom[5] = "*".to_string();
        let mut by_dow = fields;
        by_dow[3] = "*".to_string();
        return Ok(vec![by_dom.join(" "), by_dow.join(" ")]);
    }
    Ok(vec![fields.join(" ")])
}

/// Rewrites a crontab day-of-week field (numbers 0-7, names, ranges, lists, steps) as a list
/// of day names, or `*` when every day is included.
fn translate_day_of_week(field: &str) -> Result<String, String> {
    if field == "*" || field == "?" {
        return Ok(field.to_string());
    }
    let mut days = [false; 7];
    for item in field.split(',') {
        let (base, step) = match item.split_once('/') {
            Some((b, s)) => {
                let step: u32 = s.parse().ok().filter(|s| *s > 0).ok_or_else(|| {
                    format!("day-of-week step `{s}` in `{item}` must be a number from 1")
                })?;
                (b, Some(step))
            }
            None => (item, None),
        };
        let (lo, hi) = if base == "*" {
            (0, 6)
        } else if let Some((a, b)) = base.split_once('-') {
            (day_number(a)?, day_number(b)?)
        } else {
            let d = day_number(base)?;
            // Crontab reads `a/step` as `a-max/step`.
            (d, if step.is_some() { 7 } else { d })
        };
        if lo > hi {
            return Err(format!(
                "day-of-week range `{base}` runs backwards (write e.g. `5-7` or `FRI,SAT,SUN`)"
            ));
        }
        let step = step.unwrap_or(1);
        let mut d = lo;
        while d <= hi {
            days[(d % 7) as usize] = true;
            d += step;
        }
    }
    if days.iter().all(|d| *d) {
        return Ok("*".to_string());
    }
    let names: Vec<&str> = days
        .iter()
        .zip(DAY_NAMES)
        .filter(|(on, _)| **on)
        .map(|(_, name)| name)
        .collect();
    Ok(names.join(","))
}

/// A crontab day of week: 0-7 (0 and 7 are Sunday) or a name.
fn day_number(s: &str) -> Result<u32, String> {
    if let Ok(n) = s.parse::<u32>() {
        return if n <= 7 {
            Ok(n)
        } else {
            Err(format!(
                "day of week `{n}` is out of range (0-7, where 0 and 7 are Sunday)"
            ))
        };
    }
    let lower = s.to_ascii_lowercase();
    let n = match lower.as_str() {
        "sun" | "sunday" => 0,
        "mon" | "monday" => 1,
        "tue" | "tues" | "tuesday" => 2,
        "wed" | "wednesday" => 3,
        "thu" | "thurs" | "thursday" => 4,
        "fri" | "friday" => 5,
        "sat" | "saturday" => 6,
        _ => {
            return Err(format!(
                "`{s}` is not a day of week (0-7 or a name such as MON)"
            ))
        }
    };
    Ok(n)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn one(expr: &str) -> String {
        let v = to_crate_exprs(expr).unwrap();
        assert_eq!(v.len(), 1, "{v:?}");
        v[0].clone()
    }

    #[test]
    fn five_fields_get_seconds() {
        assert_eq!(one("*/5 * * * *"), "0 */5 * * * *");
        assert_eq!(one("  0 9 * * *  "), "0 0 9 * * *");
    }

    #[test]
    fn six_and_seven_fields_pass_through() {
        assert_eq!(one("* * * * * *"), "* * * * * *");
        assert_eq!(one("0 0 12 * * * 2030"), "0 0 12 * * * 2030");
    }

    #[test]
    fn macros_including_the_aliases_the_crate_lacks() {
        assert_eq!(one("@annually"), one("@yearly"));
        assert_eq!(one("@midnight"), one("@daily"));
        assert_eq!(one("@HOURLY"), "0 0 * * * *");
        let e = to_crate_exprs("@reboot").unwrap_err();
        assert!(e.contains("@reboot"), "{e}");
    }

    #[test]
    fn day_of_week_uses_crontab_numbers() {
        assert_eq!(one("0 9 * * 1"), "0 0 9 * * MON");
        assert_eq!(one("0 9 * * 0"), "0 0 9 * * SUN");
        assert_eq!(one("0 9 * * 7"), "0 0 9 * * SUN");
        assert_eq!(one("0 9 * * 1-5"), "0 0 9 * * MON,TUE,WED,THU,FRI");
        assert_eq!(one("0 9 * * 5-7"), "0 0 9 * * SUN,FRI,SAT");
        assert_eq!(one("0 9 * * */2"), "0 0 9 * * SUN,TUE,THU,SAT");
        assert_eq!(one("0 9 * * 1/2"), "0 0 9 * * SUN,MON,WED,FRI");
        assert_eq!(one("0 9 * * mon,Fri"), "0 0 9 * * MON,FRI");
        assert_eq!(one("0 9 * * 0-7"), "0 0 9 * * *");
    }

    #[test]
    fn bad_day_of_week_is_explained() {
        for bad in ["0 9 * * 8", "0 9 * * 5-1", "0 9 * * */0", "0 9 * * funday"] {
            assert!(to_crate_exprs(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn day_of_month_or_day_of_week() {
        let v = to_crate_exprs("0 0 1 * 1").unwrap();
        assert_eq!(v, vec!["0 0 0 1 * *", "0 0 0 * * MON"]);
    }

    #[test]
    fn wrong_field_count() {
        let e = to_crate_exprs("* * *").unwrap_err();
        assert!(e.contains("found 3"), "{e}");
    }
}
