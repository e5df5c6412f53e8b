//! The rules in force for a cycle, read from `cycle.toml` and validated.
//!
//! The file is read in two steps. First serde and the `toml` crate turn it into raw
//! tables in which every value keeps its byte span, and refuse unknown keys; then each
//! value is checked here and turned into a domain type. Keeping the values raw until the
//! second step means every mistake, whether in the TOML itself or in what a value says,
//! comes back naming the file, the line and the key, in words a finance team can act on.
//!
//! The work is split by step: `raw` holds the serde tables; `errors` turns a failure of the
//! `toml` crate, or a key or list of the wrong shape, into a `ConfigError` with its line and
//! key, telling each kind apart by structure and never by the words of toml's message
//! (`twice` finds a key given twice); `check` checks each value and builds the
//! `CycleConfig`.

mod check;
mod errors;
mod raw;
pub mod rules_file;
#[cfg(test)]
mod taper_tests;
#[cfg(test)]
mod tests;
mod twice;

use crate::read::file::{MAX_TEXT_FILE_BYTES, read_limited_text};
use std::ops::Range;
use std::path::Path;

use chrono::NaiveDate;
use thiserror::Error;
use toml::{Spanned, Value};

use crate::domain::category::Category;
use crate::domain::{FinancialYear, Money, Quarter};
use crate::rules::taper::Taper;

use raw::RawCycle;

/// The name of the configuration file in a cycle folder.
pub const CONFIG_FILE: &str = "cycle.toml";

/// A cycle's validated configuration: the year, the pot, the quarters' dates, the taper
/// and the expenditure categories.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CycleConfig {
    pub scheme: String,
    pub year: FinancialYear,
    pub pot: Money,
    /// Printed on every output, so a reader knows which rules produced it.
    pub rules_version: String,
    /// Exactly Q1, Q2, Q3 and Q4, in that order.
    pub quarters: Vec<QuarterConfig>,
    pub taper: Taper,
    /// In the order of `cycle.toml`, which is the order of the financial return's rows.
    pub categories: Vec<Category>,
}

/// The dates of one quarter's payment run.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct QuarterConfig {
    pub quarter: Quarter,
    /// Returns submitted on or before this date count for the quarter (rules §3).
    pub cutoff: NaiveDate,
    /// The "as at" date printed on, and stamped into, the quarter's outputs.
    pub payment_date: NaiveDate,
}

/// Why `cycle.toml` cannot be used. The run stops before reading any return.
#[derive(Debug, Error)]
pub enum ConfigError {
    #[error("{file}: cannot read it: {cause}")]
    Io {
        file: String,
        /// In the message, so not also given as its source (printed once).
        cause: std::io::Error,
    },
    /// A mistake in the file. `line` is missing only when the mistake has no line of its
    /// own, such as a required top-level key that is absent.
    #[error("{}", describe(file, *line, key.as_deref(), problem))]
    Invalid {
        file: String,
        line: Option<usize>,
        /// The key as a dotted path, `pot` or `quarter.cutoff`.
        key: Option<String>,
        problem: String,
    },
}

impl ConfigError {
    /// The line (from 1) the error points at, if it has one.
    pub fn line(&self) -> Option<usize> {
        match self {
            ConfigError::Io { .. } => None,
            ConfigError::Invalid { line, .. } => *line,
        }
    }

    /// The key the error is about, as a dotted path (`quarter.cutoff`), if there is one.
    pub fn key(&self) -> Option<&str> {
        match self {
            ConfigError::Io { .. } => None,
            ConfigError::Invalid { key, .. } => key.as_deref(),
        }
    }
}

fn describe(file: &str, line: Option<usize>, key: Option<&str>, problem: &str) -> String {
    let mut text = file.to_owned();
    if let Some(line) = line {
        text.push_str(&format!(" line {line}"));
    }
    if let Some(key) = key {
        text.push_str(&format!(": key `{key}`"));
    }
    text.push_str(": ");
    text.push_str(problem);
    text
}

impl CycleConfig {
    /// Reads and validates `cycle.toml`. `shown_as` is the file name used in messages.
    pub fn load(path: &Path, shown_as: &str) -> Result<CycleConfig, ConfigError> {
        let text =
            read_limited_text(path, MAX_TEXT_FILE_BYTES).map_err(|cause| ConfigError::Io {
                file: shown_as.to_owned(),
                cause,
            })?;
        CycleConfig::parse(&text, shown_as)
    }

    /// Validates the text of a `cycle.toml`. `shown_as` is the file name used in messages.
    pub fn parse(text: &str, shown_as: &str) -> Result<CycleConfig, ConfigError> {
        let source = Source {
            text,
            file: shown_as,
            what: "cycle.toml",
        };
        // Syntax first, so that a TOML mistake is reported as one and not as whatever
        // serde makes of the half-read document; then the keys and the lists' shape; then
        // serde, which can no longer fail but for something `check_shape` did not foresee.
        let table = toml::de::DeTable::parse(text).map_err(|e| source.syntax_error(&e))?;
        source.check_shape(table.get_ref())?;
        let raw: RawCycle = serde_path_to_error::deserialize(toml::de::Deserializer::from(table))
            .map_err(|e| source.serde_error(&e))?;
        source.validate(raw)
    }

    /// The dates of quarter `q`. Every validated configuration has all four quarters, in
    /// order, so this cannot miss.
    pub fn quarter(&self, q: Quarter) -> &QuarterConfig {
        &self.quarters[q.number() as usize - 1]
    }

    /// The category with this id, if the cycle has one.
    pub fn category(&self, id: &str) -> Option<&Category> {
        self.categories.iter().find(|c| c.id.as_str() == id)
    }

    /// The categories whose spend counts towards eligible spend, in file order.
    pub fn eligible_categories(&self) -> impl Iterator<Item = &Category> {
        self.categories.iter().filter(|c| c.eligible)
    }
}

/// The text being read, for turning byte offsets into lines and quoting what was written.
struct Source<'a> {
    text: &'a str,
    file: &'a str,
    /// What kind of file it is, for messages: `cycle.toml`, `a rules file`.
    what: &'a str,
}

impl Source<'_> {
    fn line_of(&self, offset: usize) -> usize {
        let end = offset.min(self.text.len());
        self.text.as_bytes()[..end]
            .iter()
            .filter(|&&b| b == b'\n')
            .count()
            + 1
    }

    fn error(&self, line: Option<usize>, key: Option<&str>, problem: String) -> ConfigError {
        // A key or value of any length may be echoed by the parser: none is shown whole.
        ConfigError::Invalid {
            file: self.file.to_owned(),
            line,
            key: key.map(|key| crate::text::shorten_words(key).into_owned()),
            problem: crate::text::shorten_words(&problem).into_owned(),
        }
    }

    /// An error about the value or table at `span`.
    fn at(&self, span: Range<usize>, key: &str, problem: String) -> ConfigError {
        self.error(Some(self.line_of(span.start)), Some(key), problem)
    }

    /// The value exactly as it is written in the file, for quoting in messages.
    fn written(&self, value: &Spanned<Value>) -> String {
        let shown = self
            .text
            .get(value.span())
            .map_or_else(|| value.get_ref().to_string(), str::to_owned);
        cut(shown.trim())
    }
}

/// The longest text value `cycle.toml` may hold (a scheme name, a rules version, a category
/// label): 200 characters, so that every one fits a workbook's header and cell.
pub const MAX_TEXT_CHARS: usize = 200;

/// Text quoted in a message is cut at 60 characters (rules §9).
fn cut(text: &str) -> String {
    if text.chars().count() <= 60 {
        text.to_owned()
    } else {
        let mut short: String = text.chars().take(60).collect();
        short.push('…');
        short
    }
}
