//! X17 across files: each monitoring return compared with the force's previous monitoring
//! return among those read (`npg validate --cycle` reads the cycle's returns too).

use crate::domain::returns::{MonitoringReturn, Return};
use crate::findings::Finding;
use crate::rules::validate::monitoring::{MonthCells, restated_months as restated};

use super::ReturnRead;

/// X17 for each file (by its index in `files`, given as (shown name, read)) that is a
/// monitoring return: the months it restates against the force's previous usable monitoring
/// return, the latest by `Months to` and then by submission date before its own (so a return
/// sent again for the same month is compared with the one it replaces), the first by name
/// of several alike.
pub fn restated_months(files: &[(&str, &ReturnRead)]) -> Vec<(usize, Finding)> {
    let mut findings = Vec::new();
    for (index, (file, read)) in files.iter().enumerate() {
        let (Some(Return::Monitoring(current)), Some(cells)) =
            (read.value.as_ref(), read.levels.as_ref())
        else {
            continue;
        };
        let previous: Option<(&str, &MonitoringReturn)> = files
            .iter()
            .filter_map(|(name, other)| {
                let Some(Return::Monitoring(m)) = other.usable() else {
                    return None;
                };
                let earlier = (m.months_to, m.header.submitted_on)
                    < (current.months_to, current.header.submitted_on);
                (m.header.force == current.header.force && earlier).then_some((*name, m))
            })
            .max_by(|(a_name, a), (b_name, b)| {
                (a.months_to, a.header.submitted_on)
                    .cmp(&(b.months_to, b.header.submitted_on))
                    .then_with(|| b_name.cmp(a_name))
            });
        let Some((previous_file, previous)) = previous else {
            continue;
        };
        let at = MonthCells {
            file,
            sheet: &cells.sheet,
            sheet_index: cells.sheet_index,
            rows: &cells.months,
            columns: &cells.columns,
        };
        for finding in restated(&at, current, previous_file, previous) {
            findings.push((index, finding));
        }
    }
    findings
}
