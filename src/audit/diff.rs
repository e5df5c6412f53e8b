//! What differs between two versions of an output: the cells of two workbooks, read with
//! calamine (`Schedule!T12: 307500.00 → 307400.00`), or the rows and fields of two ledgers.

use std::collections::{BTreeMap, BTreeSet};
use std::io::Cursor;

use calamine::{Data, Reader, Xlsx};
use serde::Serialize;

use crate::findings::a1;

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

fn shown(cell: &Data) -> String {
    match cell {
        Data::Empty => BLANK.to_owned(),
        Data::String(s) if s.is_empty() => BLANK.to_owned(),
        Data::String(s) => s.clone(),
        Data::Float(f) => shown_number(*f),
        Data::Int(i) => shown_number(*i as f64),
        Data::Bool(b) => if *b { "TRUE" } else { "FALSE" }.to_owned(),
        Data::DateTime(d) => d
            .as_datetime()
            .map_or_else(|| shown_number(d.as_f64()), |d| d.to_string()),
        Data::DateTimeIso(s) | Data::DurationIso(s) => s.clone(),
        Data::Error(e) => format!("{e:?}"),
    }
}

/// A cell's value exactly, with its type (`number 1247613.6`, `text "12.50"`), for telling
/// two cells apart when they read the same once rounded for display.
fn exact(cell: &Data) -> String {
    match cell {
        Data::Float(f) => format!("number {f:?}"),
        Data::Int(i) => format!("number {:?}", *i as f64),
        Data::String(s) => format!("text {s:?}"),
        Data::Bool(b) => format!("boolean {b}"),
        Data::DateTime(d) => format!("date {:?}", d.as_f64()),
        Data::DateTimeIso(s) => format!("date {s:?}"),
        Data::DurationIso(s) => format!("duration {s:?}"),
        Data::Error(e) => format!("error {e:?}"),
        Data::Empty => BLANK.to_owned(),
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

/// Every sheet of a workbook as its non-empty cells, by name; `None` when it cannot be read.
fn cells(bytes: &[u8]) -> Option<Vec<(String, SheetCells)>> {
    // Outputs are the program's own workbooks, but an edited one could be anything:
    // whatever calamine cannot read (or panics on) is reported as unreadable.
    crate::read::open::guarded(|| {
        let mut book: Xlsx<_> = Xlsx::new(Cursor::new(bytes)).ok()?;
        let mut sheets = Vec::new();
        for name in book.sheet_names() {
            let range = book.worksheet_range(&name).ok()?;
            let (start_row, start_col) = range.start().unwrap_or((0, 0));
            let mut found = BTreeMap::new();
            for (row, col, value) in range.used_cells() {
                if !matches!(value, Data::Empty) {
                    let at = (start_row + row as u32, start_col + col as u32);
                    let read = CellRead {
                        exact: exact(value),
                        shown: shown(value),
                    };
                    found.insert(at, read);
                }
            }
            sheets.push((name, found));
        }
        Some(sheets)
    })
    .ok()
    .flatten()
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
    /// One side is not a workbook calamine can read.
    Unreadable { side: &'static str },
}

/// The cells that differ between the run folder's workbook (`was`) and the re-run's (`now`),
/// sheet by sheet in the re-run's order, then by row and column. A sheet present on one side
/// only shows every cell of it.
pub fn workbook_changes(was: &[u8], now: &[u8]) -> WorkbookDiff {
    let Some(was_cells) = cells(was) else {
        return WorkbookDiff::Unreadable { side: "run folder" };
    };
    let Some(now_cells) = cells(now) else {
        return WorkbookDiff::Unreadable { side: "re-run" };
    };
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
            was: header.join(","),
            now: now_header.join(","),
        });
    }
    let forces: BTreeSet<&String> = before.keys().chain(after.keys()).collect();
    let blank = |s: Option<&String>| match s {
        Some(s) if !s.is_empty() => s.clone(),
        _ => BLANK.to_owned(),
    };
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
                was: old.map_or_else(|| "(no line)".to_owned(), |l| l.join(",")),
                now: new.map_or_else(|| "(no line)".to_owned(), |l| l.join(",")),
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
        assert_eq!(
            workbook_changes(b"not a workbook", &now),
            WorkbookDiff::Unreadable { side: "run folder" }
        );
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
