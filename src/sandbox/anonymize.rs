//! `sandbox pull --anonymize`: personal and free text of a [`Snapshot`] replaced by generated
//! text of the same shape, deterministically. Each word (a run of letters and digits) becomes
//! another word of the same length, letters for letters (case kept), digits for digits,
//! chosen by a hash of the word; everything else (spaces, punctuation, `@`, `.`) stays. So the
//! same value always gives the same text, an e-mail stays an e-mail, a contact's e-mail domain
//! still matches its company's domain, and lengths (the string limit) are kept.
//!
//! What is replaced: the ticket properties of type `string` that are not HubSpot's own
//! (`hs_…`; subject and content included), contacts' names, e-mail, phone, job title and company
//! name, companies' name, domain, website and phone, the portal's own `string` properties of
//! companies and contacts, owners' names and e-mail. Enumerations,
//! numbers, dates and ids are kept: rules decide on them.

use sha2::{Digest, Sha256};

use super::import::Snapshot;
use crate::model::{Property, Ticket};

/// Mixed into every hash, so the words of a pulled portal cannot be looked up in a table of
/// hashes made for another purpose.
const SALT: &[u8] = b"hubscript sandbox pull --anonymize v1";

/// One word replaced by another of the same shape.
fn word(w: &str) -> String {
    let mut h = Sha256::new();
    h.update(SALT);
    h.update(w.as_bytes());
    let mut digest = h.finalize().to_vec();
    let mut out = String::with_capacity(w.len());
    for (i, c) in w.chars().enumerate() {
        if i > 0 && i % digest.len() == 0 {
            digest = Sha256::digest(&digest).to_vec();
        }
        let b = digest[i % digest.len()];
        out.push(if c.is_ascii_digit() {
            char::from(b'0' + b % 10)
        } else if c.is_uppercase() {
            char::from(b'A' + b % 26)
        } else {
            char::from(b'a' + b % 26)
        });
    }
    out
}

/// `text` with every word replaced (see the module doc).
pub fn scramble(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut current = String::new();
    for c in text.chars() {
        if c.is_alphanumeric() {
            current.push(c);
        } else {
            if !current.is_empty() {
                out.push_str(&word(&current));
                current.clear();
            }
            out.push(c);
        }
    }
    if !current.is_empty() {
        out.push_str(&word(&current));
    }
    out
}

/// Whether a ticket property holds free text to replace.
fn is_free_text(p: &Property) -> bool {
    p.kind == "string" && !p.name.starts_with("hs_")
}

fn scramble_props(r: &mut Ticket, names: &[&str]) {
    for name in names {
        if let Some(Some(v)) = r.properties.get_mut(*name) {
            *v = scramble(v);
        }
    }
}

/// Replaces the personal and free text of `snap` (see the module doc).
pub fn anonymize(snap: &mut Snapshot) {
    let text: Vec<&str> = snap
        .properties
        .iter()
        .filter(|p| is_free_text(p))
        .map(|p| p.name.as_str())
        .collect();
    for t in &mut snap.tickets {
        scramble_props(t, &text);
    }
    for c in &mut snap.contacts {
        scramble_props(
            c,
            &[
                "firstname",
                "lastname",
                "email",
                "phone",
                "jobtitle",
                "company",
            ],
        );
    }
    for c in &mut snap.companies {
        scramble_props(c, &["name", "domain", "website", "phone"]);
    }
    // The portal's own text properties of companies and contacts are free text too.
    for (ty, props) in &snap.object_properties {
        let own: Vec<&str> = props
            .iter()
            .filter(|p| p.kind == "string")
            .map(|p| p.name.as_str())
            .collect();
        let records = match ty.as_str() {
            "companies" => &mut snap.companies,
            "contacts" => &mut snap.contacts,
            _ => continue,
        };
        for r in records.iter_mut() {
            scramble_props(r, &own);
        }
    }
    for o in &mut snap.owners {
        for v in [&mut o.first_name, &mut o.last_name, &mut o.email]
            .into_iter()
            .flatten()
        {
            *v = scramble(v);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn same_value_same_text_of_the_same_shape() {
        let a = scramble("Ada Lovelace <ada.lovelace@acme-labs.example.com>, call 555-0142");
        assert_eq!(
            a,
            scramble("Ada Lovelace <ada.lovelace@acme-labs.example.com>, call 555-0142")
        );
        assert_ne!(
            a,
            "Ada Lovelace <ada.lovelace@acme-labs.example.com>, call 555-0142"
        );
        let shape = |s: &str| -> String {
            s.chars()
                .map(|c| match c {
                    c if c.is_ascii_digit() => '9',
                    c if c.is_uppercase() => 'A',
                    c if c.is_alphabetic() => 'a',
                    c => c,
                })
                .collect()
        };
        assert_eq!(
            shape(&a),
            shape("Ada Lovelace <ada.lovelace@acme-labs.example.com>, call 555-0142")
        );
        // A word maps the same wherever it appears: domains still match.
        let email = scramble("tara@globex.example.com");
        let domain = scramble("globex.example.com");
        assert!(email.ends_with(&domain), "{email} / {domain}");
        assert_eq!(scramble(""), "");
        assert_eq!(scramble("Café").chars().count(), 4);
    }
}
