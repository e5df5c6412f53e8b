//! Writing output files whole or not at all: a temporary file in the target folder, renamed
//! into place only when complete; and replacing only a file npg wrote, never anything else.

use std::io::{Read, Write};
use std::path::{Path, PathBuf};

use thiserror::Error;

use crate::read::file::{FileKind, kind_of, read_limited};

/// Why an output could not be written. Nothing is left behind in any of these cases.
#[derive(Debug, Error)]
pub enum OutputError {
    #[error("{path} already exists; give --overwrite to replace it")]
    Exists { path: PathBuf },
    #[error("{path} is there but is not a folder; move it out of the way and run again")]
    NotAFolder { path: PathBuf },
    #[error("cannot write {path}: {folder} {}", if folder.exists() { "is a file, not a folder" } else { "does not exist: make the folder first" })]
    NoFolder { path: PathBuf, folder: PathBuf },
    #[error("cannot write {path}: {cause}")]
    Io {
        path: PathBuf,
        /// In the message, so not also given as its source (printed once).
        cause: std::io::Error,
    },
    #[error(
        "{path} is {what}, so it is not replaced; give another name with -o (--overwrite replaces only {kind} npg wrote, unsaved since)"
    )]
    NotReplaceable {
        path: PathBuf,
        what: String,
        kind: &'static str,
    },
}

/// The kind of workbook a command writes to a file of its own: `--overwrite` replaces only a
/// file npg wrote of that kind that no program has saved since (it may hold someone's work).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum OwnFile {
    /// `npg template`: a blank return.
    Template,
    /// `npg allocate`: the allocations workbook.
    Allocations,
    /// `npg reconcile`: the reconciliation workbook.
    Reconciliation,
    /// `npg whatif`: the scenarios workbook.
    WhatIf,
    /// `npg whatif`: the scenarios CSV, replaced only when it is the very file the workbook
    /// beside it (same name, `.xlsx`) records by its SHA-256.
    WhatIfCsv,
}

impl OwnFile {
    fn name(self) -> &'static str {
        match self {
            OwnFile::Template => "a blank template",
            OwnFile::Allocations => "an allocations workbook",
            OwnFile::Reconciliation => "a reconciliation workbook",
            OwnFile::WhatIf => "a what-if workbook",
            OwnFile::WhatIfCsv => "a what-if CSV",
        }
    }

    /// The document title npg gives this kind (see `write::formats::fixed_properties`).
    fn has_title(self, title: &str) -> bool {
        match self {
            OwnFile::Template => {
                title.starts_with("Neighbourhood Policing Grant ")
                    && [
                        ": delivery plan",
                        ": monitoring",
                        ": financial",
                        " delivery plan: ",
                        " monitoring: ",
                        " financial: ",
                    ]
                    .iter()
                    .any(|kind| title.contains(kind))
            }
            OwnFile::Allocations => {
                title.starts_with("Neighbourhood Policing Grant ")
                    && title.ends_with(": allocations")
            }
            OwnFile::Reconciliation => title.contains(": reconciliation to "),
            OwnFile::WhatIf => title.contains(": what-if "),
            OwnFile::WhatIfCsv => false,
        }
    }
}

/// The largest file looked into to tell whether npg wrote it.
const MAX_OWN_FILE_BYTES: u64 = 256 * 1024 * 1024;

/// Refuses to replace `path` unless it is not there, or is a regular file npg wrote as
/// `kind` that no program has saved since: npg's workbooks carry their title, an empty
/// author and last editor, and a modified time equal to their created time; Excel and
/// LibreOffice fill in the editor and the time when they save.
pub fn check_replaceable(path: &Path, kind: OwnFile) -> Result<(), OutputError> {
    let refuse = |what: &str| OutputError::NotReplaceable {
        path: path.to_owned(),
        what: what.to_owned(),
        kind: kind.name(),
    };
    let link = std::fs::symlink_metadata(path);
    match link {
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(()),
        Err(source) => {
            return Err(OutputError::Io {
                path: path.to_owned(),
                cause: source,
            });
        }
        Ok(meta) if meta.file_type().is_symlink() => {
            return Err(refuse(
                "a symbolic link (npg never replaces what a link leads to)",
            ));
        }
        Ok(_) => {}
    }
    match kind_of(path).map_err(|source| OutputError::Io {
        path: path.to_owned(),
        cause: source,
    })? {
        FileKind::Regular(_) => {}
        FileKind::Missing => return Ok(()),
        FileKind::Folder => return Err(refuse("a folder")),
        FileKind::Other(what) => return Err(refuse(what)),
    }
    let bytes = read_limited(path, MAX_OWN_FILE_BYTES)
        .map_err(|e| refuse(&format!("a file npg cannot look into ({e})")))?;
    if kind == OwnFile::WhatIfCsv {
        return check_whatif_csv(path, &bytes).map_err(|what| refuse(&what));
    }
    match own_properties(&bytes) {
        Some(core) if !kind.has_title(&core.title) => Err(refuse(&format!(
            "a workbook npg wrote, but not {} (its title is {})",
            kind.name(),
            crate::text::cut(&core.title)
        ))),
        Some(core) if core.saved_since() => Err(refuse(
            "a workbook npg wrote, since saved by another program (it may hold someone's work)",
        )),
        Some(_) => Ok(()),
        None => Err(refuse("a file npg did not write")),
    }
}

/// A what-if CSV may be replaced when the what-if workbook beside it is npg's, unsaved since,
/// and records this CSV's SHA-256 (`csv sha256 …` in its keywords): then npg wrote both.
fn check_whatif_csv(path: &Path, bytes: &[u8]) -> Result<(), String> {
    let workbook = path.with_extension("xlsx");
    let not_ours = || {
        format!(
            "a file npg did not write, or changed since: it is not the CSV that {} records",
            workbook.display()
        )
    };
    check_replaceable(&workbook, OwnFile::WhatIf).map_err(|_| not_ours())?;
    let book = read_limited(&workbook, MAX_OWN_FILE_BYTES).map_err(|_| not_ours())?;
    let recorded = own_properties(&book)
        .map(|core| core.keywords)
        .ok_or_else(not_ours)?;
    let sha = crate::cycle::load::sha256_hex(bytes);
    if recorded.trim() == format!("csv sha256 {sha}") {
        Ok(())
    } else {
        Err(not_ours())
    }
}

/// What `docProps/core.xml` and `docProps/app.xml` say of a workbook.
struct CoreProperties {
    title: String,
    creator: String,
    last_modified_by: String,
    created: String,
    modified: String,
    keywords: String,
}

impl CoreProperties {
    fn saved_since(&self) -> bool {
        !self.creator.is_empty()
            || !self.last_modified_by.is_empty()
            || self.created != self.modified
    }
}

/// The properties of a workbook npg wrote (its company is the Home Office); `None` for any
/// other file.
fn own_properties(bytes: &[u8]) -> Option<CoreProperties> {
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(bytes)).ok()?;
    let mut part = |name: &str| -> Option<String> {
        let entry = zip.by_name(name).ok()?;
        let mut text = String::new();
        entry.take(1024 * 1024).read_to_string(&mut text).ok()?;
        Some(text)
    };
    let app = part("docProps/app.xml")?;
    let core = part("docProps/core.xml")?;
    if element(&app, "Company")? != "Home Office" {
        return None;
    }
    Some(CoreProperties {
        title: element(&core, "dc:title").unwrap_or_default(),
        creator: element(&core, "dc:creator").unwrap_or_default(),
        last_modified_by: element(&core, "cp:lastModifiedBy").unwrap_or_default(),
        created: element(&core, "dcterms:created").unwrap_or_default(),
        modified: element(&core, "dcterms:modified").unwrap_or_default(),
        keywords: element(&core, "cp:keywords").unwrap_or_default(),
    })
}

/// The text of the first `<name …>text</name>` in some XML, entities undone.
fn element(xml: &str, name: &str) -> Option<String> {
    let open = xml.find(&format!("<{name}"))?;
    let after = &xml[open + name.len() + 1..];
    if after.starts_with("/>") {
        return Some(String::new());
    }
    let start = after.find('>')? + 1;
    let end = after.find(&format!("</{name}>"))?;
    let text = after.get(start..end)?;
    Some(
        text.replace("&lt;", "<")
            .replace("&gt;", ">")
            .replace("&quot;", "\"")
            .replace("&apos;", "'")
            .replace("&amp;", "&"),
    )
}

/// Writes `bytes` to `path` atomically, as a file of `kind`. Without `overwrite` nothing
/// already there is ever replaced, even something that appears while this call runs; with
/// it, only a file npg wrote of that kind (see [`check_replaceable`]). The file is created
/// with the usual mode (0666 less the umask).
pub fn write_file_atomically(
    path: &Path,
    bytes: &[u8],
    overwrite: bool,
    kind: OwnFile,
) -> Result<(), OutputError> {
    let io = |source| OutputError::Io {
        path: path.to_owned(),
        cause: source,
    };
    let there = std::fs::symlink_metadata(path).is_ok();
    if !overwrite && there {
        return Err(OutputError::Exists {
            path: path.to_owned(),
        });
    }
    if overwrite {
        check_replaceable(path, kind)?;
    }
    let folder = existing_parent(path)?;
    let mut temporary = usual_mode(tempfile::Builder::new().prefix(".npg-partial-"), false)
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

/// Asks `builder` for the mode any program's new file or folder has: 0666 for a file and
/// 0777 for a folder, less the umask (tempfile's own default is for the owner alone).
pub fn usual_mode<'a, 'b>(
    builder: &'b mut tempfile::Builder<'a, 'a>,
    folder: bool,
) -> &'b mut tempfile::Builder<'a, 'a> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        builder.permissions(std::fs::Permissions::from_mode(if folder {
            0o777
        } else {
            0o666
        }))
    }
    #[cfg(not(unix))]
    {
        let _ = folder;
        builder
    }
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

    /// A workbook as npg writes one of `title`.
    fn own_workbook(title: &str, cell: &str) -> Vec<u8> {
        let mut book = rust_xlsxwriter::Workbook::new();
        let date = chrono::NaiveDate::from_ymd_opt(2025, 4, 1).unwrap();
        book.set_properties(&crate::write::formats::fixed_properties(date, title).unwrap());
        book.add_worksheet().write_string(0, 0, cell).unwrap();
        book.save_to_buffer().unwrap()
    }

    const ALLOCATIONS: &str = "Neighbourhood Policing Grant 2025-26: allocations";

    #[test]
    fn refuses_to_replace_without_overwrite_and_leaves_no_temporary_file() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("out.xlsx");
        let first = own_workbook(ALLOCATIONS, "first");
        write_file_atomically(&path, &first, false, OwnFile::Allocations).unwrap();
        let second = own_workbook(ALLOCATIONS, "second");
        let err = write_file_atomically(&path, &second, false, OwnFile::Allocations).unwrap_err();
        assert!(matches!(err, OutputError::Exists { .. }), "{err}");
        assert_eq!(std::fs::read(&path).unwrap(), first);
        write_file_atomically(&path, &second, true, OwnFile::Allocations).unwrap();
        assert_eq!(std::fs::read(&path).unwrap(), second);
        let names: Vec<_> = std::fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        assert_eq!(names, ["out.xlsx"]);
    }

    #[test]
    fn overwrite_replaces_only_a_file_npg_wrote_of_that_kind_and_unsaved_since() {
        let dir = tempfile::tempdir().unwrap();
        let new = own_workbook(ALLOCATIONS, "new");
        let refused = |name: &str, bytes: &[u8], says: &str| {
            let path = dir.path().join(name);
            std::fs::write(&path, bytes).unwrap();
            let err = write_file_atomically(&path, &new, true, OwnFile::Allocations).unwrap_err();
            assert!(err.to_string().contains(says), "{name}: {err}");
            assert_eq!(std::fs::read(&path).unwrap(), bytes, "{name} is untouched");
        };
        refused("notes.txt", b"a person's notes", "a file npg did not write");
        refused(
            "template.xlsx",
            &own_workbook(
                "Neighbourhood Policing Grant 2025-26 financial: Kent Police",
                "x",
            ),
            "not an allocations workbook",
        );
        // Saved again by Excel: it names who saved it and when.
        let saved = own_workbook(ALLOCATIONS, "filled in");
        let mut zip = zip::ZipArchive::new(std::io::Cursor::new(saved.as_slice())).unwrap();
        let mut out = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
        for i in 0..zip.len() {
            let mut part = zip.by_index(i).unwrap();
            let name = part.name().unwrap().into_owned();
            let mut text = Vec::new();
            part.read_to_end(&mut text).unwrap();
            if name == "docProps/core.xml" {
                text = String::from_utf8(text)
                    .unwrap()
                    .replace(
                        "<cp:lastModifiedBy></cp:lastModifiedBy>",
                        "<cp:lastModifiedBy>J Smith</cp:lastModifiedBy>",
                    )
                    .into_bytes();
            }
            out.start_file(name, zip::write::SimpleFileOptions::default())
                .unwrap();
            out.write_all(&text).unwrap();
        }
        let edited = out.finish().unwrap().into_inner();
        refused("edited.xlsx", &edited, "since saved by another program");
        // npg's own, unsaved since: replaced.
        let path = dir.path().join("ours.xlsx");
        std::fs::write(&path, own_workbook(ALLOCATIONS, "old")).unwrap();
        write_file_atomically(&path, &new, true, OwnFile::Allocations).unwrap();
        assert_eq!(std::fs::read(&path).unwrap(), new);
    }

    #[cfg(unix)]
    #[test]
    fn overwrite_never_replaces_a_link_a_pipe_or_a_folder() {
        let dir = tempfile::tempdir().unwrap();
        let new = own_workbook(ALLOCATIONS, "new");
        let target = dir.path().join("ours.xlsx");
        std::fs::write(&target, own_workbook(ALLOCATIONS, "old")).unwrap();
        let link = dir.path().join("link.xlsx");
        std::os::unix::fs::symlink(&target, &link).unwrap();
        let err = write_file_atomically(&link, &new, true, OwnFile::Allocations).unwrap_err();
        assert!(err.to_string().contains("a symbolic link"), "{err}");
        assert!(
            std::fs::symlink_metadata(&link)
                .unwrap()
                .file_type()
                .is_symlink()
        );
        let fifo = dir.path().join("pipe.xlsx");
        crate::read::file::make_fifo(&fifo);
        let err = write_file_atomically(&fifo, &new, true, OwnFile::Allocations).unwrap_err();
        assert!(err.to_string().contains("a named pipe (FIFO)"), "{err}");
        let folder = dir.path().join("folder.xlsx");
        std::fs::create_dir(&folder).unwrap();
        let err = write_file_atomically(&folder, &new, true, OwnFile::Allocations).unwrap_err();
        assert!(err.to_string().contains("a folder"), "{err}");
    }

    #[cfg(unix)]
    #[test]
    fn a_new_file_has_the_usual_mode() {
        use std::os::unix::fs::PermissionsExt;
        let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
        let Some(umask) = status
            .lines()
            .find_map(|l| l.strip_prefix("Umask:"))
            .and_then(|m| u32::from_str_radix(m.trim(), 8).ok())
        else {
            return; // no /proc to read the umask from
        };
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("out.xlsx");
        write_file_atomically(
            &path,
            &own_workbook(ALLOCATIONS, "x"),
            false,
            OwnFile::Allocations,
        )
        .unwrap();
        let mode = std::fs::metadata(&path).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o666 & !umask);
    }

    #[test]
    fn a_missing_folder_is_an_error_naming_it() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("nowhere").join("out.xlsx");
        let err = write_file_atomically(&path, b"x", false, OwnFile::Allocations).unwrap_err();
        assert!(err.to_string().contains("does not exist"), "{err}");
    }
}
