//! HubSpot's CRM Tickets API (v3): its wire types and its rules, shared by the HTTP client, the
//! sandbox, the server and the script layer.
//!
//! The types mirror HubSpot's JSON exactly (camelCase names, ids and property values as
//! strings, ISO-8601 timestamps with milliseconds), so a value read from HubSpot, from the
//! sandbox or from a script serialises to the same bytes. The rules are HubSpot's, written
//! once: which property values a write may carry ([`check_write`]), the numeric limits
//! ([`limits`]) and the object and association types ([`object_types`]). A layer that needs a
//! rule reads it from here rather than restating it. Pure: no I/O, no Rhai.

mod account;
pub mod activity;
mod association;
mod association_label;
mod batch;
mod change;
mod error;
mod event;
mod hints;
pub mod limits;
mod links;
pub mod object_types;
mod owner;
mod params;
mod pipeline;
mod property;
mod schema_input;
pub mod schema_rules;
mod search;
mod ticket;
pub mod time;
mod values;
pub mod webhook;
pub mod write_rules;

pub use account::AccountDetails;
pub use association::{
    AssociatedId, AssociatedIdPage, AssociationBatchItem, AssociationCategory, AssociationInput,
    AssociationSpec, AssociationSpecWithLabel, AssociationsOf, LabelsBetweenObjectPair,
    MultiAssociatedObjectWithLabel, ObjectIdRef,
};
pub use association_label::{
    check_pair_type, find_pair_type, AssociationLabel, AssociationLabelCreate,
    AssociationLabelUpdate,
};
pub use batch::{
    BatchCreateItem, BatchInput, BatchReadInput, BatchResponse, BatchUpdateItem, IdInput,
    StandardError,
};
pub use change::{ChangeAction, TicketChange};
pub use error::{ApiError, ErrorCategory, ErrorDetail};
pub use event::{EventKind, PropertyChange, TicketEvent};
pub use hints::{option_hint, search_hints, unknown_property_of, write_hints};
pub use limits::MAX_BATCH_INPUTS;
pub use links::{PortalLinks, DEFAULT_APP_URL, TICKET_OBJECT_TYPE};
pub use owner::{Owner, OwnerIdProperty, OwnerQuery, OwnerTeam};
pub use params::{GetParams, ListParams, DEFAULT_TICKET_PROPERTIES};
pub use pipeline::{by_id_or_label, Pipeline, PipelineStage};
pub use property::{ModificationMetadata, Property, PropertyGroup, PropertyOption};
pub use schema_input::{
    OptionInput, PipelineInput, PipelinePatch, PropertyBatchRead, PropertyCreate,
    PropertyGroupCreate, PropertyGroupUpdate, PropertyName, PropertyUpdate, StageInput, StagePatch,
};
pub use search::{
    filter_millis, Filter, FilterGroup, Operator, SearchPage, SearchRequest, Sort, SortDirection,
};
pub use ticket::{
    CreateInput, MergeInput, NextPage, Page, Paging, Ticket, UpdateInput, UpsertResult,
    ValueWithTimestamp,
};
pub use values::{InputProperties, PropertyMap};
pub use write_rules::{check_value, check_write, CheckedValue, CheckedWrite};
