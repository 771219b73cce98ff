//! Deterministic demo data: N support tickets spread over the 60 days before seeding, across
//! stages, priorities, owners (some unowned) and categories, with property history and a few
//! contact/company associations. The same seed always yields the same tickets (timestamps are
//! relative to the moment of seeding).
//!
//! The mix is built so the shipped rules have work: HIGH tickets "Waiting on us" for days
//! (escalation), "Waiting on contact" tickets untouched for 7-20 days (stale close), unowned
//! "New" tickets (round-robin assignment), and open tickets nobody answered yet (no
//! `first_agent_reply_date`: every "New" ticket and about a third of "Waiting on us"; the
//! first-response SLA rule).

use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use rusqlite::types::Value;
use rusqlite::{params, Connection};

use super::catalog::Catalog;
use super::row::Row;
use super::writer::{insert_row, record_history};

/// Options of `sandbox reset` / a new sandbox.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SeedOptions {
    /// How many demo tickets.
    pub tickets: usize,
    /// RNG seed.
    pub seed: u64,
}

impl Default for SeedOptions {
    fn default() -> Self {
        SeedOptions {
            tickets: 500,
            seed: 42,
        }
    }
}

const DAY: i64 = 86_400_000;

const PRODUCTS: &[&str] = &[
    "Customer portal",
    "Mobile app",
    "Reporting dashboard",
    "Admin console",
    "Billing portal",
    "Team inbox",
];

/// `(category, subject, description, details)`; `{p}` is a product, `{d}` one of the details.
type Template = (
    &'static str,
    &'static str,
    &'static str,
    &'static [&'static str],
);

const TEMPLATES: &[Template] = &[
    ("PRODUCT_ISSUE", "{p}: login fails", "Since this morning our team cannot sign in to the {p}. Every attempt ends with {d}. We cleared caches and tried two browsers. Please advise, this blocks our support desk.",
        &["error 500", "an \"access denied\" message", "a 'session expired' loop", "a blank page", "a timeout after 60 seconds"]),
    ("PRODUCT_ISSUE", "{p} is very slow", "Pages of the {p} take more than 30 seconds to load for all users in our account. We first noticed it after {d}. Nothing changed on our side.",
        &["the last release", "the daylight-saving change", "we imported 20,000 contacts", "the maintenance window on Sunday"]),
    ("PRODUCT_ISSUE", "Error when saving in {p}", "Saving a record in the {p} shows {d}. The change is lost. Steps: open the record, edit any field, press Save.",
        &["error 500", "\"Something went wrong\"", "a banner saying the record is locked", "a timeout after 60 seconds"]),
    ("BILLING_ISSUE", "Charged twice this month", "Our card was charged twice for the same subscription period. The second charge appeared after {d}. Please refund the duplicate and confirm by email.",
        &["the plan upgrade", "the renewal on the 1st", "we added two seats"]),
    ("BILLING_ISSUE", "Invoice shows wrong VAT number", "The last invoice for the {p} has an outdated VAT number. Our finance team needs a corrected copy because of {d}.",
        &["an audit next week", "the new EU rules", "our move to a new office"]),
    ("BILLING_ISSUE", "Refund not received", "You confirmed a refund two weeks ago but nothing has arrived. Our bank says {d}. Can you send the transaction reference?",
        &["no incoming payment matches", "the reference is missing", "the card was replaced in the meantime"]),
    ("FEATURE_REQUEST", "Request: export {p} data to CSV", "We would like to export everything from the {p} as CSV for our quarterly review. Today we copy it by hand, which leads to {d}.",
        &["copy-paste mistakes", "missing rows", "hours of manual work every month"]),
    ("FEATURE_REQUEST", "Dark mode for the {p}", "Several agents work night shifts and asked for a dark theme in the {p}. It would pair well with {d}.",
        &["the new compact layout", "larger fonts", "keyboard shortcuts"]),
    ("GENERAL_INQUIRY", "How do I add a new user to the {p}?", "We hired two agents and cannot find where to invite them to the {p}. The help article mentions {d} but the menu looks different.",
        &["a Settings > Users page", "an Invite button", "seat limits"]),
    ("GENERAL_INQUIRY", "Question about data retention", "Our legal team asks how long the {p} keeps deleted records and how {d} applies to backups.",
        &["the 90-day recycle bin", "GDPR deletion", "the export archive"]),
];

/// `(stage id, weight)`.
const STAGES: &[(&str, u32)] = &[("1", 20), ("2", 20), ("3", 25), ("4", 35)];
const PRIORITIES: &[(&str, u32)] = &[("LOW", 30), ("MEDIUM", 40), ("HIGH", 22), ("URGENT", 8)];
const SOURCES: &[&str] = &["CHAT", "EMAIL", "FORM", "PHONE"];
const RESOLUTIONS: &[&str] = &[
    "ISSUE_FIXED",
    "ANSWERED",
    "DUPLICATE",
    "WONT_FIX",
    "NO_RESPONSE",
];

fn weighted<'a>(rng: &mut StdRng, items: &[(&'a str, u32)]) -> &'a str {
    let total: u32 = items.iter().map(|(_, w)| w).sum();
    let mut roll = rng.random_range(0..total);
    for (v, w) in items {
        if roll < *w {
            return v;
        }
        roll -= w;
    }
    items[0].0
}

fn pick<'a>(rng: &mut StdRng, items: &[&'a str]) -> &'a str {
    items[rng.random_range(0..items.len())]
}

/// One generated ticket before insertion, kept compact (the static strings it was drawn
/// from, not the rendered row) so a million of them fit in a bounded amount of memory; the row
/// is built only when the ticket is inserted.
struct Demo {
    created: i64,
    modified: i64,
    stage: &'static str,
    priority: &'static str,
    template: &'static Template,
    product: &'static str,
    detail: &'static str,
    source: &'static str,
    owner: Option<usize>,
    resolution: Option<&'static str>,
    contact: i64,
    company: Option<i64>,
    /// `(first_agent_reply_date, time_to_first_agent_reply)`.
    reply: Option<(i64, i64)>,
}

fn generate(cat: &Catalog, rng: &mut StdRng, now: i64) -> Demo {
    let created = now - rng.random_range(DAY / 24..60 * DAY);
    let stage = weighted(rng, STAGES);
    let priority = weighted(rng, PRIORITIES);
    let age = now - created;
    // When the ticket last changed: recently for most, long ago for the cases rules look for.
    let modified = match (stage, priority) {
        ("3", "HIGH") => now - rng.random_range(DAY..(6 * DAY).min(age).max(DAY + 1)),
        ("2", _) => now - rng.random_range((age / 3).max(1)..age.max(2)),
        _ => created + rng.random_range(0..age.max(1)),
    }
    .clamp(created, now);
    let template = &TEMPLATES[rng.random_range(0..TEMPLATES.len())];
    let product = pick(rng, PRODUCTS);
    let detail = pick(rng, template.3);
    let source = pick(rng, SOURCES);
    let unowned = if stage == "1" {
        rng.random_bool(0.6)
    } else {
        rng.random_bool(0.05)
    };
    let owner =
        (!unowned && !cat.owners().is_empty()).then(|| rng.random_range(0..cat.owners().len()));
    let resolution = (stage == "4").then(|| pick(rng, RESOLUTIONS));
    let contact = 1000 + rng.random_range(0..400);
    let company = rng.random_bool(0.6).then(|| 5000 + rng.random_range(0..80));
    Demo {
        created,
        modified,
        stage,
        priority,
        template,
        product,
        detail,
        source,
        owner,
        resolution,
        contact,
        company,
        reply: None,
    }
}

/// The row of a drawn ticket.
fn build_row(cat: &Catalog, d: &Demo) -> Row {
    let mut row = Row::empty(cat);
    let set = |row: &mut Row, name: &str, v: Value| {
        if let Some(c) = cat.col(name) {
            row.values[c] = v;
        }
    };
    let text = |s: &str| Value::Text(s.to_string());
    let (category, subject, content, _) = *d.template;
    let fill = |t: &str| t.replace("{p}", d.product).replace("{d}", d.detail);
    set(&mut row, "subject", text(&fill(subject)));
    set(&mut row, "content", text(&fill(content)));
    set(&mut row, "hs_pipeline", text("0"));
    set(&mut row, "hs_pipeline_stage", text(d.stage));
    set(&mut row, "hs_ticket_priority", text(d.priority));
    set(&mut row, "hs_ticket_category", text(category));
    set(&mut row, "source_type", text(d.source));
    if let Some(o) = d.owner {
        set(&mut row, "hubspot_owner_id", text(&cat.owners()[o]));
    }
    set(
        &mut row,
        "hs_is_closed",
        text(if d.resolution.is_some() {
            "true"
        } else {
            "false"
        }),
    );
    if let Some(resolution) = d.resolution {
        set(&mut row, "closed_date", Value::Integer(d.modified));
        set(
            &mut row,
            "time_to_close",
            Value::Integer(d.modified - d.created),
        );
        set(&mut row, "hs_resolution", text(resolution));
    }
    set(&mut row, "createdate", Value::Integer(d.created));
    set(&mut row, "hs_lastmodifieddate", Value::Integer(d.modified));
    set(&mut row, "hs_object_source", text("API"));
    set(
        &mut row,
        "hs_object_source_label",
        text("INTERNAL_PROCESSING"),
    );
    if let Some((at, delay)) = d.reply {
        set(&mut row, "first_agent_reply_date", Value::Integer(at));
        set(&mut row, "time_to_first_agent_reply", Value::Integer(delay));
    }
    row
}

/// Salt of the random stream that draws first replies.
const REPLY_STREAM: u64 = 0x5_1A_F1_25;

/// Sets `first_agent_reply_date` (and `time_to_first_agent_reply`) on tickets an agent has
/// answered: none of the "New" ones, about two thirds of "Waiting on us", every ticket
/// waiting on the contact or closed. The reply came 5 minutes to 2 days after creation, and
/// not after the ticket's last change.
fn add_first_reply(rng: &mut StdRng, d: &mut Demo) {
    let answered = match d.stage {
        "1" => false,
        "3" => rng.random_bool(0.65),
        _ => true,
    };
    if !answered {
        return;
    }
    let span = (d.modified - d.created).max(1);
    let delay = rng.random_range(5 * 60_000..2 * DAY).min(span);
    d.reply = Some((d.created + delay, delay));
}

/// The `n` demo tickets of `seed`, drawn up front (compact: about 150 bytes each) and sorted
/// by creation time, so ids follow creation order.
pub(super) struct Plan {
    demos: Vec<Demo>,
}

impl Plan {
    /// Draws the tickets.
    pub(super) fn draw(cat: &Catalog, n: usize, seed: u64) -> Plan {
        let mut rng = StdRng::seed_from_u64(seed);
        let now = chrono::Utc::now().timestamp_millis();
        let mut demos: Vec<Demo> = (0..n).map(|_| generate(cat, &mut rng, now)).collect();
        // First replies come from their own random stream, so adding them left every other
        // value of the demo data as it was.
        let mut replies = StdRng::seed_from_u64(seed ^ REPLY_STREAM);
        for d in &mut demos {
            add_first_reply(&mut replies, d);
        }
        demos.sort_by_key(|d| d.created);
        Plan { demos }
    }

    /// How many tickets.
    pub(super) fn len(&self) -> usize {
        self.demos.len()
    }

    /// Inserts tickets `range` of the plan in the caller's transaction (the caller commits
    /// in chunks, so no transaction and no buffer grows with the size of the seed).
    pub(super) fn insert(
        &self,
        conn: &Connection,
        cat: &Catalog,
        range: std::ops::Range<usize>,
    ) -> rusqlite::Result<()> {
        let mut assoc = conn.prepare_cached(
            "INSERT OR IGNORE INTO associations(ticket_id, to_type, to_id, type_id, category) VALUES (?1, ?2, ?3, ?4, 'HUBSPOT_DEFINED')",
        )?;
        let all: Vec<usize> = (0..cat.stored_len()).collect();
        for d in &self.demos[range] {
            let row = build_row(cat, d);
            let id = insert_row(conn, cat, &row)?;
            // History: everything as created in stage 1, then the move to the current stage.
            let mut first = row.clone();
            if d.stage != "1" {
                if let Some(c) = cat.col("hs_pipeline_stage") {
                    first.values[c] = Value::Text("1".into());
                }
                for name in [
                    "closed_date",
                    "time_to_close",
                    "hs_resolution",
                    "first_agent_reply_date",
                    "time_to_first_agent_reply",
                ] {
                    if let Some(c) = cat.col(name) {
                        first.values[c] = Value::Null;
                    }
                }
                if let Some(c) = cat.col("hs_is_closed") {
                    first.values[c] = Value::Text("false".into());
                }
            }
            record_history(conn, cat, id, &first, &all, d.created, "API", false)?;
            if d.stage != "1" {
                let changed: Vec<usize> = (0..cat.stored_len())
                    .filter(|&i| first.values[i] != row.values[i])
                    .collect();
                record_history(conn, cat, id, &row, &changed, d.modified, "API", false)?;
            }
            assoc.execute(params![id, "contacts", d.contact, 16])?;
            if let Some(c) = d.company {
                assoc.execute(params![id, "companies", c, 339])?;
            }
        }
        Ok(())
    }
}
