//! `event::`: the ticket event that started the run (an event script run by the daemon's
//! change feed or webhook receiver). Outside an event run every function returns `()` (and
//! `changes` an empty map), so a script with both a `schedule` and `on` can tell its runs
//! apart with `if event::kind() == () { ... }`.

use rhai::{Dynamic, ImmutableString, Map};

use super::declare::{Area, ScriptFn};

const API: Area = Area::module("event");

fn opt(v: Option<&String>) -> Dynamic {
    v.map_or(Dynamic::UNIT, |s| ImmutableString::from(s.as_str()).into())
}

pub(super) fn functions() -> Vec<ScriptFn> {
    vec![
        API.func(
            "kind",
            "What happened: \"ticket.created\", \"ticket.changed\" or \"ticket.archived\"; () outside an event run.",
        )
        .returns("string")
        .read(|c, ()| {
            Ok(c.settings.event.as_ref().map_or(Dynamic::UNIT, |e| {
                ImmutableString::from(e.kind.as_str()).into()
            }))
        }),
        API.func(
            "ticket",
            "The ticket: #{ id, properties } with the properties the daemon watches for this script set (read it with tickets::get for more); () outside an event run.",
        )
        .returns("map")
        .read(|c, ()| {
            let Some(e) = c.settings.event.as_ref() else {
                return Ok(Dynamic::UNIT);
            };
            let props: Map = e
                .properties
                .iter()
                .map(|(k, v)| (k.into(), opt(v.as_ref())))
                .collect();
            let mut m = Map::new();
            m.insert("id".into(), ImmutableString::from(e.ticket.as_str()).into());
            m.insert("properties".into(), props.into());
            Ok(Dynamic::from_map(m))
        }),
        API.func(
            "changes",
            "The properties that changed, each as #{ from, to }, the old and the new value (() for an empty or unknown value; `new` is a Rhai keyword, hence the names); for ticket.created the watched properties that have a value (from is ()); an empty map outside an event run.",
        )
        .returns("map")
        .read(|c, ()| {
            let Some(e) = c.settings.event.as_ref() else {
                return Ok(Dynamic::from_map(Map::new()));
            };
            let out: Map = e
                .changes
                .iter()
                .map(|(k, ch)| {
                    let mut m = Map::new();
                    m.insert("from".into(), opt(ch.old.as_ref()));
                    m.insert("to".into(), opt(ch.new.as_ref()));
                    (k.into(), Dynamic::from_map(m))
                })
                .collect();
            Ok(Dynamic::from_map(out))
        }),
        API.func(
            "at",
            "When it happened, as epoch milliseconds (HubSpot's last-modified time, or the webhook's occurredAt); () outside an event run.",
        )
        .returns("int")
        .read(|c, ()| {
            Ok(c.settings
                .event
                .as_ref()
                .map_or(Dynamic::UNIT, |e| e.at.timestamp_millis().into()))
        }),
        API.func(
            "source",
            "Where the daemon learnt of it: \"feed\" (its change feed) or \"webhook\"; () outside an event run.",
        )
        .returns("string")
        .read(|c, ()| {
            Ok(c.settings.event.as_ref().map_or(Dynamic::UNIT, |e| {
                ImmutableString::from(e.source.as_str()).into()
            }))
        }),
    ]
}
