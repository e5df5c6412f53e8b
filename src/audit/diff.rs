//! What differs between two versions of an output, in words, the run folder's value first:
//! the sheets of two workbooks, read with calamine (`Calculation!O21 (kent, Payment this
//! quarter): recorded 1,247,713.60; re-run gives 1,247,613.60`, a table's rows by their
//! key), the fields of two ledgers (`kent payment: recorded …; re-run gives …`), or the
//! lines of a text output.

use std::collections::{BTreeMap, BTreeSet};

use rust_decimal::Decimal;
use serde::Serialize;

pub use super::cells::BLANK;
use super::cells::{SheetCells, cells, grouped};
use super::formats::WorkbookFormats;
use super::tables::SheetDiff;
pub use super::tables::{CellChange, RowChange, RowSide, SheetChanges};
use crate::pay::folder::MANIFEST_FILE;
use crate::pay::ledger::{Record, ledger_records};
use crate::pay::manifest::{InputRecord, Manifest};
use crate::read::grid::{CellValue, WorkbookData};
use crate::read::open::{Limits, read_workbook_bytes_within};

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

/// Why two workbooks could not be compared cell by cell.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub enum WorkbookDiff {
    /// The rows and cells that differ (none when only formatting or properties differ).
    Changes(SheetChanges),
    /// One side cannot be read as a workbook within its bounds; `why` says so.
    Unreadable { side: &'static str, why: String },
}

/// What differs between the run folder's workbook (`was`) and the re-run's (`now`), sheet by
/// sheet in the re-run's order: a table's rows by their key, any other sheet's cells by
/// position (see `tables`), each figure shown as the re-run's cell formats it. A sheet
/// present on one side only shows every row or cell of it.
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
    let formats = WorkbookFormats::read(now);
    let mut changes = SheetChanges::default();
    for name in names {
        let (before, after) = (sheet(&was_cells, name), sheet(&now_cells, name));
        SheetDiff {
            name,
            before: &before,
            after: &after,
            formats: &formats,
        }
        .compare(&mut changes);
    }
    WorkbookDiff::Changes(changes)
}

/// One field of a ledger line that differs, or a line present on one side only.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct LedgerChange {
    pub force: String,
    /// The field's name from the header; `line` for a whole line added or missing.
    pub field: String,
    /// As the run folder's ledger holds it.
    pub recorded: String,
    /// As the re-run writes it.
    pub recomputed: String,
}

impl std::fmt::Display for LedgerChange {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{} {}: recorded {}; re-run gives {}",
            self.force, self.field, self.recorded, self.recomputed
        )
    }
}

/// The ledger's fields that are not money (the rest are pounds and pence).
const LEDGER_NOT_MONEY: [&str; 5] = ["force_id", "quarter", "progress", "fraction", "status"];

/// A ledger field as an auditor reads it: an amount of money grouped in thousands, anything
/// else (a ratio, a status, a figure that does not read as one) as it is.
fn ledger_shown(field: &str, value: String) -> String {
    if LEDGER_NOT_MONEY.contains(&field) || Decimal::from_str_exact(&value).is_err() {
        return value;
    }
    grouped(&value)
}

/// A ledger's header and its lines by their first field (the force): every line of a
/// force is kept, so that a line repeated is seen.
type LedgerLines = (Vec<String>, BTreeMap<String, Vec<Vec<String>>>);

/// One line's fields as the payment run's reader splits them (`ledger_records`: RFC 4180,
/// so a quoted comma stays in its field). The fields are kept as text, not as the ledger's
/// row type, because a damaged line must still be compared field by field, however many
/// fields it has and whatever they hold. A `\r` ending the line is taken off, so that a
/// copy saved with Windows line ends reads the same (verify then says so).
fn fields_of(text: &str, record: Result<Record, csv::Error>) -> Vec<String> {
    match record {
        Ok(record) => {
            let mut fields: Vec<String> = record.fields.iter().map(str::to_owned).collect();
            let crlf = text
                .get(record.raw.clone())
                .is_some_and(|raw| raw.ends_with("\r\n"));
            if let Some(last) = fields.last_mut().filter(|_| crlf) {
                last.pop();
            }
            fields
        }
        // Not given for text in practice; were it given, the rest is one line saying so.
        Err(error) => vec!["(unreadable)".to_owned(), error.to_string()],
    }
}

fn ledger_lines(text: &str) -> LedgerLines {
    let mut lines = ledger_records(text).map(|record| fields_of(text, record));
    let header = lines.next().unwrap_or_else(|| vec![String::new()]);
    let mut rows: BTreeMap<String, Vec<Vec<String>>> = BTreeMap::new();
    // A blank line is one empty field: passed over, as it always was here.
    for fields in lines.filter(|f| !matches!(f.as_slice(), [only] if only.is_empty())) {
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
            recorded: crate::text::shorten_words(&header.join(",")).into_owned(),
            recomputed: crate::text::shorten_words(&now_header.join(",")).into_owned(),
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
                recorded: format!("{} line(s)", count(old)),
                recomputed: format!("{} line(s)", count(new)),
            });
        }
        match (old.and_then(|l| l.first()), new.and_then(|l| l.first())) {
            (Some(old), Some(new)) => {
                let width = old.len().max(new.len());
                for i in 1..width {
                    let (a, b) = (blank(old.get(i)), blank(new.get(i)));
                    if a != b {
                        let field = now_header
                            .get(i)
                            .cloned()
                            .unwrap_or_else(|| format!("field {}", i + 1));
                        changes.push(LedgerChange {
                            force: force.clone(),
                            recorded: ledger_shown(&field, a),
                            recomputed: ledger_shown(&field, b),
                            field,
                        });
                    }
                }
            }
            (old, new) => changes.push(LedgerChange {
                force: force.clone(),
                field: "line".to_owned(),
                recorded: old.map_or_else(|| "(no line)".to_owned(), whole),
                recomputed: new.map_or_else(|| "(no line)".to_owned(), whole),
            }),
        }
    }
    changes
}

/// One CSV line's fields, split as the payment run's reader splits them.
fn csv_fields(line: &str) -> Option<Vec<String>> {
    let record = ledger_records(line).next()?.ok()?;
    Some(record.fields.iter().map(str::to_owned).collect())
}

/// Each line of a text output that differs from the re-run's, by line number (at most 20).
/// A line of a CSV output (`payments.csv`) whose fields the header names is told field by
/// field (`line 2 (kent) amount: recorded …; re-run gives …`, an amount as money), any
/// other line whole.
pub fn line_differences(held: &[u8], rerun: &[u8]) -> Vec<String> {
    let (was, now) = (
        String::from_utf8_lossy(held),
        String::from_utf8_lossy(rerun),
    );
    let (was, now): (Vec<&str>, Vec<&str>) = (was.lines().collect(), now.lines().collect());
    let header = now.first().and_then(|h| csv_fields(h)).unwrap_or_default();
    let by_field = |i: usize| -> Option<Vec<String>> {
        let (a, b) = (csv_fields(was.get(i)?)?, csv_fields(now.get(i)?)?);
        if i == 0 || header.len() < 2 || a.len() != header.len() || b.len() != header.len() {
            return None;
        }
        let shown = |field: &str, value: &str| match Decimal::from_str_exact(value) {
            Ok(_) if field == "amount" => grouped(value),
            _ if value.is_empty() => BLANK.to_owned(),
            _ => crate::text::cut(value).trim_matches('"').to_owned(),
        };
        let notes = (1..header.len())
            .filter(|&f| a[f] != b[f])
            .map(|f| {
                format!(
                    "line {} ({}) {}: recorded {}; re-run gives {}",
                    i + 1,
                    crate::text::cut(&b[0]).trim_matches('"'),
                    header[f],
                    shown(&header[f], &a[f]),
                    shown(&header[f], &b[f])
                )
            })
            .collect::<Vec<_>>();
        (!notes.is_empty() && a[0] == b[0]).then_some(notes)
    };
    let mut notes: Vec<String> = (0..was.len().max(now.len()))
        .filter(|&i| was.get(i) != now.get(i))
        .flat_map(|i| {
            by_field(i).unwrap_or_else(|| {
                let shown = |line: Option<&&str>| {
                    line.map_or_else(|| "nothing".to_owned(), |l| crate::text::cut(l))
                };
                vec![format!(
                    "line {}: recorded {}; re-run gives {}",
                    i + 1,
                    shown(was.get(i)),
                    shown(now.get(i))
                )]
            })
        })
        .collect();
    if notes.len() > 20 {
        let more = notes.len() - 20;
        notes.truncate(20);
        notes.push(format!("and {more} more lines"));
    }
    if notes.is_empty() {
        notes.push(
            "every line reads the same; the file differs in bytes a reader does not see (line endings, an encoding)".to_owned(),
        );
    }
    notes
}

/// The first 12 characters of a hash, for messages.
fn short(sha256: &str) -> String {
    sha256.chars().take(12).collect()
}

/// What differs between two manifests, key by key, input by input.
pub fn manifest_differences(held: &[u8], rerun: &[u8]) -> Vec<String> {
    let parse = |bytes: &[u8]| Manifest::parse(&String::from_utf8_lossy(bytes), MANIFEST_FILE);
    let (Ok(was), Ok(now)) = (parse(held), parse(rerun)) else {
        return vec!["the run folder's manifest cannot be read".to_owned()];
    };
    let mut notes = Vec::new();
    if was.tool != now.tool {
        notes.push(format!(
            "tool: recorded {} {}; re-run gives {} {}",
            was.tool.name, was.tool.version, now.tool.name, now.tool.version
        ));
    }
    if was.rules_version != now.rules_version {
        notes.push(format!(
            "rules_version: recorded {}; re-run gives {}",
            was.rules_version, now.rules_version
        ));
    }
    if was.cycle_config != now.cycle_config {
        notes.push("cycle_config: cycle.toml differs".to_owned());
    }
    let index = |m: &'_ Manifest| -> BTreeMap<String, InputRecord> {
        m.inputs
            .iter()
            .map(|i| (i.path.clone(), i.clone()))
            .collect()
    };
    let (was_inputs, now_inputs) = (index(&was), index(&now));
    let paths: BTreeSet<&String> = was_inputs.keys().chain(now_inputs.keys()).collect();
    for path in paths {
        let a = was_inputs.get(path);
        let b = now_inputs.get(path);
        if a != b {
            let describe = |i: Option<&InputRecord>| match i {
                None => "not listed".to_owned(),
                Some(i) if i.used => {
                    format!("used, sha256 {}…", short(&i.sha256))
                }
                Some(i) => format!(
                    "not used ({}), sha256 {}…",
                    i.reason.as_deref().unwrap_or("no reason"),
                    short(&i.sha256)
                ),
            };
            notes.push(format!(
                "input {path}: recorded {}; re-run gives {}",
                describe(a),
                describe(b)
            ));
        }
    }
    if was.prior_run != now.prior_run {
        notes.push("prior_run: the prior ledger differs".to_owned());
    }
    if was.outputs != now.outputs {
        let hash_of = |m: &Manifest, path: &str| {
            m.outputs
                .iter()
                .find(|o| o.path == path)
                .map(|o| (o.sha256.clone(), o.bytes))
        };
        let paths: BTreeSet<&str> = was
            .outputs
            .iter()
            .chain(&now.outputs)
            .map(|o| o.path.as_str())
            .collect();
        for path in paths {
            match (hash_of(&was, path), hash_of(&now, path)) {
                (Some(_), None) => notes.push(format!(
                    "output {path}: listed by the run, not written by the re-run"
                )),
                (None, Some(_)) => notes.push(format!(
                    "output {path}: written by the re-run, not listed by the run"
                )),
                (a, b) if a != b => notes.push(format!("output {path}: its hash differs")),
                _ => {}
            }
        }
    }
    notes
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::audit::cells::Figure;
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
            // Figures as the payment schedule formats money.
            let money = rust_xlsxwriter::Format::new().set_num_format("£#,##0.00;-£#,##0.00");
            for (_, row, col, value) in cells.iter().filter(|c| c.0 == name) {
                sheet
                    .write_number_with_format(*row, *col, *value, &money)
                    .unwrap();
            }
        }
        workbook.save_to_buffer().unwrap()
    }

    #[test]
    fn a_changed_cell_is_named_with_both_values() {
        let was = book(&[("Schedule", 11, 19, 307500.0), ("Schedule", 2, 10, 0.6842)]);
        let now = book(&[("Schedule", 11, 19, 307400.0), ("Schedule", 2, 10, 0.6842)]);
        let WorkbookDiff::Changes(SheetChanges { cells: changes, .. }) =
            workbook_changes(&was, &now)
        else {
            panic!("both sides read")
        };
        let shown: Vec<String> = changes.iter().map(ToString::to_string).collect();
        assert_eq!(
            shown,
            ["Schedule!T12: recorded 307,500.00; re-run gives 307,400.00"]
        );
    }

    #[test]
    fn blank_cells_and_missing_sheets_show_as_blank() {
        let was = book(&[("Schedule", 1, 1, 1.5)]);
        let now = book(&[("Schedule", 1, 2, 0.125), ("Extra", 1, 0, -0.0)]);
        let WorkbookDiff::Changes(SheetChanges { cells: changes, .. }) =
            workbook_changes(&was, &now)
        else {
            panic!("both sides read")
        };
        let shown: Vec<String> = changes.iter().map(ToString::to_string).collect();
        assert_eq!(
            shown,
            [
                // The re-run has no cell in column B to say how it is formatted: as it is.
                "Schedule!B2: recorded 1.5; re-run gives (blank)",
                "Schedule!C2: recorded (blank); re-run gives 0.125",
                "Extra!A1: recorded (blank); re-run gives Force id",
                "Extra!A2: recorded (blank); re-run gives 0.00",
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
                "essex line: recorded essex,Q2,0.00,NIL; re-run gives (no line)",
                "kent payment: recorded 100.00; re-run gives 90.00",
                "surrey line: recorded (no line); re-run gives surrey,Q2,5.00,PAY",
            ]
        );
        assert!(ledger_changes(was, was).is_empty());
        let repeated = format!("{was}kent,Q2,100.00,PAY\n");
        let shown: Vec<String> = ledger_changes(&repeated, was)
            .iter()
            .map(ToString::to_string)
            .collect();
        assert_eq!(
            shown,
            ["kent lines: recorded 2 line(s); re-run gives 1 line(s)"]
        );
    }

    #[test]
    fn values_that_read_the_same_rounded_are_shown_exactly() {
        let was = book(&[("Schedule", 20, 14, 1_247_613.600_04)]);
        let now = book(&[("Schedule", 20, 14, 1_247_613.6)]);
        let WorkbookDiff::Changes(SheetChanges { cells: changes, .. }) =
            workbook_changes(&was, &now)
        else {
            panic!("both sides read")
        };
        let shown: Vec<String> = changes.iter().map(ToString::to_string).collect();
        assert_eq!(
            shown,
            ["Schedule!O21: recorded number 1247613.60004; re-run gives number 1247613.6"]
        );
    }

    fn changes(was: &[(&str, u32, u16, f64)], now: &[(&str, u32, u16, f64)]) -> Vec<String> {
        let WorkbookDiff::Changes(SheetChanges { cells: changes, .. }) =
            workbook_changes(&book(was), &book(now))
        else {
            panic!("both sides read")
        };
        changes.iter().map(ToString::to_string).collect()
    }

    #[test]
    fn figures_are_shown_as_decimals_not_as_floats() {
        // A 16-digit amount: as a float to 4 places it is 12345678901234.5605.
        assert_eq!(
            changes(
                &[("Schedule", 1, 1, 12_345_678_901_234.56)],
                &[("Schedule", 1, 1, 12_345_678_901_234.57)]
            ),
            ["Schedule!B2: recorded 12,345,678,901,234.56; re-run gives 12,345,678,901,234.57"]
        );
        // Half away from zero at the fourth place (rules §1): the float 2.00005 lies just
        // below the midpoint, so it showed 2.00, the same as 2, and was shown exactly.
        assert_eq!(
            changes(&[("Schedule", 1, 1, 2.000_05)], &[("Schedule", 1, 1, 2.0)]),
            ["Schedule!B2: recorded 2.0001; re-run gives 2.00"]
        );
        assert_eq!(
            changes(
                &[("Schedule", 1, 1, -0.000_15)],
                &[("Schedule", 1, 1, -0.000_04)]
            ),
            ["Schedule!B2: recorded -0.0002; re-run gives 0.00"]
        );
        // 0.1 + 0.2 as a float is not 0.3: the two read the same rounded, and exactly they
        // are told apart by the decimals the workbooks hold.
        assert_eq!(
            changes(&[("Schedule", 1, 1, 0.1 + 0.2)], &[("Schedule", 1, 1, 0.3)]),
            ["Schedule!B2: recorded number 0.30000000000000004; re-run gives number 0.3"]
        );
        assert!(changes(&[("Schedule", 1, 1, -0.0)], &[("Schedule", 1, 1, 0.0)]).is_empty());
    }

    #[test]
    fn figures_beyond_a_decimal_keep_their_shortest_text() {
        // As money: grouped in thousands.
        let huge = format!("1{}.00", ",000".repeat(100));
        let twice = format!("2{}.00", ",000".repeat(100));
        assert_eq!(
            changes(&[("Schedule", 1, 1, 1e300)], &[("Schedule", 1, 1, 2e300)]),
            [format!(
                "Schedule!B2: recorded {huge}; re-run gives {twice}"
            )]
        );
        let tiny = |digit: &str| format!("number 0.{}{digit}", "0".repeat(29));
        assert_eq!(
            changes(&[("Schedule", 1, 1, 1e-30)], &[("Schedule", 1, 1, 2e-30)]),
            [format!(
                "Schedule!B2: recorded {}; re-run gives {}",
                tiny("1"),
                tiny("2")
            )]
        );
        assert_eq!(Figure::of(1e-30).shown(), "0.00");
        assert_eq!(Figure::of(-1e-30).shown(), "0.00");
        assert_eq!(Figure::of(1.5).exact(), "1.5");
        assert_eq!(Figure::of(307_500.0).shown(), "307500.00");
        assert_eq!(Figure::of(0.6842).shown(), "0.6842");
        assert_eq!(Figure::of(0.125).shown(), "0.125");
    }

    #[test]
    fn payments_lines_are_told_field_by_field_an_amount_as_money() {
        let now = b"force_id,payee_name,type,amount\nkent,Kent Police,PAYMENT,1247613.60\n";
        let was = b"force_id,payee_name,type,amount\nkent,Kent Police,PAYMENT,1257613.60\n";
        assert_eq!(
            line_differences(was, now),
            ["line 2 (kent) amount: recorded 1,257,613.60; re-run gives 1,247,613.60"]
        );
        // A line of another force, or one that does not split into the header's fields,
        // is shown whole.
        let other = b"force_id,payee_name,type,amount\nessex,Essex Police,PAYMENT\n";
        assert_eq!(
            line_differences(other, now),
            [
                "line 2: recorded \"essex,Essex Police,PAYMENT\"; re-run gives \"kent,Kent Police,PAYMENT,1247613.60\""
            ]
        );
    }

    #[test]
    fn ledgers_are_split_as_the_payment_run_splits_them() {
        let was = "force_id,quarter,payment,status\nkent,Q2,100.00,PAY\n";
        let shown = |was: &str, now: &str| -> Vec<String> {
            ledger_changes(was, now)
                .iter()
                .map(ToString::to_string)
                .collect()
        };
        // A quoted comma stays in its field: split(',') made two fields of it and moved
        // every field after it one place on.
        assert_eq!(
            shown(
                "force_id,quarter,payment,status\nkent,Q2,\"100,00\",PAY\n",
                was
            ),
            ["kent payment: recorded 100,00; re-run gives 100.00"]
        );
        // Windows line ends, a blank line and a missing last line end read the same.
        assert!(shown(&was.replace('\n', "\r\n"), was).is_empty());
        assert!(shown(&was.replace("PAY\n", "PAY\n\n\n"), was).is_empty());
        assert!(shown(was.trim_end(), was).is_empty());
        // A `\r` not at a line end is a byte of its field.
        assert_eq!(
            shown(&was.replace("PAY\n", "PAY\r"), was),
            ["kent status: recorded PAY\r; re-run gives PAY"]
        );
        assert_eq!(
            shown("", was),
            [
                "(header) line: recorded ; re-run gives force_id,quarter,payment,status",
                "kent line: recorded (no line); re-run gives kent,Q2,100.00,PAY"
            ]
        );
        assert_eq!(
            shown(&format!("\n{was}"), was),
            [
                "(header) line: recorded ; re-run gives force_id,quarter,payment,status",
                "force_id line: recorded force_id,quarter,payment,status; re-run gives (no line)"
            ]
        );
    }
}
