//! The checks on one number as a spreadsheet holds it (a float): out of any real range (C11),
//! negative (C05), too many decimal places (C06 for money, C07 for FTE, counts, versions and
//! weights), a percentage outside 0 to 100 (C10). Each gives the domain value or the finding.
//!
//! Spreadsheet numbers are binary floats; rules §1 says exactly when a float is a whole
//! number of pence (or hundredths of an FTE), and this is the one place that decides it.

use rust_decimal::Decimal;
use rust_decimal::prelude::FromPrimitive;

use crate::domain::workforce::WORKFORCE_LIMIT;
use crate::domain::{Fte, Headcount, Money};
use crate::findings::{CellRef, Code, Finding};
use crate::rules::allocate::{WEIGHT_PLACES, Weight};

/// `domain::money::MONEY_LIMIT` as a float, for checking a cell before any conversion.
pub(crate) const MONEY_LIMIT_POUNDS: f64 = 1e12;

/// The largest weight read (C11): far beyond any real weight, and small enough that the
/// exact allocation of a pot with 6-place weights always fits in its integer arithmetic.
const WEIGHT_LIMIT: f64 = 1e12;

/// The largest percentage (C10): rates are on a 0-100 scale.
const PERCENT_LIMIT: f64 = 100.0;

/// `|v × 10^places − round(v × 10^places)| < 1e-6` (rules §1): the whole number of
/// hundredths (or units) the float stands for, or `None` when it has more places.
fn whole_units(value: f64, places: i32) -> Option<i64> {
    let scaled = value * 10f64.powi(places);
    let rounded = scaled.round();
    ((scaled - rounded).abs() < 1e-6).then_some(rounded as i64)
}

fn out_of_range(at: &CellRef, value: f64, limit: &str) -> Finding {
    // Huge figures are shown in scientific notation, as a spreadsheet would show them.
    let shown = if value.is_finite() && value.abs() >= 1e15 {
        format!("{value:E}")
    } else {
        format!("{value}")
    };
    at.finding(
        Code::C11,
        format!(
            "{}: {shown} is out of any real range (at most {limit}); check the figure",
            at.name()
        ),
    )
}

/// C11 for a figure beyond `limit` (or not finite), then C05 for a negative one: the two
/// checks every money, FTE and count cell shares, in that order.
fn within_limits(
    at: &CellRef,
    value: f64,
    limit: f64,
    limit_text: &str,
    what: &str,
) -> Result<(), Finding> {
    if !value.is_finite() || value.abs() > limit {
        return Err(out_of_range(at, value, limit_text));
    }
    if value < 0.0 {
        return Err(at.finding(
            Code::C05,
            format!(
                "{}: {value} is negative; enter {what} as 0 or more",
                at.name()
            ),
        ));
    }
    Ok(())
}

/// Money: pounds with at most 2 decimal places, not negative.
pub fn money(at: &CellRef, value: f64) -> Result<Money, Finding> {
    within_limits(
        at,
        value,
        MONEY_LIMIT_POUNDS,
        "£1,000,000,000,000",
        "the amount",
    )?;
    match whole_units(value, 2) {
        Some(pence) => Ok(Money::pence(pence)),
        None => Err(at.finding(
            Code::C06,
            format!(
                "{}: {value} has more than 2 decimal places; round it to pounds and pence",
                at.name()
            ),
        )),
    }
}

/// An FTE: at most 2 decimal places, not negative.
pub fn fte(at: &CellRef, value: f64) -> Result<Fte, Finding> {
    within_limits(
        at,
        value,
        f64::from(WORKFORCE_LIMIT),
        "1,000,000",
        "the FTE",
    )?;
    let hundredths = whole_units(value, 2).ok_or_else(|| {
        at.finding(
            Code::C07,
            format!(
                "{}: {value} has more than 2 decimal places; round the FTE to 2 places",
                at.name()
            ),
        )
    })?;
    Fte::from_exact(Decimal::new(hundredths, 2)).map_err(|_| out_of_range(at, value, "1,000,000"))
}

/// A headcount: a whole number, not negative.
pub fn headcount(at: &CellRef, value: f64) -> Result<Headcount, Finding> {
    within_limits(
        at,
        value,
        f64::from(WORKFORCE_LIMIT),
        "1,000,000",
        "the count",
    )?;
    let whole = whole_units(value, 0).ok_or_else(|| {
        at.finding(
            Code::C07,
            format!(
                "{}: {value} is not a whole number; enter a whole count",
                at.name()
            ),
        )
    })?;
    let count = u32::try_from(whole).map_err(|_| out_of_range(at, value, "1,000,000"))?;
    Headcount::new(count).map_err(|_| out_of_range(at, value, "1,000,000"))
}

/// A percentage on the 0–100 scale (12.5 means 12.5%), kept to 4 places (C10 outside it).
pub fn percent(at: &CellRef, value: f64) -> Result<Decimal, Finding> {
    if !value.is_finite() || !(0.0..=PERCENT_LIMIT).contains(&value) {
        return Err(at.finding(
            Code::C10,
            format!(
                "{}: {value} is outside 0 to 100; enter the percentage on a 0-100 scale (12.5 means 12.5%)",
                at.name()
            ),
        ));
    }
    let decimal = Decimal::from_f64(value).unwrap_or_default();
    Ok(crate::domain::number::round_half_away(decimal, 4))
}

/// A version number: whole and at least 1 (C07 otherwise).
pub fn version(at: &CellRef, value: f64) -> Result<u32, Finding> {
    let whole = whole_units(value, 0).filter(|w| (1..=1_000_000).contains(w));
    match whole.and_then(|w| u32::try_from(w).ok()) {
        Some(version) if value.is_finite() => Ok(version),
        _ => Err(at.finding(
            Code::C07,
            format!(
                "{}: {value} is not a whole number of 1 or more; enter 1 for the first version",
                at.name()
            ),
        )),
    }
}

/// A weight: a number, 0 or more, with at most [`WEIGHT_PLACES`] decimal places.
pub fn weight(at: &CellRef, value: f64) -> Result<Weight, Finding> {
    if !value.is_finite() || value.abs() > WEIGHT_LIMIT {
        return Err(at.finding(
            Code::C11,
            format!(
                "{}: {} is out of any real range (at most 1,000,000,000,000); check the figure",
                at.name(),
                shown_float(value)
            ),
        ));
    }
    if value < 0.0 {
        return Err(at.finding(
            Code::C05,
            format!(
                "{}: {value} is negative; enter the weight as 0 or more",
                at.name()
            ),
        ));
    }
    // As rules §1 reads money to the penny: the float stands for a decimal with at most 6
    // places when it lies within a millionth of a unit of the 6th place of one.
    let scaled = value * 1e6;
    let rounded = scaled.round();
    let exact = (scaled - rounded).abs() < 1e-6;
    let weight = exact
        .then(|| Decimal::try_from_i128_with_scale(rounded as i128, WEIGHT_PLACES).ok())
        .flatten()
        .and_then(|decimal| Weight::new(decimal).ok());
    weight.ok_or_else(|| {
        at.finding(
            Code::C07,
            format!(
                "{}: {value} has more than {WEIGHT_PLACES} decimal places; round the weight to {WEIGHT_PLACES} places",
                at.name()
            ),
        )
    })
}

/// A float as a person would write it: `1e300` rather than three hundred digits.
fn shown_float(value: f64) -> String {
    if value.is_finite() && value.abs() < 1e15 {
        format!("{value}")
    } else {
        format!("{value:e}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const AT: CellRef<'static> = CellRef {
        file: "f.xlsx",
        sheet: "Expenditure",
        sheet_index: 1,
        row: 3,
        col: 2,
        label: "Actual this quarter (£)",
        row_label: None,
    };

    fn code<T: std::fmt::Debug>(result: Result<T, Finding>) -> Code {
        result.unwrap_err().code
    }

    #[test]
    fn money_has_two_places_and_three_is_c06() {
        assert_eq!(money(&AT, 12.34).unwrap(), Money::pence(1234));
        assert_eq!(code(money(&AT, 12.345)), Code::C06);
    }

    #[test]
    fn money_up_to_a_million_millions_and_beyond_it_is_c11() {
        assert_eq!(money(&AT, 1e12).unwrap(), Money::pounds(1_000_000_000_000));
        assert_eq!(code(money(&AT, 1e12 + 0.01)), Code::C11);
    }

    #[test]
    fn zero_is_not_negative_and_a_penny_below_is_c05() {
        assert_eq!(money(&AT, 0.0).unwrap(), Money::pence(0));
        assert_eq!(code(money(&AT, -0.01)), Code::C05);
        assert!(fte(&AT, 0.0).is_ok());
        assert_eq!(code(fte(&AT, -0.01)), Code::C05);
        assert!(headcount(&AT, 0.0).is_ok());
        assert_eq!(code(headcount(&AT, -1.0)), Code::C05);
        assert!(weight(&AT, 0.0).is_ok());
        assert_eq!(code(weight(&AT, -0.000001)), Code::C05);
    }

    #[test]
    fn fte_has_two_places_and_three_is_c07() {
        assert_eq!(fte(&AT, 12.34).unwrap().to_string(), "12.34");
        assert_eq!(code(fte(&AT, 12.345)), Code::C07);
    }

    #[test]
    fn workforce_up_to_a_million_and_beyond_it_is_c11() {
        assert!(fte(&AT, 1_000_000.0).is_ok());
        assert_eq!(code(fte(&AT, 1_000_000.01)), Code::C11);
        assert_eq!(headcount(&AT, 1_000_000.0).unwrap().get(), 1_000_000);
        assert_eq!(code(headcount(&AT, 1_000_001.0)), Code::C11);
    }

    #[test]
    fn a_headcount_is_whole() {
        assert_eq!(headcount(&AT, 12.0).unwrap().get(), 12);
        assert_eq!(code(headcount(&AT, 12.5)), Code::C07);
    }

    #[test]
    fn percentages_from_0_to_exactly_100_and_c10_beyond() {
        assert_eq!(percent(&AT, 100.0).unwrap(), Decimal::new(100, 0));
        assert_eq!(percent(&AT, 0.0).unwrap(), Decimal::ZERO);
        assert_eq!(code(percent(&AT, 100.0001)), Code::C10);
        assert_eq!(code(percent(&AT, -0.0001)), Code::C10);
        assert_eq!(code(percent(&AT, f64::NAN)), Code::C10);
    }

    #[test]
    fn versions_start_at_1_and_are_whole() {
        assert_eq!(version(&AT, 1.0).unwrap(), 1);
        assert_eq!(code(version(&AT, 0.0)), Code::C07);
        assert_eq!(code(version(&AT, 1.5)), Code::C07);
        assert_eq!(version(&AT, 1_000_000.0).unwrap(), 1_000_000);
        assert_eq!(code(version(&AT, 1_000_001.0)), Code::C07);
    }

    #[test]
    fn weights_have_six_places_and_seven_is_c07() {
        assert_eq!(weight(&AT, 0.123456).unwrap().to_string(), "0.123456");
        assert_eq!(code(weight(&AT, 0.1234567)), Code::C07);
        assert!(weight(&AT, 1e12).is_ok());
        assert_eq!(code(weight(&AT, 1e12 + 1.0)), Code::C11);
    }

    #[test]
    fn a_finding_names_the_cell_and_its_label() {
        let finding = money(&AT, -5.0).unwrap_err();
        assert_eq!(
            finding.to_string(),
            "error C05 f.xlsx › Expenditure!C4: Actual this quarter (£): -5 is negative; enter the amount as 0 or more"
        );
    }
}
