//! The Rhai host: engine construction, the script API, running scripts safely (being built).

pub mod header;
