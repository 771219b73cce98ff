//! `hubscript sandbox pull [--from URL] [--tickets N] [--anonymize]`: copies a portal into a
//! fresh sandbox. Reads only (never a write call), through the HTTP client and so paced by its
//! rate limiter: the ticket properties, groups, pipelines and owners, and the portal's own
//! properties and groups of companies and contacts; the N most recent tickets
//! (search sorted by `createdate` descending, 200 a page, every property asked for); their
//! contact and company associations (v4 batch read, 100 tickets a call); those companies and
//! contacts (batch reads of 100). Then `Sandbox::import` builds the file atomically.
//!
//! Choices: N is at most 10,000 (HubSpot's search result cap; beyond it "most recent" would
//! need a list of the whole portal); the progress bar is drawn on stderr only when it is a
//! terminal (a redirected stderr gets one line per step); groups are copied when the source
//! serves them (a 404 leaves the sandbox's own).

use std::io::{IsTerminal, Write};
use std::path::PathBuf;
use std::time::Instant;

use crate::backend::{BackendResult, PropertyAnswer, PropertyCall, TicketsBackend};
use crate::model::limits::{SEARCH_PAGE_MAX, SEARCH_RESULT_CAP};
use crate::model::{
    AssociatedId, AssociatedIdPage, BatchInput, BatchReadInput, IdInput, OwnerQuery, Property,
    PropertyGroup, SearchRequest, Sort, SortDirection, Ticket, MAX_BATCH_INPUTS,
};
use crate::sandbox::{anonymize, Sandbox, Snapshot};

use crate::cli::error::{CliError, CliResult};

/// Properties read from companies and contacts (those the sandbox defines for them).
const COMPANY_PROPS: &[&str] = &[
    "name",
    "domain",
    "website",
    "phone",
    "city",
    "country",
    "tier",
    "createdate",
    "hs_lastmodifieddate",
];
const CONTACT_PROPS: &[&str] = &[
    "firstname",
    "lastname",
    "email",
    "phone",
    "jobtitle",
    "company",
    "createdate",
    "lastmodifieddate",
];

/// A progress line on stderr: a bar when stderr is a terminal, else a line per step.
struct Progress {
    tty: bool,
    started: Instant,
}

impl Progress {
    fn new() -> Self {
        Self {
            tty: std::io::stderr().is_terminal(),
            started: Instant::now(),
        }
    }

    fn step(&self, what: &str, done: usize, total: usize) {
        let mut err = std::io::stderr().lock();
        if self.tty {
            let width = 30;
            let filled = (done * width)
                .checked_div(total)
                .unwrap_or(width)
                .min(width);
            let _ = write!(
                err,
                "\r{what:<10} [{}{}] {done}/{total}  {:.1}s ",
                "#".repeat(filled),
                "-".repeat(width - filled),
                self.started.elapsed().as_secs_f64()
            );
            if done >= total {
                let _ = writeln!(err);
            }
        } else if done >= total {
            let _ = writeln!(err, "{what}: {done}/{total}");
        }
    }
}

/// The N most recent tickets with every property.
async fn recent_tickets(
    b: &dyn TicketsBackend,
    properties: Vec<String>,
    n: usize,
    progress: &Progress,
) -> BackendResult<Vec<Ticket>> {
    let mut out = Vec::with_capacity(n);
    let mut after: Option<String> = None;
    while out.len() < n {
        let req = SearchRequest {
            sorts: vec![Sort {
                property_name: "createdate".into(),
                direction: SortDirection::Descending,
            }],
            properties: properties.clone(),
            limit: Some((n - out.len()).min(SEARCH_PAGE_MAX as usize) as u32),
            after: after.clone(),
            ..SearchRequest::default()
        };
        let page = b.search(&req).await?;
        let total = (page.total.max(0) as usize).min(n);
        out.extend(page.results);
        progress.step("tickets", out.len().min(total), total);
        match page.paging.and_then(|p| p.next) {
            Some(next) if out.len() < total => after = Some(next.after),
            _ => break,
        }
    }
    out.truncate(n);
    Ok(out)
}

/// Fills each ticket's `contacts` and `companies` associations (v4 batch read).
async fn associations(
    b: &dyn TicketsBackend,
    tickets: &mut [Ticket],
    progress: &Progress,
) -> BackendResult<()> {
    let total = tickets.len() * 2;
    let mut done = 0;
    for ty in ["contacts", "companies"] {
        for chunk in tickets.chunks_mut(MAX_BATCH_INPUTS) {
            let input = BatchInput::new(chunk.iter().map(|t| IdInput::new(&t.id)).collect());
            let resp = b.batch_read_associations_v4(ty, &input).await?;
            for r in resp.results {
                let Some(t) = chunk.iter_mut().find(|t| t.id == r.from.id) else {
                    continue;
                };
                let mut results = Vec::new();
                for to in r.to {
                    for spec in to.association_types {
                        let kind = crate::model::object_types::assoc_type(spec.type_id)
                            .map_or_else(|| spec.type_id.to_string(), |a| a.name.to_string());
                        results.push(AssociatedId {
                            id: to.to_object_id.clone(),
                            kind,
                        });
                    }
                }
                if !results.is_empty() {
                    t.associations.get_or_insert_with(Default::default).insert(
                        ty.to_string(),
                        AssociatedIdPage {
                            results,
                            paging: None,
                        },
                    );
                }
            }
            done += chunk.len();
            progress.step("links", done, total);
        }
    }
    Ok(())
}

/// The portal's own properties and groups of `ty` (companies, contacts): what is not HubSpot's
/// (`hubspotDefined` false) nor already defined by the sandbox (`tier` of the demo portal); a
/// source without the endpoint (404) has none.
async fn own_schema(
    b: &dyn TicketsBackend,
    ty: &str,
) -> BackendResult<(Vec<Property>, Vec<PropertyGroup>)> {
    let known = crate::sandbox::object_property_names(ty);
    let props = match b.object_properties(ty).await {
        Ok(p) => p,
        Err(e) if e.http_status() == Some(404) => return Ok((Vec::new(), Vec::new())),
        Err(e) => return Err(e),
    };
    let own: Vec<Property> = props
        .into_iter()
        .filter(|p| !p.hubspot_defined && !known.contains(&p.name.as_str()))
        .collect();
    let groups = match b.object_property_call(ty, PropertyCall::Groups).await {
        Ok(PropertyAnswer::Groups(g)) => g,
        Ok(other) => return Err(other.unexpected()),
        Err(e) if e.http_status() == Some(404) => Vec::new(),
        Err(e) => return Err(e),
    };
    let default_group = crate::sandbox::object_group(ty);
    let groups = groups
        .into_iter()
        .filter(|g| g.name != default_group)
        .collect();
    Ok((own, groups))
}

/// The records of `ty` the tickets point at.
async fn targets(
    b: &dyn TicketsBackend,
    tickets: &[Ticket],
    ty: &str,
    props: &[&str],
    progress: &Progress,
) -> BackendResult<Vec<Ticket>> {
    let mut ids: Vec<String> = tickets
        .iter()
        .filter_map(|t| t.associations.as_ref()?.get(ty))
        .flat_map(|p| p.results.iter().map(|a| a.id.clone()))
        .collect();
    ids.sort();
    ids.dedup();
    let mut out = Vec::with_capacity(ids.len());
    for chunk in ids.chunks(MAX_BATCH_INPUTS) {
        let input = BatchReadInput {
            inputs: chunk.iter().map(IdInput::new).collect(),
            properties: props.iter().map(|s| s.to_string()).collect(),
            ..BatchReadInput::default()
        };
        out.extend(b.object_batch_read(ty, &input, false).await?.results);
        progress.step(ty, out.len(), ids.len());
    }
    if ids.is_empty() {
        progress.step(ty, 0, 0);
    }
    Ok(out)
}

/// Reads everything `sandbox pull` copies from `b`.
pub(crate) async fn snapshot(
    b: &dyn TicketsBackend,
    n: usize,
    progress: bool,
) -> BackendResult<Snapshot> {
    let progress_bar = Progress::new();
    let p = if progress { Some(&progress_bar) } else { None };
    let quiet = Progress {
        tty: false,
        started: Instant::now(),
    };
    let progress = p.unwrap_or(&quiet);
    let properties = b.properties().await?;
    let groups = match b.property_groups().await {
        Ok(g) => g,
        Err(e) if e.http_status() == Some(404) => Vec::new(),
        Err(e) => return Err(e),
    };
    let pipelines = b.pipelines().await?;
    let mut owners = Vec::new();
    let mut query = OwnerQuery {
        limit: Some(500),
        ..OwnerQuery::default()
    };
    loop {
        let page = b.owners(&query).await?;
        owners.extend(page.results);
        match page.paging.and_then(|p| p.next) {
            Some(next) => query.after = Some(next.after),
            None => break,
        }
    }
    progress.step("schema", 1, 1);
    let names = properties.iter().map(|p| p.name.clone()).collect();
    let mut tickets = recent_tickets(b, names, n, progress).await?;
    associations(b, &mut tickets, progress).await?;
    let mut object_properties = Vec::new();
    let mut object_groups = Vec::new();
    let mut records = Vec::new();
    for (ty, base) in [("companies", COMPANY_PROPS), ("contacts", CONTACT_PROPS)] {
        let (own, own_groups) = own_schema(b, ty).await?;
        let mut names: Vec<&str> = base.to_vec();
        names.extend(own.iter().map(|p| p.name.as_str()));
        records.push(targets(b, &tickets, ty, &names, progress).await?);
        object_properties.push((ty.to_string(), own));
        object_groups.push((ty.to_string(), own_groups));
    }
    let contacts = records.pop().unwrap_or_default();
    let companies = records.pop().unwrap_or_default();
    Ok(Snapshot {
        properties,
        groups,
        pipelines,
        owners,
        tickets,
        companies,
        contacts,
        object_properties,
        object_groups,
    })
}

/// `hubscript sandbox pull`.
pub(super) async fn pull(
    source: std::sync::Arc<dyn TicketsBackend>,
    target: PathBuf,
    tickets: usize,
    anonymize_text: bool,
) -> CliResult {
    if tickets > SEARCH_RESULT_CAP {
        return Err(CliError::usage(format!(
            "--tickets {tickets}: at most {SEARCH_RESULT_CAP} (HubSpot's search result cap)"
        )));
    }
    let started = Instant::now();
    eprintln!(
        "hubscript: pulling from {} into {}",
        source.describe(),
        target.display()
    );
    let stats = std::sync::Arc::new(crate::backend::CallStats::default());
    let counted = crate::backend::Counted::new(source.clone(), stats.clone());
    let mut snap = snapshot(&counted, tickets, true)
        .await
        .map_err(CliError::failed)?;
    let calls = stats.snapshot();
    if anonymize_text {
        anonymize(&mut snap);
    }
    Sandbox::import(&target, &snap).map_err(CliError::failed)?;
    println!(
        "sandbox {} pulled from {}: {} properties, {} pipelines, {} owners, {} tickets, {} companies, {} contacts{}, {} API calls ({} retries, {} rate-limit waits) in {:.1}s",
        target.display(),
        source.describe(),
        snap.properties.len(),
        snap.pipelines.len(),
        snap.owners.len(),
        snap.tickets.len(),
        snap.companies.len(),
        snap.contacts.len(),
        if anonymize_text { " (anonymized)" } else { "" },
        calls.calls(),
        calls.retries,
        calls.rate_limit_waits,
        started.elapsed().as_secs_f64()
    );
    Ok(())
}
