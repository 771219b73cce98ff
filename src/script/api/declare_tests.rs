//! The mechanism on toy declarations: conversion errors name the function at the call
//! position, the options overload refuses unknown keys, a write passes the guard before
//! either body runs and a dry run takes the dry body, and the metadata shows both overloads.

use std::collections::BTreeMap;
use std::sync::Arc;

use rhai::{Engine, Module};
use tokio_util::sync::CancellationToken;

use super::*;
use crate::backend::OfflineBackend;
use crate::script::context::RunSettings;
use crate::state::StateDb;

const TOY: Area = Area::module("toy");

fn toys() -> Vec<ScriptFn> {
    vec![
        TOY.func("echo", "Returns the id and the option `tag`.")
            .params((Id("id: string"),))
            .options(&["tag"])
            .returns("string")
            .read(|c, (id,)| {
                let tag = c.options.get("tag").map(ToString::to_string);
                Ok(ImmutableString::from(format!("{}:{id}:{tag:?}", c.name)))
            }),
        TOY.func("touch", "Writes ticket `id`.")
            .params((Id("id: string"),))
            .returns("string")
            .write(|(id,)| vec![WriteTarget::Existing(id.clone())])
            .dry(|_, (id,)| Ok(ImmutableString::from(format!("would touch {id}"))))
            .real(|c, (id,)| {
                c.log("info", format!("touched {id}"));
                Ok(ImmutableString::from(format!("touched {id}")))
            }),
        TOY.func("size", "The number of keys of a map.")
            .returns("int")
            .method("m: map", |_, m: &mut Map, ()| Ok(m.len() as INT)),
    ]
}

fn engine(dry_run: bool, max_writes: Option<u64>) -> Engine {
    with_ctx(dry_run, max_writes).0
}

fn with_ctx(dry_run: bool, max_writes: Option<u64>) -> (Engine, Arc<RunCtx>) {
    let settings = RunSettings {
        script: "toy".into(),
        trigger: "test".into(),
        dry_run,
        plan_then_apply: false,
        args: BTreeMap::new(),
        timeout: None,
        max_writes,
        cancel: CancellationToken::new(),
        on_log: None,
        on_print: None,
        zone: chrono_tz::Tz::UTC,
        calendar: Default::default(),
        http: Default::default(),
        env: Vec::new(),
        event: None,
    };
    let ctx = Arc::new(RunCtx::new(
        Arc::new(OfflineBackend),
        StateDb::in_memory().unwrap(),
        tokio::runtime::Handle::current(),
        settings,
    ));
    let mut m = Module::new();
    for f in toys() {
        f.install(&mut m, &ctx);
    }
    let mut e = Engine::new();
    e.register_static_module("toy", m.into());
    (e, ctx)
}

fn err(e: &Engine, src: &str) -> String {
    e.eval::<Dynamic>(src).unwrap_err().to_string()
}

#[tokio::test]
async fn arguments_and_options_are_converted_with_the_function_named() {
    let e = engine(false, None);
    assert_eq!(
        e.eval::<String>("toy::echo(7)").unwrap(),
        "toy::echo:7:None"
    );
    assert_eq!(
        e.eval::<String>(r#"toy::echo("7", #{ tag: "x" })"#)
            .unwrap(),
        r#"toy::echo:7:Some("x")"#
    );
    let bad_id = err(&e, "\n  toy::echo([1])");
    assert!(bad_id.contains("toy::echo"), "{bad_id}");
    assert!(bad_id.contains("line 2, position 8"), "{bad_id}");
    let bad_key = err(&e, r#"toy::echo("7", #{ colour: 1 })"#);
    assert!(
        bad_key.contains("toy::echo: unknown option `colour`; expected one of: tag"),
        "{bad_key}"
    );
    let not_a_map = err(&e, r#"toy::echo("7", 3)"#);
    assert!(
        not_a_map.contains("toy::echo: expected an options map"),
        "{not_a_map}"
    );
}

#[tokio::test]
async fn a_write_passes_the_guard_then_takes_the_dry_or_the_real_body() {
    let (real, ctx) = with_ctx(false, Some(1));
    assert_eq!(real.eval::<String>("toy::touch(1)").unwrap(), "touched 1");
    // The same ticket again is no new change; another one is past the cap of 1.
    assert_eq!(real.eval::<String>("toy::touch(1)").unwrap(), "touched 1");
    // Past the cap: a catchable WRITE_LIMIT map naming the function (issue 10: a budget).
    let refused = real.eval::<Dynamic>("toy::touch(2)").unwrap_err();
    let EvalAltResult::ErrorRuntime(map, _) = &*refused else {
        panic!("not a catchable error: {refused}")
    };
    let map = map.read_lock::<rhai::Map>().expect("an error map").clone();
    assert_eq!(map["category"].to_string(), "WRITE_LIMIT");
    assert!(map["message"].to_string().contains("toy::touch"), "{map:?}");
    assert_eq!(
        real.eval::<String>(
            r#"let r = ""; try { toy::touch(3); } catch (e) { r = e.category; } r"#
        )
        .unwrap(),
        "WRITE_LIMIT"
    );
    let ran: Vec<String> = ctx.take_log().into_iter().map(|l| l.message).collect();
    assert_eq!(
        ran,
        vec!["touched 1", "touched 1"],
        "the refused write never ran"
    );

    let (dry, ctx) = with_ctx(true, None);
    assert_eq!(
        dry.eval::<String>("toy::touch(1)").unwrap(),
        "would touch 1"
    );
    assert!(
        ctx.take_log().is_empty(),
        "a dry run never takes the real body"
    );
}

#[tokio::test]
async fn methods_take_their_receiver_by_reference() {
    let e = engine(false, None);
    assert_eq!(
        e.eval::<INT>("let m = #{ a: 1, b: 2 }; m.size()").unwrap(),
        2
    );
}

#[tokio::test]
async fn the_metadata_shows_each_overload_with_its_parameters_and_doc() {
    let fns = super::super::functions(&engine(false, None));
    let sigs: Vec<String> = fns
        .iter()
        .map(|f| format!("{} | {}", f.signature(), f.doc))
        .collect();
    for want in [
        "toy::echo(id: string) -> string | Returns the id and the option `tag`.",
        "toy::echo(id: string, options: map) -> string | Returns the id and the option `tag`. Options: tag.",
        "toy::touch(id: string) -> string | Writes ticket `id`.",
        "size(m: map) -> int | The number of keys of a map.",
    ] {
        assert!(sigs.iter().any(|s| s == want), "missing {want} in {sigs:#?}");
    }
}
