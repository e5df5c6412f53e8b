//! One run at a time per output folder: a lock (`flock`) on the file `.npg-lock` in the
//! folder, holding the process id of the run that holds it. The kernel frees the lock when
//! that process ends, however it ends, so a killed run never leaves the folder locked; a
//! second run refuses at once, naming the process that holds the folder (waiting would look
//! like a hang). A run removes the file as it lets go, so a folder holds only what a run
//! left there; one killed leaves the file, unlocked, for the next run to take and remove.

use std::fs::{File, TryLockError};
use std::io::{Read, Seek, Write};
use std::path::{Path, PathBuf};

use thiserror::Error;

/// The lock file's name inside an output folder.
pub const LOCK_FILE: &str = ".npg-lock";

/// Why an output folder cannot be locked.
#[derive(Debug, Error)]
pub enum LockError {
    #[error(
        "{folder} is in use by another npg run ({holder}); wait for it to finish and run again (two runs into one folder at once could interleave their folders)"
    )]
    Held { folder: PathBuf, holder: String },
    #[error("{path} is not a lock file npg wrote ({what}); move it out of the way and run again")]
    NotALockFile { path: PathBuf, what: String },
    #[error("cannot lock {path}: {cause}")]
    Io {
        path: PathBuf,
        /// In the message, so not also given as its source (printed once).
        cause: std::io::Error,
    },
}

/// A held lock on an output folder, freed (and its file removed) when dropped, or freed when
/// the process ends.
#[derive(Debug)]
pub struct FolderLock {
    file: File,
    path: PathBuf,
    /// Folders made to hold the lock, innermost first: removed again if still empty when
    /// the lock goes (the run wrote nothing there).
    created: Vec<PathBuf>,
}

impl Drop for FolderLock {
    fn drop(&mut self) {
        // Removed while still held, and only while the name is still this file, so that a
        // run that has just taken a new lock file is never left without one.
        if same_file(&self.file, &self.path) {
            let _ = std::fs::remove_file(&self.path);
        }
        for folder in &self.created {
            // Only an empty folder is removed: one the run wrote into stays.
            let _ = std::fs::remove_dir(folder);
        }
    }
}

/// Locks `folder`, making it (and any folder above it that is missing) first, so that a run
/// holds its output folder from its start, before any work; what it made is removed again
/// if it is still empty when the lock goes.
pub fn lock_folder_creating(folder: &Path) -> Result<FolderLock, LockError> {
    let mut missing = Vec::new();
    let mut at = folder.to_path_buf();
    while !at.as_os_str().is_empty() && std::fs::symlink_metadata(&at).is_err() {
        missing.push(at.clone());
        if !at.pop() {
            break;
        }
    }
    std::fs::create_dir_all(folder).map_err(|source| LockError::Io {
        path: folder.to_owned(),
        cause: source,
    })?;
    let mut lock = match lock_folder(folder) {
        Ok(lock) => lock,
        Err(e) => {
            for made in &missing {
                let _ = std::fs::remove_dir(made);
            }
            return Err(e);
        }
    };
    lock.created = missing;
    Ok(lock)
}

/// True while `path` names the very file `file` has open.
fn same_file(file: &File, path: &Path) -> bool {
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        match (file.metadata(), std::fs::symlink_metadata(path)) {
            (Ok(a), Ok(b)) => a.dev() == b.dev() && a.ino() == b.ino(),
            _ => false,
        }
    }
    #[cfg(not(unix))]
    {
        let _ = (file, path);
        true
    }
}

/// Locks `folder` (which must exist) for this process, or says who holds it.
pub fn lock_folder(folder: &Path) -> Result<FolderLock, LockError> {
    // A run letting go removes the file; one that opened it just before holds a file no
    // longer in the folder, and tries again on the one now there.
    for _ in 0..3 {
        let lock = try_lock_folder(folder)?;
        if same_file(&lock.file, &lock.path) {
            return Ok(lock);
        }
        std::mem::forget(lock); // not ours to remove: it is no longer the folder's file
    }
    Err(LockError::Held {
        folder: folder.to_owned(),
        holder: "runs starting and finishing as this one started".to_owned(),
    })
}

fn try_lock_folder(folder: &Path) -> Result<FolderLock, LockError> {
    let path = folder.join(LOCK_FILE);
    let io = |source| LockError::Io {
        path: path.clone(),
        cause: source,
    };
    let mut file = open_lock_file(&path).map_err(|e| match e.raw_os_error() {
        // ELOOP: the name is a symbolic link, which is never followed.
        Some(40) => LockError::NotALockFile {
            path: path.clone(),
            what: "a symbolic link".to_owned(),
        },
        _ => io(e),
    })?;
    let meta = file.metadata().map_err(io)?;
    if !meta.is_file() {
        return Err(LockError::NotALockFile {
            path: path.clone(),
            what: "not a regular file".to_owned(),
        });
    }
    // A lock file is npg's alone: one with other names (a hard link) or holding more than a
    // process id is someone's file, which writing the id into would destroy.
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        if meta.nlink() > 1 {
            return Err(LockError::NotALockFile {
                path: path.clone(),
                what: "a file with another name too (a hard link)".to_owned(),
            });
        }
    }
    let mut held_text = String::new();
    let _ = (&file).take(64).read_to_string(&mut held_text);
    if meta.len() > 32 || !held_text.trim().chars().all(|c| c.is_ascii_digit()) {
        return Err(LockError::NotALockFile {
            path: path.clone(),
            what: "a file holding more than a process id".to_owned(),
        });
    }
    file.rewind().map_err(io)?;
    match file.try_lock() {
        Ok(()) => {}
        Err(TryLockError::WouldBlock) => {
            let mut text = String::new();
            let _ = (&file).take(64).read_to_string(&mut text);
            let holder = match text.trim().parse::<u32>() {
                Ok(pid) => format!("process {pid}"),
                Err(_) => "a process that has not yet written its id".to_owned(),
            };
            return Err(LockError::Held {
                folder: folder.to_owned(),
                holder,
            });
        }
        Err(TryLockError::Error(e)) => return Err(io(e)),
    }
    // Held: the holder's id goes in, for the message a second run gives.
    file.set_len(0).map_err(io)?;
    file.rewind().map_err(io)?;
    writeln!(file, "{}", std::process::id()).map_err(io)?;
    Ok(FolderLock {
        file,
        path,
        created: Vec::new(),
    })
}

#[cfg(unix)]
fn open_lock_file(path: &Path) -> std::io::Result<File> {
    use std::os::unix::fs::OpenOptionsExt;
    let flags = rustix::fs::OFlags::NOFOLLOW | rustix::fs::OFlags::NONBLOCK;
    std::fs::OpenOptions::new()
        .read(true)
        .write(true)
        .create(true)
        .truncate(false)
        .mode(0o666)
        .custom_flags(flags.bits() as i32)
        .open(path)
}

#[cfg(not(unix))]
fn open_lock_file(path: &Path) -> std::io::Result<File> {
    std::fs::OpenOptions::new()
        .read(true)
        .write(true)
        .create(true)
        .truncate(false)
        .open(path)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_second_lock_on_a_folder_is_refused_naming_the_holder_and_freed_when_dropped() {
        let dir = tempfile::tempdir().unwrap();
        let held = lock_folder(dir.path()).unwrap();
        // A second open file description, as another process would have.
        let err = lock_folder(dir.path()).unwrap_err();
        let text = err.to_string();
        assert!(
            text.contains(&format!("process {}", std::process::id())),
            "{text}"
        );
        drop(held);
        assert!(
            !dir.path().join(LOCK_FILE).exists(),
            "the file goes with the lock"
        );
        let again = lock_folder(dir.path()).unwrap();
        assert!(dir.path().join(LOCK_FILE).exists());
        drop(again);
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 0);
    }

    #[cfg(unix)]
    #[test]
    fn a_lock_file_that_is_a_link_is_never_followed() {
        let dir = tempfile::tempdir().unwrap();
        let elsewhere = dir.path().join("precious.txt");
        std::fs::write(&elsewhere, b"keep me").unwrap();
        std::os::unix::fs::symlink(&elsewhere, dir.path().join(LOCK_FILE)).unwrap();
        let err = lock_folder(dir.path()).unwrap_err();
        assert!(err.to_string().contains("a symbolic link"), "{err}");
        assert_eq!(std::fs::read(&elsewhere).unwrap(), b"keep me");
    }
}
