//! What of an argument expression is known before the run: literal strings, numbers and
//! booleans (as the strings HubSpot stores), `()`, and maps and arrays with their entries
//! positioned, whatever the other entries are. Anything computed (a variable, a call, an
//! operator, an interpolated string) is [`Lit::Unknown`] and is skipped silently by the check.

use rhai::{Dynamic, Expr, Position};

/// An argument as far as the source tells.
#[derive(Debug, Clone, PartialEq)]
pub(super) enum Lit {
    /// A literal string, or a number or boolean in the form HubSpot stores it.
    Text(String),
    /// `()`.
    Unit,
    /// `#{ .. }`: each entry with its key's position and its value.
    Map(Vec<Entry>),
    /// `[ .. ]`: each item with its position.
    Array(Vec<(Lit, Position)>),
    /// Known only when the script runs.
    Unknown,
}

/// One `key: value` of a literal map.
#[derive(Debug, Clone, PartialEq)]
pub(super) struct Entry {
    /// The key as written.
    pub key: String,
    /// Where the key is.
    pub key_pos: Position,
    /// Its value.
    pub value: Lit,
    /// Where the value is.
    pub value_pos: Position,
}

impl Lit {
    /// The expression's literal shape.
    pub(super) fn of(expr: &Expr) -> Lit {
        match expr {
            Expr::StringConstant(s, _) => Lit::Text(s.to_string()),
            Expr::IntegerConstant(n, _) => Lit::Text(n.to_string()),
            Expr::BoolConstant(b, _) => Lit::Text(b.to_string()),
            Expr::CharConstant(c, _) => Lit::Text(c.to_string()),
            Expr::Unit(_) => Lit::Unit,
            Expr::Map(m, _) => Lit::Map(
                m.0.iter()
                    .map(|(k, v)| Entry {
                        key: k.name.to_string(),
                        key_pos: k.pos,
                        value: Lit::of(v),
                        value_pos: v.position(),
                    })
                    .collect(),
            ),
            Expr::Array(items, _) => {
                Lit::Array(items.iter().map(|e| (Lit::of(e), e.position())).collect())
            }
            Expr::DynamicConstant(v, pos) => Lit::of_value(v, *pos),
            _ => Lit::Unknown,
        }
    }

    /// A constant the compiler folded (positions inside it are the constant's own).
    fn of_value(v: &Dynamic, pos: Position) -> Lit {
        if v.is_unit() {
            return Lit::Unit;
        }
        if let Some(m) = v.read_lock::<rhai::Map>() {
            return Lit::Map(
                m.iter()
                    .map(|(k, v)| Entry {
                        key: k.to_string(),
                        key_pos: pos,
                        value: Lit::of_value(v, pos),
                        value_pos: pos,
                    })
                    .collect(),
            );
        }
        if let Some(a) = v.read_lock::<rhai::Array>() {
            return Lit::Array(a.iter().map(|v| (Lit::of_value(v, pos), pos)).collect());
        }
        if v.is_string() || v.is_int() || v.is_bool() || v.is_char() {
            return Lit::Text(v.to_string());
        }
        Lit::Unknown
    }

    /// The map's entry `key`, when this is a literal map that has it.
    pub(super) fn get(&self, key: &str) -> Option<&Entry> {
        match self {
            Lit::Map(entries) => entries.iter().find(|e| e.key == key),
            _ => None,
        }
    }

    /// The text, when this is a literal scalar.
    pub(super) fn text(&self) -> Option<&str> {
        match self {
            Lit::Text(s) => Some(s),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn first_arg(src: &str) -> Lit {
        let mut engine = rhai::Engine::new_raw();
        engine.set_optimization_level(rhai::OptimizationLevel::None);
        let ast = engine.compile(src).unwrap();
        let mut out = Lit::Unknown;
        crate::script::ast_calls::for_each_namespaced_call(&ast, |c| {
            out = Lit::of(&c.args[0]);
            false
        });
        out
    }

    #[test]
    fn literal_entries_keep_their_positions_and_computed_ones_are_unknown() {
        let lit = first_arg("let x = 1;\nm::f(#{ a: \"A\", b: x, c: 7, d: (), e: [\"p\", x] });");
        let a = lit.get("a").unwrap();
        assert_eq!(a.value, Lit::Text("A".into()));
        assert_eq!((a.key_pos.line(), a.key_pos.position()), (Some(2), Some(9)));
        assert_eq!(lit.get("b").unwrap().value, Lit::Unknown);
        assert_eq!(lit.get("c").unwrap().value.text(), Some("7"));
        assert_eq!(lit.get("d").unwrap().value, Lit::Unit);
        let Lit::Array(items) = &lit.get("e").unwrap().value else {
            panic!("{lit:?}")
        };
        assert_eq!(items[0].0, Lit::Text("p".into()));
        assert_eq!(items[1].0, Lit::Unknown);
        assert_eq!(first_arg("m::f(`x${1}`);"), Lit::Unknown);
        assert_eq!(first_arg("m::f(\"a\" + \"b\");"), Lit::Unknown);
    }

    #[test]
    fn folded_constants_are_read_too() {
        let ast = rhai::Engine::new_raw()
            .compile("m::f(#{ a: \"A\" });")
            .unwrap();
        let mut out = Lit::Unknown;
        crate::script::ast_calls::for_each_namespaced_call(&ast, |c| {
            out = Lit::of(&c.args[0]);
            false
        });
        assert_eq!(out.get("a").unwrap().value, Lit::Text("A".into()));
    }
}
