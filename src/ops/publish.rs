//! `npg publish`'s work: the site gathered from the year's runs and built in memory, then
//! written as one folder, whole or not at all, never inside the cycle or runs folders, and
//! replacing only a site npg wrote that is still as it wrote it.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::Deserialize;
use thiserror::Error;

use crate::cycle::load::sha256_hex;
use crate::domain::Quarter;
use crate::pay::inputs::ReadProgress;
use crate::pay::publish::runs::RunsError;
use crate::pay::publish::{Audience, GatherError, SiteFacts, gather};
use crate::read::file::{MAX_MANIFEST_BYTES, MAX_OUTPUT_BYTES, read_limited};
use crate::write::output::OutputError;
use crate::write::run_folder::{FolderFile, write_folder_atomically, write_folder_over_empty};
use crate::write::site::{SITE_MANIFEST, SiteError, build_site, is_site_path};

use super::place::{PlaceError, is_inside, refuse_out_inside_cycle};
use super::replace::extra_files;
use super::runs::{all_inputs, input_records};
use crate::pay::folder::MANIFEST_FILE;

/// What a publish is asked to do.
#[derive(Clone, Copy, Debug)]
pub struct PublishRequest<'a> {
    pub cycle: &'a Path,
    pub runs: &'a Path,
    pub out: &'a Path,
    /// The quarter to publish to; the latest run in `runs` when `None`.
    pub quarter: Option<Quarter>,
    pub audience: Audience,
    pub overwrite: bool,
}

/// How a publish ended, short of an error that stopped it.
pub enum PublishOutcome {
    Published(Box<Published>),
    /// A run, the cycle or `publish.toml` is wrong (exit 1); nothing was written.
    InError(GatherError),
}

/// The site written.
pub struct Published {
    pub facts: SiteFacts,
    pub out: PathBuf,
    pub files: usize,
    /// The SHA-256 of the site's `site-manifest.json`.
    pub manifest_sha256: String,
    /// The old site, where it gained a file while the new one was written: kept whole
    /// beside it under this name rather than removed with someone's file in it.
    pub kept: Vec<PathBuf>,
}

/// A publish that could not run (exit 2); nothing was written.
#[derive(Debug, Error)]
pub enum PublishError {
    #[error(transparent)]
    Place(#[from] PlaceError),
    #[error("{flag} {}: {}; give {what}", .path.display(), if .path.is_dir() { "there is no cycle.toml in it" } else if .path.exists() { "it is a file, not a folder" } else { "there is no such folder" })]
    NoFolder {
        flag: &'static str,
        path: PathBuf,
        what: &'static str,
    },
    #[error(
        "--out {} is inside the runs folder {}; write the site elsewhere, since the runs are only ever read",
        out.display(), runs.display()
    )]
    InsideRuns { out: PathBuf, runs: PathBuf },
    #[error(
        "--out {} holds the {what} folder {}; write the site to a folder of its own",
        out.display(), inner.display()
    )]
    HoldsInput {
        out: PathBuf,
        inner: PathBuf,
        what: &'static str,
    },
    #[error("{} already exists; give --overwrite to replace it (it is swapped in whole)", .0.display())]
    InTheWay(PathBuf),
    #[error(
        "{} appeared while this site was being built (another npg publish into the same folder?), so this one was not put in its place and nothing of it was written; look at what is there, then run again",
        .0.display()
    )]
    AppearedMeanwhile(PathBuf),
    #[error(
        "{} is not a site npg publish wrote, so it is not replaced: {why}; give another --out (a new or empty folder), or move it aside (--overwrite replaces only a site npg wrote, still as it wrote it)",
        path.display()
    )]
    NotOurs { path: PathBuf, why: String },
    #[error(
        "--runs {} is a run folder (it holds {MANIFEST_FILE}); give the folder that holds the run folders, its parent",
        .0.display()
    )]
    RunFolderAsRuns(PathBuf),
    #[error("--out {} {what}; give a folder for the site (a new or empty one, or a site npg wrote)", .path.display())]
    OutNotAFolder { path: PathBuf, what: &'static str },
    #[error(transparent)]
    Gather(GatherError),
    #[error(transparent)]
    Site(#[from] SiteError),
    #[error(transparent)]
    Output(#[from] OutputError),
}

/// Gathers, builds and writes the site.
pub fn publish(
    request: &PublishRequest,
    progress: &dyn ReadProgress,
) -> Result<PublishOutcome, PublishError> {
    check_place(request)?;
    let facts = match gather(
        request.cycle,
        request.runs,
        request.quarter,
        request.audience,
        progress,
    ) {
        Ok(facts) => facts,
        Err(e) if e.is_input_error() => return Ok(PublishOutcome::InError(e)),
        Err(e) => return Err(PublishError::Gather(e)),
    };
    if let Some(e) = added_to_a_run(request.runs, &facts)? {
        return Ok(PublishOutcome::InError(e));
    }
    let files = build_site(&facts)?;
    let replace = check_replaceable(request.out, request.overwrite)?;
    let folder_files: Vec<FolderFile> = files
        .iter()
        .map(|f| FolderFile {
            name: &f.path,
            bytes: &f.bytes,
        })
        .collect();
    let written = match replace {
        Replace::Nothing => {
            write_folder_atomically(request.out, &folder_files, false, is_site_path)
        }
        Replace::Empty => write_folder_over_empty(request.out, &folder_files, is_site_path),
        Replace::OurSite => write_folder_atomically(request.out, &folder_files, true, is_site_path),
    };
    let kept = written.map_err(|e| match e {
        // Nothing was there, or an empty folder, when it was checked (a site npg wrote is
        // swapped, never refused here): something put a folder there while this one was
        // built, most likely another npg publish.
        OutputError::Exists { path } => PublishError::AppearedMeanwhile(path),
        other => PublishError::Output(other),
    })?;
    let manifest_sha256 = files
        .iter()
        .find(|f| f.path == SITE_MANIFEST)
        .map(|f| sha256_hex(&f.bytes))
        .unwrap_or_default();
    Ok(PublishOutcome::Published(Box::new(Published {
        facts,
        out: request.out.to_owned(),
        files: files.len(),
        manifest_sha256,
        kept,
    })))
}

/// A run folder holding anything its run did not write (a file, a folder, a link), or whose
/// manifest records its inputs otherwise than re-running the quarter does (one's use, or
/// the reason it was not used), is not as npg pay wrote it, so nothing is published from it;
/// as `npg audit verify` judges it.
fn added_to_a_run(runs: &Path, facts: &SiteFacts) -> Result<Option<GatherError>, PublishError> {
    for run in &facts.runs {
        if run.manifest.inputs != input_records(&all_inputs(&facts.inputs, &run.result)) {
            return Ok(Some(GatherError::Runs(RunsError::Altered {
                folder: run.folder.clone(),
                problems: vec![format!(
                    "its {MANIFEST_FILE}'s inputs are not as re-running the quarter records them (which were used, and why not)"
                )],
            })));
        }
        let dir = runs.join(&run.folder);
        let extra = extra_files(&dir, &run.manifest).map_err(|e| {
            PublishError::Gather(GatherError::Runs(RunsError::Unreadable {
                path: dir.clone(),
                cause: e.to_string(),
            }))
        })?;
        if !extra.is_empty() {
            return Ok(Some(GatherError::Runs(RunsError::Altered {
                folder: run.folder.clone(),
                problems: extra
                    .into_iter()
                    .map(|f| format!("it holds {}, {}", f.name, f.note))
                    .collect(),
            })));
        }
    }
    Ok(None)
}

/// The site goes neither inside the cycle or runs folders nor around them; both must be
/// there, the cycle with its `cycle.toml`.
fn check_place(request: &PublishRequest) -> Result<(), PublishError> {
    if !request.runs.is_dir() {
        return Err(PublishError::NoFolder {
            flag: "--runs",
            path: request.runs.to_owned(),
            what: "the folder npg pay wrote the year's run folders into",
        });
    }
    if request.runs.join(MANIFEST_FILE).is_file() {
        return Err(PublishError::RunFolderAsRuns(request.runs.to_owned()));
    }
    // A file, or a link, where the site goes: said at once, before any work.
    if let Ok(meta) = std::fs::symlink_metadata(request.out) {
        if meta.file_type().is_symlink() {
            return Err(PublishError::OutNotAFolder {
                path: request.out.to_owned(),
                what: "is a symbolic link: npg never follows one to write or replace what it leads to",
            });
        }
        if !meta.is_dir() {
            return Err(PublishError::OutNotAFolder {
                path: request.out.to_owned(),
                what: "is a file, not a folder",
            });
        }
    }
    if !request
        .cycle
        .join(crate::cycle::config::CONFIG_FILE)
        .is_file()
    {
        return Err(PublishError::NoFolder {
            flag: "--cycle",
            path: request.cycle.to_owned(),
            what: "the cycle folder (holding cycle.toml) the runs were made from",
        });
    }
    refuse_out_inside_cycle(request.out, request.cycle, "the site")?;
    if is_inside(request.out, request.runs)? {
        return Err(PublishError::InsideRuns {
            out: request.out.to_owned(),
            runs: request.runs.to_owned(),
        });
    }
    for (inner, what) in [(request.cycle, "cycle"), (request.runs, "runs")] {
        if is_inside(inner, request.out)? {
            return Err(PublishError::HoldsInput {
                out: request.out.to_owned(),
                inner: inner.to_owned(),
                what,
            });
        }
    }
    Ok(())
}

#[derive(Deserialize)]
struct ManifestFile {
    path: String,
    sha256: String,
}

#[derive(Deserialize)]
struct SiteManifestRead {
    files: Vec<ManifestFile>,
}

/// What is at `--out` that the site would replace.
enum Replace {
    Nothing,
    /// An empty folder, which holds nothing to lose: written over only while still empty.
    Empty,
    /// A site npg wrote, still as it wrote it, with `--overwrite`.
    OurSite,
}

/// Whether the folder at `out` may be replaced: nothing there, an empty folder, or a site
/// npg wrote that holds exactly its manifest's files with their hashes; anything else is
/// refused.
fn check_replaceable(out: &Path, overwrite: bool) -> Result<Replace, PublishError> {
    let meta = match std::fs::symlink_metadata(out) {
        Ok(meta) => meta,
        Err(_) => return Ok(Replace::Nothing),
    };
    let not_ours = |why: &str| PublishError::NotOurs {
        path: out.to_owned(),
        why: why.to_owned(),
    };
    if !meta.is_dir() {
        return Err(not_ours("it is not a folder"));
    }
    let found = files_under(out).map_err(|e| not_ours(&format!("it cannot be read ({e})")))?;
    if found.is_empty() {
        return Ok(Replace::Empty);
    }
    // A folder that is not a site npg wrote is said to be so at once, with or without
    // --overwrite, so that nobody is told to overwrite what would then be refused.
    check_ours(out, &found)?;
    if !overwrite {
        return Err(PublishError::InTheWay(out.to_owned()));
    }
    Ok(Replace::OurSite)
}

/// A site npg wrote: its manifest lists every file there, each with the hash it has.
fn check_ours(out: &Path, found: &[String]) -> Result<(), PublishError> {
    let not_ours = |why: &str| PublishError::NotOurs {
        path: out.to_owned(),
        why: why.to_owned(),
    };
    let bytes = read_limited(&out.join(SITE_MANIFEST), MAX_MANIFEST_BYTES)
        .map_err(|_| not_ours(&format!("it has no {SITE_MANIFEST} npg can read")))?;
    let manifest: SiteManifestRead = serde_json::from_slice(&bytes)
        .map_err(|_| not_ours(&format!("its {SITE_MANIFEST} is not one npg wrote")))?;
    let listed: BTreeMap<&str, &str> = manifest
        .files
        .iter()
        .map(|f| (f.path.as_str(), f.sha256.as_str()))
        .collect();
    for path in found {
        if path == SITE_MANIFEST {
            continue;
        }
        let Some(sha) = listed.get(path.as_str()) else {
            return Err(not_ours(&format!(
                "it holds {path}, which the site did not write"
            )));
        };
        let held = read_limited(&out.join(path), MAX_OUTPUT_BYTES)
            .map_err(|_| not_ours(&format!("{path} cannot be read")))?;
        if sha256_hex(&held) != *sha {
            return Err(not_ours(&format!("{path} has changed since npg wrote it")));
        }
    }
    Ok(())
}

/// Every file under `dir` (hidden ones too), relative, with `/` between names. A link or
/// anything but a plain file or folder is reported as a file of its own, and a folder the
/// site does not have (`data/old/`, even empty) as itself with its `/`, so that either
/// refuses: the old site is then never swapped out whole only to be kept beside the new.
fn files_under(dir: &Path) -> std::io::Result<Vec<String>> {
    fn walk(base: &Path, dir: &Path, out: &mut Vec<String>) -> std::io::Result<()> {
        for entry in std::fs::read_dir(dir)? {
            let entry = entry?;
            let kind = entry.file_type()?;
            let path = entry.path();
            let rel = path
                .strip_prefix(base)
                .map(|p| p.to_string_lossy().replace('\\', "/"))
                .unwrap_or_default();
            if kind.is_dir() && is_site_path(&format!("{rel}/")) {
                walk(base, &path, out)?;
            } else if kind.is_dir() {
                out.push(format!("{rel}/"));
            } else {
                out.push(rel);
            }
        }
        Ok(())
    }
    let mut out = Vec::new();
    walk(dir, dir, &mut out)?;
    out.sort();
    Ok(out)
}
