//! Contacts, companies, notes and tasks: their endpoints, their rules, associations that need
//! an existing target, the demo records and migration 4.

use super::*;

fn get_props(names: &[&str]) -> GetParams {
    GetParams {
        properties: names.iter().map(|s| s.to_string()).collect(),
        ..GetParams::default()
    }
}

#[tokio::test]
async fn contacts_and_companies_have_the_object_endpoints() {
    let (_d, sb) = fresh(0);
    let c = record(
        &sb,
        "contacts",
        &[
            ("firstname", "Ann"),
            ("lastname", "Lee"),
            ("email", "ann@example.com"),
        ],
    )
    .await;
    // A create answers the type's defaults (createdate, lastmodifieddate, hs_object_id...).
    assert_eq!(c.prop("hs_object_id"), Some(c.id.as_str()));
    assert!(c.prop("createdate").is_some() && c.prop("lastmodifieddate").is_some());
    let got = sb
        .object_get("contact", &c.id, &GetParams::default())
        .await
        .unwrap();
    let mut keys: Vec<_> = got.properties.keys().cloned().collect();
    keys.sort();
    assert_eq!(
        keys,
        [
            "createdate",
            "email",
            "firstname",
            "hs_object_id",
            "lastmodifieddate",
            "lastname"
        ]
    );
    // email is unique: usable as idProperty, a duplicate is a 409.
    let by_email = sb
        .object_get(
            "contacts",
            "ann@example.com",
            &GetParams {
                id_property: Some("email".into()),
                ..GetParams::default()
            },
        )
        .await
        .unwrap();
    assert_eq!(by_email.id, c.id);
    let dup = sb
        .object_create(
            "contacts",
            &CreateInput {
                properties: props(&[("email", "ann@example.com")]),
                associations: vec![],
            },
        )
        .await
        .unwrap_err();
    assert_eq!(status(dup), 409);
    // Updates validate like ticket writes: unknown properties and bad options are 400s.
    let up = |pairs: &[(&str, &str)]| UpdateInput {
        properties: props(pairs),
    };
    let acme = record(&sb, "companies", &[("name", "Acme"), ("tier", "gold")]).await;
    let bad = sb
        .object_update("companies", &acme.id, &up(&[("tier", "diamond")]), None)
        .await
        .unwrap_err();
    assert_eq!(status(bad), 400);
    let unknown = sb
        .object_update("companies", &acme.id, &up(&[("subject", "x")]), None)
        .await
        .unwrap_err();
    assert_eq!(status(unknown), 400);
    let updated = sb
        .object_update("companies", &acme.id, &up(&[("tier", "platinum")]), None)
        .await
        .unwrap();
    assert_eq!(updated.prop("tier"), Some("platinum"));
    // List, batch read (missing ids reported), archive.
    record(&sb, "companies", &[("name", "Globex"), ("tier", "silver")]).await;
    let page = sb
        .object_list(
            "companies",
            &ListParams {
                limit: Some(1),
                ..ListParams::default()
            },
        )
        .await
        .unwrap();
    assert_eq!(page.results.len(), 1);
    assert_eq!(page.next_after(), Some(acme.id.as_str()));
    let read = sb
        .object_batch_read(
            "companies",
            &BatchReadInput {
                inputs: vec![IdInput::new(&acme.id), IdInput::new("999")],
                properties: vec!["tier".into()],
                ..BatchReadInput::default()
            },
            false,
        )
        .await
        .unwrap();
    assert_eq!(read.results.len(), 1);
    assert_eq!(read.results[0].prop("tier"), Some("platinum"));
    assert!(read.errors[0].message.contains("COMPANY") && read.errors[0].message.contains("999"));
    sb.object_archive("companies", &acme.id).await.unwrap();
    let gone = sb
        .object_get("companies", &acme.id, &GetParams::default())
        .await
        .unwrap_err();
    assert_eq!(status(gone), 404);
    // Types the sandbox does not store are a 400, as HubSpot's "Unable to infer object type".
    let deals = sb
        .object_list("deals", &ListParams::default())
        .await
        .unwrap_err();
    assert_eq!(status(deals), 400);
}

#[tokio::test]
async fn objects_search_with_the_ticket_engine() {
    let (_d, sb) = fresh(0);
    let t = create(&sb, &[("subject", "Printer")]).await;
    let gold = record(&sb, "companies", &[("name", "Acme Labs"), ("tier", "gold")]).await;
    record(&sb, "companies", &[("name", "Globex"), ("tier", "silver")]).await;
    sb.associate(&t.id, "companies", &gold.id, "26")
        .await
        .unwrap();
    let ids = |p: SearchPage| p.results.into_iter().map(|r| r.id).collect::<Vec<_>>();
    let by_tier = search_req(vec![Filter::new("tier", Operator::Eq, "gold")]);
    assert_eq!(
        ids(sb.object_search("companies", &by_tier).await.unwrap()),
        std::slice::from_ref(&gold.id)
    );
    let q = SearchRequest {
        query: Some("acm".into()),
        ..SearchRequest::default()
    };
    assert_eq!(
        ids(sb.object_search("companies", &q).await.unwrap()),
        std::slice::from_ref(&gold.id)
    );
    // From the company's side: the companies a ticket points at.
    let of_ticket = search_req(vec![Filter::new(
        "associations.ticket",
        Operator::Eq,
        &t.id,
    )]);
    assert_eq!(
        ids(sb.object_search("companies", &of_ticket).await.unwrap()),
        std::slice::from_ref(&gold.id)
    );
    let nope = search_req(vec![Filter::new("subject", Operator::Eq, "x")]);
    let e = sb.object_search("companies", &nope).await.unwrap_err();
    assert_eq!(status(e.clone()), 400);
    assert!(e.to_string().contains("on companies"), "{e}");
    // A record read with associations=tickets lists the tickets that point at it.
    let with = sb
        .object_get(
            "companies",
            &gold.id,
            &GetParams {
                associations: vec!["tickets".into()],
                ..GetParams::default()
            },
        )
        .await
        .unwrap();
    let a = with.associations.unwrap();
    assert_eq!(
        a["tickets"].results.len(),
        1,
        "the labelled pair is listed once"
    );
    assert_eq!(a["tickets"].results[0].id, t.id);
    assert_eq!(a["tickets"].results[0].kind, "company_to_ticket");
}

#[tokio::test]
async fn associations_need_an_existing_target() {
    let (_d, sb) = fresh(0);
    let t = create(&sb, &[("subject", "A")]).await;
    for (ty, type_id) in [
        ("contacts", "16"),
        ("companies", "339"),
        ("notes", "227"),
        ("tasks", "229"),
    ] {
        let e = sb.associate(&t.id, ty, "4242", type_id).await.unwrap_err();
        assert_eq!(status(e), 404, "{ty}");
    }
    let spec = [AssociationSpec::hubspot(16)];
    let e = sb
        .associate_v4(&t.id, "contacts", "4242", &spec)
        .await
        .unwrap_err();
    assert_eq!(status(e), 404);
    let inline = sb
        .create(&CreateInput {
            properties: props(&[("subject", "x")]),
            associations: vec![AssociationInput {
                to: ObjectIdRef { id: "4242".into() },
                types: vec![AssociationSpec::hubspot(16)],
            }],
        })
        .await
        .unwrap_err();
    assert_eq!(status(inline), 404);
    // An archived record is no target either.
    let c = record(&sb, "companies", &[("name", "Old")]).await;
    sb.object_archive("companies", &c.id).await.unwrap();
    let e = sb
        .associate(&t.id, "companies", &c.id, "339")
        .await
        .unwrap_err();
    assert_eq!(status(e), 404);
    // Deals are not stored: any numeric id is still accepted.
    sb.associate(&t.id, "deals", "4242", "28").await.unwrap();
}

#[tokio::test]
async fn notes_and_tasks_need_a_timestamp_and_link_to_tickets_inline() {
    let (_d, sb) = fresh(0);
    let t = create(&sb, &[("subject", "A")]).await;
    let no_time = sb
        .object_create(
            "notes",
            &CreateInput {
                properties: props(&[("hs_note_body", "hello")]),
                associations: vec![],
            },
        )
        .await
        .unwrap_err();
    assert_eq!(status(no_time.clone()), 400);
    assert!(no_time.to_string().contains("hs_timestamp"), "{no_time}");
    let to_ticket = |id: &str, type_id: i32| AssociationInput {
        to: ObjectIdRef { id: id.into() },
        types: vec![AssociationSpec::hubspot(type_id)],
    };
    let note = sb
        .object_create(
            "notes",
            &CreateInput {
                properties: props(&[
                    ("hs_note_body", "Called back"),
                    ("hs_timestamp", "1700000000000"),
                ]),
                associations: vec![to_ticket(&t.id, 228)],
            },
        )
        .await
        .unwrap();
    let listed = sb.associations(&t.id, "notes", None, None).await.unwrap();
    assert_eq!(listed.results[0].id, note.id);
    assert_eq!(listed.results[0].kind, "ticket_to_note");
    // The ticket-side type is not a note-to-ticket type; a missing ticket is a 404.
    let wrong = sb
        .object_create(
            "notes",
            &CreateInput {
                properties: props(&[("hs_timestamp", "1700000000000")]),
                associations: vec![to_ticket(&t.id, 227)],
            },
        )
        .await
        .unwrap_err();
    assert_eq!(status(wrong), 400);
    let missing = sb
        .object_create(
            "tasks",
            &CreateInput {
                properties: props(&[
                    ("hs_timestamp", "1700000000000"),
                    ("hs_task_subject", "Call"),
                ]),
                associations: vec![to_ticket("98765", 230)],
            },
        )
        .await
        .unwrap_err();
    assert_eq!(status(missing), 404);
    let owner = demo_owners()[0].id;
    let task = sb
        .object_create(
            "tasks",
            &CreateInput {
                properties: props(&[
                    ("hs_timestamp", "2030-01-02T10:00:00Z"),
                    ("hs_task_subject", "Call back"),
                    ("hs_task_status", "NOT_STARTED"),
                    ("hubspot_owner_id", owner),
                ]),
                associations: vec![to_ticket(&t.id, 230)],
            },
        )
        .await
        .unwrap();
    let got = sb
        .object_get(
            "tasks",
            &task.id,
            &get_props(&["hs_timestamp", "hubspot_owner_id"]),
        )
        .await
        .unwrap();
    assert_eq!(got.prop("hubspot_owner_id"), Some(owner));
    assert_eq!(got.prop("hs_timestamp"), Some("2030-01-02T10:00:00.000Z"));
    let bad_owner = sb
        .object_create(
            "tasks",
            &CreateInput {
                properties: props(&[("hs_timestamp", "1700000000000"), ("hubspot_owner_id", "1")]),
                associations: vec![],
            },
        )
        .await
        .unwrap_err();
    assert_eq!(status(bad_owner), 400);
}

#[tokio::test]
async fn demo_tickets_point_at_real_contacts_and_companies() {
    let (_d, sb) = fresh(60);
    let c = rusqlite::Connection::open(sb.path()).unwrap();
    let count = |sql: &str| -> i64 { c.query_row(sql, [], |r| r.get(0)).unwrap() };
    let dangling = |ty: &str| {
        count(&format!(
            "SELECT count(*) FROM associations a WHERE a.to_type = '{ty}' AND NOT EXISTS (SELECT 1 FROM {ty} r WHERE r.id = a.to_id)"
        ))
    };
    for ty in ["contacts", "companies", "notes"] {
        assert_eq!(dangling(ty), 0, "{ty}");
    }
    assert!(count("SELECT count(*) FROM contacts") > 0);
    assert!(count("SELECT count(DISTINCT tier) FROM companies") >= 2);
    assert!(count("SELECT count(*) FROM notes") > 0);
    let t = sb
        .list(&ListParams {
            limit: Some(1),
            associations: vec!["contacts".into()],
            ..ListParams::default()
        })
        .await
        .unwrap();
    let contact = &t.results[0].associations.as_ref().unwrap()["contacts"].results[0].id;
    let person = sb
        .object_get("contacts", contact, &GetParams::default())
        .await
        .unwrap();
    assert!(person.prop("email").is_some_and(|e| e.contains('@')));
}

#[tokio::test]
async fn migration_6_turns_existing_targets_into_records() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("v3.db");
    let mut c = rusqlite::Connection::open(&path).unwrap();
    schema::configure(&c).unwrap();
    schema::migrate_to(&mut c, &path, 5).unwrap();
    c.execute_batch(
        "INSERT INTO tickets(subject, hs_pipeline, hs_pipeline_stage, createdate, hs_lastmodifieddate) VALUES ('Old', '0', '1', 1, 1);
         INSERT INTO associations VALUES (1, 'companies', 5003, 339, 'HUBSPOT_DEFINED');
         INSERT INTO associations VALUES (1, 'contacts', 1017, 16, 'HUBSPOT_DEFINED');
         INSERT INTO associations VALUES (1, 'notes', 77, 227, 'HUBSPOT_DEFINED');",
    )
    .unwrap();
    drop(c);
    let sb = Sandbox::open(&path).unwrap();
    let company = sb
        .object_get("companies", "5003", &get_props(&["name", "tier"]))
        .await
        .unwrap();
    assert!(company.prop("name").is_some() && company.prop("tier").is_some());
    sb.object_get("contacts", "1017", &GetParams::default())
        .await
        .unwrap();
    sb.object_get("notes", "77", &GetParams::default())
        .await
        .unwrap();
    // New records take ids after the migrated ones.
    let next = record(&sb, "companies", &[("name", "New")]).await;
    assert!(next.id.parse::<i64>().unwrap() > 5003);
}
