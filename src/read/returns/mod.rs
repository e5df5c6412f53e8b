//! Reading a workbook as a return: classify it by its About sheet, find fields by label and
//! columns by header, and turn cells into a plan, monitoring or financial return, collecting
//! every finding of the file rather than stopping at the first.
//!
//! What is about the file and the cells' types is decided here; the checks on the values
//! read are the rules of `rules::validate`, called with the cells the values came from.

mod about;
mod financial;
mod monitoring;
mod plan;
mod restated;
mod table;
#[cfg(test)]
mod tests;

use std::collections::BTreeMap;

use chrono::NaiveDate;

use crate::domain::category::Category;
use crate::domain::returns::{Return, ReturnHeader};
use crate::domain::{FinancialYear, ForceId, ForceList, Fte, Money, Month, Quarter};
use crate::findings::{Code, Finding, Location, quote};
use crate::layout::{ReturnKind, ReturnLayout};
use crate::rules::validate::monitoring::plausibility;

use super::grid::{CellValue, WorkbookData, same_label};
use super::table::Table;
use about::{AboutFields, about_rows, normalise};
pub use restated::restated_months;

/// What a return is checked against: the cycle's, or the built-in defaults when a force
/// validates a return on its own.
#[derive(Clone, Copy, Debug)]
pub struct ReadContext<'a> {
    /// The cycle's financial year; `None` when validating a file on its own (no X02).
    pub cycle_year: Option<FinancialYear>,
    pub forces: &'a ForceList,
    pub categories: &'a [Category],
    /// Each force's allocation, for X04; `None` without a cycle.
    pub allocations: Option<&'a BTreeMap<ForceId, Money>>,
    /// Each force's baseline neighbourhood FTE from its plan, for C09 on monitoring returns.
    pub baselines: Option<&'a BTreeMap<ForceId, Fte>>,
}

/// Which return a file claims to be, read as far as its About sheet allows. It is kept even
/// for a return with errors, so that the cut-off selection can list it (`RETURN-INVALID`).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ReturnKey {
    pub kind: Option<ReturnKind>,
    pub force: Option<ForceId>,
    pub quarter: Option<Quarter>,
    pub months_to: Option<Month>,
    pub version: Option<u32>,
    pub submitted_on: Option<NaiveDate>,
    /// The return's own financial year, when it could be read.
    pub year: Option<FinancialYear>,
}

/// One file read as a return.
#[derive(Clone, Debug, PartialEq)]
pub struct ReturnRead {
    pub key: ReturnKey,
    /// The return, when it could be read in full. A return with error findings is still
    /// read where possible, but only a return without errors is usable.
    pub value: Option<Return>,
    pub findings: Vec<Finding>,
    /// A monitoring return's levels and where they stand, kept so that C09 can be checked
    /// against the force's plan once every file is read (the workbook is gone by then).
    pub levels: Option<LevelCells>,
}

/// The neighbourhood FTE of each reported month of a monitoring return, with the cells they
/// were read from: what C09 needs; and where each month's figures are, for X17.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LevelCells {
    pub sheet: String,
    pub sheet_index: usize,
    /// The column findings point at (officers FTE).
    pub col: u32,
    /// (row, month, officers + PCSOs) for each reported month, in order.
    pub levels: Vec<(u32, Month, Fte)>,
    /// (month, row) for each reported month, in order.
    pub months: Vec<(Month, u32)>,
    /// (key, header, column) of each column of the sheet that was found.
    pub columns: Vec<(String, String, u32)>,
}

impl LevelCells {
    /// C09 against the force's baseline.
    pub fn plausibility(&self, file: &str, baseline: Fte) -> Vec<Finding> {
        plausibility(
            file,
            (&self.sheet, self.sheet_index),
            self.col,
            baseline,
            self.levels.iter().copied(),
        )
    }
}

impl ReturnRead {
    pub fn has_errors(&self) -> bool {
        self.findings.iter().any(Finding::is_error)
    }

    /// The return, when it is usable (read in full, no error finding).
    pub fn usable(&self) -> Option<&Return> {
        if self.has_errors() {
            None
        } else {
            self.value.as_ref()
        }
    }
}

/// The kind of return a workbook is, from its About sheet's `Return type`.
pub fn classify(data: &WorkbookData) -> Option<ReturnKind> {
    ReturnKind::ALL.into_iter().find(|kind| {
        let layout = kind.layout();
        let Some(about) = data.sheet(&layout.about_sheet) else {
            return false;
        };
        let Some(field) = layout.about_field("return_type") else {
            return false;
        };
        about_rows(about)
            .get(&normalise(&field.label))
            .map(|row| about.get(*row, 1))
            .is_some_and(
                |value| matches!(value, CellValue::Text(t) if same_label(t, &layout.return_type)),
            )
    })
}

/// The one About sheet name all returns share (checked by the layout tests).
pub fn about_sheet_name() -> &'static str {
    &ReturnKind::Plan.layout().about_sheet
}

/// Collects findings for one file.
struct Reader<'a> {
    file: &'a str,
    findings: Vec<Finding>,
    levels: Option<LevelCells>,
}

impl Reader<'_> {
    fn push(&mut self, finding: Finding) {
        self.findings.push(finding);
    }

    /// Records the finding a rule gave, if any.
    fn note(&mut self, finding: Option<Finding>) {
        self.findings.extend(finding);
    }

    /// Keeps the value, or records the finding and gives `None`.
    fn take<T>(&mut self, result: Result<Option<T>, Finding>) -> Option<T> {
        match result {
            Ok(value) => value,
            Err(finding) => {
                self.findings.push(finding);
                None
            }
        }
    }

    /// Keeps the value a rule accepted, or records its finding and gives `None`.
    fn check<T>(&mut self, result: Result<T, Finding>) -> Option<T> {
        self.take(result.map(Some))
    }
}

/// What differs between the kinds of return; [`read_kind`] is what they share: the kind's
/// About fields, then its data sheet found and matched by header, then its rows.
trait ReturnShape {
    /// What the kind reads from its About sheet besides the common header.
    type About;

    /// Reads the kind's own About fields, noting in `key` what the selection needs.
    fn about(
        reader: &mut Reader,
        fields: &AboutFields,
        ctx: &ReadContext,
        key: &mut ReturnKey,
    ) -> Self::About;

    /// Reads the data rows and checks them, giving the return when it is read in full.
    /// `layout` is the layout of the return's own template version.
    fn rows(
        reader: &mut Reader,
        table: &Table,
        layout: &ReturnLayout,
        about: Self::About,
        header: Option<ReturnHeader>,
        ctx: &ReadContext,
        key: &ReturnKey,
    ) -> Option<Return>;
}

/// The workbook and the layout of its template version.
#[derive(Clone, Copy)]
struct Shown<'a> {
    data: &'a WorkbookData,
    layout: &'static ReturnLayout,
}

fn read_kind<'a, S: ReturnShape>(
    reader: &mut Reader<'a>,
    shown: Shown<'a>,
    fields: &AboutFields,
    header: Option<ReturnHeader>,
    ctx: &ReadContext,
    key: &mut ReturnKey,
) -> Option<Return> {
    let about = S::about(reader, fields, ctx, key);
    let table = data_table(reader, shown.data, shown.layout)?;
    S::rows(reader, &table, shown.layout, about, header, ctx, key)
}

/// Reads a workbook that has an About sheet as a return. `file` is the path as shown.
pub fn read_return(file: &str, data: &WorkbookData, ctx: &ReadContext) -> ReturnRead {
    let mut reader = Reader {
        file,
        findings: Vec::new(),
        levels: None,
    };
    let mut key = ReturnKey::default();
    let Some(about) = data.sheet(about_sheet_name()) else {
        reader.push(missing_sheet(file, about_sheet_name(), data));
        return ReturnRead {
            key,
            value: None,
            findings: reader.findings,
            levels: None,
        };
    };
    let Some(kind) = about::read_return_type(&mut reader, about) else {
        return ReturnRead {
            key,
            value: None,
            findings: reader.findings,
            levels: None,
        };
    };
    key.kind = Some(kind);
    let layout = about::check_template_version(&mut reader, about, kind);
    let fields = AboutFields::read(&mut reader, about, layout);
    let header = about::read_header(&mut reader, &fields, layout, ctx, &mut key);

    let shown = Shown { data, layout };
    let value = match kind {
        ReturnKind::Plan => {
            read_kind::<plan::Plan>(&mut reader, shown, &fields, header, ctx, &mut key)
        }
        ReturnKind::Monitoring => {
            read_kind::<monitoring::Monitoring>(&mut reader, shown, &fields, header, ctx, &mut key)
        }
        ReturnKind::Finance => {
            read_kind::<financial::Financial>(&mut reader, shown, &fields, header, ctx, &mut key)
        }
    };
    about::check_file_name(&mut reader, file, &key, ctx.forces);
    ReturnRead {
        key,
        value,
        findings: reader.findings,
        levels: reader.levels,
    }
}

/// F03: a sheet the return needs is not in the workbook.
fn missing_sheet(file: &str, sheet: &str, data: &WorkbookData) -> Finding {
    let names = data.sheet_names();
    let found = if names.is_empty() {
        "none".to_owned()
    } else {
        crate::text::listed(&names.iter().map(|n| quote(n)).collect::<Vec<_>>())
    };
    Finding::new(
        Code::F03,
        Location::file(file),
        format!(
            "the required sheet {} is missing (found sheets: {found}); start again from the template from npg template",
            quote(sheet),
        ),
    )
}

/// The return's data sheet with its columns found by header: F03 when the sheet is missing,
/// F04 when a header is (the table is still read by the headers that were found).
fn data_table<'a>(
    reader: &mut Reader<'a>,
    data: &'a WorkbookData,
    layout: &'a ReturnLayout,
) -> Option<Table<'a>> {
    let Some(sheet) = data.sheet(&layout.data_sheet) else {
        reader.push(missing_sheet(reader.file, &layout.data_sheet, data));
        return None;
    };
    let (table, lacking) = Table::match_header(reader.file, sheet, &layout.columns);
    if let Some(lacking) = lacking {
        reader.push(Finding::new(
            Code::F04,
            Location::cell(reader.file, &sheet.name, sheet.index, 0, 0),
            format!(
                "the header row lacks {} (found {}); restore the template's headers in row 1",
                lacking.missing.join(", "),
                if lacking.found.is_empty() {
                    "no headers".to_owned()
                } else {
                    crate::text::listed(&lacking.found)
                }
            ),
        ));
    }
    Some(table)
}
