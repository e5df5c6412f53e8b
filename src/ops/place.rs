//! Where outputs may go: never inside the cycle folder, which is only ever read.

use std::path::{Path, PathBuf};

use thiserror::Error;

/// An output place that is refused, or that cannot be told apart from the cycle folder.
#[derive(Debug, Error)]
pub enum PlaceError {
    #[error(
        "--out {} is inside the cycle folder {}; write {what} elsewhere, since the cycle folder is only ever read",
        out.display(),
        cycle.display()
    )]
    InsideCycle {
        out: PathBuf,
        cycle: PathBuf,
        /// What the command writes, and its default place if it has one.
        what: &'static str,
    },
    #[error("cannot tell the current folder")]
    NoCurrentFolder(#[source] std::io::Error),
    #[error("cannot resolve {}", path.display())]
    Unresolved {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
}

/// Outputs never go inside the cycle folder: the run would write where it reads, and the
/// next run would read its own outputs as returns. `what` names what the command writes, for
/// the message ("the runs (the default is ./runs)").
pub fn refuse_out_inside_cycle(
    out: &Path,
    cycle: &Path,
    what: &'static str,
) -> Result<(), PlaceError> {
    if is_inside(out, cycle)? {
        return Err(PlaceError::InsideCycle {
            out: out.to_owned(),
            cycle: cycle.to_owned(),
            what,
        });
    }
    Ok(())
}

/// True when `path` (which may not exist yet) is `folder` or lies inside it, links
/// resolved. A folder that does not exist holds nothing.
pub fn is_inside(path: &Path, folder: &Path) -> Result<bool, PlaceError> {
    let Ok(folder_real) = folder.canonicalize() else {
        return Ok(false);
    };
    // `path` may not exist yet: resolve its nearest existing ancestor, then add the rest.
    let mut existing = path.to_path_buf();
    let mut rest = Vec::new();
    while !existing.as_os_str().is_empty() && !existing.exists() {
        match existing.file_name() {
            Some(name) => rest.push(name.to_owned()),
            None => break,
        }
        existing.pop();
    }
    let base = if existing.as_os_str().is_empty() {
        std::env::current_dir().map_err(PlaceError::NoCurrentFolder)?
    } else {
        existing
            .canonicalize()
            .map_err(|source| PlaceError::Unresolved {
                path: existing.clone(),
                source,
            })?
    };
    let real = rest.iter().rev().fold(base, |path, name| path.join(name));
    Ok(real.starts_with(&folder_real))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_folder_not_yet_made_inside_the_cycle_is_inside_it() {
        let cycle = tempfile::tempdir().unwrap();
        let inside = cycle.path().join("runs/new");
        assert!(is_inside(&inside, cycle.path()).unwrap());
        assert!(is_inside(cycle.path(), cycle.path()).unwrap());
        let err = refuse_out_inside_cycle(&inside, cycle.path(), "the runs").unwrap_err();
        assert!(
            err.to_string().contains("is inside the cycle folder"),
            "{err}"
        );
    }

    #[test]
    fn a_sibling_folder_is_not_inside_and_a_missing_cycle_holds_nothing() {
        let root = tempfile::tempdir().unwrap();
        let cycle = root.path().join("cycle");
        std::fs::create_dir(&cycle).unwrap();
        // A name that starts with the cycle's is not inside it.
        assert!(!is_inside(&root.path().join("cycle-runs"), &cycle).unwrap());
        assert!(!is_inside(&cycle, &root.path().join("no-such-cycle")).unwrap());
        refuse_out_inside_cycle(&root.path().join("runs"), &cycle, "the runs").unwrap();
    }
}
