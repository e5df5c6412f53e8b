//! The bundled fixture year `fixtures/2025-26/`: a deterministic generator of the whole cycle
//! folder, so the committed workbooks can always be remade byte for byte.
//!
//! Run it with `cargo run --bin npg-fixtures -- fixtures/2025-26`. It writes `cycle.toml`,
//! `forces.csv`, `weights.xlsx`, `allocations.xlsx` and every return under `returns/` into
//! a fresh folder beside the target and swaps it into place whole, so a failed run never
//! leaves a half-written fixture.
//!
//! # What the year is
//!
//! Illustrative, not the real grant: the allocation per force is not published in full, so
//! the weights (`data/weights.csv`) are approximate force sizes, and the allocations are
//! those `npg allocate` makes from them (pot £200,000,000, to the pound). The year
//! reproduces the published national figures:
//!
//! - baseline 17,175 neighbourhood FTE at 31 March 2025: 11,104 officers and 6,071 PCSOs,
//!   each shared between the forces by weight with the allocation rule (whole FTE, so the
//!   national totals are exact);
//! - 2,972 FTE of planned growth by March 2026: bedfordshire's published 38 (30 officers,
//!   8 PCSOs, linear through the year) and 2,934 shared by weight in half FTE;
//! - growth is front-loaded: 78% of a force's growth is planned by September, so the
//!   national planned uplift at 2025-09 is 2,301 FTE;
//! - the actual national uplift at 2025-09, summed from the final (months to 2026-03)
//!   monitoring returns, is exactly 2,383 FTE: the ordinary forces run a constant few FTE
//!   ahead of their plans, the 2,383 less the scenario forces' own figures shared by weight.
//!
//! Spend profiles ramp up through the year (5% of the allocation in April to 11% in March;
//! 18%, 41%, 68% and 100% by the quarter ends) and total each allocation exactly. Ordinary
//! forces spend 97% to 100% of the profile each quarter, split 60/20/3/7/10% over officer
//! pay, PCSO pay, specials, training and equipment, nothing in `other`, and forecast the
//! rest of their profile. Plans are approved from mid-March to early April 2025; monitoring
//! returns (each restating every month from April) follow each quarter end by 3 to 15 days;
//! financial returns are signed 8 to 22 days after the quarter ends, so always after it
//! (X07) and before its cut-off.
//!
//! # The scenario forces (scenarios.md)
//!
//! | force | what its returns hold |
//! | --- | --- |
//! | bedfordshire | plan +38 linear (19.00 by 2025-09); actual +10, +13, +26, +39 at the quarter ends |
//! | metropolitan, city-of-london | ordinary: the largest and the smallest allocation |
//! | kent | Q1 v2 sent 2025-08-20 with officer pay £20,000.00 lower |
//! | essex | Q2 financial return sent 2025-11-12, after the Q2 cut-off |
//! | lancashire | monitoring to 2025-08 sent 2025-09-10; to 2025-09 only on 2025-11-06 |
//! | cumbria | spend profile 80% by December, spent exactly; on plan to December, then 90% of its growth by March |
//! | durham | on plan to September, then below its baseline from December |
//! | surrey | spends 108% of profile every quarter, so beyond its allocation by March |
//! | norfolk | actual at 2025-12 exactly 95% of the planned uplift |
//! | dorset | no planned growth April to July |
//! | suffolk | Q2: £12,000.00 of `other` spend with no note, and a forecast £250,000 beyond its allocation |
//! | wiltshire | Q3: the equipment amount typed as the text `12,500.00` |
//! | north-wales | plan v2 approved 2025-11-20: no growth October to December, the rest in January to March, spend moved with it |

pub mod design;
mod files;
pub mod scaled;

use std::path::{Path, PathBuf};

use thiserror::Error;

use crate::cycle::config::{ConfigError, CycleConfig};
use crate::domain::ForceList;
use crate::domain::force::ForceListError;
use crate::rules::allocate::AllocateError;
use crate::write::output::OutputError;

pub use design::{DesignedReturn, ForceYear, Scenario, YearDesign};
pub use files::return_workbook;

/// The fixture year's `cycle.toml`, as committed.
pub const CYCLE_TOML: &str = include_str!("data/cycle.toml");
/// What `npg publish` shows of the fixture year, and its 360Giving identifiers.
pub const PUBLISH_TOML: &str = include_str!("data/publish.toml");
/// The 43 territorial forces of England and Wales (`id,name`).
pub const FORCES_CSV: &str = include_str!("data/forces.csv");
/// Approximate force sizes, the weights the pot is allocated by (`id,weight`).
pub const WEIGHTS_CSV: &str = include_str!("data/weights.csv");

/// Why the fixture year could not be made.
#[derive(Debug, Error)]
pub enum FixtureError {
    #[error(transparent)]
    Config(#[from] ConfigError),
    #[error(transparent)]
    Forces(#[from] ForceListError),
    #[error("cannot allocate: {0}")]
    Allocate(AllocateError),
    #[error("cannot build a workbook: {0}")]
    Workbook(rust_xlsxwriter::XlsxError),
    /// The folder could not be put in place for a reason other than a file error (one
    /// appeared at the target while it was written, say).
    #[error(transparent)]
    Output(OutputError),
    #[error("{path}: {cause}")]
    Io {
        path: PathBuf,
        /// In the message, so not also given as its source (printed once).
        cause: std::io::Error,
    },
    /// The design broke one of its own rules (a defect of the generator).
    #[error("fixture design: {0}")]
    Design(String),
    /// What is at the output folder is not a cycle this generator wrote.
    #[error(
        "{path} {why}; npg-fixtures replaces only a folder it wrote (one holding its {MARKER_FILE} list and nothing else): give a new or empty folder"
    )]
    NotOurs { path: PathBuf, why: String },
}

// These two quote their cause in their message, so it is not also their source (which would
// print it twice); `?` still converts them.
impl From<AllocateError> for FixtureError {
    fn from(error: AllocateError) -> FixtureError {
        FixtureError::Allocate(error)
    }
}

impl From<rust_xlsxwriter::XlsxError> for FixtureError {
    fn from(error: rust_xlsxwriter::XlsxError) -> FixtureError {
        FixtureError::Workbook(error)
    }
}

/// The file in a generated cycle folder that lists what the generator wrote there, so that
/// it replaces the folder again only when the folder holds nothing else.
pub const MARKER_FILE: &str = ".npg-fixtures";

/// One file of the fixture year.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FixtureFile {
    /// Relative to the cycle folder, with forward slashes.
    pub path: String,
    pub bytes: Vec<u8>,
}

/// The fixture year's figures.
pub fn year_design() -> Result<YearDesign, FixtureError> {
    let config = CycleConfig::parse(CYCLE_TOML, "cycle.toml")?;
    let forces = ForceList::parse(FORCES_CSV, "forces.csv")?;
    let weights = design::parse_weights(WEIGHTS_CSV)?;
    design::design(config, forces, weights)
}

/// Every file of the fixture year, in memory, sorted by path.
pub fn build() -> Result<Vec<FixtureFile>, FixtureError> {
    scaled::build_scaled(1)
}

fn file(path: &str, bytes: Vec<u8>) -> FixtureFile {
    FixtureFile {
        path: path.to_owned(),
        bytes,
    }
}

/// Writes the fixture year to `out_dir`, replacing whatever is there as a whole: the files
/// go to a fresh folder beside it, which is then renamed into place. Returns the files.
pub fn generate(out_dir: &Path) -> Result<Vec<FixtureFile>, FixtureError> {
    write_folder(out_dir, build()?)
}

/// Writes the fixture year repeated `copies` times (N = 43 × `copies` grantees) to
/// `out_dir`, as [`generate`] does.
pub fn generate_scaled(out_dir: &Path, copies: usize) -> Result<Vec<FixtureFile>, FixtureError> {
    write_folder(out_dir, scaled::build_scaled(copies)?)
}

/// The text of the marker file: a line of explanation, then every path written.
fn marker_text(files: &[FixtureFile]) -> String {
    let mut text = String::from(
        "# Written by npg-fixtures, which replaces this folder whole when it runs again, and\n\
         # only while the folder holds nothing but the files listed here.\n",
    );
    for file in files {
        text.push_str(&file.path);
        text.push('\n');
    }
    text
}

/// Refuses `out_dir` unless it is not there, is an empty folder, or is a folder this
/// generator wrote holding nothing but what its marker lists.
fn check_ours(out_dir: &Path) -> Result<(), FixtureError> {
    let not_ours = |why: &str| FixtureError::NotOurs {
        path: out_dir.to_owned(),
        why: why.to_owned(),
    };
    let io = |source| FixtureError::Io {
        path: out_dir.to_owned(),
        cause: source,
    };
    let meta = match std::fs::symlink_metadata(out_dir) {
        Ok(meta) => meta,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(()),
        Err(e) => return Err(io(e)),
    };
    if meta.file_type().is_symlink() {
        return Err(not_ours("is a symbolic link"));
    }
    if !meta.is_dir() {
        return Err(not_ours("is not a folder"));
    }
    let mut found = Vec::new();
    let mut pending = vec![(out_dir.to_owned(), String::new())];
    while let Some((folder, prefix)) = pending.pop() {
        for entry in std::fs::read_dir(&folder).map_err(io)? {
            let entry = entry.map_err(io)?;
            let Some(name) = entry.file_name().to_str().map(str::to_owned) else {
                return Err(not_ours(
                    "holds a file whose name npg-fixtures never writes",
                ));
            };
            let rel = if prefix.is_empty() {
                name
            } else {
                format!("{prefix}/{name}")
            };
            let kind = entry.file_type().map_err(io)?;
            if kind.is_dir() {
                pending.push((entry.path(), rel));
            } else if kind.is_file() {
                found.push(rel);
            } else {
                return Err(not_ours(&format!(
                    "holds {rel}, which is not a regular file"
                )));
            }
        }
    }
    if found.is_empty() && pending.is_empty() {
        return Ok(()); // an empty folder (or folders): nothing to lose
    }
    let listed = match std::fs::read_to_string(out_dir.join(MARKER_FILE)) {
        Ok(text) => text,
        Err(_) => {
            return Err(not_ours(&format!(
                "is not empty and has no {MARKER_FILE} list"
            )));
        }
    };
    let listed: std::collections::BTreeSet<&str> = listed
        .lines()
        .filter(|line| !line.starts_with('#') && !line.is_empty())
        .collect();
    found.sort();
    let others: Vec<&String> = found
        .iter()
        .filter(|rel| rel.as_str() != MARKER_FILE && !listed.contains(rel.as_str()))
        .collect();
    if let Some(first) = others.first() {
        return Err(not_ours(&format!(
            "holds {} file(s) npg-fixtures did not write, such as {}",
            others.len(),
            crate::text::cut(first)
        )));
    }
    Ok(())
}

fn write_folder(out_dir: &Path, files: Vec<FixtureFile>) -> Result<Vec<FixtureFile>, FixtureError> {
    check_ours(out_dir)?;
    let parent = match out_dir.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_owned(),
        _ => PathBuf::from("."),
    };
    let io = |path: &Path| {
        let path = path.to_owned();
        move |source| FixtureError::Io {
            path,
            cause: source,
        }
    };
    std::fs::create_dir_all(&parent).map_err(io(&parent))?;
    let fresh = crate::write::output::usual_mode(
        tempfile::Builder::new().prefix(".npg-fixtures-new-"),
        true,
    )
    .tempdir_in(&parent)
    .map_err(io(&parent))?;
    for file in &files {
        let path = fresh.path().join(&file.path);
        if let Some(folder) = path.parent() {
            std::fs::create_dir_all(folder).map_err(io(folder))?;
        }
        std::fs::write(&path, &file.bytes).map_err(io(&path))?;
    }
    let marker = fresh.path().join(MARKER_FILE);
    std::fs::write(&marker, marker_text(&files)).map_err(io(&marker))?;
    // Swapped in whole by the folder swap npg's run folders use: the old folder ends up in
    // `fresh`, removed with it, or is put back if the swap fails.
    crate::write::run_folder::place_folder(fresh.path(), out_dir).map_err(|e| match e {
        OutputError::Io { path, cause } => FixtureError::Io { path, cause },
        other => FixtureError::Output(other),
    })?;
    drop(fresh);
    Ok(files)
}
