//! Reading a file's bytes so that no file can hang a run or exhaust its memory: only a
//! regular file (or a link to one) is ever opened, its size is checked before it is read,
//! and never more than a stated limit is read from it.
//!
//! A named pipe (FIFO) would block a reader for ever, a link to `/dev/zero` never ends, and
//! a 2.5 GB file would be read whole before anyone could say it is not a spreadsheet. So a
//! path is first looked at without being opened (`stat`, following links): anything but a
//! regular file is refused by what it is. It is then opened without blocking
//! (`O_NONBLOCK`, so that a pipe swapped in after the look still cannot block), looked at
//! again through the open file, refused when larger than the limit, and read through a
//! reader that stops one byte past the limit (a file that grows while it is read is
//! refused too).

use std::io::Read;
use std::path::Path;

use thiserror::Error;

/// The largest return (or allocations or weights workbook) read: 10 MB. A template is about
/// 10 KB, and a return saved by Excel with a logo or two stays well under 1 MB.
pub const MAX_WORKBOOK_FILE_BYTES: u64 = 10 * 1024 * 1024;

/// The largest `cycle.toml` or `forces.csv` read: 16 MB (the fixture year's are 3 KB; a force
/// list of 4,300 grantees is under 200 KB).
pub const MAX_TEXT_FILE_BYTES: u64 = 16 * 1024 * 1024;

/// The largest `manifest.json` of a run folder read: 32 MB (at 4,300 grantees and 39,001
/// inputs the manifest is about 8 MB).
pub const MAX_MANIFEST_BYTES: u64 = 32 * 1024 * 1024;

/// The largest `ledger.csv` of a run folder read: 16 MB (at 4,300 grantees it is about 1 MB).
pub const MAX_LEDGER_BYTES: u64 = 16 * 1024 * 1024;

/// The largest output workbook of a run folder read again, whatever its manifest says:
/// 128 MB (at 4,300 grantees the reconciliation is about 18 MB).
pub const MAX_OUTPUT_BYTES: u64 = 128 * 1024 * 1024;

/// What a path is, looked at without opening it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FileKind {
    /// A regular file (or a link to one) of this many bytes.
    Regular(u64),
    /// A folder (or a link to one).
    Folder,
    /// Something that is not a file to read, named for messages ("a named pipe (FIFO)").
    Other(&'static str),
    /// Nothing is there (or a link leads nowhere).
    Missing,
}

/// Why a file's bytes were not read.
#[derive(Debug, Error)]
pub enum FileReadError {
    #[error("it is not there")]
    Missing,
    #[error("it is {what}, not a regular file, so it was not opened")]
    NotRegular { what: &'static str },
    #[error("it is {}, more than the {} a file of this kind may be, so it was not read", size_text(*.size), size_text(*.limit))]
    TooLarge { size: u64, limit: u64 },
    #[error("{0}")]
    Io(std::io::Error),
}

impl FileReadError {
    /// True when the file is there but could not be read for a reason of the system
    /// (permissions, a device error), as opposed to what the file is.
    pub fn is_io(&self) -> bool {
        matches!(self, FileReadError::Io(_))
    }

    /// As an I/O error, for callers whose errors carry one.
    pub fn into_io(self) -> std::io::Error {
        match self {
            FileReadError::Io(e) => e,
            FileReadError::Missing => std::io::Error::from(std::io::ErrorKind::NotFound),
            other => std::io::Error::new(std::io::ErrorKind::InvalidData, other.to_string()),
        }
    }

    /// The fingerprint a file that was not read is recorded with: the SHA-256 of no bytes
    /// and the size it has (0 for anything but a regular file). A re-run of the same folder
    /// refuses it the same way, so the record is enough to tell whether it changed.
    pub fn recorded_size(&self) -> u64 {
        match self {
            FileReadError::TooLarge { size, .. } => *size,
            _ => 0,
        }
    }
}

/// `2.5 GB`, `10 MB`, `640 KB`, `12 bytes`.
pub fn size_text(bytes: u64) -> String {
    const KB: u64 = 1024;
    const MB: u64 = 1024 * KB;
    const GB: u64 = 1024 * MB;
    let tenths = |unit: u64| {
        let tenths = (bytes.saturating_mul(10) + unit / 2) / unit;
        if tenths.is_multiple_of(10) {
            format!("{}", tenths / 10)
        } else {
            format!("{}.{}", tenths / 10, tenths % 10)
        }
    };
    if bytes >= GB {
        format!("{} GB", tenths(GB))
    } else if bytes >= MB {
        format!("{} MB", tenths(MB))
    } else if bytes >= KB {
        format!("{} KB", tenths(KB))
    } else if bytes == 1 {
        "1 byte".to_owned()
    } else {
        format!("{bytes} bytes")
    }
}

/// What `path` is, following links, without opening it.
pub fn kind_of(path: &Path) -> std::io::Result<FileKind> {
    let meta = match std::fs::metadata(path) {
        Ok(meta) => meta,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(FileKind::Missing),
        Err(e) => return Err(e),
    };
    Ok(kind_of_meta(&meta))
}

fn kind_of_meta(meta: &std::fs::Metadata) -> FileKind {
    let file_type = meta.file_type();
    if file_type.is_file() {
        return FileKind::Regular(meta.len());
    }
    if file_type.is_dir() {
        return FileKind::Folder;
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt;
        if file_type.is_fifo() {
            return FileKind::Other("a named pipe (FIFO)");
        }
        if file_type.is_socket() {
            return FileKind::Other("a socket");
        }
        if file_type.is_char_device() {
            return FileKind::Other("a character device");
        }
        if file_type.is_block_device() {
            return FileKind::Other("a block device");
        }
    }
    FileKind::Other("not a regular file")
}

/// Reads the whole of a regular file of at most `limit` bytes.
pub fn read_limited(path: &Path, limit: u64) -> Result<Vec<u8>, FileReadError> {
    let (file, size) = open_limited(path, limit)?;
    let capacity = usize::try_from(size.min(limit)).unwrap_or(0);
    let mut bytes = Vec::with_capacity(capacity);
    file.take(limit.saturating_add(1))
        .read_to_end(&mut bytes)
        .map_err(FileReadError::Io)?;
    if bytes.len() as u64 > limit {
        return Err(FileReadError::TooLarge {
            size: bytes.len() as u64,
            limit,
        });
    }
    Ok(bytes)
}

/// The SHA-256 (lower-case hex) and size of a regular file of at most `limit` bytes, read in
/// pieces, so that checking a file costs no more memory than a piece of it.
pub fn hash_limited(path: &Path, limit: u64) -> Result<(String, u64), FileReadError> {
    use sha2::{Digest, Sha256};
    let (file, _) = open_limited(path, limit)?;
    let mut reader = file.take(limit.saturating_add(1));
    let mut hasher = Sha256::new();
    let mut piece = vec![0u8; 64 * 1024];
    let mut size = 0u64;
    loop {
        let read = reader.read(&mut piece).map_err(FileReadError::Io)?;
        if read == 0 {
            break;
        }
        size += read as u64;
        hasher.update(&piece[..read]);
    }
    if size > limit {
        return Err(FileReadError::TooLarge { size, limit });
    }
    let hex = hasher
        .finalize()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    Ok((hex, size))
}

/// Opens a regular file of at most `limit` bytes (by what `stat` says, before and after it
/// is opened); returns it with its size.
fn open_limited(path: &Path, limit: u64) -> Result<(std::fs::File, u64), FileReadError> {
    match kind_of(path).map_err(FileReadError::Io)? {
        FileKind::Regular(size) if size > limit => {
            return Err(FileReadError::TooLarge { size, limit });
        }
        FileKind::Regular(_) => {}
        FileKind::Missing => return Err(FileReadError::Missing),
        FileKind::Folder => return Err(FileReadError::NotRegular { what: "a folder" }),
        FileKind::Other(what) => return Err(FileReadError::NotRegular { what }),
    }
    let file = open_without_blocking(path).map_err(|e| match e.kind() {
        std::io::ErrorKind::NotFound => FileReadError::Missing,
        _ => FileReadError::Io(e),
    })?;
    // Looked at again through the open file: what was checked above may have been swapped.
    let meta = file.metadata().map_err(FileReadError::Io)?;
    match kind_of_meta(&meta) {
        FileKind::Regular(size) if size > limit => {
            return Err(FileReadError::TooLarge { size, limit });
        }
        FileKind::Regular(_) => {}
        FileKind::Folder => return Err(FileReadError::NotRegular { what: "a folder" }),
        FileKind::Other(what) => return Err(FileReadError::NotRegular { what }),
        FileKind::Missing => return Err(FileReadError::Missing),
    }
    Ok((file, meta.len()))
}

/// Reads a regular file of at most `limit` bytes as UTF-8 text, as an I/O error when it
/// cannot be (one of kind `InvalidData` when it is not UTF-8).
pub fn read_limited_text(path: &Path, limit: u64) -> std::io::Result<String> {
    let bytes = read_limited(path, limit).map_err(FileReadError::into_io)?;
    String::from_utf8(bytes).map_err(|_| {
        std::io::Error::new(
            std::io::ErrorKind::InvalidData,
            "it is not UTF-8 text; save it as UTF-8",
        )
    })
}

#[cfg(unix)]
fn open_without_blocking(path: &Path) -> std::io::Result<std::fs::File> {
    use std::os::unix::fs::OpenOptionsExt;
    let flags = rustix::fs::OFlags::NONBLOCK | rustix::fs::OFlags::NOCTTY;
    std::fs::OpenOptions::new()
        .read(true)
        .custom_flags(flags.bits() as i32)
        .open(path)
}

#[cfg(not(unix))]
fn open_without_blocking(path: &Path) -> std::io::Result<std::fs::File> {
    std::fs::File::open(path)
}

/// Makes a named pipe, for tests of what npg does with one.
#[cfg(test)]
pub(crate) fn make_fifo(path: &Path) {
    rustix::fs::mknodat(
        rustix::fs::CWD,
        path,
        rustix::fs::FileType::Fifo,
        rustix::fs::Mode::from_raw_mode(0o600),
        0,
    )
    .unwrap();
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_are_shown_as_a_person_reads_them() {
        assert_eq!(size_text(12), "12 bytes");
        assert_eq!(size_text(1), "1 byte");
        assert_eq!(size_text(640 * 1024), "640 KB");
        assert_eq!(size_text(10 * 1024 * 1024), "10 MB");
        assert_eq!(size_text(2_684_354_560), "2.5 GB");
    }

    #[test]
    fn a_file_within_its_limit_is_read_whole_and_one_beyond_is_refused_by_its_size() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("a.xlsx");
        std::fs::write(&path, b"0123456789").unwrap();
        assert_eq!(read_limited(&path, 10).unwrap(), b"0123456789");
        let err = read_limited(&path, 9).unwrap_err();
        assert!(
            matches!(err, FileReadError::TooLarge { size: 10, limit: 9 }),
            "{err}"
        );
        assert!(matches!(
            read_limited(&dir.path().join("none"), 9),
            Err(FileReadError::Missing)
        ));
    }

    #[cfg(unix)]
    #[test]
    fn a_fifo_a_socket_and_a_folder_are_named_and_never_opened() {
        let dir = tempfile::tempdir().unwrap();
        let fifo = dir.path().join("pipe.xlsx");
        make_fifo(&fifo);
        let started = std::time::Instant::now();
        let err = read_limited(&fifo, 100).unwrap_err();
        assert!(err.to_string().contains("a named pipe (FIFO)"), "{err}");
        assert!(started.elapsed() < std::time::Duration::from_secs(2));
        let socket = dir.path().join("s.xlsx");
        let _listener = std::os::unix::net::UnixListener::bind(&socket).unwrap();
        let err = read_limited(&socket, 100).unwrap_err();
        assert!(err.to_string().contains("a socket"), "{err}");
        let err = read_limited(dir.path(), 100).unwrap_err();
        assert!(err.to_string().contains("a folder"), "{err}");
        // A link is followed to what it leads to.
        let link = dir.path().join("link.xlsx");
        std::os::unix::fs::symlink(&fifo, &link).unwrap();
        assert!(matches!(
            read_limited(&link, 100),
            Err(FileReadError::NotRegular { .. })
        ));
    }
}
