//! The property endpoints of any object type (`/crm/v3/properties/{objectType}[...]`: read
//! all or one, create, update, archive, batch read/create/archive, and the property groups) as
//! one call with one answer, so a backend serves every object type through one trait method
//! ([`super::TicketsBackend::object_property_call`]) and a wrapper forwards one method. The
//! tickets' own methods (`properties`, `create_property`, ...) stay for the callers that only
//! ever mean tickets (scripts, `sandbox pull`).

use crate::model::{
    BatchInput, BatchResponse, Property, PropertyBatchRead, PropertyCreate, PropertyGroup,
    PropertyGroupCreate, PropertyGroupUpdate, PropertyName, PropertyUpdate,
};

use super::{BackendError, BackendResult, TicketsBackend};

/// One call on `/crm/v3/properties/{objectType}`.
#[derive(Debug, Clone)]
pub enum PropertyCall {
    /// `GET /crm/v3/properties/{objectType}[?archived=]`.
    List {
        /// Only the archived ones.
        archived: bool,
    },
    /// `GET /crm/v3/properties/{objectType}/{propertyName}[?archived=]`.
    Get {
        /// The property.
        name: String,
        /// Look among the archived ones.
        archived: bool,
    },
    /// `POST /crm/v3/properties/{objectType}` (201).
    Create(PropertyCreate),
    /// `PATCH /crm/v3/properties/{objectType}/{propertyName}`.
    Update {
        /// The property.
        name: String,
        /// What changes.
        input: PropertyUpdate,
    },
    /// `DELETE /crm/v3/properties/{objectType}/{propertyName}` (204).
    Archive {
        /// The property.
        name: String,
    },
    /// `POST /crm/v3/properties/{objectType}/batch/read` (207 when some are missing).
    BatchRead(PropertyBatchRead),
    /// `POST /crm/v3/properties/{objectType}/batch/create` (201).
    BatchCreate(BatchInput<PropertyCreate>),
    /// `POST /crm/v3/properties/{objectType}/batch/archive` (204).
    BatchArchive(BatchInput<PropertyName>),
    /// `GET /crm/v3/properties/{objectType}/groups`.
    Groups,
    /// `GET /crm/v3/properties/{objectType}/groups/{groupName}`.
    Group {
        /// The group.
        name: String,
    },
    /// `POST /crm/v3/properties/{objectType}/groups` (201).
    CreateGroup(PropertyGroupCreate),
    /// `PATCH /crm/v3/properties/{objectType}/groups/{groupName}`.
    UpdateGroup {
        /// The group.
        name: String,
        /// What changes.
        input: PropertyGroupUpdate,
    },
    /// `DELETE /crm/v3/properties/{objectType}/groups/{groupName}` (204).
    ArchiveGroup {
        /// The group.
        name: String,
    },
}

impl PropertyCall {
    /// Whether the call changes the schema (batch read is a read, as its name says).
    pub fn is_write(&self) -> bool {
        !matches!(
            self,
            PropertyCall::List { .. }
                | PropertyCall::Get { .. }
                | PropertyCall::BatchRead(_)
                | PropertyCall::Groups
                | PropertyCall::Group { .. }
        )
    }
}

/// What a [`PropertyCall`] answers.
#[derive(Debug, Clone)]
pub enum PropertyAnswer {
    /// Properties (list).
    Properties(Vec<Property>),
    /// One property (get, create, update).
    Property(Property),
    /// A batch of properties (batch read, batch create).
    Batch(BatchResponse<Property>),
    /// Property groups (list).
    Groups(Vec<PropertyGroup>),
    /// One group (get, create, update).
    Group(PropertyGroup),
    /// Nothing (archives: 204).
    Done,
}

impl PropertyAnswer {
    /// The answer was not the kind its call gives: a bug in a backend, answered 500.
    pub fn unexpected(&self) -> BackendError {
        crate::model::ApiError::internal(format!(
            "a property call got the wrong kind of answer: {}",
            match self {
                PropertyAnswer::Properties(_) => "properties",
                PropertyAnswer::Property(_) => "a property",
                PropertyAnswer::Batch(_) => "a batch",
                PropertyAnswer::Groups(_) => "groups",
                PropertyAnswer::Group(_) => "a group",
                PropertyAnswer::Done => "nothing",
            }
        ))
        .into()
    }
}

/// Whether `object_type` names tickets (plural, singular or type id).
pub fn is_tickets(object_type: &str) -> bool {
    crate::model::object_types::object_type(object_type).is_some_and(|o| o.plural == "tickets")
}

/// A ticket property call answered by the backend's tickets methods (the default of
/// [`super::TicketsBackend::object_property_call`] for tickets).
pub(super) async fn on_tickets<B: TicketsBackend + ?Sized>(
    b: &B,
    call: PropertyCall,
) -> BackendResult<PropertyAnswer> {
    use PropertyAnswer as A;
    Ok(match call {
        PropertyCall::List { archived: false } => A::Properties(b.properties().await?),
        PropertyCall::List { archived: true } => A::Properties(b.archived_properties().await?),
        PropertyCall::Get {
            name,
            archived: false,
        } => A::Property(b.property(&name).await?),
        PropertyCall::Get {
            name,
            archived: true,
        } => A::Property(
            b.archived_properties()
                .await?
                .into_iter()
                .find(|p| p.name == name)
                .ok_or_else(|| {
                    BackendError::from(crate::model::ApiError::not_found(format!(
                        "Unable to find property {name} for object type tickets"
                    )))
                })?,
        ),
        PropertyCall::Create(input) => A::Property(b.create_property(&input).await?),
        PropertyCall::Update { name, input } => {
            A::Property(b.update_property(&name, &input).await?)
        }
        PropertyCall::Archive { name } => {
            b.archive_property(&name).await?;
            A::Done
        }
        PropertyCall::BatchRead(input) => A::Batch(b.batch_read_properties(&input).await?),
        PropertyCall::BatchCreate(input) => A::Batch(b.batch_create_properties(&input).await?),
        PropertyCall::BatchArchive(input) => {
            b.batch_archive_properties(&input).await?;
            A::Done
        }
        PropertyCall::Groups => A::Groups(b.property_groups().await?),
        PropertyCall::Group { name } => A::Group(b.property_group(&name).await?),
        PropertyCall::CreateGroup(input) => A::Group(b.create_property_group(&input).await?),
        PropertyCall::UpdateGroup { name, input } => {
            A::Group(b.update_property_group(&name, &input).await?)
        }
        PropertyCall::ArchiveGroup { name } => {
            b.archive_property_group(&name).await?;
            A::Done
        }
    })
}
