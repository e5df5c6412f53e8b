//! Blank return templates for forces to fill in, written from the layouts under `templates/`.

use rust_xlsxwriter::utility::row_col_to_cell;
use rust_xlsxwriter::{
    DataValidation, DataValidationErrorStyle, DataValidationRule, ExcelDateTime, Format,
    FormatAlign, FormatBorder, Formula, Workbook, Worksheet, XlsxError,
};

use chrono::{Datelike, NaiveDate};
use rust_decimal::Decimal;
use rust_decimal::prelude::ToPrimitive;

use crate::domain::category::Category;
use crate::domain::returns::MonitoringReturn;
use crate::domain::{FinancialYear, Force, Month, Quarter};
use crate::layout::{Column, Prefill, ReturnKind, ReturnLayout, RowSource, TotalRow, ValueKind};

use super::formats::{self, NUMBER_FORMAT_FTE, NUMBER_FORMAT_HEADCOUNT, NUMBER_FORMAT_MONEY};
use super::print::{Heading, Orientation, PageSetup, Paper, Scaling, set_up_page};
use super::table::header_format;

/// Everything a blank return is made from.
#[derive(Clone, Debug)]
pub struct TemplateRequest<'a> {
    pub kind: ReturnKind,
    pub year: FinancialYear,
    pub force: &'a Force,
    /// The expenditure categories, in `cycle.toml` order (used by the financial return).
    pub categories: &'a [Category],
    /// The financial return's quarter, pre-filled when given.
    pub quarter: Option<Quarter>,
    /// The monitoring return's `Months to`, pre-filled when given.
    pub months_to: Option<Month>,
}

/// The pale yellow that marks a cell to fill in.
const INPUT_FILL: u32 = 0xFFF2CC;

/// The cell formats a template uses, built once.
struct Formats {
    header: Format,
    label: Format,
    locked_text: Format,
    locked_number: Format,
    notes: Format,
    total_text: Format,
    total_money: Format,
}

impl Formats {
    fn new() -> Formats {
        Formats {
            header: header_format(),
            label: Format::new().set_bold(),
            locked_text: Format::new().set_num_format("@"),
            locked_number: Format::new(),
            notes: Format::new().set_text_wrap().set_align(FormatAlign::Top),
            total_text: Format::new()
                .set_bold()
                .set_num_format("@")
                .set_border_top(FormatBorder::Thin),
            total_money: Format::new()
                .set_bold()
                .set_num_format(NUMBER_FORMAT_MONEY)
                .set_border_top(FormatBorder::Thin),
        }
    }

    /// The unlocked, shaded format of an input cell of `kind`.
    fn input(&self, kind: ValueKind) -> Format {
        let format = Format::new()
            .set_unlocked()
            .set_background_color(INPUT_FILL);
        match kind {
            ValueKind::Money => format.set_num_format(NUMBER_FORMAT_MONEY),
            ValueKind::Fte => format.set_num_format(NUMBER_FORMAT_FTE),
            ValueKind::Headcount | ValueKind::Whole | ValueKind::Version => {
                format.set_num_format(NUMBER_FORMAT_HEADCOUNT)
            }
            ValueKind::Percent => format.set_num_format("0.00"),
            ValueKind::Date => format.set_num_format("yyyy-mm-dd"),
            ValueKind::Weight => format.set_num_format("General"),
            // Text formats keep Excel from turning `2025-09` or an id into something else.
            ValueKind::Text
            | ValueKind::Month
            | ValueKind::ForceId
            | ValueKind::Year
            | ValueKind::Quarter
            | ValueKind::CategoryId => format.set_num_format("@"),
        }
    }
}

/// A value filled into an input cell of a return (by the fixture generator and by tests).
#[derive(Clone, Debug, PartialEq)]
pub enum FillValue {
    Text(String),
    /// Written as a spreadsheet number; money and FTE arrive here as exact decimals.
    Number(Decimal),
    /// Written as a real date cell.
    Date(NaiveDate),
}

/// The input values of a filled-in return, by layout key. Rows follow the template's own
/// rows (months or categories) in order; a key left out stays blank.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Filled {
    pub about: Vec<(String, FillValue)>,
    pub rows: Vec<Vec<(String, FillValue)>>,
}

impl Filled {
    fn about_value(&self, key: &str) -> Option<&FillValue> {
        self.about.iter().find(|(k, _)| k == key).map(|(_, v)| v)
    }

    fn row_value(&self, row: usize, key: &str) -> Option<&FillValue> {
        self.rows
            .get(row)?
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v)
    }
}

/// The months a force's previous monitoring return reports, as input values of a new one:
/// `npg template monitoring --from`. They are typed into the unlocked input cells, so the
/// force can still correct a month (validate then tells the change, X17).
pub fn filled_from_monitoring(year: FinancialYear, previous: &MonitoringReturn) -> Filled {
    let number = |key: &str, value: Decimal| (key.to_owned(), FillValue::Number(value));
    let rows = year
        .months()
        .map(|month| {
            let Some(reported) = previous.months.iter().find(|m| m.month == month) else {
                return Vec::new();
            };
            let mut row = vec![
                number("officers", reported.officers.as_decimal()),
                number("pcsos", reported.pcsos.as_decimal()),
                number("specials", Decimal::from(reported.specials.get())),
            ];
            if let Some(queries) = reported.queries_received {
                row.push(number("queries_received", Decimal::from(queries.get())));
            }
            if let Some(responded) = reported.responded_72h {
                row.push(number("responded_72h", Decimal::from(responded.get())));
            }
            if let Some(rate) = reported.abstraction_rate {
                row.push(number("abstraction_rate", rate));
            }
            row
        })
        .collect();
    Filled {
        about: Vec::new(),
        rows,
    }
}

/// Writes the blank return into an in-memory `.xlsx`. The same request always gives the
/// same bytes: the creation date is fixed at the first day of the financial year (rules §10).
pub fn write_template(request: &TemplateRequest) -> Result<Vec<u8>, XlsxError> {
    write_return(request, &Filled::default())
}

/// Writes a return: the template, with `filled` typed into its input cells.
pub fn write_return(request: &TemplateRequest, filled: &Filled) -> Result<Vec<u8>, XlsxError> {
    let layout = request.kind.layout();
    let formats = Formats::new();
    let mut workbook = Workbook::new();
    workbook.set_properties(&formats::fixed_properties(
        request.year.first_day(),
        &format!(
            "Neighbourhood Policing Grant {} {}: {}",
            request.year,
            layout.return_type.to_lowercase(),
            request.force.name
        ),
    )?);

    // Page setup only: each sheet prints one page wide on A4 portrait, headed with the
    // scheme, the year, the return and the force.
    let year = request.year.to_string();
    let quarter = request.quarter.map(|q| q.to_string());
    let what = format!(
        "{} return, {}",
        layout.return_type.to_lowercase(),
        request.force.name
    );
    let heading = Heading {
        scheme: "Neighbourhood Policing Grant",
        year: &year,
        quarter: quarter.as_deref(),
        what: &what,
        fingerprint: None,
    };
    let page = PageSetup::page(Paper::A4, Orientation::Portrait, Scaling::PagesWide(1));

    let about = workbook.add_worksheet();
    write_about(about, layout, request, filled, &formats)?;
    about.set_active(true);
    set_up_page(about, &heading, &page)?;

    let data = workbook.add_worksheet();
    write_data_sheet(data, layout, request, filled, &formats)?;
    set_up_page(data, &heading, &page.clone().repeat_rows(0, 0))?;

    let notes = workbook.add_worksheet();
    notes.set_name("Notes")?;
    notes.set_column_width(0, NOTES_WIDTH)?;
    for (row, line) in notes_lines(layout, request.categories).iter().enumerate() {
        let format = if row == 0 {
            &formats.label
        } else {
            &formats.notes
        };
        let row = row_num(row)?;
        notes.write_string_with_format(row, 0, line, format)?;
        // Wrapped text needs its row height stated: LibreOffice does not grow a row to fit
        // on opening, and without it the lines of a long note print on top of the next row.
        notes.set_row_height(row, notes_row_height(line))?;
    }
    notes.protect();
    set_up_page(notes, &heading, &page)?;

    workbook.save_to_buffer()
}

/// The Notes column's width in characters.
const NOTES_WIDTH: f64 = 90.0;

/// The characters of a note that surely fit on one printed line of the Notes column (fewer
/// than its width: a proportional font's wide letters take more than one unit).
const NOTES_CHARS_PER_LINE: usize = 90;

/// The height in points of a Notes row holding `line`, wrapped at the column's width.
pub fn notes_row_height(line: &str) -> f64 {
    let chars = line.chars().count().max(1);
    let lines = chars.div_ceil(NOTES_CHARS_PER_LINE);
    // 15 points a line of 11-point text, as a default row.
    15.0 * lines as f64
}

/// The Notes sheet's lines: the layout's notes with a line `{about}` replaced by one line for
/// each About field to fill in, worded exactly as that cell's input prompt (so the two can
/// never say different things), and a line `{counts}` by one line per category of
/// `cycle.toml`: its id, its label and whether it counts towards the grant.
pub fn notes_lines(layout: &ReturnLayout, categories: &[Category]) -> Vec<String> {
    let mut lines = Vec::new();
    for note in &layout.notes {
        match note.as_str() {
            "{about}" => {
                for field in &layout.about {
                    if let Some(help) = &field.help {
                        lines.push(format!("{}: {help}", field.label));
                    }
                }
            }
            "{counts}" => {
                for category in categories {
                    lines.push(format!(
                        "    {} ({}): {}",
                        category.id,
                        category.label,
                        counts_towards_the_grant(category.eligible)
                    ));
                }
            }
            _ => lines.push(note.clone()),
        }
    }
    lines
}

fn write_about(
    sheet: &mut Worksheet,
    layout: &ReturnLayout,
    request: &TemplateRequest,
    filled: &Filled,
    formats: &Formats,
) -> Result<(), XlsxError> {
    sheet.set_name(&layout.about_sheet)?;
    sheet.write_string_with_format(0, 0, &layout.about_header[0], &formats.header)?;
    sheet.write_string_with_format(0, 1, &layout.about_header[1], &formats.header)?;
    let mut value_width = layout.about_header[1].len();
    for (index, field) in layout.about.iter().enumerate() {
        let row = row_num(index + 1)?;
        sheet.write_string_with_format(row, 0, &field.label, &formats.label)?;
        match field
            .prefill
            .and_then(|p| prefilled_value(p, layout, request))
        {
            Some(Prefilled::Text(text)) => {
                value_width = value_width.max(text.chars().count());
                sheet.write_string_with_format(row, 1, &text, &formats.locked_text)?;
            }
            Some(Prefilled::Number(number)) => {
                sheet.write_number_with_format(
                    row,
                    1,
                    f64::from(number),
                    &formats.locked_number,
                )?;
            }
            None => {
                write_input(
                    sheet,
                    row,
                    1,
                    filled.about_value(&field.key),
                    &formats.input(field.kind),
                )?;
                let validation = validation_for(
                    field.kind,
                    request.year,
                    field.help.as_deref(),
                    &row_col_to_cell(row, 1),
                )?;
                sheet.add_data_validation(row, 1, row, 1, &validation)?;
            }
        }
    }
    let label_width = layout
        .about
        .iter()
        .map(|f| f.label.chars().count())
        .max()
        .unwrap_or(10);
    sheet.set_column_width(0, width(label_width))?;
    sheet.set_column_width(1, width(value_width.max(24)))?;
    sheet.protect();
    Ok(())
}

/// A value the template fills in for the force.
enum Prefilled {
    Text(String),
    Number(u32),
}

fn prefilled_value(
    prefill: Prefill,
    layout: &ReturnLayout,
    request: &TemplateRequest,
) -> Option<Prefilled> {
    Some(match prefill {
        Prefill::ReturnType => Prefilled::Text(layout.return_type.clone()),
        Prefill::TemplateVersion => Prefilled::Number(layout.template_version),
        Prefill::ForceId => Prefilled::Text(request.force.id.to_string()),
        Prefill::ForceName => Prefilled::Text(request.force.name.clone()),
        Prefill::FinancialYear => Prefilled::Text(request.year.to_string()),
        Prefill::Quarter => Prefilled::Text(request.quarter?.to_string()),
        Prefill::MonthsTo => Prefilled::Text(request.months_to?.to_string()),
    })
}

/// The fixed cells of each data row, by column key: a month, or a category's id, label and
/// whether it counts towards the grant.
pub fn row_labels(
    layout: &ReturnLayout,
    year: FinancialYear,
    categories: &[Category],
) -> Vec<Vec<(&'static str, String)>> {
    match layout.rows {
        RowSource::Months => year
            .months()
            .map(|m| vec![("month", m.to_string())])
            .collect(),
        RowSource::Categories => categories
            .iter()
            .map(|c| {
                vec![
                    ("category_id", c.id.to_string()),
                    ("category", c.label.clone()),
                    ("counts", counts_towards_the_grant(c.eligible).to_owned()),
                ]
            })
            .collect(),
    }
}

/// What the `Counts towards the grant` column says of a category.
pub fn counts_towards_the_grant(eligible: bool) -> &'static str {
    if eligible { "Yes" } else { "No" }
}

fn write_data_sheet(
    sheet: &mut Worksheet,
    layout: &ReturnLayout,
    request: &TemplateRequest,
    filled: &Filled,
    formats: &Formats,
) -> Result<(), XlsxError> {
    sheet.set_name(&layout.data_sheet)?;
    let rows = row_labels(layout, request.year, request.categories);
    let last_row = row_num(rows.len())?;
    for (col_index, column) in layout.columns.iter().enumerate() {
        let col = col_num(col_index)?;
        sheet.write_string_with_format(0, col, &column.header, &formats.header)?;
        let mut widest = column.header.chars().count();
        if column.fixed {
            for (row_index, labels) in rows.iter().enumerate() {
                let text = labels
                    .iter()
                    .find(|(key, _)| *key == column.key)
                    .map_or("", |(_, text)| text.as_str());
                widest = widest.max(text.chars().count());
                sheet.write_string_with_format(
                    row_num(row_index + 1)?,
                    col,
                    text,
                    &formats.locked_text,
                )?;
            }
        } else {
            let input = formats.input(column.kind);
            for row_index in 0..rows.len() {
                let value = filled.row_value(row_index, &column.key);
                write_input(sheet, row_num(row_index + 1)?, col, value, &input)?;
            }
            if !rows.is_empty() {
                let validation = validation_for(
                    column.kind,
                    request.year,
                    column_help(column).as_deref(),
                    &row_col_to_cell(1, col),
                )?;
                sheet.add_data_validation(1, col, last_row, col, &validation)?;
            }
            widest = widest.max(12);
        }
        let cap = if column.kind == ValueKind::Text && !column.fixed {
            40
        } else {
            70
        };
        sheet.set_column_width(col, width(widest.min(cap)))?;
    }
    if let Some(total) = &layout.total_row {
        write_total_row(sheet, layout, total, rows.len(), filled, formats)?;
    }
    sheet.set_freeze_panes(1, 0)?;
    sheet.protect();
    Ok(())
}

/// The locked total row below the data rows: the marker and label, and for each summed
/// column a `SUM` formula with its value cached, so that a reader that does not calculate
/// (a viewer, a script) sees the total too. `npg` itself never reads it back.
fn write_total_row(
    sheet: &mut Worksheet,
    layout: &ReturnLayout,
    total: &TotalRow,
    data_rows: usize,
    filled: &Filled,
    formats: &Formats,
) -> Result<(), XlsxError> {
    let row = row_num(data_rows + 1)?;
    for (col_index, column) in layout.columns.iter().enumerate() {
        let col = col_num(col_index)?;
        if column.key == total.marker_column {
            sheet.write_string_with_format(row, col, &total.marker, &formats.total_text)?;
        } else if column.key == total.label_column {
            sheet.write_string_with_format(row, col, &total.label, &formats.total_text)?;
        } else if total.summed.contains(&column.key) {
            let first = row_col_to_cell(1, col);
            let last = row_col_to_cell(row_num(data_rows.max(1))?, col);
            let sum: Decimal = (0..data_rows)
                .filter_map(|r| match filled.row_value(r, &column.key) {
                    Some(FillValue::Number(n)) => Some(*n),
                    _ => None,
                })
                .sum();
            let formula = Formula::new(format!("=SUM({first}:{last})")).set_result(sum.to_string());
            sheet.write_formula_with_format(row, col, formula, &formats.total_money)?;
        } else {
            sheet.write_blank(row, col, &formats.total_text)?;
        }
    }
    Ok(())
}

/// Writes one input cell: blank, or the filled value in the input's own format.
fn write_input(
    sheet: &mut Worksheet,
    row: u32,
    col: u16,
    value: Option<&FillValue>,
    format: &Format,
) -> Result<(), XlsxError> {
    match value {
        None => {
            sheet.write_blank(row, col, format)?;
        }
        Some(FillValue::Text(text)) => {
            sheet.write_string_with_format(row, col, text, format)?;
        }
        Some(FillValue::Number(number)) => {
            // The one conversion to a float: a spreadsheet number is a float, and rules §1
            // reads it back exactly for any figure with at most 2 places.
            let float = number.to_f64().ok_or_else(|| {
                XlsxError::ParameterError(format!("{number} cannot be written as a number"))
            })?;
            sheet.write_number_with_format(row, col, float, format)?;
        }
        Some(FillValue::Date(date)) => {
            let cell_date = ExcelDateTime::from_ymd(
                year_u16(date.year())?,
                u8::try_from(date.month()).unwrap_or(1),
                u8::try_from(date.day()).unwrap_or(1),
            )?;
            sheet.write_datetime_with_format(row, col, cell_date, format)?;
        }
    }
    Ok(())
}

fn column_help(column: &Column) -> Option<String> {
    let need = if column.optional {
        "May be left blank."
    } else {
        "Required: enter 0 if none."
    };
    let what = match column.kind {
        ValueKind::Money => "Pounds and pence, 0 or more, at most 2 decimal places.",
        ValueKind::Fte => "FTE, 0 or more, at most 2 decimal places.",
        ValueKind::Headcount => "A whole number, 0 or more.",
        ValueKind::Percent => "A percentage from 0 to 100 (12.5 means 12.5%).",
        ValueKind::Text => return column.optional.then(|| "Optional text.".to_owned()),
        _ => return None,
    };
    let need = if column.kind == ValueKind::Text {
        ""
    } else {
        need
    };
    Some(format!("{what} {need}").trim().to_owned())
}

/// The data validation that guides input into a cell of `kind`. A custom formula names the
/// validated range's top-left cell (`anchor`, relative), and spreadsheet programs apply it to
/// each cell of the range in turn.
fn validation_for(
    kind: ValueKind,
    year: FinancialYear,
    help: Option<&str>,
    anchor: &str,
) -> Result<DataValidation, XlsxError> {
    let (validation, message) = match kind {
        ValueKind::Money => (
            // A plain decimal rule cannot limit the places, so a custom rule checks the pence.
            // A plain decimal rule cannot limit the places, so a custom rule checks the pence.
            DataValidation::new().allow_custom(Formula::new(format!(
                "=AND(ISNUMBER({anchor}),{anchor}>=0,{anchor}<=1000000000000,ROUND({anchor},2)={anchor})"
            ))),
            "Enter an amount in pounds and pence: 0 or more, at most 2 decimal places (enter 0 if none).",
        ),
        ValueKind::Fte => (
            DataValidation::new().allow_custom(Formula::new(format!(
                "=AND(ISNUMBER({anchor}),{anchor}>=0,{anchor}<=1000000,ROUND({anchor},2)={anchor})"
            ))),
            "Enter FTE as a number: 0 or more, at most 2 decimal places.",
        ),
        ValueKind::Headcount | ValueKind::Whole => (
            DataValidation::new().allow_whole_number(DataValidationRule::Between(0, 1_000_000)),
            "Enter a whole number, 0 or more.",
        ),
        ValueKind::Version => (
            DataValidation::new().allow_whole_number(DataValidationRule::Between(1, 1_000)),
            "Enter a whole number, 1 or more.",
        ),
        ValueKind::Percent => (
            DataValidation::new().allow_decimal_number(DataValidationRule::Between(0.0, 100.0)),
            "Enter a percentage from 0 to 100 (12.5 means 12.5%).",
        ),
        ValueKind::Date => {
            // Submission dates may fall a year either side (plans approved early, Q4 late).
            let from = ExcelDateTime::from_ymd(year_u16(year.start_year() - 1)?, 1, 1)?;
            let to = ExcelDateTime::from_ymd(year_u16(year.start_year() + 2)?, 12, 31)?;
            (
                DataValidation::new().allow_date(DataValidationRule::Between(from, to)),
                "Enter a date, for example 2025-07-15.",
            )
        }
        ValueKind::Month => {
            let months: Vec<String> = year.months().map(|m| m.to_string()).collect();
            (
                DataValidation::new().allow_list_strings(&months)?,
                "Choose a month of the financial year, written YYYY-MM.",
            )
        }
        ValueKind::Quarter => (
            DataValidation::new().allow_list_strings(&["Q1", "Q2", "Q3", "Q4"])?,
            "Choose Q1, Q2, Q3 or Q4.",
        ),
        ValueKind::Weight => (
            DataValidation::new().allow_decimal_number(DataValidationRule::GreaterThanOrEqualTo(0.0)),
            "Enter a weight, 0 or more.",
        ),
        ValueKind::Text | ValueKind::ForceId | ValueKind::Year | ValueKind::CategoryId => (
            DataValidation::new().allow_text_length(DataValidationRule::LessThanOrEqualTo(255)),
            "Enter text of at most 255 characters.",
        ),
    };
    let mut validation = validation
        .set_error_style(DataValidationErrorStyle::Stop)
        .set_error_title("Not accepted")?
        .set_error_message(message)?;
    if let Some(help) = help {
        validation = validation.set_input_message(help)?;
    }
    Ok(validation)
}

fn year_u16(year: i32) -> Result<u16, XlsxError> {
    u16::try_from(year)
        .map_err(|_| XlsxError::ParameterError(format!("year {year} is out of range")))
}

/// A column width in characters with a little room to spare.
fn width(chars: usize) -> f64 {
    (chars as f64 + 3.0).clamp(10.0, 120.0)
}

fn row_num(index: usize) -> Result<u32, XlsxError> {
    u32::try_from(index).map_err(|_| XlsxError::RowColumnLimitError)
}

fn col_num(index: usize) -> Result<u16, XlsxError> {
    u16::try_from(index).map_err(|_| XlsxError::RowColumnLimitError)
}
