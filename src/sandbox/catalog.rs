//! The runtime view of a sandbox's definitions: which properties exist, their value kinds, the
//! SQL column each one lives in, the pipelines and the owners. Loaded once at open from the
//! definition tables (no API writes definitions). Holds no connection.

use std::collections::HashMap;

use crate::model::write_rules::PropertyLookup;
use crate::model::{Pipeline, PipelineStage, Property};

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

/// Properties, pipelines and owners of one sandbox.
#[derive(Debug, Clone)]
pub(crate) struct Catalog {
    props: Vec<PropInfo>,
    by_name: HashMap<String, usize>,
    /// Index into `props` of each stored column, in column order.
    stored: Vec<usize>,
    pipelines: Vec<Pipeline>,
    owners: Vec<String>,
    select_list: String,
}

impl Catalog {
    /// Builds the catalog from definitions.
    pub(crate) fn new(defs: Vec<Property>, pipelines: Vec<Pipeline>, owners: Vec<String>) -> Self {
        let mut props = Vec::with_capacity(defs.len());
        let mut stored = Vec::new();
        let mut by_name = HashMap::new();
        for def in defs {
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
        Catalog {
            props,
            by_name,
            stored,
            pipelines,
            owners,
            select_list,
        }
    }

    /// A property by name.
    pub(crate) fn prop(&self, name: &str) -> Option<&PropInfo> {
        self.by_name.get(name).map(|&i| &self.props[i])
    }

    /// Every property, in display order.
    pub(crate) fn props(&self) -> impl Iterator<Item = &PropInfo> {
        self.props.iter()
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

    /// The owner ids.
    pub(crate) fn owners(&self) -> &[String] {
        &self.owners
    }
}

impl PropertyLookup for Catalog {
    fn property(&self, name: &str) -> Option<&Property> {
        self.prop(name).map(|p| &p.def)
    }
}
