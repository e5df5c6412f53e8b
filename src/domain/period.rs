//! Periods of the grant: the financial year (April to March), its months and its quarters.

use std::fmt;
use std::str::FromStr;

use chrono::{Datelike, NaiveDate};
use thiserror::Error;

/// A financial year such as `2025-26`: April 2025 to March 2026.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct FinancialYear {
    start: i32,
}

/// Why text is not a period.
#[derive(Clone, Debug, PartialEq, Eq, Error)]
pub enum PeriodError {
    #[error("is not a financial year written like 2025-26")]
    BadYear,
    #[error("is not a month written YYYY-MM")]
    BadMonth,
    #[error("is not a quarter (Q1, Q2, Q3 or Q4)")]
    BadQuarter,
}

impl FinancialYear {
    /// The year starting in April of `start` (`2025` for `2025-26`).
    pub fn starting(start: i32) -> FinancialYear {
        FinancialYear { start }
    }

    pub fn start_year(self) -> i32 {
        self.start
    }

    /// Month number `index` (1 = April … 12 = March) of the year.
    pub fn month(self, index: u32) -> Option<Month> {
        if !(1..=12).contains(&index) {
            return None;
        }
        let calendar = (index + 2) % 12 + 1; // 1 → 4 (April), 9 → 12, 10 → 1 (January)
        let year = if calendar >= 4 {
            self.start
        } else {
            self.start + 1
        };
        Month::new(year, calendar)
    }

    /// The twelve months, April to March.
    pub fn months(self) -> impl Iterator<Item = Month> {
        (1..=12).filter_map(move |i| self.month(i))
    }

    pub fn first_month(self) -> Month {
        Month {
            year: self.start,
            month: 4,
        }
    }

    pub fn last_month(self) -> Month {
        Month {
            year: self.start + 1,
            month: 3,
        }
    }

    pub fn contains(self, month: Month) -> bool {
        month >= self.first_month() && month <= self.last_month()
    }

    /// 1 April of the year: the fixed creation date of outputs with no quarter (rules §10).
    pub fn first_day(self) -> NaiveDate {
        self.first_month().first_day()
    }
}

impl fmt::Display for FinancialYear {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}-{:02}", self.start, (self.start + 1).rem_euclid(100))
    }
}

impl FromStr for FinancialYear {
    type Err = PeriodError;

    fn from_str(text: &str) -> Result<FinancialYear, PeriodError> {
        let (first, second) = text.split_once('-').ok_or(PeriodError::BadYear)?;
        let digits = |s: &str, n: usize| s.len() == n && s.bytes().all(|b| b.is_ascii_digit());
        if !digits(first, 4) || !digits(second, 2) {
            return Err(PeriodError::BadYear);
        }
        let start: i32 = first.parse().map_err(|_| PeriodError::BadYear)?;
        let end: i32 = second.parse().map_err(|_| PeriodError::BadYear)?;
        if (start + 1).rem_euclid(100) != end {
            return Err(PeriodError::BadYear);
        }
        Ok(FinancialYear { start })
    }
}

/// A calendar month, written `YYYY-MM`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Month {
    year: i32,
    month: u32,
}

impl Month {
    pub fn new(year: i32, month: u32) -> Option<Month> {
        ((1..=12).contains(&month) && (1000..=9999).contains(&year))
            .then_some(Month { year, month })
    }

    /// The month a date falls in (any day of the month names it).
    pub fn of_date(date: NaiveDate) -> Month {
        Month {
            year: date.year(),
            month: date.month(),
        }
    }

    pub fn year(self) -> i32 {
        self.year
    }

    pub fn month(self) -> u32 {
        self.month
    }

    pub fn first_day(self) -> NaiveDate {
        NaiveDate::from_ymd_opt(self.year, self.month, 1).unwrap_or(NaiveDate::MIN)
    }

    pub fn last_day(self) -> NaiveDate {
        self.next().first_day().pred_opt().unwrap_or(NaiveDate::MIN)
    }

    pub fn next(self) -> Month {
        if self.month == 12 {
            Month {
                year: self.year + 1,
                month: 1,
            }
        } else {
            Month {
                year: self.year,
                month: self.month + 1,
            }
        }
    }

    /// The financial year the month belongs to.
    pub fn financial_year(self) -> FinancialYear {
        FinancialYear::starting(if self.month >= 4 {
            self.year
        } else {
            self.year - 1
        })
    }

    /// Position within its financial year: 1 for April … 12 for March.
    pub fn index_in_year(self) -> u32 {
        (self.month + 8) % 12 + 1
    }

    /// The quarter of its financial year that holds the month.
    pub fn quarter(self) -> Quarter {
        Quarter::ALL[((self.index_in_year() - 1) / 3) as usize]
    }
}

impl fmt::Display for Month {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}-{:02}", self.year, self.month)
    }
}

impl FromStr for Month {
    type Err = PeriodError;

    /// Exactly `YYYY-MM`, as rules §10 requires of month text.
    fn from_str(text: &str) -> Result<Month, PeriodError> {
        let bytes = text.as_bytes();
        let shape_ok = bytes.len() == 7
            && bytes[4] == b'-'
            && bytes
                .iter()
                .enumerate()
                .all(|(i, b)| i == 4 || b.is_ascii_digit());
        if !shape_ok {
            return Err(PeriodError::BadMonth);
        }
        let year = text[..4].parse().map_err(|_| PeriodError::BadMonth)?;
        let month = text[5..].parse().map_err(|_| PeriodError::BadMonth)?;
        Month::new(year, month).ok_or(PeriodError::BadMonth)
    }
}

/// A quarter of the financial year.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Quarter {
    Q1,
    Q2,
    Q3,
    Q4,
}

impl Quarter {
    pub const ALL: [Quarter; 4] = [Quarter::Q1, Quarter::Q2, Quarter::Q3, Quarter::Q4];

    /// 1 to 4.
    pub fn number(self) -> u32 {
        match self {
            Quarter::Q1 => 1,
            Quarter::Q2 => 2,
            Quarter::Q3 => 3,
            Quarter::Q4 => 4,
        }
    }

    pub fn from_number(number: u32) -> Option<Quarter> {
        Quarter::ALL.get((number as usize).checked_sub(1)?).copied()
    }

    /// The quarter before, if any (Q1 has none).
    pub fn previous(self) -> Option<Quarter> {
        Quarter::from_number(self.number() - 1)
    }

    /// The quarter-end month: month `3q` of the year (rules §2).
    pub fn end_month(self, year: FinancialYear) -> Month {
        self.months(year)[2]
    }

    /// The three months of the quarter.
    pub fn months(self, year: FinancialYear) -> [Month; 3] {
        let first = 3 * self.number() - 2;
        [first, first + 1, first + 2].map(|i| year.month(i).unwrap_or(year.first_month()))
    }

    /// The quarter's last day; a return signed on or before it was signed before the
    /// quarter ended (X07).
    pub fn last_day(self, year: FinancialYear) -> NaiveDate {
        self.end_month(year).last_day()
    }
}

impl fmt::Display for Quarter {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Q{}", self.number())
    }
}

impl FromStr for Quarter {
    type Err = PeriodError;

    /// `Q1`..`Q4`, ignoring case and surrounding spaces (rules §10).
    fn from_str(text: &str) -> Result<Quarter, PeriodError> {
        match text.trim().to_ascii_uppercase().as_str() {
            "Q1" => Ok(Quarter::Q1),
            "Q2" => Ok(Quarter::Q2),
            "Q3" => Ok(Quarter::Q3),
            "Q4" => Ok(Quarter::Q4),
            _ => Err(PeriodError::BadQuarter),
        }
    }
}

/// Parses a date written exactly `YYYY-MM-DD`.
pub fn parse_iso_date(text: &str) -> Option<NaiveDate> {
    let bytes = text.as_bytes();
    let shape_ok = bytes.len() == 10
        && bytes[4] == b'-'
        && bytes[7] == b'-'
        && bytes
            .iter()
            .enumerate()
            .all(|(i, b)| i == 4 || i == 7 || b.is_ascii_digit());
    if !shape_ok {
        return None;
    }
    NaiveDate::parse_from_str(text, "%Y-%m-%d").ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fy() -> FinancialYear {
        "2025-26".parse().unwrap()
    }

    fn m(text: &str) -> Month {
        text.parse().unwrap()
    }

    #[test]
    fn financial_year_runs_april_to_march() {
        let months: Vec<String> = fy().months().map(|m| m.to_string()).collect();
        assert_eq!(months.len(), 12);
        assert_eq!(months[0], "2025-04");
        assert_eq!(months[8], "2025-12");
        assert_eq!(months[9], "2026-01");
        assert_eq!(months[11], "2026-03");
        assert_eq!(fy().to_string(), "2025-26");
        assert_eq!(
            "1999-00".parse::<FinancialYear>().unwrap().to_string(),
            "1999-00"
        );
        assert!(fy().contains(m("2026-03")));
        assert!(!fy().contains(m("2026-04")));
        assert!(!fy().contains(m("2025-03")));
        assert_eq!(fy().first_day().to_string(), "2025-04-01");
    }

    #[test]
    fn financial_year_text_is_strict() {
        for bad in [
            "2025-27",
            "2025/26",
            "2025-2026",
            "25-26",
            "2025",
            "",
            "2025-2x",
        ] {
            assert!(bad.parse::<FinancialYear>().is_err(), "{bad:?}");
        }
    }

    #[test]
    fn quarters_and_their_end_months() {
        let ends: Vec<String> = Quarter::ALL
            .iter()
            .map(|q| q.end_month(fy()).to_string())
            .collect();
        assert_eq!(ends, ["2025-06", "2025-09", "2025-12", "2026-03"]);
        assert_eq!(
            Quarter::Q4.months(fy()).map(|m| m.to_string()),
            ["2026-01", "2026-02", "2026-03"]
        );
        assert_eq!(Quarter::Q2.last_day(fy()).to_string(), "2025-09-30");
        assert_eq!(Quarter::Q4.last_day(fy()).to_string(), "2026-03-31");
        assert_eq!(m("2025-08").quarter(), Quarter::Q2);
        assert_eq!(m("2026-01").quarter(), Quarter::Q4);
        assert_eq!(Quarter::Q1.previous(), None);
        assert_eq!(Quarter::Q3.previous(), Some(Quarter::Q2));
        assert_eq!("q3".parse::<Quarter>().unwrap(), Quarter::Q3);
        assert_eq!(" Q4 ".parse::<Quarter>().unwrap(), Quarter::Q4);
        for bad in ["Q5", "Q0", "3", "Quarter 1", ""] {
            assert!(bad.parse::<Quarter>().is_err(), "{bad:?}");
        }
    }

    #[test]
    fn months_are_written_yyyy_mm_exactly() {
        assert_eq!(m("2025-09").index_in_year(), 6);
        assert_eq!(m("2025-04").index_in_year(), 1);
        assert_eq!(m("2026-03").index_in_year(), 12);
        assert_eq!(m("2026-02").financial_year(), fy());
        assert_eq!(m("2025-12").next(), m("2026-01"));
        assert_eq!(m("2026-02").last_day().to_string(), "2026-02-28");
        assert!(m("2025-09") < m("2025-10"));
        for bad in [
            "2025-13",
            "2025-00",
            "2025-9",
            "25-09",
            "2025/09",
            "2025-09-01",
            "Sep 2025",
        ] {
            assert!(bad.parse::<Month>().is_err(), "{bad:?}");
        }
    }

    #[test]
    fn dates_are_written_yyyy_mm_dd_exactly() {
        assert_eq!(
            parse_iso_date("2025-07-31").unwrap().to_string(),
            "2025-07-31"
        );
        for bad in [
            "31/07/2025",
            "2025-7-31",
            "2025-02-30",
            "2025-07-31T00:00",
            "20250731",
        ] {
            assert!(parse_iso_date(bad).is_none(), "{bad:?}");
        }
    }
}
