//! Which argument of which API call holds something the schema can judge, declared once per
//! overload: a property map written to tickets, a search body, read options with a
//! `properties` list, a pipeline, a stage, an owner, a property name. Calls not listed here
//! (and arguments marked [`Arg::Skip`]) are not judged.

/// The object type whose property definitions apply.
pub(super) type Object = &'static str;

/// What one argument holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Arg {
    /// Nothing the schema judges (an id, associations, a label to create).
    Skip,
    /// A map of property values written to records of the type.
    Write(Object),
    /// An array of writes: each item `#{ properties: .. }`, or (when `true`) a bare property
    /// map as `create_many` takes.
    WriteItems(Object, bool),
    /// `search(x)`: HubSpot's search body, the terse form, or a full-text string.
    Search(Object),
    /// The terse form's filters (`search(filters, options)`).
    Terse(Object),
    /// Read or search options: `properties`, `propertiesWithHistory`, `sorts`.
    Options(Object),
    /// A ticket pipeline by id or label.
    Pipeline,
    /// A stage, by id or label, of the pipeline given as argument N.
    Stage(usize),
    /// A stage id of any ticket pipeline.
    AnyStage,
    /// An owner id.
    Owner,
    /// A task map (`tasks::create`), whose `owner` is an owner id.
    TaskOwner,
    /// A ticket property's name, which must exist.
    PropertyName,
}

use Arg::{
    AnyStage, Options, Owner, Pipeline, PropertyName, Search, Skip, Stage, TaskOwner, Terse, Write,
    WriteItems,
};

const T: Object = "tickets";
const CO: Object = "companies";
const CT: Object = "contacts";

/// `(module, function, arguments)`: one row per overload judged.
pub(super) const ROLES: &[(&str, &str, &[Arg])] = &[
    ("tickets", "create", &[Write(T)]),
    ("tickets", "create", &[Write(T), Skip]),
    ("tickets", "update", &[Skip, Write(T)]),
    ("tickets", "create_many", &[WriteItems(T, true)]),
    ("tickets", "update_many", &[WriteItems(T, false)]),
    ("tickets", "upsert_many", &[WriteItems(T, false)]),
    ("tickets", "search", &[Search(T)]),
    ("tickets", "search", &[Terse(T), Options(T)]),
    ("tickets", "get", &[Skip, Options(T)]),
    ("tickets", "list", &[Options(T)]),
    ("tickets", "read_many", &[Skip, Options(T)]),
    ("tickets", "company", &[Skip, Options(CO)]),
    ("tickets", "contacts", &[Skip, Options(CT)]),
    ("companies", "get", &[Skip, Options(CO)]),
    ("companies", "read_many", &[Skip, Options(CO)]),
    ("companies", "search", &[Search(CO)]),
    ("companies", "search", &[Terse(CO), Options(CO)]),
    ("contacts", "get", &[Skip, Options(CT)]),
    ("contacts", "read_many", &[Skip, Options(CT)]),
    ("contacts", "search", &[Search(CT)]),
    ("contacts", "search", &[Terse(CT), Options(CT)]),
    ("pipelines", "get", &[Pipeline]),
    ("pipelines", "stage_id", &[Pipeline, Stage(0)]),
    ("pipelines", "stage_label", &[Pipeline, Stage(0)]),
    ("pipelines", "is_closed", &[AnyStage]),
    ("pipelines", "update", &[Pipeline, Skip]),
    ("pipelines", "delete", &[Pipeline]),
    ("pipelines", "create_stage", &[Pipeline, Skip]),
    ("pipelines", "update_stage", &[Pipeline, Stage(0), Skip]),
    ("pipelines", "delete_stage", &[Pipeline, Stage(0)]),
    ("owners", "get", &[Owner]),
    ("tasks", "create", &[Skip, TaskOwner]),
    ("properties", "get", &[PropertyName]),
    ("properties", "update", &[PropertyName, Skip]),
    ("properties", "archive", &[PropertyName]),
];

/// The roles of a call's arguments, when the call is judged.
pub(super) fn roles(module: &str, function: &str, arity: usize) -> Option<&'static [Arg]> {
    ROLES
        .iter()
        .find(|(m, f, args)| *m == module && *f == function && args.len() == arity)
        .map(|(_, _, args)| *args)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_role_names_an_overload_the_api_has() {
        let engine = crate::script::ScriptHost::new(
            std::sync::Arc::new(crate::backend::OfflineBackend),
            crate::state::StateDb::in_memory().unwrap(),
            tokio::runtime::Runtime::new().unwrap().handle().clone(),
        )
        .reference_engine();
        let catalog = crate::script::api::functions(&engine);
        for (m, f, args) in ROLES {
            assert!(
                catalog.iter().any(|i| i.namespace.as_deref() == Some(*m)
                    && i.name == *f
                    && i.params.len() == args.len()),
                "{m}::{f}/{} is not in the API",
                args.len()
            );
        }
    }
}
