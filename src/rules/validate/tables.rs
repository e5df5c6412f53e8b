//! The checks on the one-table workbooks (weights and allocations): each row's force in the
//! force list and given once (X01, X11), some weight positive (X08), and the allocations
//! covering every force and adding up to the pot (X01, X08).

use std::collections::BTreeMap;

use crate::domain::{ForceId, ForceList, Money};
use crate::findings::{CellRef, Code, Finding, Location, quote};
use crate::rules::allocate::WeightLine;

/// The row's force: X01 when not in the force list, X11 when an earlier row already gave it
/// (`seen` holds the row each force was first given in; this row is added to it).
pub fn force_once(
    at: &CellRef,
    text: &str,
    forces: &ForceList,
    seen: &mut BTreeMap<ForceId, u32>,
) -> Result<ForceId, Finding> {
    let Some(force) = text
        .parse::<ForceId>()
        .ok()
        .filter(|id| forces.contains(id))
    else {
        return Err(at.finding(
            Code::X01,
            format!(
                "{}: {} is not in the force list; use the force's id as forces.csv gives it (for example kent)",
                at.label,
                quote(text)
            ),
        ));
    };
    if let Some(first) = seen.get(&force) {
        return Err(at.finding(
            Code::X11,
            format!(
                "{}: {force} is listed twice (first in row {}); give each force one row",
                at.label,
                first + 1
            ),
        ));
    }
    seen.insert(force.clone(), at.row);
    Ok(force)
}

/// X08: with no positive weight the pot cannot be allocated at all. `header` is the weight
/// column's header cell.
pub fn some_weight_positive(header: Location, lines: &[WeightLine]) -> Option<Finding> {
    if !lines.iter().all(|line| line.weight.is_zero()) {
        return None;
    }
    let problem = if lines.is_empty() {
        "no force is listed"
    } else {
        "every weight is 0"
    };
    Some(Finding::new(
        Code::X08,
        header,
        format!(
            "{problem}, so the pot cannot be allocated; give at least one force a positive weight"
        ),
    ))
}

/// X01: a cycle pays every force of its list from the allocations, so each needs a row.
pub fn every_force_allocated(
    sheet: &Location,
    forces: &ForceList,
    seen: &BTreeMap<ForceId, u32>,
) -> Vec<Finding> {
    forces
        .iter()
        .filter(|f| !seen.contains_key(&f.id))
        .map(|force| {
            Finding::new(
                Code::X01,
                sheet.clone(),
                format!(
                    "force {} ({}) of the force list has no allocation row; add a row for it (0 if it gets nothing)",
                    force.id, force.name
                ),
            )
        })
        .collect()
}

/// X08: the allocations must add up to the pot to the penny. `header` is the allocation
/// column's header cell.
pub fn allocations_total_pot(
    header: Location,
    amounts: impl IntoIterator<Item = Money>,
    pot: Money,
) -> Option<Finding> {
    let total: Money = amounts.into_iter().sum();
    (total != pot).then(|| {
        Finding::new(
            Code::X08,
            header,
            format!(
                "the allocations total {} but the pot is {} (difference {}); make the allocations add up to the pot exactly",
                total.to_gbp(),
                pot.to_gbp(),
                (total - pot).to_gbp()
            ),
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::allocate::Weight;

    fn forces() -> ForceList {
        ForceList::parse("id,name\na,Force A\nb,Force B\n", "forces.csv").unwrap()
    }

    fn at(row: u32) -> CellRef<'static> {
        CellRef {
            file: "w.xlsx",
            sheet: "Weights",
            sheet_index: 0,
            row,
            col: 0,
            label: "Force id",
            row_label: None,
        }
    }

    #[test]
    fn each_force_of_the_list_once() {
        let mut seen = BTreeMap::new();
        assert_eq!(
            force_once(&at(1), "a", &forces(), &mut seen)
                .unwrap()
                .as_str(),
            "a"
        );
        let twice = force_once(&at(3), "a", &forces(), &mut seen).unwrap_err();
        assert_eq!(
            twice.to_string(),
            "error X11 w.xlsx › Weights!A4: Force id: a is listed twice (first in row 2); give each force one row"
        );
        assert_eq!(
            force_once(&at(4), "z", &forces(), &mut seen)
                .unwrap_err()
                .code,
            Code::X01
        );
        let sheet = Location::sheet("w.xlsx", "Weights", 0);
        let missing = every_force_allocated(&sheet, &forces(), &seen);
        assert_eq!(missing.len(), 1);
        assert!(missing[0].message.starts_with("force b (Force B)"));
    }

    #[test]
    fn one_positive_weight_is_enough() {
        let header = Location::cell("w.xlsx", "Weights", 0, 0, 2);
        let line = |force: &str, weight: &str| WeightLine {
            force: force.parse().unwrap(),
            weight: weight.parse::<Weight>().unwrap(),
        };
        assert!(some_weight_positive(header.clone(), &[]).is_some());
        assert!(some_weight_positive(header.clone(), &[line("a", "0")]).is_some());
        let lines = [line("a", "0"), line("b", "0.000001")];
        assert!(some_weight_positive(header, &lines).is_none());
    }

    #[test]
    fn allocations_exactly_the_pot_and_a_penny_off_is_x08() {
        let header = Location::cell("a.xlsx", "Allocations", 0, 0, 3);
        let amounts = [Money::pence(60), Money::pence(40)];
        assert!(allocations_total_pot(header.clone(), amounts, Money::pence(100)).is_none());
        let over = allocations_total_pot(header.clone(), amounts, Money::pence(99)).unwrap();
        assert_eq!(over.code, Code::X08);
        assert!(allocations_total_pot(header, amounts, Money::pence(101)).is_some());
    }
}
