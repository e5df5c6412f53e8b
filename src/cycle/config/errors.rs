//! Turning a failure of the `toml` crate or of serde into a `ConfigError` naming the line and
//! the key.

use std::fmt;
use std::ops::Range;

use serde::de::{Deserialize, Deserializer, MapAccess, Unexpected, Visitor};
use toml::Spanned;
use toml::de::{DeTable, DeValue, ValueDeserializer};

use super::raw::{CYCLE_KEYS, list_keys};
use super::twice::first_clash;
use super::{ConfigError, Source};

impl Source<'_> {
    /// Turns a file the `toml` crate cannot read into an error naming the line and key.
    /// Only a key given twice gets words of its own, and that is told from the document's
    /// structure (see `twice`); anything else is shown in toml's words.
    pub(super) fn syntax_error(&self, error: &toml::de::Error) -> ConfigError {
        let message = error.message().trim();
        let Some(span) = error.span() else {
            return self.error(None, None, format!("is not valid TOML: {message}"));
        };
        let (_, line) = line_at(self.text, span.start);
        let given_twice =
            first_clash(self.text).is_some_and(|clash| clash.given_twice && clash.span == span);
        let problem = match (given_twice, header_name(line)) {
            (true, Some(name)) => format!(
                "is given twice; write each table of a list with double brackets, [[{name}]]"
            ),
            (true, None) => "is given twice; keep one".to_owned(),
            (false, _) => format!("is not valid TOML: {message}"),
        };
        self.near(span, problem)
    }

    /// Checks, before serde reads the tables, that every key is one `cycle.toml` has and
    /// that each list is a list of tables. serde refuses the same things, but says so only
    /// in words; here each mistake is known by what it is. The document is walked in the
    /// order serde reads it, so the first mistake found is the one serde would report.
    pub(super) fn check_shape(&self, root: &DeTable<'_>) -> Result<(), ConfigError> {
        self.check_keys(root, CYCLE_KEYS, &[])
    }

    /// [`Self::check_shape`] for a file whose top level may hold `allowed`; a key of
    /// `refused` (one `cycle.toml` has that this kind of file may not change) is named as
    /// such rather than as a misspelling.
    pub(super) fn check_keys(
        &self,
        root: &DeTable<'_>,
        allowed: &[&str],
        refused: &[&str],
    ) -> Result<(), ConfigError> {
        for (key, value) in root.iter() {
            let name: &str = key.get_ref();
            if refused.contains(&name) {
                return Err(self.near(
                    key.span(),
                    format!(
                        "is not a payment rule, so a rules file may not change it (it may give {}); remove it",
                        one_of(allowed)
                    ),
                ));
            }
            if !allowed.contains(&name) {
                return Err(self.unknown_key(key.span(), allowed));
            }
            // The other keys take any value here: their checks come with the values'.
            let Some(fields) = list_keys(name) else {
                self.read_value(value)?;
                continue;
            };
            let DeValue::Array(items) = value.get_ref() else {
                return Err(self.not_tables(value.span(), &found(value)));
            };
            for item in items.iter() {
                match item.get_ref() {
                    DeValue::Table(table) => {
                        for (key, value) in table.iter() {
                            if !fields.contains(&key.get_ref().as_ref()) {
                                return Err(self.unknown_key(key.span(), fields));
                            }
                            self.read_value(value)?;
                        }
                    }
                    // serde reads a TOML date as a table with one key of toml's own, which
                    // is not a key of the list's tables.
                    DeValue::Datetime(_) => return Err(self.unknown_key(item.span(), fields)),
                    // serde reads a table from an array of values in field order, and
                    // refuses one too short to give every field.
                    DeValue::Array(values) if values.len() >= fields.len() => {
                        for value in &values[..fields.len()] {
                            self.read_value(value)?;
                        }
                    }
                    DeValue::Array(_) => return Err(self.not_tables(item.span(), "something else")),
                    _ => return Err(self.not_tables(item.span(), &found(item))),
                }
            }
        }
        Ok(())
    }

    /// Reads a value as serde will, so that one toml cannot give (a number too large for
    /// its type) is reported here, in its turn, in toml's words.
    fn read_value(&self, value: &Spanned<DeValue<'_>>) -> Result<(), ConfigError> {
        match toml::Value::deserialize(ValueDeserializer::from(value.clone())) {
            Ok(_) => Ok(()),
            Err(error) => {
                let message = error.message().trim();
                Err(match error.span() {
                    Some(span) => self.near(span, message.to_owned()),
                    None => self.error(None, None, format!("is not valid TOML: {message}")),
                })
            }
        }
    }

    /// Turns a failure of serde that `check_shape` did not foresee into an error naming the
    /// line and key. `serde_path_to_error` says where it happened: within a list, it is
    /// reported as a list not written as tables; anywhere else, in toml's words.
    pub(super) fn serde_error(
        &self,
        error: &serde_path_to_error::Error<toml::de::Error>,
    ) -> ConfigError {
        let message = error.inner().message().trim();
        let Some(span) = error.inner().span() else {
            return self.error(None, None, format!("is not valid TOML: {message}"));
        };
        let in_list = match error.path().iter().next() {
            Some(serde_path_to_error::Segment::Map { key }) => list_keys(key).is_some(),
            _ => false,
        };
        if in_list {
            self.not_tables(span, "something else")
        } else {
            self.near(span, message.to_owned())
        }
    }

    /// An error at `span`, naming the key written there, if the line shows one.
    fn near(&self, span: Range<usize>, problem: String) -> ConfigError {
        let key = key_path_at(self.text, span.start);
        self.error(Some(self.line_of(span.start)), key.as_deref(), problem)
    }

    fn unknown_key(&self, span: Range<usize>, keys: &[&str]) -> ConfigError {
        self.near(
            span,
            format!(
                "is not a key of {} here (expected {}); check its spelling",
                self.what,
                one_of(keys)
            ),
        )
    }

    /// A list (`quarter`, `taper`, `category`) or an item of one that is not a table.
    fn not_tables(&self, span: Range<usize>, found: &str) -> ConfigError {
        let key = key_path_at(self.text, span.start);
        let name = key.as_deref().unwrap_or("table");
        let problem =
            format!("must be written as [[{name}]] tables, each holding its keys; found {found}");
        self.error(Some(self.line_of(span.start)), key.as_deref(), problem)
    }
}

/// The keys a table may have, listed as serde lists them: `a`, `a` or `b`, or one of
/// `a`, `b`, `c`.
fn one_of(keys: &[&str]) -> String {
    let quoted: Vec<String> = keys.iter().map(|key| format!("`{key}`")).collect();
    match quoted.as_slice() {
        [one] => one.clone(),
        [a, b] => format!("{a} or {b}"),
        _ => format!("one of {}", quoted.join(", ")),
    }
}

/// What a value that should be a list of tables is, in the words serde uses for it
/// (`string "1.00"`, ``integer `5` ``), except that a table is "a single table". A date
/// is one too, as serde reads a TOML date as a table.
fn found(value: &Spanned<DeValue<'_>>) -> String {
    match value.get_ref() {
        DeValue::Table(_) | DeValue::Datetime(_) => "a single table".to_owned(),
        DeValue::Array(_) => "something else".to_owned(),
        _ => ValueDeserializer::from(value.clone())
            .deserialize_any(Found)
            .unwrap_or_else(|_: toml::de::Error| "something else".to_owned()),
    }
}

/// Reads a value only to describe it with serde's own `Unexpected`.
struct Found;

impl<'de> Visitor<'de> for Found {
    type Value = String;

    fn expecting(&self, formatter: &mut fmt::Formatter) -> fmt::Result {
        formatter.write_str("any value")
    }

    fn visit_bool<E>(self, v: bool) -> Result<String, E> {
        Ok(Unexpected::Bool(v).to_string())
    }

    fn visit_i64<E>(self, v: i64) -> Result<String, E> {
        Ok(Unexpected::Signed(v).to_string())
    }

    fn visit_u64<E>(self, v: u64) -> Result<String, E> {
        Ok(Unexpected::Unsigned(v).to_string())
    }

    fn visit_f64<E>(self, v: f64) -> Result<String, E> {
        Ok(Unexpected::Float(v).to_string())
    }

    fn visit_str<E>(self, v: &str) -> Result<String, E> {
        Ok(Unexpected::Str(v).to_string())
    }

    fn visit_map<A: MapAccess<'de>>(self, _map: A) -> Result<String, A::Error> {
        Ok("a single table".to_owned())
    }
}

/// The key at `offset` as a dotted path (`pot`, `quarter.cutoff`), read from the line's
/// text. serde's errors carry only a span, and a syntax error has no parsed key at all,
/// so the text is the one place both can be named from.
pub(super) fn key_path_at(text: &str, offset: usize) -> Option<String> {
    let (start, line) = line_at(text, offset);
    if let Some(name) = header_name(line) {
        return Some(name);
    }
    let key = line.split_once('=').map(|(k, _)| k.trim())?;
    let bare = |s: &str| {
        !s.is_empty()
            && s.bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-' || b == b'.')
    };
    if !bare(key) {
        return None;
    }
    let table = text[..start]
        .lines()
        .rev()
        .find_map(|l| header_name(l.trim()));
    Some(match table {
        Some(table) => format!("{table}.{key}"),
        None => key.to_owned(),
    })
}

/// The start of the line holding byte `offset`, and that line's text, trimmed. The start
/// is just after a newline, so it is always a character boundary.
fn line_at(text: &str, offset: usize) -> (usize, &str) {
    let offset = offset.min(text.len());
    let start = text.as_bytes()[..offset]
        .iter()
        .rposition(|&b| b == b'\n')
        .map_or(0, |i| i + 1);
    let line = text[start..].lines().next().unwrap_or("").trim();
    (start, line)
}

/// The name in a `[name]` or `[[name]]` header line, if the line is one.
fn header_name(line: &str) -> Option<String> {
    let inner = line.strip_prefix('[')?;
    let inner = inner.strip_prefix('[').unwrap_or(inner);
    let name = inner.split([']', '#']).next().unwrap_or("").trim();
    (!name.is_empty()).then(|| name.to_owned())
}
