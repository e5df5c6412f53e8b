//! The rules in force for a cycle, read from `cycle.toml` and validated.
//!
//! The file is read in two steps. First serde and the `toml` crate turn it into raw
//! tables in which every value keeps its byte span, and refuse unknown keys; then each
//! value is checked here and turned into a domain type. Keeping the values raw until the
//! second step means every mistake, whether in the TOML itself or in what a value says,
//! comes back naming the file, the line and the key, in words a finance team can act on.

use crate::read::file::{MAX_TEXT_FILE_BYTES, read_limited_text};
use std::collections::BTreeSet;
use std::ops::Range;
use std::path::Path;

use chrono::NaiveDate;
use serde::Deserialize;
use thiserror::Error;
use toml::{Spanned, Value};

use crate::domain::category::{BadCategoryId, Category, CategoryId};
use crate::domain::period::parse_iso_date;
use crate::domain::ratio::PayFractionError;
use crate::domain::{FinancialYear, Money, ParseNumberError, Quarter, Ratio};
use crate::rules::taper::{Taper, TaperBand, TaperError};

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
    #[error("{file}: cannot read it: {source}")]
    Io {
        file: String,
        source: std::io::Error,
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
            read_limited_text(path, MAX_TEXT_FILE_BYTES).map_err(|source| ConfigError::Io {
                file: shown_as.to_owned(),
                source,
            })?;
        CycleConfig::parse(&text, shown_as)
    }

    /// Validates the text of a `cycle.toml`. `shown_as` is the file name used in messages.
    pub fn parse(text: &str, shown_as: &str) -> Result<CycleConfig, ConfigError> {
        let source = Source {
            text,
            file: shown_as,
        };
        // Syntax first, so that a TOML mistake is reported as one and not as whatever
        // serde makes of the half-read document.
        if let Err(error) = toml::de::DeTable::parse(text) {
            return Err(source.toml_error(&error, true));
        }
        let raw: RawCycle = toml::from_str(text).map_err(|e| source.toml_error(&e, false))?;
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

/// A value as written, with its place in the file. Values are kept as `toml::Value` so
/// that a value of the wrong type is reported here, with its key, rather than by serde.
type Field = Option<Spanned<Value>>;

/// A list of `[[name]]` tables, each keeping the span of its header.
type Tables<T> = Option<Spanned<Vec<Spanned<T>>>>;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawCycle {
    scheme: Field,
    year: Field,
    pot: Field,
    rules_version: Field,
    quarter: Tables<RawQuarter>,
    taper: Tables<RawBand>,
    category: Tables<RawCategory>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawQuarter {
    id: Field,
    cutoff: Field,
    payment_date: Field,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawBand {
    min_progress: Field,
    pay: Field,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawCategory {
    id: Field,
    label: Field,
    eligible: Field,
}

/// The text being read, for turning byte offsets into lines and quoting what was written.
struct Source<'a> {
    text: &'a str,
    file: &'a str,
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

    /// Turns an error of the `toml` crate into one naming the file, line and key.
    fn toml_error(&self, error: &toml::de::Error, syntax: bool) -> ConfigError {
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

    fn validate(&self, raw: RawCycle) -> Result<CycleConfig, ConfigError> {
        let scheme = self.text_value(raw.scheme, "scheme", "\"Neighbourhood Policing Grant\"")?;
        let year = self.year(raw.year)?;
        let pot = self.pot(raw.pot)?;
        let rules_version =
            self.text_value(raw.rules_version, "rules_version", "\"npg-2025-26.1\"")?;
        let quarters = self.quarters(raw.quarter, year)?;
        let taper = self.taper(raw.taper)?;
        let categories = self.categories(raw.category)?;
        Ok(CycleConfig {
            scheme,
            year,
            pot,
            rules_version,
            quarters,
            taper,
            categories,
        })
    }

    /// A required key: its value, or an error saying where it belongs.
    fn required(
        &self,
        field: Field,
        key: &str,
        table: Option<Range<usize>>,
        example: &str,
    ) -> Result<Spanned<Value>, ConfigError> {
        let name = key.rsplit('.').next().unwrap_or(key);
        field.ok_or_else(|| match table {
            Some(span) => {
                let table = key.split('.').next().unwrap_or(key);
                self.at(
                    span,
                    key,
                    format!(
                        "is required but missing from this [[{table}]] table \
                         (for example {name} = {example})"
                    ),
                )
            }
            None => self.error(
                None,
                Some(key),
                format!(
                    "is required but missing; add it at the top of the file, before the \
                     first [[quarter]] (for example {name} = {example})"
                ),
            ),
        })
    }

    /// A value that must be text in quotes.
    fn string<'v>(
        &self,
        value: &'v Spanned<Value>,
        key: &str,
        example: &str,
    ) -> Result<&'v str, ConfigError> {
        match value.get_ref() {
            Value::String(text) if text.chars().count() > MAX_TEXT_CHARS => Err(self.at(
                value.span(),
                key,
                format!(
                    "is {} characters long, more than the {MAX_TEXT_CHARS} a value of cycle.toml may have (it starts {}); shorten it",
                    crate::text::thousands(text.chars().count()),
                    crate::text::cut(text)
                ),
            )),
            Value::String(text) => Ok(text),
            _ => Err(self.at(
                value.span(),
                key,
                format!(
                    "{} is not text in quotes; write it as a string, for example {example}",
                    self.written(value)
                ),
            )),
        }
    }

    /// A required top-level string that must not be blank.
    fn text_value(&self, field: Field, key: &str, example: &str) -> Result<String, ConfigError> {
        let value = self.required(field, key, None, example)?;
        let text = self.string(&value, key, example)?.trim();
        if text.is_empty() {
            return Err(self.at(
                value.span(),
                key,
                format!("is empty; give a value, for example {example}"),
            ));
        }
        Ok(text.to_owned())
    }

    fn year(&self, field: Field) -> Result<FinancialYear, ConfigError> {
        let value = self.required(field, "year", None, "\"2025-26\"")?;
        let text = self.string(&value, "year", "\"2025-26\"")?;
        text.trim().parse().map_err(|_| {
            self.at(
                value.span(),
                "year",
                format!(
                    "{:?} is not a financial year written like \"2025-26\" \
                     (April of the first year to March of the next)",
                    cut(text)
                ),
            )
        })
    }

    fn pot(&self, field: Field) -> Result<Money, ConfigError> {
        const EXAMPLE: &str = "\"200000000.00\"";
        let value = self.required(field, "pot", None, EXAMPLE)?;
        let text = self.string(&value, "pot", EXAMPLE)?;
        let shown = cut(text);
        let pot: Money = text.parse().map_err(|e| {
            let problem = match e {
                ParseNumberError::TooManyPlaces { .. } => format!(
                    "{shown:?} has more than 2 decimal places; give pounds and pence, \
                     for example {EXAMPLE}"
                ),
                ParseNumberError::OutOfRange => {
                    format!("{shown:?} is beyond any real amount (at most 1000000000000.00)")
                }
                _ => format!(
                    "{shown:?} is not an amount in pounds (digits with at most 2 decimal \
                     places, for example {EXAMPLE})"
                ),
            };
            self.at(value.span(), "pot", problem)
        })?;
        if pot <= Money::ZERO {
            return Err(self.at(
                value.span(),
                "pot",
                format!("{shown:?} is not above zero; the pot must be a positive amount"),
            ));
        }
        Ok(pot)
    }

    /// The list of `[[name]]` tables under `key`, which must have at least one.
    fn tables<T>(
        &self,
        tables: Tables<T>,
        key: &str,
        what: &str,
    ) -> Result<(Range<usize>, Vec<Spanned<T>>), ConfigError> {
        let Some(tables) = tables else {
            return Err(self.error(
                None,
                Some(key),
                format!("is missing: no [[{key}]] table; {what}"),
            ));
        };
        let span = tables.span();
        let tables = tables.into_inner();
        if tables.is_empty() {
            return Err(self.at(span, key, format!("is an empty list; {what}")));
        }
        Ok((span, tables))
    }

    fn quarters(
        &self,
        tables: Tables<RawQuarter>,
        year: FinancialYear,
    ) -> Result<Vec<QuarterConfig>, ConfigError> {
        let (span, tables) = self.tables(
            tables,
            "quarter",
            "give a [[quarter]] table for each of Q1, Q2, Q3 and Q4",
        )?;
        let mut quarters: Vec<QuarterConfig> = Vec::with_capacity(4);
        for table in tables {
            let header = table.span();
            let raw = table.into_inner();
            let id = self.required(raw.id, "quarter.id", Some(header.clone()), "\"Q1\"")?;
            let id_text = self.string(&id, "quarter.id", "\"Q1\"")?;
            let quarter: Quarter = id_text.parse().map_err(|_| {
                self.at(
                    id.span(),
                    "quarter.id",
                    format!("{:?} is not a quarter; use Q1, Q2, Q3 or Q4", cut(id_text)),
                )
            })?;
            if quarters.iter().any(|q| q.quarter == quarter) {
                return Err(self.at(
                    id.span(),
                    "quarter.id",
                    format!("{quarter} is listed twice; give each quarter once"),
                ));
            }
            if let Some(last) = quarters.last().filter(|q| q.quarter > quarter) {
                return Err(self.at(
                    id.span(),
                    "quarter.id",
                    format!(
                        "{quarter} comes after {}; list the quarters in order Q1, Q2, Q3, Q4",
                        last.quarter
                    ),
                ));
            }

            let cutoff = self.required(
                raw.cutoff,
                "quarter.cutoff",
                Some(header.clone()),
                "\"2025-07-31\"",
            )?;
            let cutoff_date = self.date(&cutoff, "quarter.cutoff")?;
            let last_day = quarter.last_day(year);
            // Payment is in arrears: a cut-off inside the quarter would close the run
            // before the quarter's actuals could exist.
            if cutoff_date <= last_day {
                return Err(self.at(
                    cutoff.span(),
                    "quarter.cutoff",
                    format!(
                        "{quarter}'s cutoff {cutoff_date} is not after the quarter ends on \
                         {last_day}; payment is in arrears, so the cut-off must come after \
                         the quarter's last day"
                    ),
                ));
            }

            let payment = self.required(
                raw.payment_date,
                "quarter.payment_date",
                Some(header),
                "\"2025-08-15\"",
            )?;
            let payment_date = self.date(&payment, "quarter.payment_date")?;
            if payment_date < cutoff_date {
                return Err(self.at(
                    payment.span(),
                    "quarter.payment_date",
                    format!(
                        "{quarter}'s payment_date {payment_date} is before its cutoff \
                         {cutoff_date}; the payment is made from the returns that count at \
                         the cut-off, so it cannot come first"
                    ),
                ));
            }
            quarters.push(QuarterConfig {
                quarter,
                cutoff: cutoff_date,
                payment_date,
            });
        }
        let missing: Vec<String> = Quarter::ALL
            .iter()
            .filter(|q| !quarters.iter().any(|c| c.quarter == **q))
            .map(Quarter::to_string)
            .collect();
        if !missing.is_empty() {
            let verb = if missing.len() == 1 { "is" } else { "are" };
            return Err(self.at(
                span,
                "quarter",
                format!(
                    "{} {verb} missing; give a [[quarter]] table for each of Q1, Q2, Q3 and Q4",
                    missing.join(", ")
                ),
            ));
        }
        Ok(quarters)
    }

    /// A date written `"YYYY-MM-DD"`, or a bare TOML date such as `2025-07-31`.
    fn date(&self, value: &Spanned<Value>, key: &str) -> Result<NaiveDate, ConfigError> {
        let problem = match value.get_ref() {
            Value::String(text) => match parse_iso_date(text.trim()) {
                Some(date) => return Ok(date),
                None => format!(
                    "{:?} is not a date written YYYY-MM-DD (for example \"2025-07-31\")",
                    cut(text)
                ),
            },
            Value::Datetime(datetime) => match (datetime.date, datetime.time, datetime.offset) {
                (Some(date), None, None) => {
                    match NaiveDate::from_ymd_opt(
                        i32::from(date.year),
                        u32::from(date.month),
                        u32::from(date.day),
                    ) {
                        Some(date) => return Ok(date),
                        None => format!("{} is not a real date", self.written(value)),
                    }
                }
                _ => format!(
                    "{} is not a date alone; give the day without a time, for example \
                     \"2025-07-31\"",
                    self.written(value)
                ),
            },
            _ => format!(
                "{} is not a date; write it as \"YYYY-MM-DD\", for example \"2025-07-31\"",
                self.written(value)
            ),
        };
        Err(self.at(value.span(), key, problem))
    }

    fn taper(&self, tables: Tables<RawBand>) -> Result<Taper, ConfigError> {
        let (span, tables) = self.tables(
            tables,
            "taper",
            "give at least one [[taper]] band with a min_progress and a pay fraction",
        )?;
        let mut bands: Vec<TaperBand> = Vec::with_capacity(tables.len());
        let mut lines: Vec<usize> = Vec::with_capacity(tables.len());
        for table in tables {
            let header = table.span();
            let raw = table.into_inner();
            let min = self.required(
                raw.min_progress,
                "taper.min_progress",
                Some(header.clone()),
                "\"0.9500\"",
            )?;
            let min_text = self.string(&min, "taper.min_progress", "\"0.9500\"")?;
            let min_progress: Ratio = min_text.parse().map_err(|e| {
                let shown = cut(min_text);
                let problem = match e {
                    ParseNumberError::TooManyPlaces { .. } => format!(
                        "{shown:?} has more than 4 decimal places; progress is compared to \
                         4 places (for example \"0.9500\")"
                    ),
                    _ => format!(
                        "{shown:?} is not a progress ratio (a decimal with at most 4 places, \
                         for example \"0.9500\" for 95%)"
                    ),
                };
                self.at(min.span(), "taper.min_progress", problem)
            })?;

            let pay = self.required(raw.pay, "taper.pay", Some(header), "\"0.90\"")?;
            let pay_text = self.string(&pay, "taper.pay", "\"0.90\"")?;
            let fraction = pay_text.parse().map_err(|e| {
                let shown = cut(pay_text);
                let problem = match e {
                    PayFractionError::OutsideZeroToOne => format!(
                        "{shown:?} is outside 0 to 1; pay is the fraction paid, from \"0.00\" \
                         (nothing) to \"1.00\" (all)"
                    ),
                    PayFractionError::TooManyPlaces => {
                        format!("{shown:?} has more than 2 decimal places (for example \"0.90\")")
                    }
                    PayFractionError::NotANumber => format!(
                        "{shown:?} is not a fraction (a decimal from 0 to 1 with at most 2 \
                         places, for example \"0.90\")"
                    ),
                };
                self.at(pay.span(), "taper.pay", problem)
            })?;
            lines.push(self.line_of(min.span().start));
            bands.push(TaperBand {
                min_progress,
                pay: fraction,
            });
        }
        Taper::new(bands).map_err(|error| {
            let line = match &error {
                TaperError::NotDecreasing { band, .. } => lines.get(band - 1).copied(),
                TaperError::Empty => Some(self.line_of(span.start)),
            };
            self.error(line, Some("taper.min_progress"), error.to_string())
        })
    }

    fn categories(&self, tables: Tables<RawCategory>) -> Result<Vec<Category>, ConfigError> {
        let (span, tables) = self.tables(
            tables,
            "category",
            "give a [[category]] table for each expenditure category of the financial return",
        )?;
        let mut categories: Vec<Category> = Vec::with_capacity(tables.len());
        let mut seen = BTreeSet::new();
        for table in tables {
            let header = table.span();
            let raw = table.into_inner();
            let id = self.required(
                raw.id,
                "category.id",
                Some(header.clone()),
                "\"officer-pay\"",
            )?;
            let id_text = self.string(&id, "category.id", "\"officer-pay\"")?;
            let category_id: CategoryId = id_text
                .parse()
                .map_err(|e: BadCategoryId| self.at(id.span(), "category.id", e.to_string()))?;
            if !seen.insert(category_id.clone()) {
                return Err(self.at(
                    id.span(),
                    "category.id",
                    format!(
                        "category {category_id} is listed twice (X11); give each category once"
                    ),
                ));
            }

            let label = self.required(
                raw.label,
                "category.label",
                Some(header.clone()),
                "\"PCSOs: pay and on-costs\"",
            )?;
            let label_text = self
                .string(&label, "category.label", "\"PCSOs: pay and on-costs\"")?
                .trim();
            if label_text.is_empty() {
                return Err(self.at(
                    label.span(),
                    "category.label",
                    format!(
                        "category {category_id} has an empty label; give the text shown on \
                         the financial return"
                    ),
                ));
            }

            let eligible =
                self.required(raw.eligible, "category.eligible", Some(header), "true")?;
            let Value::Boolean(eligible_flag) = eligible.get_ref() else {
                return Err(self.at(
                    eligible.span(),
                    "category.eligible",
                    format!(
                        "{} is not true or false; write eligible = true or eligible = false, \
                         without quotes",
                        self.written(&eligible)
                    ),
                ));
            };
            categories.push(Category {
                id: category_id,
                label: label_text.to_owned(),
                eligible: *eligible_flag,
            });
        }
        if !categories.iter().any(|c| c.eligible) {
            return Err(self.at(
                span,
                "category.eligible",
                "no category is eligible, so no spend could ever be paid; mark at least one \
                 with eligible = true"
                    .to_owned(),
            ));
        }
        Ok(categories)
    }
}

/// The key at `offset` as a dotted path (`pot`, `quarter.cutoff`), read from the line's
/// text. serde's errors carry only a span, and a syntax error has no parsed key at all,
/// so the text is the one place both can be named from.
fn key_path_at(text: &str, offset: usize) -> Option<String> {
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

/// Text quoted in a message is cut at 60 characters (rules §9).
/// The longest text value `cycle.toml` may hold (a scheme name, a rules version, a category
/// label): 200 characters, so that every one fits a workbook's header and cell.
pub const MAX_TEXT_CHARS: usize = 200;

fn cut(text: &str) -> String {
    if text.chars().count() <= 60 {
        text.to_owned()
    } else {
        let mut short: String = text.chars().take(60).collect();
        short.push('…');
        short
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A valid file with short lists, so the line numbers in messages are easy to check.
    const BASE: &str = r#"scheme = "Neighbourhood Policing Grant"
year = "2025-26"
pot = "200000000.00"
rules_version = "npg-2025-26.1"

[[quarter]]
id = "Q1"
cutoff = "2025-07-31"
payment_date = "2025-08-15"

[[quarter]]
id = "Q2"
cutoff = "2025-10-31"
payment_date = "2025-11-14"

[[quarter]]
id = "Q3"
cutoff = "2026-01-31"
payment_date = "2026-02-13"

[[quarter]]
id = "Q4"
cutoff = "2026-04-30"
payment_date = "2026-05-15"

[[taper]]
min_progress = "1.0000"
pay = "1.00"

[[taper]]
min_progress = "0.9500"
pay = "0.90"

[[taper]]
min_progress = "0.8500"
pay = "0.70"

[[taper]]
min_progress = "0.7501"
pay = "0.50"

[[category]]
id = "officer-pay"
label = "Additional neighbourhood police officers: pay and on-costs"
eligible = true

[[category]]
id = "other"
label = "Other spending, described in Notes"
eligible = false
"#;

    /// BASE with `from` (which must occur exactly once) replaced by `to`.
    fn with(from: &str, to: &str) -> String {
        assert_eq!(BASE.matches(from).count(), 1, "{from:?} must occur once");
        BASE.replacen(from, to, 1)
    }

    fn error(text: &str) -> String {
        match CycleConfig::parse(text, "cycle.toml") {
            Ok(_) => panic!("expected an error for:\n{text}"),
            Err(e) => e.to_string(),
        }
    }

    fn date(text: &str) -> NaiveDate {
        parse_iso_date(text).unwrap()
    }

    #[test]
    fn the_base_text_is_valid() {
        let config = CycleConfig::parse(BASE, "cycle.toml").unwrap();
        assert_eq!(config.categories.len(), 2);
        assert_eq!(config.taper, Taper::default_npg());
    }

    #[test]
    fn loads_the_fixture_year_with_every_value() {
        let config = CycleConfig::load(
            Path::new("fixtures/2025-26/cycle.toml"),
            "fixtures/2025-26/cycle.toml",
        )
        .unwrap();
        assert_eq!(config.scheme, "Neighbourhood Policing Grant");
        assert_eq!(config.year.to_string(), "2025-26");
        assert_eq!(config.pot, Money::pounds(200_000_000));
        assert_eq!(config.pot.to_string(), "200000000.00");
        assert_eq!(config.rules_version, "npg-2025-26.1");

        let quarters: Vec<(Quarter, String, String)> = config
            .quarters
            .iter()
            .map(|q| (q.quarter, q.cutoff.to_string(), q.payment_date.to_string()))
            .collect();
        let expected = [
            (Quarter::Q1, "2025-07-31", "2025-08-15"),
            (Quarter::Q2, "2025-10-31", "2025-11-14"),
            (Quarter::Q3, "2026-01-31", "2026-02-13"),
            (Quarter::Q4, "2026-04-30", "2026-05-15"),
        ]
        .map(|(q, c, p)| (q, c.to_owned(), p.to_owned()));
        assert_eq!(quarters, expected);
        assert_eq!(config.quarter(Quarter::Q3).cutoff, date("2026-01-31"));
        assert_eq!(config.quarter(Quarter::Q4).payment_date, date("2026-05-15"));

        let bands: Vec<(String, String)> = config
            .taper
            .bands()
            .iter()
            .map(|b| (b.min_progress.to_string(), b.pay.to_string()))
            .collect();
        let expected = [
            ("1.0000", "1.00"),
            ("0.9500", "0.90"),
            ("0.8500", "0.70"),
            ("0.7501", "0.50"),
        ]
        .map(|(p, f)| (p.to_owned(), f.to_owned()));
        assert_eq!(bands, expected);
        assert_eq!(config.taper, Taper::default_npg());

        let categories: Vec<(&str, &str, bool)> = config
            .categories
            .iter()
            .map(|c| (c.id.as_str(), c.label.as_str(), c.eligible))
            .collect();
        assert_eq!(
            categories,
            [
                (
                    "officer-pay",
                    "Additional neighbourhood police officers: pay and on-costs",
                    true
                ),
                ("pcso-pay", "PCSOs: pay and on-costs", true),
                (
                    "specials",
                    "Special constables: allowances, expenses and kit",
                    true
                ),
                (
                    "training",
                    "Neighbourhood Policing Programme training and backfill",
                    true
                ),
                (
                    "equipment",
                    "Equipment, vehicles and technology for neighbourhood teams",
                    true
                ),
                ("other", "Other spending, described in Notes", false),
            ]
        );
        let eligible: Vec<&str> = config
            .eligible_categories()
            .map(|c| c.id.as_str())
            .collect();
        assert_eq!(
            eligible,
            [
                "officer-pay",
                "pcso-pay",
                "specials",
                "training",
                "equipment"
            ]
        );
        assert_eq!(
            config.category("pcso-pay").unwrap().label,
            "PCSOs: pay and on-costs"
        );
        assert!(!config.category("other").unwrap().eligible);
        assert_eq!(config.category("overtime"), None);
    }

    #[test]
    fn a_missing_file_is_an_io_error_naming_it() {
        let err =
            CycleConfig::load(Path::new("no/such/cycle.toml"), "no/such/cycle.toml").unwrap_err();
        assert!(matches!(err, ConfigError::Io { .. }));
        assert!(
            err.to_string()
                .starts_with("no/such/cycle.toml: cannot read it: "),
            "{err}"
        );
        assert_eq!(err.line(), None);
    }

    #[test]
    fn messages_use_the_name_given_and_expose_line_and_key() {
        let err = CycleConfig::parse(
            &with(r#"pot = "200000000.00""#, r#"pot = "2000x""#),
            "fixtures/2025-26/cycle.toml",
        )
        .unwrap_err();
        assert_eq!(
            err.to_string(),
            "fixtures/2025-26/cycle.toml line 3: key `pot`: \"2000x\" is not an amount in \
             pounds (digits with at most 2 decimal places, for example \"200000000.00\")"
        );
        assert_eq!(err.line(), Some(3));
        assert_eq!(err.key(), Some("pot"));
    }

    #[test]
    fn toml_syntax_errors_name_line_and_key() {
        assert_eq!(
            error(&with(r#"pot = "200000000.00""#, r#"pot = "200000000.00"#)),
            "cycle.toml line 3: key `pot`: is not valid TOML: invalid basic string, expected `\"`"
        );
        assert_eq!(
            error(&with(r#"pot = "200000000.00""#, "pot = 200,000,000.00")),
            "cycle.toml line 3: key `pot`: is not valid TOML: unexpected key or value, \
             expected newline, `#`"
        );
        assert_eq!(
            error(&with("[[quarter]]\nid = \"Q3\"", "[[quarter]\nid = \"Q3\"")),
            "cycle.toml line 16: key `quarter`: is not valid TOML: unclosed array table, expected `]`"
        );
        assert_eq!(
            error(&with(
                r#"rules_version = "npg-2025-26.1""#,
                "rules_version = \"npg-2025-26.1\"\npot = \"1.00\""
            )),
            "cycle.toml line 5: key `pot`: is given twice; keep one"
        );
    }

    #[test]
    fn unknown_keys_are_refused_wherever_they_are() {
        assert_eq!(
            error(&with(
                r#"rules_version = "npg-2025-26.1""#,
                "rules_version = \"npg-2025-26.1\"\ncolour = \"red\""
            )),
            "cycle.toml line 5: key `colour`: is not a key of cycle.toml here (expected one \
             of `scheme`, `year`, `pot`, `rules_version`, `quarter`, `taper`, `category`); \
             check its spelling"
        );
        assert_eq!(
            error(&with(
                r#"payment_date = "2025-11-14""#,
                "payment_date = \"2025-11-14\"\npaydate = \"2025-11-14\""
            )),
            "cycle.toml line 15: key `quarter.paydate`: is not a key of cycle.toml here \
             (expected one of `id`, `cutoff`, `payment_date`); check its spelling"
        );
        assert_eq!(
            error(&with(r#"pay = "0.90""#, "pay = \"0.90\"\nrag = \"amber\"")),
            "cycle.toml line 33: key `taper.rag`: is not a key of cycle.toml here \
             (expected `min_progress` or `pay`); check its spelling"
        );
        assert_eq!(
            error(&with(
                "eligible = false",
                "eligible = false\nnote = \"needs notes\""
            )),
            "cycle.toml line 51: key `category.note`: is not a key of cycle.toml here \
             (expected one of `id`, `label`, `eligible`); check its spelling"
        );
    }

    #[test]
    fn missing_top_level_keys_are_named() {
        for (line, key, example) in [
            (
                r#"scheme = "Neighbourhood Policing Grant""#,
                "scheme",
                r#""Neighbourhood Policing Grant""#,
            ),
            (r#"year = "2025-26""#, "year", r#""2025-26""#),
            (r#"pot = "200000000.00""#, "pot", r#""200000000.00""#),
            (
                r#"rules_version = "npg-2025-26.1""#,
                "rules_version",
                r#""npg-2025-26.1""#,
            ),
        ] {
            let text = with(&format!("{line}\n"), "");
            assert_eq!(
                error(&text),
                format!(
                    "cycle.toml: key `{key}`: is required but missing; add it at the top of \
                     the file, before the first [[quarter]] (for example {key} = {example})"
                )
            );
        }
    }

    #[test]
    fn missing_keys_in_tables_name_the_table_line() {
        let cases = [
            (
                "id = \"Q2\"\n",
                "cycle.toml line 11: key `quarter.id`: is required but missing from this \
                 [[quarter]] table (for example id = \"Q1\")",
            ),
            (
                "cutoff = \"2025-10-31\"\n",
                "cycle.toml line 11: key `quarter.cutoff`: is required but missing from this \
                 [[quarter]] table (for example cutoff = \"2025-07-31\")",
            ),
            (
                "payment_date = \"2025-11-14\"\n",
                "cycle.toml line 11: key `quarter.payment_date`: is required but missing from \
                 this [[quarter]] table (for example payment_date = \"2025-08-15\")",
            ),
            (
                "min_progress = \"0.9500\"\n",
                "cycle.toml line 30: key `taper.min_progress`: is required but missing from \
                 this [[taper]] table (for example min_progress = \"0.9500\")",
            ),
            (
                "pay = \"0.90\"\n",
                "cycle.toml line 30: key `taper.pay`: is required but missing from this \
                 [[taper]] table (for example pay = \"0.90\")",
            ),
            (
                "id = \"other\"\n",
                "cycle.toml line 47: key `category.id`: is required but missing from this \
                 [[category]] table (for example id = \"officer-pay\")",
            ),
            (
                "label = \"Other spending, described in Notes\"\n",
                "cycle.toml line 47: key `category.label`: is required but missing from this \
                 [[category]] table (for example label = \"PCSOs: pay and on-costs\")",
            ),
            (
                "eligible = false\n",
                "cycle.toml line 47: key `category.eligible`: is required but missing from \
                 this [[category]] table (for example eligible = true)",
            ),
        ];
        for (line, expected) in cases {
            assert_eq!(error(&with(line, "")), expected, "removing {line:?}");
        }
    }

    #[test]
    fn values_of_the_wrong_type_are_named() {
        assert_eq!(
            error(&with(r#"pot = "200000000.00""#, "pot = 200000000.00")),
            "cycle.toml line 3: key `pot`: 200000000.00 is not text in quotes; write it as a \
             string, for example \"200000000.00\""
        );
        assert_eq!(
            error(&with(r#"year = "2025-26""#, "year = 2025")),
            "cycle.toml line 2: key `year`: 2025 is not text in quotes; write it as a string, \
             for example \"2025-26\""
        );
        assert_eq!(
            error(&with(r#"id = "Q2""#, "id = 2")),
            "cycle.toml line 12: key `quarter.id`: 2 is not text in quotes; write it as a \
             string, for example \"Q1\""
        );
        assert_eq!(
            error(&with(r#"min_progress = "0.9500""#, "min_progress = 0.95")),
            "cycle.toml line 31: key `taper.min_progress`: 0.95 is not text in quotes; write \
             it as a string, for example \"0.9500\""
        );
        assert_eq!(
            error(&with(r#"pay = "0.90""#, "pay = 0.9")),
            "cycle.toml line 32: key `taper.pay`: 0.9 is not text in quotes; write it as a \
             string, for example \"0.90\""
        );
        assert_eq!(
            error(&with("eligible = false", "eligible = \"no\"")),
            "cycle.toml line 50: key `category.eligible`: \"no\" is not true or false; write \
             eligible = true or eligible = false, without quotes"
        );
        assert_eq!(
            error(&with(
                r#"label = "Other spending, described in Notes""#,
                "label = 7"
            )),
            "cycle.toml line 49: key `category.label`: 7 is not text in quotes; write it as a \
             string, for example \"PCSOs: pay and on-costs\""
        );
    }

    #[test]
    fn a_list_written_as_a_single_table_or_a_value_is_refused() {
        let start = BASE.find("[[taper]]").unwrap();
        let end = BASE.find("[[category]]").unwrap();
        let value = format!(
            "{}{}",
            BASE[..start].replace(
                "rules_version = \"npg-2025-26.1\"",
                "rules_version = \"npg-2025-26.1\"\ntaper = \"1.00\""
            ),
            &BASE[end..]
        );
        assert_eq!(
            error(&value),
            "cycle.toml line 5: key `taper`: must be written as [[taper]] tables, each \
             holding its keys; found string \"1.00\""
        );
        let single = format!(
            "{}[category]\nid = \"officer-pay\"\nlabel = \"Officer pay\"\neligible = true\n",
            &BASE[..end]
        );
        assert_eq!(
            error(&single),
            "cycle.toml line 42: key `category`: must be written as [[category]] tables, \
             each holding its keys; found a single table"
        );
        assert_eq!(
            error(&with(
                "[[category]]\nid = \"other\"",
                "[category]\nid = \"other\""
            )),
            "cycle.toml line 47: key `category`: is given twice; write each table of a list \
             with double brackets, [[category]]"
        );
    }

    #[test]
    fn an_empty_file_asks_for_the_first_key() {
        assert_eq!(
            error(""),
            "cycle.toml: key `scheme`: is required but missing; add it at the top of the \
             file, before the first [[quarter]] (for example scheme = \"Neighbourhood \
             Policing Grant\")"
        );
    }

    #[test]
    fn a_list_item_that_is_not_a_table_is_refused() {
        let end = BASE.find("[[category]]").unwrap();
        let text = BASE[..end].replace(
            "rules_version = \"npg-2025-26.1\"",
            "rules_version = \"npg-2025-26.1\"\ncategory = [5]",
        );
        assert_eq!(
            error(&text),
            "cycle.toml line 5: key `category`: must be written as [[category]] tables, each \
             holding its keys; found integer `5`"
        );
    }

    #[test]
    fn bad_years_are_refused() {
        for bad in ["2025/26", "2025-27", "2025", "25-26"] {
            assert_eq!(
                error(&with(r#"year = "2025-26""#, &format!("year = \"{bad}\""))),
                format!(
                    "cycle.toml line 2: key `year`: \"{bad}\" is not a financial year written \
                     like \"2025-26\" (April of the first year to March of the next)"
                )
            );
        }
    }

    #[test]
    fn the_pot_must_be_a_positive_amount_in_pounds_and_pence() {
        let pot = |text: &str| {
            error(&with(
                r#"pot = "200000000.00""#,
                &format!("pot = \"{text}\""),
            ))
        };
        assert_eq!(
            pot("2000x"),
            "cycle.toml line 3: key `pot`: \"2000x\" is not an amount in pounds (digits with \
             at most 2 decimal places, for example \"200000000.00\")"
        );
        assert_eq!(
            pot("200,000,000.00"),
            "cycle.toml line 3: key `pot`: \"200,000,000.00\" is not an amount in pounds \
             (digits with at most 2 decimal places, for example \"200000000.00\")"
        );
        assert_eq!(
            pot("200000000.001"),
            "cycle.toml line 3: key `pot`: \"200000000.001\" has more than 2 decimal places; \
             give pounds and pence, for example \"200000000.00\""
        );
        assert_eq!(
            pot("0.00"),
            "cycle.toml line 3: key `pot`: \"0.00\" is not above zero; the pot must be a \
             positive amount"
        );
        assert_eq!(
            pot("-5.00"),
            "cycle.toml line 3: key `pot`: \"-5.00\" is not above zero; the pot must be a \
             positive amount"
        );
        assert_eq!(
            pot("1000000000000.01"),
            "cycle.toml line 3: key `pot`: \"1000000000000.01\" is beyond any real amount \
             (at most 1000000000000.00)"
        );
        // Whole pounds are an amount too.
        let config = CycleConfig::parse(&with(r#""200000000.00""#, r#""200000000""#), "c").unwrap();
        assert_eq!(config.pot.to_string(), "200000000.00");
    }

    #[test]
    fn scheme_and_rules_version_must_not_be_blank() {
        assert_eq!(
            error(&with(r#""npg-2025-26.1""#, r#""""#)),
            "cycle.toml line 4: key `rules_version`: is empty; give a value, for example \
             \"npg-2025-26.1\""
        );
        assert_eq!(
            error(&with(r#""npg-2025-26.1""#, r#""   ""#)),
            "cycle.toml line 4: key `rules_version`: is empty; give a value, for example \
             \"npg-2025-26.1\""
        );
        assert_eq!(
            error(&with(r#""Neighbourhood Policing Grant""#, r#""""#)),
            "cycle.toml line 1: key `scheme`: is empty; give a value, for example \
             \"Neighbourhood Policing Grant\""
        );
    }

    const Q4: &str =
        "[[quarter]]\nid = \"Q4\"\ncutoff = \"2026-04-30\"\npayment_date = \"2026-05-15\"\n\n";
    const Q2: &str =
        "[[quarter]]\nid = \"Q2\"\ncutoff = \"2025-10-31\"\npayment_date = \"2025-11-14\"\n\n";
    const Q3: &str =
        "[[quarter]]\nid = \"Q3\"\ncutoff = \"2026-01-31\"\npayment_date = \"2026-02-13\"\n\n";

    #[test]
    fn every_quarter_is_listed_once_in_order() {
        assert_eq!(
            error(&with(Q4, "")),
            "cycle.toml line 6: key `quarter`: Q4 is missing; give a [[quarter]] table for \
             each of Q1, Q2, Q3 and Q4"
        );
        assert_eq!(
            error(&with(&format!("{Q2}{Q3}"), "")),
            "cycle.toml line 6: key `quarter`: Q2, Q3 are missing; give a [[quarter]] table \
             for each of Q1, Q2, Q3 and Q4"
        );
        assert_eq!(
            error(&with(Q3, Q2)),
            "cycle.toml line 17: key `quarter.id`: Q2 is listed twice; give each quarter once"
        );
        assert_eq!(
            error(&with(&format!("{Q2}{Q3}"), &format!("{Q3}{Q2}"))),
            "cycle.toml line 17: key `quarter.id`: Q2 comes after Q3; list the quarters in \
             order Q1, Q2, Q3, Q4"
        );
        assert_eq!(
            error(&with(r#"id = "Q4""#, r#"id = "Q5""#)),
            "cycle.toml line 22: key `quarter.id`: \"Q5\" is not a quarter; use Q1, Q2, Q3 or Q4"
        );
        let no_quarters = with(
            &format!(
                "[[quarter]]\nid = \"Q1\"\ncutoff = \"2025-07-31\"\npayment_date = \"2025-08-15\"\n\n{Q2}{Q3}{Q4}"
            ),
            "",
        );
        assert_eq!(
            error(&no_quarters),
            "cycle.toml: key `quarter`: is missing: no [[quarter]] table; give a [[quarter]] \
             table for each of Q1, Q2, Q3 and Q4"
        );
    }

    #[test]
    fn quarter_dates_must_be_real_dates() {
        let cutoff = |text: &str| {
            error(&with(
                r#"cutoff = "2025-10-31""#,
                &format!("cutoff = {text}"),
            ))
        };
        assert_eq!(
            cutoff(r#""2025-10-32""#),
            "cycle.toml line 13: key `quarter.cutoff`: \"2025-10-32\" is not a date written \
             YYYY-MM-DD (for example \"2025-07-31\")"
        );
        assert_eq!(
            cutoff(r#""31/10/2025""#),
            "cycle.toml line 13: key `quarter.cutoff`: \"31/10/2025\" is not a date written \
             YYYY-MM-DD (for example \"2025-07-31\")"
        );
        assert_eq!(
            cutoff("20251031"),
            "cycle.toml line 13: key `quarter.cutoff`: 20251031 is not a date; write it as \
             \"YYYY-MM-DD\", for example \"2025-07-31\""
        );
        assert_eq!(
            cutoff("2025-10-31T12:00:00"),
            "cycle.toml line 13: key `quarter.cutoff`: 2025-10-31T12:00:00 is not a date \
             alone; give the day without a time, for example \"2025-07-31\""
        );
        assert_eq!(
            error(&with(
                r#"payment_date = "2025-11-14""#,
                r#"payment_date = "14 Nov 2025""#
            )),
            "cycle.toml line 14: key `quarter.payment_date`: \"14 Nov 2025\" is not a date \
             written YYYY-MM-DD (for example \"2025-07-31\")"
        );
        // A bare TOML date is read as the same date.
        let config = CycleConfig::parse(
            &with(
                "cutoff = \"2025-10-31\"\npayment_date = \"2025-11-14\"",
                "cutoff = 2025-10-31\npayment_date = 2025-11-14",
            ),
            "cycle.toml",
        )
        .unwrap();
        assert_eq!(config.quarter(Quarter::Q2).cutoff, date("2025-10-31"));
        assert_eq!(config.quarter(Quarter::Q2).payment_date, date("2025-11-14"));
    }

    #[test]
    fn the_cutoff_comes_after_the_quarter_and_payment_after_the_cutoff() {
        assert_eq!(
            error(&with(
                r#"cutoff = "2025-10-31""#,
                r#"cutoff = "2025-09-15""#
            )),
            "cycle.toml line 13: key `quarter.cutoff`: Q2's cutoff 2025-09-15 is not after the \
             quarter ends on 2025-09-30; payment is in arrears, so the cut-off must come after \
             the quarter's last day"
        );
        assert_eq!(
            error(&with(
                r#"cutoff = "2025-10-31""#,
                r#"cutoff = "2025-09-30""#
            )),
            "cycle.toml line 13: key `quarter.cutoff`: Q2's cutoff 2025-09-30 is not after the \
             quarter ends on 2025-09-30; payment is in arrears, so the cut-off must come after \
             the quarter's last day"
        );
        assert_eq!(
            error(&with(
                r#"payment_date = "2025-11-14""#,
                r#"payment_date = "2025-10-30""#
            )),
            "cycle.toml line 14: key `quarter.payment_date`: Q2's payment_date 2025-10-30 is \
             before its cutoff 2025-10-31; the payment is made from the returns that count at \
             the cut-off, so it cannot come first"
        );
        // Paying on the cut-off day itself is allowed.
        let config = CycleConfig::parse(
            &with(
                r#"payment_date = "2025-11-14""#,
                r#"payment_date = "2025-10-31""#,
            ),
            "cycle.toml",
        )
        .unwrap();
        assert_eq!(config.quarter(Quarter::Q2).payment_date, date("2025-10-31"));
    }

    #[test]
    fn taper_bands_must_strictly_decrease() {
        assert_eq!(
            error(&with(
                r#"min_progress = "0.8500""#,
                r#"min_progress = "0.9500""#
            )),
            "cycle.toml line 35: key `taper.min_progress`: taper band 3: min_progress 0.9500 \
             is not below band 2's 0.9500; list the bands in strictly decreasing min_progress"
        );
        assert_eq!(
            error(&with(
                r#"min_progress = "0.7501""#,
                r#"min_progress = "0.9000""#
            )),
            "cycle.toml line 39: key `taper.min_progress`: taper band 4: min_progress 0.9000 \
             is not below band 3's 0.8500; list the bands in strictly decreasing min_progress"
        );
    }

    #[test]
    fn taper_values_must_be_exact_ratios_and_fractions() {
        let min = |text: &str| {
            error(&with(
                r#"min_progress = "0.9500""#,
                &format!("min_progress = \"{text}\""),
            ))
        };
        assert_eq!(
            min("0.95001"),
            "cycle.toml line 31: key `taper.min_progress`: \"0.95001\" has more than 4 decimal \
             places; progress is compared to 4 places (for example \"0.9500\")"
        );
        assert_eq!(
            min("95%"),
            "cycle.toml line 31: key `taper.min_progress`: \"95%\" is not a progress ratio (a \
             decimal with at most 4 places, for example \"0.9500\" for 95%)"
        );
        let pay = |text: &str| error(&with(r#"pay = "0.90""#, &format!("pay = \"{text}\"")));
        assert_eq!(
            pay("1.10"),
            "cycle.toml line 32: key `taper.pay`: \"1.10\" is outside 0 to 1; pay is the \
             fraction paid, from \"0.00\" (nothing) to \"1.00\" (all)"
        );
        assert_eq!(
            pay("-0.10"),
            "cycle.toml line 32: key `taper.pay`: \"-0.10\" is outside 0 to 1; pay is the \
             fraction paid, from \"0.00\" (nothing) to \"1.00\" (all)"
        );
        assert_eq!(
            pay("0.905"),
            "cycle.toml line 32: key `taper.pay`: \"0.905\" has more than 2 decimal places \
             (for example \"0.90\")"
        );
        assert_eq!(
            pay("most"),
            "cycle.toml line 32: key `taper.pay`: \"most\" is not a fraction (a decimal from \
             0 to 1 with at most 2 places, for example \"0.90\")"
        );
    }

    #[test]
    fn there_must_be_a_taper_band() {
        let start = BASE.find("[[taper]]").unwrap();
        let end = BASE.find("[[category]]").unwrap();
        let without = format!("{}{}", &BASE[..start], &BASE[end..]);
        assert_eq!(
            error(&without),
            "cycle.toml: key `taper`: is missing: no [[taper]] table; give at least one \
             [[taper]] band with a min_progress and a pay fraction"
        );
        let empty = format!(
            "{}{}",
            BASE[..start].replace(
                "[[quarter]]\nid = \"Q1\"",
                "taper = []\n\n[[quarter]]\nid = \"Q1\""
            ),
            &BASE[end..]
        );
        assert_eq!(
            error(&empty),
            "cycle.toml line 6: key `taper`: is an empty list; give at least one [[taper]] \
             band with a min_progress and a pay fraction"
        );
    }

    #[test]
    fn categories_are_checked() {
        let start = BASE.find("[[category]]").unwrap();
        assert_eq!(
            error(&BASE[..start]),
            "cycle.toml: key `category`: is missing: no [[category]] table; give a \
             [[category]] table for each expenditure category of the financial return"
        );
        assert_eq!(
            error(&with(r#"id = "other""#, r#"id = "officer-pay""#)),
            "cycle.toml line 48: key `category.id`: category officer-pay is listed twice \
             (X11); give each category once"
        );
        assert_eq!(
            error(&with(r#"id = "other""#, r#"id = "Other Spend""#)),
            "cycle.toml line 48: key `category.id`: \"Other Spend\" is not a category id: use \
             lower-case letters, digits and hyphens only (for example officer-pay)"
        );
        assert_eq!(
            error(&with(
                r#"label = "Other spending, described in Notes""#,
                r#"label = " ""#
            )),
            "cycle.toml line 49: key `category.label`: category other has an empty label; \
             give the text shown on the financial return"
        );
        assert_eq!(
            error(&with("eligible = true", "eligible = false")),
            "cycle.toml line 42: key `category.eligible`: no category is eligible, so no spend \
             could ever be paid; mark at least one with eligible = true"
        );
    }

    #[test]
    fn key_paths_are_read_from_the_text() {
        let text = "a = 1\n[[quarter]]\nid = \"Q1\"\n[x] # note\nb.c = 2\n";
        assert_eq!(key_path_at(text, 0).as_deref(), Some("a"));
        assert_eq!(key_path_at(text, 7).as_deref(), Some("quarter"));
        assert_eq!(key_path_at(text, 19).as_deref(), Some("quarter.id"));
        assert_eq!(key_path_at(text, 40).as_deref(), Some("x.b.c"));
        assert_eq!(key_path_at("\"a b\" = 1", 0), None);
        assert_eq!(key_path_at("", 5), None);
    }
}
