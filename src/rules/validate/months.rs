//! The checks on the months of a plan's or monitoring return's table: each month in the
//! return's financial year (C08), each once and in order (X03), none missing (X03).

use std::collections::BTreeSet;

use crate::domain::{FinancialYear, Month};
use crate::findings::{CellRef, Code, Finding, Location};

/// C08: a month row outside the return's financial year.
pub fn month_in_year(at: &CellRef, month: Month, year: FinancialYear) -> Result<Month, Finding> {
    if year.contains(month) {
        return Ok(month);
    }
    Err(at.finding(
        Code::C08,
        format!(
            "{}: {month} is outside the financial year {year} ({} to {})",
            at.label,
            year.first_month(),
            year.last_month()
        ),
    ))
}

/// X03: a month repeated, or listed after a later one, at the row where it shows.
pub fn months_in_order(months: &[(CellRef, Month)]) -> Vec<Finding> {
    let mut findings = Vec::new();
    let mut seen = BTreeSet::new();
    let mut previous: Option<Month> = None;
    for (at, month) in months {
        let month = *month;
        if !seen.insert(month) {
            findings.push(at.finding(
                Code::X03,
                format!(
                    "{}: {month} is repeated; each month must appear once",
                    at.label
                ),
            ));
        } else if let Some(latest) = previous.filter(|p| month < *p) {
            findings.push(at.finding(
                Code::X03,
                format!(
                    "{}: {month} comes after {latest}; list the months in order from April to March",
                    at.label
                ),
            ));
        }
        previous = Some(previous.map_or(month, |p| p.max(month)));
    }
    findings
}

/// X03: the months from April to `through` that have no row, named on the sheet.
pub fn months_missing(
    sheet: Location,
    year: FinancialYear,
    through: Month,
    present: &BTreeSet<Month>,
) -> Option<Finding> {
    let missing: Vec<String> = year
        .months()
        .filter(|m| *m <= through && !present.contains(m))
        .map(|m| m.to_string())
        .collect();
    (!missing.is_empty()).then(|| {
        Finding::new(
            Code::X03,
            sheet,
            format!(
                "months missing: {}; add a row for each month from {} to {through}",
                missing.join(", "),
                year.first_month()
            ),
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(row: u32) -> CellRef<'static> {
        CellRef {
            file: "plan.xlsx",
            sheet: "Profile",
            sheet_index: 1,
            row,
            col: 0,
            label: "Month",
            row_label: None,
        }
    }

    fn year() -> FinancialYear {
        "2025-26".parse().unwrap()
    }

    fn month(text: &str) -> Month {
        text.parse().unwrap()
    }

    #[test]
    fn april_to_march_is_in_the_year_and_either_side_is_c08() {
        for inside in ["2025-04", "2026-03"] {
            assert!(month_in_year(&at(1), month(inside), year()).is_ok());
        }
        for outside in ["2025-03", "2026-04"] {
            let finding = month_in_year(&at(1), month(outside), year()).unwrap_err();
            assert_eq!(finding.code, Code::C08, "{outside}");
        }
    }

    #[test]
    fn a_repeat_and_a_step_back_are_x03_where_they_show() {
        let months = [
            (at(1), month("2025-04")),
            (at(2), month("2025-06")),
            (at(3), month("2025-05")),
            (at(4), month("2025-06")),
            (at(5), month("2025-07")),
        ];
        let found: Vec<String> = months_in_order(&months)
            .iter()
            .map(ToString::to_string)
            .collect();
        assert_eq!(
            found,
            [
                "error X03 plan.xlsx › Profile!A4: Month: 2025-05 comes after 2025-06; list the months in order from April to March",
                "error X03 plan.xlsx › Profile!A5: Month: 2025-06 is repeated; each month must appear once",
            ]
        );
        assert!(months_in_order(&months[..2]).is_empty());
    }

    #[test]
    fn months_up_to_through_must_all_be_there() {
        let sheet = Location::sheet("plan.xlsx", "Profile", 1);
        let present: BTreeSet<Month> = [month("2025-04"), month("2025-06")].into();
        let finding = months_missing(sheet.clone(), year(), month("2025-07"), &present).unwrap();
        assert_eq!(
            finding.message,
            "months missing: 2025-05, 2025-07; add a row for each month from 2025-04 to 2025-07"
        );
        assert!(months_missing(sheet, year(), month("2025-04"), &present).is_none());
    }
}
