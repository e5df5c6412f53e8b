//! The checks on a monitoring return's values: `Months to` within the year (C08), nothing
//! reported after it (X03), queries and responses given together and responses no more than
//! queries (C01, X09), and the plausibility of the neighbourhood workforce (C09), which a
//! plan's profile is checked by too; and, against the force's previous monitoring return, a
//! month whose figure was changed (X17, information).

use rust_decimal::Decimal;

use crate::domain::returns::{MonitoringMonth, MonitoringReturn};
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

/// Each figure of a monitoring month by layout key, as a person reads it ("blank" for a
/// contextual measure not reported).
fn month_figures(month: &MonitoringMonth) -> [(&'static str, String); 6] {
    fn shown<T: ToString>(value: Option<T>) -> String {
        value.map_or_else(|| "blank".to_owned(), |v| v.to_string())
    }
    [
        ("officers", month.officers.to_string()),
        ("pcsos", month.pcsos.to_string()),
        ("specials", month.specials.to_string()),
        ("queries_received", shown(month.queries_received)),
        ("responded_72h", shown(month.responded_72h)),
        (
            "abstraction_rate",
            shown(month.abstraction_rate.map(|r| r.normalize())),
        ),
    ]
}

/// Where a monitoring return's figures stand: the sheet, each reported month's row and
/// each figure's column (key, header, column).
pub struct MonthCells<'a> {
    pub file: &'a str,
    pub sheet: &'a str,
    pub sheet_index: usize,
    pub rows: &'a [(Month, u32)],
    pub columns: &'a [(String, String, u32)],
}

/// X17 (information): each figure of a month that `current` and the force's previous
/// monitoring return (`previous`, from `previous_file`) both report, and that differs: a
/// correction of an earlier month is allowed, and told so that nobody is surprised by it.
/// Figures compare by value (12.5 and 12.50 are the same).
pub fn restated_months(
    cells: &MonthCells,
    current: &MonitoringReturn,
    previous_file: &str,
    previous: &MonitoringReturn,
) -> Vec<Finding> {
    let mut findings = Vec::new();
    for month in &current.months {
        let Some(before) = previous.months.iter().find(|m| m.month == month.month) else {
            continue;
        };
        let Some(&(_, row)) = cells.rows.iter().find(|(m, _)| *m == month.month) else {
            continue;
        };
        let now = month_figures(month);
        let was = month_figures(before);
        for ((key, new), (_, old)) in now.iter().zip(&was) {
            if new == old {
                continue;
            }
            let Some((_, header, col)) = cells.columns.iter().find(|(k, _, _)| k == key) else {
                continue;
            };
            let at = CellRef {
                file: cells.file,
                sheet: cells.sheet,
                sheet_index: cells.sheet_index,
                row,
                col: *col,
                label: header,
                // The message names the month itself.
                row_label: None,
            };
            findings.push(at.finding(
                Code::X17,
                format!(
                    "{header} for {}: {new} here, {old} in the previous return {previous_file} (months to {}); a correction of an earlier month is accepted: check that it is meant",
                    month.month, previous.months_to
                ),
            ));
        }
    }
    findings
}

#[cfg(test)]
mod tests {
    use super::*;

    fn month_return(months_to: &str, months: &[(&str, &str, Option<&str>)]) -> MonitoringReturn {
        MonitoringReturn {
            header: crate::domain::returns::ReturnHeader {
                force: "kent".parse().unwrap(),
                force_name: "Kent Police".to_owned(),
                year: "2025-26".parse().unwrap(),
                prepared_by: "A. Analyst".to_owned(),
                submitted_on: chrono::NaiveDate::from_ymd_opt(2025, 8, 1).unwrap(),
            },
            months_to: months_to.parse().unwrap(),
            months: months
                .iter()
                .map(|(month, officers, rate)| MonitoringMonth {
                    month: month.parse().unwrap(),
                    officers: fte(officers),
                    pcsos: fte("10.00"),
                    specials: Headcount::new(3).unwrap(),
                    queries_received: None,
                    responded_72h: None,
                    abstraction_rate: rate.map(|r| r.parse().unwrap()),
                })
                .collect(),
        }
    }

    #[test]
    fn x17_names_each_changed_figure_of_a_month_both_returns_report_by_value() {
        let previous = month_return(
            "2025-05",
            &[
                ("2025-04", "100.00", Some("12.5")),
                ("2025-05", "101.00", None),
            ],
        );
        let current = month_return(
            "2025-06",
            &[
                ("2025-04", "100.00", Some("12.50")),
                ("2025-05", "101.50", Some("3")),
                ("2025-06", "90.00", None),
            ],
        );
        let month = |text: &str| text.parse::<Month>().unwrap();
        let rows = [
            (month("2025-04"), 1),
            (month("2025-05"), 2),
            (month("2025-06"), 3),
        ];
        let columns = [
            ("officers".to_owned(), "Officers FTE".to_owned(), 1),
            (
                "abstraction_rate".to_owned(),
                "Abstraction rate (%)".to_owned(),
                6,
            ),
        ];
        let cells = MonthCells {
            file: "m.xlsx",
            sheet: "Monitoring",
            sheet_index: 1,
            rows: &rows,
            columns: &columns,
        };
        let found: Vec<String> = restated_months(&cells, &current, "p.xlsx", &previous)
            .iter()
            .map(ToString::to_string)
            .collect();
        // 12.5 and 12.50 are one figure; June is new, not restated.
        assert_eq!(
            found,
            [
                "info X17 m.xlsx › Monitoring!B3: Officers FTE for 2025-05: 101.50 here, 101.00 in the previous return p.xlsx (months to 2025-05); a correction of an earlier month is accepted: check that it is meant",
                "info X17 m.xlsx › Monitoring!G3: Abstraction rate (%) for 2025-05: 3 here, blank in the previous return p.xlsx (months to 2025-05); a correction of an earlier month is accepted: check that it is meant",
            ]
        );
    }

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
