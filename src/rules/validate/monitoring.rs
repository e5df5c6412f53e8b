//! The checks on a monitoring return's values: `Months to` within the year (C08), nothing
//! reported after it (X03), queries and responses given together and responses no more than
//! queries (C01, X09), and the plausibility of the neighbourhood workforce (C09), which a
//! plan's profile is checked by too.

use rust_decimal::Decimal;

use crate::domain::{FinancialYear, Fte, Headcount, Month};
use crate::findings::{CellRef, Code, Finding, Location, quote};

use super::Figure;

/// C09: the most neighbourhood FTE may move in one month, as a share of the baseline.
const STEP_LIMIT_OF_BASELINE: Decimal = Decimal::from_parts(20, 0, 0, false, 2);
/// C09: the most neighbourhood FTE may be, as a multiple of the baseline.
const CEILING_TIMES_BASELINE: Decimal = Decimal::from_parts(3, 0, 0, false, 0);

/// C09: neighbourhood FTE moving more than 20% of the baseline from one month to the next
/// (the first month compared with the baseline itself), or above 3 × the baseline. The
/// findings point at column `level_col` of each level's row and name its month.
pub fn plausibility(
    file: &str,
    (sheet, sheet_index): (&str, usize),
    level_col: u32,
    baseline: Fte,
    levels: impl Iterator<Item = (u32, Month, Fte)>,
) -> Vec<Finding> {
    let mut findings = Vec::new();
    let base = baseline.as_decimal();
    let step_limit = base * STEP_LIMIT_OF_BASELINE;
    let ceiling = base * CEILING_TIMES_BASELINE;
    let mut previous = baseline;
    for (row, month, level) in levels {
        let at = |code: Code, message: String| {
            Finding::new(
                code,
                Location::cell(file, sheet, sheet_index, row, level_col).in_row(&month.to_string()),
                message,
            )
        };
        let change = (level - previous).as_decimal();
        if change.abs() > step_limit {
            findings.push(at(
                Code::C09,
                format!(
                    "neighbourhood FTE (officers + PCSOs) in {month} moves from {previous} to {level}, more than 20% of the baseline {baseline} in one month; check the figures"
                ),
            ));
        } else if level.as_decimal() > ceiling {
            findings.push(at(
                Code::C09,
                format!(
                    "neighbourhood FTE (officers + PCSOs) in {month} is {level}, more than 3 times the baseline {baseline}; check the figures"
                ),
            ));
        }
        previous = level;
    }
    findings
}

/// C08: `Months to` outside the return's financial year.
pub fn months_to_in_year(
    at: &CellRef,
    month: Month,
    year: FinancialYear,
) -> Result<Month, Finding> {
    if year.contains(month) {
        return Ok(month);
    }
    Err(at.finding(
        Code::C08,
        format!(
            "{}: {month} is outside the financial year {year}; enter a month from {} to {}",
            at.label,
            year.first_month(),
            year.last_month()
        ),
    ))
}

/// X03: a row after `Months to` may keep its month label but nothing else (rules §10).
/// `filled` is the row's first input cell that is not blank, with its value as shown.
pub fn nothing_after_months_to(
    month: Month,
    through: Month,
    filled: Option<(CellRef, &str)>,
) -> Option<Finding> {
    if month <= through {
        return None;
    }
    let (at, shown) = filled?;
    Some(at.finding(
        Code::X03,
        format!(
            "{month} — {}: {} is in a month after Months to ({through}); leave the row blank, or raise Months to",
            at.label,
            quote(shown)
        ),
    ))
}

/// Queries and responses come together or not at all (C01 at the blank one), and responses
/// cannot exceed queries (X09). A figure is `None` when its column is missing.
pub fn queries_answered<'a>(
    queries: Option<Figure<'a, Headcount>>,
    responded: Option<Figure<'a, Headcount>>,
) -> Option<Finding> {
    let value = |figure: Option<Figure<'a, Headcount>>| figure.and_then(|f| f.value);
    let blank = |figure: Option<Figure<'a, Headcount>>| figure.filter(|f| f.blank).map(|f| f.at);
    match (value(queries), value(responded)) {
        (Some(q), Some(r)) if r > q => responded.map(|cell| {
            cell.at.finding(
                Code::X09,
                format!(
                    "{}: {r} exceeds the {q} queries received; check both figures",
                    cell.at.name()
                ),
            )
        }),
        (Some(_), None) => blank(responded)
            .map(|at| at.blank_finding("Queries received is given; give both figures or neither")),
        (None, Some(_)) => blank(queries).map(|at| {
            at.blank_finding("Responded within 72 hours is given; give both figures or neither")
        }),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fte(text: &str) -> Fte {
        text.parse().unwrap()
    }

    /// The month of the `i`th level, counted from April 2025.
    fn month_of_row(i: usize) -> Month {
        let year: FinancialYear = "2025-26".parse().unwrap();
        year.months().nth(i).unwrap()
    }

    fn c09(baseline: &str, levels: &[&str]) -> Vec<String> {
        plausibility(
            "m.xlsx",
            ("Monthly", 1),
            1,
            fte(baseline),
            levels
                .iter()
                .enumerate()
                .map(|(i, l)| (i as u32 + 1, month_of_row(i), fte(l))),
        )
        .iter()
        .map(ToString::to_string)
        .collect()
    }

    #[test]
    fn a_move_of_exactly_20_percent_of_the_baseline_is_not_c09_and_just_above_is() {
        assert!(c09("100.00", &["120.00", "100.00", "80.00"]).is_empty());
        assert_eq!(
            c09("100.00", &["120.01"]),
            [
                "warning C09 m.xlsx › Monthly!B2: neighbourhood FTE (officers + PCSOs) in 2025-04 moves from 100.00 to 120.01, more than 20% of the baseline 100.00 in one month; check the figures"
            ]
        );
        assert_eq!(c09("100.00", &["100.00", "79.99"]).len(), 1);
    }

    #[test]
    fn the_step_is_from_the_previous_month_not_the_baseline() {
        assert!(c09("100.00", &["120.00", "140.00", "160.00"]).is_empty());
    }

    #[test]
    fn exactly_3_times_the_baseline_is_not_c09_and_just_above_is() {
        // A baseline of 0 allows no step at all, so the ceiling is tested with steps
        // within 20%: a small baseline climbing slowly cannot pass 3× in one step.
        let mut levels = Vec::new();
        let mut level = Decimal::new(100, 0);
        while level < Decimal::new(300, 0) {
            level = (level + Decimal::new(20, 0)).min(Decimal::new(300, 0));
            levels.push(format!("{level}.00"));
        }
        let shown: Vec<&str> = levels.iter().map(String::as_str).collect();
        assert!(c09("100.00", &shown).is_empty(), "{shown:?}");
        let mut above = shown.clone();
        above.push("300.01");
        assert_eq!(
            c09("100.00", &above),
            [format!(
                "warning C09 m.xlsx › Monthly!B{}: neighbourhood FTE (officers + PCSOs) in {} is 300.01, more than 3 times the baseline 100.00; check the figures",
                above.len() + 1,
                month_of_row(above.len() - 1)
            )]
        );
    }

    fn at(col: u32, label: &'static str) -> CellRef<'static> {
        CellRef {
            file: "m.xlsx",
            sheet: "Monthly",
            sheet_index: 1,
            row: 4,
            col,
            label,
            row_label: None,
        }
    }

    fn figure(col: u32, value: Option<u32>) -> Option<Figure<'static, Headcount>> {
        Some(Figure {
            at: at(
                col,
                if col == 4 {
                    "Queries received"
                } else {
                    "Responded within 72 hours"
                },
            ),
            value: value.map(|v| Headcount::new(v).unwrap()),
            blank: value.is_none(),
        })
    }

    #[test]
    fn responses_equal_to_queries_are_clean_and_one_more_is_x09() {
        assert!(queries_answered(figure(4, Some(10)), figure(5, Some(10))).is_none());
        let finding = queries_answered(figure(4, Some(10)), figure(5, Some(11))).unwrap();
        assert_eq!(
            finding.to_string(),
            "error X09 m.xlsx › Monthly!F5: Responded within 72 hours: 11 exceeds the 10 queries received; check both figures"
        );
    }

    #[test]
    fn one_figure_without_the_other_is_c01_at_the_blank_one() {
        let finding = queries_answered(figure(4, Some(10)), figure(5, None)).unwrap();
        assert_eq!(
            (finding.code, finding.location.a1()),
            (Code::C01, Some("F5".into()))
        );
        let finding = queries_answered(figure(4, None), figure(5, Some(3))).unwrap();
        assert_eq!(
            (finding.code, finding.location.a1()),
            (Code::C01, Some("E5".into()))
        );
        assert!(queries_answered(figure(4, None), figure(5, None)).is_none());
        // A figure whose column is missing is not asked for.
        assert!(queries_answered(figure(4, Some(10)), None).is_none());
    }

    #[test]
    fn months_to_and_rows_after_it() {
        let year: FinancialYear = "2025-26".parse().unwrap();
        let m = |t: &str| t.parse::<Month>().unwrap();
        assert!(months_to_in_year(&at(1, "Months to"), m("2026-03"), year).is_ok());
        assert_eq!(
            months_to_in_year(&at(1, "Months to"), m("2026-04"), year)
                .unwrap_err()
                .code,
            Code::C08
        );
        let filled = Some((at(2, "Officers FTE"), "12"));
        assert!(nothing_after_months_to(m("2025-09"), m("2025-09"), filled).is_none());
        let finding = nothing_after_months_to(m("2025-10"), m("2025-09"), filled).unwrap();
        assert_eq!(
            finding.message,
            "2025-10 — Officers FTE: \"12\" is in a month after Months to (2025-09); leave the row blank, or raise Months to"
        );
        assert!(nothing_after_months_to(m("2025-10"), m("2025-09"), None).is_none());
    }
}
