//! Reading a workbook as a return: classify it by its About sheet, find fields by label and
//! columns by header, and turn cells into a plan, monitoring or financial return, collecting
//! every finding of the file rather than stopping at the first.

use std::collections::{BTreeMap, BTreeSet};

use chrono::NaiveDate;

use crate::domain::category::{Category, CategoryId};
use crate::domain::returns::{
    DeliveryPlan, FinanceLine, FinancialReturn, MonitoringMonth, MonitoringReturn, PlanMonth,
    Return, ReturnHeader,
};
use crate::domain::{FinancialYear, ForceId, ForceList, Fte, Headcount, Money, Month, Quarter};
use crate::findings::{Code, Finding, Location, Severity, quote};
use crate::layout::{Column, ReturnKind, ReturnLayout, ValueKind};

use super::cell::{
    CellAt, read_date, read_fte, read_headcount, read_money, read_month, read_percent, read_text,
    read_version,
};
use super::grid::{CellValue, SheetGrid, WorkbookData, same_label};

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
/// were read from: what C09 needs.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LevelCells {
    pub sheet: String,
    pub sheet_index: usize,
    /// The column findings point at (officers FTE).
    pub col: u32,
    /// (row, officers + PCSOs) for each reported month, in order.
    pub levels: Vec<(u32, Fte)>,
}

impl LevelCells {
    /// C09 against the force's baseline.
    pub fn plausibility(&self, file: &str, baseline: Fte) -> Vec<Finding> {
        plausibility_findings(
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

fn normalise(label: &str) -> String {
    label.trim().to_lowercase()
}

/// The rows of an About sheet by normalised label in column A (first occurrence wins).
fn about_rows(sheet: &SheetGrid) -> BTreeMap<String, u32> {
    let mut rows = BTreeMap::new();
    for ((row, col), value) in sheet.cells() {
        if col == 0
            && let CellValue::Text(label) = value
        {
            rows.entry(normalise(label)).or_insert(row);
        }
    }
    rows
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
        reader.push(Finding::new(
            Code::F03,
            Location::file(file),
            format!(
                "the required sheet {} is missing (found sheets: {}); start again from the template from npg template",
                quote(about_sheet_name()),
                found_sheets(data)
            ),
        ));
        return ReturnRead {
            key,
            value: None,
            findings: reader.findings,
            levels: None,
        };
    };
    let Some(kind) = read_return_type(&mut reader, about) else {
        return ReturnRead {
            key,
            value: None,
            findings: reader.findings,
            levels: None,
        };
    };
    key.kind = Some(kind);
    let layout = kind.layout();
    check_template_version(&mut reader, about, layout);
    let fields = AboutFields::read(&mut reader, about, layout);
    let header = read_header(&mut reader, &fields, layout, ctx, &mut key);

    let value = match kind {
        ReturnKind::Plan => read_plan(&mut reader, data, &fields, header, ctx, &mut key),
        ReturnKind::Monitoring => {
            read_monitoring(&mut reader, data, &fields, header, ctx, &mut key)
        }
        ReturnKind::Finance => read_financial(&mut reader, data, &fields, header, ctx, &mut key),
    };
    check_file_name(&mut reader, file, &key, ctx.forces);
    ReturnRead {
        key,
        value,
        findings: reader.findings,
        levels: reader.levels,
    }
}

fn found_sheets(data: &WorkbookData) -> String {
    let names = data.sheet_names();
    if names.is_empty() {
        "none".to_owned()
    } else {
        crate::text::listed(&names.iter().map(|n| quote(n)).collect::<Vec<_>>())
    }
}

fn read_return_type(reader: &mut Reader, about: &SheetGrid) -> Option<ReturnKind> {
    let layout = ReturnKind::Plan.layout();
    let label = &layout.about_field("return_type")?.label;
    let accepted: Vec<String> = ReturnKind::ALL
        .iter()
        .map(|k| quote(&k.layout().return_type))
        .collect();
    let rows = about_rows(about);
    let Some(&row) = rows.get(&normalise(label)) else {
        reader.push(Finding::new(
            Code::F06,
            Location::sheet(reader.file, &about.name, about.index),
            format!(
                "no {} row on the About sheet; add it with one of {}",
                quote(label),
                accepted.join(", ")
            ),
        ));
        return None;
    };
    let cell = CellAt {
        file: reader.file,
        sheet: about,
        row,
        col: 1,
        label,
    };
    let text = read_text(&cell).unwrap_or_default();
    let kind = ReturnKind::ALL
        .into_iter()
        .find(|k| same_label(&text, &k.layout().return_type));
    if kind.is_none() {
        let found = if text.is_empty() {
            "blank".to_owned()
        } else {
            quote(&text)
        };
        reader.push(cell.finding(
            Code::F06,
            format!(
                "{label} is {found}, which is not a return type; enter one of {}",
                accepted.join(", ")
            ),
        ));
    }
    kind
}

fn check_template_version(reader: &mut Reader, about: &SheetGrid, layout: &ReturnLayout) {
    let Some(field) = layout.about_field("template_version") else {
        return;
    };
    let expected = layout.template_version;
    let Some(&row) = about_rows(about).get(&normalise(&field.label)) else {
        reader.push(Finding::new(
            Code::F06,
            Location::sheet(reader.file, &about.name, about.index),
            format!(
                "no {} row on the About sheet; add it with the value {expected}",
                quote(&field.label)
            ),
        ));
        return;
    };
    let cell = CellAt {
        file: reader.file,
        sheet: about,
        row,
        col: 1,
        label: &field.label,
    };
    // Rules §10: the number 1 or the text `1`.
    let recognised = match cell.value() {
        CellValue::Number(n) => *n == f64::from(expected),
        CellValue::Text(t) => t.trim() == expected.to_string(),
        _ => false,
    };
    if !recognised {
        let found = match cell.value() {
            v if v.is_blank() => "blank".to_owned(),
            v => quote(&v.shown()),
        };
        reader.push(cell.finding(
            Code::F06,
            format!(
                "{} is {found}; this program reads template version {expected}: fill in a template from npg template",
                field.label
            ),
        ));
    }
}

/// The About sheet's fields by layout key, with the cell each was found in.
struct AboutFields<'a> {
    sheet: &'a SheetGrid,
    rows: BTreeMap<&'a str, (u32, &'a str)>,
}

impl<'a> AboutFields<'a> {
    fn read(
        reader: &mut Reader,
        sheet: &'a SheetGrid,
        layout: &'a ReturnLayout,
    ) -> AboutFields<'a> {
        let found = about_rows(sheet);
        let mut rows = BTreeMap::new();
        let mut missing = Vec::new();
        for field in &layout.about {
            match found.get(&normalise(&field.label)) {
                Some(&row) => {
                    rows.insert(field.key.as_str(), (row, field.label.as_str()));
                }
                None if matches!(field.key.as_str(), "return_type" | "template_version") => {}
                None => missing.push(quote(&field.label)),
            }
        }
        if !missing.is_empty() {
            reader.push(Finding::new(
                Code::F04,
                Location::sheet(reader.file, &sheet.name, sheet.index),
                format!(
                    "the About sheet has no row labelled {}; restore the template's labels in column A",
                    missing.join(", ")
                ),
            ));
        }
        AboutFields { sheet, rows }
    }

    /// The value cell of the field with `key`, when its label was found.
    fn cell(&self, file: &'a str, key: &str) -> Option<CellAt<'a>> {
        let &(row, label) = self.rows.get(key)?;
        Some(CellAt {
            file,
            sheet: self.sheet,
            row,
            col: 1,
            label,
        })
    }
}

/// Reads a required About field with `read`, recording C01 when it is blank.
fn required<T>(
    reader: &mut Reader,
    fields: &AboutFields,
    key: &str,
    hint: &str,
    read: impl Fn(&CellAt) -> Result<Option<T>, Finding>,
) -> Option<T> {
    let cell = fields.cell(reader.file, key)?;
    let value = reader.take(read(&cell));
    if value.is_none() && cell.value().is_blank() {
        reader.push(cell.blank_finding(hint));
    }
    value
}

fn text_field(reader: &mut Reader, fields: &AboutFields, key: &str, hint: &str) -> Option<String> {
    required(reader, fields, key, hint, |cell| Ok(read_text(cell)))
}

fn read_header(
    reader: &mut Reader,
    fields: &AboutFields,
    layout: &ReturnLayout,
    ctx: &ReadContext,
    key: &mut ReturnKey,
) -> Option<ReturnHeader> {
    let force = text_field(
        reader,
        fields,
        "force_id",
        "enter the force id, for example kent",
    )
    .and_then(|text| check_force(reader, fields, &text, ctx));
    key.force = force.clone();
    let force_name = text_field(reader, fields, "force_name", "enter the force's name");
    let year = read_year(reader, fields, ctx);
    key.year = year;
    let prepared_by = text_field(
        reader,
        fields,
        "prepared_by",
        "enter who prepared the return",
    );
    // A financial return's missing signature date is X07, not C01 (rules §10).
    let submitted_on = if layout.kind == ReturnKind::Finance {
        fields
            .cell(reader.file, "submitted_on")
            .and_then(|cell| reader.take(read_date(&cell)))
    } else {
        let hint = "enter the date as YYYY-MM-DD";
        required(reader, fields, "submitted_on", hint, read_date)
    };
    key.submitted_on = submitted_on;
    Some(ReturnHeader {
        force: force?,
        force_name: force_name?,
        year: year?,
        prepared_by: prepared_by?,
        submitted_on: submitted_on?,
    })
}

fn check_force(
    reader: &mut Reader,
    fields: &AboutFields,
    text: &str,
    ctx: &ReadContext,
) -> Option<ForceId> {
    let cell = fields.cell(reader.file, "force_id")?;
    let known = text
        .parse::<ForceId>()
        .ok()
        .filter(|id| ctx.forces.contains(id));
    if known.is_none() {
        reader.push(cell.finding(
            Code::X01,
            format!(
                "{}: {} is not in the force list; enter your force's id as npg template wrote it (for example kent)",
                cell.label,
                quote(text)
            ),
        ));
    }
    known
}

fn read_year(
    reader: &mut Reader,
    fields: &AboutFields,
    ctx: &ReadContext,
) -> Option<FinancialYear> {
    let text = text_field(
        reader,
        fields,
        "financial_year",
        "enter the financial year, for example 2025-26",
    )?;
    let cell = fields.cell(reader.file, "financial_year")?;
    let Ok(year) = text.parse::<FinancialYear>() else {
        reader.push(cell.finding(
            Code::C08,
            format!(
                "{}: {} is not a financial year; write it like 2025-26",
                cell.label,
                quote(&text)
            ),
        ));
        return None;
    };
    if let Some(cycle_year) = ctx.cycle_year
        && cycle_year != year
    {
        reader.push(cell.finding(
            Code::X02,
            format!(
                "{}: {year} differs from the cycle's year {cycle_year}; enter {cycle_year}",
                cell.label
            ),
        ));
        return None;
    }
    Some(year)
}

/// A data sheet's columns, found by header label in row 1, any order.
struct Table<'a> {
    sheet: &'a SheetGrid,
    columns: BTreeMap<&'a str, (u32, &'a Column)>,
}

impl<'a> Table<'a> {
    fn find(
        reader: &mut Reader,
        data: &'a WorkbookData,
        layout: &'a ReturnLayout,
    ) -> Option<Table<'a>> {
        let Some(sheet) = data.sheet(&layout.data_sheet) else {
            reader.push(Finding::new(
                Code::F03,
                Location::file(reader.file),
                format!(
                    "the required sheet {} is missing (found sheets: {}); start again from the template from npg template",
                    quote(&layout.data_sheet),
                    found_sheets(data)
                ),
            ));
            return None;
        };
        let headers: Vec<(u32, String)> = sheet
            .row(0)
            .filter(|(_, v)| !v.is_blank())
            .map(|(col, v)| (col, v.shown().trim().to_owned()))
            .collect();
        let mut columns = BTreeMap::new();
        let mut missing = Vec::new();
        for column in &layout.columns {
            match headers.iter().find(|(_, h)| same_label(h, &column.header)) {
                Some((col, _)) => {
                    columns.insert(column.key.as_str(), (*col, column));
                }
                None => missing.push(quote(&column.header)),
            }
        }
        if !missing.is_empty() {
            let found: Vec<String> = headers.iter().map(|(_, h)| quote(h)).collect();
            reader.push(Finding::new(
                Code::F04,
                Location::cell(reader.file, &sheet.name, sheet.index, 0, 0),
                format!(
                    "the header row lacks {} (found {}); restore the template's headers in row 1",
                    missing.join(", "),
                    if found.is_empty() {
                        "no headers".to_owned()
                    } else {
                        crate::text::listed(&found)
                    }
                ),
            ));
        }
        Some(Table { sheet, columns })
    }

    /// The data rows: every row below the header that is not wholly blank (rules §10).
    fn rows(&self) -> Vec<u32> {
        let last = self.sheet.last_row().unwrap_or(0);
        (1..=last)
            .filter(|row| !self.sheet.row_is_blank(*row))
            .collect()
    }

    fn cell(&self, file: &'a str, row: u32, key: &str) -> Option<CellAt<'a>> {
        let &(col, column) = self.columns.get(key)?;
        Some(CellAt {
            file,
            sheet: self.sheet,
            row,
            col,
            label: &column.header,
        })
    }

    /// True when every input column of the row is blank.
    fn inputs_blank(&self, row: u32) -> bool {
        self.columns
            .values()
            .filter(|(_, c)| !c.fixed)
            .all(|(col, _)| self.sheet.get(row, *col).is_blank())
    }
}

/// Reads a required data cell, recording C01 when blank.
fn required_cell<T>(
    reader: &mut Reader,
    table: &Table,
    row: u32,
    key: &str,
    read: impl Fn(&CellAt) -> Result<Option<T>, Finding>,
) -> Option<T> {
    let cell = table.cell(reader.file, row, key)?;
    let value = reader.take(read(&cell));
    if value.is_none() && cell.value().is_blank() {
        let hint = match cell_kind(table, key) {
            Some(ValueKind::Money) => "enter the amount, or 0 if none",
            _ => "enter the figure, or 0 if none",
        };
        reader.push(cell.blank_finding(hint));
    }
    value
}

fn optional_cell<T>(
    reader: &mut Reader,
    table: &Table,
    row: u32,
    key: &str,
    read: impl Fn(&CellAt) -> Result<Option<T>, Finding>,
) -> Option<T> {
    let cell = table.cell(reader.file, row, key)?;
    reader.take(read(&cell))
}

fn cell_kind(table: &Table, key: &str) -> Option<ValueKind> {
    table.columns.get(key).map(|(_, c)| c.kind)
}

/// The month of each data row, with X03 for months missing, repeated or out of order.
/// `through` is the last month the table must hold (March, or a monitoring `Months to`).
fn read_months(
    reader: &mut Reader,
    table: &Table,
    year: FinancialYear,
    rows: &[u32],
) -> Vec<(u32, Option<Month>)> {
    let mut months = Vec::new();
    for &row in rows {
        let month = required_cell(reader, table, row, "month", read_month);
        let month = match month {
            Some(m) if !year.contains(m) => {
                if let Some(cell) = table.cell(reader.file, row, "month") {
                    reader.push(cell.finding(
                        Code::C08,
                        format!(
                            "{}: {m} is outside the financial year {year} ({} to {})",
                            cell.label,
                            year.first_month(),
                            year.last_month()
                        ),
                    ));
                }
                None
            }
            other => other,
        };
        months.push((row, month));
    }
    // Repeated or out of order, at the row where it shows.
    let mut seen = BTreeSet::new();
    let mut previous: Option<Month> = None;
    for &(row, month) in &months {
        let Some(month) = month else { continue };
        let cell = table.cell(reader.file, row, "month");
        if !seen.insert(month) {
            if let Some(cell) = cell {
                reader.push(cell.finding(
                    Code::X03,
                    format!(
                        "{}: {month} is repeated; each month must appear once",
                        cell.label
                    ),
                ));
            }
        } else if previous.is_some_and(|p| month < p)
            && let Some(cell) = cell
        {
            reader.push(cell.finding(
                Code::X03,
                format!(
                    "{}: {month} comes after {}; list the months in order from April to March",
                    cell.label,
                    previous.map(|p| p.to_string()).unwrap_or_default()
                ),
            ));
        }
        previous = Some(previous.map_or(month, |p| p.max(month)));
    }
    months
}

fn missing_months(
    reader: &mut Reader,
    table: &Table,
    year: FinancialYear,
    through: Month,
    months: &[(u32, Option<Month>)],
) {
    let present: BTreeSet<Month> = months.iter().filter_map(|(_, m)| *m).collect();
    let missing: Vec<String> = year
        .months()
        .filter(|m| *m <= through && !present.contains(m))
        .map(|m| m.to_string())
        .collect();
    if !missing.is_empty() {
        reader.push(Finding::new(
            Code::X03,
            Location::sheet(reader.file, &table.sheet.name, table.sheet.index),
            format!(
                "months missing: {}; add a row for each month from {} to {through}",
                missing.join(", "),
                year.first_month()
            ),
        ));
    }
}

fn read_plan(
    reader: &mut Reader,
    data: &WorkbookData,
    fields: &AboutFields,
    header: Option<ReturnHeader>,
    ctx: &ReadContext,
    key: &mut ReturnKey,
) -> Option<Return> {
    let layout = ReturnKind::Plan.layout();
    let version = required(
        reader,
        fields,
        "version",
        "enter 1 for the first plan",
        read_version,
    );
    key.version = version;
    let hint_fte = "enter the FTE at 31 March 2025";
    let baseline_officers = required(reader, fields, "baseline_officers", hint_fte, read_fte);
    let baseline_pcsos = required(reader, fields, "baseline_pcsos", hint_fte, read_fte);
    let baseline_specials = required(
        reader,
        fields,
        "baseline_specials",
        "enter the headcount at 31 March 2025",
        read_headcount,
    );
    let approved_by = text_field(reader, fields, "approved_by", "enter who approved the plan");

    let year = key.year.or(ctx.cycle_year);
    let table = Table::find(reader, data, layout)?;
    let year = year?;
    let rows = table.rows();
    let months = read_months(reader, &table, year, &rows);
    missing_months(reader, &table, year, year.last_month(), &months);
    let mut profile = Vec::new();
    for (row, month) in months {
        let officers = required_cell(reader, &table, row, "officers", read_fte);
        let pcsos = required_cell(reader, &table, row, "pcsos", read_fte);
        let specials = required_cell(reader, &table, row, "specials", read_headcount);
        let planned_spend = required_cell(reader, &table, row, "planned_spend", read_money);
        if let (Some(month), Some(officers), Some(pcsos), Some(specials), Some(planned_spend)) =
            (month, officers, pcsos, specials, planned_spend)
        {
            profile.push((
                row,
                PlanMonth {
                    month,
                    officers,
                    pcsos,
                    specials,
                    planned_spend,
                },
            ));
        }
    }
    let (Some(baseline_officers), Some(baseline_pcsos)) = (baseline_officers, baseline_pcsos)
    else {
        return None;
    };
    let baseline = baseline_officers + baseline_pcsos;
    check_plausible_levels(
        reader,
        &table,
        baseline,
        profile.iter().map(|(row, m)| (*row, m.neighbourhood_fte())),
    );
    check_plan_growth(reader, &table, baseline, year, &profile);
    if let (Some(allocations), Some(header)) = (ctx.allocations, &header) {
        check_plan_total(reader, &table, allocations, &header.force, &profile);
    }
    Some(Return::Plan(DeliveryPlan {
        header: header?,
        version: version?,
        baseline_officers,
        baseline_pcsos,
        baseline_specials: baseline_specials?,
        approved_by: approved_by?,
        months: profile.into_iter().map(|(_, m)| m).collect(),
    }))
}

/// C09: neighbourhood FTE moving more than 20% of the baseline from one month to the next
/// (the first month compared with the baseline itself), or above 3 × the baseline.
pub fn plausibility_findings(
    file: &str,
    (sheet, sheet_index): (&str, usize),
    level_col: u32,
    baseline: Fte,
    levels: impl Iterator<Item = (u32, Fte)>,
) -> Vec<Finding> {
    let mut findings = Vec::new();
    let base = baseline.as_decimal();
    let step_limit = base * rust_decimal::Decimal::new(20, 2);
    let ceiling = base * rust_decimal::Decimal::from(3);
    let mut previous = baseline;
    for (row, level) in levels {
        let at = |code: Code, message: String| {
            Finding::new(
                code,
                Location::cell(file, sheet, sheet_index, row, level_col),
                message,
            )
        };
        let change = (level - previous).as_decimal();
        if change.abs() > step_limit {
            findings.push(at(
                Code::C09,
                format!(
                    "neighbourhood FTE (officers + PCSOs) moves from {previous} to {level}, more than 20% of the baseline {baseline} in one month; check the figures"
                ),
            ));
        } else if level.as_decimal() > ceiling {
            findings.push(at(
                Code::C09,
                format!(
                    "neighbourhood FTE (officers + PCSOs) {level} is more than 3 times the baseline {baseline}; check the figures"
                ),
            ));
        }
        previous = level;
    }
    findings
}

fn check_plausible_levels(
    reader: &mut Reader,
    table: &Table,
    baseline: Fte,
    levels: impl Iterator<Item = (u32, Fte)>,
) {
    let Some(&(col, _)) = table.columns.get("officers") else {
        return;
    };
    let found = plausibility_findings(
        reader.file,
        (&table.sheet.name, table.sheet.index),
        col,
        baseline,
        levels,
    );
    reader.findings.extend(found);
}

fn check_plan_growth(
    reader: &mut Reader,
    table: &Table,
    baseline: Fte,
    year: FinancialYear,
    profile: &[(u32, PlanMonth)],
) {
    let last = year.last_month();
    let Some((row, march)) = profile.iter().find(|(_, m)| m.month == last) else {
        return;
    };
    if march.neighbourhood_fte() <= baseline
        && let Some(cell) = table.cell(reader.file, *row, "officers")
    {
        reader.push(cell.finding(
            Code::X05,
            format!(
                "neighbourhood FTE (officers + PCSOs) in {last} is {}, not above the baseline {baseline}; the plan must grow the neighbourhood workforce",
                march.neighbourhood_fte()
            ),
        ));
    }
}

fn check_plan_total(
    reader: &mut Reader,
    table: &Table,
    allocations: &BTreeMap<ForceId, Money>,
    force: &ForceId,
    profile: &[(u32, PlanMonth)],
) {
    let Some(allocation) = allocations.get(force) else {
        return;
    };
    let total: Money = profile.iter().map(|(_, m)| m.planned_spend).sum();
    if total != *allocation
        && let Some(&(col, column)) = table.columns.get("planned_spend")
    {
        reader.push(Finding::new(
            Code::X04,
            Location::cell(reader.file, &table.sheet.name, table.sheet.index, 0, col),
            format!(
                "{}: the months total {}, but the force's allocation is {} (difference {}); make the planned spend add up to the allocation exactly",
                column.header,
                total.to_gbp(),
                allocation.to_gbp(),
                (total - *allocation).to_gbp()
            ),
        ));
    }
}

fn read_monitoring(
    reader: &mut Reader,
    data: &WorkbookData,
    fields: &AboutFields,
    header: Option<ReturnHeader>,
    ctx: &ReadContext,
    key: &mut ReturnKey,
) -> Option<Return> {
    let layout = ReturnKind::Monitoring.layout();
    let year = key.year.or(ctx.cycle_year);
    let months_to = required(
        reader,
        fields,
        "months_to",
        "enter the last month reported, YYYY-MM",
        read_month,
    );
    let months_to = match (months_to, year) {
        (Some(m), Some(year)) if !year.contains(m) => {
            if let Some(cell) = fields.cell(reader.file, "months_to") {
                reader.push(cell.finding(
                    Code::C08,
                    format!(
                        "{}: {m} is outside the financial year {year}; enter a month from {} to {}",
                        cell.label,
                        year.first_month(),
                        year.last_month()
                    ),
                ));
            }
            None
        }
        (other, _) => other,
    };
    key.months_to = months_to;
    let table = Table::find(reader, data, layout)?;
    let year = year?;
    let rows = table.rows();
    let months = read_months(reader, &table, year, &rows);
    let through = months_to?;
    missing_months(reader, &table, year, through, &months);
    let mut reported = Vec::new();
    for (row, month) in months {
        let Some(month) = month else { continue };
        if month > through {
            // Rows after `Months to` may keep their month label but nothing else (rules §10).
            if !table.inputs_blank(row)
                && let Some(cell) = first_filled_input(&table, reader.file, row)
            {
                reader.push(cell.finding(
                    Code::X03,
                    format!(
                        "{month} is after Months to ({through}) but holds {}; leave it blank, or raise Months to",
                        quote(&cell.value().shown())
                    ),
                ));
            }
            continue;
        }
        if let Some(line) = read_monitoring_row(reader, &table, row, month) {
            reported.push((row, line));
        }
    }
    if let Some(&(col, _)) = table.columns.get("officers") {
        reader.levels = Some(LevelCells {
            sheet: table.sheet.name.clone(),
            sheet_index: table.sheet.index,
            col,
            levels: reported
                .iter()
                .map(|(row, m)| (*row, m.neighbourhood_fte()))
                .collect(),
        });
    }
    let baseline = header.as_ref().and_then(|h| ctx.baselines?.get(&h.force));
    if let Some(&baseline) = baseline {
        check_plausible_levels(
            reader,
            &table,
            baseline,
            reported
                .iter()
                .map(|(row, m)| (*row, m.neighbourhood_fte())),
        );
    }
    Some(Return::Monitoring(MonitoringReturn {
        header: header?,
        months_to: through,
        months: reported.into_iter().map(|(_, m)| m).collect(),
    }))
}

fn first_filled_input<'a>(table: &Table<'a>, file: &'a str, row: u32) -> Option<CellAt<'a>> {
    let mut inputs: Vec<(u32, &Column)> = table
        .columns
        .values()
        .filter(|(_, c)| !c.fixed)
        .copied()
        .collect();
    inputs.sort_by_key(|(col, _)| *col);
    inputs
        .into_iter()
        .find(|(col, _)| !table.sheet.get(row, *col).is_blank())
        .map(|(col, column)| CellAt {
            file,
            sheet: table.sheet,
            row,
            col,
            label: &column.header,
        })
}

fn read_monitoring_row(
    reader: &mut Reader,
    table: &Table,
    row: u32,
    month: Month,
) -> Option<MonitoringMonth> {
    let officers = required_cell(reader, table, row, "officers", read_fte);
    let pcsos = required_cell(reader, table, row, "pcsos", read_fte);
    let specials = required_cell(reader, table, row, "specials", read_headcount);
    let queries = optional_cell(reader, table, row, "queries_received", read_headcount);
    let responded = optional_cell(reader, table, row, "responded_72h", read_headcount);
    let abstraction = optional_cell(reader, table, row, "abstraction_rate", read_percent);
    check_queries(reader, table, row, queries, responded);
    Some(MonitoringMonth {
        month,
        officers: officers?,
        pcsos: pcsos?,
        specials: specials?,
        queries_received: queries,
        responded_72h: responded,
        abstraction_rate: abstraction,
    })
}

/// Queries and responses come together or not at all, and responses cannot exceed queries.
fn check_queries(
    reader: &mut Reader,
    table: &Table,
    row: u32,
    queries: Option<Headcount>,
    responded: Option<Headcount>,
) {
    let cell = |key| table.cell(reader.file, row, key);
    match (queries, responded) {
        (Some(q), Some(r)) if r > q => {
            if let Some(cell) = cell("responded_72h") {
                reader.push(cell.finding(
                    Code::X09,
                    format!(
                        "{}: {r} exceeds the {q} queries received; check both figures",
                        cell.label
                    ),
                ));
            }
        }
        (Some(_), None) => {
            if let Some(cell) = cell("responded_72h").filter(|c| c.value().is_blank()) {
                reader.push(
                    cell.blank_finding("Queries received is given; give both figures or neither"),
                );
            }
        }
        (None, Some(_)) => {
            if let Some(cell) = cell("queries_received").filter(|c| c.value().is_blank()) {
                reader.push(cell.blank_finding(
                    "Responded within 72 hours is given; give both figures or neither",
                ));
            }
        }
        _ => {}
    }
}

fn read_financial(
    reader: &mut Reader,
    data: &WorkbookData,
    fields: &AboutFields,
    header: Option<ReturnHeader>,
    ctx: &ReadContext,
    key: &mut ReturnKey,
) -> Option<Return> {
    let layout = ReturnKind::Finance.layout();
    let quarter = required(
        reader,
        fields,
        "quarter",
        "enter the quarter, Q1 to Q4",
        |cell| {
            let Some(text) = read_text(cell) else {
                return Ok(None);
            };
            text.parse::<Quarter>().map(Some).map_err(|_| {
                cell.finding(
                    Code::C08,
                    format!(
                        "{}: {} is not a quarter; enter Q1, Q2, Q3 or Q4",
                        cell.label,
                        quote(&text)
                    ),
                )
            })
        },
    );
    key.quarter = quarter;
    let version = required(
        reader,
        fields,
        "version",
        "enter 1 for the first return for the quarter",
        read_version,
    );
    key.version = version;
    let cfo = check_signature(reader, fields, key.year.or(ctx.cycle_year), quarter);

    let table = Table::find(reader, data, layout)?;
    let mut lines = Vec::new();
    let mut seen: BTreeMap<CategoryId, u32> = BTreeMap::new();
    for row in table.rows() {
        let Some(id_cell) = table.cell(reader.file, row, "category_id") else {
            continue;
        };
        let id_text = read_text(&id_cell).unwrap_or_default();
        let category = ctx.categories.iter().find(|c| c.id.as_str() == id_text);
        let Some(category) = category else {
            let found = if id_text.is_empty() {
                "blank".to_owned()
            } else {
                quote(&id_text)
            };
            let known: Vec<&str> = ctx.categories.iter().map(|c| c.id.as_str()).collect();
            reader.push(id_cell.finding(
                Code::X12,
                format!(
                    "{}: {found} is not a category of the cycle; use one of {}",
                    id_cell.label,
                    known.join(", ")
                ),
            ));
            continue;
        };
        if seen.insert(category.id.clone(), row).is_some() {
            reader.push(id_cell.finding(
                Code::X11,
                format!(
                    "{}: {} is listed twice; give each category one row",
                    id_cell.label, category.id
                ),
            ));
            continue;
        }
        let actual = required_cell(reader, &table, row, "actual", read_money);
        let forecast = required_cell(reader, &table, row, "forecast", read_money);
        let notes = table
            .cell(reader.file, row, "notes")
            .and_then(|c| read_text(&c));
        if !category.eligible
            && notes.is_none()
            && (actual.is_some_and(|a| !a.is_zero()) || forecast.is_some_and(|f| !f.is_zero()))
            && let Some(cell) = table.cell(reader.file, row, "notes")
        {
            reader.push(cell.finding(
                Code::X06,
                format!(
                    "{} is not eligible for the grant but has an amount and no note; say in Notes what the spending was",
                    category.id
                ),
            ));
        }
        if let (Some(actual), Some(forecast)) = (actual, forecast) {
            lines.push(FinanceLine {
                category: category.id.clone(),
                label: category.label.clone(),
                actual,
                forecast,
                notes,
            });
        }
    }
    let missing: Vec<&str> = ctx
        .categories
        .iter()
        .filter(|c| !seen.contains_key(&c.id))
        .map(|c| c.id.as_str())
        .collect();
    if !missing.is_empty() {
        reader.push(Finding::new(
            Code::X12,
            Location::sheet(reader.file, &table.sheet.name, table.sheet.index),
            format!(
                "categories missing: {}; add a row for each category of the cycle",
                missing.join(", ")
            ),
        ));
    }
    Some(Return::Financial(FinancialReturn {
        header: header?,
        quarter: quarter?,
        version: version?,
        chief_finance_officer: cfo?,
        lines,
    }))
}

/// X07: the chief finance officer and the signed-on date are required; a sign-off on or
/// before the quarter's last day is early (a warning).
fn check_signature(
    reader: &mut Reader,
    fields: &AboutFields,
    year: Option<FinancialYear>,
    quarter: Option<Quarter>,
) -> Option<String> {
    let cfo_cell = fields.cell(reader.file, "chief_finance_officer");
    let cfo = cfo_cell.as_ref().and_then(read_text);
    if cfo.is_none()
        && let Some(cell) = &cfo_cell
    {
        reader.push(cell.finding(
            Code::X07,
            format!(
                "{} is blank; the return must be signed off by the chief finance officer",
                cell.label
            ),
        ));
    }
    if let Some(cell) = fields.cell(reader.file, "submitted_on") {
        match cell.value() {
            v if v.is_blank() => reader.push(cell.finding(
                Code::X07,
                format!("{} is blank; enter the date the chief finance officer signed the return off (YYYY-MM-DD)", cell.label),
            )),
            _ => {
                if let (Ok(Some(date)), Some(year), Some(quarter)) = (read_date(&cell), year, quarter) {
                    let quarter_end = quarter.last_day(year);
                    if date <= quarter_end {
                        reader.push(
                            cell.finding(
                                Code::X07,
                                format!(
                                    "{}: {date} is on or before the end of {quarter} ({quarter_end}); a return for the quarter is signed off after the quarter ends",
                                    cell.label
                                ),
                            )
                            .with_severity(Severity::Warning),
                        );
                    }
                }
            }
        }
    }
    cfo
}

/// F05: the file name names another force, quarter or month than the About sheet.
fn check_file_name(reader: &mut Reader, file: &str, key: &ReturnKey, forces: &ForceList) {
    let name = file.rsplit(['/', '\\']).next().unwrap_or(file);
    let stem = name
        .rsplit_once('.')
        .map_or(name, |(stem, _)| stem)
        .to_lowercase();
    let mut problems = Vec::new();
    if let Some(force) = &key.force {
        let named: Vec<&str> = force_ids_in(&stem, forces);
        if !named.is_empty() && !named.contains(&force.as_str()) {
            problems.push(format!(
                "force {} (the About sheet says {force})",
                named.join(", ")
            ));
        }
    }
    if let Some(quarter) = key.quarter {
        let named: Vec<Quarter> = Quarter::ALL
            .into_iter()
            .filter(|q| contains_token(&stem, &q.to_string().to_lowercase()))
            .collect();
        if !named.is_empty() && !named.contains(&quarter) {
            let named: Vec<String> = named.iter().map(ToString::to_string).collect();
            problems.push(format!(
                "quarter {} (the About sheet says {quarter})",
                named.join(", ")
            ));
        }
    }
    if let Some(months_to) = key.months_to {
        let named = months_in(&stem);
        if !named.is_empty() && !named.contains(&months_to) {
            let named: Vec<String> = named.iter().map(ToString::to_string).collect();
            problems.push(format!(
                "month {} (the About sheet says Months to {months_to})",
                named.join(", ")
            ));
        }
    }
    if !problems.is_empty() {
        reader.push(Finding::new(
            Code::F05,
            Location::file(file),
            format!(
                "the file name names {}; the About sheet is what counts: rename the file or correct the About sheet",
                problems.join(" and ")
            ),
        ));
    }
}

/// The ids of the force list that stand in `stem` as tokens (see [`contains_token`]), in id
/// order. Every stretch of the name that starts and ends at a token boundary is looked up,
/// so the cost grows with the length of the name, not with the number of forces.
fn force_ids_in<'f>(stem: &str, forces: &'f ForceList) -> Vec<&'f str> {
    let bytes = stem.as_bytes();
    let apart = |i: usize| !bytes[i].is_ascii_alphanumeric();
    let starts: Vec<usize> = (0..bytes.len())
        .filter(|&i| i == 0 || apart(i - 1))
        .collect();
    let ends: Vec<usize> = (1..=bytes.len())
        .filter(|&e| e == bytes.len() || apart(e))
        .collect();
    let mut found = std::collections::BTreeSet::new();
    for &start in &starts {
        for &end in ends.iter().filter(|&&e| e > start) {
            if let Some(force) = stem.get(start..end).and_then(|text| forces.find(text)) {
                found.insert(force.id.as_str());
            }
        }
    }
    found.into_iter().collect()
}

/// True when `token` appears in `text` not joined to other letters or digits on either side
/// (so `essex` is not found in `sussex`, nor `q1` in `q12`).
fn contains_token(text: &str, token: &str) -> bool {
    let bytes = text.as_bytes();
    text.match_indices(token).any(|(at, _)| {
        let before = at.checked_sub(1).map(|i| bytes[i]);
        let after = bytes.get(at + token.len()).copied();
        let joined = |b: Option<u8>| b.is_some_and(|b| b.is_ascii_alphanumeric());
        !joined(before) && !joined(after)
    })
}

/// Every `YYYY-MM` month written in a file name.
fn months_in(stem: &str) -> Vec<Month> {
    let bytes = stem.as_bytes();
    (0..bytes.len().saturating_sub(6))
        .filter(|&i| i == 0 || !bytes[i - 1].is_ascii_digit())
        .filter(|&i| bytes.get(i + 7).is_none_or(|b| !b.is_ascii_digit()))
        .filter_map(|i| stem.get(i..i + 7)?.parse::<Month>().ok())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_in_file_names_stand_apart() {
        assert!(contains_token("kent-2025-26-q2-v1", "kent"));
        assert!(contains_token("kent-2025-26-q2-v1", "q2"));
        assert!(!contains_token("sussex-plan", "essex"));
        assert!(!contains_token("kent-q12", "q1"));
        assert!(contains_token("north-wales-2025-09", "north-wales"));
        assert!(!contains_token("north-wales-2025-09", "wales-2"));
    }

    #[test]
    fn force_ids_in_a_name_are_those_that_stand_as_tokens() {
        let forces = crate::cycle::defaults::default_forces().unwrap();
        for name in [
            "north-wales-2025-09",
            "sussex-plan-v1",
            "kent-and-essex-q1",
            "city-of-london-2025-26-q2-v1",
            "west-yorkshire",
            "Ü-kent-x",
            "",
        ] {
            let naive: Vec<&str> = forces
                .iter()
                .map(|f| f.id.as_str())
                .filter(|id| contains_token(name, id))
                .collect();
            assert_eq!(force_ids_in(name, &forces), naive, "{name}");
        }
        assert_eq!(
            force_ids_in("kent-and-essex-q1", &forces),
            ["essex", "kent"]
        );
    }

    #[test]
    fn months_in_file_names() {
        let months: Vec<String> = months_in("kent-2025-09")
            .iter()
            .map(ToString::to_string)
            .collect();
        assert_eq!(months, ["2025-09"]);
        // `2025-26` is a financial year, not a month.
        assert!(months_in("kent-2025-26-q2-v1").is_empty());
        assert!(months_in("kent-12025-09").is_empty());
    }
}
