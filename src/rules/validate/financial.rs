//! The checks on a financial return's values: each category of the cycle once (X11, X12),
//! ineligible spending explained in Notes (X06), and the chief finance officer's sign-off
//! given and dated after the quarter (X07), and a total row a force added that does not add
//! up (X16).

use std::collections::BTreeMap;

use chrono::NaiveDate;

use crate::domain::category::{Category, CategoryId};
use crate::domain::returns::FinancialReturn;
use crate::domain::{FinancialYear, Money, Quarter};
use crate::findings::{CellRef, Code, Finding, Location, Severity, quote};

use super::Figure;

/// The row's category: X12 when it is not one of the cycle's, X11 when an earlier row gave
/// it (`seen` holds the categories given so far, with their rows).
pub fn category<'c>(
    at: &CellRef,
    text: &str,
    categories: &'c [Category],
    seen: &mut BTreeMap<CategoryId, u32>,
) -> Result<&'c Category, Finding> {
    let Some(category) = categories.iter().find(|c| c.id.as_str() == text) else {
        let found = if text.is_empty() {
            "blank".to_owned()
        } else {
            quote(text)
        };
        let known: Vec<&str> = categories.iter().map(|c| c.id.as_str()).collect();
        return Err(at.finding(
            Code::X12,
            format!(
                "{}: {found} is not a category of the cycle; use one of {}",
                at.label,
                known.join(", ")
            ),
        ));
    };
    if seen.insert(category.id.clone(), at.row).is_some() {
        return Err(at.finding(
            Code::X11,
            format!(
                "{}: {} is listed twice; give each category one row",
                at.label, category.id
            ),
        ));
    }
    Ok(category)
}

/// X12: the categories of the cycle that no row gave, named on the sheet.
pub fn categories_missing(
    sheet: Location,
    categories: &[Category],
    seen: &BTreeMap<CategoryId, u32>,
) -> Option<Finding> {
    let missing: Vec<&str> = categories
        .iter()
        .filter(|c| !seen.contains_key(&c.id))
        .map(|c| c.id.as_str())
        .collect();
    (!missing.is_empty()).then(|| {
        Finding::new(
            Code::X12,
            sheet,
            format!(
                "categories missing: {}; add a row for each category of the cycle",
                missing.join(", ")
            ),
        )
    })
}

/// X16: a total row the force added (its label says "total"; the row is X12 too, having no
/// category id) whose figure in a column differs from what the category rows add up to. The
/// payment never uses a total, but a total that does not add up says the rows are not what the
/// force's ledger holds. `at` is the added row's cell in the summed column.
pub fn added_total_adds_up(at: &CellRef, given: Money, rows_add_up_to: Money) -> Option<Finding> {
    (given != rows_add_up_to).then(|| {
        at.finding(
            Code::X16,
            format!(
                "{}: this total row gives {} but the category rows add up to {}; check the rows against your ledger, then delete this row (the template's Total row adds up by itself)",
                at.label,
                given.to_gbp(),
                rows_add_up_to.to_gbp()
            ),
        )
    })
}

/// X06: spending (actual or forecast, other than 0) in a category that is not eligible for
/// the grant must be explained in Notes. `notes` is the Notes cell.
pub fn ineligible_explained(
    notes: &CellRef,
    category: &Category,
    has_note: bool,
    actual: Option<Money>,
    forecast: Option<Money>,
) -> Option<Finding> {
    let spent = actual.is_some_and(|a| !a.is_zero()) || forecast.is_some_and(|f| !f.is_zero());
    (!category.eligible && !has_note && spent).then(|| {
        notes.finding(
            Code::X06,
            format!(
                "{}: blank, but this category ({}) is not eligible for the grant and has an amount; say here what the spending was",
                notes.name(),
                category.id
            ),
        )
    })
}

/// X07: the chief finance officer and the signed-on date are required; a sign-off on or
/// before the quarter's last day is early (a warning). A field is `None` when its row is
/// missing (that is F04); `year` and `quarter` are `None` when they could not be read.
pub fn signed_off(
    officer: Option<&Figure<String>>,
    signed_on: Option<&Figure<NaiveDate>>,
    year: Option<FinancialYear>,
    quarter: Option<Quarter>,
) -> Vec<Finding> {
    let mut findings = Vec::new();
    if let Some(cell) = officer.filter(|f| f.value.is_none()) {
        findings.push(cell.at.finding(
            Code::X07,
            format!(
                "{} is blank; the return must be signed off by the chief finance officer",
                cell.at.label
            ),
        ));
    }
    if let Some(cell) = signed_on {
        if cell.blank {
            findings.push(cell.at.finding(
                Code::X07,
                format!(
                    "{} is blank; enter the date the chief finance officer signed the return off (YYYY-MM-DD)",
                    cell.at.label
                ),
            ));
        } else if let (Some(date), Some(year), Some(quarter)) = (cell.value, year, quarter) {
            let quarter_end = quarter.last_day(year);
            if date <= quarter_end {
                findings.push(
                    cell.at
                        .finding(
                            Code::X07,
                            format!(
                                "{}: {date} is on or before the end of {quarter} ({quarter_end}); a return for the quarter is signed off after the quarter ends",
                                cell.at.label
                            ),
                        )
                        .with_severity(Severity::Warning),
                );
            }
        }
    }
    findings
}

/// The return's eligible spend, `(actual, forecast)`: the lines whose category of the cycle
/// is eligible (what X10 compares with the allocation).
pub fn eligible_spend(ret: &FinancialReturn, categories: &[Category]) -> (Money, Money) {
    let eligible = |id: &str| categories.iter().any(|c| c.eligible && c.id.as_str() == id);
    let lines = || ret.lines.iter().filter(|l| eligible(l.category.as_str()));
    (
        lines().map(|l| l.actual).sum(),
        lines().map(|l| l.forecast).sum(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(row: u32, col: u32, label: &'static str) -> CellRef<'static> {
        CellRef {
            file: "f.xlsx",
            sheet: "Expenditure",
            sheet_index: 1,
            row,
            col,
            label,
            row_label: None,
        }
    }

    fn categories() -> Vec<Category> {
        let category = |id: &str, eligible| Category {
            id: id.parse().unwrap(),
            label: id.to_owned(),
            eligible,
        };
        vec![
            category("officer-pay", true),
            category("hospitality", false),
        ]
    }

    #[test]
    fn each_category_once_and_only_the_cycles() {
        let categories = categories();
        let mut seen = BTreeMap::new();
        let id = at(1, 0, "Category id");
        assert!(category(&id, "officer-pay", &categories, &mut seen).is_ok());
        let again = category(
            &at(2, 0, "Category id"),
            "officer-pay",
            &categories,
            &mut seen,
        );
        assert_eq!(again.unwrap_err().code, Code::X11);
        let unknown = category(&at(3, 0, "Category id"), "cars", &categories, &mut seen);
        assert_eq!(
            unknown.unwrap_err().message,
            "Category id: \"cars\" is not a category of the cycle; use one of officer-pay, hospitality"
        );
        let blank = category(&at(4, 0, "Category id"), "", &categories, &mut seen);
        assert!(
            blank
                .unwrap_err()
                .message
                .starts_with("Category id: blank is not")
        );
        let sheet = Location::sheet("f.xlsx", "Expenditure", 1);
        let missing = categories_missing(sheet.clone(), &categories, &seen).unwrap();
        assert_eq!(missing.code, Code::X12);
        assert!(
            missing
                .message
                .starts_with("categories missing: hospitality;")
        );
        seen.insert("hospitality".parse().unwrap(), 5);
        assert!(categories_missing(sheet, &categories, &seen).is_none());
    }

    #[test]
    fn an_added_total_is_told_only_when_it_does_not_add_up_to_the_penny() {
        let cell = at(8, 4, "Actual this quarter (£)");
        let rows = Money::pence(12_345_678);
        assert!(added_total_adds_up(&cell, rows, rows).is_none());
        let x16 = added_total_adds_up(&cell, rows + Money::pence(1), rows).unwrap();
        assert_eq!(x16.code, Code::X16);
        assert_eq!(x16.severity, Severity::Warning);
        assert_eq!(x16.location.a1().as_deref(), Some("E9"));
        assert_eq!(
            x16.message,
            "Actual this quarter (£): this total row gives £123,456.79 but the category rows add up to £123,456.78; check the rows against your ledger, then delete this row (the template's Total row adds up by itself)"
        );
    }

    #[test]
    fn ineligible_spend_other_than_0_needs_a_note() {
        let categories = categories();
        let (pay, hospitality) = (&categories[0], &categories[1]);
        let notes = at(2, 4, "Notes");
        let penny = Some(Money::pence(1));
        let zero = Some(Money::pence(0));
        let x06 = ineligible_explained(&notes, hospitality, false, zero, penny).unwrap();
        assert_eq!(x06.severity, Severity::Warning);
        assert!(ineligible_explained(&notes, hospitality, false, penny, zero).is_some());
        assert!(ineligible_explained(&notes, hospitality, false, zero, zero).is_none());
        assert!(ineligible_explained(&notes, hospitality, true, penny, penny).is_none());
        assert!(ineligible_explained(&notes, pay, false, penny, penny).is_none());
    }

    #[test]
    fn a_sign_off_on_the_quarter_end_is_early_and_the_day_after_is_not() {
        let year: FinancialYear = "2025-26".parse().unwrap();
        let officer = Figure {
            at: at(7, 1, "Chief finance officer"),
            value: Some("A. Finance".to_owned()),
            blank: false,
        };
        let signed = |date: &str| Figure {
            at: at(6, 1, "Submitted on"),
            value: Some(date.parse::<NaiveDate>().unwrap()),
            blank: false,
        };
        let check = |date: &str| {
            signed_off(
                Some(&officer),
                Some(&signed(date)),
                Some(year),
                Some(Quarter::Q2),
            )
        };
        let early = check("2025-09-30");
        assert_eq!(early.len(), 1);
        assert_eq!(
            (early[0].code, early[0].severity),
            (Code::X07, Severity::Warning)
        );
        assert!(check("2025-10-01").is_empty());
    }

    #[test]
    fn a_missing_officer_or_date_is_an_x07_error() {
        let officer = Figure {
            at: at(7, 1, "Chief finance officer"),
            value: None::<String>,
            blank: true,
        };
        let signed = Figure {
            at: at(6, 1, "Submitted on"),
            value: None::<NaiveDate>,
            blank: true,
        };
        let found = signed_off(Some(&officer), Some(&signed), None, None);
        let codes: Vec<(Code, Severity)> = found.iter().map(|f| (f.code, f.severity)).collect();
        assert_eq!(
            codes,
            [(Code::X07, Severity::Error), (Code::X07, Severity::Error)]
        );
        assert!(signed_off(None, None, None, None).is_empty());
    }
}
