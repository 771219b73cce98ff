//! Contract: properties and pipelines.

use crate::util::{api_error, contract};

contract!(
    properties_describe_the_default_ticket_properties,
    |b| async move {
        let all = b.properties().await.unwrap();
        for name in [
            "subject",
            "content",
            "hs_pipeline",
            "hs_pipeline_stage",
            "hs_ticket_priority",
            "hs_ticket_category",
            "hubspot_owner_id",
            "createdate",
            "source_type",
        ] {
            assert!(all.iter().any(|p| p.name == name), "missing {name}");
        }
        let priority = b.property("hs_ticket_priority").await.unwrap();
        assert_eq!(priority.kind, "enumeration");
        let values: Vec<_> = priority.options.iter().map(|o| o.value.as_str()).collect();
        assert_eq!(values, vec!["LOW", "MEDIUM", "HIGH", "URGENT"]);
        assert!(b.property("createdate").await.unwrap().is_read_only());
        let err = api_error(b.property("nope").await);
        assert_eq!(err.http_status, 404);
    }
);

contract!(default_pipeline_has_four_stages, |b| async move {
    let all = b.pipelines().await.unwrap();
    let p = all.iter().find(|p| p.id == "0").expect("pipeline 0");
    assert_eq!(p.label, "Support Pipeline");
    let labels: Vec<_> = p
        .stages
        .iter()
        .map(|s| (s.id.as_str(), s.label.as_str()))
        .collect();
    assert_eq!(
        labels,
        vec![
            ("1", "New"),
            ("2", "Waiting on contact"),
            ("3", "Waiting on us"),
            ("4", "Closed")
        ]
    );
    assert!(p.stages[3].is_closed());
    assert!(!p.stages[2].is_closed());
    assert_eq!(b.pipeline("0").await.unwrap().id, "0");
    assert_eq!(b.pipeline_stages("0").await.unwrap().len(), 4);
    assert_eq!(api_error(b.pipeline("77").await).http_status, 404);
});
