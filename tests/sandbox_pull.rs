//! `hubscript sandbox pull`: a portal (a served sandbox with a custom property, a second
//! pipeline and owners) copied into a new sandbox file, then both read back and compared:
//! the schema identical, the most recent tickets identical (property by property, with their
//! contacts and companies), and with `--anonymize` the free text replaced by text of the same
//! shape while everything a rule decides on stays. The portal's own company property (and its
//! group) comes along with its values.

use std::collections::BTreeMap;
use std::path::Path;

use hubscript::backend::{PropertyAnswer, PropertyCall, TicketsBackend};
use hubscript::model::{
    BatchReadInput, GetParams, IdInput, InputProperties, ListParams, OwnerQuery, Pipeline,
    PipelineStage, Property, PropertyGroupCreate, PropertyOption, SearchRequest, Sort,
    SortDirection, Ticket, UpdateInput,
};
use hubscript::sandbox::{scramble, Sandbox, Snapshot};

use crate::util::bin::{stderr, stdout, Project};

const PULLED: usize = 30;

fn custom_property(base: &Property) -> Property {
    let mut p = base.clone();
    p.name = "escalation_level".into();
    p.label = "Escalation level".into();
    p.kind = "enumeration".into();
    p.field_type = "select".into();
    p.hubspot_defined = false;
    p.has_unique_value = false;
    p.calculated = false;
    p.external_options = false;
    p.referenced_object_type = None;
    p.options = ["L1", "L2", "L3"]
        .iter()
        .enumerate()
        .map(|(i, v)| PropertyOption {
            label: (*v).into(),
            value: (*v).into(),
            hidden: false,
            description: None,
            display_order: i as i32,
        })
        .collect();
    p
}

fn second_pipeline(base: &Pipeline) -> Pipeline {
    let mut p = base.clone();
    p.id = "7001".into();
    p.label = "Tier 2".into();
    p.display_order = 1;
    let stage = |id: &str, label: &str, order: i32, closed: bool| {
        let mut s: PipelineStage = base.stages[0].clone();
        s.id = id.into();
        s.label = label.into();
        s.display_order = order;
        s.metadata.insert(
            "ticketState".into(),
            if closed { "CLOSED" } else { "OPEN" }.into(),
        );
        s.metadata.insert("isClosed".into(), closed.to_string());
        s
    };
    p.stages = vec![
        stage("7002", "Escalated", 0, false),
        stage("7003", "Resolved", 1, true),
    ];
    p
}

/// The source portal: a seeded sandbox copied with a custom property and a second pipeline,
/// some tickets moved into it and given an escalation level.
async fn build_source(dir: &Path) {
    let scratch = tempfile::tempdir().unwrap();
    let seeded = crate::util::seeded_sandbox(&scratch, 80);
    let mut properties = seeded.properties().await.unwrap();
    properties.push(custom_property(&properties[0]));
    let mut pipelines = seeded.pipelines().await.unwrap();
    pipelines.push(second_pipeline(&pipelines[0]));
    let owners = seeded.owners(&OwnerQuery::default()).await.unwrap().results;
    let names: Vec<String> = properties.iter().map(|p| p.name.clone()).collect();
    let mut tickets = Vec::new();
    let mut after = None;
    loop {
        let page = seeded
            .list(&ListParams {
                limit: Some(100),
                after: after.clone(),
                properties: names.clone(),
                associations: vec!["contacts".into(), "companies".into()],
                ..ListParams::default()
            })
            .await
            .unwrap();
        tickets.extend(page.results.iter().cloned());
        match page.next_after() {
            Some(a) => after = Some(a.to_string()),
            None => break,
        }
    }
    for (i, t) in tickets.iter_mut().enumerate() {
        if i % 3 == 0 {
            t.properties.insert(
                "escalation_level".into(),
                Some(["L1", "L2", "L3"][i % 9 / 3].into()),
            );
        }
        if i % 4 == 0 {
            t.properties
                .insert("hs_pipeline".into(), Some("7001".into()));
            t.properties
                .insert("hs_pipeline_stage".into(), Some("7002".into()));
        }
    }
    let ids = |ty: &str| -> Vec<IdInput> {
        let mut v: Vec<String> = tickets
            .iter()
            .filter_map(|t| t.associations.as_ref()?.get(ty))
            .flat_map(|p| p.results.iter().map(|a| a.id.clone()))
            .collect();
        v.sort();
        v.dedup();
        v.into_iter().map(IdInput::new).collect()
    };
    let mut records = BTreeMap::new();
    for (ty, props) in [
        (
            "companies",
            vec!["name", "domain", "tier", "city", "country"],
        ),
        (
            "contacts",
            vec!["firstname", "lastname", "email", "jobtitle"],
        ),
    ] {
        let mut out = Vec::new();
        for chunk in ids(ty).chunks(100) {
            let input = BatchReadInput {
                inputs: chunk.to_vec(),
                properties: props.iter().map(|s| s.to_string()).collect(),
                ..BatchReadInput::default()
            };
            out.extend(
                seeded
                    .object_batch_read(ty, &input, false)
                    .await
                    .unwrap()
                    .results,
            );
        }
        records.insert(ty, out);
    }
    let snapshot = Snapshot {
        properties,
        groups: seeded.property_groups().await.unwrap(),
        pipelines,
        owners,
        tickets,
        companies: records.remove("companies").unwrap(),
        contacts: records.remove("contacts").unwrap(),
        object_properties: Vec::new(),
        object_groups: Vec::new(),
    };
    Sandbox::import(&dir.join("s.db"), &snapshot).unwrap();
}

/// A custom company property in a group of its own, with a value on every company: the pull
/// copies both (issue 12).
async fn add_company_region(file: &Path) {
    let sb = Sandbox::open(file).unwrap();
    sb.object_property_call(
        "companies",
        PropertyCall::CreateGroup(PropertyGroupCreate {
            name: "territory".into(),
            label: "Territory".into(),
            display_order: None,
        }),
    )
    .await
    .unwrap();
    let region = serde_json::json!({
        "name": "sales_region", "label": "Sales region", "type": "string",
        "fieldType": "text", "groupName": "territory",
    });
    sb.object_property_call(
        "companies",
        PropertyCall::Create(serde_json::from_value(region).unwrap()),
    )
    .await
    .unwrap();
    let mut after = None;
    loop {
        let page = sb
            .object_list(
                "companies",
                &ListParams {
                    limit: Some(100),
                    after: after.clone(),
                    ..ListParams::default()
                },
            )
            .await
            .unwrap();
        for c in &page.results {
            let value = format!("Region of {}", c.id);
            let input = UpdateInput {
                properties: InputProperties::new().with("sales_region", value.as_str()),
            };
            sb.object_update("companies", &c.id, &input, None)
                .await
                .unwrap();
        }
        match page.next_after() {
            Some(a) => after = Some(a.to_string()),
            None => break,
        }
    }
}

/// The custom company property's definition in `sb`.
async fn region_def(sb: &Sandbox) -> Option<Property> {
    sb.object_properties("companies")
        .await
        .unwrap()
        .into_iter()
        .find(|p| p.name == "sales_region")
}

/// The `n` most recent tickets of a sandbox with every property and their links.
async fn recent(sb: &Sandbox, n: usize) -> Vec<Ticket> {
    let names: Vec<String> = sb
        .properties()
        .await
        .unwrap()
        .into_iter()
        .map(|p| p.name)
        .collect();
    let page = sb
        .search(&SearchRequest {
            sorts: vec![Sort {
                property_name: "createdate".into(),
                direction: SortDirection::Descending,
            }],
            limit: Some(n as u32),
            ..SearchRequest::default()
        })
        .await
        .unwrap();
    let mut out = Vec::new();
    for t in page.results {
        out.push(
            sb.get(
                &t.id,
                &GetParams {
                    properties: names.clone(),
                    associations: vec!["contacts".into(), "companies".into()],
                    ..GetParams::default()
                },
            )
            .await
            .unwrap(),
        );
    }
    out
}

async fn schema(sb: &Sandbox) -> (Vec<Property>, Vec<Pipeline>, usize) {
    (
        sb.properties().await.unwrap(),
        sb.pipelines().await.unwrap(),
        sb.owners(&OwnerQuery::default())
            .await
            .unwrap()
            .results
            .len(),
    )
}

fn pull(p: &Project, url: &str, file: &str, extra: &[&str]) {
    let n = PULLED.to_string();
    let mut args = vec![
        "sandbox",
        "pull",
        "--from",
        url,
        "--tickets",
        &n,
        "--sandbox",
        file,
    ];
    args.extend_from_slice(extra);
    let out = p.run(&args);
    assert!(out.status.success(), "{}\n{}", stdout(&out), stderr(&out));
    assert!(
        stdout(&out).contains(&format!("{PULLED} tickets")),
        "{}",
        stdout(&out)
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pull_copies_schema_tickets_and_their_records() {
    let p = Project::new();
    build_source(p.path()).await;
    add_company_region(&p.path().join("s.db")).await;
    let (mut server, url) = p.serve(&[]);
    pull(&p, &url, "pulled.db", &[]);
    pull(&p, &url, "anon.db", &["--anonymize"]);
    server.terminate(std::time::Duration::from_secs(20));
    let source = Sandbox::open(&p.path().join("s.db")).unwrap();
    let pulled = Sandbox::open(&p.path().join("pulled.db")).unwrap();
    let anon = Sandbox::open(&p.path().join("anon.db")).unwrap();
    // The portal's own company property and its group came along (issue 12), with every
    // pulled company's value (scrambled when anonymized: it is free text).
    let want_region = region_def(&source)
        .await
        .expect("the source's custom property");
    let region = |sb: &Sandbox, id: String| {
        let sb = sb.clone();
        async move {
            sb.object_get(
                "companies",
                &id,
                &GetParams {
                    properties: vec!["sales_region".into()],
                    ..GetParams::default()
                },
            )
            .await
            .unwrap()
            .prop("sales_region")
            .map(String::from)
        }
    };
    for copy in [&pulled, &anon] {
        assert_eq!(region_def(copy).await.as_ref(), Some(&want_region));
        match copy
            .object_property_call("companies", PropertyCall::Groups)
            .await
            .unwrap()
        {
            PropertyAnswer::Groups(g) => assert!(g.iter().any(|g| g.name == "territory")),
            other => panic!("{other:?}"),
        }
    }
    let companies = pulled
        .object_list(
            "companies",
            &ListParams {
                limit: Some(100),
                ..ListParams::default()
            },
        )
        .await
        .unwrap()
        .results;
    assert!(!companies.is_empty());
    for c in &companies {
        let src = region(&source, c.id.clone()).await;
        assert!(src.is_some(), "company {} has a region in the source", c.id);
        assert_eq!(region(&pulled, c.id.clone()).await, src);
        assert_eq!(
            region(&anon, c.id.clone()).await,
            src.as_deref().map(scramble)
        );
    }
    let want = schema(&source).await;
    assert!(want.0.iter().any(|p| p.name == "escalation_level"));
    assert_eq!(want.1.len(), 2);
    assert_eq!(
        schema(&pulled).await,
        want,
        "the pulled schema is the portal's"
    );
    // Anonymized owners are named differently, and the owner property lists them by name:
    // everything else, option values included, is the portal's.
    let unnamed = |mut s: (Vec<Property>, Vec<Pipeline>, usize)| {
        for p in &mut s.0 {
            for o in &mut p.options {
                if p.name == "hubspot_owner_id" {
                    o.label.clear();
                    o.description = None;
                }
            }
        }
        s
    };
    assert_eq!(
        unnamed(schema(&anon).await),
        unnamed(want.clone()),
        "anonymizing keeps the schema"
    );
    let (a, b, c) = (
        recent(&source, PULLED).await,
        recent(&pulled, PULLED).await,
        recent(&anon, PULLED).await,
    );
    assert_eq!(b.len(), PULLED);
    assert!(a.iter().any(|t| t.prop("hs_pipeline") == Some("7001")));
    let free_text: Vec<String> = want
        .0
        .iter()
        .filter(|p| p.kind == "string" && !p.name.starts_with("hs_"))
        .map(|p| p.name.clone())
        .collect();
    assert!(free_text.contains(&"subject".to_string()));
    for ((src, copy), masked) in a.iter().zip(&b).zip(&c) {
        assert_eq!(copy, src, "ticket {} differs", src.id);
        assert_eq!(masked.id, src.id);
        assert_eq!(masked.associations, src.associations);
        for (name, value) in &src.properties {
            let got = masked.properties.get(name).cloned().flatten();
            if free_text.contains(name) {
                assert_eq!(got, value.as_deref().map(scramble), "{name}");
            } else {
                assert_eq!(&got, value, "{name} of ticket {}", src.id);
            }
        }
        assert_ne!(masked.prop("subject"), src.prop("subject"));
    }
    // The companies and contacts they point at came along (anonymized in the second copy).
    let company = a
        .iter()
        .find_map(|t| {
            Some(
                t.associations.as_ref()?.get("companies")?.results[0]
                    .id
                    .clone(),
            )
        })
        .unwrap();
    let props = GetParams {
        properties: vec!["name".into(), "tier".into()],
        ..GetParams::default()
    };
    let orig = source
        .object_get("companies", &company, &props)
        .await
        .unwrap();
    assert_eq!(
        pulled
            .object_get("companies", &company, &props)
            .await
            .unwrap(),
        orig
    );
    let masked = anon
        .object_get("companies", &company, &props)
        .await
        .unwrap();
    assert_eq!(masked.prop("tier"), orig.prop("tier"));
    assert_eq!(
        masked.prop("name").map(String::from),
        orig.prop("name").map(scramble)
    );
}
