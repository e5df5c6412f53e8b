//! The checks on a delivery plan's values: neighbourhood FTE in March above the baseline
//! (X05), and the months' planned spend adding up to the force's allocation exactly (X04).
//! The plan's levels are checked for plausibility (C09) as a monitoring return's are.

use crate::domain::{FinancialYear, Fte, Money, Month};
use crate::findings::{CellRef, Code, Finding};

/// X05: the plan must grow the neighbourhood workforce, so the last month's neighbourhood
/// FTE (officers + PCSOs) must be above the baseline; equal is not growth. `levels` holds
/// each month's level with the officers cell it is named by.
pub fn growth(
    year: FinancialYear,
    baseline: Fte,
    levels: &[(CellRef, Month, Fte)],
) -> Option<Finding> {
    let last = year.last_month();
    let (at, _, level) = levels.iter().find(|(_, month, _)| *month == last)?;
    (*level <= baseline).then(|| {
        at.finding(
            Code::X05,
            format!(
                "neighbourhood FTE (officers + PCSOs) in {last} is {level}, not above the baseline {baseline}; the plan must grow the neighbourhood workforce"
            ),
        )
    })
}

/// X04: the months' planned spend must total the allocation to the penny. `header` is the
/// planned spend column's header cell, where the finding points.
pub fn total_is_allocation(
    header: &CellRef,
    planned: impl IntoIterator<Item = Money>,
    allocation: Money,
) -> Option<Finding> {
    let total: Money = planned.into_iter().sum();
    (total != allocation).then(|| {
        header.finding(
            Code::X04,
            format!(
                "{}: the months total {}, but the force's allocation is {} (difference {}); make the planned spend add up to the allocation exactly",
                header.label,
                total.to_gbp(),
                allocation.to_gbp(),
                (total - allocation).to_gbp()
            ),
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(row: u32, col: u32, label: &'static str) -> CellRef<'static> {
        CellRef {
            file: "plan.xlsx",
            sheet: "Profile",
            sheet_index: 1,
            row,
            col,
            label,
            row_label: None,
        }
    }

    fn fte(text: &str) -> Fte {
        text.parse().unwrap()
    }

    fn year() -> FinancialYear {
        "2025-26".parse().unwrap()
    }

    fn march(level: &str) -> Vec<(CellRef<'static>, Month, Fte)> {
        vec![
            (
                at(1, 1, "Officers"),
                "2025-04".parse().unwrap(),
                fte("100.00"),
            ),
            (
                at(12, 1, "Officers"),
                "2026-03".parse().unwrap(),
                fte(level),
            ),
        ]
    }

    #[test]
    fn march_at_the_baseline_is_x05_and_a_hundredth_above_is_growth() {
        let finding = growth(year(), fte("100.00"), &march("100.00")).unwrap();
        assert_eq!(
            finding.to_string(),
            "error X05 plan.xlsx › Profile!B13: neighbourhood FTE (officers + PCSOs) in 2026-03 is 100.00, not above the baseline 100.00; the plan must grow the neighbourhood workforce"
        );
        assert!(growth(year(), fte("100.00"), &march("100.01")).is_none());
        assert!(growth(year(), fte("100.00"), &march("99.99")).is_some());
    }

    #[test]
    fn a_plan_without_march_is_not_x05_here() {
        let levels = march("1.00");
        assert!(growth(year(), fte("100.00"), &levels[..1]).is_none());
    }

    #[test]
    fn spend_exactly_the_allocation_is_clean_and_a_penny_off_is_x04() {
        let header = at(0, 4, "Planned spend (£)");
        let planned = [Money::pence(150), Money::pence(250)];
        assert!(total_is_allocation(&header, planned, Money::pence(400)).is_none());
        let finding = total_is_allocation(&header, planned, Money::pence(401)).unwrap();
        assert_eq!(
            finding.to_string(),
            "error X04 plan.xlsx › Profile!E1: Planned spend (£): the months total £4.00, but the force's allocation is £4.01 (difference -£0.01); make the planned spend add up to the allocation exactly"
        );
        assert!(total_is_allocation(&header, planned, Money::pence(399)).is_some());
    }
}
