//! The judgement on small scripts against a hand-made schema.

use super::*;
use crate::model::{Pipeline, Property};

fn prop(name: &str, kind: &str, options: &[&str]) -> Property {
    serde_json::from_value(serde_json::json!({
        "name": name, "label": name, "type": kind, "fieldType": "select",
        "groupName": "ticketinformation",
        "options": options.iter().map(|o| serde_json::json!({
            "label": o, "value": o, "hidden": false, "displayOrder": 0,
        })).collect::<Vec<_>>(),
    }))
    .unwrap()
}

fn pipeline(id: &str, label: &str, stages: &[(&str, &str)]) -> Pipeline {
    serde_json::from_value(serde_json::json!({
        "id": id, "label": label, "displayOrder": 0, "archived": false,
        "createdAt": "2026-01-01T00:00:00.000Z", "updatedAt": "2026-01-01T00:00:00.000Z",
        "stages": stages.iter().map(|(id, label)| serde_json::json!({
            "id": id, "label": label, "displayOrder": 0, "archived": false,
            "metadata": {"ticketState": "OPEN"},
            "createdAt": "2026-01-01T00:00:00.000Z", "updatedAt": "2026-01-01T00:00:00.000Z",
        })).collect::<Vec<_>>(),
    }))
    .unwrap()
}

fn read_only(mut p: Property) -> Property {
    p.modification_metadata = Some(crate::model::ModificationMetadata {
        archivable: false,
        read_only_definition: true,
        read_only_value: true,
        read_only_options: None,
    });
    p
}

fn facts() -> SchemaFacts {
    SchemaFacts {
        tickets: vec![
            prop("subject", "string", &[]),
            read_only(prop("createdate", "datetime", &[])),
            prop("due", "datetime", &[]),
            prop("tags", "enumeration", &["vip", "beta"]),
            prop(
                "hs_ticket_priority",
                "enumeration",
                &["LOW", "MEDIUM", "HIGH"],
            ),
            prop("hs_pipeline", "enumeration", &["0", "77"]),
            prop(
                "hs_pipeline_stage",
                "enumeration",
                &["1", "2", "101", "102"],
            ),
            prop("hubspot_owner_id", "enumeration", &["52550153"]),
        ],
        companies: Some(vec![
            prop("name", "string", &[]),
            prop("tier", "enumeration", &["gold"]),
        ]),
        contacts: None,
        pipelines: vec![
            pipeline(
                "0",
                "Support Pipeline",
                &[("1", "New"), ("2", "Waiting on contact")],
            ),
            pipeline("77", "Tier 2", &[("101", "Triage"), ("102", "Escalated")]),
        ],
        owners: Some(vec!["52550153".into()]),
        notes: Vec::new(),
    }
}

/// `(severity, line, column, message)` of each finding.
fn judge(src: &str) -> Vec<(Severity, usize, usize, String)> {
    let mut engine = rhai::Engine::new_raw();
    engine.set_optimization_level(rhai::OptimizationLevel::None);
    let ast = engine.compile(src).unwrap();
    schema_findings(&ast, &facts())
        .into_iter()
        .map(|f| {
            (
                f.severity,
                f.pos.line().unwrap_or(0),
                f.pos.position().unwrap_or(0),
                f.message,
            )
        })
        .collect()
}

#[test]
fn a_misspelled_property_in_a_write_is_an_error_at_its_key() {
    let found = judge(
        "let id = \"1\";\ntickets::update(id, #{ hs_ticket_priorty: \"HIGH\", subject: id });",
    );
    assert_eq!(found.len(), 1, "{found:?}");
    let (sev, line, col, msg) = &found[0];
    assert_eq!((*sev, *line, *col), (Severity::Error, 2, 24));
    assert_eq!(
        msg,
        "tickets have no property `hs_ticket_priorty` (did you mean `hs_ticket_priority`?)"
    );
    // create, create_many (bare maps and #{ properties }), update_many and upsert_many too.
    let src = "tickets::create(#{ subjct: \"x\" });\n\
               tickets::create_many([#{ subjct: \"x\" }, #{ properties: #{ subjct: \"y\" } }]);\n\
               tickets::update_many([#{ id: \"1\", properties: #{ subjct: \"z\" } }]);\n\
               tickets::upsert_many([#{ id: \"a\", idProperty: \"subject\", properties: #{ subjct: \"z\" } }]);";
    let found = judge(src);
    assert_eq!(found.len(), 5, "{found:?}");
    assert!(found
        .iter()
        .all(|f| f.0 == Severity::Error && f.3.contains("`subjct`")));
}

#[test]
fn a_written_option_in_the_wrong_case_is_an_error_and_a_searched_one_a_warning() {
    let found = judge("tickets::update(\"1\", #{ hs_ticket_priority: \"high\" });");
    assert_eq!(found.len(), 1, "{found:?}");
    assert_eq!(found[0].0, Severity::Error);
    assert_eq!(found[0].2, 45, "the caret is under the value");
    assert!(found[0].3.ends_with("(did you mean `HIGH`?)"), "{found:?}");
    let found =
        judge("for t in tickets::search(#{ hs_ticket_priority: [\"HIGH\", \"urgent-ish\"] }) {}");
    assert_eq!(found.len(), 1, "{found:?}");
    assert_eq!(found[0].0, Severity::Warning);
    assert!(
        found[0].3.contains("its options: LOW, MEDIUM, HIGH"),
        "{found:?}"
    );
    assert!(
        found[0].3.ends_with("this filter matches nothing"),
        "{found:?}"
    );
}

#[test]
fn search_bodies_options_and_sorts_are_judged() {
    let src = r#"tickets::search(#{
    filterGroups: [#{ filters: [
        #{ propertyName: "hs_ticket_priorty", operator: "EQ", value: "HIGH" },
        #{ propertyName: "hs_ticket_priority", operator: "IN", values: ["LOW", "hihg"] },
    ] }],
    sorts: [#{ propertyName: "createdat", direction: "DESCENDING" }],
    properties: ["subject", "hs_ticket_prio"],
});
tickets::search(#{ subject: "x" }, #{ sorts: ["-createdat"], properties: ["subjet"] });
tickets::get("1", #{ properties: ["subjct"] });
tickets::search("free text hs_nothing");"#;
    let found = judge(src);
    let summary: Vec<(Severity, usize)> = found.iter().map(|f| (f.0, f.1)).collect();
    assert_eq!(
        summary,
        [
            (Severity::Error, 3),
            (Severity::Warning, 4),
            (Severity::Error, 6),
            (Severity::Warning, 7),
            (Severity::Error, 9),
            (Severity::Warning, 9),
            (Severity::Warning, 10),
        ],
        "{found:#?}"
    );
    assert!(
        found[2].3.contains("(did you mean `createdate`?)"),
        "{found:?}"
    );
    assert!(
        found[3].3.ends_with(": the records read will not have it"),
        "{found:?}"
    );
}

#[test]
fn pipelines_stages_and_owners_must_exist() {
    let src = r#"tickets::update("1", #{ hs_pipeline_stage: "99" });
tickets::update("1", #{ hs_pipeline: "77", hs_pipeline_stage: "2" });
tickets::update("1", #{ hs_pipeline: "Tier 2", hs_pipeline_stage: "Escalated" });
tickets::update("1", #{ hubspot_owner_id: "123", hs_pipeline: "77", hs_pipeline_stage: "102" });
tickets::update("1", #{ hubspot_owner_id: "52550153", subject: "" });
let s = pipelines::stage_id("Tier 2", "Escalatd");
let p = pipelines::get("Tier 3");
let o = owners::get("42");
let c = pipelines::is_closed("102");
tasks::create("1", #{ subject: "call back", owner: "52550153" });"#;
    let found = judge(src);
    let msgs: Vec<String> = found.iter().map(|f| format!("{}: {}", f.1, f.3)).collect();
    assert_eq!(found.len(), 8, "{msgs:#?}");
    assert!(found.iter().all(|f| f.0 == Severity::Error));
    assert_eq!(
        msgs[0],
        "1: no ticket pipeline has a stage with id `99` (pipelines::list() shows them)"
    );
    assert_eq!(
        msgs[1],
        "2: stage `2` belongs to pipeline `Support Pipeline` (0), not to `Tier 2` (77) set in the same map; its stages: Triage (101), Escalated (102)"
    );
    assert_eq!(
        msgs[2],
        "3: `Tier 2` is the label of a pipeline; hs_pipeline takes its id: \"77\""
    );
    assert_eq!(
        msgs[3],
        "3: `Escalated` is the label of a stage of pipeline `Tier 2`; hs_pipeline_stage takes its id: \"102\""
    );
    assert!(msgs[4].starts_with("4: no owner has id `123`"), "{msgs:#?}");
    assert!(
        msgs[5].starts_with("6: pipeline `Tier 2` (77) has no stage `Escalatd` (by id or label) (did you mean `Escalated`?)"),
        "{msgs:#?}"
    );
    assert!(
        msgs[6].starts_with("7: no ticket pipeline `Tier 3`"),
        "{msgs:#?}"
    );
    assert!(msgs[7].starts_with("8: no owner has id `42`"), "{msgs:#?}");
    let task = judge("tasks::create(\"1\", #{ subject: \"x\", owner: \"7\" });");
    assert_eq!(task.len(), 1, "{task:?}");
    assert_eq!((task[0].0, task[0].2), (Severity::Error, 44));
}

#[test]
fn computed_values_and_unlisted_calls_are_skipped() {
    let src = r#"let p = "hs_ticket_priorty";
let v = "high";
tickets::update("1", #{ hs_ticket_priority: v });
tickets::update("1", props());
log::info(#{ hs_nothing: 1 });
tickets::search(#{ hs_ticket_priority: #{ gt: "zzz" } });
fn props() { #{ nope: 1 } }"#;
    assert!(judge(src).is_empty(), "{:?}", judge(src));
}

#[test]
fn what_the_script_creates_is_known() {
    let src = r#"properties::create(#{ name: "escalation_level", type: "enumeration", options: ["tier1"] });
tickets::update("1", #{ escalation_level: "tier1" });
properties::update("hs_ticket_priority", #{ options: ["LOW", "CRITICAL"] });
tickets::update("1", #{ hs_ticket_priority: "CRITICAL" });"#;
    assert!(judge(src).is_empty(), "{:?}", judge(src));
    // A property created under a computed name: unknown names become warnings.
    let src =
        "let n = \"x\";\nproperties::create(#{ name: n });\ntickets::update(\"1\", #{ x: 1 });";
    let found = judge(src);
    assert_eq!(found.len(), 1, "{found:?}");
    assert_eq!(found[0].0, Severity::Warning);
    // A script that creates pipelines may name their labels.
    let src = "pipelines::create(#{ label: \"Tier 3\", stages: [] });\npipelines::stage_id(\"Tier 3\", \"New\");";
    assert!(judge(src).is_empty(), "{:?}", judge(src));
}

#[test]
fn companies_are_judged_with_their_own_definitions_and_unread_types_not_at_all() {
    let found = judge("companies::search(#{ teir: \"gold\" });\ncontacts::search(#{ nope: 1 });");
    assert_eq!(found.len(), 1, "{found:?}");
    assert_eq!(
        found[0].3,
        "companies have no property `teir` (did you mean `tier`?)"
    );
}

#[test]
fn wants_follow_the_modules_called() {
    let ast = rhai::Engine::new_raw()
        .compile("tickets::company(\"1\");\nlet x = 1;")
        .unwrap();
    let w = schema_wants(&ast);
    assert!(w.companies && !w.contacts);
}

#[test]
fn writes_are_judged_by_the_runs_own_write_rules() {
    let mut f = facts();
    f.tickets
        .iter_mut()
        .find(|p| p.name == "tags")
        .unwrap()
        .field_type = "checkbox".into();
    let src = r#"tickets::update("1", #{ createdate: "2026-01-01" });
tickets::update("1", #{ due: "next tuesday" });
tickets::update("1", #{ tags: "vip;beta", hs_pipeline_stage: "" });
tickets::update("1", #{ tags: "vip;gamma" });"#;
    let mut engine = rhai::Engine::new_raw();
    engine.set_optimization_level(rhai::OptimizationLevel::None);
    let ast = engine.compile(src).unwrap();
    let found: Vec<(usize, String)> = schema_findings(&ast, &f)
        .into_iter()
        .inspect(|x| assert_eq!(x.severity, Severity::Error))
        .map(|x| (x.pos.line().unwrap(), x.message))
        .collect();
    assert_eq!(found.len(), 4, "{found:#?}");
    assert!(found[0].1.contains("read only property"), "{found:?}");
    assert!(found[1].1.contains("not a valid datetime"), "{found:?}");
    assert_eq!(
        found[2],
        (3, "hs_pipeline_stage cannot be empty".to_string())
    );
    assert_eq!(found[3].0, 4);
    assert!(
        found[3]
            .1
            .starts_with("gamma was not one of the allowed options"),
        "{found:?}"
    );
}
