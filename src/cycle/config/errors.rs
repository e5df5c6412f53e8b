//! Turning a failure of the `toml` crate or of serde into a `ConfigError` naming the line and
//! the key.

use super::{ConfigError, Source};

impl Source<'_> {
    /// Turns an error of the `toml` crate into one naming the file, line and key.
    pub(super) fn toml_error(&self, error: &toml::de::Error, syntax: bool) -> ConfigError {
        let message = error.message().trim();
        let Some(span) = error.span() else {
            return self.error(None, None, format!("is not valid TOML: {message}"));
        };
        let line = self.line_of(span.start);
        let key = key_path_at(self.text, span.start);
        let problem = if syntax {
            match message {
                "duplicate key" => match header_name(line_at(self.text, span.start).1) {
                    Some(name) => format!(
                        "is given twice; write each table of a list with double brackets, \
                         [[{name}]]"
                    ),
                    None => "is given twice; keep one".to_owned(),
                },
                _ => format!("is not valid TOML: {message}"),
            }
        } else if let Some(rest) = message.strip_prefix("unknown field ") {
            let expected = rest.split_once(", ").map_or("", |(_, e)| e);
            format!("is not a key of cycle.toml here ({expected}); check its spelling")
        } else if message.contains("expected a sequence") || message.contains("expected struct") {
            // serde names its own types ("a sequence", "struct RawBand"); say only what
            // was found, in the file's terms.
            let name = key.as_deref().unwrap_or("table");
            let found = message
                .strip_prefix("invalid type: ")
                .and_then(|rest| rest.split(", expected").next())
                .map_or("something else", |found| match found {
                    "map" => "a single table",
                    other => other,
                });
            format!("must be written as [[{name}]] tables, each holding its keys; found {found}")
        } else {
            message.to_owned()
        };
        self.error(Some(line), key.as_deref(), problem)
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
