//! Tables in output workbooks: typed cells (money, ratios, FTE, counts, RAG) written with the
//! formats of rules §1, header rows, and column widths that fit what was written.

use crate::text::fit_cell;
use std::borrow::Cow;

use rust_decimal::Decimal;
use rust_decimal::prelude::ToPrimitive;

use rust_xlsxwriter::{Format, FormatAlign, FormatBorder, Worksheet, XlsxError};

use crate::domain::{Fte, Money, PayFraction, Ratio};
use crate::rules::taper::Rag;

use super::formats::{
    NUMBER_FORMAT_FTE, NUMBER_FORMAT_HEADCOUNT, NUMBER_FORMAT_MONEY, NUMBER_FORMAT_RATIO,
};

/// The pale grey of header rows, as in the templates.
pub const HEADER_FILL: u32 = 0xD9D9D9;
/// The fills of RAG cells: Excel's own "good", "neutral" and "bad" colours.
const GREEN_FILL: u32 = 0xC6EFCE;
const AMBER_FILL: u32 = 0xFFEB9C;
const RED_FILL: u32 = 0xFFC7CE;

/// One cell's value, typed so that each kind gets its own number format.
#[derive(Clone, Debug, PartialEq)]
pub enum Cell<'a> {
    Blank,
    Text(Cow<'a, str>),
    /// Bold text, for labels and totals.
    Label(Cow<'a, str>),
    Money(Money),
    /// A ratio (progress, variance %, response rate) shown as a percentage.
    Ratio(Ratio),
    /// The taper's fraction, shown as a percentage.
    Fraction(PayFraction),
    /// A percentage reported on a 0–100 scale, written as a ratio (12.5 → 12.50%).
    Percent100(Decimal),
    Fte(Fte),
    Count(i64),
    /// A RAG rating, written as its word on its colour.
    Rag(Rag),
}

impl<'a> Cell<'a> {
    pub fn text(text: impl Into<Cow<'a, str>>) -> Cell<'a> {
        Cell::Text(text.into())
    }

    pub fn label(text: impl Into<Cow<'a, str>>) -> Cell<'a> {
        Cell::Label(text.into())
    }

    /// Money, or blank.
    pub fn money(value: Option<Money>) -> Cell<'a> {
        value.map_or(Cell::Blank, Cell::Money)
    }

    /// A ratio, or blank.
    pub fn ratio(value: Option<Ratio>) -> Cell<'a> {
        value.map_or(Cell::Blank, Cell::Ratio)
    }

    /// FTE, or blank.
    pub fn fte(value: Option<Fte>) -> Cell<'a> {
        value.map_or(Cell::Blank, Cell::Fte)
    }

    /// How wide the cell reads on screen, for sizing its column; worked out without
    /// formatting the value, since a large run writes millions of cells.
    fn shown_width(&self) -> usize {
        match self {
            Cell::Blank => 0,
            Cell::Text(t) | Cell::Label(t) => t.chars().count(),
            // £1,234,567.89: sign, pound sign, digits with their commas, pence.
            Cell::Money(m) => {
                let digits = whole_digits(m.as_decimal());
                usize::from(m.is_negative()) + 1 + digits + (digits - 1) / 3 + 3
            }
            Cell::Ratio(_) | Cell::Fraction(_) | Cell::Percent100(_) => 9,
            Cell::Fte(f) => {
                let value = f.as_decimal();
                usize::from(value.is_sign_negative()) + whole_digits(value) + 3 + 2
            }
            Cell::Count(n) => whole_digits(Decimal::from(*n)) + usize::from(*n < 0) + 2,
            Cell::Rag(r) => r.as_str().len(),
        }
    }
}

/// How many digits the whole part of a value has (at least 1).
fn whole_digits(value: Decimal) -> usize {
    let mut whole = value.abs().trunc().to_u128().unwrap_or(u128::MAX);
    let mut digits = 1;
    while whole >= 10 {
        whole /= 10;
        digits += 1;
    }
    digits
}

/// The one conversion to a float: a spreadsheet number is a float. Every value written has
/// at most 4 decimal places and well under 15 significant digits, so it reads back exactly.
pub fn to_number(value: Decimal) -> Result<f64, XlsxError> {
    value
        .to_f64()
        .ok_or_else(|| XlsxError::ParameterError(format!("{value} cannot be written as a number")))
}

/// The number formats of one style of cell (plain or bold).
struct Style {
    text: Format,
    money: Format,
    ratio: Format,
    fte: Format,
    count: Format,
}

impl Style {
    /// `top`: aligned to the top of the cell, text wrapped (a table of multi-line rows).
    fn new(bold: bool, top: bool) -> Style {
        let mut base = if bold {
            Format::new().set_bold()
        } else {
            Format::new()
        };
        if top {
            base = base.set_align(FormatAlign::Top);
        }
        Style {
            // A little room between a right-aligned figure and the words after it.
            text: if top {
                base.clone()
                    .set_text_wrap()
                    .set_align(FormatAlign::Left)
                    .set_indent(1)
            } else {
                base.clone()
            },
            money: base.clone().set_num_format(NUMBER_FORMAT_MONEY),
            ratio: base.clone().set_num_format(NUMBER_FORMAT_RATIO),
            fte: base.clone().set_num_format(NUMBER_FORMAT_FTE),
            count: base.set_num_format(NUMBER_FORMAT_HEADCOUNT),
        }
    }
}

/// The kinds of number a table holds, each with its own number format.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum NumberKind {
    Money,
    Ratio,
    Fte,
    Count,
}

impl NumberKind {
    fn format(self, style: &Style) -> &Format {
        match self {
            NumberKind::Money => &style.money,
            NumberKind::Ratio => &style.ratio,
            NumberKind::Fte => &style.fte,
            NumberKind::Count => &style.count,
        }
    }
}

/// The formats of a table, made once per sheet.
struct Formats {
    header: Format,
    plain: Style,
    bold: Style,
    green: Format,
    amber: Format,
    red: Format,
}

impl Formats {
    fn new(top: bool) -> Formats {
        let rag = |fill: u32| Format::new().set_background_color(fill).set_bold();
        Formats {
            header: header_format(),
            plain: Style::new(false, top),
            bold: Style::new(true, top),
            green: rag(GREEN_FILL),
            amber: rag(AMBER_FILL),
            red: rag(RED_FILL),
        }
    }
}

/// The bold, grey-filled, underlined format of header rows.
pub fn header_format() -> Format {
    Format::new()
        .set_bold()
        .set_background_color(HEADER_FILL)
        .set_border_bottom(FormatBorder::Thin)
}

/// A column width in characters with a little room to spare.
pub fn width(chars: usize) -> f64 {
    (chars as f64 + 3.0).clamp(10.0, 80.0)
}

/// Writes cells into one sheet, remembering the widest value of each column.
pub struct SheetWriter<'s> {
    sheet: &'s mut Worksheet,
    formats: Formats,
    widths: Vec<usize>,
    /// The number format each column was given, from the first plain number written in it.
    /// Cells of that kind are then written without a format of their own and take the
    /// column's: looking a format up costs a hash of it, for every cell of a large table.
    column_kind: Vec<Option<NumberKind>>,
    /// Columns whose width is fixed rather than fitted (long sentences).
    fixed: Vec<(u16, f64)>,
    /// Characters of room added to a fitted column's widest value.
    padding: f64,
    /// Plain text is written wrapped and aligned to the top (see `wrap_rows`).
    wrap: bool,
}

fn col16(col: usize) -> Result<u16, XlsxError> {
    u16::try_from(col).map_err(|_| XlsxError::RowColumnLimitError)
}

fn row32(row: usize) -> Result<u32, XlsxError> {
    u32::try_from(row).map_err(|_| XlsxError::RowColumnLimitError)
}

impl<'s> SheetWriter<'s> {
    /// A writer for `sheet`, which it names `name`.
    pub fn new(sheet: &'s mut Worksheet, name: &str) -> Result<SheetWriter<'s>, XlsxError> {
        sheet.set_name(name)?;
        Ok(SheetWriter {
            sheet,
            formats: Formats::new(false),
            widths: Vec::new(),
            column_kind: Vec::new(),
            fixed: Vec::new(),
            padding: 3.0,
            wrap: false,
        })
    }

    /// Rows of several lines: every cell aligned to the top and text wrapped within its
    /// column, for a table printed with its sentences in full. Call before writing cells.
    pub fn wrap_rows(&mut self) {
        self.formats = Formats::new(true);
        self.wrap = true;
    }

    /// Fitted columns get `chars` characters of room beyond their widest value, rather than
    /// 3 (a table that must fit a printed page).
    pub fn set_padding(&mut self, chars: f64) {
        self.padding = chars;
    }

    /// Writes a header row whose labels wrap within their columns, aligned to the top; the
    /// labels do not widen the columns (the values do).
    pub fn header_wrapped(&mut self, row: usize, labels: &[&str]) -> Result<(), XlsxError> {
        let format = header_format()
            .set_text_wrap()
            .set_align(FormatAlign::Top)
            .set_align(FormatAlign::Left)
            .set_indent(1);
        for (col, label) in labels.iter().enumerate() {
            self.sheet
                .write_string_with_format(row32(row)?, col16(col)?, *label, &format)?;
            self.note_width(col, 0);
        }
        Ok(())
    }

    /// Writes a line of plain text in column A that runs across the empty cells to its right
    /// and does not widen its column.
    pub fn note(&mut self, row: usize, text: &str) -> Result<(), XlsxError> {
        self.sheet.write_string(row32(row)?, 0, fit_cell(text))?;
        Ok(())
    }

    /// Writes a bold title that runs across the empty cells to its right and does not
    /// widen its column.
    pub fn title(&mut self, row: usize, text: &str) -> Result<(), XlsxError> {
        let format = Format::new().set_bold().set_font_size(14);
        self.sheet
            .write_string_with_format(row32(row)?, 0, fit_cell(text), &format)?;
        Ok(())
    }

    /// Writes a plain number, through its column's format where the kinds agree.
    fn plain_number(
        &mut self,
        row: u32,
        col: u16,
        value: f64,
        kind: NumberKind,
    ) -> Result<(), XlsxError> {
        let index = usize::from(col);
        if self.column_kind.len() <= index {
            self.column_kind.resize(index + 1, None);
        }
        let format = kind.format(&self.formats.plain);
        match self.column_kind[index] {
            None => {
                self.sheet.set_column_format(col, format)?;
                self.column_kind[index] = Some(kind);
                self.sheet.write_number(row, col, value)?;
            }
            Some(k) if k == kind => {
                self.sheet.write_number(row, col, value)?;
            }
            Some(_) => {
                self.sheet
                    .write_number_with_format(row, col, value, format)?;
            }
        }
        Ok(())
    }

    pub fn sheet(&mut self) -> &mut Worksheet {
        self.sheet
    }

    fn note_width(&mut self, col: usize, chars: usize) {
        if self.widths.len() <= col {
            self.widths.resize(col + 1, 0);
        }
        self.widths[col] = self.widths[col].max(chars);
    }

    /// Writes a header row of labels, starting at column A.
    pub fn header(&mut self, row: usize, labels: &[&str]) -> Result<(), XlsxError> {
        for (col, label) in labels.iter().enumerate() {
            self.sheet.write_string_with_format(
                row32(row)?,
                col16(col)?,
                *label,
                &self.formats.header,
            )?;
            self.note_width(col, label.chars().count());
        }
        Ok(())
    }

    /// Writes one row of cells, starting at column A.
    pub fn row(&mut self, row: usize, cells: &[Cell]) -> Result<(), XlsxError> {
        self.row_with(row, cells, false)
    }

    /// Writes one row in the header's style (a totals row).
    pub fn totals_row(&mut self, row: usize, cells: &[Cell]) -> Result<(), XlsxError> {
        self.row_with(row, cells, true)
    }

    fn row_with(&mut self, row: usize, cells: &[Cell], bold: bool) -> Result<(), XlsxError> {
        for (col, cell) in cells.iter().enumerate() {
            self.cell(row, col, cell, bold)?;
        }
        Ok(())
    }

    /// Writes one cell.
    pub fn cell(
        &mut self,
        row: usize,
        col: usize,
        cell: &Cell,
        bold: bool,
    ) -> Result<(), XlsxError> {
        let (r, c) = (row32(row)?, col16(col)?);
        let number = |value: Decimal| to_number(value);
        // Plain numbers go through their column's format; everything else names its own.
        let plain = match cell {
            Cell::Money(m) => Some((number(m.as_decimal())?, NumberKind::Money)),
            Cell::Ratio(x) => Some((number(x.as_decimal())?, NumberKind::Ratio)),
            Cell::Fraction(x) => Some((number(x.as_decimal())?, NumberKind::Ratio)),
            Cell::Percent100(x) => Some((number(x / Decimal::ONE_HUNDRED)?, NumberKind::Ratio)),
            Cell::Fte(x) => Some((number(x.as_decimal())?, NumberKind::Fte)),
            Cell::Count(n) => Some((number(Decimal::from(*n))?, NumberKind::Count)),
            _ => None,
        };
        let f = &self.formats;
        match (cell, plain) {
            (_, Some((value, kind))) if !bold => self.plain_number(r, c, value, kind)?,
            (_, Some((value, kind))) => {
                self.sheet
                    .write_number_with_format(r, c, value, kind.format(&f.bold))?;
            }
            (Cell::Blank, _) => {
                if bold {
                    self.sheet.write_blank(r, c, &f.header)?;
                }
            }
            (Cell::Text(t), _) if bold => {
                self.sheet
                    .write_string_with_format(r, c, fit_cell(t), &f.bold.text)?;
            }
            // Text from a return or a file can be longer than a cell holds: it is cut, with
            // a mark saying so, rather than stopping the whole run.
            (Cell::Text(t), _) if self.wrap => {
                self.sheet
                    .write_string_with_format(r, c, fit_cell(t), &f.plain.text)?;
            }
            (Cell::Text(t), _) => {
                self.sheet.write_string(r, c, fit_cell(t))?;
            }
            (Cell::Label(t), _) => {
                self.sheet
                    .write_string_with_format(r, c, fit_cell(t), &f.bold.text)?;
            }
            (Cell::Rag(rag), _) => {
                let format = match rag {
                    Rag::Green => &f.green,
                    Rag::Amber => &f.amber,
                    Rag::Red => &f.red,
                };
                self.sheet
                    .write_string_with_format(r, c, rag.as_str(), format)?;
            }
            (_, None) => {}
        }
        let shown = cell.shown_width();
        self.note_width(col, shown);
        Ok(())
    }

    /// Gives a column a fixed width instead of fitting it (for long sentences).
    pub fn fix_width(&mut self, col: usize, chars: f64) -> Result<(), XlsxError> {
        self.fixed.push((col16(col)?, chars));
        Ok(())
    }

    /// Sets every column's width to fit what was written.
    pub fn finish(self) -> Result<(), XlsxError> {
        self.finish_widths().map(|_| ())
    }

    /// Sets every column's width to fit what was written, and says what each was set to
    /// (in characters, column A first), for working out a print scale.
    pub fn finish_widths(self) -> Result<Vec<f64>, XlsxError> {
        let mut set: Vec<f64> = self
            .widths
            .iter()
            .map(|chars| (*chars as f64 + self.padding).clamp(10.0, 80.0))
            .collect();
        for (col, chars) in &self.fixed {
            let index = usize::from(*col);
            if set.len() <= index {
                set.resize(index + 1, width(0));
            }
            set[index] = *chars;
        }
        for (col, chars) in set.iter().enumerate() {
            self.sheet.set_column_width(col16(col)?, *chars)?;
        }
        Ok(set)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::read::grid::CellValue;
    use crate::read::open::read_workbook_bytes;

    #[test]
    fn text_longer_than_a_cell_is_written_cut_with_a_mark_rather_than_failing_the_workbook() {
        let mut workbook = rust_xlsxwriter::Workbook::new();
        let long = "é".repeat(40_000);
        {
            let mut w = SheetWriter::new(workbook.add_worksheet(), "Exceptions").unwrap();
            w.row(
                0,
                &[Cell::text(long.as_str()), Cell::Label(long.as_str().into())],
            )
            .unwrap();
            w.finish().unwrap();
        }
        let bytes = workbook.save_to_buffer().unwrap();
        let book = read_workbook_bytes(&bytes, "xlsx", "out.xlsx").unwrap();
        let sheet = book.sheet("Exceptions").unwrap();
        for col in 0..2 {
            let CellValue::Text(text) = sheet.get(0, col) else {
                panic!("text")
            };
            assert_eq!(text.chars().count(), crate::text::CELL_TEXT_LIMIT);
            assert!(text.ends_with(" … [cut: 40,000 characters in all]"));
        }
    }
}
