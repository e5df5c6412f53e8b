//! Helpers of the reliability tests: a child's own peak memory and time, hand-made .ods and
//! zip files, pipes and links in a temporary folder.

use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use npg::read::grid::{CellValue, WorkbookData};

use crate::common::{fixture_copy, npg_path};

/// The address space a child may use, in MiB: an `RLIMIT_AS` set in the child alone, so
/// that the bound is its own (`getrusage` of children mixes in other tests' children, and
/// `wait4`'s peak counts the test process the child was spawned from). Beyond it the child's
/// allocation fails and it aborts: the test then sees no exit code.
pub const MEMORY_LIMIT_MIB: u64 = 256;

/// How a child process ended, waited for by `wait4` on its own pid.
#[derive(Debug)]
pub struct Measured {
    /// The exit code; `None` when it was killed (by the time limit, or a signal such as the
    /// abort of an allocation beyond [`MEMORY_LIMIT_MIB`]).
    pub code: Option<i32>,
    pub timed_out: bool,
    pub elapsed: Duration,
    pub stdout: String,
    pub stderr: String,
}

impl Measured {
    pub fn output(&self) -> String {
        format!("{}\n{}", self.stdout, self.stderr)
    }

    /// It ran to its end, within its time and memory, with this exit code.
    pub fn assert_ended_with(&self, code: i32, what: &str) {
        assert!(
            !self.timed_out,
            "{what}: still running after {:?}",
            self.elapsed
        );
        assert_eq!(
            self.code,
            Some(code),
            "{what}: killed (over {MEMORY_LIMIT_MIB} MiB?) or the wrong exit code: {}",
            self.output()
        );
    }
}

/// Runs `npg` with `args`, killing it after `limit`, and measures it.
pub fn run_npg(args: &[&std::ffi::OsStr], limit: Duration) -> Measured {
    let mut command = Command::new(npg_path());
    command.args(args);
    run_measured(&mut command, limit)
}

/// Runs `command` to its end or for at most `limit`, within [`MEMORY_LIMIT_MIB`] of address
/// space, its output kept in files (a pipe could fill and stall it).
pub fn run_measured(command: &mut Command, limit: Duration) -> Measured {
    use std::os::unix::process::CommandExt;
    let out = tempfile::NamedTempFile::new().unwrap();
    let err = tempfile::NamedTempFile::new().unwrap();
    let bytes = (MEMORY_LIMIT_MIB * 1024 * 1024) as libc::rlim_t;
    // SAFETY: setrlimit is async-signal-safe and touches only the child.
    unsafe {
        command.pre_exec(move || {
            let bound = libc::rlimit {
                rlim_cur: bytes,
                rlim_max: bytes,
            };
            if libc::setrlimit(libc::RLIMIT_AS, &bound) == 0 {
                Ok(())
            } else {
                Err(std::io::Error::last_os_error())
            }
        });
    }
    let child = command
        .stdin(Stdio::null())
        .stdout(out.reopen().unwrap())
        .stderr(err.reopen().unwrap())
        .spawn()
        .unwrap();
    let pid = child.id() as libc::pid_t;
    let started = Instant::now();
    let mut status = 0;
    // SAFETY: rusage is plain data, filled in by the kernel.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    let mut timed_out = false;
    loop {
        // SAFETY: waits on our own child; status and usage are valid for writing.
        let done = unsafe { libc::wait4(pid, &mut status, libc::WNOHANG, &mut usage) };
        if done == pid {
            break;
        }
        assert!(
            done == 0,
            "wait4 failed: {}",
            std::io::Error::last_os_error()
        );
        if started.elapsed() > limit {
            timed_out = true;
            // SAFETY: signals our own child, then reaps it.
            unsafe {
                libc::kill(pid, libc::SIGKILL);
                libc::wait4(pid, &mut status, 0, &mut usage);
            }
            break;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    let elapsed = started.elapsed();
    std::mem::forget(child); // reaped above
    let read = |file: &tempfile::NamedTempFile| {
        let mut text = String::new();
        std::fs::File::open(file.path())
            .unwrap()
            .read_to_string(&mut text)
            .unwrap();
        text
    };
    Measured {
        code: libc::WIFEXITED(status).then(|| libc::WEXITSTATUS(status)),
        timed_out,
        elapsed,
        stdout: read(&out),
        stderr: read(&err),
    }
}

/// Makes a named pipe (FIFO) at `path`.
pub fn mkfifo(path: &Path) {
    rustix::fs::mknodat(
        rustix::fs::CWD,
        path,
        rustix::fs::FileType::Fifo,
        rustix::fs::Mode::from_raw_mode(0o644),
        0,
    )
    .unwrap();
}

/// A sparse file of `bytes` bytes (it takes no room on disk).
pub fn sparse_file(path: &Path, bytes: u64) {
    std::fs::File::create(path).unwrap().set_len(bytes).unwrap();
}

/// A copy of the fixture year, and an output folder beside it.
pub struct Workspace {
    pub cycle: tempfile::TempDir,
    pub out: tempfile::TempDir,
}

impl Workspace {
    pub fn new() -> Workspace {
        Workspace {
            cycle: fixture_copy(),
            out: tempfile::tempdir().unwrap(),
        }
    }

    pub fn cycle(&self) -> &Path {
        self.cycle.path()
    }

    pub fn runs(&self) -> PathBuf {
        self.out.path().join("runs")
    }

    pub fn returns(&self, kind: &str) -> PathBuf {
        self.cycle.path().join("returns").join(kind)
    }
}

/// Escapes text for XML.
fn xml(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// One cell of `content.xml`, as LibreOffice writes it.
pub fn ods_cell(value: &CellValue) -> String {
    match value {
        CellValue::Empty => "<table:table-cell/>".to_owned(),
        CellValue::Text(text) | CellValue::Error(text) => format!(
            "<table:table-cell office:value-type=\"string\" calcext:value-type=\"string\"><text:p>{}</text:p></table:table-cell>",
            xml(text)
        ),
        CellValue::Number(n) => format!(
            "<table:table-cell office:value-type=\"float\" office:value=\"{n}\" calcext:value-type=\"float\"><text:p>{n}</text:p></table:table-cell>"
        ),
        CellValue::Bool(b) => format!(
            "<table:table-cell office:value-type=\"boolean\" office:boolean-value=\"{b}\" calcext:value-type=\"boolean\"><text:p>{}</text:p></table:table-cell>",
            if *b { "TRUE" } else { "FALSE" }
        ),
        CellValue::Date(d) => format!(
            "<table:table-cell office:value-type=\"date\" office:date-value=\"{}\" calcext:value-type=\"date\"><text:p>{}</text:p></table:table-cell>",
            d.date(),
            d.date()
        ),
    }
}

/// `content.xml` of an .ods holding `data`'s sheets, one table each.
pub fn ods_content(data: &WorkbookData) -> String {
    let mut body = String::new();
    for sheet in &data.sheets {
        let (mut rows, mut cols) = (0, 0);
        for ((row, col), _) in sheet.cells() {
            rows = rows.max(row + 1);
            cols = cols.max(col + 1);
        }
        body.push_str(&format!(
            "<table:table table:name=\"{}\">",
            xml(&sheet.name)
        ));
        for row in 0..rows {
            body.push_str("<table:table-row>");
            for col in 0..cols {
                body.push_str(&ods_cell(sheet.get(row, col)));
            }
            body.push_str("</table:table-row>");
        }
        body.push_str("</table:table>");
    }
    ods_document(&body)
}

/// A whole `content.xml` around the tables of `body`.
pub fn ods_document(body: &str) -> String {
    format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\
         <office:document-content xmlns:office=\"urn:oasis:names:tc:opendocument:xmlns:office:1.0\" \
         xmlns:table=\"urn:oasis:names:tc:opendocument:xmlns:table:1.0\" \
         xmlns:text=\"urn:oasis:names:tc:opendocument:xmlns:text:1.0\" \
         xmlns:calcext=\"urn:org:documentfoundation:names:experimental:calc:xmlns:calcext:1.0\" \
         office:version=\"1.3\"><office:body><office:spreadsheet>{body}</office:spreadsheet></office:body></office:document-content>"
    )
}

/// An .ods package around a `content.xml`.
pub fn ods_package(content: &str) -> Vec<u8> {
    zip_of(&[
        ("mimetype", b"application/vnd.oasis.opendocument.spreadsheet".to_vec()),
        (
            "META-INF/manifest.xml",
            b"<?xml version=\"1.0\" encoding=\"UTF-8\"?><manifest:manifest xmlns:manifest=\"urn:oasis:names:tc:opendocument:xmlns:manifest:1.0\" manifest:version=\"1.3\"><manifest:file-entry manifest:full-path=\"/\" manifest:media-type=\"application/vnd.oasis.opendocument.spreadsheet\"/><manifest:file-entry manifest:full-path=\"content.xml\" manifest:media-type=\"text/xml\"/></manifest:manifest>".to_vec(),
        ),
        ("content.xml", content.as_bytes().to_vec()),
    ])
}

/// A zip of `parts` in order, deflated, through the zip crate.
pub fn zip_of(parts: &[(&str, Vec<u8>)]) -> Vec<u8> {
    let mut out = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    for (name, bytes) in parts {
        let options = zip::write::SimpleFileOptions::default();
        out.start_file(*name, options).unwrap();
        out.write_all(bytes).unwrap();
    }
    out.finish().unwrap().into_inner()
}

/// A zip of `parts` stored as they are, written by hand so that two parts may share a name
/// (which the zip crate refuses to write).
pub fn raw_zip(parts: &[(&str, Vec<u8>)]) -> Vec<u8> {
    let with_extra: Vec<(&str, Vec<u8>, Vec<u8>)> = parts
        .iter()
        .map(|(name, data)| (*name, data.clone(), Vec::new()))
        .collect();
    raw_zip_with_extra(&with_extra)
}

/// As [`raw_zip`], each part with an extra field of its own in the central directory.
pub fn raw_zip_with_extra(parts: &[(&str, Vec<u8>, Vec<u8>)]) -> Vec<u8> {
    let mut out = Vec::new();
    let mut directory = Vec::new();
    for (name, data, extra) in parts {
        let crc = crc32fast::hash(data);
        let offset = out.len() as u32;
        let header = |sig: u32, central: bool| {
            let mut h = sig.to_le_bytes().to_vec();
            if central {
                h.extend_from_slice(&20u16.to_le_bytes());
            }
            h.extend_from_slice(&20u16.to_le_bytes());
            h.extend_from_slice(&[0; 4]); // flags, method (stored)
            h.extend_from_slice(&[0, 0, 0x21, 0]); // time, date
            h.extend_from_slice(&crc.to_le_bytes());
            h.extend_from_slice(&(data.len() as u32).to_le_bytes());
            h.extend_from_slice(&(data.len() as u32).to_le_bytes());
            h.extend_from_slice(&(name.len() as u16).to_le_bytes());
            h.extend_from_slice(&0u16.to_le_bytes());
            h
        };
        out.extend(header(0x0403_4b50, false));
        out.extend_from_slice(name.as_bytes());
        out.extend_from_slice(data);
        let mut entry = header(0x0201_4b50, true);
        let extra_at = entry.len() - 2;
        entry[extra_at..].copy_from_slice(&(extra.len() as u16).to_le_bytes());
        entry.extend_from_slice(&[0; 6]); // comment, disk, internal attributes
        entry.extend_from_slice(&0u32.to_le_bytes());
        entry.extend_from_slice(&offset.to_le_bytes());
        entry.extend_from_slice(name.as_bytes());
        entry.extend_from_slice(extra);
        directory.extend(entry);
    }
    let at = out.len() as u32;
    out.extend_from_slice(&directory);
    out.extend_from_slice(&0x0605_4b50u32.to_le_bytes());
    out.extend_from_slice(&[0; 4]);
    out.extend_from_slice(&(parts.len() as u16).to_le_bytes());
    out.extend_from_slice(&(parts.len() as u16).to_le_bytes());
    out.extend_from_slice(&(directory.len() as u32).to_le_bytes());
    out.extend_from_slice(&at.to_le_bytes());
    out.extend_from_slice(&0u16.to_le_bytes());
    out
}

/// Every part of a zip, in order.
pub fn unzip(bytes: &[u8]) -> Vec<(String, Vec<u8>)> {
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(bytes)).unwrap();
    (0..zip.len())
        .map(|i| {
            let mut part = zip.by_index(i).unwrap();
            let mut data = Vec::new();
            part.read_to_end(&mut data).unwrap();
            (part.name().unwrap().into_owned(), data)
        })
        .collect()
}

/// The zip with one part's text changed by `edit`.
pub fn edit_part(bytes: &[u8], part: &str, edit: impl Fn(&str) -> String) -> Vec<u8> {
    let parts: Vec<(String, Vec<u8>)> = unzip(bytes)
        .into_iter()
        .map(|(name, data)| {
            if name == part {
                let text = String::from_utf8(data).unwrap();
                let edited = edit(&text);
                assert_ne!(edited, text, "{part} was not changed");
                (name, edited.into_bytes())
            } else {
                (name, data)
            }
        })
        .collect();
    let refs: Vec<(&str, Vec<u8>)> = parts.iter().map(|(n, d)| (n.as_str(), d.clone())).collect();
    zip_of(&refs)
}

/// The os string of a path, for `run_npg`'s arguments.
pub fn os(path: &Path) -> &std::ffi::OsStr {
    path.as_os_str()
}
