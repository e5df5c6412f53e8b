//! What a payment run may replace: only a run folder npg wrote, still as npg wrote it and
//! holding nothing else, and never a folder that is or holds the cycle folder it reads.
//! Anything else in the way is refused, naming what is there, and nothing is touched.

use std::path::{Path, PathBuf};

use serde::Serialize;
use thiserror::Error;

use crate::cycle::load::shown_name;

use crate::pay::folder::{MANIFEST_FILE, STATEMENTS_DIR};
use crate::pay::manifest::{Manifest, OutputMismatch};

/// Why a folder in the way of a run is not replaced (the run cannot go on: exit 2).
#[derive(Debug, Error)]
pub enum ReplaceError {
    #[error(
        "{target} is, or holds, the cycle folder {cycle} the run reads; a run never replaces the folder it reads: give another --out"
    )]
    HoldsCycle { target: PathBuf, cycle: PathBuf },
    #[error(
        "{target} is a symbolic link; npg replaces only a run folder it wrote, never what a link leads to: give another --out"
    )]
    Link { target: PathBuf },
    #[error(
        "{target} is in the way and is not a folder; move it out of the way or give another --out"
    )]
    NotAFolder { target: PathBuf },
    #[error(
        "{target} is in the way and is not a run folder npg wrote (it has no {MANIFEST_FILE}); --overwrite replaces only a run folder npg wrote: move it out of the way or give another --out"
    )]
    NoManifest { target: PathBuf },
    #[error(
        "{target} is in the way and its {MANIFEST_FILE} is not one npg wrote ({problem}); --overwrite replaces only a run folder npg wrote: move it out of the way or give another --out"
    )]
    NotNpgs { target: PathBuf, problem: String },
    #[error(
        "{target} holds {} that the run did not write: {}; move {} out of the folder and run again (--overwrite replaces a run folder whole, and would remove {})",
        if .files.len() == 1 { "a file" } else { "files" },
        .files.iter().map(|f| format!("{} ({})", crate::text::cut(&f.name), f.note)).collect::<Vec<_>>().join("; "),
        if .files.len() == 1 { "it" } else { "them" },
        if .files.len() == 1 { "it" } else { "them" }
    )]
    Extra {
        target: PathBuf,
        files: Vec<ExtraFile>,
    },
    #[error(
        "{target} no longer holds what npg wrote ({}), so it may hold someone's changes; move the changed files out of the folder (or put back the originals) and run again",
        .problems.iter().map(ToString::to_string).collect::<Vec<_>>().join("; ")
    )]
    Changed {
        target: PathBuf,
        problems: Vec<OutputMismatch>,
    },
    #[error("cannot look into {target}: {cause}")]
    Io {
        target: PathBuf,
        /// In the message, so not also given as its source (printed once).
        cause: std::io::Error,
    },
}

/// Refuses `target` as the place of a run's folder when it is, or holds, the cycle folder,
/// whether or not the run may replace what is there.
pub fn check_not_cycle(target: &Path, cycle: &Path) -> Result<(), ReplaceError> {
    let (Ok(target_real), Ok(cycle_real)) = (target.canonicalize(), cycle.canonicalize()) else {
        return Ok(()); // nothing there (or no cycle folder, reported when it is read)
    };
    if cycle_real.starts_with(&target_real) {
        return Err(ReplaceError::HoldsCycle {
            target: target.to_owned(),
            cycle: cycle.to_owned(),
        });
    }
    Ok(())
}

/// Checks that `target` may be replaced by a new run folder: it is not there, or it is a run
/// folder npg wrote (its manifest says so), holding exactly the files its manifest names,
/// each still as npg wrote it, and it does not hold the cycle folder.
pub fn check_run_folder_replaceable(target: &Path, cycle: &Path) -> Result<(), ReplaceError> {
    let io = |source| ReplaceError::Io {
        target: target.to_owned(),
        cause: source,
    };
    let meta = match std::fs::symlink_metadata(target) {
        Ok(meta) => meta,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(()),
        Err(e) => return Err(io(e)),
    };
    check_not_cycle(target, cycle)?;
    if meta.file_type().is_symlink() {
        return Err(ReplaceError::Link {
            target: target.to_owned(),
        });
    }
    if !meta.is_dir() {
        return Err(ReplaceError::NotAFolder {
            target: target.to_owned(),
        });
    }
    let manifest = match Manifest::read_from(target) {
        Ok(Some(manifest)) if manifest.tool.name == "npg" => manifest,
        Ok(Some(manifest)) => {
            return Err(ReplaceError::NotNpgs {
                target: target.to_owned(),
                problem: format!(
                    "it was written by {}",
                    crate::text::cut(&manifest.tool.name)
                ),
            });
        }
        Ok(None) => {
            return Err(ReplaceError::NoManifest {
                target: target.to_owned(),
            });
        }
        Err(e) => {
            return Err(ReplaceError::NotNpgs {
                target: target.to_owned(),
                problem: e.problem,
            });
        }
    };
    let files = extra_files(target, &manifest).map_err(io)?;
    if !files.is_empty() {
        return Err(ReplaceError::Extra {
            target: target.to_owned(),
            files,
        });
    }
    let problems = manifest.check_outputs(target);
    if !problems.is_empty() {
        return Err(ReplaceError::Changed {
            target: target.to_owned(),
            problems,
        });
    }
    Ok(())
}

/// A file in a run folder that its manifest does not name.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ExtraFile {
    pub name: String,
    /// What it is, where that is known (a lock file of a workbook open in a program).
    pub note: String,
}

/// What a file that a run did not write may be, by its name.
pub fn extra_file_note(name: &str, is_file: bool) -> String {
    if !is_file {
        return "not a file the run wrote (a folder or another kind of entry)".to_owned();
    }
    if let Some(open) = name
        .strip_prefix(".~lock.")
        .and_then(|rest| rest.strip_suffix('#'))
    {
        return format!(
            "LibreOffice's lock file: {open} is open in LibreOffice (close it and the lock goes)"
        );
    }
    if let Some(open) = name.strip_prefix("~$") {
        return format!(
            "Excel's owner file: a workbook ending {open} is open in Excel (close it and it goes)"
        );
    }
    "not a file the run wrote: added to the run folder since".to_owned()
}

/// [`extra_file_note`] for an entry of a run folder, a link said to be one.
fn entry_note(name: &str, kind: std::fs::FileType) -> String {
    if kind.is_symlink() {
        return "a symbolic link: a run writes no links, and npg never follows one to replace what it leads to".to_owned();
    }
    extra_file_note(name, kind.is_file())
}

/// The files of a run folder that its manifest does not name, by name. The `statements/`
/// folder is looked into when it is a real folder (not a link) and the manifest names
/// statements: each entry there is named by its path (`statements/notes.txt`) and must be a
/// statement the manifest lists. Any other folder, link or entry is extra, at either level.
pub fn extra_files(run_dir: &Path, manifest: &Manifest) -> std::io::Result<Vec<ExtraFile>> {
    let named = |path: &str| manifest.outputs.iter().any(|o| o.path == path);
    let has_statements = manifest
        .outputs
        .iter()
        .any(|o| o.path.starts_with(&format!("{STATEMENTS_DIR}/")));
    let mut extra = Vec::new();
    for entry in std::fs::read_dir(run_dir)? {
        let entry = entry?;
        let name = shown_name(&entry.file_name());
        let kind = entry.file_type()?;
        if kind.is_dir() && name == STATEMENTS_DIR && has_statements {
            for inner in std::fs::read_dir(entry.path())? {
                let inner = inner?;
                let file_name = shown_name(&inner.file_name());
                let path = format!("{STATEMENTS_DIR}/{file_name}");
                let inner_kind = inner.file_type()?;
                if !inner_kind.is_file() || !named(&path) {
                    extra.push(ExtraFile {
                        note: entry_note(&file_name, inner_kind),
                        name: path,
                    });
                }
            }
            continue;
        }
        if !(name == MANIFEST_FILE || named(&name)) || !kind.is_file() {
            extra.push(ExtraFile {
                note: entry_note(&name, kind),
                name,
            });
        }
    }
    extra.sort_by(|a, b| a.name.cmp(&b.name));
    Ok(extra)
}
