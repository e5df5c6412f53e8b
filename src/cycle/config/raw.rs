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
    pub(super) taper_kind: Field,
    pub(super) taper_floor: Field,
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

/// The keys of `cycle.toml`'s top level, in the order of `RawCycle`'s fields (serde's
/// order, which messages list them in). A test holds the two lists together.
pub(super) const CYCLE_KEYS: &[&str] = &[
    "scheme",
    "year",
    "pot",
    "rules_version",
    "quarter",
    "taper_kind",
    "taper_floor",
    "taper",
    "category",
];

/// The keys of a `[[quarter]]` table, in `RawQuarter`'s order.
pub(super) const QUARTER_KEYS: &[&str] = &["id", "cutoff", "payment_date"];

/// The keys of a `[[taper]]` band, in `RawBand`'s order.
pub(super) const BAND_KEYS: &[&str] = &["min_progress", "pay"];

/// The keys of a `[[category]]` table, in `RawCategory`'s order.
pub(super) const CATEGORY_KEYS: &[&str] = &["id", "label", "eligible"];

/// The keys of each table of the list `key`, if `key` is one of the lists.
pub(super) fn list_keys(key: &str) -> Option<&'static [&'static str]> {
    match key {
        "quarter" => Some(QUARTER_KEYS),
        "taper" => Some(BAND_KEYS),
        "category" => Some(CATEGORY_KEYS),
        _ => None,
    }
}

/// The raw tables of a what-if's rules file: its name and the payment rules it changes.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawRules {
    pub(super) name: Field,
    pub(super) taper_kind: Field,
    pub(super) taper_floor: Field,
    pub(super) taper: Tables<RawBand>,
}

/// The keys of a rules file's top level, in `RawRules`' order.
pub(super) const RULES_KEYS: &[&str] = &["name", "taper_kind", "taper_floor", "taper"];

/// The keys of `cycle.toml` that are not payment rules, which a rules file may not change.
pub(super) const NOT_PAYMENT_RULES: &[&str] = &[
    "scheme",
    "year",
    "pot",
    "rules_version",
    "quarter",
    "category",
];
