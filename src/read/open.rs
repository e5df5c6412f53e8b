//! Opening a spreadsheet file into a [`WorkbookData`], or into the one finding that says why
//! it cannot be opened: F01 (not a readable spreadsheet) or F02 (a password to open).
//!
//! The content decides how a file is read, not its name: a zip holding `xl/` is read as
//! .xlsx/.xlsm, a zip whose `mimetype` is an OpenDocument spreadsheet as .ods, and a Compound
//! File holding a `Workbook` (or `Book`) stream as .xls. The extension only decides whether
//! the file is taken as a spreadsheet at all (.xlsx, .xlsm, .xls, .ods). A CSV or text file
//! renamed .xlsx is therefore F01 saying what it looks like, and an old .xls renamed .xlsx
//! is simply read.
//!
//! Passwords to open are F02, in each format's own form: an encrypted .xlsx/.xlsm is a
//! Compound File holding `EncryptionInfo` and `EncryptedPackage` streams, an encrypted .xls
//! has a FilePass record, and an encrypted .ods lists `encryption-data` in its manifest.
//! (A workbook whose sheets or structure are protected is not encrypted and is read.)
//!
//! Everything that touches the file's bytes (calamine, the zip reader, the scans here) runs
//! under `catch_unwind`: a panic becomes F01 "the reader failed on it" for that file and the
//! run goes on. While a panic is being caught its message is kept off the terminal.
//!
//! # Limits, and how each format is held to them
//!
//! A template uses about 15 rows × 7 columns. A sheet may hold values only within its first
//! [`MAX_ROWS`] rows and [`MAX_COLS`] columns (A1:CV5000): a value beyond refuses the file
//! (F01 at that cell, asking for the stray cells to be deleted), and the whole workbook may
//! hold at most [`MAX_WORKBOOK_CELLS`] cells. Both are checked before anything that large is
//! built:
//!
//! - **.xlsx, .xlsm.** Before calamine opens the zip, every part is unpacked once, to
//!   nowhere: all parts together may unpack to at most [`MAX_UNZIPPED_BYTES`] (a "zip bomb"
//!   is refused) and a part that fails its checksum is F01. `sharedStrings.xml` may not
//!   announce more strings (`uniqueCount`) than one per 8 of its bytes, since calamine
//!   reserves room for as many as it announces. Sheets are then read with calamine's
//!   streaming `worksheet_cells_reader` straight into the sparse grid, so no dense `Range`
//!   is ever built, and the first value beyond the limit (one at XFD1048576, say) stops the
//!   read at once.
//! - **.ods.** The same unzip checks. calamine builds a dense `Range` for each sheet,
//!   expanding `number-rows-repeated` and `number-columns-repeated`, so `content.xml` is
//!   first scanned here: the position of every cell holding a value or a formula is
//!   counted as calamine counts it, repeats included, and must lie within the limit, and
//!   the rectangles the sheets' values span must fit in [`MAX_WORKBOOK_CELLS`] together.
//!   What would let calamine count differently, allocate without bound or never finish is
//!   refused as damaged: content that is not well-formed (calamine reads with end names
//!   unchecked and loops for ever when the content stops inside a sheet), a repeat count
//!   that is not plain digits, a table, row or cell inside another, and a run of more than
//!   [`MAX_SPACES`] spaces (`text:s`).
//! - **.xls.** calamine parses every sheet as it opens the file, builds a dense `Range` over
//!   each sheet's cells, and reserves room for the area each sheet's DIMENSIONS record
//!   declares. So the Compound File is opened here first, by a small reader that walks every
//!   chain of sectors calamine will walk (a chain that loops would make calamine read for
//!   ever or run out of memory) and whose every allocation is bounded by the file's size;
//!   then the records of its `Workbook` stream are scanned: every cell record (NUMBER, LABEL, RSTRING, BOOLERR, RK, MULRK, LABELSST,
//!   FORMULA) must lie within the limit, the sheets' rectangles must fit in
//!   [`MAX_WORKBOOK_CELLS`] together, and a DIMENSIONS record may not declare more than the
//!   format's own 65,536 rows × 256 columns (a larger one is a damaged file).

use std::any::Any;
use std::cell::Cell;
use std::fmt::Display;
use std::io::{Cursor, Read, Seek};
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::Path;
use std::sync::Once;

use calamine::{
    Data, DataRef, ExcelDateTime, Ods, OdsError, Reader, SheetType, Xls, XlsError, Xlsx, XlsxError,
};
use chrono::{NaiveDate, NaiveDateTime, NaiveTime};
use zip::ZipArchive;

use super::file::{FileReadError, MAX_WORKBOOK_FILE_BYTES, read_limited};
use super::grid::{CellValue, SheetGrid, WorkbookData, label_key};
use crate::findings::{Code, Finding, Location, a1, quote};
use crate::text::thousands;

/// Rows a sheet may hold values in (rows 1 to 5,000); templates use about 15.
pub const MAX_ROWS: u32 = 5_000;

/// Columns a sheet may hold values in (A to CV); templates use about 7.
pub const MAX_COLS: u32 = 100;

/// Cells a whole workbook may hold: four sheets filled to the limit, about 64 MB in calamine's
/// dense ranges. For .xls and .ods this counts the rectangles calamine fills.
pub const MAX_WORKBOOK_CELLS: u64 = 4 * MAX_ROWS as u64 * MAX_COLS as u64;

/// What the parts of a zip workbook may unpack to, together: 32 MB; a return's parts come to
/// a few hundred kilobytes.
pub const MAX_UNZIPPED_BYTES: u64 = 32 * 1024 * 1024;

/// The longest run of spaces one `text:s` element of an .ods may ask for (Excel's limit on
/// the text of one cell).
pub const MAX_SPACES: u64 = 32_767;

/// The most characters one cell may hold: 32,767, Excel's limit (and what an output cell
/// can hold, see [`crate::text::fit_cell`]).
pub const MAX_CELL_CHARS: usize = crate::text::CELL_TEXT_LIMIT;

/// The text all the cells of a return may hold together, repeats counted: 16 MB (a
/// template's text comes to about 3 KB).
pub const MAX_WORKBOOK_TEXT_BYTES: u64 = 16 * 1024 * 1024;

/// The longest sheet name read: 255 characters (Excel allows 31; LibreOffice more).
pub const MAX_SHEET_NAME_CHARS: usize = 255;

/// The bounds one workbook is read within. A return is read within [`Limits::RETURN`]; a run
/// folder's output, read again by `npg audit verify`, within bounds made from what the run
/// wrote (see `audit::diff`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Limits {
    /// Rows a sheet may hold values in.
    pub rows: u32,
    /// Columns a sheet may hold values in.
    pub cols: u32,
    /// Cells the whole workbook may hold (for .xls and .ods, the rectangles calamine fills).
    pub cells: u64,
    /// What the parts of a zip workbook may unpack to, together.
    pub unzipped_bytes: u64,
    /// The text the workbook's cells may hold together, in bytes, repeats counted.
    pub text_bytes: u64,
    /// What is read within these bounds, for messages: "a return".
    pub what: &'static str,
}

impl Limits {
    /// The bounds of a return (and of an allocations or weights workbook).
    pub const RETURN: Limits = Limits {
        rows: MAX_ROWS,
        cols: MAX_COLS,
        cells: MAX_WORKBOOK_CELLS,
        unzipped_bytes: MAX_UNZIPPED_BYTES,
        text_bytes: MAX_WORKBOOK_TEXT_BYTES,
        what: "a return",
    };
}

/// The largest area an .xls sheet can have: 65,536 rows × 256 columns.
const XLS_FORMAT_AREA: u64 = 65_536 * 256;

/// The extensions taken as spreadsheets.
const EXTENSIONS: [&str; 4] = ["xlsx", "xlsm", "xls", "ods"];

const ZIP_MAGIC: &[u8] = b"PK\x03\x04";
const EMPTY_ZIP_MAGIC: &[u8] = b"PK\x05\x06";
const CFB_MAGIC: &[u8] = &[0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1];
const ODS_MIMETYPE: &[u8] = b"application/vnd.oasis.opendocument.spreadsheet";

/// The advice that ends most F01 messages.
const SAVE_AGAIN: &str = "open it in Excel, save it again as .xlsx and send it again";

/// True for a name ending in .xlsx, .xlsm, .xls or .ods, in any case.
pub fn is_spreadsheet_name(path: &Path) -> bool {
    path.extension()
        .and_then(|extension| extension.to_str())
        .is_some_and(is_spreadsheet_extension)
}

/// Reads the file's bytes once (a regular file of at most [`MAX_WORKBOOK_FILE_BYTES`], see
/// [`super::file`]) and opens them as [`read_workbook_bytes`] does.
pub fn read_workbook(path: &Path, shown_as: &str) -> Result<WorkbookData, Finding> {
    let extension = path
        .extension()
        .and_then(|extension| extension.to_str())
        .unwrap_or("");
    // A file that would be refused for its name is not read at all.
    if !is_spreadsheet_extension(extension) {
        return Err(
            Refusal::Unreadable(wrong_extension(extension)).into_finding(shown_as, &Limits::RETURN)
        );
    }
    match read_limited(path, MAX_WORKBOOK_FILE_BYTES) {
        Ok(bytes) => read_workbook_bytes(&bytes, extension, shown_as),
        Err(error) => Err(file_not_read(&error, shown_as)),
    }
}

/// F01 for a file whose bytes were not read: what it is (a pipe, a folder, too large), or
/// why the system could not read it.
pub fn file_not_read(error: &FileReadError, shown_as: &str) -> Finding {
    let message = match error {
        FileReadError::Missing | FileReadError::Io(_) => format!(
            "the file cannot be read ({error}); check that it is there and not open in \
             another program, then run again"
        ),
        FileReadError::NotRegular { .. } => {
            format!("{error}; only a spreadsheet file can be a return: move this out of the folder")
        }
        FileReadError::TooLarge { .. } => format!(
            "{error}; a return on its template is about 10 KB: copy the figures into a fresh \
             template (without pictures or extra sheets) and send that"
        ),
    };
    Finding::new(Code::F01, Location::file(shown_as), message)
}

/// Opens a workbook from its bytes within the bounds of a return. `extension` is the file's
/// (`xlsx` or `.XLSX` alike) and only decides whether the file is taken as a spreadsheet;
/// the content decides how it is read. `shown_as` names the file in the finding.
pub fn read_workbook_bytes(
    bytes: &[u8],
    extension: &str,
    shown_as: &str,
) -> Result<WorkbookData, Finding> {
    read_workbook_bytes_within(bytes, extension, shown_as, &Limits::RETURN)
}

/// As [`read_workbook_bytes`], within other bounds.
pub fn read_workbook_bytes_within(
    bytes: &[u8],
    extension: &str,
    shown_as: &str,
    limits: &Limits,
) -> Result<WorkbookData, Finding> {
    open(bytes, extension, limits).map_err(|refusal| refusal.into_finding(shown_as, limits))
}

fn is_spreadsheet_extension(extension: &str) -> bool {
    let extension = extension.strip_prefix('.').unwrap_or(extension);
    EXTENSIONS
        .iter()
        .any(|accepted| extension.eq_ignore_ascii_case(accepted))
}

/// Why a file cannot be opened; made into a finding once the file's shown name is known.
#[derive(Debug)]
enum Refusal {
    /// F01 about the whole file; the message is complete.
    Unreadable(String),
    /// F02: a password to open.
    Locked,
    /// F01 at the first value found beyond the rows and columns of the [`Limits`] (counted
    /// in u64 because .ods repeats can reach past any real sheet).
    Stray {
        sheet: String,
        index: usize,
        row: u64,
        col: u64,
    },
    /// F01: the sheets together hold more cells than the [`Limits`] allow.
    TooManyCells,
    /// F01: the cells together hold more text than the [`Limits`] allow.
    TooMuchText,
    /// F01 at a cell that does not say one thing: programs would show one value and read
    /// another. `detail` says what was found and what to do.
    Ambiguous {
        sheet: String,
        index: usize,
        row: u64,
        col: u64,
        detail: String,
    },
    /// F01 at a cell holding more text than a cell can ([`MAX_CELL_CHARS`]); `chars` is 0
    /// when the scan stopped counting, past all a cell can hold.
    TooLong {
        sheet: String,
        index: usize,
        row: u64,
        col: u64,
        chars: usize,
    },
}

/// A cell's place for a finding, however far an .ods repeat reached.
fn clamp_cell(row: u64, col: u64) -> (u32, u32) {
    let row = u32::try_from(row.min(1_048_575)).unwrap_or(1_048_575);
    let col = u32::try_from(col.min(16_383)).unwrap_or(16_383);
    (row, col)
}

impl Refusal {
    fn into_finding(self, shown_as: &str, limits: &Limits) -> Finding {
        match self {
            Refusal::Unreadable(message) => {
                Finding::new(Code::F01, Location::file(shown_as), message)
            }
            Refusal::Locked => Finding::new(
                Code::F02,
                Location::file(shown_as),
                "the workbook is protected with a password to open; remove the password (in \
                 Excel: File › Info › Protect Workbook › Encrypt with Password, then clear it) \
                 and save it again",
            ),
            Refusal::Stray {
                sheet,
                index,
                row,
                col,
            } => {
                let (row, col) = clamp_cell(row, col);
                let message = format!(
                    "sheet {} has a value in cell {}, far beyond the area {} uses (rows 1 \
                     to {} and columns A to {}); delete the stray cells below and to the right \
                     of the table (select those rows and columns, right-click, Delete) and save \
                     it again",
                    quote(&sheet),
                    a1(row, col),
                    limits.what,
                    thousands(u64::from(limits.rows)),
                    column_name(limits.cols.saturating_sub(1)),
                );
                Finding::new(
                    Code::F01,
                    Location::cell(shown_as, sheet, index, row, col),
                    message,
                )
            }
            Refusal::TooManyCells => Finding::new(
                Code::F01,
                Location::file(shown_as),
                format!(
                    "the workbook holds more than {} cells across its sheets, far more than {} \
                     uses; delete unused sheets and stray cells and save it again",
                    thousands(limits.cells),
                    limits.what
                ),
            ),
            Refusal::TooMuchText => Finding::new(
                Code::F01,
                Location::file(shown_as),
                format!(
                    "the workbook's cells hold more than {} of text together, far more than {} \
                     holds; delete what the return does not need (long notes, extra sheets) \
                     and save it again",
                    crate::read::file::size_text(limits.text_bytes),
                    limits.what
                ),
            ),
            Refusal::Ambiguous {
                sheet,
                index,
                row,
                col,
                detail,
            } => {
                let (row, col) = clamp_cell(row, col);
                Finding::new(
                    Code::F01,
                    Location::cell(shown_as, sheet, index, row, col),
                    detail,
                )
            }
            Refusal::TooLong {
                sheet,
                index,
                row,
                col,
                chars,
            } => {
                let (row, col) = clamp_cell(row, col);
                Finding::new(
                    Code::F01,
                    Location::cell(shown_as, sheet, index, row, col),
                    format!(
                        "the cell holds {} characters of text, more than a cell can hold ({}); \
                         shorten it and save it again",
                        if chars == 0 {
                            format!("over {}", thousands(MAX_CELL_TEXT_BYTES))
                        } else {
                            thousands(chars as u64)
                        },
                        thousands(MAX_CELL_CHARS as u64)
                    ),
                )
            }
        }
    }
}

fn wrong_extension(extension: &str) -> String {
    let extension = extension.strip_prefix('.').unwrap_or(extension);
    let what = if extension.is_empty() {
        "a file with no extension".to_owned()
    } else {
        format!("a .{} file", extension.to_lowercase())
    };
    format!(
        "{what} is not a spreadsheet that can be read (only .xlsx, .xlsm, .xls and .ods are); \
         save it from Excel as .xlsx and send it again"
    )
}

fn not_a_spreadsheet(what: &str) -> Refusal {
    Refusal::Unreadable(format!(
        "the file is not a spreadsheet that can be read ({what}); save it from Excel as .xlsx \
         and send it again"
    ))
}

fn damaged(detail: impl Display) -> Refusal {
    Refusal::Unreadable(format!(
        "the file is damaged or incomplete, perhaps cut short when it was copied or sent \
         ({detail}); {SAVE_AGAIN}"
    ))
}

fn reader_error(error: impl Display) -> Refusal {
    Refusal::Unreadable(format!(
        "the file cannot be read as a workbook (the reader says: {error}); {SAVE_AGAIN}"
    ))
}

fn no_sheets() -> Refusal {
    Refusal::Unreadable(
        "the workbook has no sheets; send the return on its template, saved from Excel as .xlsx"
            .to_owned(),
    )
}

fn too_big_unzipped(limit: u64) -> Refusal {
    Refusal::Unreadable(format!(
        "the file unpacks to more than {}, far more than a return holds; delete what the \
         return does not need (extra sheets, pictures) and save it again",
        crate::read::file::size_text(limit)
    ))
}

/// The letters of a zero-based column: 99 → `CV`.
fn column_name(col: u32) -> String {
    let name = a1(0, col);
    name.strip_suffix('1').unwrap_or(&name).to_owned()
}

// ---------------------------------------------------------------------------------------
// Dispatch, and the guard around everything that reads the bytes.

enum Container {
    Zip,
    Compound,
}

fn open(bytes: &[u8], extension: &str, limits: &Limits) -> Result<WorkbookData, Refusal> {
    if !is_spreadsheet_extension(extension) {
        return Err(Refusal::Unreadable(wrong_extension(extension)));
    }
    if bytes.is_empty() {
        return Err(Refusal::Unreadable(
            "the file is empty (0 bytes); save the workbook from Excel as .xlsx and send it again"
                .to_owned(),
        ));
    }
    let container = sniff(bytes)?;
    let opened = guarded(|| match container {
        Container::Zip => open_zip(bytes, limits),
        Container::Compound => open_compound(bytes, limits),
    });
    match opened {
        Ok(result) => result,
        Err(panic) => {
            tracing::warn!("the spreadsheet reader panicked: {panic}");
            Err(Refusal::Unreadable(format!(
                "the reader failed on it, so the file is probably damaged; {SAVE_AGAIN}"
            )))
        }
    }
}

thread_local! {
    /// True while this thread runs guarded work, whose panics are caught and reported as
    /// findings, so printing them as well would only be noise.
    static QUIET: Cell<bool> = const { Cell::new(false) };
    /// Where the last panic caught on this thread happened (file and line).
    static PANICKED_AT: std::cell::RefCell<Option<String>> = const { std::cell::RefCell::new(None) };
    /// Panics caught on this thread that happened in npg's own code, not in a library it
    /// calls: each is a defect to fix, however it was reported. Tests assert it stays 0.
    static OWN_PANICS: Cell<usize> = const { Cell::new(0) };
}

static QUIET_HOOK: Once = Once::new();

/// How many panics caught by [`guarded`] on this thread came from npg's own code.
pub fn own_panics_caught() -> usize {
    OWN_PANICS.with(Cell::get)
}

/// True for a panic's file when it is one of npg's own (cargo names the crate's own files by
/// their path under its folder, and a dependency's by its full path in the registry).
fn is_own_code(file: &str) -> bool {
    file.starts_with("src/") || file.starts_with(concat!(env!("CARGO_MANIFEST_DIR"), "/src/"))
}

/// Runs `work`, turning a panic into `Err` with the panic's message. The panic hook is
/// wrapped once so that it stays silent on a thread inside `guarded` and behaves as before
/// everywhere else. A panic in npg's own code is counted ([`own_panics_caught`]) and logged
/// as the defect it is. Under `cfg(fuzzing)` nothing is caught, so that a fuzzer sees every
/// panic.
pub(crate) fn guarded<T>(work: impl FnOnce() -> T) -> Result<T, String> {
    if cfg!(fuzzing) {
        return Ok(work());
    }
    QUIET_HOOK.call_once(|| {
        let earlier = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            if QUIET.with(Cell::get) {
                let at = info
                    .location()
                    .map(|l| format!("{}:{}", l.file(), l.line()));
                PANICKED_AT.with(|cell| *cell.borrow_mut() = at);
            } else {
                earlier(info);
            }
        }));
    });
    let was_quiet = QUIET.with(|quiet| quiet.replace(true));
    let outcome = catch_unwind(AssertUnwindSafe(work));
    QUIET.with(|quiet| quiet.set(was_quiet));
    outcome.map_err(|payload| {
        let message = panic_text(payload.as_ref());
        let at = PANICKED_AT.with(|cell| cell.borrow_mut().take());
        if let Some(at) = at.as_deref().filter(|at| is_own_code(at)) {
            OWN_PANICS.with(|count| count.set(count.get() + 1));
            tracing::error!("a defect in npg: a panic in its own code at {at}: {message}");
        }
        message
    })
}

fn panic_text(payload: &(dyn Any + Send)) -> String {
    if let Some(text) = payload.downcast_ref::<&str>() {
        (*text).to_owned()
    } else if let Some(text) = payload.downcast_ref::<String>() {
        text.clone()
    } else {
        "a panic without a message".to_owned()
    }
}

/// Decides the container from the first bytes, whatever the name says.
fn sniff(bytes: &[u8]) -> Result<Container, Refusal> {
    if bytes.starts_with(ZIP_MAGIC) {
        Ok(Container::Zip)
    } else if bytes.starts_with(CFB_MAGIC) {
        Ok(Container::Compound)
    } else if bytes.starts_with(EMPTY_ZIP_MAGIC) {
        Err(not_a_spreadsheet("it is an empty zip archive"))
    } else {
        Err(not_a_spreadsheet(looks_like(bytes)))
    }
}

/// What a file in no spreadsheet format seems to be, for the message.
fn looks_like(bytes: &[u8]) -> &'static str {
    if bytes.starts_with(b"%PDF") {
        return "it is a PDF document";
    }
    let head = &bytes[..bytes.len().min(4096)];
    let head = head.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(head);
    let text = String::from_utf8_lossy(head)
        .trim_start()
        .to_ascii_lowercase();
    if text.starts_with("<!doctype html") || text.starts_with("<html") {
        return "it looks like a web page (HTML), perhaps saved from a browser";
    }
    if text.starts_with("<?xml") {
        return "it looks like an XML file, perhaps an \"XML Spreadsheet 2003\"";
    }
    let control = head
        .iter()
        .filter(|&&b| (b < 0x20 && !matches!(b, b'\t' | b'\n' | b'\r')) || b == 0x7F)
        .count();
    if control * 100 <= head.len() {
        "it looks like plain text, such as a CSV file"
    } else {
        "its contents are in no spreadsheet format"
    }
}

// ---------------------------------------------------------------------------------------
// Zip containers: .xlsx, .xlsm and .ods.

#[derive(Clone, Copy, PartialEq, Eq)]
enum ZipKind {
    Xlsx,
    Ods,
}

fn open_zip(bytes: &[u8], limits: &Limits) -> Result<WorkbookData, Refusal> {
    let mut zip = ZipArchive::new(Cursor::new(bytes))
        .map_err(|e| damaged(format!("its zip container cannot be opened: {e}")))?;
    let listed = check_directory_names(bytes)?;
    // The zip crate keeps one entry per name: fewer entries than the directory lists means
    // two of them shared a name as it reads names.
    if zip.len() as u64 != listed {
        return Err(damaged(
            "two of its parts share one name, and programs differ on which of them they read",
        ));
    }
    let kind = zip_kind(&mut zip)?;
    if kind == ZipKind::Ods {
        let manifest = read_part(&mut zip, "META-INF/manifest.xml", limits.unzipped_bytes)?;
        if contains(&manifest, b"encryption-data") {
            return Err(Refusal::Locked);
        }
    }
    match kind {
        ZipKind::Xlsx => {
            // Every part is unpacked once, here: checked (checksum, size), then handed to
            // calamine stored rather than compressed, so nothing is inflated twice.
            let parts = unpack_parts(&mut zip, limits.unzipped_bytes)?;
            check_shared_strings(&parts)?;
            // Merged cells are looked for only where a sheet has some (calamine reads a
            // sheet again to find them; a return's template has none).
            let has_merges = parts.iter().any(|part| {
                part.name.to_ascii_lowercase().starts_with("xl/worksheets/")
                    && part
                        .bytes
                        .as_deref()
                        .is_some_and(|b| contains(b, b"mergeCell"))
            });
            let stored = stored_zip(&parts)?;
            // Only one copy of the unpacked parts is held while calamine reads.
            drop(parts);
            read_xlsx(&stored, limits, has_merges)
        }
        ZipKind::Ods => {
            let mut parts = unpack_parts(&mut zip, limits.unzipped_bytes)?;
            let content = parts
                .iter_mut()
                .find(|part| part.name == "content.xml")
                .and_then(|part| part.bytes.as_mut())
                .ok_or_else(|| damaged("it has no content.xml"))?;
            // Value attributes a cell's type does not use are blanked out before calamine
            // reads the content, so that it reads what LibreOffice shows.
            let unused = scan_ods_content(content, limits)?;
            for range in unused {
                content[range].fill(b' ');
            }
            let stored = stored_zip(&parts)?;
            drop(parts);
            let mut book = Ods::new(Cursor::new(stored.as_slice())).map_err(|e| match e {
                OdsError::Password => Refusal::Locked,
                other => reader_error(other),
            })?;
            read_dense(&mut book, limits)
        }
    }
}

/// Tells an .xlsx from an .ods by the parts the zip holds, and names what else it may be.
fn zip_kind<R: Read + Seek>(zip: &mut ZipArchive<R>) -> Result<ZipKind, Refusal> {
    let names: Vec<String> = zip
        .file_names()
        .filter_map(Result::ok)
        .map(|name| name.into_owned())
        .collect();
    let has = |wanted: &str| names.iter().any(|name| name.eq_ignore_ascii_case(wanted));
    let under = |folder: &str| {
        names.iter().any(|name| {
            name.get(..folder.len())
                .is_some_and(|start| start.eq_ignore_ascii_case(folder))
        })
    };
    if has("mimetype") {
        let mimetype = read_part(&mut *zip, "mimetype", 1024)?;
        let mimetype = mimetype.trim_ascii();
        if mimetype.starts_with(ODS_MIMETYPE) {
            return Ok(ZipKind::Ods);
        }
        if mimetype.starts_with(b"application/vnd.oasis.opendocument.") {
            return Err(not_a_spreadsheet(
                "it is an OpenDocument file of another kind, such as a text document",
            ));
        }
    }
    if has("xl/workbook.bin") {
        return Err(not_a_spreadsheet(
            "it is an Excel binary workbook (.xlsb), which cannot be read",
        ));
    }
    if under("xl/") {
        return Ok(ZipKind::Xlsx);
    }
    if has("content.xml") {
        return Ok(ZipKind::Ods);
    }
    let what = if under("word/") {
        "it is a Word document"
    } else if under("ppt/") {
        "it is a PowerPoint presentation"
    } else {
        "it is a zip archive that holds no workbook"
    };
    Err(not_a_spreadsheet(what))
}

/// One part of the zip, unpacked, refused when it unpacks to more than `limit` bytes.
fn read_part<R: Read + Seek>(
    zip: &mut ZipArchive<R>,
    name: &str,
    limit: u64,
) -> Result<Vec<u8>, Refusal> {
    let part = zip
        .by_name(name)
        .map_err(|e| damaged(format!("part {name}: {e}")))?;
    let mut bytes = Vec::new();
    part.take(limit.saturating_add(1))
        .read_to_end(&mut bytes)
        .map_err(|e| damaged(format!("part {name} cannot be unpacked: {e}")))?;
    if bytes.len() as u64 > limit {
        return Err(too_big_unzipped(limit));
    }
    Ok(bytes)
}

/// One part of an .xlsx zip, unpacked: its name and its bytes (`None` for a folder entry).
struct Part {
    name: String,
    bytes: Option<Vec<u8>>,
}

/// Unpacks every part once, into memory, so that a damaged part (its checksum fails) or a
/// zip bomb is refused before calamine reads anything: all parts together may come to at
/// most `limit` bytes, and reading stops at the first byte past it.
fn unpack_parts<R: Read + Seek>(zip: &mut ZipArchive<R>, limit: u64) -> Result<Vec<Part>, Refusal> {
    let mut total: u64 = 0;
    let mut parts = Vec::with_capacity(zip.len());
    let mut seen: std::collections::BTreeMap<String, String> = std::collections::BTreeMap::new();
    for index in 0..zip.len() {
        let mut part = zip
            .by_index(index)
            .map_err(|e| damaged(format!("part {} of its zip: {e}", index + 1)))?;
        let name = part.name().map(|name| name.into_owned()).map_err(|e| {
            damaged(format!(
                "part {} of its zip has no readable name: {e}",
                index + 1
            ))
        })?;
        // Part names are compared as OPC compares them (and as some readers find them):
        // ignoring case and `%` escapes. Two that collide are two copies of one part, and
        // programs differ on which they read, so the package is damaged.
        let folded = folded_part_name(&name);
        if let Some(earlier) = seen.insert(folded, name.clone()) {
            return Err(damaged(format!(
                "it holds two parts whose names differ only in case or spelling, {} and {}, \
                 and programs differ on which of them they read",
                quote(&earlier),
                quote(&name)
            )));
        }
        if part.is_dir() {
            parts.push(Part { name, bytes: None });
            continue;
        }
        let room = limit.saturating_sub(total);
        // The declared size is only a hint (a damaged zip may lie), so it is capped.
        let hint = part
            .size()
            .min(room.saturating_add(1))
            .min(16 * 1024 * 1024);
        let mut bytes = Vec::with_capacity(usize::try_from(hint).unwrap_or(0));
        (&mut part)
            .take(room.saturating_add(1))
            .read_to_end(&mut bytes)
            .map_err(|e| damaged(format!("part {name} cannot be unpacked: {e}")))?;
        total = total.saturating_add(bytes.len() as u64);
        if total > limit {
            return Err(too_big_unzipped(limit));
        }
        parts.push(Part {
            name,
            bytes: Some(bytes),
        });
    }
    Ok(parts)
}

/// Every name the zip's central directory lists, read here rather than through the zip
/// crate, which keeps only one entry of each name: two entries of one name are two copies of
/// a part, and programs differ on which they read. A part that gives itself a second name
/// (the Info-ZIP "Unicode Path" extra field, which the zip crate reads and LibreOffice does
/// not) is refused too. Returns how many entries the directory lists.
fn check_directory_names(bytes: &[u8]) -> Result<u64, Refusal> {
    let unreadable = || damaged("its list of parts (the zip's central directory) cannot be read");
    // The end of central directory record: within the last 64 KiB + 22 bytes.
    let search_from = bytes.len().saturating_sub(65_557);
    let end = (search_from..bytes.len().saturating_sub(21))
        .rev()
        .find(|&at| bytes[at..].starts_with(&0x0605_4b50u32.to_le_bytes()))
        .ok_or_else(unreadable)?;
    let mut entries = u64::from(le16(bytes, end + 10).ok_or_else(unreadable)?);
    let mut offset = u64::from(le32(bytes, end + 16).ok_or_else(unreadable)?);
    // A Zip64 archive keeps the real figures in its own record, found by a locator.
    if (entries == 0xFFFF || offset == 0xFFFF_FFFF) && end >= 20 {
        let locator = end - 20;
        if le32(bytes, locator) == Some(0x0706_4b50) {
            let record = usize::try_from(le64(bytes, locator + 8).ok_or_else(unreadable)?)
                .map_err(|_| unreadable())?;
            if le32(bytes, record) != Some(0x0606_4b50) {
                return Err(unreadable());
            }
            entries = le64(bytes, record + 32).ok_or_else(unreadable)?;
            offset = le64(bytes, record + 48).ok_or_else(unreadable)?;
        }
    }
    let mut at = usize::try_from(offset).map_err(|_| unreadable())?;
    let mut seen: std::collections::BTreeMap<String, String> = std::collections::BTreeMap::new();
    for _ in 0..entries {
        if le32(bytes, at) != Some(0x0201_4b50) {
            return Err(unreadable());
        }
        let name_len = usize::from(le16(bytes, at + 28).ok_or_else(unreadable)?);
        let extra_len = usize::from(le16(bytes, at + 30).ok_or_else(unreadable)?);
        let comment_len = usize::from(le16(bytes, at + 32).ok_or_else(unreadable)?);
        let name = bytes
            .get(at + 46..at + 46 + name_len)
            .ok_or_else(unreadable)?;
        let name = String::from_utf8_lossy(name).into_owned();
        let extra = bytes
            .get(at + 46 + name_len..at + 46 + name_len + extra_len)
            .ok_or_else(unreadable)?;
        if let Some(other) = unicode_path(extra).filter(|other| *other != name) {
            return Err(damaged(format!(
                "its part {} gives itself a second name, {}, and programs differ on which they \
                 use",
                quote(&name),
                quote(&other)
            )));
        }
        if let Some(earlier) = seen.insert(folded_part_name(&name), name.clone()) {
            return Err(damaged(format!(
                "it holds two parts whose names differ only in case or spelling, {} and {}, \
                 and programs differ on which of them they read",
                quote(&earlier),
                quote(&name)
            )));
        }
        at += 46 + name_len + extra_len + comment_len;
    }
    Ok(entries)
}

/// The name an Info-ZIP Unicode Path extra field (0x7075) gives a part, if it has one.
fn unicode_path(mut extra: &[u8]) -> Option<String> {
    while extra.len() >= 4 {
        let id = le16(extra, 0)?;
        let size = usize::from(le16(extra, 2)?);
        let data = extra.get(4..4 + size)?;
        if id == 0x7075 {
            // A version byte and the CRC-32 of the header's name, then the name in UTF-8.
            return Some(String::from_utf8_lossy(data.get(5..)?).into_owned());
        }
        extra = &extra[4 + size..];
    }
    None
}

/// A part name as OPC compares it: `%XX` escapes undone, `\\` read as `/`, no leading `/`,
/// and case folded.
fn folded_part_name(name: &str) -> String {
    let bytes = name.as_bytes();
    let mut decoded = Vec::with_capacity(bytes.len());
    let mut at = 0;
    while at < bytes.len() {
        let escaped = (bytes[at] == b'%')
            .then(|| bytes.get(at + 1..at + 3))
            .flatten()
            .and_then(|hex| std::str::from_utf8(hex).ok())
            .and_then(|hex| u8::from_str_radix(hex, 16).ok());
        match escaped {
            Some(byte) => {
                decoded.push(byte);
                at += 3;
            }
            None => {
                decoded.push(if bytes[at] == b'\\' { b'/' } else { bytes[at] });
                at += 1;
            }
        }
    }
    let text = String::from_utf8_lossy(&decoded);
    text.trim_start_matches('/').to_lowercase()
}

/// The parts, already checked, as a zip whose parts are stored rather than compressed: what
/// calamine reads from it costs a copy, not a second inflate. Written here rather than with
/// the zip crate's writer, whose per-part bookkeeping costs more than the copy: a local
/// header and the bytes of each part, then the central directory (APPNOTE 4.3), with no
/// timestamps, so the same parts always make the same bytes.
fn stored_zip(parts: &[Part]) -> Result<Vec<u8>, Refusal> {
    let too_big = || damaged("its parts are too large to lay out again");
    let total: usize = parts
        .iter()
        .map(|p| p.bytes.as_ref().map_or(0, Vec::len) + 2 * p.name.len() + 76)
        .sum();
    let mut out = Vec::with_capacity(total + 22);
    let mut directory = Vec::new();
    for part in parts {
        let data: &[u8] = part.bytes.as_deref().unwrap_or(&[]);
        let crc = crc32fast::hash(data);
        let size = u32::try_from(data.len()).map_err(|_| too_big())?;
        let name_len = u16::try_from(part.name.len()).map_err(|_| too_big())?;
        let offset = u32::try_from(out.len()).map_err(|_| too_big())?;
        // Names that are not ASCII are marked as UTF-8 (general purpose bit 11).
        let flags: u16 = if part.name.is_ascii() { 0 } else { 0x0800 };
        // Local file header: version 2.0, the flags, method 0 (stored), no time.
        out.extend_from_slice(&0x0403_4b50u32.to_le_bytes());
        out.extend_from_slice(&20u16.to_le_bytes());
        out.extend_from_slice(&flags.to_le_bytes());
        out.extend_from_slice(&[0; 4]); // method, time
        out.extend_from_slice(&0x0021u16.to_le_bytes()); // date: 1980-01-01
        out.extend_from_slice(&crc.to_le_bytes());
        out.extend_from_slice(&size.to_le_bytes());
        out.extend_from_slice(&size.to_le_bytes());
        out.extend_from_slice(&name_len.to_le_bytes());
        out.extend_from_slice(&0u16.to_le_bytes());
        out.extend_from_slice(part.name.as_bytes());
        out.extend_from_slice(data);
        // Its central directory entry.
        directory.extend_from_slice(&0x0201_4b50u32.to_le_bytes());
        directory.extend_from_slice(&20u16.to_le_bytes());
        directory.extend_from_slice(&20u16.to_le_bytes());
        directory.extend_from_slice(&flags.to_le_bytes());
        directory.extend_from_slice(&[0; 4]); // method, time
        directory.extend_from_slice(&0x0021u16.to_le_bytes());
        directory.extend_from_slice(&crc.to_le_bytes());
        directory.extend_from_slice(&size.to_le_bytes());
        directory.extend_from_slice(&size.to_le_bytes());
        directory.extend_from_slice(&name_len.to_le_bytes());
        directory.extend_from_slice(&[0; 8]); // extra, comment, disk, internal attributes
        let external: u32 = if part.bytes.is_none() { 0x10 } else { 0 };
        directory.extend_from_slice(&external.to_le_bytes());
        directory.extend_from_slice(&offset.to_le_bytes());
        directory.extend_from_slice(part.name.as_bytes());
    }
    let entries = u16::try_from(parts.len()).map_err(|_| too_big())?;
    let directory_at = u32::try_from(out.len()).map_err(|_| too_big())?;
    let directory_len = u32::try_from(directory.len()).map_err(|_| too_big())?;
    out.extend_from_slice(&directory);
    out.extend_from_slice(&0x0605_4b50u32.to_le_bytes());
    out.extend_from_slice(&[0; 4]); // this disk, the directory's disk
    out.extend_from_slice(&entries.to_le_bytes());
    out.extend_from_slice(&entries.to_le_bytes());
    out.extend_from_slice(&directory_len.to_le_bytes());
    out.extend_from_slice(&directory_at.to_le_bytes());
    out.extend_from_slice(&0u16.to_le_bytes());
    Ok(out)
}

/// calamine reserves room for as many shared strings as `sharedStrings.xml` announces
/// (`uniqueCount`); a real part needs at least 8 bytes for each (`<si><t/></si>`).
fn check_shared_strings(parts: &[Part]) -> Result<(), Refusal> {
    for part in parts {
        let Some(bytes) = &part.bytes else { continue };
        if !part
            .name
            .to_ascii_lowercase()
            .ends_with("sharedstrings.xml")
        {
            continue;
        }
        let head = &bytes[..bytes.len().min(64 * 1024)];
        let announced = Tags::new(head)
            .find(|tag| !tag.closing && local_name(tag.name) == b"sst")
            .and_then(|tag| tag.attr(b"uniqueCount"))
            .and_then(|count| std::str::from_utf8(count).ok()?.parse::<u64>().ok());
        if announced.is_some_and(|count| count > bytes.len() as u64 / 8) {
            return Err(damaged(
                "its list of shared strings announces far more strings than it holds",
            ));
        }
    }
    Ok(())
}

fn read_xlsx(bytes: &[u8], limits: &Limits, has_merges: bool) -> Result<WorkbookData, Refusal> {
    let mut book: Xlsx<_> = Xlsx::new(Cursor::new(bytes)).map_err(|e| match e {
        XlsxError::Password => Refusal::Locked,
        other => reader_error(other),
    })?;
    let sheets = book.sheets_metadata().to_vec();
    check_sheets(&sheets)?;
    let mut room = Room::new(limits);
    let mut grids = Vec::with_capacity(sheets.len());
    for (index, sheet) in sheets.iter().enumerate() {
        let mut grid = SheetGrid::new(sheet.name.clone(), index);
        // Chart and dialog sheets hold no cells; they keep their place in the workbook.
        if sheet.typ == SheetType::WorkSheet {
            let mut cells = book
                .worksheet_cells_reader(&sheet.name)
                .map_err(reader_error)?;
            while let Some(cell) = cells.next_cell().map_err(reader_error)? {
                let value = from_data_ref(cell.get_value());
                if value == CellValue::Empty {
                    continue;
                }
                let (row, col) = cell.get_position();
                room.place(&sheet.name, index, u64::from(row), u64::from(col), &value)?;
                // A cell written twice shows one value in one program and the other in
                // another (Excel calls such a file damaged).
                if grid.get(row, col) != &CellValue::Empty {
                    return Err(Refusal::Ambiguous {
                        sheet: sheet.name.clone(),
                        index,
                        row: u64::from(row),
                        col: u64::from(col),
                        detail: format!(
                            "the file holds cell {} twice ({} and {}), so programs differ on \
                             which value they show; {SAVE_AGAIN}",
                            a1(row, col),
                            quote(&grid.get(row, col).shown()),
                            quote(&value.shown())
                        ),
                    });
                }
                grid.set(row, col, value);
            }
            drop(cells);
            if has_merges {
                let merged = book
                    .merge_cells_by_sheet_name(&sheet.name)
                    .map_err(reader_error)?;
                check_merged(&grid, &merged)?;
            }
        }
        grids.push(grid);
    }
    Ok(WorkbookData { sheets: grids })
}

/// The most merged ranges a sheet may have (a return's template has none).
const MAX_MERGED_RANGES: usize = 1_000;

/// A value in a cell covered by merged cells (any but the range's first) is shown by no
/// spreadsheet program, yet calamine reads it: such a cell is an error at that cell.
fn check_merged(grid: &SheetGrid, merged: &[calamine::Dimensions]) -> Result<(), Refusal> {
    if merged.len() > MAX_MERGED_RANGES {
        return Err(Refusal::Unreadable(format!(
            "sheet {} has more than {} ranges of merged cells, far more than a return has; \
             unmerge them and save it again",
            quote(&grid.name),
            thousands(MAX_MERGED_RANGES)
        )));
    }
    let Some(last_row) = grid.last_row() else {
        return Ok(());
    };
    for range in merged {
        let (top, left) = range.start;
        let (bottom, right) = range.end;
        for row in top..=bottom.min(last_row) {
            for (col, value) in grid.row_between(row, left, right) {
                if (row, col) != (top, left) && !value.is_blank() {
                    return Err(Refusal::Ambiguous {
                        sheet: grid.name.clone(),
                        index: grid.index,
                        row: u64::from(row),
                        col: u64::from(col),
                        detail: format!(
                            "the cell is hidden under the merged cells {}:{} but still holds a \
                             value ({}), which a spreadsheet program does not show; unmerge the \
                             cells, check the figures and save it again",
                            a1(top, left),
                            a1(bottom, right),
                            quote(&value.shown())
                        ),
                    });
                }
            }
        }
    }
    Ok(())
}

/// Sheet names must tell the sheets apart: a return's sheets are found by name, ignoring
/// case, and a program shows only one of two sheets of the same name. And no sheet may be
/// "very hidden", which Excel can hold but never show: a person would check one sheet while
/// npg read another.
fn check_sheets(sheets: &[calamine::Sheet]) -> Result<(), Refusal> {
    let mut seen: std::collections::BTreeMap<String, &str> = std::collections::BTreeMap::new();
    let mut any = false;
    for sheet in sheets {
        let name = sheet.name.as_str();
        any = true;
        if sheet.visible == calamine::SheetVisible::VeryHidden {
            return Err(Refusal::Unreadable(format!(
                "the workbook has a sheet {} hidden so that Excel cannot show it (\"very \
                 hidden\"), so no one can check what it holds; delete it, or make it visible, \
                 and save it again",
                quote(name)
            )));
        }
        let chars = name.chars().count();
        if chars > MAX_SHEET_NAME_CHARS {
            return Err(damaged(format!(
                "it has a sheet whose name is {} characters long (a sheet name is at most {}), \
                 starting {}",
                thousands(chars as u64),
                MAX_SHEET_NAME_CHARS,
                quote(name)
            )));
        }
        // Folded as the reader finds sheets by name (trimmed, any case), so that a second
        // "Expenditure " or "EXPENDITURE" can never stand in for the one a person sees.
        if let Some(earlier) = seen.insert(label_key(name), name) {
            return Err(Refusal::Unreadable(format!(
                "the workbook has two sheets named {} and {}; a spreadsheet program shows one \
                 of them and npg would read the other, so neither can be trusted: delete or \
                 rename the one that is not the return and save it again",
                quote(earlier),
                quote(name)
            )));
        }
    }
    if any { Ok(()) } else { Err(no_sheets()) }
}

/// What is left of a workbook's [`Limits`] as its cells are read: cells and text.
struct Room<'a> {
    limits: &'a Limits,
    cells: u64,
    text: u64,
}

impl<'a> Room<'a> {
    fn new(limits: &'a Limits) -> Room<'a> {
        Room {
            limits,
            cells: limits.cells,
            text: limits.text_bytes,
        }
    }

    /// Takes room for one cell holding `value`: within the rows and columns, within the
    /// cells and text left, and text no longer than a cell can hold.
    fn place(
        &mut self,
        sheet: &str,
        index: usize,
        row: u64,
        col: u64,
        value: &CellValue,
    ) -> Result<(), Refusal> {
        within_limits(self.limits, sheet, index, row, col)?;
        take_cells(&mut self.cells, 1)?;
        if let CellValue::Text(text) | CellValue::Error(text) = value {
            if text.len() > MAX_CELL_CHARS {
                let chars = text.chars().count();
                if chars > MAX_CELL_CHARS {
                    return Err(Refusal::TooLong {
                        sheet: sheet.to_owned(),
                        index,
                        row,
                        col,
                        chars,
                    });
                }
            }
            self.text = self
                .text
                .checked_sub(text.len() as u64)
                .ok_or(Refusal::TooMuchText)?;
        }
        Ok(())
    }
}

// ---------------------------------------------------------------------------------------
// Compound Files: .xls, and encrypted OOXML.

fn open_compound(bytes: &[u8], limits: &Limits) -> Result<WorkbookData, Refusal> {
    let file = Compound::parse(bytes)
        .map_err(|e| damaged(format!("its Compound File cannot be opened: {e}")))?;
    if file.has("EncryptionInfo") || file.has("EncryptedPackage") {
        return Err(Refusal::Locked);
    }
    let Some(stream) = file.stream("Workbook").or_else(|| file.stream("Book")) else {
        let what = if file.has("WordDocument") {
            "it is a Word document"
        } else if file.has("PowerPoint Document") {
            "it is a PowerPoint presentation"
        } else {
            "it is an Office file, but no workbook can be found in it"
        };
        return Err(not_a_spreadsheet(what));
    };
    let stream = stream.map_err(|e| damaged(format!("its workbook stream cannot be read: {e}")))?;
    scan_biff(&stream, limits)?;
    let mut book = Xls::new(Cursor::new(bytes)).map_err(|e| match e {
        XlsError::Password => Refusal::Locked,
        other => reader_error(other),
    })?;
    let data = read_dense(&mut book, limits)?;
    for grid in &data.sheets {
        let merged = book
            .merge_cells_by_sheet_name(&grid.name)
            .map_err(reader_error)?;
        check_merged(grid, &merged)?;
    }
    Ok(data)
}

/// Reads every sheet of an .xls or .ods through calamine's dense ranges, which the scans
/// have already bounded.
fn read_dense<RS, R>(book: &mut R, limits: &Limits) -> Result<WorkbookData, Refusal>
where
    RS: Read + Seek,
    R: Reader<RS>,
    R::Error: Display,
{
    let sheets = book.sheets_metadata().to_vec();
    check_sheets(&sheets)?;
    let mut room = Room::new(limits);
    let mut grids = Vec::with_capacity(sheets.len());
    for (index, sheet) in sheets.iter().enumerate() {
        let range = book.worksheet_range(&sheet.name).map_err(reader_error)?;
        let mut grid = SheetGrid::new(sheet.name.clone(), index);
        // used_cells() counts from the range's start; the grid keeps places in the sheet.
        let (top, left) = range.start().unwrap_or((0, 0));
        for (row, col, value) in range.used_cells() {
            let value = from_data(value);
            if value == CellValue::Empty {
                continue;
            }
            let row = u64::from(top).saturating_add(row as u64);
            let col = u64::from(left).saturating_add(col as u64);
            room.place(&sheet.name, index, row, col, &value)?;
            let (Ok(row), Ok(col)) = (u32::try_from(row), u32::try_from(col)) else {
                continue; // not reached: within_limits bounds both
            };
            grid.set(row, col, value);
        }
        grids.push(grid);
    }
    Ok(WorkbookData { sheets: grids })
}

// ---------------------------------------------------------------------------------------
// Limits shared by the readers and the scans.

fn within_limits(
    limits: &Limits,
    sheet: &str,
    index: usize,
    row: u64,
    col: u64,
) -> Result<(), Refusal> {
    if row >= u64::from(limits.rows) || col >= u64::from(limits.cols) {
        return Err(Refusal::Stray {
            sheet: sheet.to_owned(),
            index,
            row,
            col,
        });
    }
    Ok(())
}

fn take_cells(room: &mut u64, cells: u64) -> Result<(), Refusal> {
    *room = room.checked_sub(cells).ok_or(Refusal::TooManyCells)?;
    Ok(())
}

/// The rectangle a sheet's values span, inclusive.
#[derive(Clone, Copy, Debug)]
struct Bounds {
    top: u64,
    left: u64,
    bottom: u64,
    right: u64,
}

fn widen(bounds: &mut Option<Bounds>, top: u64, left: u64, bottom: u64, right: u64) {
    *bounds = Some(match *bounds {
        None => Bounds {
            top,
            left,
            bottom,
            right,
        },
        Some(b) => Bounds {
            top: b.top.min(top),
            left: b.left.min(left),
            bottom: b.bottom.max(bottom),
            right: b.right.max(right),
        },
    });
}

fn area(bounds: Option<Bounds>) -> u64 {
    bounds.map_or(0, |b| {
        (b.bottom - b.top + 1).saturating_mul(b.right - b.left + 1)
    })
}

// ---------------------------------------------------------------------------------------
// Values.

fn from_data(value: &Data) -> CellValue {
    match value {
        Data::Int(n) => CellValue::Number(*n as f64),
        Data::Float(n) => CellValue::Number(*n),
        Data::String(text) => CellValue::Text(text.clone()),
        Data::Bool(b) => CellValue::Bool(*b),
        Data::DateTime(date) => excel_date(date),
        Data::DateTimeIso(text) => iso_date(text),
        Data::DurationIso(text) => CellValue::Text(text.clone()),
        Data::Error(error) => CellValue::Error(error.to_string()),
        Data::Empty => CellValue::Empty,
    }
}

fn from_data_ref(value: &DataRef) -> CellValue {
    match value {
        DataRef::Int(n) => CellValue::Number(*n as f64),
        DataRef::Float(n) => CellValue::Number(*n),
        DataRef::String(text) => CellValue::Text(text.clone()),
        DataRef::SharedString(text) => CellValue::Text((*text).to_owned()),
        DataRef::Bool(b) => CellValue::Bool(*b),
        DataRef::DateTime(date) => excel_date(date),
        DataRef::DateTimeIso(text) => iso_date(text),
        DataRef::DurationIso(text) => CellValue::Text(text.clone()),
        DataRef::Error(error) => CellValue::Error(error.to_string()),
        DataRef::Empty => CellValue::Empty,
    }
}

/// The serial Excel's dates can take: 0 to 9999-12-31.
const LAST_EXCEL_SERIAL: f64 = 2_958_466.0;

/// A date-formatted number, resolved in the workbook's 1900 or 1904 system. A duration, or a
/// serial no date can have, stays the number it is, so that it is reported rather than lost.
fn excel_date(date: &ExcelDateTime) -> CellValue {
    let serial = date.as_f64();
    // as_datetime() panics on a serial too large for chrono, so it is asked only in range.
    if date.is_datetime()
        && serial.is_finite()
        && (0.0..LAST_EXCEL_SERIAL).contains(&serial)
        && let Some(at) = date.as_datetime()
    {
        return CellValue::Date(at);
    }
    CellValue::Number(serial)
}

/// An .ods date cell: `YYYY-MM-DD` or `YYYY-MM-DDTHH:MM:SS` (fractions allowed). Anything
/// else stays text, to be reported where a date is expected.
fn iso_date(text: &str) -> CellValue {
    let trimmed = text.trim();
    if let Ok(day) = NaiveDate::parse_from_str(trimmed, "%Y-%m-%d") {
        return CellValue::Date(day.and_time(NaiveTime::MIN));
    }
    if let Ok(at) = NaiveDateTime::parse_from_str(trimmed, "%Y-%m-%dT%H:%M:%S%.f") {
        return CellValue::Date(at);
    }
    CellValue::Text(text.to_owned())
}

// ---------------------------------------------------------------------------------------
// A small tag scanner for the XML parts that are checked before calamine reads them. It
// sees start, end and empty-element tags with their raw attributes, skipping comments,
// CDATA, processing instructions and declarations; text is passed over.

#[derive(Debug)]
struct Tag<'a> {
    name: &'a [u8],
    attrs: &'a [u8],
    /// Where `attrs` starts in the XML, so that an attribute can be found there again.
    attrs_at: usize,
    /// Bytes of text (and of anything skipped) between the previous tag and this one.
    text_before: usize,
    /// `</name>`.
    closing: bool,
    /// `<name/>`.
    self_closing: bool,
}

/// One attribute of a tag: its name, its raw value, and where the whole `name="value"`
/// lies in the XML.
struct Attr<'a> {
    name: &'a [u8],
    value: &'a [u8],
    span: std::ops::Range<usize>,
}

impl<'a> Tag<'a> {
    fn attributes(&self) -> Attrs<'a> {
        Attrs {
            rest: self.attrs,
            at: self.attrs_at,
        }
    }

    /// The raw value of an attribute, by its full name (`table:name`).
    fn attr(&self, key: &[u8]) -> Option<&'a [u8]> {
        self.attributes()
            .find(|attr| attr.name == key)
            .map(|attr| attr.value)
    }

    fn has_any_attr(&self, keys: &[&[u8]]) -> bool {
        self.attributes().any(|attr| keys.contains(&attr.name))
    }
}

struct Attrs<'a> {
    rest: &'a [u8],
    /// Where `rest` starts in the XML.
    at: usize,
}

impl<'a> Iterator for Attrs<'a> {
    type Item = Attr<'a>;

    fn next(&mut self) -> Option<Self::Item> {
        let skipped = self.rest.len() - self.rest.trim_ascii_start().len();
        let rest = &self.rest[skipped..];
        let start = self.at + skipped;
        let eq = rest.iter().position(|&b| b == b'=')?;
        let name = rest[..eq].trim_ascii();
        let after_eq = &rest[eq + 1..];
        let after = after_eq.trim_ascii_start();
        let value_at = eq + 1 + (after_eq.len() - after.len());
        let quote = *after.first()?;
        if quote != b'"' && quote != b'\'' {
            return None;
        }
        let len = after[1..].iter().position(|&b| b == quote)?;
        let value = &after[1..1 + len];
        let end = value_at + len + 2;
        self.rest = &rest[end..];
        self.at = start + end;
        Some(Attr {
            name,
            value,
            span: start..start + end,
        })
    }
}

struct Tags<'a> {
    xml: &'a [u8],
    at: usize,
    /// Where the previous tag ended.
    last_end: usize,
    /// Set when the input ends inside a tag, comment, CDATA section or declaration.
    broken: bool,
}

impl<'a> Tags<'a> {
    fn new(xml: &'a [u8]) -> Tags<'a> {
        Tags {
            xml,
            at: 0,
            last_end: 0,
            broken: false,
        }
    }

    /// Moves past the first `end` at or after `from`; false when there is none.
    fn skip_past(&mut self, from: usize, end: &[u8]) -> bool {
        match self.xml.get(from..).and_then(|rest| find(rest, end)) {
            Some(found) => {
                self.at = from + found + end.len();
                true
            }
            None => false,
        }
    }
}

impl<'a> Iterator for Tags<'a> {
    type Item = Tag<'a>;

    fn next(&mut self) -> Option<Tag<'a>> {
        loop {
            let xml = self.xml;
            let start = self.at + xml.get(self.at..)?.iter().position(|&b| b == b'<')?;
            let rest = &xml[start..];
            let skipped = if rest.starts_with(b"<!--") {
                Some(self.skip_past(start + 4, b"-->"))
            } else if rest.starts_with(b"<![CDATA[") {
                Some(self.skip_past(start + 9, b"]]>"))
            } else if rest.starts_with(b"<?") {
                Some(self.skip_past(start + 2, b"?>"))
            } else if rest.starts_with(b"<!") {
                Some(self.skip_past(start + 2, b">"))
            } else {
                None
            };
            match skipped {
                Some(true) => continue,
                Some(false) => {
                    self.broken = true;
                    return None;
                }
                None => {}
            }
            // The tag ends at the first '>' outside a quoted attribute value.
            let mut quote = None;
            let mut end = None;
            for (offset, &b) in rest.iter().enumerate().skip(1) {
                match quote {
                    Some(q) if b == q => quote = None,
                    Some(_) => {}
                    None if b == b'"' || b == b'\'' => quote = Some(b),
                    None if b == b'>' => {
                        end = Some(offset);
                        break;
                    }
                    None => {}
                }
            }
            let Some(end) = end else {
                self.broken = true;
                return None;
            };
            self.at = start + end + 1;
            let text_before = start - self.last_end;
            self.last_end = self.at;
            let inner = &rest[1..end];
            let (closing, inner) = match inner.strip_prefix(b"/") {
                Some(inner) => (true, inner),
                None => (false, inner),
            };
            let (self_closing, inner) = match inner.strip_suffix(b"/") {
                Some(inner) => (true, inner),
                None => (false, inner),
            };
            let name_len = inner
                .iter()
                .position(|b| b.is_ascii_whitespace())
                .unwrap_or(inner.len());
            // `inner` starts after `<` (and after `/` when closing).
            let inner_at = start + 1 + usize::from(closing);
            return Some(Tag {
                name: &inner[..name_len],
                attrs: &inner[name_len..],
                attrs_at: inner_at + name_len,
                text_before,
                closing,
                self_closing,
            });
        }
    }
}

fn local_name(name: &[u8]) -> &[u8] {
    match name.iter().rposition(|&b| b == b':') {
        Some(colon) => &name[colon + 1..],
        None => name,
    }
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    if needle.is_empty() {
        return Some(0);
    }
    haystack
        .windows(needle.len())
        .position(|window| window == needle)
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    find(haystack, needle).is_some()
}

/// Plain decimal digits, as every count written by a spreadsheet program is.
fn digits(value: &[u8]) -> Option<u64> {
    if value.is_empty() || value.len() > 19 || !value.iter().all(u8::is_ascii_digit) {
        return None;
    }
    std::str::from_utf8(value).ok()?.parse().ok()
}

/// The text of an attribute value, with XML's five named entities undone (for messages).
fn xml_text(value: &[u8]) -> String {
    String::from_utf8_lossy(value)
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&apos;", "'")
        .replace("&amp;", "&")
}

// ---------------------------------------------------------------------------------------
// The .ods scan: where calamine will put every value, before it builds anything.

/// The attributes that give an .ods cell a value or a formula in calamine's reading; a cell
/// with none of them is empty there, however many columns it repeats over.
const ODS_VALUE_ATTRS: [&[u8]; 8] = [
    b"office:value-type",
    b"office:value",
    b"office:string-value",
    b"office:date-value",
    b"office:time-value",
    b"office:boolean-value",
    b"calcext:value-type",
    b"table:formula",
];

struct OdsTable {
    name: String,
    index: usize,
    /// The first row of the next `table:table-row`.
    row: u64,
    bounds: Option<Bounds>,
}

struct OdsRow {
    repeat: u64,
    /// The first column of the next cell.
    col: u64,
}

fn repeat_count(tag: &Tag, key: &[u8]) -> Result<u64, Refusal> {
    match tag.attr(key) {
        None => Ok(1),
        // calamine skips a repeat of 0; counting it as 1 only places later cells further.
        Some(value) => digits(value).map(|n| n.max(1)).ok_or_else(|| {
            damaged(format!(
                "its content has a repeat count that is not a number: {}",
                quote(&String::from_utf8_lossy(value))
            ))
        }),
    }
}

/// The attributes that give an .ods cell its value; LibreOffice reads the one its
/// `office:value-type` names, calamine the first it meets, whatever the type.
const ODS_VALUES: [&[u8]; 5] = [
    b"office:value",
    b"office:string-value",
    b"office:date-value",
    b"office:time-value",
    b"office:boolean-value",
];

/// The value attribute a cell of this `office:value-type` is read by (ODF 1.3 §19.385);
/// `None` for a type ODF does not have.
fn ods_value_attr(value_type: &[u8]) -> Option<&'static [u8]> {
    match value_type {
        b"float" | b"percentage" | b"currency" => Some(b"office:value"),
        b"date" => Some(b"office:date-value"),
        b"time" => Some(b"office:time-value"),
        b"boolean" => Some(b"office:boolean-value"),
        b"string" => Some(b"office:string-value"),
        _ => None,
    }
}

/// One open cell of the scan: where it is, how often it repeats, and the text it holds.
struct OdsCell {
    row: u64,
    col: u64,
    /// Cells it stands for: its row's repeat times its own.
    copies: u64,
    /// Its text is read as its value (a string cell without `office:string-value`).
    text_is_value: bool,
    /// Bytes of text so far, spaces of `text:s` included.
    text: u64,
    /// Bytes of the value attribute calamine keeps as text (`office:string-value`, or a
    /// date or time value).
    value_bytes: u64,
}

/// The most bytes the text of one cell may come to: [`MAX_CELL_CHARS`] characters of up to
/// four bytes each (the exact count of characters is checked once the cell is read).
const MAX_CELL_TEXT_BYTES: u64 = 4 * MAX_CELL_CHARS as u64;

/// Scans `content.xml` before calamine reads it: every value's place within the limits, the
/// text every cell expands to within them, every cell's value as its type says. Returns the
/// spans of value attributes a cell's type does not use, to be blanked out so that calamine
/// reads what LibreOffice shows.
fn scan_ods_content(xml: &[u8], limits: &Limits) -> Result<Vec<std::ops::Range<usize>>, Refusal> {
    let mut room = limits.cells;
    let mut text_room = limits.text_bytes;
    let mut unused = Vec::new();
    let mut named_tables = 0;
    let mut table: Option<OdsTable> = None;
    let mut row: Option<OdsRow> = None;
    let mut cell: Option<OdsCell> = None;
    let nested = |what: &str| damaged(format!("its content has {what}"));
    // Every element must close in order. calamine reads with end names unchecked and loops
    // for ever when the content ends inside a sheet (or inside a cell's comment), so only
    // well-formed content is handed to it.
    let mut open_elements: Vec<&[u8]> = Vec::new();
    let mut tags = Tags::new(xml);
    for tag in tags.by_ref() {
        if tag.closing {
            if open_elements.pop() != Some(tag.name) {
                return Err(damaged("its content has a tag that closes out of order"));
            }
        } else if !tag.self_closing {
            open_elements.push(tag.name);
        }
        if !tag.closing {
            check_ods_namespaces(&tag)?;
        }
        if let Some(open_cell) = cell.as_mut() {
            open_cell.text = open_cell.text.saturating_add(tag.text_before as u64);
        }
        match (tag.closing, tag.name) {
            (false, b"table:table") => {
                if table.is_some() {
                    return Err(nested("a table inside a table"));
                }
                let name = tag.attr(b"table:name").map(xml_text);
                let opened = OdsTable {
                    name: name.clone().unwrap_or_default(),
                    index: named_tables,
                    row: 0,
                    bounds: None,
                };
                // calamine lists only named tables as sheets.
                if name.is_some() {
                    named_tables += 1;
                }
                if !tag.self_closing {
                    table = Some(opened);
                }
            }
            (true, b"table:table") => {
                if let Some(closed) = table.take() {
                    take_cells(&mut room, area(closed.bounds))?;
                }
                row = None;
                cell = None;
            }
            (false, b"table:table-row") => {
                let Some(open_table) = table.as_mut() else {
                    continue; // calamine reads rows only inside a table
                };
                if row.is_some() {
                    return Err(nested("a row inside a row"));
                }
                let repeat = repeat_count(&tag, b"table:number-rows-repeated")?;
                if tag.self_closing {
                    open_table.row = open_table.row.saturating_add(repeat);
                } else {
                    row = Some(OdsRow { repeat, col: 0 });
                }
            }
            (true, b"table:table-row") => {
                if let (Some(open_table), Some(closed)) = (table.as_mut(), row.take()) {
                    open_table.row = open_table.row.saturating_add(closed.repeat);
                }
                cell = None;
            }
            (false, b"table:table-cell" | b"table:covered-table-cell") => {
                let (Some(open_table), Some(open_row)) = (table.as_mut(), row.as_mut()) else {
                    continue; // calamine reads cells only inside a row
                };
                if cell.is_some() {
                    return Err(nested("a cell inside a cell"));
                }
                let repeat = repeat_count(&tag, b"table:number-columns-repeated")?;
                let (top, left) = (open_table.row, open_row.col);
                let ambiguous = |detail: String| Refusal::Ambiguous {
                    sheet: open_table.name.clone(),
                    index: open_table.index,
                    row: top,
                    col: left,
                    detail,
                };
                let value = read_ods_cell_value(&tag, &mut unused).map_err(ambiguous)?;
                if tag.has_any_attr(&ODS_VALUE_ATTRS) {
                    let bottom = top.saturating_add(open_row.repeat - 1);
                    let right = left.saturating_add(repeat - 1);
                    within_limits(limits, &open_table.name, open_table.index, bottom, right)?;
                    widen(&mut open_table.bounds, top, left, bottom, right);
                }
                open_row.col = open_row.col.saturating_add(repeat);
                let opened = OdsCell {
                    row: top,
                    col: left,
                    copies: open_row.repeat.saturating_mul(repeat),
                    text_is_value: value.text_is_value,
                    text: 0,
                    value_bytes: value.value_bytes,
                };
                if tag.self_closing {
                    close_ods_cell(&opened, open_table, &mut text_room)?;
                } else {
                    cell = Some(opened);
                }
            }
            (true, b"table:table-cell" | b"table:covered-table-cell") => {
                if let (Some(closed), Some(open_table)) = (cell.take(), table.as_ref()) {
                    close_ods_cell(&closed, open_table, &mut text_room)?;
                }
            }
            (false, b"text:s") => {
                let count = match tag.attr(b"text:c") {
                    None => 1,
                    Some(count) => match digits(count) {
                        Some(n) if n <= MAX_SPACES => n,
                        _ => {
                            return Err(damaged(format!(
                                "its content asks for a run of {} spaces",
                                quote(&String::from_utf8_lossy(count))
                            )));
                        }
                    },
                };
                if let Some(open_cell) = cell.as_mut() {
                    open_cell.text = open_cell.text.saturating_add(count);
                }
            }
            // A paragraph after the first, a tab or a line break: one character each.
            (false, b"text:p" | b"text:tab" | b"text:line-break") => {
                if let Some(open_cell) = cell.as_mut() {
                    open_cell.text = open_cell.text.saturating_add(1);
                }
            }
            _ => {}
        }
        if let (Some(open_cell), Some(open_table)) = (cell.as_ref(), table.as_ref())
            && open_cell.text > MAX_CELL_TEXT_BYTES
        {
            return Err(cell_too_long(open_cell, open_table));
        }
    }
    if tags.broken || !open_elements.is_empty() {
        return Err(damaged("its content stops part-way through"));
    }
    Ok(unused)
}

/// The prefixes OpenDocument gives the namespaces of a spreadsheet's cells, which calamine
/// matches by their letters and LibreOffice by what they are bound to.
const ODS_NAMESPACES: [(&[u8], &[u8]); 4] = [
    (
        b"office",
        b"urn:oasis:names:tc:opendocument:xmlns:office:1.0",
    ),
    (b"table", b"urn:oasis:names:tc:opendocument:xmlns:table:1.0"),
    (b"text", b"urn:oasis:names:tc:opendocument:xmlns:text:1.0"),
    (
        b"calcext",
        b"urn:org:documentfoundation:names:experimental:calc:xmlns:calcext:1.0",
    ),
];

/// Refuses a tag that binds a cell's namespace to another prefix, or one of its prefixes to
/// another namespace: calamine would read `office:value` by its letters while LibreOffice
/// read the attribute its namespace names.
fn check_ods_namespaces(tag: &Tag) -> Result<(), Refusal> {
    for attr in tag.attributes() {
        let prefix = match attr.name.strip_prefix(b"xmlns") {
            Some(b"") => b"".as_slice(),
            Some(rest) => match rest.strip_prefix(b":") {
                Some(prefix) => prefix,
                None => continue,
            },
            None => continue,
        };
        let odd = ODS_NAMESPACES.iter().any(|(standard, uri)| {
            (prefix == *standard && attr.value != *uri)
                || (attr.value == *uri && prefix != *standard)
        });
        if odd {
            return Err(damaged(format!(
                "its content binds the prefix {} to {}, not as OpenDocument does, so programs \
                 differ on what its cells hold",
                quote(&String::from_utf8_lossy(prefix)),
                quote(&xml_text(attr.value))
            )));
        }
    }
    Ok(())
}

/// What an .ods cell's value is made of, for the text it will hold.
#[derive(Default)]
struct OdsValue {
    /// The cell's text (its paragraphs) is its value.
    text_is_value: bool,
    /// Bytes of the value attribute kept as text.
    value_bytes: u64,
}

/// Reads an .ods cell's value attributes as LibreOffice does: by its `office:value-type`.
/// The spans of value attributes its type does not use go into `unused` (calamine would
/// read the first of them instead); a cell whose value cannot be told (a value with no type,
/// a type with no value, a type ODF does not have, a value hidden under merged cells) is an
/// `Err` saying so.
fn read_ods_cell_value(
    tag: &Tag,
    unused: &mut Vec<std::ops::Range<usize>>,
) -> Result<OdsValue, String> {
    let attrs: Vec<Attr> = tag.attributes().collect();
    for (i, attr) in attrs.iter().enumerate() {
        if attrs[..i].iter().any(|earlier| earlier.name == attr.name) {
            return Err(format!(
                "the cell gives {} twice, so programs differ on which they read; {SAVE_AGAIN}",
                String::from_utf8_lossy(attr.name)
            ));
        }
    }
    let values: Vec<&Attr> = attrs
        .iter()
        .filter(|a| ODS_VALUES.contains(&a.name))
        .collect();
    let value_type = attrs
        .iter()
        .find(|a| a.name == b"office:value-type")
        .map(|a| a.value);
    let shown = |attr: &Attr| quote(&xml_text(attr.value));
    if tag.name == b"table:covered-table-cell" {
        if value_type.is_some() || !values.is_empty() {
            let what = values
                .first()
                .map_or_else(|| "text".to_owned(), |hidden| shown(hidden));
            return Err(format!(
                "the cell is hidden under merged cells but still holds a value ({what}), which \
                 a spreadsheet program does not show; unmerge the cells, check the figures \
                 and save it again"
            ));
        }
        return Ok(OdsValue::default());
    }
    let Some(value_type) = value_type else {
        return match values.first() {
            Some(value) => Err(format!(
                "the cell holds a value ({}) but says nothing of its type, so programs differ \
                 on what it holds; retype it and save it again",
                shown(value)
            )),
            None => Ok(OdsValue::default()),
        };
    };
    let Some(used) = ods_value_attr(value_type) else {
        return Err(format!(
            "the cell's type {} is not one a spreadsheet has; retype it and save it again",
            quote(&xml_text(value_type))
        ));
    };
    for value in &values {
        if value.name != used {
            unused.push(value.span.clone());
        }
    }
    let kept = values.iter().find(|v| v.name == used);
    // calamine keeps string, date and time values as text; numbers and booleans are not.
    let value_bytes = kept
        .filter(|v| v.name != b"office:value" && v.name != b"office:boolean-value")
        .map_or(0, |v| v.value.len() as u64);
    if value_type == b"string" {
        return Ok(OdsValue {
            text_is_value: kept.is_none(),
            value_bytes,
        });
    }
    if kept.is_none() {
        return Err(format!(
            "the cell says it holds a {} but gives no value; retype it and save it again",
            xml_text(value_type)
        ));
    }
    Ok(OdsValue {
        text_is_value: false,
        value_bytes,
    })
}

/// The scan stops counting a cell's text once it is past all a cell can hold, so the
/// finding says "at least".
fn cell_too_long(cell: &OdsCell, table: &OdsTable) -> Refusal {
    Refusal::TooLong {
        sheet: table.name.clone(),
        index: table.index,
        row: cell.row,
        col: cell.col,
        chars: 0,
    }
}

/// Takes room for the text of a closed cell, once for every copy calamine will make of it.
fn close_ods_cell(cell: &OdsCell, table: &OdsTable, room: &mut u64) -> Result<(), Refusal> {
    if cell.text > MAX_CELL_TEXT_BYTES || cell.value_bytes > MAX_CELL_TEXT_BYTES {
        return Err(cell_too_long(cell, table));
    }
    let text = if cell.text_is_value { cell.text } else { 0 } + cell.value_bytes;
    *room = room
        .checked_sub(text.saturating_mul(cell.copies))
        .ok_or(Refusal::TooMuchText)?;
    Ok(())
}

// ---------------------------------------------------------------------------------------
// The .xls scan: the records of the Workbook stream, before calamine parses them.

const BIFF_BOF: u16 = 0x0809;
const BIFF_EOF: u16 = 0x000A;
const BIFF_FILEPASS: u16 = 0x002F;
const BIFF_BOUNDSHEET: u16 = 0x0085;
const BIFF_DIMENSIONS: u16 = 0x0200;
const BIFF_MULRK: u16 = 0x00BD;
const BIFF_MERGECELLS: u16 = 0x00E5;
const BIFF_FORMULA: u16 = 0x0006;
const BIFF_SST: u16 = 0x00FC;
const BIFF_CONTINUE: u16 = 0x003C;
const BIFF_LABELSST: u16 = 0x00FD;
const BIFF_LABEL: u16 = 0x0204;
const BIFF_RSTRING: u16 = 0x00D6;
/// The text result of the FORMULA record before it.
const BIFF_STRING: u16 = 0x0207;
/// NUMBER, LABEL, RSTRING, BOOLERR, RK, LABELSST and FORMULA: each starts with the row and
/// column of its one cell, and calamine makes a cell of each.
const BIFF_CELLS: [u16; 7] = [0x0203, 0x0204, 0x00D6, 0x0205, 0x027E, 0x00FD, 0x0006];

fn le16(bytes: &[u8], at: usize) -> Option<u16> {
    Some(u16::from_le_bytes(bytes.get(at..at + 2)?.try_into().ok()?))
}

fn le32(bytes: &[u8], at: usize) -> Option<u32> {
    Some(u32::from_le_bytes(bytes.get(at..at + 4)?.try_into().ok()?))
}

fn le64(bytes: &[u8], at: usize) -> Option<u64> {
    Some(u64::from_le_bytes(bytes.get(at..at + 8)?.try_into().ok()?))
}

/// BIFF records as (type, data); stops at a record cut short, where calamine stops too.
fn biff_records(stream: &[u8]) -> impl Iterator<Item = (u16, &[u8])> {
    let mut rest = stream;
    std::iter::from_fn(move || {
        let typ = le16(rest, 0)?;
        let len = usize::from(le16(rest, 2)?);
        let data = rest.get(4..4 + len)?;
        rest = rest.get(4 + len..)?;
        Some((typ, data))
    })
}

/// A BoundSheet record's sheet name, for messages only.
fn bound_sheet_name(data: &[u8], biff8: bool) -> String {
    let Some(&count) = data.get(6) else {
        return String::new();
    };
    let count = usize::from(count);
    let latin1 = |bytes: &[u8]| bytes.iter().take(count).map(|&b| char::from(b)).collect();
    if !biff8 {
        return latin1(data.get(7..).unwrap_or_default());
    }
    let chars = data.get(8..).unwrap_or_default();
    if data.get(7).is_some_and(|flags| flags & 1 == 1) {
        let units: Vec<u16> = chars
            .chunks_exact(2)
            .take(count)
            .map(|pair| u16::from_le_bytes([pair[0], pair[1]]))
            .collect();
        String::from_utf16_lossy(&units)
    } else {
        latin1(chars)
    }
}

/// The number of cells calamine reserves for a DIMENSIONS record, computed as it does
/// (including its wrap-around when the last row is before the first).
fn declared_area(data: &[u8]) -> Option<u64> {
    let (first_row, last_row, mut first_col, last_col) = match data.len() {
        10 => (
            u32::from(le16(data, 0)?),
            u32::from(le16(data, 2)?),
            u32::from(le16(data, 4)?),
            u32::from(le16(data, 6)?),
        ),
        14 | 16 => (
            le32(data, 0)?,
            le32(data, 4)?,
            u32::from(le16(data, 8)?),
            u32::from(le16(data, 10)?),
        ),
        _ => return None,
    };
    if first_col > 0xFF || last_col < first_col {
        first_col = 0;
    }
    let (end_row, end_col) = if last_row >= 1 && last_col >= 1 {
        (last_row - 1, last_col - 1)
    } else {
        (first_row, first_col)
    };
    let rows = u64::from(end_row.wrapping_sub(first_row).wrapping_add(1));
    let cols = u64::from(end_col.wrapping_sub(first_col).wrapping_add(1));
    Some(rows.saturating_mul(cols))
}

/// The walk calamine makes of its records (`RecordIter`): each record with the CONTINUE
/// records that follow it, while more than a record header is left.
fn calamine_records(stream: &[u8]) -> impl Iterator<Item = (u16, &[u8], Vec<&[u8]>)> {
    let mut rest = stream;
    std::iter::from_fn(move || {
        let typ = le16(rest, 0)?;
        let len = usize::from(le16(rest, 2)?);
        let data = rest.get(4..4 + len)?;
        rest = &rest[4 + len..];
        let mut continues = Vec::new();
        while rest.len() > 4 && le16(rest, 0) == Some(BIFF_CONTINUE) {
            let len = usize::from(le16(rest, 2)?);
            continues.push(rest.get(4..4 + len)?);
            rest = &rest[4 + len..];
        }
        Some((typ, data, continues))
    })
}

/// Walks the shared strings (SST) as calamine reads them (`parse_sst`,
/// `read_rich_extended_string`, `read_dbcs`), looking only for the reads it makes unchecked:
/// the count of formatting runs or the size of the phonetic block cut short, or a string
/// continued into an empty CONTINUE record. Each made calamine panic (found by fuzzing).
/// Where calamine would stop with an error of its own, so does this walk: that is F01 then.
fn shared_strings_cut_short<'a>(first: &'a [u8], continues: &[&'a [u8]]) -> bool {
    let mut data = match first.get(8..) {
        Some(data) => data,
        None => return false,
    };
    let mut next = continues.iter();
    let mut more = |data: &mut &'a [u8]| match next.next() {
        Some(piece) => {
            *data = piece;
            true
        }
        None => false,
    };
    while !data.is_empty() || more(&mut data) {
        if data.is_empty() {
            continue; // calamine reads an empty string and goes on
        }
        if data.len() < 3 {
            return false;
        }
        let mut chars = usize::from(u16::from_le_bytes([data[0], data[1]]));
        let flags = data[2];
        data = &data[3..];
        let mut runs = 0usize;
        let mut phonetic = 0usize;
        if flags & 0x8 != 0 {
            let Some(count) = le16(data, 0) else {
                return true;
            };
            runs = usize::from(count);
            data = &data[2..];
        }
        if flags & 0x4 != 0 {
            let Some(size) = le32(data, 0) else {
                return true;
            };
            phonetic = size as i32 as usize;
            data = &data[4..];
        }
        let mut wide = flags & 0x1 != 0;
        while chars > 0 {
            let taken = if wide {
                (data.len() / 2).min(chars)
            } else {
                data.len().min(chars)
            };
            data = &data[if wide { 2 * taken } else { taken }..];
            chars -= taken;
            if chars > 0 {
                if !more(&mut data) {
                    return false;
                }
                let Some(&flag) = data.first() else {
                    return true;
                };
                wide = flag & 0x1 != 0;
                data = &data[1..];
            }
        }
        for mut skip in [runs * 4, phonetic] {
            while skip > 0 {
                if data.is_empty() && !more(&mut data) {
                    return false;
                }
                let taken = skip.min(data.len());
                data = &data[taken..];
                skip -= taken;
            }
        }
    }
    false
}

/// True for a record of the globals that is shorter than calamine reads it unchecked.
fn global_record_cut_short(typ: u16, data: &[u8]) -> bool {
    let len = data.len();
    match typ {
        // CodePage, DateMode, ExternSheet (its count), BOF.
        0x0042 | 0x0022 | 0x0017 | BIFF_BOF => len < 2,
        // BoundSheet: position, state, type, then the name.
        BIFF_BOUNDSHEET => len < 8,
        // Lbl: 14 bytes of header, then the name and a formula of cce bytes from the end.
        0x0018 => len < 14 || le16(data, 4).is_none_or(|cce| usize::from(cce) > len - 14),
        _ => false,
    }
}

fn scan_biff(stream: &[u8], limits: &Limits) -> Result<(), Refusal> {
    for (typ, data, continues) in calamine_records(stream) {
        if typ == BIFF_EOF {
            break;
        }
        if typ == BIFF_SST && shared_strings_cut_short(data, &continues) {
            return Err(damaged("its table of shared strings is cut short"));
        }
    }
    let mut biff8 = true;
    let mut sheets = Vec::new();
    // The shared strings (SST and its CONTINUE records): no string in it can be longer.
    let mut shared_bytes: u64 = 0;
    let mut in_shared = false;
    for (number, (typ, data)) in biff_records(stream).enumerate() {
        in_shared = match typ {
            BIFF_SST => true,
            BIFF_CONTINUE => in_shared,
            _ => false,
        };
        if in_shared {
            shared_bytes = shared_bytes.saturating_add(data.len() as u64);
        }
        // calamine reads these records of the workbook's globals without checking their
        // length first (xls.rs: CodePage, DateMode, ExternSheet, BoundSheet, BOF, Lbl), and
        // panics on one cut short: found by fuzzing, refused here first.
        if global_record_cut_short(typ, data) {
            return Err(damaged(format!(
                "a record of its workbook stream (type {typ:#06x}) is cut short"
            )));
        }
        match typ {
            BIFF_BOF if number == 0 => biff8 = le16(data, 0) == Some(0x0600),
            // Any FilePass means the records after it are encrypted: a password to open.
            BIFF_FILEPASS => return Err(Refusal::Locked),
            BIFF_BOUNDSHEET => {
                if let Some(position) = le32(data, 0) {
                    sheets.push((position as usize, bound_sheet_name(data, biff8)));
                }
            }
            BIFF_EOF => break,
            _ => {}
        }
    }
    // calamine copies a shared string into every cell that uses it; each copy is at most
    // the whole table of shared strings, as UTF-8 (at most 2 bytes for each byte of it).
    let per_shared_cell = shared_bytes.saturating_mul(2).min(3 * 65_535);
    let mut room = limits.cells;
    let mut text_room = limits.text_bytes;
    for (index, (position, name)) in sheets.iter().enumerate() {
        // calamine slices the stream at the position unchecked (xls.rs, `&stream[pos..]`),
        // and panics on one past its end: found by fuzzing, refused here first.
        let Some(records) = stream.get(*position..) else {
            return Err(damaged(format!(
                "sheet {} starts past the end of its workbook stream",
                quote(name)
            )));
        };
        let mut bounds = None;
        // Every cell placed, to find one placed twice (calamine keeps the last, another
        // program the first).
        let mut placed: std::collections::BTreeSet<(u16, u64)> = std::collections::BTreeSet::new();
        let mut place = |row: u16, first: u16, last: u64| -> Result<(), Refusal> {
            within_limits(limits, name, index, u64::from(row), last)?;
            for col in u64::from(first)..=last {
                if !placed.insert((row, col)) {
                    return Err(Refusal::Ambiguous {
                        sheet: name.clone(),
                        index,
                        row: u64::from(row),
                        col,
                        detail: format!(
                            "the file holds this cell twice, so programs differ on which value \
                             they show; {SAVE_AGAIN}"
                        ),
                    });
                }
            }
            let row = u64::from(row);
            widen(&mut bounds, row, u64::from(first), row, last);
            Ok(())
        };
        let mut take_text = |bytes: u64| -> Result<(), Refusal> {
            text_room = text_room.checked_sub(bytes).ok_or(Refusal::TooMuchText)?;
            Ok(())
        };
        let mut declared = 0u64;
        // calamine skips substreams nested in a sheet (an embedded chart, say).
        let mut seen_bof = false;
        let mut depth = 0usize;
        for (typ, data) in biff_records(records) {
            if depth > 0 {
                match typ {
                    BIFF_BOF => depth += 1,
                    BIFF_EOF => depth -= 1,
                    _ => {}
                }
                continue;
            }
            // calamine reads a formula's length and slices the record by it unchecked
            // (xls.rs, `parse_formula`; found by fuzzing).
            if typ == BIFF_FORMULA
                && data.len() >= 20
                && le16(data, 20).is_none_or(|cce| data.len() < 22 + usize::from(cce))
            {
                return Err(damaged(format!(
                    "a formula of sheet {} is cut short",
                    quote(name)
                )));
            }
            // calamine reads a MERGECELLS record's ranges without checking that the record
            // holds as many as it counts (xls.rs, `parse_merge_cells`; found by fuzzing).
            if typ == BIFF_MERGECELLS
                && le16(data, 0).is_none_or(|count| data.len() < 2 + 8 * usize::from(count))
            {
                return Err(damaged(format!(
                    "a record of sheet {} (its merged cells) is cut short",
                    quote(name)
                )));
            }
            match typ {
                BIFF_BOF if seen_bof => depth += 1,
                BIFF_BOF => seen_bof = true,
                BIFF_DIMENSIONS
                    if declared_area(data).is_some_and(|cells| cells > XLS_FORMAT_AREA) =>
                {
                    return Err(damaged(format!(
                        "sheet {} declares more cells than an .xls sheet can have",
                        quote(name)
                    )));
                }
                // calamine reserves room for every cell the record declares, at 40 bytes
                // each: a sheet of the format's full 65,536 × 256 would take 671 MB at once
                // (found by fuzzing), so a sheet may declare no more than a workbook may hold.
                // Checked once the sheet's cells are, so that a stray value is named first.
                BIFF_DIMENSIONS => {
                    declared = declared.max(declared_area(data).unwrap_or(0));
                }
                BIFF_MULRK => {
                    // calamine subtracts the first column from the last unchecked.
                    let last = data.len().checked_sub(2).and_then(|at| le16(data, at));
                    if data.len() >= 6 && last < le16(data, 2) {
                        return Err(damaged(format!(
                            "a record of sheet {} ends before it starts",
                            quote(name)
                        )));
                    }
                    if let (Some(row), Some(first)) = (le16(data, 0), le16(data, 2)) {
                        let cells = data.len().saturating_sub(6) / 6;
                        if cells > 0 {
                            place(row, first, u64::from(first) + cells as u64 - 1)?;
                        }
                    }
                }
                typ if BIFF_CELLS.contains(&typ) => {
                    if let (Some(row), Some(col)) = (le16(data, 0), le16(data, 2)) {
                        place(row, col, u64::from(col))?;
                    }
                    match typ {
                        BIFF_LABELSST => take_text(per_shared_cell)?,
                        BIFF_LABEL | BIFF_RSTRING => take_text(2 * data.len() as u64)?,
                        _ => {}
                    }
                }
                // The text result of a formula.
                BIFF_STRING => take_text(2 * data.len() as u64)?,
                BIFF_EOF => break,
                _ => {}
            }
        }
        if declared > limits.cells {
            return Err(Refusal::Unreadable(format!(
                "sheet {} is laid out over more than {} cells, far more than {} uses; delete \
                 the unused rows and columns below and to the right of the table and save it \
                 again",
                quote(name),
                thousands(limits.cells),
                limits.what
            )));
        }
        take_cells(&mut room, area(bounds))?;
    }
    Ok(())
}

// ---------------------------------------------------------------------------------------
// A reader for Compound File Binary containers (MS-CFB), enough to list their entries and
// read one stream. It walks every chain calamine will walk when it opens the file (the
// directory, the mini stream and the mini FAT, then the workbook stream), finding entries
// as calamine does, so that a chain that loops, which would make calamine read for ever or
// allocate without bound, is an error here first. Every allocation is bounded by the
// file's size and every chain by its number of sectors.

/// Sector ids above this are markers (free, end of chain, FAT, DIFAT).
const MAX_REGULAR_SECTOR: u32 = 0xFFFF_FFFA;
const MINI_SECTOR: usize = 64;
/// Streams shorter than this live in the mini stream (as calamine reads them too).
const MINI_CUTOFF: u64 = 4096;

struct Entry {
    name: String,
    start: u32,
    size: u64,
}

struct Compound<'a> {
    bytes: &'a [u8],
    sector_size: usize,
    /// Sectors after the header; the last may be cut short.
    sectors: usize,
    fat: Vec<u32>,
    entries: Vec<Entry>,
    mini_stream: Vec<u8>,
    mini_fat: Vec<u32>,
}

fn words(bytes: &[u8]) -> impl Iterator<Item = u32> + '_ {
    bytes
        .chunks_exact(4)
        .map(|word| u32::from_le_bytes([word[0], word[1], word[2], word[3]]))
}

impl<'a> Compound<'a> {
    fn parse(bytes: &'a [u8]) -> Result<Compound<'a>, String> {
        let header = bytes
            .get(..512)
            .ok_or("it is shorter than a Compound File header")?;
        let sector_size = match le16(header, 30) {
            Some(9) => 512,
            Some(12) => 4096,
            other => return Err(format!("unknown sector size {other:?}")),
        };
        if bytes.len() <= sector_size {
            return Err("it holds no sectors".to_owned());
        }
        let sectors = (bytes.len() - sector_size).div_ceil(sector_size);
        let mut file = Compound {
            bytes,
            sector_size,
            sectors,
            fat: Vec::new(),
            entries: Vec::new(),
            mini_stream: Vec::new(),
            mini_fat: Vec::new(),
        };

        // The FAT's own sectors: 109 listed in the header, the rest in the DIFAT chain.
        let mut fat_sectors: Vec<u32> = (0..109)
            .filter_map(|i| le32(header, 76 + 4 * i))
            .filter(|&id| id <= MAX_REGULAR_SECTOR)
            .collect();
        let per_difat = sector_size / 4 - 1;
        let mut next = le32(header, 68).unwrap_or(u32::MAX);
        let mut hops = 0;
        while next <= MAX_REGULAR_SECTOR {
            hops += 1;
            if hops > sectors {
                return Err("its DIFAT chain loops".to_owned());
            }
            let sector = file.sector(next)?;
            fat_sectors.extend(
                (0..per_difat)
                    .filter_map(|i| le32(sector, 4 * i))
                    .filter(|&id| id <= MAX_REGULAR_SECTOR),
            );
            next = le32(sector, 4 * per_difat).unwrap_or(u32::MAX);
        }
        if fat_sectors.len() > sectors {
            return Err("it lists more FAT sectors than it holds".to_owned());
        }
        let mut fat = Vec::with_capacity(fat_sectors.len() * sector_size / 4);
        for id in fat_sectors {
            fat.extend(words(file.sector(id)?));
        }
        file.fat = fat;

        let directory = file.regular(le32(header, 48).unwrap_or(u32::MAX), u64::MAX)?;
        file.entries = directory
            .chunks_exact(128)
            .map(|entry| {
                // As calamine names an entry: its 64 name bytes, up to the first NUL.
                let units: Vec<u16> = entry[..64]
                    .chunks_exact(2)
                    .map(|pair| u16::from_le_bytes([pair[0], pair[1]]))
                    .collect();
                let mut name = String::from_utf16_lossy(&units);
                if let Some(nul) = name.find('\0') {
                    name.truncate(nul);
                }
                let size = le64(entry, 120).unwrap_or(0);
                Entry {
                    name,
                    start: le32(entry, 116).unwrap_or(u32::MAX),
                    // Version 3 files may leave garbage in the high half of the size.
                    size: if sector_size == 512 {
                        size & 0xFFFF_FFFF
                    } else {
                        size
                    },
                }
            })
            .collect();

        // The mini stream (the root entry's) and the mini FAT, which calamine loads
        // whenever the header counts mini FAT sectors.
        let mini_fat_sectors = u64::from(le32(header, 64).unwrap_or(0));
        if mini_fat_sectors > 0 {
            let root = file.entries.first().ok_or("it has no root entry")?;
            file.mini_stream = file.regular(root.start, root.size)?;
            let mini_fat_bytes = mini_fat_sectors.saturating_mul(sector_size as u64);
            let mini_fat_start = le32(header, 60).unwrap_or(u32::MAX);
            file.mini_fat = words(&file.regular(mini_fat_start, mini_fat_bytes)?).collect();
        }
        Ok(file)
    }

    fn sector(&self, id: u32) -> Result<&'a [u8], String> {
        let start = (id as usize)
            .checked_add(1)
            .and_then(|n| n.checked_mul(self.sector_size))
            .filter(|&start| start < self.bytes.len())
            .ok_or_else(|| format!("sector {id} lies past the end of the file"))?;
        // A sector cut short by the end of the file: calamine reads one of its tables from
        // it and asserts on the odd length (utils.rs, `to_u32`; found by fuzzing), and a
        // file whose last sector is cut short was cut short itself.
        self.bytes
            .get(start..start + self.sector_size)
            .ok_or_else(|| format!("sector {id} is cut short by the end of the file"))
    }

    /// The bytes of a chain of regular sectors, at most `size` of them. As calamine does,
    /// the first sector is read even for a stream of no bytes (reading it past the end of
    /// the file made calamine panic: found by fuzzing), and the size is checked after each.
    fn regular(&self, start: u32, size: u64) -> Result<Vec<u8>, String> {
        let mut out = Vec::new();
        let mut id = start;
        let mut hops = 0;
        while id <= MAX_REGULAR_SECTOR && (hops == 0 || (out.len() as u64) < size) {
            hops += 1;
            if hops > self.sectors {
                return Err("a chain of sectors loops".to_owned());
            }
            out.extend_from_slice(self.sector(id)?);
            id = *self
                .fat
                .get(id as usize)
                .ok_or_else(|| format!("sector {id} is not in the FAT"))?;
        }
        if let Ok(size) = usize::try_from(size) {
            out.truncate(size);
        }
        Ok(out)
    }

    /// The bytes of a stream kept in the mini stream (its first sector read even for a
    /// stream of no bytes, as calamine does).
    fn mini(&self, start: u32, size: u64) -> Result<Vec<u8>, String> {
        let mut out = Vec::new();
        let mut id = start;
        let mut hops = 0;
        while id <= MAX_REGULAR_SECTOR && (hops == 0 || (out.len() as u64) < size) {
            hops += 1;
            if hops > self.mini_fat.len() {
                return Err("a chain of mini sectors loops".to_owned());
            }
            let at = (id as usize).saturating_mul(MINI_SECTOR);
            let sector = self
                .mini_stream
                .get(at..(at + MINI_SECTOR).min(self.mini_stream.len()))
                .filter(|sector| !sector.is_empty())
                .ok_or_else(|| format!("mini sector {id} lies past the mini stream"))?;
            out.extend_from_slice(sector);
            id = *self
                .mini_fat
                .get(id as usize)
                .ok_or_else(|| format!("mini sector {id} is not in the mini FAT"))?;
        }
        if let Ok(size) = usize::try_from(size) {
            out.truncate(size);
        }
        Ok(out)
    }

    /// The first entry of that name, ignoring case, as calamine finds it.
    fn entry(&self, name: &str) -> Option<&Entry> {
        self.entries
            .iter()
            .find(|entry| entry.name.eq_ignore_ascii_case(name))
    }

    fn has(&self, name: &str) -> bool {
        self.entry(name).is_some()
    }

    /// A stream's bytes.
    fn stream(&self, name: &str) -> Option<Result<Vec<u8>, String>> {
        let entry = self.entry(name)?;
        Some(if entry.size < MINI_CUTOFF {
            self.mini(entry.start, entry.size)
        } else {
            self.regular(entry.start, entry.size)
        })
    }
}

#[cfg(test)]
mod tests {
    use std::io::Write;
    use std::path::PathBuf;
    use std::sync::OnceLock;
    use std::time::{Duration, Instant};

    use proptest::prelude::*;
    use rust_xlsxwriter::{ExcelDateTime as XlsxDate, Format, Formula, Workbook};
    use zip::ZipWriter;
    use zip::write::SimpleFileOptions;

    use super::*;
    use crate::findings::Severity;

    fn fixture(name: &str) -> PathBuf {
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("fixtures/read")
            .join(name)
    }

    fn fixture_bytes(name: &str) -> Vec<u8> {
        std::fs::read(fixture(name)).unwrap()
    }

    /// The workbook every format is checked against: text, numbers, a date, a formula
    /// error, a boolean and a merged range on `About`; a table starting at C3 on `Data`.
    fn sample_workbook() -> Workbook {
        let mut book = Workbook::new();
        let about = book.add_worksheet().set_name("About").unwrap();
        about.write_string(0, 0, "Force id").unwrap();
        about.write_string(0, 1, "kent").unwrap();
        about.write_string(1, 0, "Template version").unwrap();
        about.write_number(1, 1, 1.0).unwrap();
        about.write_string(2, 0, "Submitted on").unwrap();
        about
            .write_datetime_with_format(
                2,
                1,
                XlsxDate::from_ymd(2025, 7, 15).unwrap(),
                &Format::new().set_num_format("yyyy-mm-dd"),
            )
            .unwrap();
        about.write_string(3, 0, "Amount").unwrap();
        about.write_number(3, 1, 1234.56).unwrap();
        about.write_string(4, 0, "Ratio").unwrap();
        about
            .write_formula(4, 1, Formula::new("=1/0").set_result("#DIV/0!"))
            .unwrap();
        about.write_string(5, 0, "Signed").unwrap();
        about.write_boolean(5, 1, true).unwrap();
        about
            .merge_range(7, 0, 7, 2, "Merged title", &Format::new())
            .unwrap();
        let data = book.add_worksheet().set_name("Data").unwrap();
        data.write_string(2, 2, "Month").unwrap();
        data.write_string(2, 3, "Spend").unwrap();
        data.write_string(4, 2, "2025-04").unwrap();
        data.write_number(4, 3, 100.25).unwrap();
        book
    }

    fn sample_xlsx() -> &'static [u8] {
        static BYTES: OnceLock<Vec<u8>> = OnceLock::new();
        BYTES.get_or_init(|| sample_workbook().save_to_buffer().unwrap())
    }

    fn text(s: &str) -> CellValue {
        CellValue::Text(s.to_owned())
    }

    fn day(y: i32, m: u32, d: u32) -> CellValue {
        CellValue::Date(
            NaiveDate::from_ymd_opt(y, m, d)
                .unwrap()
                .and_time(NaiveTime::MIN),
        )
    }

    /// What the sample reads to; `error` is how the format delivers `=1/0`.
    fn expected_sample(error: CellValue) -> WorkbookData {
        let mut about = SheetGrid::new("About", 0);
        about.set(0, 0, text("Force id"));
        about.set(0, 1, text("kent"));
        about.set(1, 0, text("Template version"));
        about.set(1, 1, CellValue::Number(1.0));
        about.set(2, 0, text("Submitted on"));
        about.set(2, 1, day(2025, 7, 15));
        about.set(3, 0, text("Amount"));
        about.set(3, 1, CellValue::Number(1234.56));
        about.set(4, 0, text("Ratio"));
        about.set(4, 1, error);
        about.set(5, 0, text("Signed"));
        about.set(5, 1, CellValue::Bool(true));
        about.set(7, 0, text("Merged title"));
        let mut data = SheetGrid::new("Data", 1);
        data.set(2, 2, text("Month"));
        data.set(2, 3, text("Spend"));
        data.set(4, 2, text("2025-04"));
        data.set(4, 3, CellValue::Number(100.25));
        WorkbookData {
            sheets: vec![about, data],
        }
    }

    fn refused(bytes: &[u8], extension: &str) -> Finding {
        match read_workbook_bytes(bytes, extension, "returns/kent.xlsx") {
            Ok(book) => panic!("expected a finding, read {book:?}"),
            Err(finding) => finding,
        }
    }

    fn assert_f01(finding: &Finding, says: &str) {
        assert_eq!(finding.code, Code::F01, "{finding}");
        assert_eq!(finding.severity, Severity::Error);
        assert_eq!(finding.location.file, "returns/kent.xlsx");
        assert!(finding.message.contains(says), "{finding}");
    }

    /// Rewrites a zip part by part: `edit` returns a part's new bytes, or `None` to drop it.
    fn rezip(bytes: &[u8], mut edit: impl FnMut(&str, Vec<u8>) -> Option<Vec<u8>>) -> Vec<u8> {
        let mut zip = ZipArchive::new(Cursor::new(bytes)).unwrap();
        let mut out = ZipWriter::new(Cursor::new(Vec::new()));
        for index in 0..zip.len() {
            let mut part = zip.by_index(index).unwrap();
            let name = part.name().unwrap().into_owned();
            let mut data = Vec::new();
            part.read_to_end(&mut data).unwrap();
            if let Some(data) = edit(&name, data) {
                out.start_file(name, SimpleFileOptions::default()).unwrap();
                out.write_all(&data).unwrap();
            }
        }
        out.finish().unwrap().into_inner()
    }

    /// Replaces `from` by `to` in one part of a zip, checking that it was there.
    fn patch_part(bytes: &[u8], part: &str, from: &str, to: &str) -> Vec<u8> {
        let mut found = false;
        let patched = rezip(bytes, |name, data| {
            if name != part {
                return Some(data);
            }
            let xml = String::from_utf8(data).unwrap();
            found = xml.contains(from);
            Some(xml.replacen(from, to, 1).into_bytes())
        });
        assert!(found, "{from:?} is not in {part}");
        patched
    }

    #[test]
    fn an_xlsx_reads_text_numbers_dates_booleans_errors_and_merged_cells() {
        let book = read_workbook_bytes(sample_xlsx(), "xlsx", "kent.xlsx").unwrap();
        assert_eq!(book, expected_sample(CellValue::Error("#DIV/0!".into())));
        // Merged cells are read as their top-left value; the cells they cover are empty.
        let about = book.sheet("about").unwrap();
        assert_eq!(about.get(7, 1), &CellValue::Empty);
        assert_eq!(about.get(7, 2), &CellValue::Empty);
    }

    #[test]
    fn the_same_workbook_saved_as_ods_xls_and_xlsm_reads_the_same() {
        let xlsx = fixture_bytes("sample.xlsx");
        assert_eq!(
            read_workbook_bytes(&xlsx, "XLSM", "kent.xlsm").unwrap(),
            expected_sample(CellValue::Error("#DIV/0!".into()))
        );
        // .xls delivers the error as an error value; .ods as text, classified later (C04).
        let xls = read_workbook(&fixture("sample.xls"), "kent.xls").unwrap();
        assert_eq!(xls, expected_sample(CellValue::Error("#DIV/0!".into())));
        // LibreOffice saves TRUE in an .ods as the formula =TRUE() with the number 1.
        let mut expected = expected_sample(text("#DIV/0!"));
        expected.sheets[0].set(5, 1, CellValue::Number(1.0));
        let ods = read_workbook(&fixture("sample.ods"), "kent.ods").unwrap();
        assert_eq!(ods, expected);
    }

    #[test]
    fn the_content_decides_the_format_not_the_name() {
        // An .xls renamed .xlsx, and an .xlsx renamed .ods, are read all the same.
        let xls = fixture_bytes("sample.xls");
        assert!(read_workbook_bytes(&xls, "xlsx", "kent.xlsx").is_ok());
        assert!(read_workbook_bytes(sample_xlsx(), ".ods", "kent.ods").is_ok());
    }

    #[test]
    fn only_spreadsheet_names_are_taken() {
        for name in ["a.xlsx", "b.XLSM", "c.xls", "d.Ods"] {
            assert!(is_spreadsheet_name(Path::new(name)), "{name}");
        }
        for name in ["a.csv", "b.txt", "c.xlsb", "d", "e.xlsx.bak", ".xlsx"] {
            assert!(!is_spreadsheet_name(Path::new(name)), "{name}");
        }
        let csv = refused(b"Force id,kent\n", "csv");
        assert_f01(&csv, "a .csv file is not a spreadsheet that can be read");
        assert_f01(&refused(sample_xlsx(), ""), "a file with no extension");
        let finding = read_workbook(Path::new("returns/kent.csv"), "returns/kent.xlsx");
        assert_f01(&finding.unwrap_err(), "a .csv file");
    }

    #[test]
    fn a_missing_file_is_a_finding_naming_it() {
        let missing = read_workbook(&fixture("no-such-file.xlsx"), "returns/kent.xlsx");
        assert_f01(&missing.unwrap_err(), "the file cannot be read");
    }

    #[test]
    fn an_empty_file_is_f01() {
        assert_f01(&refused(b"", "xlsx"), "the file is empty (0 bytes)");
    }

    #[test]
    fn text_renamed_as_a_workbook_is_f01_saying_what_it_looks_like() {
        let csv = b"Month,Spend\n2025-04,100.25\n2025-05,\"1,234.56\"\n";
        let finding = refused(csv, "xlsx");
        assert_f01(&finding, "it looks like plain text, such as a CSV file");
        assert_eq!(
            finding.message,
            "the file is not a spreadsheet that can be read (it looks like plain text, such as \
             a CSV file); save it from Excel as .xlsx and send it again"
        );
        let html = refused(b"<!DOCTYPE html><html><body>x</body></html>", "xls");
        assert_f01(&html, "a web page (HTML)");
        assert_f01(&refused(b"%PDF-1.7\n\x00\x01", "xlsx"), "a PDF document");
        assert_f01(
            &refused(&[0u8, 1, 2, 3, 200, 201], "ods"),
            "no spreadsheet format",
        );
        assert_f01(
            &refused(b"PK\x05\x06\0\0\0\0", "xlsx"),
            "an empty zip archive",
        );
    }

    #[test]
    fn a_truncated_zip_is_f01() {
        let xlsx = sample_xlsx();
        let half = &xlsx[..xlsx.len() / 2];
        assert_f01(&refused(half, "xlsx"), "damaged or incomplete");
    }

    #[test]
    fn a_corrupt_zip_is_f01() {
        let mut xlsx = sample_xlsx().to_vec();
        let middle = xlsx.len() / 2;
        for byte in &mut xlsx[middle - 16..middle + 16] {
            *byte ^= 0x5A;
        }
        assert_f01(&refused(&xlsx, "xlsx"), "damaged or incomplete");
    }

    fn zip_of(parts: &[(&str, &[u8])]) -> Vec<u8> {
        let mut zip = ZipWriter::new(Cursor::new(Vec::new()));
        for (name, data) in parts {
            zip.start_file(*name, SimpleFileOptions::default()).unwrap();
            zip.write_all(data).unwrap();
        }
        zip.finish().unwrap().into_inner()
    }

    #[test]
    fn other_zips_and_office_files_are_named() {
        let docx = zip_of(&[
            ("[Content_Types].xml", b"<Types/>"),
            ("word/document.xml", b"<w/>"),
        ]);
        assert_f01(&refused(&docx, "xlsx"), "it is a Word document");
        let xlsb = zip_of(&[
            ("[Content_Types].xml", b"<Types/>"),
            ("xl/workbook.bin", b"\0"),
        ]);
        assert_f01(&refused(&xlsb, "xlsx"), "an Excel binary workbook (.xlsb)");
        let odt = zip_of(&[("mimetype", b"application/vnd.oasis.opendocument.text")]);
        assert_f01(
            &refused(&odt, "ods"),
            "an OpenDocument file of another kind",
        );
        let other = zip_of(&[("notes.txt", b"hello")]);
        assert_f01(
            &refused(&other, "xlsx"),
            "a zip archive that holds no workbook",
        );
        // A Compound File without a workbook stream: rename sample.xls's stream (the name
        // opens its 128-byte directory entry; its length in bytes is at offset 64).
        let mut doc = fixture_bytes("sample.xls");
        let at = find(&doc, &utf16("Workbook\0")).unwrap();
        let name = utf16("WordDocument\0");
        doc[at..at + name.len()].copy_from_slice(&name);
        doc[at + 64..at + 66].copy_from_slice(&(name.len() as u16).to_le_bytes());
        assert_f01(&refused(&doc, "xls"), "(it is a Word document)");
    }

    fn utf16(text: &str) -> Vec<u8> {
        text.encode_utf16().flat_map(u16::to_le_bytes).collect()
    }

    #[test]
    fn a_workbook_encrypted_with_a_password_is_f02() {
        // encrypted.xlsx is sample.xlsx encrypted with the password "secret".
        let finding = read_workbook(&fixture("encrypted.xlsx"), "returns/kent.xlsx").unwrap_err();
        assert_eq!(finding.code, Code::F02);
        assert_eq!(finding.severity, Severity::Error);
        assert_eq!(finding.location, Location::file("returns/kent.xlsx"));
        assert!(
            finding.message.starts_with(
                "the workbook is protected with a password to open; remove the password"
            )
        );
        // The same whatever the name says.
        let bytes = fixture_bytes("encrypted.xlsx");
        assert_eq!(refused(&bytes, "xls").code, Code::F02);
        assert_eq!(refused(&bytes, "xlsm").code, Code::F02);
    }

    #[test]
    fn an_ods_encrypted_with_a_password_is_f02() {
        // How an encrypted .ods says so: an encryption-data element in its manifest.
        let ods = patch_part(
            &fixture_bytes("sample.ods"),
            "META-INF/manifest.xml",
            "</manifest:manifest>",
            "<manifest:file-entry manifest:full-path=\"content.xml\" \
             manifest:media-type=\"text/xml\"><manifest:encryption-data \
             manifest:checksum-type=\"SHA1/1K\"/></manifest:file-entry></manifest:manifest>",
        );
        assert_eq!(refused(&ods, "ods").code, Code::F02);
    }

    #[test]
    fn the_compound_file_reader_finds_streams_in_the_mini_stream_and_the_fat() {
        let encrypted = fixture_bytes("encrypted.xlsx");
        let file = Compound::parse(&encrypted).unwrap();
        // EncryptionInfo is short, so it lives in the mini stream; agile encryption is 4.4.
        let info = file.stream("encryptioninfo").unwrap().unwrap();
        assert_eq!(&info[..4], &[4, 0, 4, 0]);
        assert!(contains(&info, b"<encryption"));
        let package = file.stream("EncryptedPackage").unwrap().unwrap();
        assert!(package.len() as u64 >= MINI_CUTOFF);
        let xls = fixture_bytes("sample.xls");
        let file = Compound::parse(&xls).unwrap();
        let workbook = file.stream("Workbook").unwrap().unwrap();
        assert_eq!(le16(&workbook, 0), Some(BIFF_BOF));
        assert!(file.stream("WordDocument").is_none());
    }

    #[test]
    fn a_compound_file_whose_directory_chain_loops_is_refused_before_calamine_reads_it() {
        // calamine follows the directory chain until its end, so a chain that points back
        // at itself would have it read (and allocate) for ever.
        let mut xls = fixture_bytes("sample.xls");
        let directory = le32(&xls, 48).unwrap() as usize;
        let fat_sector = le32(&xls, 76).unwrap() as usize;
        let at = (fat_sector + 1) * 512 + 4 * directory;
        xls[at..at + 4].copy_from_slice(&(directory as u32).to_le_bytes());
        assert!(Compound::parse(&xls).is_err_and(|e| e.contains("loops")));
        let started = Instant::now();
        assert_f01(&refused(&xls, "xls"), "a chain of sectors loops");
        assert!(started.elapsed() < Duration::from_secs(2));
    }

    #[test]
    fn a_workbook_with_no_sheets_is_f01() {
        let xml = {
            let mut zip = ZipArchive::new(Cursor::new(sample_xlsx())).unwrap();
            let mut xml = String::new();
            zip.by_name("xl/workbook.xml")
                .unwrap()
                .read_to_string(&mut xml)
                .unwrap();
            xml
        };
        let start = xml.find("<sheets>").unwrap();
        let end = xml.find("</sheets>").unwrap() + "</sheets>".len();
        let none = patch_part(
            sample_xlsx(),
            "xl/workbook.xml",
            &xml[start..end],
            "<sheets/>",
        );
        assert_f01(&refused(&none, "xlsx"), "the workbook has no sheets");
    }

    #[test]
    fn a_value_at_xfd1048576_is_refused_at_once_before_any_grid_is_built() {
        let mut book = Workbook::new();
        let sheet = book.add_worksheet().set_name("Profile").unwrap();
        sheet.write_string(0, 0, "Month").unwrap();
        sheet.write_number(1_048_575, 16_383, 1.0).unwrap();
        let bytes = book.save_to_buffer().unwrap();
        let started = Instant::now();
        let finding = refused(&bytes, "xlsx");
        // A dense grid of 17 billion cells could not be built in this time (or memory).
        assert!(started.elapsed() < Duration::from_secs(2));
        assert_eq!(finding.code, Code::F01);
        assert_eq!(
            finding.location,
            Location::cell("returns/kent.xlsx", "Profile", 0, 1_048_575, 16_383)
        );
        assert_eq!(
            finding.to_string(),
            "error F01 returns/kent.xlsx › Profile!XFD1048576: sheet \"Profile\" has a value in \
             cell XFD1048576, far beyond the area a return uses (rows 1 to 5,000 and columns A \
             to CV); delete the stray cells below and to the right of the table (select those \
             rows and columns, right-click, Delete) and save it again"
        );
    }

    #[test]
    fn a_value_just_inside_the_limit_is_read_and_just_outside_is_not() {
        let mut book = Workbook::new();
        let sheet = book.add_worksheet();
        sheet
            .write_number(MAX_ROWS - 1, (MAX_COLS - 1) as u16, 1.0)
            .unwrap();
        let bytes = book.save_to_buffer().unwrap();
        let read = read_workbook_bytes(&bytes, "xlsx", "k.xlsx").unwrap();
        assert_eq!(
            read.sheets[0].get(MAX_ROWS - 1, MAX_COLS - 1),
            &CellValue::Number(1.0)
        );
        let mut book = Workbook::new();
        book.add_worksheet().write_number(MAX_ROWS, 0, 1.0).unwrap();
        let finding = refused(&book.save_to_buffer().unwrap(), "xlsx");
        assert_eq!(finding.location.a1().as_deref(), Some("A5001"));
    }

    #[test]
    fn an_xls_with_a_value_at_its_last_cell_is_refused_by_the_record_scan() {
        // far-cell.xls (from far-cell.xlsx by LibreOffice): "Month" at A1, 1 at IV65536.
        for name in ["far-cell.xls", "far-cell.xlsx"] {
            let finding = read_workbook(&fixture(name), "returns/kent.xlsx").unwrap_err();
            assert_eq!(finding.code, Code::F01, "{name}");
            assert_eq!(
                finding.place(),
                "returns/kent.xlsx › Profile!IV65536",
                "{name}"
            );
        }
    }

    #[test]
    fn an_ods_with_a_value_far_away_is_refused_by_the_content_scan() {
        // A row repeated a million times, then a value in the last column.
        let far = "<table:table-row table:number-rows-repeated=\"1048000\"><table:table-cell/>\
                   </table:table-row><table:table-row><table:table-cell \
                   table:number-columns-repeated=\"16383\"/><table:table-cell \
                   office:value-type=\"float\" office:value=\"1\"><text:p>1</text:p>\
                   </table:table-cell></table:table-row></table:table>";
        let ods = patch_part(
            &fixture_bytes("sample.ods"),
            "content.xml",
            "</table:table>",
            far,
        );
        let started = Instant::now();
        let finding = refused(&ods, "ods");
        assert!(started.elapsed() < Duration::from_secs(2));
        assert_eq!(finding.code, Code::F01);
        assert_eq!(finding.location.sheet.as_deref(), Some("About"));
        assert!(
            finding
                .message
                .contains("far beyond the area a return uses"),
            "{finding}"
        );
    }

    #[test]
    fn the_workbook_system_of_1904_is_honoured() {
        let xlsx = patch_part(
            sample_xlsx(),
            "xl/workbook.xml",
            "<workbookPr",
            "<workbookPr date1904=\"1\"",
        );
        let book = read_workbook_bytes(&xlsx, "xlsx", "kent.xlsx").unwrap();
        // The same serial number counts from 1904-01-01 rather than 1900-01-01.
        let shifted = NaiveDate::from_ymd_opt(2025, 7, 15).unwrap() + chrono::Days::new(1462);
        assert_eq!(
            book.sheet("About").unwrap().get(2, 1),
            &CellValue::Date(shifted.and_time(NaiveTime::MIN))
        );
    }
    #[test]
    fn the_stored_zip_reads_back_part_for_part_with_checksums_and_names() {
        let parts = vec![
            Part {
                name: "xl/".into(),
                bytes: None,
            },
            Part {
                name: "xl/workbook.xml".into(),
                bytes: Some(b"<workbook/>".to_vec()),
            },
            Part {
                name: "xl/ünïcode.xml".into(),
                bytes: Some(vec![7; 70_000]),
            },
        ];
        let bytes = stored_zip(&parts).unwrap();
        let mut zip = ZipArchive::new(Cursor::new(bytes.as_slice())).unwrap();
        assert_eq!(zip.len(), 3);
        let read = unpack_parts(&mut zip, MAX_UNZIPPED_BYTES).unwrap();
        let names: Vec<&str> = read.iter().map(|p| p.name.as_str()).collect();
        assert_eq!(names, ["xl/", "xl/workbook.xml", "xl/ünïcode.xml"]);
        assert_eq!(read[0].bytes, None);
        assert_eq!(read[1].bytes.as_deref(), Some(&b"<workbook/>"[..]));
        assert_eq!(read[2].bytes.as_ref().map(Vec::len), Some(70_000));
        // The same parts always make the same bytes.
        assert_eq!(stored_zip(&parts).unwrap(), bytes);
        // The whole sample workbook read through it gives what calamine reads directly.
        let direct = read_xlsx(sample_xlsx(), &Limits::RETURN, true).unwrap();
        let mut zip = ZipArchive::new(Cursor::new(sample_xlsx())).unwrap();
        let restored = stored_zip(&unpack_parts(&mut zip, MAX_UNZIPPED_BYTES).unwrap()).unwrap();
        assert_eq!(read_xlsx(&restored, &Limits::RETURN, true).unwrap(), direct);
    }

    #[test]
    fn an_xlsx_that_unpacks_to_too_much_is_refused() {
        let mut zip = ZipArchive::new(Cursor::new(sample_xlsx())).unwrap();
        let Err(Refusal::Unreadable(message)) = unpack_parts(&mut zip, 1000) else {
            panic!("a 1000-byte limit should refuse the sample");
        };
        assert!(
            message.starts_with("the file unpacks to more than"),
            "{message}"
        );
    }

    #[test]
    fn an_ods_that_unpacks_to_too_much_is_refused() {
        let ods = fixture_bytes("sample.ods");
        let mut zip = ZipArchive::new(Cursor::new(ods.as_slice())).unwrap();
        let parts = unpack_parts(&mut zip, MAX_UNZIPPED_BYTES).unwrap();
        assert_eq!(parts.len(), zip.len());
        let Err(Refusal::Unreadable(message)) = unpack_parts(&mut zip, 1000) else {
            panic!("a 1000-byte limit should refuse the sample");
        };
        assert!(
            message.starts_with("the file unpacks to more than 1000 bytes"),
            "{message}"
        );
    }

    #[test]
    fn shared_strings_announcing_more_than_they_hold_are_refused() {
        let xlsx = patch_part(
            sample_xlsx(),
            "xl/sharedStrings.xml",
            "uniqueCount=\"",
            "uniqueCount=\"99999999999",
        );
        assert_f01(
            &refused(&xlsx, "xlsx"),
            "announces far more strings than it holds",
        );
    }

    #[test]
    fn a_panic_while_reading_becomes_an_error_value() {
        assert_eq!(guarded(|| 7), Ok(7));
        let caught = guarded(|| -> u8 { panic!("the reader tripped") });
        assert_eq!(caught, Err("the reader tripped".to_owned()));
        let nested = guarded(|| guarded(|| -> u8 { panic!("{}", 42) }));
        assert_eq!(nested, Ok(Err("42".to_owned())));
        assert!(!QUIET.with(Cell::get), "quiet only inside guarded");
        // All three panics were in this file, npg's own code: each is counted as a defect.
        assert_eq!(own_panics_caught(), 2);
    }

    #[test]
    fn dates_that_cannot_be_dates_stay_numbers() {
        use calamine::ExcelDateTimeType::{DateTime, TimeDelta};
        let date = |serial, kind| excel_date(&ExcelDateTime::new(serial, kind, false));
        assert_eq!(date(45_853.0, DateTime), day(2025, 7, 15));
        assert_eq!(date(1.5, TimeDelta), CellValue::Number(1.5));
        assert_eq!(date(-1.0, DateTime), CellValue::Number(-1.0));
        assert_eq!(date(1e300, DateTime), CellValue::Number(1e300));
        assert!(matches!(date(f64::NAN, DateTime), CellValue::Number(n) if n.is_nan()));
        assert_eq!(iso_date("2025-07-15"), day(2025, 7, 15));
        assert_eq!(
            iso_date("2025-07-15T13:45:30"),
            CellValue::Date(
                NaiveDate::from_ymd_opt(2025, 7, 15)
                    .unwrap()
                    .and_hms_opt(13, 45, 30)
                    .unwrap()
            )
        );
        assert_eq!(iso_date("15/07/2025"), text("15/07/2025"));
        assert_eq!(
            from_data(&Data::Error(calamine::CellErrorType::Ref)),
            CellValue::Error("#REF!".into())
        );
        assert_eq!(from_data(&Data::DurationIso("PT1H".into())), text("PT1H"));
        assert_eq!(from_data(&Data::Int(3)), CellValue::Number(3.0));
    }

    fn scan_ods(xml: &[u8]) -> Result<(), Refusal> {
        scan_ods_content(xml, &Limits::RETURN).map(|_| ())
    }

    fn scan_xls(stream: &[u8]) -> Result<(), Refusal> {
        scan_biff(stream, &Limits::RETURN)
    }

    fn ods_content(tables: &[&str]) -> Vec<u8> {
        let tables: String = tables
            .iter()
            .enumerate()
            .map(|(i, rows)| format!("<table:table table:name=\"S{i}\">{rows}</table:table>"))
            .collect();
        format!("<?xml version=\"1.0\"?><office:document-content><office:body><office:spreadsheet>{tables}</office:spreadsheet></office:body></office:document-content>").into_bytes()
    }

    const VALUE: &str = "<table:table-cell office:value-type=\"float\" office:value=\"1\"><text:p>1</text:p></table:table-cell>";

    fn stray(refusal: Result<(), Refusal>) -> (String, usize, u64, u64) {
        match refusal {
            Err(Refusal::Stray {
                sheet,
                index,
                row,
                col,
            }) => (sheet, index, row, col),
            other => panic!("expected a stray cell, got {other:?}"),
        }
    }

    fn damaged_saying(refusal: Result<(), Refusal>, says: &str) {
        match refusal {
            Err(Refusal::Unreadable(message)) => assert!(message.contains(says), "{message}"),
            other => panic!("expected damaged ({says}), got {other:?}"),
        }
    }

    #[test]
    fn the_ods_scan_counts_repeats_as_calamine_does() {
        // LibreOffice's usual padding: empty cells and rows repeated to the sheet's edge.
        let padded = format!(
            "<table:table-row>{VALUE}<table:table-cell table:number-columns-repeated=\"16383\"/></table:table-row>\
             <table:table-row table:number-rows-repeated=\"1048575\"><table:table-cell table:number-columns-repeated=\"16384\"/></table:table-row>"
        );
        assert!(scan_ods(&ods_content(&[&padded])).is_ok());
        // A value repeated down and across: refused at the far corner of the block.
        let block = "<table:table-row table:number-rows-repeated=\"4999\"><table:table-cell/></table:table-row>\
             <table:table-row table:number-rows-repeated=\"2\"><table:table-cell table:number-columns-repeated=\"98\"/>\
             <table:table-cell office:value-type=\"float\" office:value=\"1\" table:number-columns-repeated=\"3\"/></table:table-row>";
        assert_eq!(
            stray(scan_ods(&ods_content(&["", block]))),
            ("S1".to_owned(), 1, 5000, 100)
        );
        // The same block one row and one column smaller fits exactly.
        let fits = block
            .replace("=\"2\"", "=\"1\"")
            .replace("=\"3\"", "=\"2\"");
        assert!(scan_ods(&ods_content(&[&fits])).is_ok());
        // A formula alone, or a covered cell with a value, counts; a styled empty cell does not.
        let formula = "<table:table-row><table:table-cell table:number-columns-repeated=\"200\"/><table:covered-table-cell table:formula=\"of:=1\"/></table:table-row>";
        assert_eq!(stray(scan_ods(&ods_content(&[formula]))).3, 200);
        // Tags inside comments and CDATA are not tags; a '>' inside quotes does not end one.
        let hidden = format!(
            "<!-- <table:table-row table:number-rows-repeated=\"9999999\"> --><![CDATA[<table:table-row>]]>\
             <table:table-row><table:table-cell table:formula=\"of:=[.A1]>0\" office:value-type=\"float\" office:value=\"1\"/>{VALUE}</table:table-row>"
        );
        assert!(scan_ods(&ods_content(&[&hidden])).is_ok());
    }

    #[test]
    fn the_ods_scan_refuses_what_would_let_calamine_count_otherwise() {
        let rows = |repeat: &str| {
            format!(
                "<table:table-row table:number-rows-repeated=\"{repeat}\">{VALUE}</table:table-row>"
            )
        };
        damaged_saying(
            scan_ods(&ods_content(&[&rows("&#49;0")])),
            "repeat count that is not a number",
        );
        damaged_saying(scan_ods(&ods_content(&[&rows("1e6")])), "repeat count");
        assert!(scan_ods(&ods_content(&[&rows("0")])).is_ok());
        let table_in_table = "<table:table-row><table:table-cell><table:table table:name=\"inner\"/></table:table-cell></table:table-row>";
        damaged_saying(
            scan_ods(&ods_content(&[table_in_table])),
            "a table inside a table",
        );
        let row_in_row = "<table:table-row><table:table-row></table:table-row></table:table-row>";
        damaged_saying(scan_ods(&ods_content(&[row_in_row])), "a row inside a row");
        let cell_in_cell = "<table:table-row><table:table-cell><table:table-cell/></table:table-cell></table:table-row>";
        damaged_saying(
            scan_ods(&ods_content(&[cell_in_cell])),
            "a cell inside a cell",
        );
        let spaces = |count: &str| {
            format!(
                "<table:table-row><table:table-cell office:value-type=\"string\"><text:p>a<text:s text:c=\"{count}\"/>b</text:p></table:table-cell></table:table-row>"
            )
        };
        assert!(scan_ods(&ods_content(&[&spaces("4")])).is_ok());
        damaged_saying(
            scan_ods(&ods_content(&[&spaces("1000000000")])),
            "a run of \"1000000000\" spaces",
        );
        // Five sheets each spanning A1:CV5000 hold more than the workbook may.
        let corners = format!(
            "<table:table-row>{VALUE}</table:table-row><table:table-row table:number-rows-repeated=\"4998\"><table:table-cell/></table:table-row>\
             <table:table-row><table:table-cell table:number-columns-repeated=\"99\"/>{VALUE}</table:table-row>"
        );
        assert!(scan_ods(&ods_content(&[corners.as_str(); 4])).is_ok());
        assert!(matches!(
            scan_ods(&ods_content(&[corners.as_str(); 5])),
            Err(Refusal::TooManyCells)
        ));
    }

    #[test]
    fn ods_content_that_stops_inside_a_sheet_is_refused_before_calamine_loops_on_it() {
        // calamine's table reader never returns when content.xml ends inside a sheet.
        let ods = fixture_bytes("sample.ods");
        let cut = rezip(&ods, |name, data| {
            Some(if name == "content.xml" {
                let end = find(&data, b"</table:table-row>").unwrap();
                data[..end + "</table:table-row>".len()].to_vec()
            } else {
                data
            })
        });
        let started = Instant::now();
        assert_f01(&refused(&cut, "ods"), "its content stops part-way through");
        assert!(started.elapsed() < Duration::from_secs(2));
        // Ends that close out of order could let calamine skip past the sheet's end.
        let crossed = "<table:table-row><table:table-cell></table:table-row></table:table>\
                       </table:table-cell></table:table-row>";
        damaged_saying(
            scan_ods(&ods_content(&[crossed])),
            "a tag that closes out of order",
        );
        // So could a comment on a cell that is never closed.
        let comment = "<table:table-row><table:table-cell office:value-type=\"string\">\
                       <office:annotation><text:p>note</text:p></table:table-cell></table:table-row>";
        damaged_saying(
            scan_ods(&ods_content(&[comment])),
            "a tag that closes out of order",
        );
    }

    fn record(typ: u16, data: &[u8]) -> Vec<u8> {
        let mut bytes = typ.to_le_bytes().to_vec();
        bytes.extend_from_slice(&(data.len() as u16).to_le_bytes());
        bytes.extend_from_slice(data);
        bytes
    }

    /// A BIFF8 workbook stream with one sheet per entry of `sheets`, each its records.
    fn biff_stream(globals: &[Vec<u8>], sheets: &[Vec<Vec<u8>>]) -> Vec<u8> {
        let bof = record(BIFF_BOF, &[0x00, 0x06, 0x05, 0x00, 0, 0, 0, 0]);
        let bound_len = 4 + 14; // position, state, type, length, flags, "SheetN"
        let mut head_len = bof.len() + globals.iter().map(Vec::len).sum::<usize>() + 4;
        head_len += sheets.len() * bound_len;
        let mut stream = bof.clone();
        stream.extend(globals.concat());
        let mut position = head_len;
        let mut bodies = Vec::new();
        for (i, records) in sheets.iter().enumerate() {
            let mut data = (position as u32).to_le_bytes().to_vec();
            data.extend_from_slice(&[0, 0, 6, 0]);
            data.extend_from_slice(format!("Sheet{i}").as_bytes());
            stream.extend(record(BIFF_BOUNDSHEET, &data));
            let mut body = bof.clone();
            body.extend(records.concat());
            body.extend(record(BIFF_EOF, &[]));
            position += body.len();
            bodies.push(body);
        }
        stream.extend(record(BIFF_EOF, &[]));
        assert_eq!(stream.len(), head_len);
        stream.extend(bodies.concat());
        stream
    }

    fn number(row: u16, col: u16) -> Vec<u8> {
        let mut data = row.to_le_bytes().to_vec();
        data.extend_from_slice(&col.to_le_bytes());
        data.extend_from_slice(&[0; 10]);
        record(0x0203, &data)
    }

    fn dimensions(first_row: u32, last_row: u32, first_col: u16, last_col: u16) -> Vec<u8> {
        let mut data = first_row.to_le_bytes().to_vec();
        data.extend_from_slice(&last_row.to_le_bytes());
        data.extend_from_slice(&first_col.to_le_bytes());
        data.extend_from_slice(&last_col.to_le_bytes());
        data.extend_from_slice(&[0, 0]);
        record(BIFF_DIMENSIONS, &data)
    }

    #[test]
    fn the_xls_scan_finds_every_cell_record_and_the_declared_area() {
        let sheet = vec![dimensions(0, 3, 0, 2), number(0, 0), number(2, 1)];
        assert!(scan_xls(&biff_stream(&[], std::slice::from_ref(&sheet))).is_ok());
        let far = vec![number(0, 0), number(6000, 3)];
        assert_eq!(
            stray(scan_xls(&biff_stream(&[], &[sheet.clone(), far]))),
            ("Sheet1".to_owned(), 1, 6000, 3)
        );
        // MULRK: three cells from column CU run past CV.
        let mut mulrk = 7u16.to_le_bytes().to_vec();
        mulrk.extend_from_slice(&98u16.to_le_bytes());
        mulrk.extend_from_slice(&[0; 18]);
        mulrk.extend_from_slice(&100u16.to_le_bytes());
        assert_eq!(
            stray(scan_xls(&biff_stream(
                &[],
                &[vec![record(BIFF_MULRK, &mulrk)]]
            )))
            .3,
            100
        );
        // A DIMENSIONS record whose last row is before its first would make calamine
        // reserve billions of cells.
        damaged_saying(
            scan_xls(&biff_stream(&[], &[vec![dimensions(10, 5, 0, 1)]])),
            "declares more cells than an .xls sheet can have",
        );
        // The format's full area is allowed by the format, but more than a workbook holds:
        // calamine would reserve 671 MB for it.
        let full = scan_xls(&biff_stream(&[], &[vec![dimensions(0, 65_536, 0, 256)]]));
        assert!(
            matches!(full, Err(Refusal::Unreadable(m)) if m.contains("laid out over more than 2,000,000 cells"))
        );
        assert!(scan_xls(&biff_stream(&[], &[vec![dimensions(0, 5_000, 0, 100)]])).is_ok());
        // A chart embedded in the sheet is its own substream, which calamine skips.
        let chart = vec![
            record(BIFF_BOF, &[0x00, 0x06, 0x20, 0x00]),
            number(60_000, 200),
            record(BIFF_EOF, &[]),
        ];
        assert!(scan_xls(&biff_stream(&[], &[chart])).is_ok());
        // FilePass: the rest is encrypted.
        assert!(matches!(
            scan_xls(&biff_stream(
                &[record(BIFF_FILEPASS, &[1, 0])],
                std::slice::from_ref(&sheet)
            )),
            Err(Refusal::Locked)
        ));
        // Records of the globals cut short (calamine would panic on each).
        for cut in [
            record(0x0017, &[1]),
            record(0x0042, &[]),
            record(0x0018, &[0; 13]),
        ] {
            damaged_saying(scan_xls(&biff_stream(&[cut], &[])), "is cut short");
        }
        let mut lbl = vec![0u8; 16];
        lbl[4] = 9; // a formula of 9 bytes in a record of 16
        damaged_saying(
            scan_xls(&biff_stream(&[record(0x0018, &lbl)], &[])),
            "is cut short",
        );
        // Merged cells counting more ranges than they hold (calamine would panic on it).
        let merged = vec![record(BIFF_MERGECELLS, &[3, 0, 0, 0, 0, 0, 0, 0, 1, 0])];
        damaged_saying(scan_xls(&biff_stream(&[], &[merged])), "is cut short");
        // A sheet said to start past the end of the stream (calamine would panic on it).
        let mut past = biff_stream(&[], std::slice::from_ref(&sheet));
        let at = find(&past, b"Sheet0").unwrap() - 8;
        past[at..at + 4].copy_from_slice(&0x1000_0000u32.to_le_bytes());
        damaged_saying(
            scan_xls(&past),
            "starts past the end of its workbook stream",
        );
        // Five sheets each spanning A1:CV5000.
        let corners = vec![number(0, 0), number(4999, 99)];
        assert!(scan_xls(&biff_stream(&[], &vec![corners.clone(); 4])).is_ok());
        assert!(matches!(
            scan_xls(&biff_stream(&[], &vec![corners; 5])),
            Err(Refusal::TooManyCells)
        ));
    }

    /// Inputs the fuzzers found that made calamine panic: each is now refused by npg's own
    /// scans before calamine reads it (no panic caught, npg's or calamine's).
    #[test]
    fn what_the_fuzzers_found_is_refused_before_calamine_reads_it() {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/read/fuzzed");
        let mut found = 0;
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            let extension = path.extension().unwrap().to_str().unwrap().to_owned();
            let refusal = open(&std::fs::read(&path).unwrap(), &extension, &Limits::RETURN);
            match refusal {
                // Refused by npg's scans: neither calamine's error nor a panic it had.
                Err(Refusal::Unreadable(message)) => assert!(
                    !message.contains("the reader"),
                    "{}: {message}",
                    path.display()
                ),
                other => panic!("{}: {other:?}", path.display()),
            }
            found += 1;
        }
        assert!(found >= 2);
        assert_eq!(own_panics_caught(), 0);
    }

    #[derive(Clone, Debug)]
    enum Mutation {
        Flip(usize, u8),
        Insert(usize, u8),
        Remove(usize),
        Truncate(usize),
    }

    fn mutation() -> impl Strategy<Value = Mutation> {
        prop_oneof![
            4 => (any::<usize>(), 1u8..).prop_map(|(at, mask)| Mutation::Flip(at, mask)),
            2 => (any::<usize>(), any::<u8>()).prop_map(|(at, byte)| Mutation::Insert(at, byte)),
            2 => any::<usize>().prop_map(Mutation::Remove),
            1 => any::<usize>().prop_map(Mutation::Truncate),
        ]
    }

    fn mutate(bytes: &[u8], mutations: &[Mutation]) -> Vec<u8> {
        let mut bytes = bytes.to_vec();
        for mutation in mutations {
            if bytes.is_empty() {
                break;
            }
            let len = bytes.len();
            match *mutation {
                Mutation::Flip(at, mask) => bytes[at % len] ^= mask,
                Mutation::Insert(at, byte) => bytes.insert(at % (len + 1), byte),
                Mutation::Remove(at) => {
                    bytes.remove(at % len);
                }
                Mutation::Truncate(at) => bytes.truncate(at % len),
            }
        }
        bytes
    }

    /// Mutates one part of a zip and packs it again, so that checksums hold and the reader
    /// meets the damage inside the XML.
    fn mutate_part(bytes: &[u8], part: prop::sample::Index, mutations: &[Mutation]) -> Vec<u8> {
        let count = ZipArchive::new(Cursor::new(bytes)).unwrap().len();
        let chosen = part.index(count);
        let mut index = 0;
        rezip(bytes, |_, data| {
            index += 1;
            Some(if index - 1 == chosen {
                mutate(&data, mutations)
            } else {
                data
            })
        })
    }

    /// A mutated file reads to values or to one finding about it, and never through a panic
    /// in npg's own code (the guard would turn one into F01 too, so it is counted).
    fn values_or_a_finding(bytes: &[u8], extension: &str) {
        let before = own_panics_caught();
        if let Err(finding) = read_workbook_bytes(bytes, extension, "mutated") {
            assert!(matches!(finding.code, Code::F01 | Code::F02), "{finding}");
            assert_eq!(finding.location.file, "mutated");
        }
        assert_eq!(
            own_panics_caught(),
            before,
            "npg's own code panicked on a mutated file (see the log): a defect to fix"
        );
    }

    proptest! {
        #![proptest_config(ProptestConfig {
            cases: 64,
            failure_persistence: None,
            ..ProptestConfig::default()
        })]

        #[test]
        fn mutated_xlsx_bytes_give_values_or_a_finding(mutations in prop::collection::vec(mutation(), 1..6)) {
            values_or_a_finding(&mutate(sample_xlsx(), &mutations), "xlsx");
        }

        #[test]
        fn mutated_xlsx_parts_give_values_or_a_finding(
            part in any::<prop::sample::Index>(),
            mutations in prop::collection::vec(mutation(), 1..6),
        ) {
            values_or_a_finding(&mutate_part(sample_xlsx(), part, &mutations), "xlsx");
        }

        #[test]
        fn mutated_xls_bytes_give_values_or_a_finding(mutations in prop::collection::vec(mutation(), 1..6)) {
            static XLS: OnceLock<Vec<u8>> = OnceLock::new();
            let xls = XLS.get_or_init(|| fixture_bytes("sample.xls"));
            values_or_a_finding(&mutate(xls, &mutations), "xls");
        }

        #[test]
        fn mutated_ods_parts_give_values_or_a_finding(
            part in any::<prop::sample::Index>(),
            mutations in prop::collection::vec(mutation(), 1..6),
        ) {
            static ODS: OnceLock<Vec<u8>> = OnceLock::new();
            let ods = ODS.get_or_init(|| fixture_bytes("sample.ods"));
            values_or_a_finding(&mutate_part(ods, part, &mutations), "ods");
        }
    }

    /// Writes the sources of the committed fixtures; see fixtures/read/README.md for the
    /// LibreOffice and msoffcrypto-tool steps that make the rest from them.
    #[test]
    #[ignore = "writes fixtures/read/sample.xlsx and far-cell.xlsx; run by hand to remake them"]
    fn write_fixture_sources() {
        sample_workbook().save(fixture("sample.xlsx")).unwrap();
        let mut far = Workbook::new();
        let sheet = far.add_worksheet().set_name("Profile").unwrap();
        sheet.write_string(0, 0, "Month").unwrap();
        // IV65536: the last cell an .xls sheet can have.
        sheet.write_number(65_535, 255, 1.0).unwrap();
        far.save(fixture("far-cell.xlsx")).unwrap();
    }
}
