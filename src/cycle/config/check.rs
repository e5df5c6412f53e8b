//! The checks of each value of `cycle.toml`, turning the raw tables into a `CycleConfig`.

use std::collections::BTreeSet;
use std::ops::Range;

use chrono::NaiveDate;
use toml::{Spanned, Value};

use super::raw::{Field, RawBand, RawCategory, RawCycle, RawQuarter, Tables};
use super::{ConfigError, CycleConfig, MAX_TEXT_CHARS, QuarterConfig, Source, cut};
use crate::domain::category::{BadCategoryId, Category, CategoryId};
use crate::domain::period::parse_iso_date;
use crate::domain::ratio::PayFractionError;
use crate::domain::{FinancialYear, Money, ParseNumberError, Quarter, Ratio};
use crate::rules::taper::{Taper, TaperBand, TaperError, TaperKind};

impl Source<'_> {
    pub(super) fn validate(&self, raw: RawCycle) -> Result<CycleConfig, ConfigError> {
        let scheme = self.text_value(raw.scheme, "scheme", "\"Neighbourhood Policing Grant\"")?;
        let year = self.year(raw.year)?;
        let pot = self.pot(raw.pot)?;
        let rules_version =
            self.text_value(raw.rules_version, "rules_version", "\"npg-2025-26.1\"")?;
        let quarters = self.quarters(raw.quarter, year)?;
        let taper = self.taper_rule(raw.taper, raw.taper_kind, raw.taper_floor)?;
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
    pub(super) fn required(
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
    pub(super) fn string<'v>(
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
                    "is {} characters long, more than the {MAX_TEXT_CHARS} a value of {} may have (it starts {}); shorten it",
                    crate::text::thousands(text.chars().count()),
                    self.what,
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
    pub(super) fn text_value(
        &self,
        field: Field,
        key: &str,
        example: &str,
    ) -> Result<String, ConfigError> {
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

    /// The taper: `taper_kind` (default `"bands"`) chooses the `[[taper]]` bands, or the
    /// proportional taper with its `taper_floor`; each refuses the other's settings, so that
    /// a file never holds a rule that is not applied.
    pub(super) fn taper_rule(
        &self,
        bands: Tables<RawBand>,
        kind: Field,
        floor: Field,
    ) -> Result<Taper, ConfigError> {
        let kind = match kind {
            None => TaperKind::Bands,
            Some(value) => {
                let text = self.string(&value, "taper_kind", "\"bands\"")?;
                match text.trim() {
                    "bands" => TaperKind::Bands,
                    "proportional" => TaperKind::Proportional,
                    other => {
                        return Err(self.at(
                            value.span(),
                            "taper_kind",
                            format!(
                                "{:?} is not a kind of taper; give \"bands\" (the [[taper]] \
                                 bands) or \"proportional\" (with taper_floor)",
                                cut(other)
                            ),
                        ));
                    }
                }
            }
        };
        match kind {
            TaperKind::Bands => {
                if let Some(floor) = floor {
                    return Err(self.at(
                        floor.span(),
                        "taper_floor",
                        "is for taper_kind = \"proportional\" only; remove it, or set \
                         taper_kind = \"proportional\""
                            .to_owned(),
                    ));
                }
                self.taper(bands)
            }
            TaperKind::Proportional => {
                if let Some(bands) = bands {
                    // At the first band's header (the list's own span can start earlier).
                    let span = bands
                        .get_ref()
                        .first()
                        .map_or_else(|| bands.span(), |band| band.span());
                    return Err(self.at(
                        span,
                        "taper",
                        "[[taper]] bands are for taper_kind = \"bands\"; remove them, or \
                         remove taper_kind"
                            .to_owned(),
                    ));
                }
                let value = self.required(floor, "taper_floor", None, "\"0.60\"")?;
                let text = self.string(&value, "taper_floor", "\"0.60\"")?;
                let floor: Ratio = text.parse().map_err(|_| {
                    self.at(
                        value.span(),
                        "taper_floor",
                        format!(
                            "{:?} is not a progress ratio (a decimal with at most 4 places, \
                             for example \"0.60\" for 60%)",
                            cut(text)
                        ),
                    )
                })?;
                Taper::proportional(floor)
                    .map_err(|e| self.at(value.span(), "taper_floor", e.to_string()))
            }
        }
    }

    pub(super) fn taper(&self, tables: Tables<RawBand>) -> Result<Taper, ConfigError> {
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
                TaperError::Empty | TaperError::FloorOutside { .. } => {
                    Some(self.line_of(span.start))
                }
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
