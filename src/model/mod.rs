//! The wire types of HubSpot's CRM Tickets API (v3), shared by the HTTP client, the sandbox and
//! the script layer.
//!
//! These mirror HubSpot's JSON exactly (camelCase names, ids and property values as strings,
//! ISO-8601 timestamps with milliseconds), so a value read from HubSpot, from the sandbox or from
//! a script serialises to the same bytes. This module holds data only: no I/O, no Rhai.

mod association;
mod batch;
mod error;
mod links;
mod params;
mod pipeline;
mod property;
mod search;
mod ticket;
pub mod time;
mod values;

pub use association::{
    AssociatedId, AssociatedIdPage, AssociationBatchItem, AssociationCategory, AssociationInput,
    AssociationSpec, AssociationSpecWithLabel, LabelsBetweenObjectPair,
    MultiAssociatedObjectWithLabel, ObjectIdRef,
};
pub use batch::{
    BatchCreateItem, BatchInput, BatchReadInput, BatchResponse, BatchUpdateItem, IdInput,
    StandardError, MAX_BATCH_INPUTS,
};
pub use error::{ApiError, ErrorCategory, ErrorDetail};
pub use links::{PortalLinks, DEFAULT_APP_URL, TICKET_OBJECT_TYPE};
pub use params::{GetParams, ListParams, DEFAULT_TICKET_PROPERTIES};
pub use pipeline::{Pipeline, PipelineStage};
pub use property::{ModificationMetadata, Property, PropertyOption};
pub use search::{Filter, FilterGroup, Operator, SearchPage, SearchRequest, Sort, SortDirection};
pub use ticket::{
    CreateInput, MergeInput, NextPage, Page, Paging, Ticket, UpdateInput, UpsertResult,
    ValueWithTimestamp,
};
pub use values::{InputProperties, PropertyMap};
