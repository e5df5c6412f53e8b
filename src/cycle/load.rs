//! Reading a set of return files together: each workbook read once, plans first (their
//! baselines feed the monitoring checks), then the checks that need several files (X10, X13,
//! whose rules are in `rules::validate::cycle`).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};

use crate::domain::returns::Return;
use crate::domain::{ForceId, Fte, Money};
use crate::findings::{Code, Finding, Location};
use crate::read::file::{FileReadError, MAX_WORKBOOK_FILE_BYTES, hash_limited, read_limited};
use crate::read::grid::WorkbookData;
use crate::read::open::{file_not_read, is_spreadsheet_name, read_workbook_bytes};
use crate::read::returns::{ReadContext, ReturnKey, ReturnRead, read_return};

use crate::domain::category::Category;
use crate::rules::validate::cycle::{
    Claim, Spend, forecast_within_allocation, same_claim_different_contents,
};
use crate::rules::validate::financial::eligible_spend;

/// One file to read: where it is, and how it is named in findings and outputs.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SourceFile {
    pub path: PathBuf,
    /// The path as shown: relative, forward slashes. A byte of a name that is not UTF-8 (a
    /// CP1252 dash from a Windows zip, say) is shown as `\x96`, so that no two files show
    /// alike.
    pub shown: String,
    /// The exact bytes of the path as found (relative, `/` between names), when `shown` does
    /// not spell them: the manifest records them so that the file is found again.
    pub exact: Option<Vec<u8>>,
}

impl SourceFile {
    /// A file named on the command line or in the cycle, shown as `shown`.
    pub fn new(path: PathBuf, shown: String) -> SourceFile {
        SourceFile {
            path,
            shown,
            exact: None,
        }
    }

    /// The exact bytes of the path as shown: what identifies the file in a manifest.
    pub fn key(&self) -> Vec<u8> {
        self.exact
            .clone()
            .unwrap_or_else(|| self.shown.as_bytes().to_vec())
    }
}

/// One file as read, with its fingerprint for the manifest.
#[derive(Clone, Debug, PartialEq)]
pub struct LoadedFile {
    pub shown: String,
    /// The exact bytes of its path, when `shown` does not spell them (see [`SourceFile`]).
    pub exact: Option<Vec<u8>>,
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
    let prefix = shown_prefix.trim_end_matches('/');
    let mut found = Vec::new();
    // Each folder with its path as shown and as exact bytes.
    let mut pending = vec![(
        dir.to_owned(),
        prefix.to_owned(),
        prefix.as_bytes().to_vec(),
    )];
    while let Some((folder, shown, exact)) = pending.pop() {
        for entry in std::fs::read_dir(&folder).map_err(named(&folder))? {
            let entry = entry.map_err(named(&folder))?;
            let raw = entry.file_name();
            let name = shown_name(&raw);
            if !hidden && name.starts_with('.') {
                continue;
            }
            let join = |base: &str, name: &str| {
                if base.is_empty() {
                    name.to_owned()
                } else {
                    format!("{base}/{name}")
                }
            };
            let shown_child = join(&shown, &name);
            let mut exact_child = exact.clone();
            if !exact_child.is_empty() {
                exact_child.push(b'/');
            }
            exact_child.extend_from_slice(&name_bytes(&raw));
            // Only a real folder is entered; a link to a folder is listed as an entry (and
            // refused as not a file when read), so that a link can never make the walk loop.
            if entry.file_type().map_err(named(&entry.path()))?.is_dir() {
                pending.push((entry.path(), shown_child, exact_child));
            } else {
                let exact = (exact_child != shown_child.as_bytes()).then_some(exact_child);
                found.push(SourceFile {
                    path: entry.path(),
                    shown: shown_child,
                    exact,
                });
            }
        }
    }
    found.sort_by(|a, b| a.shown.as_bytes().cmp(b.shown.as_bytes()));
    Ok(found)
}

/// A file name as shown: itself when it is UTF-8, else each byte that is not shown as
/// `\x96`.
pub fn shown_name(name: &std::ffi::OsStr) -> String {
    if let Some(text) = name.to_str() {
        return text.to_owned();
    }
    let bytes = name_bytes(name);
    let mut out = String::new();
    for chunk in bytes.utf8_chunks() {
        out.push_str(chunk.valid());
        for byte in chunk.invalid() {
            out.push_str(&format!("\\x{byte:02X}"));
        }
    }
    out
}

#[cfg(unix)]
fn name_bytes(name: &std::ffi::OsStr) -> Vec<u8> {
    use std::os::unix::ffi::OsStrExt;
    name.as_bytes().to_vec()
}

#[cfg(not(unix))]
fn name_bytes(name: &std::ffi::OsStr) -> Vec<u8> {
    name.to_string_lossy().into_owned().into_bytes()
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
/// a spreadsheet is fingerprinted too, so that every input of a run has its hash. A file that
/// is not read at all (a pipe, a folder, a file too large: see [`read_limited`]) is F01,
/// recorded with the hash of no bytes.
pub fn read_raw(source: &SourceFile) -> RawFile {
    let bytes = match read_limited(&source.path, MAX_WORKBOOK_FILE_BYTES) {
        Ok(bytes) => bytes,
        Err(e) => {
            // A file that is there but cannot be read stops a payment run; one that is not
            // a file to read is reported, as any other file that is not a return.
            let io_error =
                (e.is_io() || matches!(e, FileReadError::Missing)).then(|| e.to_string());
            return RawFile {
                source: source.clone(),
                io_error,
                sha256: sha256_hex(&[]),
                bytes: e.recorded_size(),
                data: Err(file_not_read(&e, &source.shown)),
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

/// A file's fingerprint as a run records it, `(sha256, bytes)`, worked out as [`read_raw`]
/// reads it (a file that is not read has the hash of no bytes); `None` when it is not there.
/// Nothing but a regular file of at most `limit` bytes is opened.
pub fn fingerprint(path: &Path, limit: u64) -> std::io::Result<Option<(String, u64)>> {
    match hash_limited(path, limit) {
        Ok(found) => Ok(Some(found)),
        Err(FileReadError::Missing) => Ok(None),
        Err(FileReadError::Io(e)) => Err(e),
        Err(other) => Ok(Some((sha256_hex(&[]), other.recorded_size()))),
    }
}

/// The SHA-256 of a file in the cycle folder `dir`, found by the exact bytes of its path
/// there as a run's manifest records it; `None` when it is not there. Only a regular file
/// within the limit of its kind is opened (`cycle.toml` and `forces.csv` are text, anything
/// else a workbook).
pub fn sha256_in_cycle(dir: &Path, key: &[u8]) -> std::io::Result<Option<String>> {
    let text = key == crate::cycle::config::CONFIG_FILE.as_bytes()
        || key == crate::cycle::FORCES_FILE.as_bytes();
    let limit = if text {
        crate::read::file::MAX_TEXT_FILE_BYTES
    } else {
        MAX_WORKBOOK_FILE_BYTES
    };
    Ok(fingerprint(&path_from_key(dir, key), limit)?.map(|(sha256, _)| sha256))
}

/// The path of a file inside `dir` from the exact bytes of its relative path.
pub fn path_from_key(dir: &Path, key: &[u8]) -> PathBuf {
    #[cfg(unix)]
    {
        use std::os::unix::ffi::OsStrExt;
        dir.join(std::ffi::OsStr::from_bytes(key))
    }
    #[cfg(not(unix))]
    {
        dir.join(String::from_utf8_lossy(key).as_ref())
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
        exact: raw.source.exact.clone(),
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

/// X13 (by the rule of `rules::validate::cycle`) over the files read in full.
fn check_ambiguous(files: &mut [LoadedFile]) {
    let mut claimed = Vec::new();
    let mut claims = Vec::new();
    for (index, file) in files.iter().enumerate() {
        let key = &file.read.key;
        let (Some(kind), Some(force)) = (key.kind, key.force.as_ref()) else {
            continue;
        };
        if file.read.value.is_none() {
            continue;
        }
        claimed.push(index);
        claims.push(Claim {
            file: &file.shown,
            sha256: &file.sha256,
            kind,
            force,
            quarter: key.quarter,
            version: key.version,
            months_to: key.months_to,
            submitted_on: key.submitted_on,
        });
    }
    let found = same_claim_different_contents(&claims);
    for (claim, finding) in found {
        files[claimed[claim]].read.findings.push(finding);
    }
}

/// X10 (by the rule of `rules::validate::cycle`) over the usable financial returns.
fn check_forecast_overspend(
    files: &mut [LoadedFile],
    allocations: &BTreeMap<ForceId, Money>,
    categories: &[Category],
) {
    let mut spent = Vec::new();
    let mut spends = Vec::new();
    for (index, file) in files.iter().enumerate() {
        let (Some(force), Some(Return::Financial(ret))) =
            (file.read.key.force.as_ref(), file.read.usable())
        else {
            continue;
        };
        let (actual, forecast) = eligible_spend(ret, categories);
        spent.push(index);
        spends.push(Spend {
            file: &file.shown,
            force,
            quarter: ret.quarter,
            version: ret.version,
            actual,
            forecast,
        });
    }
    let found = forecast_within_allocation(&spends, allocations);
    for (spend, finding) in found {
        files[spent[spend]].read.findings.push(finding);
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
