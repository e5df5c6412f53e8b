//! Tables in output workbooks: typed cells (money, ratios, FTE, counts, RAG) written with the
//! formats of rules §1, header rows, and column widths that fit what was written.

use std::borrow::Cow;

use rust_decimal::Decimal;
use rust_decimal::prelude::ToPrimitive;
use rust_xlsxwriter::{Format, FormatBorder, Worksheet, XlsxError};

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

    /// How the cell reads on screen, for sizing its column.
    fn shown_width(&self) -> usize {
        match self {
            Cell::Blank => 0,
            Cell::Text(t) | Cell::Label(t) => t.chars().count(),
            Cell::Money(m) => m.to_gbp().chars().count(),
            Cell::Ratio(_) | Cell::Fraction(_) | Cell::Percent100(_) => 9,
            Cell::Fte(f) => f.to_string().len() + 2,
            Cell::Count(n) => n.to_string().len() + 2,
            Cell::Rag(r) => r.as_str().len(),
        }
    }
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
    fn new(bold: bool) -> Style {
        let base = if bold {
            Format::new().set_bold()
        } else {
            Format::new()
        };
        Style {
            text: base.clone(),
            money: base.clone().set_num_format(NUMBER_FORMAT_MONEY),
            ratio: base.clone().set_num_format(NUMBER_FORMAT_RATIO),
            fte: base.clone().set_num_format(NUMBER_FORMAT_FTE),
            count: base.set_num_format(NUMBER_FORMAT_HEADCOUNT),
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
    fn new() -> Formats {
        let rag = |fill: u32| Format::new().set_background_color(fill).set_bold();
        Formats {
            header: header_format(),
            plain: Style::new(false),
            bold: Style::new(true),
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
    /// Columns whose width is fixed rather than fitted (long sentences).
    fixed: Vec<(u16, f64)>,
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
            formats: Formats::new(),
            widths: Vec::new(),
            fixed: Vec::new(),
        })
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
        let f = &self.formats;
        let style = if bold { &f.bold } else { &f.plain };
        let number = |value: Decimal| to_number(value);
        match cell {
            Cell::Blank => {
                if bold {
                    self.sheet.write_blank(r, c, &f.header)?;
                }
            }
            Cell::Text(t) => {
                self.sheet
                    .write_string_with_format(r, c, t.as_ref(), &style.text)?;
            }
            Cell::Label(t) => {
                self.sheet
                    .write_string_with_format(r, c, t.as_ref(), &f.bold.text)?;
            }
            Cell::Money(m) => {
                self.sheet
                    .write_number_with_format(r, c, number(m.as_decimal())?, &style.money)?;
            }
            Cell::Ratio(x) => {
                self.sheet
                    .write_number_with_format(r, c, number(x.as_decimal())?, &style.ratio)?;
            }
            Cell::Fraction(x) => {
                self.sheet
                    .write_number_with_format(r, c, number(x.as_decimal())?, &style.ratio)?;
            }
            Cell::Percent100(x) => {
                self.sheet.write_number_with_format(
                    r,
                    c,
                    number(x / Decimal::ONE_HUNDRED)?,
                    &style.ratio,
                )?;
            }
            Cell::Fte(x) => {
                self.sheet
                    .write_number_with_format(r, c, number(x.as_decimal())?, &style.fte)?;
            }
            Cell::Count(n) => {
                self.sheet.write_number_with_format(
                    r,
                    c,
                    number(Decimal::from(*n))?,
                    &style.count,
                )?;
            }
            Cell::Rag(rag) => {
                let format = match rag {
                    Rag::Green => &f.green,
                    Rag::Amber => &f.amber,
                    Rag::Red => &f.red,
                };
                self.sheet
                    .write_string_with_format(r, c, rag.as_str(), format)?;
            }
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
        for (col, chars) in self.widths.iter().enumerate() {
            self.sheet.set_column_width(col16(col)?, width(*chars))?;
        }
        for (col, chars) in &self.fixed {
            self.sheet.set_column_width(*col, *chars)?;
        }
        Ok(())
    }
}
