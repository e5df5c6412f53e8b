//! Turning one cell into a domain value, or into the finding that says why it cannot be one.
//!
//! Spreadsheet numbers are binary floats; rules §1 says exactly when a float is a whole
//! number of pence (or hundredths of an FTE), and this is the one place that decides it.

use chrono::NaiveDate;
use rust_decimal::Decimal;
use rust_decimal::prelude::FromPrimitive;

use crate::domain::period::parse_iso_date;
use crate::domain::workforce::WORKFORCE_LIMIT;
use crate::domain::{Fte, Headcount, Money, Month};
use crate::findings::{Code, Finding, Location, quote};

use super::grid::{CellValue, SheetGrid};

/// `domain::money::MONEY_LIMIT` as a float, for checking a cell before any conversion.
const MONEY_LIMIT_POUNDS: f64 = 1e12;

/// A cell being read, with what a message needs to name it.
#[derive(Clone, Copy, Debug)]
pub struct CellAt<'a> {
    pub file: &'a str,
    pub sheet: &'a SheetGrid,
    pub row: u32,
    pub col: u32,
    /// The field label or column header the cell belongs to.
    pub label: &'a str,
}

impl<'a> CellAt<'a> {
    pub fn value(&self) -> &'a CellValue {
        self.sheet.get(self.row, self.col)
    }

    pub fn location(&self) -> Location {
        Location::cell(
            self.file,
            &self.sheet.name,
            self.sheet.index,
            self.row,
            self.col,
        )
    }

    pub fn finding(&self, code: Code, message: impl Into<String>) -> Finding {
        Finding::new(code, self.location(), message)
    }

    /// C01: a required cell is blank.
    pub fn blank_finding(&self, hint: &str) -> Finding {
        self.finding(Code::C01, format!("{} is blank; {hint}", self.label))
    }
}

/// Formula errors as `.ods` files deliver them: as text (rules §9, C04).
fn is_error_text(text: &str) -> bool {
    let text = text.trim();
    const ERRORS: [&str; 9] = [
        "#DIV/0!", "#REF!", "#VALUE!", "#NAME?", "#N/A", "#NUM!", "#NULL!", "#SPILL!", "#CALC!",
    ];
    ERRORS.iter().any(|e| text.eq_ignore_ascii_case(e))
        || text
            .strip_prefix("Err:")
            .is_some_and(|code| !code.is_empty() && code.bytes().all(|b| b.is_ascii_digit()))
}

/// The checks every numeric cell shares: blank, formula error, text, boolean, date.
/// Returns the float to interpret, or `None` for a blank cell.
pub(crate) fn number_in(cell: &CellAt, expected: &str) -> Result<Option<f64>, Finding> {
    match cell.value() {
        CellValue::Empty => Ok(None),
        CellValue::Number(n) => Ok(Some(*n)),
        CellValue::Error(e) => Err(formula_error(cell, e)),
        CellValue::Text(text) if text.trim().is_empty() => Ok(None),
        CellValue::Text(text) if is_error_text(text) => Err(formula_error(cell, text)),
        CellValue::Text(text) => Err(cell.finding(
            Code::C02,
            format!(
                "{}: {} is text; enter {expected} as a number (digits only, no commas, £ sign or words)",
                cell.label,
                quote(text)
            ),
        )),
        other @ (CellValue::Bool(_) | CellValue::Date(_)) => Err(cell.finding(
            Code::C02,
            format!(
                "{}: {} is a {}; enter {expected} as a number",
                cell.label,
                quote(&other.shown()),
                if matches!(other, CellValue::Bool(_)) { "true/false value" } else { "date" }
            ),
        )),
    }
}

fn formula_error(cell: &CellAt, error: &str) -> Finding {
    cell.finding(
        Code::C04,
        format!(
            "{}: the formula gives the error {}; correct the formula or type the value in",
            cell.label,
            quote(error.trim())
        ),
    )
}

/// `|v × 10^places − round(v × 10^places)| < 1e-6` (rules §1): the whole number of
/// hundredths (or units) the float stands for, or `None` when it has more places.
fn whole_units(value: f64, places: i32) -> Option<i64> {
    let scaled = value * 10f64.powi(places);
    let rounded = scaled.round();
    ((scaled - rounded).abs() < 1e-6).then_some(rounded as i64)
}

fn out_of_range(cell: &CellAt, value: f64, limit: &str) -> Finding {
    // Huge figures are shown in scientific notation, as a spreadsheet would show them.
    let shown = if value.is_finite() && value.abs() >= 1e15 {
        format!("{value:E}")
    } else {
        format!("{value}")
    };
    cell.finding(
        Code::C11,
        format!(
            "{}: {shown} is out of any real range (at most {limit}); check the figure",
            cell.label
        ),
    )
}

/// C11 for a figure beyond `limit` (or not finite), then C05 for a negative one: the two
/// checks every money, FTE and count cell shares, in that order.
fn within_limits(
    cell: &CellAt,
    value: f64,
    limit: f64,
    limit_text: &str,
    what: &str,
) -> Result<(), Finding> {
    if !value.is_finite() || value.abs() > limit {
        return Err(out_of_range(cell, value, limit_text));
    }
    if value < 0.0 {
        return Err(cell.finding(
            Code::C05,
            format!(
                "{}: {value} is negative; enter {what} as 0 or more",
                cell.label
            ),
        ));
    }
    Ok(())
}

/// A money cell: pounds with at most 2 decimal places, not negative.
pub fn read_money(cell: &CellAt) -> Result<Option<Money>, Finding> {
    let Some(value) = number_in(cell, "the amount")? else {
        return Ok(None);
    };
    within_limits(
        cell,
        value,
        MONEY_LIMIT_POUNDS,
        "£1,000,000,000,000",
        "the amount",
    )?;
    match whole_units(value, 2) {
        Some(pence) => Ok(Some(Money::pence(pence))),
        None => Err(cell.finding(
            Code::C06,
            format!(
                "{}: {value} has more than 2 decimal places; round it to pounds and pence",
                cell.label
            ),
        )),
    }
}

/// An FTE cell: at most 2 decimal places, not negative.
pub fn read_fte(cell: &CellAt) -> Result<Option<Fte>, Finding> {
    let Some(value) = number_in(cell, "the FTE")? else {
        return Ok(None);
    };
    within_limits(
        cell,
        value,
        f64::from(WORKFORCE_LIMIT),
        "1,000,000",
        "the FTE",
    )?;
    let hundredths = whole_units(value, 2).ok_or_else(|| {
        cell.finding(
            Code::C07,
            format!(
                "{}: {value} has more than 2 decimal places; round the FTE to 2 places",
                cell.label
            ),
        )
    })?;
    Fte::from_exact(Decimal::new(hundredths, 2))
        .map(Some)
        .map_err(|_| out_of_range(cell, value, "1,000,000"))
}

/// A headcount cell: a whole number, not negative.
pub fn read_headcount(cell: &CellAt) -> Result<Option<Headcount>, Finding> {
    let Some(value) = number_in(cell, "the count")? else {
        return Ok(None);
    };
    within_limits(
        cell,
        value,
        f64::from(WORKFORCE_LIMIT),
        "1,000,000",
        "the count",
    )?;
    let whole = whole_units(value, 0).ok_or_else(|| {
        cell.finding(
            Code::C07,
            format!(
                "{}: {value} is not a whole number; enter a whole count",
                cell.label
            ),
        )
    })?;
    let count = u32::try_from(whole).map_err(|_| out_of_range(cell, value, "1,000,000"))?;
    Headcount::new(count)
        .map(Some)
        .map_err(|_| out_of_range(cell, value, "1,000,000"))
}

/// A percentage on the 0–100 scale (12.5 means 12.5%), kept to 4 places.
pub fn read_percent(cell: &CellAt) -> Result<Option<Decimal>, Finding> {
    let Some(value) = number_in(cell, "the percentage")? else {
        return Ok(None);
    };
    if !value.is_finite() || !(0.0..=100.0).contains(&value) {
        return Err(cell.finding(
            Code::C10,
            format!(
                "{}: {value} is outside 0 to 100; enter the percentage on a 0-100 scale (12.5 means 12.5%)",
                cell.label
            ),
        ));
    }
    let decimal = Decimal::from_f64(value).unwrap_or_default();
    Ok(Some(crate::domain::number::round_half_away(decimal, 4)))
}

/// A version number: whole and at least 1 (C07 otherwise).
pub fn read_version(cell: &CellAt) -> Result<Option<u32>, Finding> {
    let Some(value) = number_in(cell, "the version")? else {
        return Ok(None);
    };
    let whole = whole_units(value, 0).filter(|w| (1..=1_000_000).contains(w));
    match whole.and_then(|w| u32::try_from(w).ok()) {
        Some(version) if value.is_finite() => Ok(Some(version)),
        _ => Err(cell.finding(
            Code::C07,
            format!(
                "{}: {value} is not a whole number of 1 or more; enter 1 for the first version",
                cell.label
            ),
        )),
    }
}

/// A date: a date cell (time ignored) or text exactly `YYYY-MM-DD` (C08 otherwise).
pub fn read_date(cell: &CellAt) -> Result<Option<NaiveDate>, Finding> {
    match cell.value() {
        CellValue::Empty => Ok(None),
        CellValue::Text(text) if text.trim().is_empty() => Ok(None),
        CellValue::Date(date) => Ok(Some(date.date())),
        CellValue::Error(e) => Err(formula_error(cell, e)),
        CellValue::Text(text) if is_error_text(text) => Err(formula_error(cell, text)),
        CellValue::Text(text) => parse_iso_date(text.trim()).map(Some).ok_or_else(|| {
            cell.finding(
                Code::C08,
                format!(
                    "{}: {} is not a date; enter it as YYYY-MM-DD, for example 2025-07-15",
                    cell.label,
                    quote(text)
                ),
            )
        }),
        other => Err(cell.finding(
            Code::C08,
            format!(
                "{}: {} is not a date; enter it as YYYY-MM-DD, for example 2025-07-15",
                cell.label,
                quote(&other.shown())
            ),
        )),
    }
}

/// A month: a date cell (any day of the month) or text exactly `YYYY-MM` (C08 otherwise).
pub fn read_month(cell: &CellAt) -> Result<Option<Month>, Finding> {
    match cell.value() {
        CellValue::Empty => Ok(None),
        CellValue::Text(text) if text.trim().is_empty() => Ok(None),
        CellValue::Date(date) => Ok(Some(Month::of_date(date.date()))),
        CellValue::Error(e) => Err(formula_error(cell, e)),
        CellValue::Text(text) if is_error_text(text) => Err(formula_error(cell, text)),
        CellValue::Text(text) => text.trim().parse::<Month>().map(Some).map_err(|_| {
            cell.finding(
                Code::C08,
                format!(
                    "{}: {} is not a month; enter it as YYYY-MM, for example 2025-09",
                    cell.label,
                    quote(text)
                ),
            )
        }),
        other => Err(cell.finding(
            Code::C08,
            format!(
                "{}: {} is not a month; enter it as YYYY-MM, for example 2025-09",
                cell.label,
                quote(&other.shown())
            ),
        )),
    }
}

/// Free text, trimmed; `None` when blank. A number typed into a text field is kept as the
/// text a person sees (a name field holding `12` is odd but not unreadable).
pub fn read_text(cell: &CellAt) -> Option<String> {
    let value = cell.value();
    if value.is_blank() {
        return None;
    }
    Some(value.shown().trim().to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::Fte;
    use chrono::NaiveDateTime;

    fn sheet_with(value: CellValue) -> SheetGrid {
        let mut sheet = SheetGrid::new("Expenditure", 1);
        sheet.set(3, 2, value);
        sheet
    }

    fn at(sheet: &SheetGrid) -> CellAt<'_> {
        CellAt {
            file: "finance/kent.xlsx",
            sheet,
            row: 3,
            col: 2,
            label: "Actual this quarter (£)",
        }
    }

    fn money(value: CellValue) -> Result<Option<Money>, Finding> {
        let sheet = sheet_with(value);
        read_money(&at(&sheet))
    }

    fn code_of<T: std::fmt::Debug>(result: Result<T, Finding>) -> Code {
        result.unwrap_err().code
    }

    #[test]
    fn money_floats_within_a_millionth_of_a_penny_are_pence() {
        assert_eq!(
            money(CellValue::Number(1803234.0))
                .unwrap()
                .unwrap()
                .to_string(),
            "1803234.00"
        );
        // 0.1 + 0.2 in binary is 0.30000000000000004: still exactly 30p.
        assert_eq!(
            money(CellValue::Number(0.1 + 0.2))
                .unwrap()
                .unwrap()
                .to_string(),
            "0.30"
        );
        assert_eq!(
            money(CellValue::Number(333333.33))
                .unwrap()
                .unwrap()
                .to_string(),
            "333333.33"
        );
        assert_eq!(code_of(money(CellValue::Number(1.005))), Code::C06);
        assert_eq!(code_of(money(CellValue::Number(12.345))), Code::C06);
        assert_eq!(money(CellValue::Empty).unwrap(), None);
        assert_eq!(money(CellValue::Text("   ".into())).unwrap(), None);
    }

    #[test]
    fn money_refuses_text_errors_negatives_and_impossible_sizes() {
        for text in ["1,234.56", "£5k", "twelve", "12.50"] {
            let finding = money(CellValue::Text(text.into())).unwrap_err();
            assert_eq!(finding.code, Code::C02, "{text}");
            assert!(
                finding.message.contains(&format!("\"{text}\" is text")),
                "{}",
                finding.message
            );
        }
        assert_eq!(code_of(money(CellValue::Bool(true))), Code::C02);
        assert_eq!(
            code_of(money(CellValue::Date(NaiveDateTime::default()))),
            Code::C02
        );
        assert_eq!(
            code_of(money(CellValue::Error("#DIV/0!".into()))),
            Code::C04
        );
        assert_eq!(code_of(money(CellValue::Text("#REF!".into()))), Code::C04);
        assert_eq!(code_of(money(CellValue::Text("Err:502".into()))), Code::C04);
        assert_eq!(code_of(money(CellValue::Number(-0.01))), Code::C05);
        assert_eq!(code_of(money(CellValue::Number(1e300))), Code::C11);
        assert_eq!(code_of(money(CellValue::Number(-1e300))), Code::C11);
        assert_eq!(code_of(money(CellValue::Number(f64::NAN))), Code::C11);
        assert!(money(CellValue::Number(1e12)).is_ok());
        assert_eq!(code_of(money(CellValue::Number(1e12 + 1.0))), Code::C11);
    }

    #[test]
    fn the_float_limit_is_the_money_limit() {
        assert_eq!(
            Decimal::from_f64(MONEY_LIMIT_POUNDS),
            Some(crate::domain::money::MONEY_LIMIT)
        );
    }

    #[test]
    fn the_finding_names_the_cell() {
        let finding = money(CellValue::Text("1,234.56".into())).unwrap_err();
        assert_eq!(finding.place(), "finance/kent.xlsx › Expenditure!C4");
    }

    #[test]
    fn fte_has_two_places_and_headcount_is_whole() {
        let sheet = sheet_with(CellValue::Number(465.5));
        assert_eq!(
            read_fte(&at(&sheet)).unwrap(),
            Some(Fte::from_exact(Decimal::new(46550, 2)).unwrap())
        );
        let sheet = sheet_with(CellValue::Number(465.555));
        assert_eq!(code_of(read_fte(&at(&sheet))), Code::C07);
        let sheet = sheet_with(CellValue::Number(-1.0));
        assert_eq!(code_of(read_fte(&at(&sheet))), Code::C05);
        let sheet = sheet_with(CellValue::Number(2e6));
        assert_eq!(code_of(read_fte(&at(&sheet))), Code::C11);
        let sheet = sheet_with(CellValue::Number(12.0));
        assert_eq!(read_headcount(&at(&sheet)).unwrap().unwrap().get(), 12);
        let sheet = sheet_with(CellValue::Number(12.5));
        assert_eq!(code_of(read_headcount(&at(&sheet))), Code::C07);
        let sheet = sheet_with(CellValue::Number(-3.0));
        assert_eq!(code_of(read_headcount(&at(&sheet))), Code::C05);
        let sheet = sheet_with(CellValue::Number(1e300));
        assert_eq!(code_of(read_headcount(&at(&sheet))), Code::C11);
    }

    #[test]
    fn percentages_are_on_a_0_to_100_scale() {
        let sheet = sheet_with(CellValue::Number(12.5));
        assert_eq!(
            read_percent(&at(&sheet)).unwrap(),
            Some(Decimal::new(125000, 4))
        );
        for bad in [-0.5, 100.01, 1e300] {
            let sheet = sheet_with(CellValue::Number(bad));
            assert_eq!(code_of(read_percent(&at(&sheet))), Code::C10, "{bad}");
        }
    }

    #[test]
    fn versions_are_whole_and_at_least_one() {
        let sheet = sheet_with(CellValue::Number(2.0));
        assert_eq!(read_version(&at(&sheet)).unwrap(), Some(2));
        for bad in [0.0, 1.5, -1.0, 1e300] {
            let sheet = sheet_with(CellValue::Number(bad));
            assert_eq!(code_of(read_version(&at(&sheet))), Code::C07, "{bad}");
        }
        let sheet = sheet_with(CellValue::Text("two".into()));
        assert_eq!(code_of(read_version(&at(&sheet))), Code::C02);
    }

    #[test]
    fn dates_and_months_accept_date_cells_and_exact_text_only() {
        let dt = NaiveDate::from_ymd_opt(2025, 9, 17)
            .unwrap()
            .and_hms_opt(13, 5, 0)
            .unwrap();
        let sheet = sheet_with(CellValue::Date(dt));
        assert_eq!(
            read_date(&at(&sheet)).unwrap().unwrap().to_string(),
            "2025-09-17"
        );
        assert_eq!(
            read_month(&at(&sheet)).unwrap().unwrap().to_string(),
            "2025-09"
        );
        let sheet = sheet_with(CellValue::Text(" 2025-07-31 ".into()));
        assert_eq!(
            read_date(&at(&sheet)).unwrap().unwrap().to_string(),
            "2025-07-31"
        );
        let sheet = sheet_with(CellValue::Text("2025-09".into()));
        assert_eq!(
            read_month(&at(&sheet)).unwrap().unwrap().to_string(),
            "2025-09"
        );
        for bad in ["31/07/2025", "July 2025", "2025-7-31", "45869"] {
            let sheet = sheet_with(CellValue::Text(bad.into()));
            assert_eq!(code_of(read_date(&at(&sheet))), Code::C08, "{bad}");
            assert_eq!(code_of(read_month(&at(&sheet))), Code::C08, "{bad}");
        }
        let sheet = sheet_with(CellValue::Number(45869.0));
        assert_eq!(code_of(read_date(&at(&sheet))), Code::C08);
        let sheet = sheet_with(CellValue::Error("#VALUE!".into()));
        assert_eq!(code_of(read_month(&at(&sheet))), Code::C04);
    }

    #[test]
    fn text_is_trimmed_and_blank_is_none() {
        let sheet = sheet_with(CellValue::Text("  A. Finance ".into()));
        assert_eq!(read_text(&at(&sheet)).as_deref(), Some("A. Finance"));
        let sheet = sheet_with(CellValue::Text("  ".into()));
        assert_eq!(read_text(&at(&sheet)), None);
        let sheet = sheet_with(CellValue::Number(1.0));
        assert_eq!(read_text(&at(&sheet)).as_deref(), Some("1"));
    }
}
