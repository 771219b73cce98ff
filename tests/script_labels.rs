//! `tickets::associate` and `tickets::dissociate` with a portal label (issue 12): named by its
//! text or type id, planned by a dry run, applied after the script, undone like any association
//! write; an unknown label is refused by the dry run with the answer the sandbox gives the real
//! write (one rule, `model::check_pair_type`).

use hubscript::backend::TicketsBackend;
use hubscript::model::{
    AssociationCategory, AssociationLabelCreate, AssociationSpec, CreateInput, InputProperties,
};
use hubscript::sandbox::Sandbox;

use crate::run_record::json_of;
use crate::util::bin::{stderr, stdout, Project};

/// A fresh sandbox `s.db` with a label tickets → companies, a ticket and a company.
struct Setup {
    p: Project,
    rt: tokio::runtime::Runtime,
    label: i32,
    ticket: String,
    company: String,
}

impl Setup {
    fn new() -> Self {
        let p = Project::new();
        let reset = p.run(&["sandbox", "reset", "--tickets", "5", "--sandbox", "s.db"]);
        assert!(reset.status.success(), "{}", stderr(&reset));
        let rt = tokio::runtime::Runtime::new().unwrap();
        let sb = Sandbox::open(&p.path().join("s.db")).unwrap();
        let (label, ticket, company) = rt.block_on(async {
            let created = sb
                .create_association_label(
                    "tickets",
                    "companies",
                    &AssociationLabelCreate {
                        name: "billing_account".into(),
                        label: "Billing account".into(),
                        inverse_label: Some("Billed ticket".into()),
                    },
                )
                .await
                .unwrap();
            let input = |k: &str, v: &str| CreateInput {
                properties: InputProperties::new().with(k, v),
                associations: vec![],
            };
            let t = sb.create(&input("subject", "labelled")).await.unwrap();
            let c = sb
                .object_create("companies", &input("name", "Acme"))
                .await
                .unwrap();
            (created[0].type_id, t.id, c.id)
        });
        Self {
            p,
            rt,
            label,
            ticket,
            company,
        }
    }

    /// `(category, type id)` of every association between the ticket and the company.
    fn types(&self) -> Vec<(AssociationCategory, i32)> {
        let sb = Sandbox::open(&self.p.path().join("s.db")).unwrap();
        let page = self
            .rt
            .block_on(sb.associations_v4(&self.ticket, "companies", None, None))
            .unwrap();
        let mut out: Vec<(AssociationCategory, i32)> = page
            .results
            .iter()
            .filter(|r| r.to_object_id == self.company)
            .flat_map(|r| r.association_types.iter().map(|t| (t.category, t.type_id)))
            .collect();
        out.sort_by_key(|(_, id)| *id);
        out
    }

    fn script(&self, name: &str, body: &str, extra: &[&str]) -> std::process::Output {
        let text = body
            .replace("TICKET", &self.ticket)
            .replace("COMPANY", &self.company);
        let file = self.p.file(name, &text);
        let mut args = vec!["run", file.to_str().unwrap(), "--sandbox", "s.db"];
        args.extend_from_slice(extra);
        self.p.run(&args)
    }
}

const UNLABELLED: (AssociationCategory, i32) = (AssociationCategory::HubspotDefined, 339);

#[test]
fn a_label_is_associated_by_text_planned_applied_and_undone() {
    let s = Setup::new();
    let script = r#"tickets::associate("TICKET", "companies", "COMPANY", "billing ACCOUNT");"#;
    // Dry run: planned with the label's id, nothing written.
    let o = s.script("label.rhai", script, &["--dry-run"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let dry = json_of(&s.p, &["runs", "show", "1", "--json"]);
    assert_eq!(dry["changes"][0]["action"], "associate", "{dry}");
    assert_eq!(dry["changes"][0]["type_id"], s.label.to_string().as_str());
    assert!(s.types().is_empty(), "a dry run associates nothing");

    // The real run: the label beside the unlabelled type.
    let o = s.script("label.rhai", script, &[]);
    assert!(o.status.success(), "{}\n{}", stderr(&o), stdout(&o));
    let labelled = (AssociationCategory::UserDefined, s.label);
    assert_eq!(s.types(), [UNLABELLED, labelled]);
    let run = json_of(&s.p, &["runs", "show", "2", "--json"]);
    assert_eq!(
        run["changes"][0]["type_id"],
        s.label.to_string().as_str(),
        "{run}"
    );

    // Undo removes the label (the unlabelled type the label brought is not in the record).
    let o = s.p.run(&["undo", "2", "--sandbox", "s.db"]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert_eq!(s.types(), [UNLABELLED]);

    // By type id, sent when made, and dissociated by text (planned, then applied).
    let by_id = format!(
        "//! apply = \"immediate\"\nlet t = tickets::associate(\"TICKET\", \"companies\", \"COMPANY\", {});\nprint(`listed ${{t.associations.companies.results.len()}}`);",
        s.label
    );
    let o = s.script("by_id.rhai", &by_id, &[]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert_eq!(s.types(), [UNLABELLED, labelled]);
    let out = format!("{}{}", stdout(&o), stderr(&o));
    assert!(
        out.contains("listed 2"),
        "the ticket comes back with both types: {out}"
    );
    let o = s.script(
        "off.rhai",
        r#"tickets::dissociate("TICKET", "companies", "COMPANY", "Billing account");"#,
        &[],
    );
    assert!(o.status.success(), "{}", stderr(&o));
    assert_eq!(s.types(), [UNLABELLED]);
}

/// The verdict lines of the unknown-label script (`header`: its first lines).
fn verdicts(s: &Setup, header: &str, extra: &[&str]) -> Vec<String> {
    let script = header.to_string()
        + r#"
for key in ["Partner", 987654] {
    try {
        tickets::associate("TICKET", "companies", "COMPANY", key);
        print(`verdict| ${key} => ok`);
    } catch (e) {
        print(`verdict| ${key} => ${e.status} ${e.category} ${e.message}`);
    }
}
"#;
    let o = s.script("unknown.rhai", &script, extra);
    assert!(o.status.success(), "{}", stderr(&o));
    let both = format!("{}\n{}", stdout(&o), stderr(&o));
    both.lines()
        .filter_map(|l| l.split_once("verdict| ").map(|(_, v)| v.to_string()))
        .collect()
}

#[test]
fn an_unknown_label_is_refused_by_the_dry_run_as_by_the_real_write() {
    let s = Setup::new();
    let dry = verdicts(&s, "", &["--dry-run"]);
    // Each write sent when made: the real call's verdict.
    let real = verdicts(&s, "//! apply = \"immediate\"\n", &[]);
    assert_eq!(dry.len(), 2, "{dry:?}");
    assert_eq!(dry, real);
    assert!(
        dry[0].starts_with("Partner => 400 VALIDATION_ERROR no association label Partner from tickets to companies")
            && dry[0].contains("Billing account"),
        "{dry:?}"
    );
    // The sandbox's own answer to the same write, through its API.
    let sb = Sandbox::open(&s.p.path().join("s.db")).unwrap();
    let spec = AssociationSpec {
        association_category: AssociationCategory::UserDefined,
        association_type_id: 987_654,
    };
    let err =
        s.rt.block_on(sb.associate_v4(&s.ticket, "companies", &s.company, &[spec]))
            .unwrap_err();
    let api = err.api().expect("an API error");
    assert_eq!(
        dry[1],
        format!(
            "987654 => {} {} {}",
            api.http_status, api.category, api.message
        )
    );
    assert!(s.types().is_empty());
}

/// A dry `tickets::create` with a portal label inline: a known label passes, an unknown one is
/// refused with the real create's answer (the dry run used to accept it; the real create refused
/// it). Both runs give the same verdicts, and the sandbox's own answer is the same message.
#[test]
fn an_inline_label_on_a_create_is_judged_by_the_dry_run_as_by_the_real_create() {
    let s = Setup::new();
    let verdicts = |header: &str, extra: &[&str]| {
        let body = r#"
for id in [LABEL, 987654] {
    try {
        tickets::create(#{ subject: "inline" }, [#{ to: #{ id: "COMPANY" },
            types: [#{ associationCategory: "USER_DEFINED", associationTypeId: id }] }]);
        print(`verdict| ${id} => ok`);
    } catch (e) {
        print(`verdict| ${id} => ${e.status} ${e.category} ${e.message}`);
    }
}
"#
        .replace("LABEL", &s.label.to_string());
        let o = s.script("inline.rhai", &format!("{header}{body}"), extra);
        assert!(o.status.success(), "{}", stderr(&o));
        let both = format!("{}\n{}", stdout(&o), stderr(&o));
        both.lines()
            .filter_map(|l| l.split_once("verdict| ").map(|(_, v)| v.to_string()))
            .collect::<Vec<_>>()
    };
    let dry = verdicts("", &["--dry-run"]);
    let real = verdicts("//! apply = \"immediate\"\n", &[]);
    assert_eq!(dry, real);
    assert_eq!(dry.len(), 2, "{dry:?}");
    assert_eq!(dry[0], format!("{} => ok", s.label));
    // The sandbox's own answer to the same create, through its API.
    let sb = Sandbox::open(&s.p.path().join("s.db")).unwrap();
    let input = CreateInput {
        properties: InputProperties::new().with("subject", "inline"),
        associations: vec![hubscript::model::AssociationInput {
            to: hubscript::model::ObjectIdRef {
                id: s.company.clone(),
            },
            types: vec![AssociationSpec {
                association_category: AssociationCategory::UserDefined,
                association_type_id: 987_654,
            }],
        }],
    };
    let err = s.rt.block_on(sb.create(&input)).unwrap_err();
    let api = err.api().expect("an API error");
    assert_eq!(
        dry[1],
        format!(
            "987654 => {} {} {}",
            api.http_status, api.category, api.message
        )
    );
}
