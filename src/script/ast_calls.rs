//! The one walk over a compiled script's calls into namespaced functions (`tickets::update(..)`,
//! `http::post(..)`), shared by every check that judges a call before the run: unknown API
//! functions and arities ([`super::api_calls`]), literal URLs ([`super::literal_urls`]) and the
//! literal arguments `check --schema` compares with the backend's schema
//! ([`super::schema_check`]).
//!
//! A call used as a statement is a `Stmt::FnCall`, inside an expression an `Expr::FnCall`;
//! both are yielded, in source order, with the position Rhai gives the call (its name).

use rhai::{ASTNode, Expr, Position, Stmt, AST};

/// One namespaced call in a script.
pub(crate) struct NamespacedCall<'a> {
    /// The module path as written (`tickets`).
    pub namespace: String,
    /// The function name.
    pub name: &'a str,
    /// The argument expressions as compiled.
    pub args: &'a [Expr],
    /// Where the call is.
    pub pos: Position,
}

/// Calls `visit` with every namespaced call of `ast`; the walk stops when `visit` returns
/// `false`. Calls without a namespace (script functions, methods, global helpers) are not
/// visited: only the run can resolve those.
pub(crate) fn for_each_namespaced_call(ast: &AST, mut visit: impl FnMut(&NamespacedCall) -> bool) {
    ast.walk(&mut |path: &[ASTNode]| {
        let (call, pos) = match path.last() {
            Some(ASTNode::Expr(Expr::FnCall(call, pos))) => (call, pos),
            Some(ASTNode::Stmt(Stmt::FnCall(call, pos))) => (call, pos),
            _ => return true,
        };
        if call.namespace.is_empty() {
            return true;
        }
        visit(&NamespacedCall {
            namespace: call.namespace.to_string(),
            name: call.name.as_str(),
            args: &call.args,
            pos: *pos,
        })
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn yields_namespaced_calls_in_statements_and_expressions_in_order() {
        let src = "fn f() { tickets::get(\"1\") }\nlet x = log::info(1) + helper();\ntickets::update(\"1\", #{});\n[1].len();";
        let ast = rhai::Engine::new_raw().compile(src).unwrap();
        let mut seen = Vec::new();
        for_each_namespaced_call(&ast, |c| {
            seen.push(format!(
                "{}::{}/{}@{}",
                c.namespace,
                c.name,
                c.args.len(),
                c.pos.line().unwrap_or(0)
            ));
            true
        });
        seen.sort();
        assert_eq!(
            seen,
            ["log::info/1@2", "tickets::get/1@1", "tickets::update/2@3"]
        );
        // Returning false stops the walk.
        let mut n = 0;
        for_each_namespaced_call(&ast, |_| {
            n += 1;
            false
        });
        assert_eq!(n, 1);
    }
}
