//! A PostgreSQL database for the tests of the PostgreSQL state store: `HUBSCRIPT_TEST_PG_URL`
//! names it (`.ci/run` starts one); each test gets a fresh schema of it, so tests never see
//! each other's rows. Without the variable the test says "skipped: no HUBSCRIPT_TEST_PG_URL" on
//! the terminal (past the harness's capture, so plain `cargo test` shows it) and returns.

use std::io::Write;

/// The variable naming the test database.
pub(crate) const PG_URL_ENV: &str = "HUBSCRIPT_TEST_PG_URL";

/// One fresh schema of the test database.
pub(crate) struct PgSchema {
    /// A URL whose connections use only this schema (give it to `--state`).
    pub url: String,
}

/// A fresh schema, or `None` (said on the terminal) when no test database is configured.
pub(crate) fn fresh_schema(test: &str) -> Option<PgSchema> {
    let Some(base) = std::env::var(PG_URL_ENV).ok().filter(|u| !u.is_empty()) else {
        let _ = writeln!(
            std::io::stderr(),
            "{test} on PostgreSQL: skipped: no {PG_URL_ENV}"
        );
        return None;
    };
    let schema = format!("t_{}", uuid::Uuid::new_v4().simple());
    let pg = PgSchema { url: base.clone() };
    pg.execute(&format!("CREATE SCHEMA {schema}"));
    let sep = if base.contains('?') { '&' } else { '?' };
    Some(PgSchema {
        url: format!("{base}{sep}options=-csearch_path%3D{schema}"),
    })
}

impl PgSchema {
    /// Runs `sql` (one or more statements; results ignored).
    pub(crate) fn execute(&self, sql: &str) {
        self.rows(sql);
    }

    /// The rows of `sql`, each column rendered as text (NULL as `None`); cast in SQL as needed.
    pub(crate) fn rows(&self, sql: &str) -> Vec<Vec<Option<String>>> {
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        rt.block_on(async {
            let (client, conn) = tokio_postgres::connect(&self.url, tokio_postgres::NoTls)
                .await
                .unwrap();
            let conn = tokio::spawn(conn);
            let messages = client.simple_query(sql).await.unwrap();
            drop(client);
            let _ = conn.await;
            messages
                .into_iter()
                .filter_map(|m| match m {
                    tokio_postgres::SimpleQueryMessage::Row(r) => {
                        Some((0..r.len()).map(|i| r.get(i).map(String::from)).collect())
                    }
                    _ => None,
                })
                .collect()
        })
    }

    /// One number from `sql`.
    pub(crate) fn number(&self, sql: &str) -> i64 {
        self.rows(sql)[0][0]
            .as_deref()
            .unwrap_or("0")
            .parse()
            .unwrap()
    }
}
