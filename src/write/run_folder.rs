//! Writing a whole folder of outputs or nothing: the files go into a hidden temporary folder
//! beside the target, which is renamed into place only when every file is written and
//! synced. An existing folder is replaced only on request, and then swapped in whole.
//!
//! On Linux the swap is one atomic `renameat2(RENAME_EXCHANGE)`: at every instant the
//! target is either the complete old folder or the complete new one. Where the filesystem
//! cannot exchange, a two-step swap is used (old folder to `.npg-old-<name>`, new folder
//! into place, old removed), and the next write to the same place completes or undoes a
//! swap that was interrupted between its steps.

use std::io::Write;
use std::path::{Path, PathBuf};

use super::output::{OutputError, existing_parent, usual_mode};

/// The prefix of the temporary folder a run is written into.
const PARTIAL_PREFIX: &str = ".npg-partial-";
/// The prefix under which an old folder waits during a two-step swap.
const OLD_PREFIX: &str = ".npg-old-";

/// One file to write into the folder. Its name is a path inside the folder with `/` between
/// names (`statements/kent-2025-26-Q2.xlsx`): a subfolder is made for it as it is written.
pub struct FolderFile<'a> {
    pub name: &'a str,
    pub bytes: &'a [u8],
}

/// Which paths a folder of a kind holds, relative to it with `/` between names; a
/// subfolder's path ends in `/` (`statements/`). A folder npg staged or swapped out is
/// removed only when everything in it is known (see [`holds_only`]), so this must say yes
/// to nothing npg does not write there itself.
pub type KnownPaths = fn(&str) -> bool;

fn io(path: &Path) -> impl Fn(std::io::Error) -> OutputError + '_ {
    move |cause| OutputError::Io {
        path: path.to_owned(),
        cause,
    }
}

/// A folder written in full under a temporary name beside its target, not yet in place.
pub struct StagedFolder {
    target: PathBuf,
    parent: PathBuf,
    name: String,
    /// Removed when dropped: with the new files if never placed, with the old folder after
    /// a swap, empty after a plain rename.
    staging: tempfile::TempDir,
    /// What a folder of this kind holds.
    known: KnownPaths,
}

/// How a staged folder was put in place, so that it can be taken back.
enum Placed {
    New,
    Swapped,
}

/// Readies `target` to be written: finishes a swap interrupted there, and refuses a target
/// that is a file. `known` says what a folder of this kind holds: an old folder left aside
/// is removed only when it holds nothing else.
pub fn prepare_target(target: &Path, known: KnownPaths) -> Result<(), OutputError> {
    let (parent, name) = split(target)?;
    finish_interrupted_swap(&parent, &name, known)?;
    if target.exists() && !target.is_dir() {
        return Err(OutputError::NotAFolder {
            path: target.to_owned(),
        });
    }
    Ok(())
}

/// Writes `files` into a hidden folder beside `target`, every file and folder synced. Each
/// file, and each subfolder it is in, must be one `known` accepts, so that what is staged
/// can always be removed again.
pub fn stage_folder(
    target: &Path,
    files: &[FolderFile],
    known: KnownPaths,
) -> Result<StagedFolder, OutputError> {
    let (parent, name) = split(target)?;
    for file in files {
        let subfolders = file
            .name
            .match_indices('/')
            .map(|(at, _)| &file.name[..=at]);
        if !known(file.name) || subfolders.clone().any(|sub| !known(sub)) {
            let path = target.join(file.name);
            return Err(OutputError::Io {
                cause: std::io::Error::new(
                    std::io::ErrorKind::InvalidInput,
                    "not a file a folder of this kind holds",
                ),
                path,
            });
        }
    }
    remove_abandoned_partials(&parent, known);
    let prefix = format!("{PARTIAL_PREFIX}{}-", std::process::id());
    let staging = usual_mode(tempfile::Builder::new().prefix(&prefix), true)
        .tempdir_in(&parent)
        .map_err(io(&parent))?;
    // Subfolders in the order first needed, each made once and synced after its files.
    let mut subfolders: Vec<PathBuf> = Vec::new();
    for file in files {
        let path = staging.path().join(file.name);
        if let Some(folder) = path.parent().filter(|f| *f != staging.path())
            && !subfolders.iter().any(|s| s == folder)
        {
            std::fs::create_dir_all(folder).map_err(io(folder))?;
            subfolders.push(folder.to_owned());
        }
        let mut out = std::fs::File::create(&path).map_err(io(&path))?;
        out.write_all(file.bytes).map_err(io(&path))?;
        out.sync_all().map_err(io(&path))?;
    }
    for folder in subfolders.iter().rev() {
        sync_folder(folder).map_err(io(folder))?;
    }
    sync_folder(staging.path()).map_err(io(staging.path()))?;
    Ok(StagedFolder {
        target: target.to_owned(),
        parent,
        name,
        staging,
        known,
    })
}

/// Puts staged folders in place, in order. Every target is checked before the first is
/// moved; if one cannot be placed, those already placed are taken back (the old folders
/// restored), so the set lands together or not at all. A folder replaced is removed only
/// when it holds nothing but files of its kind: one that gained a file while the run wrote
/// (someone's notes) is kept whole beside the new one, and its new name returned.
pub fn commit_folders(
    staged: Vec<StagedFolder>,
    overwrite: bool,
) -> Result<Vec<PathBuf>, OutputError> {
    for s in &staged {
        if s.target.exists() {
            if !s.target.is_dir() {
                return Err(OutputError::NotAFolder {
                    path: s.target.clone(),
                });
            }
            if !overwrite {
                return Err(OutputError::Exists {
                    path: s.target.clone(),
                });
            }
        }
    }
    let mut placed: Vec<(&StagedFolder, Placed)> = Vec::new();
    for s in &staged {
        match place(s.staging.path(), &s.target, &s.parent, &s.name) {
            Ok(how) => placed.push((s, how)),
            Err(e) => {
                take_back(&placed);
                return Err(e);
            }
        }
    }
    for s in &staged {
        sync_folder(&s.parent).map_err(io(&s.parent))?;
    }
    // Each staging folder now holds an old run swapped out (or nothing): removed, even
    // when its files were made read-only, if it holds only what a run writes.
    let mut kept = Vec::new();
    for s in staged {
        let known = s.known;
        let old = s.staging.keep();
        if std::fs::symlink_metadata(&old).is_err() {
            continue; // renamed into place: nothing was replaced
        }
        if holds_only(&old, known) {
            remove_folder(&old);
        } else {
            let mut n = 1;
            let keep_as = loop {
                let candidate = s.parent.join(format!("{}.replaced-{n}", s.name));
                if std::fs::symlink_metadata(&candidate).is_err() {
                    break candidate;
                }
                n += 1;
            };
            std::fs::rename(&old, &keep_as).map_err(io(&old))?;
            kept.push(keep_as);
        }
    }
    Ok(kept)
}

/// Removes a folder and everything in it, making it writable first where it was not (a run
/// folder an operator protected); what still cannot be removed is left.
fn remove_folder(path: &Path) {
    if std::fs::remove_dir_all(path).is_ok() || !path.exists() {
        return;
    }
    make_writable(path);
    let _ = std::fs::remove_dir_all(path);
}

fn make_writable(path: &Path) {
    let Ok(meta) = std::fs::symlink_metadata(path) else {
        return;
    };
    if meta.file_type().is_symlink() {
        return;
    }
    let mut permissions = meta.permissions();
    #[allow(clippy::permissions_set_readonly_false)]
    permissions.set_readonly(false);
    let _ = std::fs::set_permissions(path, permissions);
    if meta.is_dir()
        && let Ok(entries) = std::fs::read_dir(path)
    {
        for entry in entries.flatten() {
            make_writable(&entry.path());
        }
    }
}

/// Undoes placements, latest first: a new folder goes back to its staging name (and is
/// removed with it), a swapped one is swapped back.
fn take_back(placed: &[(&StagedFolder, Placed)]) {
    for (s, how) in placed.iter().rev() {
        let _ = match how {
            Placed::New => std::fs::rename(&s.target, s.staging.path()).map_err(io(&s.target)),
            Placed::Swapped => swap_into_place(s.staging.path(), &s.target, &s.parent, &s.name),
        };
    }
}

/// Writes `files` as the folder `target`, whole or not at all. Without `overwrite` an
/// existing `target` is never replaced. Returns where an old folder that gained a file
/// meanwhile was kept (see [`commit_folders`]), for the caller to say.
pub fn write_folder_atomically(
    target: &Path,
    files: &[FolderFile],
    overwrite: bool,
    known: KnownPaths,
) -> Result<Vec<PathBuf>, OutputError> {
    prepare_target(target, known)?;
    if !overwrite && target.exists() {
        return Err(OutputError::Exists {
            path: target.to_owned(),
        });
    }
    commit_folders(vec![stage_folder(target, files, known)?], overwrite)
}

fn split(target: &Path) -> Result<(PathBuf, String), OutputError> {
    let parent = existing_parent(target)?;
    let name = target
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .ok_or_else(|| OutputError::Io {
            path: target.to_owned(),
            cause: std::io::Error::new(std::io::ErrorKind::InvalidInput, "not a folder name"),
        })?;
    Ok((parent, name))
}

/// Writes `files` as the folder `target` where an empty folder is (or was) there: the
/// empty folder is removed only as the new one is put in place, and only while it is still
/// empty, so that when two writers race for one empty folder one of them writes it and the
/// other is refused (`Exists`), rather than each replacing the other's.
pub fn write_folder_over_empty(
    target: &Path,
    files: &[FolderFile],
    known: KnownPaths,
) -> Result<Vec<PathBuf>, OutputError> {
    prepare_target(target, known)?;
    let staged = stage_folder(target, files, known)?;
    match std::fs::remove_dir(target) {
        Ok(()) => {}
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
        Err(e) if e.kind() == std::io::ErrorKind::DirectoryNotEmpty => {
            return Err(OutputError::Exists {
                path: target.to_owned(),
            });
        }
        Err(e) => return Err(io(target)(e)),
    }
    commit_folders(vec![staged], false)
}

/// Puts the complete folder at `staging` in place as `target`, whatever wrote it: npg's
/// run folders and npg-fixtures' cycle folder both go through here, so there is one folder
/// swap to trust. A missing `target` is a plain rename, which never replaces a folder that
/// appears meanwhile (`Exists`); an existing one is swapped ([`swap_into_place`]), its old
/// folder left at `staging`, and put back if the swap fails. Nothing here decides whether
/// `target` may be replaced: callers check that first.
pub(crate) fn place_folder(staging: &Path, target: &Path) -> Result<(), OutputError> {
    let (parent, name) = split(target)?;
    place(staging, target, &parent, &name).map(|_| ())
}

/// [`place_folder`] for a target already split into its folder and name.
fn place(staging: &Path, target: &Path, parent: &Path, name: &str) -> Result<Placed, OutputError> {
    if target.exists() {
        swap_into_place(staging, target, parent, name).map(|()| Placed::Swapped)
    } else {
        rename_no_replace(staging, target)
            .map(|()| Placed::New)
            .map_err(|e| {
                if e.kind() == std::io::ErrorKind::AlreadyExists {
                    OutputError::Exists {
                        path: target.to_owned(),
                    }
                } else {
                    io(target)(e)
                }
            })
    }
}

/// Replaces `target` with `staging`, leaving the old folder at `staging`.
fn swap_into_place(
    staging: &Path,
    target: &Path,
    parent: &Path,
    name: &str,
) -> Result<(), OutputError> {
    match exchange(staging, target) {
        Ok(()) => return Ok(()),
        Err(e) if !exchange_unsupported(&e) => return Err(io(target)(e)),
        Err(_) => {}
    }
    swap_in_two_steps(staging, target, parent, name)
}

/// The swap where the filesystem cannot exchange: the old folder aside under a known name,
/// the new one into place (the old put back if that fails), and the old one moved to
/// `staging` so that it is removed with it.
fn swap_in_two_steps(
    staging: &Path,
    target: &Path,
    parent: &Path,
    name: &str,
) -> Result<(), OutputError> {
    let aside = parent.join(format!("{OLD_PREFIX}{name}"));
    std::fs::rename(target, &aside).map_err(io(target))?;
    if let Err(e) = std::fs::rename(staging, target) {
        let _ = std::fs::rename(&aside, target);
        return Err(io(target)(e));
    }
    std::fs::rename(&aside, staging).map_err(io(&aside))
}

/// A swap interrupted between its two steps: if the new folder is in place the old one is
/// removed (the swap completes); if not, the old one goes back (the swap is undone). An old
/// folder holding anything but what is `known` is left where it is, and named.
fn finish_interrupted_swap(
    parent: &Path,
    name: &str,
    known: KnownPaths,
) -> Result<(), OutputError> {
    let aside = parent.join(format!("{OLD_PREFIX}{name}"));
    if std::fs::symlink_metadata(&aside).is_err() {
        return Ok(());
    }
    let target = parent.join(name);
    if std::fs::symlink_metadata(&target).is_err() {
        return std::fs::rename(&aside, &target).map_err(io(&aside));
    }
    if !holds_only(&aside, known) {
        return Err(OutputError::NotReplaceable {
            path: aside,
            what: "a folder left by an interrupted swap that holds files npg did not write"
                .to_owned(),
            kind: "a run folder",
        });
    }
    remove_folder(&aside);
    Ok(())
}

/// True when `folder` is a real folder (not a link) holding only regular files and real
/// subfolders whose paths are `known`, and the subfolders likewise: what npg itself puts in
/// a folder it stages. A link, a pipe, a name that is not UTF-8 or any path not `known`
/// (a stray file in a known subfolder, a folder nested where none is written) makes it
/// false.
pub(crate) fn holds_only(folder: &Path, known: KnownPaths) -> bool {
    let Ok(meta) = std::fs::symlink_metadata(folder) else {
        return false;
    };
    meta.is_dir() && holds_only_under(folder, "", known)
}

/// [`holds_only`] for the entries of `folder`, whose path inside the folder checked is
/// `prefix` (empty, or ending in `/`).
fn holds_only_under(folder: &Path, prefix: &str, known: KnownPaths) -> bool {
    let Ok(entries) = std::fs::read_dir(folder) else {
        return false;
    };
    entries.into_iter().all(|entry| {
        let Ok(entry) = entry else {
            return false;
        };
        let file_name = entry.file_name();
        let (Ok(kind), Some(name)) = (entry.file_type(), file_name.to_str()) else {
            return false;
        };
        // `file_type` does not follow links: a link is neither a file nor a folder here.
        if kind.is_file() {
            known(&format!("{prefix}{name}"))
        } else if kind.is_dir() {
            let sub = format!("{prefix}{name}/");
            known(&sub) && holds_only_under(&entry.path(), &sub, known)
        } else {
            false
        }
    })
}

/// Removes temporary folders left by runs that were killed while writing. A folder is
/// abandoned when the process named in it no longer runs (checked where `/proc` exists),
/// and removed only when it holds nothing but what is `known` (what a run stages, or the
/// old run folder a swap moved into it).
fn remove_abandoned_partials(parent: &Path, known: KnownPaths) {
    let Ok(entries) = std::fs::read_dir(parent) else {
        return;
    };
    for entry in entries.flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        let Some(rest) = name.strip_prefix(PARTIAL_PREFIX) else {
            continue;
        };
        let Some(pid) = rest.split('-').next().and_then(|p| p.parse::<u32>().ok()) else {
            continue;
        };
        let proc_root = Path::new("/proc");
        if pid != std::process::id()
            && proc_root.is_dir()
            && !proc_root.join(pid.to_string()).exists()
            && holds_only(&entry.path(), known)
        {
            remove_folder(&entry.path());
        }
    }
}

#[cfg(target_os = "linux")]
fn exchange(a: &Path, b: &Path) -> std::io::Result<()> {
    use rustix::fs::{CWD, RenameFlags, renameat_with};
    renameat_with(CWD, a, CWD, b, RenameFlags::EXCHANGE).map_err(std::io::Error::from)
}

#[cfg(not(target_os = "linux"))]
fn exchange(_: &Path, _: &Path) -> std::io::Result<()> {
    Err(std::io::Error::from(std::io::ErrorKind::Unsupported))
}

/// The filesystem or kernel cannot exchange: fall back to the two-step swap.
fn exchange_unsupported(e: &std::io::Error) -> bool {
    e.kind() == std::io::ErrorKind::Unsupported
        || matches!(e.raw_os_error(), Some(code) if code == 22 || code == 38 || code == 95)
}

#[cfg(target_os = "linux")]
fn rename_no_replace(from: &Path, to: &Path) -> std::io::Result<()> {
    use rustix::fs::{CWD, RenameFlags, renameat_with};
    match renameat_with(CWD, from, CWD, to, RenameFlags::NOREPLACE) {
        Err(e) if exchange_unsupported(&std::io::Error::from(e)) => std::fs::rename(from, to),
        other => other.map_err(std::io::Error::from),
    }
}

#[cfg(not(target_os = "linux"))]
fn rename_no_replace(from: &Path, to: &Path) -> std::io::Result<()> {
    if to.exists() {
        return Err(std::io::Error::from(std::io::ErrorKind::AlreadyExists));
    }
    std::fs::rename(from, to)
}

/// Makes a folder's entries durable (the renames into it), where the platform allows.
fn sync_folder(folder: &Path) -> std::io::Result<()> {
    #[cfg(unix)]
    {
        std::fs::File::open(folder)?.sync_all()
    }
    #[cfg(not(unix))]
    {
        let _ = folder;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn files<'a>(text: &'a [u8]) -> Vec<FolderFile<'a>> {
        vec![
            FolderFile {
                name: "a.txt",
                bytes: text,
            },
            FolderFile {
                name: "b.txt",
                bytes: b"b",
            },
        ]
    }

    /// The folder of the tests: `a.txt`, `b.txt`, and `sub/` holding `c.txt`.
    fn known(path: &str) -> bool {
        ["a.txt", "b.txt", "sub/", "sub/c.txt"].contains(&path)
    }

    fn names(dir: &Path) -> Vec<String> {
        let mut names: Vec<String> = std::fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        names.sort();
        names
    }

    #[test]
    fn writes_a_new_folder_and_refuses_to_replace_it_without_overwrite() {
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("2025-26-Q1");
        write_folder_atomically(&target, &files(b"one"), false, known).unwrap();
        assert_eq!(names(&target), ["a.txt", "b.txt"]);
        let err = write_folder_atomically(&target, &files(b"two"), false, known).unwrap_err();
        assert!(matches!(err, OutputError::Exists { .. }), "{err}");
        assert_eq!(std::fs::read(target.join("a.txt")).unwrap(), b"one");
        assert_eq!(
            names(dir.path()),
            ["2025-26-Q1"],
            "no temporary folder is left"
        );
    }

    #[test]
    fn an_empty_folder_is_written_over_only_while_it_is_still_empty() {
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("site");
        std::fs::create_dir(&target).unwrap();
        write_folder_over_empty(&target, &files(b"one"), known).unwrap();
        assert_eq!(names(&target), ["a.txt", "b.txt"]);
        // Filled meanwhile (by another writer): refused, and what is there is left.
        let err = write_folder_over_empty(&target, &files(b"two"), known).unwrap_err();
        assert!(matches!(err, OutputError::Exists { .. }), "{err}");
        assert_eq!(std::fs::read(target.join("a.txt")).unwrap(), b"one");
        assert_eq!(names(dir.path()), ["site"], "no temporary folder is left");
        // Gone meanwhile: written as a new folder.
        std::fs::remove_dir_all(&target).unwrap();
        write_folder_over_empty(&target, &files(b"three"), known).unwrap();
        assert_eq!(std::fs::read(target.join("a.txt")).unwrap(), b"three");
    }

    #[test]
    fn a_replaced_folder_that_gained_a_file_while_the_run_wrote_is_kept_whole() {
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("run");
        write_folder_atomically(&target, &files(b"one"), false, known).unwrap();
        let staged = stage_folder(&target, &files(b"two"), known).unwrap();
        // Someone drops a note into the old folder after it was checked.
        std::fs::write(target.join("notes.txt"), b"mine").unwrap();
        let kept = commit_folders(vec![staged], true).unwrap();
        assert_eq!(kept, [dir.path().join("run.replaced-1")]);
        assert_eq!(std::fs::read(target.join("a.txt")).unwrap(), b"two");
        assert_eq!(std::fs::read(kept[0].join("notes.txt")).unwrap(), b"mine");
        assert_eq!(std::fs::read(kept[0].join("a.txt")).unwrap(), b"one");
    }

    #[test]
    fn overwrite_swaps_the_folder_in_whole() {
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("run");
        write_folder_atomically(&target, &files(b"one"), false, known).unwrap();
        write_folder_atomically(&target, &files(b"two"), true, known).unwrap();
        assert_eq!(std::fs::read(target.join("a.txt")).unwrap(), b"two");
        assert_eq!(names(&target), ["a.txt", "b.txt"]);
        assert_eq!(names(dir.path()), ["run"], "the old folder is gone whole");
        // One holding a file left by hand is swapped out, and kept whole beside.
        std::fs::write(target.join("stale.txt"), b"left by hand").unwrap();
        write_folder_atomically(&target, &files(b"three"), true, known).unwrap();
        assert_eq!(names(&target), ["a.txt", "b.txt"]);
        assert_eq!(names(dir.path()), ["run", "run.replaced-1"]);
        assert_eq!(
            std::fs::read(dir.path().join("run.replaced-1/stale.txt")).unwrap(),
            b"left by hand"
        );
    }

    #[test]
    fn an_interrupted_two_step_swap_is_completed_or_undone() {
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("run");
        // Killed after moving the old folder aside, before the new one arrived: undone.
        std::fs::create_dir(dir.path().join(".npg-old-run")).unwrap();
        std::fs::write(dir.path().join(".npg-old-run/a.txt"), b"old").unwrap();
        let err = write_folder_atomically(&target, &files(b"new"), false, known).unwrap_err();
        assert!(matches!(err, OutputError::Exists { .. }), "{err}");
        assert_eq!(std::fs::read(target.join("a.txt")).unwrap(), b"old");
        // Killed after the new folder arrived, before the old one was removed: completed.
        std::fs::create_dir(dir.path().join(".npg-old-run")).unwrap();
        write_folder_atomically(&target, &files(b"newer"), true, known).unwrap();
        assert_eq!(names(dir.path()), ["run"]);
        assert_eq!(std::fs::read(target.join("a.txt")).unwrap(), b"newer");
    }

    #[test]
    fn a_folder_left_by_a_killed_run_is_removed() {
        let dir = tempfile::tempdir().unwrap();
        // No process has id 4294967295, so this folder's writer is certainly gone.
        let abandoned = dir.path().join(".npg-partial-4294967295-abc");
        std::fs::create_dir(&abandoned).unwrap();
        write_folder_atomically(&dir.path().join("run"), &files(b"x"), false, known).unwrap();
        if Path::new("/proc").is_dir() {
            assert!(!abandoned.exists());
        }
    }

    #[test]
    fn a_set_of_folders_lands_together_or_not_at_all() {
        let dir = tempfile::tempdir().unwrap();
        let (q1, q2) = (dir.path().join("Q1"), dir.path().join("Q2"));
        write_folder_atomically(&q1, &files(b"old Q1"), false, known).unwrap();
        // Q2's place is taken by a file, so the set cannot land: Q1 keeps its old folder.
        std::fs::write(&q2, b"in the way").unwrap();
        let staged = vec![
            stage_folder(&q1, &files(b"new Q1"), known).unwrap(),
            stage_folder(&q2, &files(b"new Q2"), known).unwrap(),
        ];
        let err = commit_folders(staged, true).unwrap_err();
        assert!(matches!(err, OutputError::NotAFolder { .. }), "{err}");
        assert_eq!(std::fs::read(q1.join("a.txt")).unwrap(), b"old Q1");
        assert_eq!(names(dir.path()), ["Q1", "Q2"], "no staging folder is left");
        // Cleared, both land.
        std::fs::remove_file(&q2).unwrap();
        let staged = vec![
            stage_folder(&q1, &files(b"new Q1"), known).unwrap(),
            stage_folder(&q2, &files(b"new Q2"), known).unwrap(),
        ];
        commit_folders(staged, true).unwrap();
        assert_eq!(std::fs::read(q1.join("a.txt")).unwrap(), b"new Q1");
        assert_eq!(std::fs::read(q2.join("a.txt")).unwrap(), b"new Q2");
        assert_eq!(names(dir.path()), ["Q1", "Q2"]);
    }

    #[test]
    fn a_placed_folder_is_taken_back_when_a_later_one_fails() {
        let dir = tempfile::tempdir().unwrap();
        let (q1, q2) = (dir.path().join("Q1"), dir.path().join("Q2"));
        write_folder_atomically(&q1, &files(b"old Q1"), false, known).unwrap();
        let staged = vec![
            stage_folder(&q1, &files(b"new Q1"), known).unwrap(),
            stage_folder(&q2, &files(b"new Q2"), known).unwrap(),
        ];
        // Q2 appears between the checks and its rename (another process, say).
        std::fs::create_dir(&q2).unwrap();
        std::fs::write(q2.join("theirs.txt"), b"x").unwrap();
        let placed = {
            let mut placed = Vec::new();
            let s = &staged[0];
            swap_into_place(s.staging.path(), &s.target, &s.parent, &s.name).unwrap();
            placed.push((s, Placed::Swapped));
            placed
        };
        take_back(&placed);
        assert_eq!(std::fs::read(q1.join("a.txt")).unwrap(), b"old Q1");
        drop(staged);
        assert_eq!(names(&q2), ["theirs.txt"]);
        assert_eq!(names(dir.path()), ["Q1", "Q2"]);
    }

    /// A folder at `path` holding `a.txt` with `text`.
    fn folder(path: &Path, text: &[u8]) {
        std::fs::create_dir(path).unwrap();
        std::fs::write(path.join("a.txt"), text).unwrap();
    }

    #[test]
    fn the_two_step_swap_leaves_the_old_folder_at_staging() {
        let dir = tempfile::tempdir().unwrap();
        let (target, staging) = (dir.path().join("run"), dir.path().join("staging"));
        folder(&target, b"old");
        folder(&staging, b"new");
        swap_in_two_steps(&staging, &target, dir.path(), "run").unwrap();
        assert_eq!(std::fs::read(target.join("a.txt")).unwrap(), b"new");
        assert_eq!(std::fs::read(staging.join("a.txt")).unwrap(), b"old");
        assert_eq!(
            names(dir.path()),
            ["run", "staging"],
            "nothing is left aside"
        );
    }

    #[test]
    fn the_two_step_swap_puts_the_old_folder_back_when_the_new_cannot_move_in() {
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("run");
        folder(&target, b"old");
        // The staged folder has gone, so the second step fails after the first moved the
        // old folder aside.
        let gone = dir.path().join("staging");
        let err = swap_in_two_steps(&gone, &target, dir.path(), "run").unwrap_err();
        assert!(matches!(err, OutputError::Io { .. }), "{err}");
        assert_eq!(std::fs::read(target.join("a.txt")).unwrap(), b"old");
        assert_eq!(
            names(dir.path()),
            ["run"],
            "the old folder is back, not aside"
        );
    }

    #[test]
    fn place_folder_renames_into_a_missing_target_and_swaps_an_existing_one() {
        let dir = tempfile::tempdir().unwrap();
        let (target, staging) = (dir.path().join("run"), dir.path().join("staging"));
        folder(&staging, b"one");
        place_folder(&staging, &target).unwrap();
        assert_eq!(std::fs::read(target.join("a.txt")).unwrap(), b"one");
        assert_eq!(names(dir.path()), ["run"]);
        folder(&staging, b"two");
        place_folder(&staging, &target).unwrap();
        assert_eq!(std::fs::read(target.join("a.txt")).unwrap(), b"two");
        assert_eq!(std::fs::read(staging.join("a.txt")).unwrap(), b"one");
        // A swap that fails leaves the target as it was.
        std::fs::remove_dir_all(&staging).unwrap();
        assert!(place_folder(&staging, &target).is_err());
        assert_eq!(std::fs::read(target.join("a.txt")).unwrap(), b"two");
        assert_eq!(names(dir.path()), ["run"]);
    }

    #[test]
    fn a_target_that_is_a_file_is_refused_and_nothing_is_left() {
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("run");
        std::fs::write(&target, b"a file").unwrap();
        let err = write_folder_atomically(&target, &files(b"x"), true, known).unwrap_err();
        assert!(matches!(err, OutputError::NotAFolder { .. }), "{err}");
        assert_eq!(std::fs::read(&target).unwrap(), b"a file");
        assert_eq!(names(dir.path()), ["run"]);
    }

    fn with_sub(text: &[u8]) -> Vec<FolderFile<'_>> {
        let mut all = files(text);
        all.push(FolderFile {
            name: "sub/c.txt",
            bytes: b"c",
        });
        all
    }

    #[test]
    fn files_in_a_subfolder_are_written_and_the_folder_is_replaced_whole() {
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("run");
        write_folder_atomically(&target, &with_sub(b"one"), false, known).unwrap();
        assert_eq!(names(&target), ["a.txt", "b.txt", "sub"]);
        assert_eq!(std::fs::read(target.join("sub/c.txt")).unwrap(), b"c");
        write_folder_atomically(&target, &with_sub(b"two"), true, known).unwrap();
        assert_eq!(std::fs::read(target.join("a.txt")).unwrap(), b"two");
        assert_eq!(names(dir.path()), ["run"], "the old folder is gone whole");
    }

    #[test]
    fn a_file_the_kind_does_not_hold_is_never_staged() {
        let dir = tempfile::tempdir().unwrap();
        for name in ["notes.txt", "other/c.txt", "sub/d.txt"] {
            let odd = [FolderFile { name, bytes: b"x" }];
            let err = stage_folder(&dir.path().join("run"), &odd, known)
                .err()
                .unwrap();
            assert!(matches!(err, OutputError::Io { .. }), "{name}: {err}");
        }
        assert!(names(dir.path()).is_empty(), "nothing was made");
    }

    #[test]
    fn holds_only_accepts_a_known_subfolder_of_known_files_and_nothing_else() {
        let dir = tempfile::tempdir().unwrap();
        let run = dir.path().join("run");
        std::fs::create_dir_all(run.join("sub")).unwrap();
        std::fs::write(run.join("a.txt"), b"a").unwrap();
        std::fs::write(run.join("sub/c.txt"), b"c").unwrap();
        assert!(holds_only(&run, known));
        // An empty known subfolder (a run killed before writing into it) is npg's too.
        std::fs::remove_file(run.join("sub/c.txt")).unwrap();
        assert!(holds_only(&run, known));
        std::fs::write(run.join("sub/c.txt"), b"c").unwrap();
        // A stray file in the subfolder, a folder nested in it, a link in it or as it.
        let refused = |what: &str, make: &dyn Fn(), undo: &dyn Fn()| {
            make();
            assert!(!holds_only(&run, known), "{what}");
            undo();
            assert!(holds_only(&run, known), "{what}: undone");
        };
        refused(
            "a stray file",
            &|| std::fs::write(run.join("sub/notes.txt"), b"mine").unwrap(),
            &|| std::fs::remove_file(run.join("sub/notes.txt")).unwrap(),
        );
        refused(
            "a nested folder",
            &|| std::fs::create_dir(run.join("sub/deeper")).unwrap(),
            &|| std::fs::remove_dir(run.join("sub/deeper")).unwrap(),
        );
        refused(
            "a known name that is a folder",
            &|| std::fs::create_dir(run.join("b.txt")).unwrap(),
            &|| std::fs::remove_dir(run.join("b.txt")).unwrap(),
        );
        let elsewhere = dir.path().join("elsewhere");
        std::fs::create_dir(&elsewhere).unwrap();
        std::fs::write(elsewhere.join("keep.txt"), b"mine").unwrap();
        refused(
            "a link in the subfolder",
            &|| {
                std::os::unix::fs::symlink(elsewhere.join("keep.txt"), run.join("sub/b.txt"))
                    .unwrap()
            },
            &|| std::fs::remove_file(run.join("sub/b.txt")).unwrap(),
        );
        let moved = dir.path().join("moved-sub");
        refused(
            "a link as the subfolder",
            &|| {
                std::fs::rename(run.join("sub"), &moved).unwrap();
                std::os::unix::fs::symlink(&moved, run.join("sub")).unwrap();
            },
            &|| {
                std::fs::remove_file(run.join("sub")).unwrap();
                std::fs::rename(&moved, run.join("sub")).unwrap();
            },
        );
    }

    #[test]
    fn an_abandoned_partial_with_a_stray_file_in_its_subfolder_is_kept() {
        let dir = tempfile::tempdir().unwrap();
        let abandoned = dir.path().join(".npg-partial-4294967295-abc");
        std::fs::create_dir_all(abandoned.join("sub")).unwrap();
        std::fs::write(abandoned.join("sub/c.txt"), b"c").unwrap();
        std::fs::write(abandoned.join("sub/notes.txt"), b"mine").unwrap();
        write_folder_atomically(&dir.path().join("run"), &with_sub(b"x"), false, known).unwrap();
        assert_eq!(
            std::fs::read(abandoned.join("sub/notes.txt")).unwrap(),
            b"mine"
        );
        std::fs::remove_file(abandoned.join("sub/notes.txt")).unwrap();
        write_folder_atomically(&dir.path().join("run2"), &with_sub(b"x"), false, known).unwrap();
        if Path::new("/proc").is_dir() {
            assert!(
                !abandoned.exists(),
                "holding only what a run stages: removed"
            );
        }
    }

    #[test]
    fn a_missing_parent_is_an_error_naming_it() {
        let dir = tempfile::tempdir().unwrap();
        let err = write_folder_atomically(&dir.path().join("no/run"), &files(b"x"), false, known)
            .unwrap_err();
        assert!(matches!(err, OutputError::NoFolder { .. }), "{err}");
    }
}
