//! The checks on a return's About sheet values: the force is in the force list (X01) and the
//! financial year is the cycle's (X02).

use crate::domain::{FinancialYear, ForceId, ForceList};
use crate::findings::{CellRef, Code, Finding, quote};

/// X01: the force id given must be one of the force list's.
pub fn force_known(at: &CellRef, text: &str, forces: &ForceList) -> Result<ForceId, Finding> {
    text.parse::<ForceId>()
        .ok()
        .filter(|id| forces.contains(id))
        .ok_or_else(|| {
            at.finding(
                Code::X01,
                format!(
                    "{}: {} is not in the force list; enter your force's id as npg template wrote it (for example kent)",
                    at.label,
                    quote(text)
                ),
            )
        })
}

/// X02: a return's year must be the cycle's; without a cycle (a file validated on its own)
/// any year is taken.
pub fn year_of_cycle(
    at: &CellRef,
    year: FinancialYear,
    cycle_year: Option<FinancialYear>,
) -> Result<FinancialYear, Finding> {
    match cycle_year {
        Some(cycle_year) if cycle_year != year => Err(at.finding(
            Code::X02,
            format!(
                "{}: {year} differs from the cycle's year {cycle_year}; enter {cycle_year}",
                at.label
            ),
        )),
        _ => Ok(year),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const AT: CellRef<'static> = CellRef {
        file: "plan.xlsx",
        sheet: "About",
        sheet_index: 0,
        row: 2,
        col: 1,
        label: "Force id",
        row_label: None,
    };

    #[test]
    fn a_force_of_the_list_is_known_and_another_is_x01() {
        let forces = ForceList::parse("id,name\nkent,Kent\n", "forces.csv").unwrap();
        assert_eq!(force_known(&AT, "kent", &forces).unwrap().as_str(), "kent");
        let finding = force_known(&AT, "Kent Police", &forces).unwrap_err();
        assert_eq!(
            finding.to_string(),
            "error X01 plan.xlsx › About!B3: Force id: \"Kent Police\" is not in the force list; enter your force's id as npg template wrote it (for example kent)"
        );
        assert_eq!(
            force_known(&AT, "essex", &forces).unwrap_err().code,
            Code::X01
        );
    }

    #[test]
    fn the_cycle_year_is_required_only_with_a_cycle() {
        let year: FinancialYear = "2025-26".parse().unwrap();
        let other: FinancialYear = "2024-25".parse().unwrap();
        assert_eq!(year_of_cycle(&AT, year, Some(year)).unwrap(), year);
        assert_eq!(year_of_cycle(&AT, other, None).unwrap(), other);
        let finding = year_of_cycle(&AT, other, Some(year)).unwrap_err();
        assert_eq!(finding.code, Code::X02);
        assert!(
            finding.message.ends_with("enter 2025-26"),
            "{}",
            finding.message
        );
    }
}
