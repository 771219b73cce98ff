//! Several tasks updating the same and different tickets lose no update.

use super::*;

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_updates_lose_nothing() {
    let (_d, sb) = fresh(0);
    let shared = create(&sb, &[("subject", "shared")]).await;
    let mut tasks = Vec::new();
    let fields = [
        "subject",
        "content",
        "hs_ticket_priority",
        "source_type",
        UNIQUE_PROPERTY,
        "hs_resolution",
    ];
    let values = ["s", "c", "URGENT", "PHONE", "X-1", "ANSWERED"];
    let sb = Arc::new(sb);
    for (k, (f, v)) in fields.iter().zip(values).enumerate() {
        let (sb, id) = (Arc::clone(&sb), shared.id.clone());
        let (f, v) = (f.to_string(), v.to_string());
        tasks.push(tokio::spawn(async move {
            let own = sb
                .create(&CreateInput {
                    properties: props(&[("subject", "own")]),
                    associations: vec![],
                })
                .await
                .unwrap();
            for round in 0..10 {
                let val = if f == "hs_ticket_priority" || f == "source_type" || f == "hs_resolution"
                {
                    v.clone()
                } else {
                    format!("{v}-{round}")
                };
                sb.update(
                    &id,
                    &UpdateInput {
                        properties: props(&[(&f, &val)]),
                    },
                    None,
                )
                .await
                .unwrap();
                sb.update(
                    &own.id,
                    &UpdateInput {
                        properties: props(&[("content", &format!("{k}-{round}"))]),
                    },
                    None,
                )
                .await
                .unwrap();
            }
            own.id
        }));
    }
    let mut own_ids = Vec::new();
    for t in tasks {
        own_ids.push(t.await.unwrap());
    }
    let all = sb
        .get(
            &shared.id,
            &GetParams {
                properties: fields.iter().map(|s| s.to_string()).collect(),
                ..GetParams::default()
            },
        )
        .await
        .unwrap();
    assert_eq!(all.prop("subject"), Some("s-9"));
    assert_eq!(all.prop("content"), Some("c-9"));
    assert_eq!(all.prop("hs_ticket_priority"), Some("URGENT"));
    assert_eq!(all.prop("source_type"), Some("PHONE"));
    assert_eq!(all.prop(UNIQUE_PROPERTY), Some("X-1-9"));
    assert_eq!(all.prop("hs_resolution"), Some("ANSWERED"));
    for (k, id) in own_ids.iter().enumerate() {
        let t = sb.get(id, &GetParams::default()).await.unwrap();
        assert_eq!(
            t.prop("content").map(|c| c.ends_with("-9")),
            Some(true),
            "task {k}"
        );
    }
}
