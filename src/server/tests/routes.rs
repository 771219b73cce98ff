//! Routes, statuses, content types and parameter parsing.

use serde_json::json;

use super::{assert_error, json_body, TestServer};
use crate::model::{AssociationSpec, GetParams};
use crate::server::ServerConfig;

async fn server() -> TestServer {
    TestServer::start(ServerConfig::default()).await
}

#[tokio::test]
async fn comma_and_repeated_params_reach_the_backend_identically() {
    let s = server().await;
    let r = s
        .get("/crm/v3/objects/tickets?limit=5&properties=subject,content&associations=contacts&archived=false")
        .await;
    assert_eq!(r.status(), 200);
    let comma = s.backend.lists.lock().unwrap().pop().unwrap();
    let r = s
        .get("/crm/v3/objects/tickets?limit=5&properties=subject&properties=content&associations=contacts")
        .await;
    assert_eq!(r.status(), 200);
    let repeated = s.backend.lists.lock().unwrap().pop().unwrap();
    assert_eq!(comma, repeated);
    assert_eq!(comma.properties, ["subject", "content"]);
    assert_eq!(comma.limit, Some(5));

    let r = s
        .get("/crm/v3/objects/tickets/7?propertiesWithHistory=a&propertiesWithHistory=b&idProperty=ext&archived=true")
        .await;
    assert_error(r, 404, "OBJECT_NOT_FOUND").await;
    let (id, params) = s.backend.last_get.lock().unwrap().take().unwrap();
    assert_eq!(id, "7");
    assert_eq!(
        params,
        GetParams {
            properties_with_history: vec!["a".into(), "b".into()],
            archived: true,
            id_property: Some("ext".into()),
            ..GetParams::default()
        }
    );
}

#[tokio::test]
async fn bad_query_values_are_400_naming_the_parameter() {
    let s = server().await;
    let body = assert_error(
        s.get("/crm/v3/objects/tickets?limit=many").await,
        400,
        "VALIDATION_ERROR",
    )
    .await;
    assert!(
        body["message"].as_str().unwrap().contains("limit"),
        "{body}"
    );
    let body = assert_error(
        s.get("/crm/v3/objects/tickets/1?archived=maybe").await,
        400,
        "VALIDATION_ERROR",
    )
    .await;
    assert!(
        body["message"].as_str().unwrap().contains("archived"),
        "{body}"
    );
    assert_eq!(s.backend.calls(), 0);
}

#[tokio::test]
async fn crud_statuses_and_bodies() {
    let s = server().await;
    let r = s
        .post(
            "/crm/v3/objects/tickets",
            json!({"properties": {"subject": "Printer on fire"}}),
        )
        .await;
    assert_eq!(r.status(), 201);
    let created = json_body(r).await;
    let id = created["id"].as_str().unwrap().to_string();
    assert_eq!(created["properties"]["subject"], "Printer on fire");

    let r = s.get(&format!("/crm/v3/objects/tickets/{id}")).await;
    assert_eq!(r.status(), 200);
    assert_eq!(json_body(r).await["id"], id.as_str());

    let r = s
        .http
        .patch(s.url(&format!("/crm/v3/objects/tickets/{id}")))
        .json(&json!({"properties": {"hs_ticket_priority": "HIGH"}}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    assert_eq!(
        json_body(r).await["properties"]["hs_ticket_priority"],
        "HIGH"
    );

    let r = s.get("/crm/v3/objects/tickets").await;
    assert_eq!(json_body(r).await["results"].as_array().unwrap().len(), 1);

    let r = s.post("/crm/v3/objects/tickets/search", json!({})).await;
    assert_eq!(r.status(), 200);
    assert_eq!(json_body(r).await["total"], 1);

    let merge = json!({"primaryObjectId": id, "objectIdToMerge": "99"});
    let r = s.post("/crm/v3/objects/tickets/merge", merge).await;
    assert_eq!(r.status(), 200);

    let r = s
        .http
        .delete(s.url(&format!("/crm/v3/objects/tickets/{id}")))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 204);
    assert!(r.headers().get("content-type").is_none());
    assert!(r.bytes().await.unwrap().is_empty());
}

#[tokio::test]
async fn static_paths_read_as_ticket_ids_with_other_methods() {
    let s = server().await;
    for word in ["search", "merge"] {
        let r = s.get(&format!("/crm/v3/objects/tickets/{word}")).await;
        assert_error(r, 404, "OBJECT_NOT_FOUND").await;
        let (id, _) = s.backend.last_get.lock().unwrap().take().unwrap();
        assert_eq!(id, word);
    }
}

#[tokio::test]
async fn batch_statuses_201_200_207_204() {
    let s = server().await;
    let inputs =
        json!({"inputs": [{"properties": {"subject": "a"}}, {"properties": {"subject": "b"}}]});
    let r = s.post("/crm/v3/objects/tickets/batch/create", inputs).await;
    assert_eq!(r.status(), 201);
    let body = json_body(r).await;
    assert_eq!(body["status"], "COMPLETE");
    assert_eq!(body["results"].as_array().unwrap().len(), 2);

    let r = s
        .post(
            "/crm/v3/objects/tickets/batch/read?archived=false",
            json!({"inputs": [{"id": "1"}, {"id": "2"}]}),
        )
        .await;
    assert_eq!(r.status(), 200);
    let r = s
        .post(
            "/crm/v3/objects/tickets/batch/read",
            json!({"inputs": [{"id": "1"}, {"id": "404"}]}),
        )
        .await;
    assert_eq!(r.status(), 207);
    let body = json_body(r).await;
    assert_eq!(body["numErrors"], 1);
    assert_eq!(body["errors"][0]["context"]["ids"][0], "404");

    let update = json!({"inputs": [{"id": "1", "properties": {"subject": "c"}}]});
    let r = s.post("/crm/v3/objects/tickets/batch/update", update).await;
    assert_eq!(r.status(), 200);
    let update = json!({"inputs": [{"id": "1", "properties": {}}, {"id": "77", "properties": {}}]});
    let r = s.post("/crm/v3/objects/tickets/batch/update", update).await;
    assert_eq!(r.status(), 207);

    let upsert = json!({"inputs": [{"id": "x", "idProperty": "ext", "properties": {}}]});
    let r = s.post("/crm/v3/objects/tickets/batch/upsert", upsert).await;
    assert_eq!(r.status(), 200);
    assert_eq!(json_body(r).await["results"][0]["new"], true);

    let r = s
        .post(
            "/crm/v3/objects/tickets/batch/archive",
            json!({"inputs": [{"id": "1"}]}),
        )
        .await;
    assert_eq!(r.status(), 204);
    assert!(r.bytes().await.unwrap().is_empty());
}

#[tokio::test]
async fn v3_and_v4_associations() {
    let s = server().await;
    s.post("/crm/v3/objects/tickets", json!({"properties": {}}))
        .await;
    let r = s
        .http
        .put(s.url("/crm/v3/objects/tickets/1/associations/contacts/201/16"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    assert_eq!(json_body(r).await["id"], "1");
    let r = s
        .http
        .delete(s.url("/crm/v3/objects/tickets/1/associations/contacts/201/16"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 204);
    let r = s
        .get("/crm/v3/objects/tickets/1/associations/contacts?after=5&limit=20")
        .await;
    assert_eq!(json_body(r).await["results"], json!([]));
    let query = s.backend.last_assoc_query.lock().unwrap().take().unwrap();
    assert_eq!(query, (Some("5".to_string()), Some(20)));

    let labelled = json!([{"associationCategory": "USER_DEFINED", "associationTypeId": 36}]);
    let path = "/crm/v4/objects/tickets/1/associations/contacts/201";
    let r = s
        .http
        .put(s.url(path))
        .json(&labelled)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 201);
    assert_eq!(r.headers()["location"], path);
    assert_eq!(json_body(r).await["toObjectId"], "201");

    let r = s
        .http
        .put(s.url("/crm/v4/objects/tickets/1/associations/default/companies/301"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let body = json_body(r).await;
    assert_eq!(body["status"], "COMPLETE");
    assert_eq!(body["results"][0]["from"]["id"], "1");
    assert_eq!(body["results"][0]["to"]["id"], "301");
    assert_eq!(
        body["results"][0]["associationSpec"]["associationTypeId"],
        339
    );
    assert!(body["startedAt"].is_string() && body["completedAt"].is_string());
    let types = s.backend.last_v4_types.lock().unwrap().clone();
    assert_eq!(types, [AssociationSpec::hubspot(339)]);

    let r = s
        .http
        .put(s.url("/crm/v4/objects/tickets/1/associations/default/widgets/1"))
        .send()
        .await
        .unwrap();
    assert_error(r, 400, "VALIDATION_ERROR").await;

    let r = s.http.delete(s.url(path)).send().await.unwrap();
    assert_eq!(r.status(), 204);
    let r = s
        .get("/crm/v4/objects/tickets/1/associations/contacts?limit=500")
        .await;
    assert_eq!(r.status(), 200);
}

#[tokio::test]
async fn properties_and_pipelines() {
    let s = server().await;
    let body = json_body(s.get("/crm/v3/properties/tickets").await).await;
    assert_eq!(body["results"][0]["name"], "subject");
    let body = json_body(s.get("/crm/v3/properties/tickets/subject").await).await;
    assert_eq!(body["type"], "string");
    assert_error(
        s.get("/crm/v3/properties/tickets/nope").await,
        404,
        "OBJECT_NOT_FOUND",
    )
    .await;

    let body = json_body(s.get("/crm/v3/pipelines/tickets").await).await;
    assert_eq!(body["results"][0]["id"], "0");
    let body = json_body(s.get("/crm/v3/pipelines/tickets/0").await).await;
    assert_eq!(body["label"], "Support Pipeline");
    let body = json_body(s.get("/crm/v3/pipelines/tickets/0/stages").await).await;
    assert_eq!(body["results"].as_array().unwrap().len(), 3);
    let body = json_body(s.get("/crm/v3/pipelines/tickets/0/stages/4").await).await;
    assert_eq!(body["metadata"]["ticketState"], "CLOSED");
    assert_error(
        s.get("/crm/v3/pipelines/tickets/0/stages/9").await,
        404,
        "OBJECT_NOT_FOUND",
    )
    .await;
    assert_error(
        s.get("/crm/v3/pipelines/tickets/5/stages/1").await,
        404,
        "OBJECT_NOT_FOUND",
    )
    .await;
}
