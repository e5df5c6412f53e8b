//! The fixture year at a larger scale, for benchmarks: N = 43 × k grantees, each of the 43
//! forces repeated k times with its own id and the same returns, so every scenario recurs
//! k times and the year keeps its shape (allocations, returns per grantee, findings).

use std::collections::BTreeMap;

use rayon::prelude::*;

use crate::cycle::config::CycleConfig;
use crate::domain::returns::Return;
use crate::domain::{ForceId, ForceList, Money};
use crate::rules::allocate::{AllocationUnit, WeightLine, allocate};
use crate::write::allocations::{write_allocations, write_weights};

use super::design::{DesignedReturn, POT_POUNDS};
use super::{CYCLE_TOML, FixtureError, FixtureFile, PUBLISH_TOML, file, files, year_design};

/// The id of copy `copy` (from 0) of a force: the force's own id for copy 0, so that one
/// copy is exactly the fixture year; `kent-002`, `kent-003`, … after it.
pub fn copy_id(id: &ForceId, copy: usize) -> Result<ForceId, FixtureError> {
    if copy == 0 {
        return Ok(id.clone());
    }
    format!("{id}-{:03}", copy + 1)
        .parse()
        .map_err(|e| FixtureError::Design(format!("copy {copy} of {id}: {e}")))
}

fn copy_name(name: &str, copy: usize) -> String {
    if copy == 0 {
        name.to_owned()
    } else {
        format!("{name} (grantee {})", copy + 1)
    }
}

/// One designed return made over for copy `copy` of its force.
fn copy_return(
    designed: &DesignedReturn,
    id: &ForceId,
    name: &str,
) -> Result<DesignedReturn, FixtureError> {
    let mut copy = designed.clone();
    let header = match &mut copy.value {
        Return::Plan(p) => &mut p.header,
        Return::Monitoring(m) => &mut m.header,
        Return::Financial(f) => &mut f.header,
    };
    let old = header.force.clone();
    header.force = id.clone();
    header.force_name = name.to_owned();
    // Paths are `<folder>/<force id>-<rest>`: only the force id changes.
    let (folder, file_name) = designed
        .path
        .rsplit_once('/')
        .ok_or_else(|| FixtureError::Design(format!("{}: no folder", designed.path)))?;
    let rest = file_name.strip_prefix(&format!("{old}-")).ok_or_else(|| {
        FixtureError::Design(format!("{}: not named by its force", designed.path))
    })?;
    copy.path = format!("{folder}/{id}-{rest}");
    Ok(copy)
}

/// Every file of the fixture year repeated `copies` times (N = 43 × `copies` grantees),
/// sorted by path. One copy is the fixture year itself, byte for byte.
pub fn build_scaled(copies: usize) -> Result<Vec<FixtureFile>, FixtureError> {
    if copies == 0 {
        return Err(FixtureError::Design("at least one copy of the year".into()));
    }
    let year = year_design()?;
    let mut forces_csv = String::from("id,name\n");
    let mut weights = Vec::new();
    // Each grantee's original force, to check its allocation against.
    let mut original: BTreeMap<ForceId, ForceId> = BTreeMap::new();
    for copy in 0..copies {
        for force in year.forces.iter() {
            let id = copy_id(&force.id, copy)?;
            forces_csv.push_str(&format!("{id},{}\n", copy_name(&force.name, copy)));
            original.insert(id, force.id.clone());
        }
        for line in &year.weights {
            weights.push(WeightLine {
                force: copy_id(&line.force, copy)?,
                weight: line.weight,
            });
        }
    }
    // The 43 originals, in the committed file, then each copy after them.
    let forces_csv = if copies == 1 {
        super::FORCES_CSV.to_owned()
    } else {
        forces_csv
    };
    let forces = ForceList::parse(&forces_csv, "forces.csv")?;
    let pot_pounds = POT_POUNDS
        .checked_mul(
            i64::try_from(copies).map_err(|_| FixtureError::Design("too many copies".into()))?,
        )
        .ok_or_else(|| FixtureError::Design("the pot is out of range".into()))?;
    let cycle_toml = if copies == 1 {
        CYCLE_TOML.to_owned()
    } else {
        CYCLE_TOML.replace(
            &format!("pot = \"{POT_POUNDS}.00\""),
            &format!("pot = \"{pot_pounds}.00\""),
        )
    };
    let config = CycleConfig::parse(&cycle_toml, "cycle.toml")?;
    // Repeating every weight k times and the pot k times gives every copy its original's
    // allocation exactly, so each plan still totals its allocation (X04).
    let allocation = allocate(Money::pounds(pot_pounds), AllocationUnit::Pound, &weights)?;
    let allocated: BTreeMap<&ForceId, Money> = year
        .allocation
        .lines
        .iter()
        .map(|l| (&l.force, l.allocation))
        .collect();
    for line in &allocation.lines {
        let expected = original
            .get(&line.force)
            .and_then(|o| allocated.get(o))
            .copied();
        if expected != Some(line.allocation) {
            return Err(FixtureError::Design(format!(
                "{} is allocated {}, not its original's",
                line.force, line.allocation
            )));
        }
    }

    let mut returns = Vec::new();
    for copy in 0..copies {
        for force_year in &year.force_years {
            let id = copy_id(&force_year.force.id, copy)?;
            let name = copy_name(&force_year.force.name, copy);
            for designed in &force_year.returns {
                returns.push(copy_return(designed, &id, &name)?);
            }
        }
    }
    let mut out = vec![
        file("cycle.toml", cycle_toml.into_bytes()),
        file("forces.csv", forces_csv.into_bytes()),
        file(
            "weights.xlsx",
            write_weights(&weights, &forces, config.year)?,
        ),
        file(
            "allocations.xlsx",
            write_allocations(&allocation, &forces, config.year)?,
        ),
    ];
    // What `npg publish` shows: the fixture year's own (its settings name forces by id, so a
    // scaled copy, whose ids differ, has none).
    if copies == 1 {
        out.push(file("publish.toml", PUBLISH_TOML.as_bytes().to_vec()));
    }
    // Workbooks are independent: written on every core.
    let written: Result<Vec<FixtureFile>, FixtureError> = returns
        .par_iter()
        .map(|designed| {
            Ok(file(
                &designed.path,
                files::return_workbook(designed, &config, &forces)?,
            ))
        })
        .collect();
    out.extend(written?);
    out.sort_by(|a, b| a.path.cmp(&b.path));
    if out.windows(2).any(|pair| pair[0].path == pair[1].path) {
        return Err(FixtureError::Design("two files share a path".into()));
    }
    Ok(out)
}
