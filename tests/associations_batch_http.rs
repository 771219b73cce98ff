//! v3's association batch endpoints and v4's batch archive through `serve`, over raw HTTP in
//! the shapes HubSpot's official clients send: made, read back with their v3 type names,
//! removed; a missing target is a per-input error (207); an unknown type name is a 400.

use hubscript::model::{CreateInput, InputProperties};
use serde_json::{json, Value};

use crate::util::{over_http, record};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn v3_batch_create_read_archive_and_v4_batch_archive() {
    let f = over_http().await;
    let b = f.backend.as_ref();
    let url = f.url.clone().expect("served");
    let t = b
        .create(&CreateInput {
            properties: InputProperties::new().with("subject", "batch assoc"),
            associations: vec![],
        })
        .await
        .unwrap();
    let ann = record(b, "contacts", &[("firstname", "Ann")]).await;
    let bob = record(b, "contacts", &[("firstname", "Bob")]).await;
    let http = reqwest::Client::new();
    let post = |path: &str, body: Value| {
        http.post(format!(
            "{url}/crm/v3/associations/tickets/contacts/batch/{path}"
        ))
        .json(&body)
        .send()
    };
    let pair =
        |to: &str| json!({"from": {"id": t.id}, "to": {"id": to}, "type": "ticket_to_contact"});

    let r = post("create", json!({"inputs": [pair(&ann), pair(&bob)]}))
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 201);
    let body: Value = r.json().await.unwrap();
    assert_eq!(body["status"], "COMPLETE", "{body}");
    assert_eq!(body["results"].as_array().unwrap().len(), 2, "{body}");
    assert_eq!(body["results"][0]["type"], "ticket_to_contact", "{body}");
    assert_eq!(body["results"][0]["from"]["id"], t.id.as_str(), "{body}");

    let r = post("read", json!({"inputs": [{"id": t.id}]}))
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 200);
    let body: Value = r.json().await.unwrap();
    let mut ids: Vec<String> = body["results"][0]["to"]
        .as_array()
        .unwrap()
        .iter()
        .map(|x| {
            assert_eq!(x["type"], "ticket_to_contact", "{body}");
            x["id"].as_str().unwrap().to_string()
        })
        .collect();
    ids.sort();
    let mut want = vec![ann.clone(), bob.clone()];
    want.sort();
    assert_eq!(ids, want, "{body}");

    // A target that does not exist is that input's error; the other input is made.
    let r = post("create", json!({"inputs": [pair("999999999"), pair(&ann)]}))
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 207);
    let body: Value = r.json().await.unwrap();
    assert_eq!(body["numErrors"], 1, "{body}");
    assert_eq!(body["results"].as_array().unwrap().len(), 1, "{body}");

    // An unknown type name refuses the whole batch, naming it.
    let mut bad = pair(&ann);
    bad["type"] = json!("ticket_to_kontact");
    let r = post("create", json!({"inputs": [bad]})).await.unwrap();
    assert_eq!(r.status().as_u16(), 400);
    let body: Value = r.json().await.unwrap();
    assert!(
        body["message"]
            .as_str()
            .unwrap()
            .contains("ticket_to_kontact"),
        "{body}"
    );

    let r = post("archive", json!({"inputs": [pair(&ann)]}))
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 204);
    let left = b.associations(&t.id, "contacts", None, None).await.unwrap();
    assert_eq!(left.results.len(), 1, "{left:?}");
    assert_eq!(left.results[0].id, bob);

    // v4 batch archive removes every association between each pair.
    let r = http
        .post(format!(
            "{url}/crm/v4/associations/tickets/contacts/batch/archive"
        ))
        .json(&json!({"inputs": [{"from": {"id": t.id}, "to": [{"id": bob}]}]}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 204);
    assert!(b
        .associations(&t.id, "contacts", None, None)
        .await
        .unwrap()
        .results
        .is_empty());
    let too_many: Vec<Value> = (0..101)
        .map(|_| json!({"from": {"id": t.id}, "to": [{"id": bob}]}))
        .collect();
    let r = http
        .post(format!(
            "{url}/crm/v4/associations/tickets/contacts/batch/archive"
        ))
        .json(&json!({"inputs": too_many}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 400);
}
