//! `reconciliation.xlsx`: delivery against plan (rules §6) per force and nationally, with a
//! national planned-against-actual uplift chart and a small chart per force.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use rust_xlsxwriter::{
    Chart, ChartAxisLabelPosition, ChartFont, ChartLegendPosition, ChartType, Worksheet, XlsxError,
};

use crate::domain::{ForceId, ForceList, Month};
use crate::rules::reconcile::{MonthLine, NationalLine, Reconciliation};

use super::formats;
use super::print::{Heading, Orientation, PageSetup, Paper, Scaling, set_up_page};
use super::table::{Cell, SheetWriter};

/// What a month with no monitoring row shows instead of figures (never zero).
pub const NOT_REPORTED: &str = "not reported";
/// What a force with no plan shows instead of planned figures.
pub const NO_PLAN: &str = "no plan";
/// Per-force charts are drawn only up to this many forces; beyond it they would be
/// unreadable, and the national chart still shows.
pub const MAX_FORCE_CHARTS: usize = 60;

pub const MONTHLY_HEADER: [&str; 29] = [
    "Force id",
    "Force name",
    "Month",
    "Planned officers FTE",
    "Actual officers FTE",
    "Variance officers FTE",
    "Variance officers %",
    "Planned PCSOs FTE",
    "Actual PCSOs FTE",
    "Variance PCSOs FTE",
    "Variance PCSOs %",
    "Planned specials",
    "Actual specials",
    "Variance specials",
    "Variance specials %",
    "Baseline FTE (L0)",
    "Planned neighbourhood FTE",
    "Actual neighbourhood FTE",
    "Variance neighbourhood FTE",
    "Variance neighbourhood %",
    "Planned uplift (Up)",
    "Actual uplift (Ua)",
    "Progress (P)",
    "Fraction paid",
    "RAG",
    "Queries received",
    "Responded within 72 hours",
    "72-hour response rate",
    "Abstraction rate",
];
const MONTHLY_MONTH: u16 = 2;
const MONTHLY_UP: u16 = 20;
const MONTHLY_UA: u16 = 21;

pub const SUMMARY_HEADER: [&str; 12] = [
    "Force id",
    "Force name",
    "Baseline FTE (L0)",
    "Planned neighbourhood FTE",
    "Actual neighbourhood FTE",
    "Variance neighbourhood FTE",
    "Planned uplift (Up)",
    "Actual uplift (Ua)",
    "Progress (P)",
    "Fraction paid",
    "RAG",
    "Monitoring reported to",
];
/// The Summary's table starts below its few lines of facts.
pub const SUMMARY_HEADER_ROW: usize = 6;

pub const NATIONAL_HEADER: [&str; 14] = [
    "Month",
    "Forces counted",
    "Planned officers FTE",
    "Actual officers FTE",
    "Planned PCSOs FTE",
    "Actual PCSOs FTE",
    "Planned neighbourhood FTE",
    "Actual neighbourhood FTE",
    "Planned uplift (Up)",
    "Actual uplift (Ua)",
    "Variance uplift",
    "Progress (P)",
    "Fraction paid",
    "RAG",
];
const NATIONAL_UP: u16 = 8;
const NATIONAL_UA: u16 = 9;

/// What the reconciliation is of, for its Summary and document properties.
#[derive(Clone, Copy, Debug)]
pub struct ReconciliationFacts<'a> {
    pub scheme: &'a str,
    pub rules_version: &'a str,
    /// Returns submitted by this date counted.
    pub cutoff: NaiveDate,
    /// The "as at" date stamped into the workbook.
    pub as_at: NaiveDate,
    /// Each force's `Months to` in the monitoring return that counted.
    pub reported_to: &'a BTreeMap<ForceId, Month>,
    /// The payment run's input fingerprint, printed in the footer; `None` for `npg
    /// reconcile`, which is no payment run.
    pub fingerprint: Option<&'a str>,
}

/// Writes the reconciliation workbook: Summary, Monthly, National and Charts.
pub fn write_reconciliation(
    recon: &Reconciliation,
    forces: &ForceList,
    facts: &ReconciliationFacts,
) -> Result<Vec<u8>, XlsxError> {
    let last = recon
        .last_month()
        .ok_or_else(|| XlsxError::ParameterError("a reconciliation covers no month".into()))?;
    let mut workbook = formats::output_workbook();
    workbook.set_properties(&formats::fixed_properties(
        facts.as_at,
        &format!("{}: reconciliation to {last}", facts.scheme),
    )?);
    let ids: Vec<&ForceId> = recon
        .lines
        .iter()
        .filter(|l| l.month == last)
        .map(|l| &l.force)
        .collect();
    let name = |id: &ForceId| {
        forces
            .get(id)
            .map_or_else(|| id.to_string(), |f| f.name.clone())
    };

    let year = last.financial_year().to_string();
    // A quarter's reconciliation (a payment run's) names its quarter; a month's does not.
    let quarter = last.quarter();
    let quarter = (quarter.end_month(last.financial_year()) == last).then(|| quarter.to_string());
    let what = format!("reconciliation to {last}");
    let heading = Heading {
        scheme: facts.scheme,
        year: &year,
        quarter: quarter.as_deref(),
        what: &what,
        fingerprint: facts.fingerprint,
    };

    let summary = workbook.add_worksheet();
    let summary_rows = write_summary(summary, recon, last, &name, facts)?;
    summary.set_active(true);
    let header_row =
        u32::try_from(SUMMARY_HEADER_ROW).map_err(|_| XlsxError::RowColumnLimitError)?;
    // One page wide, so that each force's figures print beside its name.
    set_up_page(
        summary,
        &heading,
        &PageSetup::page(Paper::A4, Orientation::Landscape, Scaling::PagesWide(1))
            .repeat_rows(header_row, header_row)
            .print_area(summary_rows, (SUMMARY_HEADER.len() - 1) as u16),
    )?;
    let monthly = workbook.add_worksheet_with_constant_memory()?;
    write_monthly(monthly, recon, &name)?;
    // 29 columns: A3, two pages wide, each page with the force and month.
    set_up_page(
        monthly,
        &heading,
        &PageSetup::table(Paper::A3, Orientation::Landscape, Scaling::PagesWide(2))
            .repeat_columns(0, MONTHLY_MONTH),
    )?;
    let national = workbook.add_worksheet();
    write_national(national, &recon.national)?;
    set_up_page(
        national,
        &heading,
        &PageSetup::table(Paper::A4, Orientation::Landscape, Scaling::PagesWide(1)),
    )?;
    let charts = workbook.add_worksheet();
    let chart_pages = write_charts(charts, recon, &ids, &name)?;
    set_up_page(charts, &heading, &chart_pages)?;
    workbook.save_to_buffer()
}

/// A level that may be missing: the figure, or the word saying why not.
fn level_or<'a>(value: Option<Cell<'a>>, missing: &'a str) -> Cell<'a> {
    value.unwrap_or(Cell::text(missing))
}

fn write_summary(
    sheet: &mut Worksheet,
    recon: &Reconciliation,
    last: Month,
    name: &dyn Fn(&ForceId) -> String,
    facts: &ReconciliationFacts,
) -> Result<u32, XlsxError> {
    let mut w = SheetWriter::new(sheet, "Summary")?;
    // The title and facts run across the empty cells to their right rather than widening
    // column A, so that the table below prints one page wide at a legible size.
    let title = format!("{}: delivery against plan to {last}", facts.scheme);
    w.title(0, &title)?;
    let facts_lines = [
        format!("Returns counted if submitted by {}", facts.cutoff),
        format!("As at {}", facts.as_at),
        format!("Rules version {}", facts.rules_version),
    ];
    for (row, line) in facts_lines.iter().enumerate() {
        w.note(row + 1, line)?;
    }
    w.header(SUMMARY_HEADER_ROW, &SUMMARY_HEADER)?;
    let mut row = SUMMARY_HEADER_ROW + 1;
    for line in recon.lines.iter().filter(|l| l.month == last) {
        let planned = line.planned.map(|p| p.neighbourhood());
        let actual = line.actual.map(|a| a.neighbourhood());
        let a = line.assessment;
        let cells = [
            Cell::text(line.force.as_str()),
            Cell::text(name(&line.force)),
            Cell::fte(line.baseline),
            level_or(planned.map(Cell::Fte), NO_PLAN),
            level_or(actual.map(Cell::Fte), NOT_REPORTED),
            Cell::fte(line.variances.map(|v| v.neighbourhood.amount)),
            Cell::fte(line.planned_uplift),
            Cell::fte(a.map(|a| a.actual_uplift)),
            Cell::ratio(a.map(|a| a.progress)),
            a.map_or(Cell::Blank, |a| Cell::Fraction(a.fraction)),
            a.map_or(Cell::Blank, |a| Cell::Rag(a.rag)),
            facts
                .reported_to
                .get(&line.force)
                .map_or(Cell::text("no monitoring"), |m| Cell::text(m.to_string())),
        ];
        w.row(row, &cells)?;
        row += 1;
    }
    if let Some(national) = recon.national.iter().find(|n| n.month == last) {
        let a = national.assessment;
        let counted = national.forces_counted > 0;
        let cells = [
            Cell::text("National"),
            Cell::text(format!("{} forces counted", national.forces_counted)),
            Cell::Blank,
            if counted {
                Cell::Fte(national.planned.neighbourhood)
            } else {
                Cell::text(NOT_REPORTED)
            },
            if counted {
                Cell::Fte(national.actual.neighbourhood)
            } else {
                Cell::Blank
            },
            Cell::fte(
                counted.then(|| national.actual.neighbourhood - national.planned.neighbourhood),
            ),
            Cell::fte(counted.then_some(national.planned_uplift)),
            Cell::fte(counted.then_some(national.actual_uplift)),
            Cell::ratio(a.map(|a| a.progress)),
            a.map_or(Cell::Blank, |a| Cell::Fraction(a.fraction)),
            a.map_or(Cell::Blank, |a| Cell::Rag(a.rag)),
            Cell::Blank,
        ];
        w.totals_row(row, &cells)?;
    }
    let sheet = w.sheet();
    let header_row =
        u32::try_from(SUMMARY_HEADER_ROW).map_err(|_| XlsxError::RowColumnLimitError)?;
    sheet.set_freeze_panes(header_row + 1, 1)?;
    w.finish()?;
    u32::try_from(row).map_err(|_| XlsxError::RowColumnLimitError)
}

/// The cells of one force-month, in the order of `MONTHLY_HEADER`.
fn monthly_cells<'a>(line: &'a MonthLine, name: String) -> Vec<Cell<'a>> {
    let p = line.planned;
    let a = line.actual;
    let v = line.variances;
    let s = line.assessment;
    let c = &line.context;
    let count = |n: Option<crate::domain::Headcount>| {
        n.map_or(Cell::Blank, |n| Cell::Count(i64::from(n.get())))
    };
    vec![
        Cell::text(line.force.as_str()),
        Cell::text(name),
        Cell::text(line.month.to_string()),
        // The first planned and actual cells say why a figure is missing; the rest are blank.
        level_or(p.map(|p| Cell::Fte(p.officers)), NO_PLAN),
        level_or(a.map(|a| Cell::Fte(a.officers)), NOT_REPORTED),
        Cell::fte(v.map(|v| v.officers.amount)),
        Cell::ratio(v.and_then(|v| v.officers.percent)),
        Cell::fte(p.map(|p| p.pcsos)),
        Cell::fte(a.map(|a| a.pcsos)),
        Cell::fte(v.map(|v| v.pcsos.amount)),
        Cell::ratio(v.and_then(|v| v.pcsos.percent)),
        count(p.map(|p| p.specials)),
        count(a.map(|a| a.specials)),
        v.map_or(Cell::Blank, |v| Cell::Count(v.specials.amount)),
        Cell::ratio(v.and_then(|v| v.specials.percent)),
        Cell::fte(line.baseline),
        Cell::fte(p.map(|p| p.neighbourhood())),
        Cell::fte(a.map(|a| a.neighbourhood())),
        Cell::fte(v.map(|v| v.neighbourhood.amount)),
        Cell::ratio(v.and_then(|v| v.neighbourhood.percent)),
        Cell::fte(line.planned_uplift),
        Cell::fte(s.map(|s| s.actual_uplift)),
        Cell::ratio(s.map(|s| s.progress)),
        s.map_or(Cell::Blank, |s| Cell::Fraction(s.fraction)),
        s.map_or(Cell::Blank, |s| Cell::Rag(s.rag)),
        count(c.queries_received),
        count(c.responded_72h),
        Cell::ratio(c.response_rate),
        c.abstraction_rate.map_or(Cell::Blank, Cell::Percent100),
    ]
}

fn write_monthly(
    sheet: &mut Worksheet,
    recon: &Reconciliation,
    name: &dyn Fn(&ForceId) -> String,
) -> Result<(), XlsxError> {
    let mut w = SheetWriter::new(sheet, "Monthly")?;
    w.header(0, &MONTHLY_HEADER)?;
    for (index, line) in recon.lines.iter().enumerate() {
        w.row(index + 1, &monthly_cells(line, name(&line.force)))?;
    }
    let last = u32::try_from(recon.lines.len()).map_err(|_| XlsxError::RowColumnLimitError)?;
    let sheet = w.sheet();
    sheet.set_freeze_panes(1, 3)?;
    sheet.autofilter(0, 0, last, (MONTHLY_HEADER.len() - 1) as u16)?;
    w.finish()
}

fn national_cells(n: &NationalLine) -> Vec<Cell<'static>> {
    let month = Cell::text(n.month.to_string());
    if n.forces_counted == 0 {
        return vec![month, Cell::Count(0), Cell::text(NOT_REPORTED)];
    }
    let a = n.assessment;
    vec![
        month,
        Cell::Count(n.forces_counted as i64),
        Cell::Fte(n.planned.officers),
        Cell::Fte(n.actual.officers),
        Cell::Fte(n.planned.pcsos),
        Cell::Fte(n.actual.pcsos),
        Cell::Fte(n.planned.neighbourhood),
        Cell::Fte(n.actual.neighbourhood),
        Cell::Fte(n.planned_uplift),
        Cell::Fte(n.actual_uplift),
        Cell::Fte(n.actual_uplift - n.planned_uplift),
        Cell::ratio(a.map(|a| a.progress)),
        a.map_or(Cell::Blank, |a| Cell::Fraction(a.fraction)),
        a.map_or(Cell::Blank, |a| Cell::Rag(a.rag)),
    ]
}

fn write_national(sheet: &mut Worksheet, national: &[NationalLine]) -> Result<(), XlsxError> {
    let mut w = SheetWriter::new(sheet, "National")?;
    w.header(0, &NATIONAL_HEADER)?;
    for (index, line) in national.iter().enumerate() {
        w.row(index + 1, &national_cells(line))?;
    }
    w.sheet().set_freeze_panes(1, 1)?;
    w.finish()
}

/// The Charts sheet's grid, in Excel's pixels (a default column is 64 wide, a row 20 high):
/// A4 landscape at 100% prints about 1,040 by 660 of them inside the margins, and LibreOffice
/// draws columns about 6% wider, so each page holds 960 across and 30 rows down.
const CHART_PAGE_ROWS: u32 = 30;
const NATIONAL_CHART: (u32, u32) = (960, 560);
const FORCE_CHART: (u32, u32) = (470, 280);
/// Two force charts a row, two rows a page: the second chart starts at 480 pixels (column H
/// and 32 pixels), each row of charts 15 rows below the last.
const FORCE_CHART_ROWS: u32 = 15;
const FORCE_CHARTS_ACROSS: u32 = 2;
const SECOND_CHART_AT: (u16, u32) = (7, 32);
/// The last column a chart reaches, for the print area.
const CHARTS_LAST_COL: u16 = 15;

/// A line chart of planned against actual uplift from two columns of a sheet, with a legend
/// and axis titles; the month labels sit below the plot, so that a line below zero does not
/// run through them.
fn uplift_chart(
    title: &str,
    sheet: &str,
    rows: (u32, u32),
    month_col: u16,
    up_col: u16,
    ua_col: u16,
) -> Chart {
    let mut chart = Chart::new(ChartType::Line);
    chart.title().set_name(title);
    chart
        .add_series()
        .set_name("Planned uplift (FTE)")
        .set_categories((sheet, rows.0, month_col, rows.1, month_col))
        .set_values((sheet, rows.0, up_col, rows.1, up_col));
    chart
        .add_series()
        .set_name("Actual uplift (FTE)")
        .set_categories((sheet, rows.0, month_col, rows.1, month_col))
        .set_values((sheet, rows.0, ua_col, rows.1, ua_col));
    chart.legend().set_position(ChartLegendPosition::Bottom);
    chart
        .x_axis()
        .set_name("Month")
        .set_label_position(ChartAxisLabelPosition::Low);
    chart.y_axis().set_name("Uplift (FTE)");
    chart
}

/// Writes the Charts sheet: the national chart alone on the first page, then the force
/// charts two by two on each page, a manual page break before each page so that none is
/// cut. Returns the sheet's page setup.
fn write_charts(
    sheet: &mut Worksheet,
    recon: &Reconciliation,
    ids: &[&ForceId],
    name: &dyn Fn(&ForceId) -> String,
) -> Result<PageSetup, XlsxError> {
    sheet.set_name("Charts")?;
    let months = u32::try_from(recon.months.len()).map_err(|_| XlsxError::RowColumnLimitError)?;
    let mut national = uplift_chart(
        "National neighbourhood uplift: planned and actual (FTE)",
        "National",
        (1, months),
        0,
        NATIONAL_UP,
        NATIONAL_UA,
    );
    national
        .set_width(NATIONAL_CHART.0)
        .set_height(NATIONAL_CHART.1);
    sheet.insert_chart(1, 0, &national)?;
    let page = |last_row: u32, breaks: Vec<u32>| {
        PageSetup::page(Paper::A4, Orientation::Landscape, Scaling::Percent(100))
            .print_area(last_row, CHARTS_LAST_COL)
            .page_breaks(breaks)
    };
    if ids.len() > MAX_FORCE_CHARTS {
        sheet.write_string(
            CHART_PAGE_ROWS,
            0,
            format!(
                "{} forces: per-force charts are drawn for at most {MAX_FORCE_CHARTS}; see the Monthly sheet.",
                ids.len()
            ),
        )?;
        return Ok(page(CHART_PAGE_ROWS, vec![CHART_PAGE_ROWS]));
    }
    // Each chart over its force's rows of the Monthly sheet (forces are in id order there,
    // one row per month).
    for (index, id) in ids.iter().enumerate() {
        let i = u32::try_from(index).map_err(|_| XlsxError::RowColumnLimitError)?;
        let first = 1 + i * months;
        let mut chart = uplift_chart(
            &name(id),
            "Monthly",
            (first, first + months - 1),
            MONTHLY_MONTH,
            MONTHLY_UP,
            MONTHLY_UA,
        );
        chart.set_width(FORCE_CHART.0).set_height(FORCE_CHART.1);
        chart
            .title()
            .set_font(ChartFont::new().set_size(10).set_bold());
        let row = CHART_PAGE_ROWS + (i / FORCE_CHARTS_ACROSS) * FORCE_CHART_ROWS;
        if i % FORCE_CHARTS_ACROSS == 0 {
            sheet.insert_chart(row, 0, &chart)?;
        } else {
            let (col, x) = SECOND_CHART_AT;
            sheet.insert_chart_with_offset(row, col, &chart, x, 0)?;
        }
    }
    let chart_rows = u32::try_from(ids.len())
        .map_err(|_| XlsxError::RowColumnLimitError)?
        .div_ceil(FORCE_CHARTS_ACROSS);
    let pages = chart_rows.div_ceil(CHART_PAGE_ROWS / FORCE_CHART_ROWS);
    let breaks: Vec<u32> = (0..pages.max(1))
        .map(|p| CHART_PAGE_ROWS * (p + 1))
        .collect();
    let last_row = CHART_PAGE_ROWS * (pages + 1) - 1;
    Ok(page(last_row, breaks))
}
