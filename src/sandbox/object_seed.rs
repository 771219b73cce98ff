//! Demo records for the object types tickets point at: the contacts and companies demo
//! tickets are associated with (each generated from its id, so the same id always yields the
//! same person or company, a company's tier included), and notes logged on some tickets.
//! Used when seeding and by schema migration 4, which turns the association targets of an
//! older sandbox into records (associations now need their target to exist).

use rand::rngs::StdRng;
use rand::{RngExt, SeedableRng};
use rusqlite::{params, Connection};

use super::object_defs::TIERS;

const FIRST: &[&str] = &[
    "Ada", "Bea", "Carl", "Dmitri", "Emma", "Farid", "Grace", "Hugo", "Ines", "Jonas", "Kemal",
    "Lena", "Mateo", "Nora", "Oskar", "Priya", "Quentin", "Rosa", "Sven", "Tara", "Umar", "Vera",
    "Wen", "Yara",
];
const LAST: &[&str] = &[
    "Adler",
    "Brandt",
    "Castro",
    "Dubois",
    "Eriksen",
    "Fischer",
    "Garcia",
    "Hansen",
    "Ito",
    "Jansen",
    "Kowalski",
    "Lindqvist",
    "Moreau",
    "Nakamura",
    "Olsen",
    "Petrov",
    "Quinn",
    "Rossi",
    "Schmidt",
    "Tanaka",
    "Ueda",
    "Varga",
    "Weber",
    "Young",
];
const COMPANY: &[&str] = &[
    "Acme",
    "Globex",
    "Initech",
    "Umbrella",
    "Hooli",
    "Vandelay",
    "Stark",
    "Wayne",
    "Wonka",
    "Tyrell",
    "Cyberdyne",
    "Soylent",
    "Aperture",
    "Massive",
    "Pied Piper",
    "Gringotts",
];
const SUFFIX: &[&str] = &["Industries", "Labs", "Group", "Systems", "Logistics"];
const CITIES: &[(&str, &str)] = &[
    ("Berlin", "Germany"),
    ("Lyon", "France"),
    ("Austin", "United States"),
    ("Toronto", "Canada"),
    ("Osaka", "Japan"),
    ("Lisbon", "Portugal"),
];
const JOBS: &[&str] = &[
    "IT manager",
    "Office manager",
    "Support lead",
    "Head of finance",
    "Developer",
];
const NOTES: &[&str] = &[
    "Called the customer: they can reproduce the problem on two machines.",
    "Customer sent screenshots; forwarded to engineering.",
    "Explained the workaround; the customer will try it tomorrow.",
    "Escalated to the account manager because of the renewal next month.",
    "Checked the logs: no errors on our side at the reported time.",
];

/// The demo company with id `id`: `(name, domain, tier, city, country)`.
pub(super) fn demo_company(id: i64) -> (String, String, &'static str, &'static str, &'static str) {
    let mut rng = StdRng::seed_from_u64(0xC0_3A_41 ^ id as u64);
    let base = COMPANY[(id as usize) % COMPANY.len()];
    let suffix = SUFFIX[(id as usize / COMPANY.len()) % SUFFIX.len()];
    let name = format!("{base} {suffix}");
    let domain = format!(
        "{}-{}.example.com",
        base.to_lowercase().replace(' ', ""),
        suffix.to_lowercase()
    );
    // A skewed mix: a few platinum accounts, most standard.
    let tier = match rng.random_range(0..10) {
        0 => TIERS[0].0,
        1 | 2 => TIERS[1].0,
        3..=5 => TIERS[2].0,
        _ => TIERS[3].0,
    };
    let (city, country) = CITIES[rng.random_range(0..CITIES.len())];
    (name, domain, tier, city, country)
}

/// The demo contact with id `id`: `(first, last, email, job title)`.
pub(super) fn demo_contact(id: i64) -> (String, String, String, &'static str) {
    let mut rng = StdRng::seed_from_u64(0xC0_47_AC ^ id as u64);
    let first = FIRST[rng.random_range(0..FIRST.len())];
    let last = LAST[rng.random_range(0..LAST.len())];
    let email = format!(
        "{}.{}.{id}@example.com",
        first.to_lowercase(),
        last.to_lowercase()
    );
    (
        first.to_string(),
        last.to_string(),
        email,
        JOBS[rng.random_range(0..JOBS.len())],
    )
}

/// Creates a demo record for every association target of a stored type that has no record
/// yet: generated contacts and companies, placeholder notes and tasks. `tickets` limits it to
/// the associations of tickets `first..=last` (seeding in chunks reads only its chunk, by the
/// primary key). Returns how many.
pub(super) fn fill_targets(
    conn: &Connection,
    now: i64,
    tickets: Option<(i64, i64)>,
) -> rusqlite::Result<usize> {
    let (first, last) = tickets.unwrap_or((i64::MIN, i64::MAX));
    let targets = |ty: &str| -> rusqlite::Result<Vec<i64>> {
        let sql = format!(
            "SELECT DISTINCT a.to_id FROM associations a WHERE a.ticket_id BETWEEN ?2 AND ?3 \
             AND a.to_type = ?1 AND NOT EXISTS (SELECT 1 FROM {ty} r WHERE r.id = a.to_id) \
             ORDER BY a.to_id"
        );
        let mut st = conn.prepare(&sql)?;
        let ids = st.query_map(params![ty, first, last], |r| r.get(0))?;
        ids.collect()
    };
    let mut n = 0;
    for id in targets("companies")? {
        let (name, domain, tier, city, country) = demo_company(id);
        conn.execute(
            "INSERT INTO companies(id, name, domain, website, city, country, tier, createdate, hs_lastmodifieddate) \
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?8)",
            params![id, name, domain, format!("https://{domain}"), city, country, tier, now],
        )?;
        n += 1;
    }
    for id in targets("contacts")? {
        let (first, last, email, job) = demo_contact(id);
        conn.execute(
            "INSERT INTO contacts(id, firstname, lastname, email, jobtitle, createdate, lastmodifieddate) \
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?6)",
            params![id, first, last, email, job, now],
        )?;
        n += 1;
    }
    for id in targets("notes")? {
        conn.execute(
            "INSERT INTO notes(id, hs_note_body, hs_timestamp, hs_createdate, hs_lastmodifieddate) \
             VALUES (?1, '', ?2, ?2, ?2)",
            params![id, now],
        )?;
        n += 1;
    }
    for id in targets("tasks")? {
        conn.execute(
            "INSERT INTO tasks(id, hs_task_subject, hs_task_status, hs_timestamp, hs_createdate, hs_lastmodifieddate) \
             VALUES (?1, 'Follow up', 'NOT_STARTED', ?2, ?2, ?2)",
            params![id, now],
        )?;
        n += 1;
    }
    Ok(n)
}

/// Logs a note on about one ticket in four: `(ticket id, last change)` pairs; whether a
/// ticket gets one, and which, depends only on its id (seeding commits in chunks). Returns how
/// many notes.
pub(super) fn seed_notes(conn: &Connection, tickets: &[(i64, i64)]) -> rusqlite::Result<usize> {
    let mut note = conn.prepare_cached(
        "INSERT INTO notes(hs_note_body, hs_timestamp, hs_createdate, hs_lastmodifieddate) VALUES (?1, ?2, ?2, ?2)",
    )?;
    let mut assoc = conn.prepare_cached(
        "INSERT OR IGNORE INTO associations(ticket_id, to_type, to_id, type_id, category) VALUES (?1, 'notes', ?2, 227, 'HUBSPOT_DEFINED')",
    )?;
    let mut n = 0;
    for &(ticket, modified) in tickets {
        let mut rng = StdRng::seed_from_u64(0x0_7E5 ^ ticket as u64);
        if !rng.random_bool(0.25) {
            continue;
        }
        let body = NOTES[rng.random_range(0..NOTES.len())];
        note.execute(params![format!("<p>{body}</p>"), modified])?;
        assoc.execute(params![ticket, conn.last_insert_rowid()])?;
        n += 1;
    }
    Ok(n)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn demo_records_depend_only_on_the_id() {
        assert_eq!(demo_company(5001), demo_company(5001));
        assert_eq!(demo_contact(1001), demo_contact(1001));
        assert_ne!(demo_contact(1001).2, demo_contact(1002).2);
        let tiers: std::collections::BTreeSet<_> =
            (5000..5080).map(|id| demo_company(id).2).collect();
        assert!(
            tiers.len() >= 3,
            "the demo companies span the tiers: {tiers:?}"
        );
    }
}
