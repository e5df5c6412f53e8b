//! What differs between two versions of an output: the cells of two workbooks, read with
//! calamine (`Schedule!T12: 307500.00 → 307400.00`), or the rows and fields of two ledgers.

use std::collections::{BTreeMap, BTreeSet};
use std::str::FromStr;

use rust_decimal::{Decimal, RoundingStrategy};
use serde::Serialize;

use crate::findings::a1;
use crate::pay::ledger::{Record, ledger_records};
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

/// A number cell's figure, as the decimal the workbook holds.
///
/// calamine gives a number cell as the `f64` it parsed from the workbook's text, so it is
/// turned into a decimal here, once, and nothing after this looks at the float. The
/// conversion is exact: `f64`'s `Display` writes the shortest decimal that reads back as
/// the very same float (positional, never an exponent), which is the figure the workbook's
/// XML holds whenever that text was itself the shortest for its float: every figure
/// rust_xlsxwriter writes, and any of up to 15 significant digits Excel or LibreOffice
/// writes. That text is then read by `Decimal::from_str_exact`, which refuses rather than
/// rounds. Two cells thus differ exactly when their floats do (a `-0` reads as
/// 0, the same figure). A float beyond what a `Decimal` holds (above about 7.9e28, or with
/// more than 28 decimal places) keeps its shortest text, exact too.
#[derive(Clone, Debug, PartialEq, Eq)]
enum Figure {
    Exact(Decimal),
    Beyond(String),
}

impl Figure {
    fn of(value: f64) -> Figure {
        let text = value.to_string();
        match Decimal::from_str_exact(&text) {
            Ok(exact) => Figure::Exact(exact),
            Err(_) => Figure::Beyond(text),
        }
    }

    /// The figure as an auditor reads it: at least 2 places, at most 4 (money shows its
    /// pence, ratios their four places), rounded half away from zero as rules §1 rounds.
    fn shown(&self) -> String {
        match self {
            Figure::Exact(value) => shown_decimal(*value),
            // Beyond a `Decimal` by its places: far below a penny, so the reader's own
            // rounding to 28 places loses nothing that 4 places show.
            Figure::Beyond(text) => match Decimal::from_str(text) {
                Ok(tiny) => shown_decimal(tiny),
                // Beyond it by its size: a whole number (every float that large is one).
                Err(_) => format!("{text}.00"),
            },
        }
    }

    /// The figure exactly, as the workbook holds it.
    fn exact(&self) -> String {
        match self {
            Figure::Exact(value) => value.to_string(),
            Figure::Beyond(text) => text.clone(),
        }
    }
}

/// A decimal with at least 2 places and at most 4, rounded half away from zero; never
/// `-0.00`.
fn shown_decimal(value: Decimal) -> String {
    let rounded = value.round_dp_with_strategy(4, RoundingStrategy::MidpointAwayFromZero);
    if rounded.is_zero() {
        return "0.00".to_owned();
    }
    // Padded as text: a 28-digit decimal cannot be rescaled, nor formatted with `{:.4}`.
    let mut text = rounded.to_string();
    match rounded.scale() {
        0 => text.push_str(".00"),
        1 => text.push('0'),
        _ => {
            while text.ends_with('0') && text.len() - text.find('.').unwrap_or(text.len()) > 3 {
                text.pop();
            }
        }
    }
    text
}

/// One cell as read: exactly, and as an auditor reads it.
#[derive(Clone, Debug, PartialEq)]
struct CellRead {
    /// The value exactly, with its type (`number 1247613.6`, `text "12.50"`), for telling
    /// two cells apart when they read the same once rounded for display.
    exact: String,
    /// As an auditor reads it (`(blank)` for an empty cell).
    shown: String,
}

impl CellRead {
    fn of(cell: &CellValue) -> CellRead {
        let (exact, shown) = match cell {
            // A number's float is turned into its figure here, and only here.
            CellValue::Number(float) => {
                let figure = Figure::of(*float);
                (format!("number {}", figure.exact()), figure.shown())
            }
            CellValue::Text(s) if s.is_empty() => (format!("text {s:?}"), BLANK.to_owned()),
            CellValue::Text(s) => (format!("text {s:?}"), s.clone()),
            CellValue::Bool(b) => (
                format!("boolean {b}"),
                if *b { "TRUE" } else { "FALSE" }.to_owned(),
            ),
            CellValue::Date(d) => (format!("date {d}"), d.to_string()),
            CellValue::Error(e) => (format!("error {e:?}"), e.clone()),
            CellValue::Empty => (BLANK.to_owned(), BLANK.to_owned()),
        };
        CellRead { exact, shown }
    }
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
                .map(|(at, value)| (at, CellRead::of(value)))
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

/// Each line of a text output that differs from the re-run's, by line number (at most 20).
pub fn line_differences(held: &[u8], rerun: &[u8]) -> Vec<String> {
    let (was, now) = (
        String::from_utf8_lossy(held),
        String::from_utf8_lossy(rerun),
    );
    let (was, now): (Vec<&str>, Vec<&str>) = (was.lines().collect(), now.lines().collect());
    let mut notes: Vec<String> = (0..was.len().max(now.len()))
        .filter(|&i| was.get(i) != now.get(i))
        .map(|i| {
            let shown = |line: Option<&&str>| {
                line.map_or_else(|| "nothing".to_owned(), |l| crate::text::cut(l))
            };
            format!(
                "line {}: the run folder has {}; the re-run gives {}",
                i + 1,
                shown(was.get(i)),
                shown(now.get(i))
            )
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

    fn changes(was: &[(&str, u32, u16, f64)], now: &[(&str, u32, u16, f64)]) -> Vec<String> {
        let WorkbookDiff::Cells(changes) = workbook_changes(&book(was), &book(now)) else {
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
            ["Schedule!B2: 12345678901234.56 → 12345678901234.57"]
        );
        // Half away from zero at the fourth place (rules §1): the float 2.00005 lies just
        // below the midpoint, so it showed 2.00, the same as 2, and was shown exactly.
        assert_eq!(
            changes(&[("Schedule", 1, 1, 2.000_05)], &[("Schedule", 1, 1, 2.0)]),
            ["Schedule!B2: 2.0001 → 2.00"]
        );
        assert_eq!(
            changes(
                &[("Schedule", 1, 1, -0.000_15)],
                &[("Schedule", 1, 1, -0.000_04)]
            ),
            ["Schedule!B2: -0.0002 → 0.00"]
        );
        // 0.1 + 0.2 as a float is not 0.3: the two read the same rounded, and exactly they
        // are told apart by the decimals the workbooks hold.
        assert_eq!(
            changes(&[("Schedule", 1, 1, 0.1 + 0.2)], &[("Schedule", 1, 1, 0.3)]),
            ["Schedule!B2: number 0.30000000000000004 → number 0.3"]
        );
        assert!(changes(&[("Schedule", 1, 1, -0.0)], &[("Schedule", 1, 1, 0.0)]).is_empty());
    }

    #[test]
    fn figures_beyond_a_decimal_keep_their_shortest_text() {
        let huge = format!("1{}.00", "0".repeat(300));
        let twice = format!("2{}.00", "0".repeat(300));
        assert_eq!(
            changes(&[("Schedule", 1, 1, 1e300)], &[("Schedule", 1, 1, 2e300)]),
            [format!("Schedule!B2: {huge} → {twice}")]
        );
        let tiny = |digit: &str| format!("number 0.{}{digit}", "0".repeat(29));
        assert_eq!(
            changes(&[("Schedule", 1, 1, 1e-30)], &[("Schedule", 1, 1, 2e-30)]),
            [format!("Schedule!B2: {} → {}", tiny("1"), tiny("2"))]
        );
        assert_eq!(Figure::of(1e-30).shown(), "0.00");
        assert_eq!(Figure::of(-1e-30).shown(), "0.00");
        assert_eq!(Figure::of(1.5).exact(), "1.5");
        assert_eq!(Figure::of(307_500.0).shown(), "307500.00");
        assert_eq!(Figure::of(0.6842).shown(), "0.6842");
        assert_eq!(Figure::of(0.125).shown(), "0.125");
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
            ["kent payment: 100,00 → 100.00"]
        );
        // Windows line ends, a blank line and a missing last line end read the same.
        assert!(shown(&was.replace('\n', "\r\n"), was).is_empty());
        assert!(shown(&was.replace("PAY\n", "PAY\n\n\n"), was).is_empty());
        assert!(shown(was.trim_end(), was).is_empty());
        // A `\r` not at a line end is a byte of its field.
        assert_eq!(
            shown(&was.replace("PAY\n", "PAY\r"), was),
            ["kent status: PAY\r → PAY"]
        );
        assert_eq!(
            shown("", was),
            [
                "(header) line:  → force_id,quarter,payment,status",
                "kent line: (no line) → kent,Q2,100.00,PAY"
            ]
        );
        assert_eq!(
            shown(&format!("\n{was}"), was),
            [
                "(header) line:  → force_id,quarter,payment,status",
                "force_id line: force_id,quarter,payment,status → (no line)"
            ]
        );
    }
}
