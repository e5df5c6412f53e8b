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

use std::fmt::Display;
use std::path::Path;

use super::file::{FileReadError, MAX_WORKBOOK_FILE_BYTES, read_limited};
use super::grid::WorkbookData;
use crate::findings::{Code, Finding, Location, a1, column_letters, quote};
use crate::text::thousands;

mod cfb;
mod guard;
mod limits;
mod ods;
mod sheets;
mod values;
mod xls;
mod xlsx;
mod xml;
mod zip;

#[cfg(test)]
mod tests;

#[doc(hidden)]
pub use self::zip::{BenchParts, bench_stored_zip, bench_unpack};
pub(crate) use guard::guarded;
pub use guard::own_panics_caught;
use limits::MAX_CELL_TEXT_BYTES;
pub use limits::{
    Limits, MAX_CELL_CHARS, MAX_COLS, MAX_ROWS, MAX_SHEET_NAME_CHARS, MAX_SPACES,
    MAX_UNZIPPED_BYTES, MAX_WORKBOOK_CELLS, MAX_WORKBOOK_TEXT_BYTES,
};

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
                    column_letters(limits.cols.saturating_sub(1)),
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

// ---------------------------------------------------------------------------------------
// Dispatch: the container decided by the first bytes, and read under the guard.

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
        Container::Zip => zip::open_zip(bytes, limits),
        Container::Compound => xls::open_compound(bytes, limits),
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

// Little-endian fields, as the zip, Compound File and BIFF formats store them.

fn le16(bytes: &[u8], at: usize) -> Option<u16> {
    Some(u16::from_le_bytes(bytes.get(at..at + 2)?.try_into().ok()?))
}

fn le32(bytes: &[u8], at: usize) -> Option<u32> {
    Some(u32::from_le_bytes(bytes.get(at..at + 4)?.try_into().ok()?))
}

fn le64(bytes: &[u8], at: usize) -> Option<u64> {
    Some(u64::from_le_bytes(bytes.get(at..at + 8)?.try_into().ok()?))
}
