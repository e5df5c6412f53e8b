//! One sheet of a workbook against the re-run's: a table is compared row by row by its key
//! (so one inserted row is one "row added", not every cell below it), any other sheet cell
//! by cell; each cell is named with its row's key or label and its column's header.
//!
//! The layout is worked out from the re-run's own sheet, never from fixed positions: its
//! header row is the first row of at least three text cells that holds a key column, found
//! by its header: `Force id` (with `Month` where there is one: the reconciliation's
//! Monthly sheet), `File` (Inputs), `Month` (National); on the Exceptions sheet the
//! exception's own fields (`Section`, `Force id`, `Exception`, `File`, `Sheet`, `Cell`,
//! `Code`), so that an exception whose action or amount changed is one changed row. A sheet
//! with no such row (Approval, Summary, a statement) is a list of labelled rows: compared
//! cell by cell, each cell named by its row's label in column A.

use std::collections::{BTreeMap, VecDeque};

use serde::Serialize;

use super::cells::{BLANK, CellRead, SheetCells};
use super::formats::WorkbookFormats;
use crate::findings::a1;
use crate::read::grid::same_label;

/// One cell that differs.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct CellChange {
    pub sheet: String,
    /// A1 notation, as the run folder's copy holds the cell (the re-run's where only it has
    /// the row).
    pub cell: String,
    /// The row's key (`kent`), or on a sheet that is not a table its label in column A.
    pub row: Option<String>,
    /// The column's header in the re-run (`Payment this quarter`).
    pub column: Option<String>,
    /// As the run folder holds it (`(blank)` for an empty cell).
    pub recorded: String,
    /// As the re-run makes it.
    pub recomputed: String,
}

impl std::fmt::Display for CellChange {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}!{}", self.sheet, self.cell)?;
        let label: Vec<&str> = [&self.row, &self.column]
            .into_iter()
            .flatten()
            .map(String::as_str)
            .collect();
        if !label.is_empty() {
            write!(f, " ({})", label.join(", "))?;
        }
        write!(
            f,
            ": recorded {}; re-run gives {}",
            self.recorded, self.recomputed
        )
    }
}

/// A row of a table on one side only.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct RowChange {
    pub sheet: String,
    /// `added`: the run folder holds it and the re-run gives no such row; `removed`: the
    /// re-run gives it and the run folder does not hold it.
    pub change: RowSide,
    /// Its row number (from 1) in the copy that holds it.
    pub row: u32,
    /// Its key (`kent`; for an exception its fields), as the row reads.
    pub key: String,
}

/// Which side a row is on.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum RowSide {
    Added,
    Removed,
}

impl std::fmt::Display for RowChange {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.change {
            RowSide::Added => write!(
                f,
                "{}: row added ({}): the run folder's row {}; the re-run gives no such row",
                self.sheet, self.key, self.row
            ),
            RowSide::Removed => write!(
                f,
                "{}: row removed ({}): the re-run gives it as row {}; the run folder does not hold it",
                self.sheet, self.key, self.row
            ),
        }
    }
}

/// What differs on the sheets of two workbooks.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct SheetChanges {
    pub rows: Vec<RowChange>,
    pub cells: Vec<CellChange>,
    /// Sheets whose rows are all there, in another order.
    pub reordered: Vec<String>,
    /// Every sheet compared, in the re-run's order (then those of the run folder only), so
    /// that rows and cells can be told sheet by sheet.
    pub sheets: Vec<String>,
}

/// The fields that tell one exception from another on the Exceptions sheet.
const EXCEPTION_KEY: [&str; 7] = [
    "Section",
    "Force id",
    "Exception",
    "File",
    "Sheet",
    "Cell",
    "Code",
];

/// A sheet's layout, as the re-run's copy shows it.
#[derive(Clone, Debug, PartialEq, Eq)]
enum Layout {
    /// A table: its header row, the headers by column, and the key columns.
    Table {
        header_row: u32,
        headers: BTreeMap<u32, String>,
        keys: Vec<u32>,
    },
    /// Rows labelled in column A.
    Labelled,
}

/// The key columns a header row names, if it is the header of a table.
fn key_columns(headers: &BTreeMap<u32, String>) -> Vec<u32> {
    let col = |name: &str| {
        headers
            .iter()
            .find(|(_, h)| same_label(h, name))
            .map(|(c, _)| *c)
    };
    // The Exceptions sheet names a force and a file too; Inputs names a force beside most
    // files, but it is the file that tells its rows apart.
    match (col("Exception"), col("File"), col("Force id"), col("Month")) {
        (Some(_), ..) => EXCEPTION_KEY.iter().filter_map(|h| col(h)).collect(),
        (None, Some(file), ..) => vec![file],
        (None, None, Some(force), month) => std::iter::once(force).chain(month).collect(),
        (None, None, None, Some(month)) => vec![month],
        _ => Vec::new(),
    }
}

/// How many rows from the top a header row is looked for in.
const HEADER_SEARCH_ROWS: usize = 50;

fn layout(cells: &SheetCells) -> Layout {
    let mut rows: BTreeMap<u32, BTreeMap<u32, String>> = BTreeMap::new();
    for ((row, col), cell) in cells {
        if rows.len() > HEADER_SEARCH_ROWS && !rows.contains_key(row) {
            break;
        }
        if cell.is_text {
            rows.entry(*row).or_default().insert(*col, cell.label());
        }
    }
    for (row, headers) in rows {
        if headers.len() < 3 {
            continue;
        }
        let keys = key_columns(&headers);
        if !keys.is_empty() {
            return Layout::Table {
                header_row: row,
                headers,
                keys,
            };
        }
    }
    Layout::Labelled
}

/// Up to 60 characters of a label, then `…`.
fn brief(text: &str) -> String {
    let limit = crate::text::QUOTED_LIMIT;
    if text.chars().count() <= limit {
        return text.to_owned();
    }
    let mut out: String = text.chars().take(limit).collect();
    out.push('…');
    out
}

/// A sheet's rows below its header: each row's number, its key exactly (for matching) and
/// as it reads (for people), in row order.
fn keyed_rows(cells: &SheetCells, header_row: u32, keys: &[u32]) -> Vec<(u32, String, String)> {
    let mut rows: Vec<u32> = cells
        .keys()
        .map(|(row, _)| *row)
        .filter(|row| *row > header_row)
        .collect();
    rows.dedup();
    rows.into_iter()
        .map(|row| {
            let key_cells: Vec<Option<&CellRead>> =
                keys.iter().map(|col| cells.get(&(row, *col))).collect();
            let exact: Vec<&str> = key_cells
                .iter()
                .map(|c| c.map_or(BLANK, |c| c.exact.as_str()))
                .collect();
            let shown: Vec<String> = key_cells
                .iter()
                .flatten()
                .map(|c| brief(&c.label()))
                .filter(|s| !s.is_empty())
                .collect();
            let shown = if shown.is_empty() {
                format!("no key, row {}", row + 1)
            } else {
                shown.join(", ")
            };
            (row, exact.join("\u{1f}"), shown)
        })
        .collect()
}

/// Compares the cells of one sheet and records what differs.
pub struct SheetDiff<'a> {
    pub name: &'a str,
    pub before: &'a SheetCells,
    pub after: &'a SheetCells,
    pub formats: &'a WorkbookFormats,
}

impl SheetDiff<'_> {
    /// The sheet's changes, added to `out`.
    pub fn compare(&self, out: &mut SheetChanges) {
        out.sheets.push(self.name.to_owned());
        // A sheet the re-run does not have is laid out as the run folder's copy shows it.
        let shape = if self.after.is_empty() {
            self.before
        } else {
            self.after
        };
        match layout(shape) {
            Layout::Labelled => {
                let label = |row: u32| self.column_a(row);
                self.positional(|_| true, &label, out);
            }
            Layout::Table {
                header_row,
                headers,
                keys,
            } => {
                let label = |row: u32| {
                    if row == header_row {
                        Some("header row".to_owned())
                    } else {
                        self.column_a(row)
                    }
                };
                let column = |col: u32| headers.get(&col).cloned();
                self.positional(|row| row <= header_row, &label, out);
                self.by_key(header_row, &keys, &column, out);
            }
        }
    }

    /// A row's label: its text in column A, the re-run's (else the run folder's).
    fn column_a(&self, row: u32) -> Option<String> {
        let cell = self
            .after
            .get(&(row, 0))
            .or_else(|| self.before.get(&(row, 0)))?;
        Some(brief(&cell.label())).filter(|s| !s.is_empty())
    }

    fn change(
        &self,
        (was_row, now_row, col): (u32, u32, u32),
        row: Option<String>,
        column: Option<String>,
    ) -> Option<CellChange> {
        let old = self.before.get(&(was_row, col));
        let new = self.after.get(&(now_row, col));
        let exact = |c: Option<&CellRead>| c.map_or(BLANK, |c| c.exact.as_str()).to_owned();
        if exact(old) == exact(new) {
            return None;
        }
        let kind = self.formats.kind(self.name, now_row, col);
        let shown = |c: Option<&CellRead>| c.map_or_else(|| BLANK.to_owned(), |c| c.shown(kind));
        // Two values that read the same once shown are shown exactly, with their type.
        let (recorded, recomputed) = if shown(old) == shown(new) {
            (exact(old), exact(new))
        } else {
            (shown(old), shown(new))
        };
        // The column A label is no label for column A's own cell.
        let row = row.filter(|_| col != 0 || column.is_some());
        Some(CellChange {
            sheet: self.name.to_owned(),
            cell: a1(was_row, col),
            row,
            column,
            recorded,
            recomputed,
        })
    }

    /// Every cell of the rows `wanted` keeps, position by position, each named by its
    /// row's `label`.
    fn positional(
        &self,
        wanted: impl Fn(u32) -> bool,
        label: &dyn Fn(u32) -> Option<String>,
        out: &mut SheetChanges,
    ) {
        let mut at: Vec<(u32, u32)> = self
            .before
            .keys()
            .chain(self.after.keys())
            .copied()
            .filter(|(row, _)| wanted(*row))
            .collect();
        at.sort_unstable();
        at.dedup();
        for (row, col) in at {
            if let Some(change) = self.change((row, row, col), label(row), None) {
                out.cells.push(change);
            }
        }
    }

    /// The rows below the header, matched by key: a key given several times is matched in
    /// order (its first row with the other side's first, and so on).
    fn by_key(
        &self,
        header_row: u32,
        keys: &[u32],
        column: &dyn Fn(u32) -> Option<String>,
        out: &mut SheetChanges,
    ) {
        let was = keyed_rows(self.before, header_row, keys);
        let now = keyed_rows(self.after, header_row, keys);
        let mut unmatched: BTreeMap<&str, VecDeque<(u32, &str)>> = BTreeMap::new();
        for (row, exact, shown) in &was {
            unmatched
                .entry(exact.as_str())
                .or_default()
                .push_back((*row, shown.as_str()));
        }
        let mut last_matched = None;
        let mut reordered = false;
        for (now_row, exact, shown) in &now {
            let Some((was_row, _)) = unmatched
                .get_mut(exact.as_str())
                .and_then(VecDeque::pop_front)
            else {
                out.rows.push(RowChange {
                    sheet: self.name.to_owned(),
                    change: RowSide::Removed,
                    row: now_row + 1,
                    key: shown.clone(),
                });
                continue;
            };
            reordered |= last_matched.is_some_and(|last| last > was_row);
            last_matched = Some(was_row);
            let mut cols: Vec<u32> = self
                .before
                .range((was_row, 0)..=(was_row, u32::MAX))
                .chain(self.after.range((*now_row, 0)..=(*now_row, u32::MAX)))
                .map(|((_, col), _)| *col)
                .collect();
            cols.sort_unstable();
            cols.dedup();
            for col in cols {
                let row = Some(shown.clone());
                if let Some(change) = self.change((was_row, *now_row, col), row, column(col)) {
                    out.cells.push(change);
                }
            }
        }
        let mut added: Vec<(u32, &str)> = unmatched.into_values().flatten().collect();
        added.sort_unstable();
        for (row, shown) in added {
            out.rows.push(RowChange {
                sheet: self.name.to_owned(),
                change: RowSide::Added,
                row: row + 1,
                key: shown.to_owned(),
            });
        }
        if reordered {
            out.reordered.push(self.name.to_owned());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::read::grid::CellValue;

    fn sheet(rows: &[(u32, &[&str])]) -> SheetCells {
        let mut cells = SheetCells::new();
        for (row, values) in rows {
            for (col, value) in values.iter().enumerate() {
                let cell = match value.parse::<f64>() {
                    Ok(number) => CellValue::Number(number),
                    Err(_) if value.is_empty() => continue,
                    Err(_) => CellValue::Text((*value).to_owned()),
                };
                cells.insert((*row, col as u32), CellRead::of(&cell));
            }
        }
        cells
    }

    fn changes(name: &str, before: &SheetCells, after: &SheetCells) -> (Vec<String>, Vec<String>) {
        let mut out = SheetChanges::default();
        SheetDiff {
            name,
            before,
            after,
            formats: &WorkbookFormats::default(),
        }
        .compare(&mut out);
        let rows = out.rows.iter().map(ToString::to_string).collect();
        let mut cells: Vec<String> = out.cells.iter().map(ToString::to_string).collect();
        cells.extend(out.reordered.iter().map(|s| format!("{s} reordered")));
        (rows, cells)
    }

    const MONTHLY: &[&str] = &["Force id", "Force name", "Month", "Actual FTE"];

    #[test]
    fn monthly_rows_are_keyed_by_force_and_month() {
        let now = sheet(&[
            (0, MONTHLY),
            (1, &["kent", "Kent Police", "2025-04", "115.5"]),
            (2, &["kent", "Kent Police", "2025-05", "116"]),
        ]);
        let was = sheet(&[
            (0, MONTHLY),
            (1, &["kent", "Kent Police", "2025-04", "115.5"]),
            (2, &["kent", "Kent Police", "2025-05", "117"]),
        ]);
        assert_eq!(
            changes("Monthly", &was, &now),
            (
                vec![],
                vec![
                    "Monthly!D3 (kent, 2025-05, Actual FTE): recorded 117; re-run gives 116"
                        .to_owned()
                ]
            )
        );
        // The same rows in another order: nothing differs but the order, which is said.
        let swapped = sheet(&[
            (0, MONTHLY),
            (1, &["kent", "Kent Police", "2025-05", "116"]),
            (2, &["kent", "Kent Police", "2025-04", "115.5"]),
        ]);
        assert_eq!(
            changes("Monthly", &swapped, &now),
            (vec![], vec!["Monthly reordered".to_owned()])
        );
    }

    #[test]
    fn a_header_below_title_lines_is_found_and_the_titles_compared_by_position() {
        let header: &[&str] = &["Force id", "Force name", "Progress (P)"];
        let now = sheet(&[
            (0, &["Delivery against plan to 2025-09"]),
            (6, header),
            (7, &["essex", "Essex Police", "1.04"]),
            (8, &["kent", "Kent Police", "1.0455"]),
        ]);
        let was = sheet(&[
            (0, &["Delivery against plan to 2025-08"]),
            (6, header),
            (7, &["kent", "Kent Police", "1.0455"]),
        ]);
        assert_eq!(
            changes("Summary", &was, &now),
            (
                vec![
                    "Summary: row removed (essex): the re-run gives it as row 8; the run folder does not hold it"
                        .to_owned()
                ],
                vec![
                    "Summary!A1: recorded Delivery against plan to 2025-08; re-run gives Delivery against plan to 2025-09"
                        .to_owned()
                ]
            )
        );
    }

    #[test]
    fn an_exception_is_keyed_by_its_fields_so_a_changed_action_is_one_changed_row() {
        let header: &[&str] = &[
            "Section",
            "Force id",
            "Exception",
            "Who acts",
            "Action",
            "File",
        ];
        let now = sheet(&[
            (0, header),
            (
                1,
                &[
                    "Action",
                    "essex",
                    "NO-RETURN",
                    "Home Office finance",
                    "wait for Q3",
                    "",
                ],
            ),
            (
                2,
                &[
                    "Action",
                    "kent",
                    "WARNING",
                    "Force",
                    "check",
                    "returns/kent.xlsx",
                ],
            ),
        ]);
        let was = sheet(&[
            (0, header),
            (
                1,
                &[
                    "Action",
                    "essex",
                    "NO-RETURN",
                    "Home Office finance",
                    "pay now",
                    "",
                ],
            ),
            (
                2,
                &[
                    "Action",
                    "kent",
                    "WARNING",
                    "Force",
                    "check",
                    "returns/kent.xlsx",
                ],
            ),
        ]);
        assert_eq!(
            changes("Exceptions", &was, &now),
            (
                vec![],
                vec![
                    "Exceptions!E2 (Action, essex, NO-RETURN, Action): recorded pay now; re-run gives wait for Q3"
                        .to_owned()
                ]
            )
        );
    }

    #[test]
    fn a_sheet_that_is_not_a_table_names_each_cell_by_its_row_s_label() {
        let now = sheet(&[
            (0, &["Item", "Value"]),
            (16, &["Payable this quarter", "42873625.22"]),
        ]);
        let was = sheet(&[
            (0, &["Item", "Value"]),
            (16, &["Payable this quarter", "42873625.23"]),
        ]);
        assert_eq!(
            changes("Summary", &was, &now),
            (
                vec![],
                vec![
                    "Summary!B17 (Payable this quarter): recorded 42873625.23; re-run gives 42873625.22"
                        .to_owned()
                ]
            )
        );
    }
}
