//! What differs between two versions of an output: the cells of two workbooks, read with
//! calamine (`Schedule!T12: 307500.00 → 307400.00`), or the rows and fields of two ledgers.

use std::collections::{BTreeMap, BTreeSet};

use serde::Serialize;

use crate::findings::a1;
use crate::read::grid::{CellValue, WorkbookData};
use crate::read::open::{Limits, read_workbook_bytes_within};

/// One cell that differs.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct CellChange {
    pub sheet: String,
    /// A1 notation.
    pub cell: String,
    /// As the run folder holds it (`(blank)` for an empty cell).
    pub was: String,
    /// As the re-run makes it.
    pub now: String,
}

impl std::fmt::Display for CellChange {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{}!{}: {} → {}",
            self.sheet, self.cell, self.was, self.now
        )
    }
}

/// Shown for an empty cell or a missing field.
pub const BLANK: &str = "(blank)";

/// A number as an auditor reads it: at least 2 places, at most 4 (money shows its pence,
/// ratios their four places), without binary noise. The float is the cell's own value as
/// calamine reads it, only ever shown, never computed with.
fn shown_number(value: f64) -> String {
    let mut text = format!("{value:.4}");
    while text.ends_with('0') && text.len() - text.find('.').unwrap_or(text.len()) > 3 {
        text.pop();
    }
    if text == "-0.00" {
        "0.00".to_owned()
    } else {
        text
    }
}

fn shown(cell: &CellValue) -> String {
    match cell {
        CellValue::Empty => BLANK.to_owned(),
        CellValue::Text(s) if s.is_empty() => BLANK.to_owned(),
        CellValue::Text(s) => s.clone(),
        CellValue::Number(f) => shown_number(*f),
        CellValue::Bool(b) => if *b { "TRUE" } else { "FALSE" }.to_owned(),
        CellValue::Date(d) => d.to_string(),
        CellValue::Error(e) => e.clone(),
    }
}

/// A cell's value exactly, with its type (`number 1247613.6`, `text "12.50"`), for telling
/// two cells apart when they read the same once rounded for display.
fn exact(cell: &CellValue) -> String {
    match cell {
        CellValue::Number(f) => format!("number {f:?}"),
        CellValue::Text(s) => format!("text {s:?}"),
        CellValue::Bool(b) => format!("boolean {b}"),
        CellValue::Date(d) => format!("date {d}"),
        CellValue::Error(e) => format!("error {e:?}"),
        CellValue::Empty => BLANK.to_owned(),
    }
}

/// One cell as read: exactly, and as an auditor reads it.
#[derive(Clone, Debug, PartialEq)]
struct CellRead {
    exact: String,
    shown: String,
}

/// One sheet's non-empty cells, by (row, column).
type SheetCells = BTreeMap<(u32, u32), CellRead>;

/// Every sheet of a workbook as its non-empty cells, by name.
fn cells(book: &WorkbookData) -> Vec<(String, SheetCells)> {
    book.sheets
        .iter()
        .map(|sheet| {
            let found = sheet
                .cells()
                .map(|(at, value)| {
                    let read = CellRead {
                        exact: exact(value),
                        shown: shown(value),
                    };
                    (at, read)
                })
                .collect();
            (sheet.name.clone(), found)
        })
        .collect()
}

/// How far a run folder's copy of an output may reach beyond the re-run's before it is not
/// read at all: a person may add a note or a column, not a million rows.
const SLACK_ROWS: u32 = 1_000;
const SLACK_COLS: u32 = 50;
const SLACK_CELLS: u64 = 100_000;
const SLACK_BYTES: u64 = 8 * 1024 * 1024;

/// The bounds a run folder's copy of a workbook is read within, made from the re-run's copy:
/// the same inputs give the same forces, so the same sheets of the same shape. Its rows and
/// columns may reach a little beyond the re-run's, its cells, text and unpacked size twice
/// the re-run's and a little more.
pub fn output_limits(rerun: &WorkbookData, rerun_unzipped: u64) -> Limits {
    let mut rows = 0u32;
    let mut cols = 0u32;
    let mut cells = 0u64;
    let mut text = 0u64;
    for sheet in &rerun.sheets {
        for ((row, col), value) in sheet.cells() {
            rows = rows.max(row + 1);
            cols = cols.max(col + 1);
            cells += 1;
            if let CellValue::Text(t) = value {
                text += t.len() as u64;
            }
        }
    }
    Limits {
        rows: rows.saturating_add(SLACK_ROWS).min(1_048_576),
        cols: cols.saturating_add(SLACK_COLS).min(16_384),
        cells: cells.saturating_mul(2).saturating_add(SLACK_CELLS),
        unzipped_bytes: rerun_unzipped.saturating_mul(2).saturating_add(SLACK_BYTES),
        text_bytes: text.saturating_mul(2).saturating_add(SLACK_BYTES),
        what: "the run's output",
    }
}

/// The largest a run folder's copy of an output may be before it is not read at all: twice
/// what the run wrote, and a megabyte more (a workbook saved again by Excel or LibreOffice
/// is compressed differently).
pub fn output_size_limit(recorded: u64) -> u64 {
    recorded.saturating_mul(2).saturating_add(1024 * 1024)
}

/// The limits the program's own re-run is read within: its own bytes, trusted.
const TRUSTED: Limits = Limits {
    rows: 1_048_576,
    cols: 16_384,
    cells: u64::MAX,
    unzipped_bytes: u64::MAX,
    text_bytes: u64::MAX,
    what: "the re-run's output",
};

/// What the parts of a zip say they unpack to, together (the re-run's own zip: trusted).
fn unzipped_size(bytes: &[u8]) -> u64 {
    zip::ZipArchive::new(std::io::Cursor::new(bytes)).map_or(0, |mut zip| {
        (0..zip.len())
            .filter_map(|i| zip.by_index_raw(i).ok().map(|part| part.size()))
            .sum()
    })
}

fn exact_of(cell: Option<&CellRead>) -> &str {
    cell.map_or(BLANK, |c| c.exact.as_str())
}

fn shown_of(cell: Option<&CellRead>) -> &str {
    cell.map_or(BLANK, |c| c.shown.as_str())
}

/// Why two workbooks could not be compared cell by cell.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub enum WorkbookDiff {
    /// The cells that differ (empty when only formatting or properties differ).
    Cells(Vec<CellChange>),
    /// One side cannot be read as a workbook within its bounds; `why` says so.
    Unreadable { side: &'static str, why: String },
}

/// The cells that differ between the run folder's workbook (`was`) and the re-run's (`now`),
/// sheet by sheet in the re-run's order, then by row and column. A sheet present on one side
/// only shows every cell of it.
pub fn workbook_changes(was: &[u8], now: &[u8]) -> WorkbookDiff {
    let now_book = match read_workbook_bytes_within(now, "xlsx", "re-run", &TRUSTED) {
        Ok(book) => book,
        Err(finding) => {
            return WorkbookDiff::Unreadable {
                side: "re-run",
                why: finding.message,
            };
        }
    };
    // The run folder's copy could be anything: it is read only within the bounds the
    // re-run's copy implies, so that no edit can make the verify run out of memory.
    let limits = output_limits(&now_book, unzipped_size(now));
    let was_book = match read_workbook_bytes_within(was, "xlsx", "run folder", &limits) {
        Ok(book) => book,
        Err(finding) => {
            return WorkbookDiff::Unreadable {
                side: "run folder",
                why: finding.message,
            };
        }
    };
    let (was_cells, now_cells) = (cells(&was_book), cells(&now_book));
    let mut names: Vec<&str> = now_cells.iter().map(|(n, _)| n.as_str()).collect();
    for (name, _) in &was_cells {
        if !names.contains(&name.as_str()) {
            names.push(name);
        }
    }
    let sheet = |book: &[(String, SheetCells)], name: &str| -> SheetCells {
        book.iter()
            .find(|(n, _)| n == name)
            .map(|(_, c)| c.clone())
            .unwrap_or_default()
    };
    let mut changes = Vec::new();
    for name in names {
        let before = sheet(&was_cells, name);
        let after = sheet(&now_cells, name);
        let at: BTreeSet<&(u32, u32)> = before.keys().chain(after.keys()).collect();
        for position in at {
            let (old, new) = (before.get(position), after.get(position));

            if exact_of(old) == exact_of(new) {
                continue;
            }

            // Two values that read the same once rounded are shown exactly, with their type.
            let (was, now) = if shown_of(old) == shown_of(new) {
                (exact_of(old), exact_of(new))
            } else {
                (shown_of(old), shown_of(new))
            };
            changes.push(CellChange {
                sheet: name.to_owned(),
                cell: a1(position.0, position.1),
                was: was.to_owned(),
                now: now.to_owned(),
            });
        }
    }
    WorkbookDiff::Cells(changes)
}

/// One field of a ledger line that differs, or a line present on one side only.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct LedgerChange {
    pub force: String,
    /// The field's name from the header; `line` for a whole line added or missing.
    pub field: String,
    pub was: String,
    pub now: String,
}

impl std::fmt::Display for LedgerChange {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{} {}: {} → {}",
            self.force, self.field, self.was, self.now
        )
    }
}

/// A ledger's header and its lines by their first field (the force): every line of a
/// force is kept, so that a line repeated is seen.
type LedgerLines = (Vec<String>, BTreeMap<String, Vec<Vec<String>>>);

fn ledger_lines(text: &str) -> LedgerLines {
    let mut lines = text.lines();
    let header: Vec<String> = lines
        .next()
        .unwrap_or_default()
        .split(',')
        .map(str::to_owned)
        .collect();
    let mut rows: BTreeMap<String, Vec<Vec<String>>> = BTreeMap::new();
    for line in lines.filter(|l| !l.is_empty()) {
        let fields: Vec<String> = line.split(',').map(str::to_owned).collect();
        let force = fields.first().cloned().unwrap_or_default();
        rows.entry(force).or_default().push(fields);
    }
    (header, rows)
}

/// The fields that differ between two ledgers, force by force in id order. A damaged ledger
/// is compared as far as its lines split; nothing here assumes it is well formed.
pub fn ledger_changes(was: &str, now: &str) -> Vec<LedgerChange> {
    let (header, before) = ledger_lines(was);
    let (now_header, after) = ledger_lines(now);
    let mut changes = Vec::new();
    if header != now_header {
        changes.push(LedgerChange {
            force: "(header)".to_owned(),
            field: "line".to_owned(),
            was: crate::text::shorten_words(&header.join(",")).into_owned(),
            now: crate::text::shorten_words(&now_header.join(",")).into_owned(),
        });
    }
    let forces: BTreeSet<&String> = before.keys().chain(after.keys()).collect();
    // A field or line of any length may differ: none is shown whole.
    let blank = |s: Option<&String>| match s {
        Some(s) if !s.is_empty() => crate::text::shorten_words(s).into_owned(),
        _ => BLANK.to_owned(),
    };
    let whole = |l: &Vec<String>| crate::text::shorten_words(&l.join(",")).into_owned();
    for force in forces {
        let (old, new) = (before.get(force), after.get(force));
        let count = |lines: Option<&Vec<Vec<String>>>| lines.map_or(0, Vec::len);
        if count(old) > 1 || count(new) > 1 {
            changes.push(LedgerChange {
                force: force.clone(),
                field: "lines".to_owned(),
                was: format!("{} line(s)", count(old)),
                now: format!("{} line(s)", count(new)),
            });
        }
        match (old.and_then(|l| l.first()), new.and_then(|l| l.first())) {
            (Some(old), Some(new)) => {
                let width = old.len().max(new.len());
                for i in 1..width {
                    let (a, b) = (blank(old.get(i)), blank(new.get(i)));
                    if a != b {
                        changes.push(LedgerChange {
                            force: force.clone(),
                            field: now_header
                                .get(i)
                                .cloned()
                                .unwrap_or_else(|| format!("field {}", i + 1)),
                            was: a,
                            now: b,
                        });
                    }
                }
            }
            (old, new) => changes.push(LedgerChange {
                force: force.clone(),
                field: "line".to_owned(),
                was: old.map_or_else(|| "(no line)".to_owned(), whole),
                now: new.map_or_else(|| "(no line)".to_owned(), whole),
            }),
        }
    }
    changes
}

#[cfg(test)]
mod tests {
    use super::*;
    use rust_xlsxwriter::Workbook;

    fn book(cells: &[(&str, u32, u16, f64)]) -> Vec<u8> {
        let mut workbook = Workbook::new();
        let mut names: Vec<&str> = Vec::new();
        for (sheet, ..) in cells {
            if !names.contains(sheet) {
                names.push(sheet);
            }
        }
        for name in names {
            let sheet = workbook.add_worksheet();
            sheet.set_name(name).unwrap();
            sheet.write_string(0, 0, "Force id").unwrap();
            for (_, row, col, value) in cells.iter().filter(|c| c.0 == name) {
                sheet.write_number(*row, *col, *value).unwrap();
            }
        }
        workbook.save_to_buffer().unwrap()
    }

    #[test]
    fn a_changed_cell_is_named_with_both_values() {
        let was = book(&[("Schedule", 11, 19, 307500.0), ("Schedule", 2, 10, 0.6842)]);
        let now = book(&[("Schedule", 11, 19, 307400.0), ("Schedule", 2, 10, 0.6842)]);
        let WorkbookDiff::Cells(changes) = workbook_changes(&was, &now) else {
            panic!("both sides read")
        };
        let shown: Vec<String> = changes.iter().map(ToString::to_string).collect();
        assert_eq!(shown, ["Schedule!T12: 307500.00 → 307400.00"]);
    }

    #[test]
    fn blank_cells_and_missing_sheets_show_as_blank() {
        let was = book(&[("Schedule", 1, 1, 1.5)]);
        let now = book(&[("Schedule", 1, 2, 0.125), ("Extra", 1, 0, -0.0)]);
        let WorkbookDiff::Cells(changes) = workbook_changes(&was, &now) else {
            panic!("both sides read")
        };
        let shown: Vec<String> = changes.iter().map(ToString::to_string).collect();
        assert_eq!(
            shown,
            [
                "Schedule!B2: 1.50 → (blank)",
                "Schedule!C2: (blank) → 0.125",
                "Extra!A1: (blank) → Force id",
                "Extra!A2: (blank) → 0.00",
            ]
        );
    }

    #[test]
    fn an_unreadable_side_is_said_to_be_so() {
        let now = book(&[("Schedule", 1, 1, 1.0)]);
        assert!(matches!(
            workbook_changes(b"not a workbook", &now),
            WorkbookDiff::Unreadable {
                side: "run folder",
                ..
            }
        ));
    }

    #[test]
    fn ledger_changes_name_the_force_and_field() {
        let was = "force_id,quarter,payment,status\nkent,Q2,100.00,PAY\nessex,Q2,0.00,NIL\n";
        let now = "force_id,quarter,payment,status\nkent,Q2,90.00,PAY\nsurrey,Q2,5.00,PAY\n";
        let shown: Vec<String> = ledger_changes(was, now)
            .iter()
            .map(ToString::to_string)
            .collect();
        assert_eq!(
            shown,
            [
                "essex line: essex,Q2,0.00,NIL → (no line)",
                "kent payment: 100.00 → 90.00",
                "surrey line: (no line) → surrey,Q2,5.00,PAY",
            ]
        );
        assert!(ledger_changes(was, was).is_empty());
        let repeated = format!("{was}kent,Q2,100.00,PAY\n");
        let shown: Vec<String> = ledger_changes(&repeated, was)
            .iter()
            .map(ToString::to_string)
            .collect();
        assert_eq!(shown, ["kent lines: 2 line(s) → 1 line(s)"]);
    }

    #[test]
    fn values_that_read_the_same_rounded_are_shown_exactly() {
        let was = book(&[("Schedule", 20, 14, 1_247_613.600_04)]);
        let now = book(&[("Schedule", 20, 14, 1_247_613.6)]);
        let WorkbookDiff::Cells(changes) = workbook_changes(&was, &now) else {
            panic!("both sides read")
        };
        let shown: Vec<String> = changes.iter().map(ToString::to_string).collect();
        assert_eq!(
            shown,
            ["Schedule!O21: number 1247613.60004 → number 1247613.6"]
        );
    }
}
