//! Reading a set of return files together: each workbook read once, plans first (their
//! baselines feed the monitoring checks), then the checks that need several files (X10, X13).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};

use crate::domain::returns::Return;
use crate::domain::{ForceId, Fte, Money, Quarter};
use crate::findings::{Code, Finding, Location};
use crate::layout::ReturnKind;
use crate::read::grid::WorkbookData;
use crate::read::open::{is_spreadsheet_name, read_workbook_bytes};
use crate::read::returns::{ReadContext, ReturnKey, ReturnRead, read_return};

use super::config::Category;

/// One file to read: where it is, and how it is named in findings and outputs.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SourceFile {
    pub path: PathBuf,
    /// The path as shown: relative, forward slashes.
    pub shown: String,
}

/// One file as read, with its fingerprint for the manifest.
#[derive(Clone, Debug, PartialEq)]
pub struct LoadedFile {
    pub shown: String,
    /// Lower-case hex SHA-256 of the file's bytes.
    pub sha256: String,
    pub bytes: u64,
    pub read: ReturnRead,
}

/// Lower-case hex SHA-256 of some bytes.
pub fn sha256_hex(bytes: &[u8]) -> String {
    Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// Every file under `dir`, recursively, in byte order of the path shown. Hidden files
/// (names starting with `.`) are left out: when a person names a folder to validate, they
/// are system litter, not returns.
pub fn files_under(dir: &Path, shown_prefix: &str) -> std::io::Result<Vec<SourceFile>> {
    walk(dir, shown_prefix, false)
}

/// Every file under `dir`, hidden ones included: a payment run reads everything under
/// `returns/`, so that nothing placed there is silently ignored.
pub fn all_files_under(dir: &Path, shown_prefix: &str) -> std::io::Result<Vec<SourceFile>> {
    walk(dir, shown_prefix, true)
}

fn walk(dir: &Path, shown_prefix: &str, hidden: bool) -> std::io::Result<Vec<SourceFile>> {
    // A folder that cannot be listed is named in the error, not only the top folder.
    let named = |folder: &Path| {
        let folder = folder.to_owned();
        move |e: std::io::Error| std::io::Error::new(e.kind(), format!("{}: {e}", folder.display()))
    };
    let mut found = Vec::new();
    let mut pending = vec![(
        dir.to_owned(),
        shown_prefix.trim_end_matches('/').to_owned(),
    )];
    while let Some((folder, shown)) = pending.pop() {
        for entry in std::fs::read_dir(&folder).map_err(named(&folder))? {
            let entry = entry.map_err(named(&folder))?;
            let name = entry.file_name().to_string_lossy().into_owned();
            if !hidden && name.starts_with('.') {
                continue;
            }
            let shown_child = if shown.is_empty() {
                name.clone()
            } else {
                format!("{shown}/{name}")
            };
            if entry.file_type().map_err(named(&entry.path()))?.is_dir() {
                pending.push((entry.path(), shown_child));
            } else {
                found.push(SourceFile {
                    path: entry.path(),
                    shown: shown_child,
                });
            }
        }
    }
    found.sort_by(|a, b| a.shown.as_bytes().cmp(b.shown.as_bytes()));
    Ok(found)
}

/// A file read as far as its workbook, before it is interpreted as a return.
#[derive(Clone, Debug)]
pub struct RawFile {
    pub source: SourceFile,
    /// Why the file's bytes could not be read (permissions, a device error), if they could
    /// not: for `validate` that is F01, for a payment run it stops the run.
    pub io_error: Option<String>,
    pub sha256: String,
    pub bytes: u64,
    pub data: Result<WorkbookData, Finding>,
}

/// Reads a file's bytes once, fingerprints them and opens the workbook. A file that is not
/// a spreadsheet is fingerprinted too, so that every input of a run has its hash.
pub fn read_raw(source: &SourceFile) -> RawFile {
    let bytes = match std::fs::read(&source.path) {
        Ok(bytes) => bytes,
        Err(e) => {
            return RawFile {
                source: source.clone(),
                io_error: Some(e.to_string()),
                sha256: String::new(),
                bytes: 0,
                data: Err(Finding::new(
                    Code::F01,
                    Location::file(&source.shown),
                    format!("the file cannot be read: {e}"),
                )),
            };
        }
    };
    let data = if is_spreadsheet_name(&source.path) {
        let extension = source
            .path
            .extension()
            .and_then(|e| e.to_str())
            .unwrap_or("")
            .to_lowercase();
        read_workbook_bytes(&bytes, &extension, &source.shown)
    } else {
        Err(Finding::new(
            Code::F01,
            Location::file(&source.shown),
            "this is not a spreadsheet (.xlsx, .xlsm, .xls or .ods); save it as .xlsx, or move it out of the returns folder",
        ))
    };
    RawFile {
        source: source.clone(),
        io_error: None,
        sha256: sha256_hex(&bytes),
        bytes: bytes.len() as u64,
        data,
    }
}

/// Reads every file as a return and runs the checks that need several files. The result
/// is in the order of `sources`.
pub fn load_returns(sources: &[SourceFile], ctx: ReadContext) -> Vec<LoadedFile> {
    load_raw_returns(sources.iter().map(read_raw).collect(), ctx)
}

/// As `load_returns`, for files already read.
pub fn load_raw_returns(raws: Vec<RawFile>, ctx: ReadContext) -> Vec<LoadedFile> {
    let loaded = raws.iter().map(|raw| interpret(raw, &ctx)).collect();
    check_across_files(loaded, &ctx)
}

/// One file read and interpreted at once, its workbook dropped straight after: reading many
/// files this way holds only a few workbooks in memory at a time. `io_error` says why the
/// file's bytes could not be read, if they could not.
pub fn read_and_interpret(source: &SourceFile, ctx: &ReadContext) -> (LoadedFile, Option<String>) {
    let raw = read_raw(source);
    let loaded = interpret(&raw, ctx);
    (loaded, raw.io_error)
}

/// The checks that need every file read first: C09 of monitoring returns against their
/// force's plan, X13 and X10.
pub fn check_across_files(mut loaded: Vec<LoadedFile>, ctx: &ReadContext) -> Vec<LoadedFile> {
    // C09 compares a monitoring return with the baseline of its force's best usable plan.
    // A caller that gave the baselines has had C09 checked already, as each file was read.
    if ctx.baselines.is_none() {
        let baselines = best_plan_baselines(loaded.iter().map(|f| &f.read));
        for file in &mut loaded {
            let (Some(levels), Some(force)) = (&file.read.levels, &file.read.key.force) else {
                continue;
            };
            if let Some(&baseline) = baselines.get(force) {
                let found = levels.plausibility(&file.shown, baseline);
                file.read.findings.extend(found);
            }
        }
    }
    check_ambiguous(&mut loaded);
    if let Some(allocations) = ctx.allocations {
        check_forecast_overspend(&mut loaded, allocations, ctx.categories);
    }
    loaded
}

fn interpret(raw: &RawFile, ctx: &ReadContext) -> LoadedFile {
    let read = match &raw.data {
        Ok(data) => read_return(&raw.source.shown, data, ctx),
        Err(finding) => ReturnRead {
            key: ReturnKey::default(),
            value: None,
            findings: vec![finding.clone()],
            levels: None,
        },
    };
    LoadedFile {
        shown: raw.source.shown.clone(),
        sha256: raw.sha256.clone(),
        bytes: raw.bytes,
        read,
    }
}

/// Each force's baseline from its highest-version usable plan.
fn best_plan_baselines<'a>(reads: impl Iterator<Item = &'a ReturnRead>) -> BTreeMap<ForceId, Fte> {
    let mut best: BTreeMap<ForceId, (u32, Fte)> = BTreeMap::new();
    for read in reads {
        if let Some(Return::Plan(plan)) = read.usable() {
            let entry = best
                .entry(plan.header.force.clone())
                .or_insert((0, plan.baseline()));
            if plan.version >= entry.0 {
                *entry = (plan.version, plan.baseline());
            }
        }
    }
    best.into_iter()
        .map(|(force, (_, baseline))| (force, baseline))
        .collect()
}

/// X13: two different files claiming the same kind, force, period and version (for
/// monitoring: the same `Months to` and submission date). Identical bytes are one return.
fn check_ambiguous(files: &mut [LoadedFile]) {
    type Claim = (
        ReturnKind,
        ForceId,
        Option<Quarter>,
        Option<u32>,
        Option<String>,
    );
    let mut claims: BTreeMap<Claim, Vec<usize>> = BTreeMap::new();
    for (index, file) in files.iter().enumerate() {
        let key = &file.read.key;
        let (Some(kind), Some(force)) = (key.kind, key.force.clone()) else {
            continue;
        };
        if file.read.value.is_none() {
            continue;
        }
        let claim = match kind {
            ReturnKind::Monitoring => (
                kind,
                force,
                None,
                None,
                Some(format!("{:?}/{:?}", key.months_to, key.submitted_on)),
            ),
            ReturnKind::Plan => (kind, force, None, key.version, None),
            ReturnKind::Finance => (kind, force, key.quarter, key.version, None),
        };
        claims.entry(claim).or_default().push(index);
    }
    for members in claims.values() {
        for &index in members {
            let others: Vec<&str> = members
                .iter()
                .filter(|&&o| o != index && files[o].sha256 != files[index].sha256)
                .map(|&o| files[o].shown.as_str())
                .collect();
            if others.is_empty() {
                continue;
            }
            let what = match files[index].read.key.kind {
                Some(ReturnKind::Monitoring) => "Months to and submission date",
                _ => "version",
            };
            let message = format!(
                "another return for the same force and period has the same {what} but different contents: {}; give the newer one the next version",
                others.join(", ")
            );
            let finding = Finding::new(Code::X13, Location::file(&files[index].shown), message);
            files[index].read.findings.push(finding);
        }
    }
}

/// The sum of the eligible categories' actual and forecast spend in a financial return.
fn eligible_sums(
    read: &ReturnRead,
    categories: &[Category],
) -> Option<(Quarter, u32, Money, Money)> {
    let Some(Return::Financial(ret)) = read.usable() else {
        return None;
    };
    let eligible = |id: &str| categories.iter().any(|c| c.eligible && c.id.as_str() == id);
    let actual = ret
        .lines
        .iter()
        .filter(|l| eligible(l.category.as_str()))
        .map(|l| l.actual)
        .sum();
    let forecast = ret
        .lines
        .iter()
        .filter(|l| eligible(l.category.as_str()))
        .map(|l| l.forecast)
        .sum();
    Some((ret.quarter, ret.version, actual, forecast))
}

/// X10: eligible spend to date (this return plus the best usable return of each earlier
/// quarter) plus this return's eligible forecast exceeds the force's allocation.
fn check_forecast_overspend(
    files: &mut [LoadedFile],
    allocations: &BTreeMap<ForceId, Money>,
    categories: &[Category],
) {
    // The best (highest version) usable return's eligible actual per force and quarter.
    let mut best: BTreeMap<(ForceId, Quarter), (u32, Money)> = BTreeMap::new();
    for file in files.iter() {
        let (Some(force), Some((quarter, version, actual, _))) = (
            file.read.key.force.clone(),
            eligible_sums(&file.read, categories),
        ) else {
            continue;
        };
        let entry = best.entry((force, quarter)).or_insert((version, actual));
        if version > entry.0 {
            *entry = (version, actual);
        }
    }
    for file in files.iter_mut() {
        let (Some(force), Some((quarter, _, actual, forecast))) = (
            file.read.key.force.clone(),
            eligible_sums(&file.read, categories),
        ) else {
            continue;
        };
        let Some(&allocation) = allocations.get(&force) else {
            continue;
        };
        let earlier: Money = Quarter::ALL
            .iter()
            .filter(|q| **q < quarter)
            .filter_map(|q| best.get(&(force.clone(), *q)).map(|(_, a)| *a))
            .sum();
        let to_date = earlier + actual;
        if to_date + forecast > allocation {
            let sheet = &ReturnKind::Finance.layout().data_sheet;
            file.read.findings.push(Finding::new(
                Code::X10,
                Location::sheet(&file.shown, sheet, 1),
                format!(
                    "eligible spend to date {} plus the forecast for the rest of the year {} comes to {}, more than the allocation {}; spend beyond the allocation is not paid: check the forecast",
                    to_date.to_gbp(),
                    forecast.to_gbp(),
                    (to_date + forecast).to_gbp(),
                    allocation.to_gbp()
                ),
            ));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sha256_is_lower_case_hex() {
        assert_eq!(
            sha256_hex(b"abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
    }

    #[test]
    fn files_are_listed_recursively_in_byte_order_without_hidden_ones() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(dir.path().join("finance")).unwrap();
        std::fs::create_dir_all(dir.path().join("Plans")).unwrap();
        for name in [
            "finance/b.xlsx",
            "finance/a.xlsx",
            "Plans/z.ods",
            ".DS_Store",
            "notes.txt",
        ] {
            std::fs::write(dir.path().join(name), b"x").unwrap();
        }
        let shown: Vec<String> = files_under(dir.path(), "returns")
            .unwrap()
            .into_iter()
            .map(|f| f.shown)
            .collect();
        assert_eq!(
            shown,
            [
                "returns/Plans/z.ods",
                "returns/finance/a.xlsx",
                "returns/finance/b.xlsx",
                "returns/notes.txt"
            ]
        );
    }
}
