//! The raw tables serde reads `cycle.toml` into: every value still as written, with its span.

use serde::Deserialize;
use toml::{Spanned, Value};

/// A value as written, with its place in the file. Values are kept as `toml::Value` so
/// that a value of the wrong type is reported here, with its key, rather than by serde.
pub(super) type Field = Option<Spanned<Value>>;

/// A list of `[[name]]` tables, each keeping the span of its header.
pub(super) type Tables<T> = Option<Spanned<Vec<Spanned<T>>>>;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawCycle {
    pub(super) scheme: Field,
    pub(super) year: Field,
    pub(super) pot: Field,
    pub(super) rules_version: Field,
    pub(super) quarter: Tables<RawQuarter>,
    pub(super) taper: Tables<RawBand>,
    pub(super) category: Tables<RawCategory>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawQuarter {
    pub(super) id: Field,
    pub(super) cutoff: Field,
    pub(super) payment_date: Field,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawBand {
    pub(super) min_progress: Field,
    pub(super) pay: Field,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawCategory {
    pub(super) id: Field,
    pub(super) label: Field,
    pub(super) eligible: Field,
}
