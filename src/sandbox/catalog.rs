//! The runtime view of a sandbox's definitions, one catalog per stored object type (tickets;
//! contacts, companies, notes and tasks, whose definitions are fixed in `object_defs`): which properties exist, their value kinds, the
//! SQL column each one lives in, the property groups, the pipelines and the owners. Loaded from
//! the definition tables at open and again after every schema write (the store swaps in the
//! new catalog; see `store::Inner`); each carries the schema revision it was loaded at. Holds
//! no connection.
//!
//! The options of `hs_pipeline`, `hs_pipeline_stage` and `hubspot_owner_id` are not stored:
//! they are derived here from the pipelines and the active owners, so they always list what
//! exists. An archived property is invisible to lookups ([`Catalog::prop`]): writes, reads and
//! searches treat it as unknown, as HubSpot does; its column and values stay.

use std::collections::HashMap;

use super::object_defs::{ObjectMeta, TICKETS};
use crate::model::write_rules::PropertyLookup;
use crate::model::{
    AssociationLabel, Owner, Pipeline, PipelineStage, Property, PropertyGroup, PropertyOption,
};

/// How a property's values are read (HubSpot's rule, in the model) and so stored and compared:
/// free text is TEXT with case-insensitive EQ, an enumeration TEXT compared exactly (`;`-joined
/// for a multi-select), a number NUMERIC, a date or datetime INTEGER epoch milliseconds, a
/// boolean TEXT `true`/`false`.
pub(super) use crate::model::write_rules::ValueKind as Kind;

/// The SQL column type of a kind.
pub(super) fn sql_type(kind: Kind) -> &'static str {
    match kind {
        Kind::Number => "NUMERIC",
        Kind::DateTime => "INTEGER",
        _ => "TEXT",
    }
}

/// One property with what the store needs to know about it.
#[derive(Debug, Clone)]
pub(crate) struct PropInfo {
    /// The public definition.
    pub def: Property,
    /// Its value kind.
    pub kind: Kind,
    /// Index among the stored columns; `None` for the id aliases (`hs_object_id`, `hs_ticket_id`).
    pub col: Option<usize>,
}

impl PropInfo {
    /// The SQL expression holding the value (the column, or `id`).
    pub(crate) fn sql(&self) -> String {
        match self.col {
            Some(_) => format!("\"{}\"", self.def.name),
            None => "id".to_string(),
        }
    }
}

/// Whether a property is an alias of the record id rather than a stored column.
pub(super) fn is_id_alias(name: &str) -> bool {
    matches!(name, "hs_object_id" | "hs_ticket_id")
}

/// Number of base columns before the property columns in [`Catalog::select_list`].
pub(super) const BASE_COLS: usize = 4;

/// What the definition tables hold, as read by `schema::load_catalog`.
#[derive(Debug, Clone, Default)]
pub(crate) struct Definitions {
    /// Property definitions in position order (archived ones included).
    pub props: Vec<Property>,
    /// Property groups in position order (archived ones included).
    pub groups: Vec<PropertyGroup>,
    /// Pipelines.
    pub pipelines: Vec<Pipeline>,
    /// Owners (archived ones included), by id.
    pub owners: Vec<Owner>,
    /// USER_DEFINED association labels, one per direction.
    pub labels: Vec<AssociationLabel>,
    /// The schema revision the tables were read at.
    pub revision: i64,
    /// How long writes keep their search-lag images, in ms (0: none; see `search_lag`).
    pub search_lag_keep: i64,
    /// The stored property definitions of the other object types, `(object type, definition)`
    /// in position order: custom properties, and HubSpot's own ones changed by the portal.
    pub object_props: Vec<(String, Property)>,
    /// The property groups the portal created on the other object types.
    pub object_groups: Vec<(String, PropertyGroup)>,
}

/// Properties, pipelines and owners of one sandbox.
#[derive(Debug, Clone)]
pub(crate) struct Catalog {
    props: Vec<PropInfo>,
    by_name: HashMap<String, usize>,
    /// Index into `props` of each stored column, in column order.
    stored: Vec<usize>,
    groups: Vec<PropertyGroup>,
    pipelines: Vec<Pipeline>,
    owners: Vec<Owner>,
    labels: Vec<AssociationLabel>,
    /// Ids of the active owners, in id order.
    owner_ids: Vec<String>,
    select_list: String,
    revision: i64,
    search_lag_keep: i64,
    object_props: Vec<(String, Property)>,
    object_groups: Vec<(String, PropertyGroup)>,
    meta: ObjectMeta,
}

/// The options a derived enumeration lists (see the module doc), or `None` for a stored one.
fn derived_options(
    name: &str,
    pipelines: &[Pipeline],
    owners: &[Owner],
) -> Option<Vec<PropertyOption>> {
    let option = |label: String, value: String, description, order| PropertyOption {
        label,
        value,
        hidden: false,
        description,
        display_order: order,
    };
    let mut sorted: Vec<&Pipeline> = pipelines.iter().collect();
    sorted.sort_by_key(|p| (p.display_order, p.id.clone()));
    match name {
        "hs_pipeline" => Some(
            sorted
                .iter()
                .map(|p| option(p.label.clone(), p.id.clone(), None, p.display_order))
                .collect(),
        ),
        "hs_pipeline_stage" => Some(
            sorted
                .iter()
                .flat_map(|p| {
                    let mut stages: Vec<&PipelineStage> = p.stages.iter().collect();
                    stages.sort_by_key(|s| s.display_order);
                    stages
                        .into_iter()
                        .map(|s| option(s.label.clone(), s.id.clone(), None, s.display_order))
                        .collect::<Vec<_>>()
                })
                .collect(),
        ),
        "hubspot_owner_id" => Some(
            owners
                .iter()
                .filter(|o| !o.archived)
                .enumerate()
                .map(|(i, o)| option(o.display_name(), o.id.clone(), o.email.clone(), i as i32))
                .collect(),
        ),
        _ => None,
    }
}

impl Catalog {
    /// Builds the tickets catalog from definitions.
    pub(crate) fn new(d: Definitions) -> Self {
        Catalog::of(TICKETS, d)
    }

    /// The catalog of another stored object type (its definitions carry the owners, for the
    /// options of its `hubspot_owner_id`, and no pipelines).
    pub(crate) fn object(meta: ObjectMeta, d: Definitions) -> Self {
        Catalog::of(meta, d)
    }

    fn of(meta: ObjectMeta, d: Definitions) -> Self {
        let Definitions {
            props: defs,
            groups,
            mut pipelines,
            owners,
            labels,
            revision,
            search_lag_keep,
            object_props,
            object_groups,
        } = d;
        pipelines.sort_by(|a, b| {
            (a.display_order, a.id.len(), &a.id).cmp(&(b.display_order, b.id.len(), &b.id))
        });
        let mut props = Vec::with_capacity(defs.len());
        let mut stored = Vec::new();
        let mut by_name = HashMap::new();
        for mut def in defs {
            if let Some(options) = derived_options(&def.name, &pipelines, &owners) {
                def.options = options;
            }
            let kind = Kind::of(&def);
            let col = if is_id_alias(&def.name) {
                None
            } else {
                stored.push(props.len());
                Some(stored.len() - 1)
            };
            by_name.insert(def.name.clone(), props.len());
            props.push(PropInfo { def, kind, col });
        }
        let mut select_list = "id, archived, archived_at, merged_into".to_string();
        for &i in &stored {
            select_list.push_str(", \"");
            select_list.push_str(&props[i].def.name);
            select_list.push('"');
        }
        let owner_ids = owners
            .iter()
            .filter(|o| !o.archived)
            .map(|o| o.id.clone())
            .collect();
        Catalog {
            props,
            by_name,
            stored,
            groups,
            pipelines,
            owners,
            labels,
            owner_ids,
            select_list,
            revision,
            search_lag_keep,
            object_props,
            object_groups,
            meta,
        }
    }

    /// Which object type this catalog describes (its table, time properties, defaults).
    pub(crate) fn meta(&self) -> &ObjectMeta {
        &self.meta
    }

    /// The table of its records (`tickets`, `companies`, ...).
    pub(crate) fn table(&self) -> &'static str {
        self.meta.table
    }

    /// Whether this is the tickets catalog (pipelines, history, merges, full-text index).
    pub(crate) fn is_tickets(&self) -> bool {
        self.meta.table == TICKETS.table
    }

    /// The schema revision this catalog was loaded at.
    pub(crate) fn revision(&self) -> i64 {
        self.revision
    }

    /// How long writes keep the images search reads during a lag, in ms (0: the file records
    /// none; see `search_lag`).
    pub(crate) fn search_lag_keep(&self) -> i64 {
        self.search_lag_keep
    }

    /// The stored property definitions of another object type (from the tickets catalog,
    /// which carries them for `schema::object_catalogs`).
    pub(crate) fn object_props(&self, table: &str) -> impl Iterator<Item = &Property> {
        let table = table.to_string();
        self.object_props
            .iter()
            .filter(move |(t, _)| *t == table)
            .map(|(_, p)| p)
    }

    /// The property groups the portal created on another object type.
    pub(crate) fn object_groups(&self, table: &str) -> impl Iterator<Item = &PropertyGroup> {
        let table = table.to_string();
        self.object_groups
            .iter()
            .filter(move |(t, _)| *t == table)
            .map(|(_, g)| g)
    }

    /// A property by name, unless archived.
    pub(crate) fn prop(&self, name: &str) -> Option<&PropInfo> {
        self.prop_any(name).filter(|p| !p.def.archived)
    }

    /// A property by name, archived or not.
    pub(crate) fn prop_any(&self, name: &str) -> Option<&PropInfo> {
        self.by_name.get(name).map(|&i| &self.props[i])
    }

    /// Every property (archived ones included), in display order.
    pub(crate) fn props(&self) -> impl Iterator<Item = &PropInfo> {
        self.props.iter()
    }

    /// Every property group (archived ones included), in display order.
    pub(crate) fn groups(&self) -> &[PropertyGroup] {
        &self.groups
    }

    /// The USER_DEFINED association labels, one per direction.
    pub(crate) fn labels(&self) -> &[AssociationLabel] {
        &self.labels
    }

    /// Every owner (archived ones included), by id.
    pub(crate) fn owner_records(&self) -> &[Owner] {
        &self.owners
    }

    /// The stored columns in `select_list` order (after the base columns).
    pub(crate) fn stored(&self) -> impl Iterator<Item = &PropInfo> {
        self.stored.iter().map(|&i| &self.props[i])
    }

    /// The column index of a stored property.
    pub(crate) fn col(&self, name: &str) -> Option<usize> {
        self.prop(name).and_then(|p| p.col)
    }

    /// Number of stored property columns.
    pub(crate) fn stored_len(&self) -> usize {
        self.stored.len()
    }

    /// `id, archived, archived_at, merged_into, "subject", ...`.
    pub(crate) fn select_list(&self) -> &str {
        &self.select_list
    }

    /// All pipelines.
    pub(crate) fn pipelines(&self) -> &[Pipeline] {
        &self.pipelines
    }

    /// A pipeline by id.
    pub(crate) fn pipeline(&self, id: &str) -> Option<&Pipeline> {
        self.pipelines.iter().find(|p| p.id == id)
    }

    /// The stage `stage` of pipeline `pipeline`.
    pub(crate) fn stage(&self, pipeline: &str, stage: &str) -> Option<&PipelineStage> {
        self.pipeline(pipeline).and_then(|p| p.stage(stage))
    }

    /// The ids of the active owners.
    pub(crate) fn owners(&self) -> &[String] {
        &self.owner_ids
    }
}

impl PropertyLookup for Catalog {
    fn property(&self, name: &str) -> Option<&Property> {
        self.prop(name).map(|p| &p.def)
    }
}
