//! Turning one cell into a domain value, or into the finding that says why it cannot be one.
//!
//! What is about the cell's type is decided here: blank, text in a number (C02), a formula
//! error (C04), text that is not a date or month (C08). What a number may be (its range,
//! sign and decimal places) is a rule, in `rules::validate::cells`.

use chrono::NaiveDate;
use rust_decimal::Decimal;

use crate::domain::period::parse_iso_date;
use crate::domain::{Fte, Headcount, Money, Month};
use crate::findings::{CellRef, Code, Finding, Location, quote};
use crate::rules::validate::cells;

use super::grid::{CellValue, SheetGrid};

/// A cell being read, with what a message needs to name it.
#[derive(Clone, Copy, Debug)]
pub struct CellAt<'a> {
    pub file: &'a str,
    pub sheet: &'a SheetGrid,
    pub row: u32,
    pub col: u32,
    /// The field label or column header the cell belongs to.
    pub label: &'a str,
    /// What names the cell's row in a table (see [`CellRef::row_label`]).
    pub row_label: Option<&'a str>,
}

impl<'a> CellAt<'a> {
    pub fn value(&self) -> &'a CellValue {
        self.sheet.get(self.row, self.col)
    }

    /// Where the cell is, as plain data a rule can name in its finding.
    pub fn at(&self) -> CellRef<'a> {
        CellRef {
            file: self.file,
            sheet: &self.sheet.name,
            sheet_index: self.sheet.index,
            row: self.row,
            col: self.col,
            label: self.label,
            row_label: self.row_label,
        }
    }

    /// The same cell, named in messages by its row's label too (`Officer pay`, `2025-09`).
    pub fn in_row<'b>(self, row_label: Option<&'b str>) -> CellAt<'b>
    where
        'a: 'b,
    {
        CellAt { row_label, ..self }
    }

    /// The cell as a message names it: its row's label, when it has one, and its column.
    pub fn name(&self) -> String {
        self.at().name()
    }

    pub fn location(&self) -> Location {
        self.at().location()
    }

    pub fn finding(&self, code: Code, message: impl Into<String>) -> Finding {
        self.at().finding(code, message)
    }

    /// C01: a required cell is blank.
    pub fn blank_finding(&self, hint: &str) -> Finding {
        self.at().blank_finding(hint)
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
                cell.name(),
                quote(text)
            ),
        )),
        other @ (CellValue::Bool(_) | CellValue::Date(_)) => Err(cell.finding(
            Code::C02,
            format!(
                "{}: {} is a {}; enter {expected} as a number",
                cell.name(),
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
            cell.name(),
            quote(error.trim())
        ),
    )
}

/// A numeric cell checked by `check` (a rule of `rules::validate::cells`): blank is `None`,
/// anything that is not a number is the finding [`number_in`] gives, and a number is what
/// the rule makes of it. `expected` names the value in messages (`the amount`).
pub fn read_number<T>(
    cell: &CellAt,
    expected: &str,
    check: impl Fn(&CellRef, f64) -> Result<T, Finding>,
) -> Result<Option<T>, Finding> {
    number_in(cell, expected)?
        .map(|value| check(&cell.at(), value))
        .transpose()
}

/// A money cell: pounds with at most 2 decimal places, not negative.
pub fn read_money(cell: &CellAt) -> Result<Option<Money>, Finding> {
    read_number(cell, "the amount", cells::money)
}

/// An FTE cell: at most 2 decimal places, not negative.
pub fn read_fte(cell: &CellAt) -> Result<Option<Fte>, Finding> {
    read_number(cell, "the FTE", cells::fte)
}

/// A headcount cell: a whole number, not negative.
pub fn read_headcount(cell: &CellAt) -> Result<Option<Headcount>, Finding> {
    read_number(cell, "the count", cells::headcount)
}

/// A percentage on the 0–100 scale (12.5 means 12.5%), kept to 4 places.
pub fn read_percent(cell: &CellAt) -> Result<Option<Decimal>, Finding> {
    read_number(cell, "the percentage", cells::percent)
}

/// A version number: whole and at least 1 (C07 otherwise).
pub fn read_version(cell: &CellAt) -> Result<Option<u32>, Finding> {
    read_number(cell, "the version", cells::version)
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
            // Still C08 (rules §10), but a date typed as text is said back as the date it
            // is, so that the fix is one retyping.
            let fix = match typed_date(text) {
                Some(date) => format!("is text, not a date; {DATE_CELL}, or type it as {date}"),
                None => format!("is not a date; {DATE_CELL}, or type it as {DATE_FORM}"),
            };
            cell.finding(Code::C08, format!("{}: {} {fix}", cell.name(), quote(text)))
        }),
        other => Err(cell.finding(
            Code::C08,
            format!(
                "{}: {} is not a date; {DATE_CELL}, or type it as {DATE_FORM}",
                cell.name(),
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
            let fix = match typed_month(text) {
                Some(month) => {
                    format!("is text, not a month; {MONTH_CELL}, or type it as {month}")
                }
                None => format!("is not a month; {MONTH_CELL}, or type it as {MONTH_FORM}"),
            };
            cell.finding(Code::C08, format!("{}: {} {fix}", cell.name(), quote(text)))
        }),
        other => Err(cell.finding(
            Code::C08,
            format!(
                "{}: {} is not a month; {MONTH_CELL}, or type it as {MONTH_FORM}",
                cell.name(),
                quote(&other.shown())
            ),
        )),
    }
}

/// The two ways a date may be given (rules §10), as C08 says them.
const DATE_CELL: &str = "enter it as a date cell";
const DATE_FORM: &str = "YYYY-MM-DD, for example 2025-07-15";
const MONTH_CELL: &str = "enter it as a date cell (any day of the month)";
const MONTH_FORM: &str = "YYYY-MM, for example 2025-09";

/// The date a person meant by text such as `14/10/2025`, `14-10-2025`, `14.10.2025` or
/// `14/10/25`: read day first, as a UK user writes it, and a two-digit year as 20yy. Text
/// that starts with a four-digit year (`2025/10/14`, `2025-7-31`) is read year first.
/// `None` unless it is a real date. Only a message uses this: the cell is still C08.
fn typed_date(text: &str) -> Option<NaiveDate> {
    let parts = date_parts(text)?;
    let [first, second, third] = parts.as_slice() else {
        return None;
    };
    if first.len() == 4 {
        return ymd(first, second, third);
    }
    if !(1..=2).contains(&first.len()) {
        return None;
    }
    let year = match third.len() {
        4 => third.parse::<i32>().ok()?,
        2 => 2000 + third.parse::<i32>().ok()?,
        _ => return None,
    };
    NaiveDate::from_ymd_opt(year, number(second)?, number(first)?)
}

/// The month a person meant by text such as `10/2025` (month first, four-digit year),
/// `2025/10`, or a whole date [`typed_date`] reads.
fn typed_month(text: &str) -> Option<Month> {
    if let Some(date) = typed_date(text) {
        return Some(Month::of_date(date));
    }
    let parts = date_parts(text)?;
    let [first, second] = parts.as_slice() else {
        return None;
    };
    let (year, month) = if first.len() == 4 {
        (first, second)
    } else {
        (second, first)
    };
    if year.len() != 4 || !(1..=2).contains(&month.len()) {
        return None;
    }
    Month::new(year.parse().ok()?, number(month)?)
}

/// The digit groups of text such as `14/10/2025`, split at one kind of separator (`/`,
/// `-` or `.`); `None` when anything else is in it.
fn date_parts(text: &str) -> Option<Vec<&str>> {
    let text = text.trim();
    let separator = ['/', '-', '.'].into_iter().find(|s| text.contains(*s))?;
    let parts: Vec<&str> = text.split(separator).collect();
    let digits = |part: &&str| !part.is_empty() && part.bytes().all(|b| b.is_ascii_digit());
    parts.iter().all(digits).then_some(parts)
}

fn ymd(year: &str, month: &str, day: &str) -> Option<NaiveDate> {
    if !(1..=2).contains(&month.len()) || !(1..=2).contains(&day.len()) {
        return None;
    }
    NaiveDate::from_ymd_opt(year.parse().ok()?, number(month)?, number(day)?)
}

/// A one- or two-digit day or month.
fn number(part: &str) -> Option<u32> {
    (1..=2)
        .contains(&part.len())
        .then(|| part.parse().ok())
        .flatten()
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
            row_label: None,
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
            rust_decimal::prelude::FromPrimitive::from_f64(cells::MONEY_LIMIT_POUNDS),
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

    fn message_of<T: std::fmt::Debug>(result: Result<T, Finding>) -> String {
        let finding = result.unwrap_err();
        assert_eq!(finding.code, Code::C08, "{}", finding.message);
        finding.message
    }

    #[test]
    fn a_date_typed_day_first_is_c08_and_is_said_back_in_iso_form() {
        let date = |text: &str| {
            let sheet = sheet_with(CellValue::Text(text.into()));
            let cell = CellAt {
                label: "Submitted on",
                ..at(&sheet)
            };
            message_of(read_date(&cell))
        };
        for typed in [
            "14/10/2025",
            "14-10-2025",
            "14.10.2025",
            "14/10/25",
            " 14/10/2025 ",
            "2025/10/14",
        ] {
            assert_eq!(
                date(typed),
                format!(
                    "Submitted on: {} is text, not a date; enter it as a date cell, or type it as 2025-10-14",
                    quote(typed)
                )
            );
        }
        assert!(date("1/4/2025").ends_with("type it as 2025-04-01"));
        assert!(date("2025-7-31").ends_with("type it as 2025-07-31"));
        // Day first, as a UK user means it: 02/03/2026 is 2 March, not 3 February.
        assert!(date("02/03/2026").ends_with("type it as 2026-03-02"));
        // Not a real date, or not a date at all: the form is given, not a guess.
        for unreal in [
            "31/02/2025",
            "14/13/2025",
            "10/2025",
            "July 2025",
            "14/10/2025 09:00",
            "14/10-2025",
            "1/2/3",
        ] {
            assert_eq!(
                date(unreal),
                format!(
                    "Submitted on: {} is not a date; enter it as a date cell, or type it as YYYY-MM-DD, for example 2025-07-15",
                    quote(unreal)
                )
            );
        }
    }

    #[test]
    fn a_month_typed_as_text_is_c08_and_is_said_back_as_yyyy_mm() {
        let month = |text: &str| {
            let sheet = sheet_with(CellValue::Text(text.into()));
            let cell = CellAt {
                label: "Months to",
                ..at(&sheet)
            };
            message_of(read_month(&cell))
        };
        for typed in [
            "10/2025",
            "10-2025",
            "10.2025",
            "14/10/2025",
            "2025-10-14",
            "2025/10",
        ] {
            assert_eq!(
                month(typed),
                format!(
                    "Months to: {} is text, not a month; enter it as a date cell (any day of the month), or type it as 2025-10",
                    quote(typed)
                )
            );
        }
        assert!(month("3/2026").ends_with("type it as 2026-03"));
        for unreal in ["13/2025", "10/25", "May 2025", "31/02/2025"] {
            assert_eq!(
                month(unreal),
                format!(
                    "Months to: {} is not a month; enter it as a date cell (any day of the month), or type it as YYYY-MM, for example 2025-09",
                    quote(unreal)
                )
            );
        }
    }

    #[test]
    fn a_cell_of_a_table_row_is_named_by_its_row_and_its_column() {
        let sheet = sheet_with(CellValue::Text("12,500.00".into()));
        let cell = at(&sheet).in_row(Some("Officer pay"));
        let finding = read_money(&cell).unwrap_err();
        assert_eq!(
            finding.to_string(),
            "error C02 finance/kent.xlsx › Expenditure!C4: Officer pay — Actual this quarter (£): \"12,500.00\" is text; enter the amount as a number (digits only, no commas, £ sign or words)"
        );
        // Every kind of cell finding names the row: the type checks here and the rules'.
        let named = |value: CellValue| {
            let sheet = sheet_with(value);
            let cell = at(&sheet).in_row(Some("Officer pay"));
            read_money(&cell).unwrap_err().message
        };
        for value in [
            CellValue::Bool(true),
            CellValue::Error("#REF!".into()),
            CellValue::Number(-1.0),
            CellValue::Number(1.005),
            CellValue::Number(1e300),
        ] {
            let message = named(value);
            assert!(
                message.starts_with("Officer pay — Actual this quarter (£): "),
                "{message}"
            );
        }
        assert_eq!(
            cell.blank_finding("enter the amount, or 0 if none").message,
            "Officer pay — Actual this quarter (£) is blank; enter the amount, or 0 if none"
        );
        // Without a row label (an About field), the label alone, as before.
        let finding = read_money(&at(&sheet)).unwrap_err();
        assert!(
            finding
                .message
                .starts_with("Actual this quarter (£): \"12,500.00\"")
        );
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
