//! `/crm/v3/properties/{objectType}[...]` over HTTP for any object type: one
//! [`PropertyCall`] becomes one request. Reads, updates and archives are idempotent; creates
//! are not (a retried create after a timeout could answer 409 for its own first attempt).

use reqwest::Method;
use serde::Deserialize;

use super::client::HubspotClient;
use super::retry::Idempotency::{Idempotent, NonIdempotent};
use super::transport::Call;
use crate::backend::{BackendResult, PropertyAnswer, PropertyCall};

/// `{"results": [...]}` without paging.
#[derive(Deserialize)]
struct Results<T> {
    results: Vec<T>,
}

impl HubspotClient {
    /// Sends `call` for the object type `ty`.
    pub(super) async fn http_property_call(
        &self,
        ty: &str,
        call: PropertyCall,
    ) -> BackendResult<PropertyAnswer> {
        use PropertyAnswer as A;
        let at = |rest: &[&str]| -> Vec<String> {
            ["crm", "v3", "properties", ty]
                .iter()
                .chain(rest)
                .map(|s| s.to_string())
                .collect()
        };
        let call_at = |method, rest: &[&str], idem| {
            let p = at(rest);
            let segments: Vec<&str> = p.iter().map(String::as_str).collect();
            Call::new(method, &segments, idem)
        };
        let archived = |a: bool| if a { "true" } else { "false" };
        Ok(match call {
            PropertyCall::List { archived: a } => {
                let c = call_at(Method::GET, &[], Idempotent).query("archived", archived(a));
                A::Properties(self.fetch::<Results<_>>(c).await?.results)
            }
            PropertyCall::Get { name, archived: a } => {
                let c = call_at(Method::GET, &[&name], Idempotent).query("archived", archived(a));
                A::Property(self.fetch(c).await?)
            }
            PropertyCall::Create(input) => A::Property(
                self.fetch(call_at(Method::POST, &[], NonIdempotent).json(&input))
                    .await?,
            ),
            PropertyCall::Update { name, input } => A::Property(
                self.fetch(call_at(Method::PATCH, &[&name], Idempotent).json(&input))
                    .await?,
            ),
            PropertyCall::Archive { name } => {
                self.send_empty(call_at(Method::DELETE, &[&name], Idempotent))
                    .await?;
                A::Done
            }
            PropertyCall::BatchRead(input) => A::Batch(
                self.fetch(call_at(Method::POST, &["batch", "read"], Idempotent).json(&input))
                    .await?,
            ),
            PropertyCall::BatchCreate(input) => A::Batch(
                self.fetch(call_at(Method::POST, &["batch", "create"], NonIdempotent).json(&input))
                    .await?,
            ),
            PropertyCall::BatchArchive(input) => {
                self.send_empty(
                    call_at(Method::POST, &["batch", "archive"], Idempotent).json(&input),
                )
                .await?;
                A::Done
            }
            PropertyCall::Groups => A::Groups(
                self.fetch::<Results<_>>(call_at(Method::GET, &["groups"], Idempotent))
                    .await?
                    .results,
            ),
            PropertyCall::Group { name } => A::Group(
                self.fetch(call_at(Method::GET, &["groups", &name], Idempotent))
                    .await?,
            ),
            PropertyCall::CreateGroup(input) => A::Group(
                self.fetch(call_at(Method::POST, &["groups"], NonIdempotent).json(&input))
                    .await?,
            ),
            PropertyCall::UpdateGroup { name, input } => A::Group(
                self.fetch(call_at(Method::PATCH, &["groups", &name], Idempotent).json(&input))
                    .await?,
            ),
            PropertyCall::ArchiveGroup { name } => {
                self.send_empty(call_at(Method::DELETE, &["groups", &name], Idempotent))
                    .await?;
                A::Done
            }
        })
    }
}
