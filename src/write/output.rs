//! Writing output files whole or not at all: a temporary file in the target folder, renamed
//! into place only when complete.

use std::io::Write;
use std::path::{Path, PathBuf};

use thiserror::Error;

/// Why an output could not be written. Nothing is left behind in any of these cases.
#[derive(Debug, Error)]
pub enum OutputError {
    #[error("{path} already exists; give --overwrite to replace it")]
    Exists { path: PathBuf },
    #[error("{path} is there but is not a folder; move it out of the way and run again")]
    NotAFolder { path: PathBuf },
    #[error("cannot write {path}: the folder {folder} does not exist")]
    NoFolder { path: PathBuf, folder: PathBuf },
    #[error("cannot write {path}: {source}")]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
}

/// Writes `bytes` to `path` atomically. Without `overwrite` an existing file is never
/// replaced, even one that appears while this call runs.
pub fn write_file_atomically(
    path: &Path,
    bytes: &[u8],
    overwrite: bool,
) -> Result<(), OutputError> {
    let io = |source| OutputError::Io {
        path: path.to_owned(),
        source,
    };
    if !overwrite && path.exists() {
        return Err(OutputError::Exists {
            path: path.to_owned(),
        });
    }
    let folder = existing_parent(path)?;
    let mut temporary = tempfile::Builder::new()
        .prefix(".npg-partial-")
        .tempfile_in(&folder)
        .map_err(io)?;
    temporary.write_all(bytes).map_err(io)?;
    temporary.as_file().sync_all().map_err(io)?;
    if overwrite {
        temporary.persist(path).map_err(|e| io(e.error))?;
    } else {
        temporary.persist_noclobber(path).map_err(|e| {
            if e.error.kind() == std::io::ErrorKind::AlreadyExists {
                OutputError::Exists {
                    path: path.to_owned(),
                }
            } else {
                io(e.error)
            }
        })?;
    }
    Ok(())
}

/// The folder an output goes into (`.` for a bare file name), which must exist.
pub fn existing_parent(path: &Path) -> Result<PathBuf, OutputError> {
    let folder = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_owned(),
        _ => PathBuf::from("."),
    };
    if !folder.is_dir() {
        return Err(OutputError::NoFolder {
            path: path.to_owned(),
            folder,
        });
    }
    Ok(folder)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refuses_to_replace_without_overwrite_and_leaves_no_temporary_file() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("out.xlsx");
        write_file_atomically(&path, b"first", false).unwrap();
        let err = write_file_atomically(&path, b"second", false).unwrap_err();
        assert!(matches!(err, OutputError::Exists { .. }), "{err}");
        assert_eq!(std::fs::read(&path).unwrap(), b"first");
        write_file_atomically(&path, b"second", true).unwrap();
        assert_eq!(std::fs::read(&path).unwrap(), b"second");
        let names: Vec<_> = std::fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        assert_eq!(names, ["out.xlsx"]);
    }

    #[test]
    fn a_missing_folder_is_an_error_naming_it() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("nowhere").join("out.xlsx");
        let err = write_file_atomically(&path, b"x", false).unwrap_err();
        assert!(err.to_string().contains("does not exist"), "{err}");
    }
}
