//! One search filter compiled to SQL (see the rules in the parent module's docs): the operator
//! semantics per property kind and the `associations.{type}` pseudo-properties.

use rusqlite::types::Value;

use super::bad;
use crate::backend::BackendResult;
use crate::model::filter_millis;
use crate::model::limits::MAX_FILTER_VALUES as MAX_IN_VALUES;
use crate::model::object_types::object_type;
use crate::model::{Filter, Operator};
use crate::sandbox::catalog::{Catalog, Kind};

fn operand(kind: Kind, prop: &str, v: &str) -> BackendResult<Value> {
    match kind {
        Kind::Number => {
            if let Ok(i) = v.trim().parse::<i64>() {
                Ok(Value::Integer(i))
            } else {
                v.trim()
                    .parse::<f64>()
                    .map(Value::Real)
                    .map_err(|_| bad(format!("{v} is not a number; {prop} is a number property")))
            }
        }
        Kind::DateTime => filter_millis(prop, v).map(Value::Integer).map_err(bad),
        _ => Ok(Value::Text(v.to_string())),
    }
}

fn marks(n: usize) -> String {
    vec!["?"; n].join(", ")
}

fn assoc_filter(
    cat: &Catalog,
    f: &Filter,
    ty: &str,
    params: &mut Vec<Value>,
) -> BackendResult<String> {
    let obj = object_type(ty)
        .filter(|o| cat.is_tickets() || o.plural == "tickets")
        .ok_or_else(|| {
            bad(format!(
                "{} is not a searchable association of {}",
                f.property_name,
                cat.table()
            ))
        })?;
    // Associations are stored from the ticket's side: a ticket searches its targets, another
    // object type searches the tickets that point at it.
    let (base, col) = if cat.is_tickets() {
        params.push(Value::Text(obj.plural.to_string()));
        (
            "SELECT 1 FROM associations a WHERE a.ticket_id = tickets.id AND a.to_type = ?"
                .to_string(),
            "a.to_id",
        )
    } else {
        params.push(Value::Text(cat.table().to_string()));
        (
            format!(
                "SELECT 1 FROM associations a WHERE a.to_id = {}.id AND a.to_type = ?",
                cat.table()
            ),
            "a.ticket_id",
        )
    };
    let ids = |vals: &[String], params: &mut Vec<Value>| -> BackendResult<usize> {
        for v in vals {
            let id = v
                .trim()
                .parse::<i64>()
                .map_err(|_| bad(format!("{v} is not a record id")))?;
            params.push(Value::Integer(id));
        }
        Ok(vals.len())
    };
    let one = |f: &Filter| -> BackendResult<Vec<String>> {
        f.value.clone().map(|v| vec![v]).ok_or_else(|| {
            bad(format!(
                "{:?} on {} needs a value",
                f.operator, f.property_name
            ))
        })
    };
    Ok(match f.operator {
        Operator::Eq => {
            ids(&one(f)?, params)?;
            format!("EXISTS ({base} AND {col} = ?)")
        }
        Operator::Neq => {
            ids(&one(f)?, params)?;
            format!("NOT EXISTS ({base} AND {col} = ?)")
        }
        Operator::In | Operator::NotIn => {
            if f.values.is_empty() {
                return Err(bad(format!("{:?} needs values", f.operator)));
            }
            let n = ids(&f.values, params)?;
            let not = if f.operator == Operator::NotIn {
                "NOT "
            } else {
                ""
            };
            format!("{not}EXISTS ({base} AND {col} IN ({}))", marks(n))
        }
        Operator::HasProperty => format!("EXISTS ({base})"),
        Operator::NotHasProperty => format!("NOT EXISTS ({base})"),
        op => {
            return Err(bad(format!(
                "{op:?} is not supported on {}",
                f.property_name
            )))
        }
    })
}

/// Compiles one filter into SQL, pushing its parameters.
pub(super) fn filter_sql(
    cat: &Catalog,
    f: &Filter,
    params: &mut Vec<Value>,
) -> BackendResult<String> {
    if f.values.len() > MAX_IN_VALUES {
        return Err(bad(format!(
            "Too many values in the {:?} filter on {}: at most {MAX_IN_VALUES}, got {}",
            f.operator,
            f.property_name,
            f.values.len()
        )));
    }
    if let Some(ty) = f.property_name.strip_prefix("associations.") {
        return assoc_filter(cat, f, ty, params);
    }
    let p = cat.prop(&f.property_name).ok_or_else(|| {
        bad(format!(
            "There is no property {} on {} (filterGroups)",
            f.property_name,
            cat.table()
        ))
    })?;
    let e = p.sql();
    let name = &f.property_name;
    let kind = p.kind;
    let value = || -> BackendResult<Value> {
        let v = f
            .value
            .as_deref()
            .ok_or_else(|| bad(format!("{:?} on {name} needs a value", f.operator)))?;
        operand(kind, name, v)
    };
    let nocase = if matches!(kind, Kind::Text | Kind::Bool) {
        " COLLATE NOCASE"
    } else {
        ""
    };
    let multi = matches!(kind, Kind::Enum { multi: true });
    use Operator::{
        Between, ContainsToken, Eq, Gt, Gte, HasProperty, In, Lt, Lte, Neq, NotContainsToken,
        NotHasProperty, NotIn,
    };
    let sql = match f.operator {
        HasProperty => format!("{e} IS NOT NULL"),
        NotHasProperty => format!("{e} IS NULL"),
        ContainsToken | NotContainsToken => {
            let v = f
                .value
                .clone()
                .ok_or_else(|| bad(format!("{:?} on {name} needs a value", f.operator)))?;
            params.push(Value::Text(v));
            let not = if f.operator == NotContainsToken {
                "NOT "
            } else {
                ""
            };
            format!("{not}hs_contains_token({e}, ?)")
        }
        Eq | Neq if multi => {
            params.push(value()?);
            let not = if f.operator == Neq { "NOT " } else { "" };
            format!("{not}hs_multi_has({e}, ?)")
        }
        Eq => {
            params.push(value()?);
            format!("{e} = ?{nocase}")
        }
        Neq => {
            params.push(value()?);
            format!("({e} IS NULL OR {e} <> ?{nocase})")
        }
        Lt | Lte | Gt | Gte => {
            params.push(value()?);
            let op = match f.operator {
                Lt => "<",
                Lte => "<=",
                Gt => ">",
                _ => ">=",
            };
            format!("{e} {op} ?{nocase}")
        }
        Between => {
            params.push(value()?);
            let high = f
                .high_value
                .as_deref()
                .ok_or_else(|| bad(format!("BETWEEN on {name} needs highValue")))?;
            params.push(operand(kind, name, high)?);
            format!("({e} >= ?{nocase} AND {e} <= ?{nocase})")
        }
        In | NotIn => {
            if f.values.is_empty() {
                return Err(bad(format!("{:?} on {name} needs values", f.operator)));
            }
            for v in &f.values {
                params.push(operand(kind, name, v)?);
            }
            let n = f.values.len();
            let not = f.operator == NotIn;
            if multi {
                let any = vec![format!("hs_multi_has({e}, ?)"); n].join(" OR ");
                if not {
                    format!("NOT ({any})")
                } else {
                    format!("({any})")
                }
            } else {
                let lhs = if matches!(kind, Kind::Text | Kind::Bool) {
                    format!("lower({e})")
                } else {
                    e.clone()
                };
                if not {
                    format!("({e} IS NULL OR {lhs} NOT IN ({}))", marks(n))
                } else {
                    format!("{lhs} IN ({})", marks(n))
                }
            }
        }
    };
    Ok(sql)
}
