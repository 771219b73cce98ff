//! A request that panics while holding a connection breaks nothing after it: its writes are
//! rolled back and later requests use the recovered connection (no 500 for every later write).

use super::*;
use crate::backend::BackendResult;

fn subjects(page: &Page<Ticket>) -> Vec<String> {
    let mut s: Vec<String> = page
        .results
        .iter()
        .filter_map(|t| t.prop("subject").map(str::to_string))
        .collect();
    s.sort();
    s
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_write_that_panics_is_rolled_back_and_later_writes_succeed() {
    let (_d, sb) = fresh(0);
    create(&sb, &[("subject", "before")]).await;
    let input = CreateInput {
        properties: props(&[("subject", "panicked")]),
        associations: vec![],
    };
    let err = sb
        .run(move |i| {
            i.write(|tx, cat| {
                crate::sandbox::writes::create(tx, cat, &input)?;
                panic!("a bug in a write, after it wrote");
            })
        })
        .await
        .map(|(): ()| ())
        .unwrap_err();
    assert_eq!(status(err), 500);
    for round in 0..3 {
        create(&sb, &[("subject", &format!("after-{round}"))]).await;
    }
    let page = sb.list(&ListParams::default()).await.unwrap();
    assert_eq!(
        subjects(&page),
        ["after-0", "after-1", "after-2", "before"],
        "the panicked write is rolled back, the later ones are kept"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn reads_survive_every_reader_panicking_once() {
    let (_d, sb) = fresh(0);
    create(&sb, &[("subject", "kept")]).await;
    // Sequential, so each panic poisons the next reader in the round robin: all of them.
    for _ in 0..8 {
        let err = sb
            .run(|i| i.read(|_, _| -> BackendResult<()> { panic!("a bug in a read") }))
            .await
            .unwrap_err();
        assert_eq!(status(err), 500);
    }
    for _ in 0..8 {
        let page = sb.list(&ListParams::default()).await.unwrap();
        assert_eq!(subjects(&page), ["kept"]);
    }
}
