//! How each number cell of a re-run workbook is formatted (money, a count, a ratio), read
//! from the workbook's own styles, so that verify prints a figure as its column holds it.
//!
//! calamine gives a cell's value, not its number format, so the parts that hold the formats
//! are read here: `xl/styles.xml` (each style's number format), `xl/workbook.xml` and its
//! relationships (which part is which sheet), and each sheet's `<c r=… s=…>` and
//! `<col style=…>`. Only the program's own re-run is read this way (its bytes are trusted);
//! a run folder's copy, which anyone may have edited, is never asked how it is formatted.

use std::collections::BTreeMap;
use std::io::Read;

use quick_xml::Reader;
use quick_xml::XmlVersion;
use quick_xml::events::{BytesStart, Event};

/// What a number in a cell is, by its format.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum NumberKind {
    /// A currency format (`£#,##0.00`): shown with thousands separators and its pence.
    Money,
    /// A whole-number format (`#,##0`, `0`): a count or a size, shown as an integer.
    Count,
    /// A percentage format (`0.00%`): a ratio, shown as the decimal the cell holds.
    Ratio,
    /// A format with decimal places and no currency (`#,##0.00`: FTE): at least two places.
    Quantity,
    /// No number format (General): the figure as the cell holds it.
    #[default]
    Plain,
}

impl NumberKind {
    /// The kind an Excel number format code gives (its first section, for positives).
    pub fn of_code(code: &str) -> NumberKind {
        let positive = code.split(';').next().unwrap_or_default();
        if positive.contains('%') {
            NumberKind::Ratio
        } else if positive.contains('£') || positive.contains('$') || positive.contains('€') {
            NumberKind::Money
        } else if positive.contains("0.0") {
            NumberKind::Quantity
        } else if positive.contains('0') || positive.contains('#') {
            NumberKind::Count
        } else {
            NumberKind::Plain
        }
    }

    /// The kind of Excel's built-in number formats, by id (ECMA-376 §18.8.30).
    fn of_builtin(id: u32) -> NumberKind {
        match id {
            1 | 3 => NumberKind::Count,
            2 | 4 => NumberKind::Quantity,
            5..=8 => NumberKind::Money,
            9 | 10 => NumberKind::Ratio,
            _ => NumberKind::Plain,
        }
    }
}

/// One sheet's formats: each styled cell's, and each column's default.
#[derive(Clone, Debug, Default)]
struct SheetFormats {
    cells: BTreeMap<(u32, u32), NumberKind>,
    columns: BTreeMap<u32, NumberKind>,
}

/// The number formats of every sheet of a workbook, by sheet name.
#[derive(Clone, Debug, Default)]
pub struct WorkbookFormats {
    sheets: BTreeMap<String, SheetFormats>,
}

impl WorkbookFormats {
    /// The formats of a workbook's bytes; a part that cannot be read leaves its cells
    /// `Plain` (the figure is then shown as it is, never wrongly as money).
    pub fn read(bytes: &[u8]) -> WorkbookFormats {
        let Ok(mut zip) = zip::ZipArchive::new(std::io::Cursor::new(bytes)) else {
            return WorkbookFormats::default();
        };
        let mut part = |name: &str| -> Option<Vec<u8>> {
            let mut file = zip.by_name(name).ok()?;
            let mut out = Vec::new();
            file.read_to_end(&mut out).ok()?;
            Some(out)
        };
        let styles = part("xl/styles.xml")
            .map(|x| styles(&x))
            .unwrap_or_default();
        let targets = part("xl/_rels/workbook.xml.rels")
            .map(|x| relationships(&x))
            .unwrap_or_default();
        let names = part("xl/workbook.xml")
            .map(|x| sheet_ids(&x))
            .unwrap_or_default();
        let mut sheets = BTreeMap::new();
        for (name, id) in names {
            let Some(target) = targets.get(&id) else {
                continue;
            };
            let path = match target.strip_prefix('/') {
                Some(absolute) => absolute.to_owned(),
                None => format!("xl/{target}"),
            };
            if let Some(xml) = part(&path) {
                sheets.insert(name, sheet_formats(&xml, &styles));
            }
        }
        WorkbookFormats { sheets }
    }

    /// How a number at (row, col) of `sheet` is formatted: the cell's own style; for a cell
    /// the re-run leaves blank, the number format most cells of its column have (its
    /// header and text cells have none), else the column's own style.
    pub fn kind(&self, sheet: &str, row: u32, col: u32) -> NumberKind {
        let Some(formats) = self.sheets.get(sheet) else {
            return NumberKind::Plain;
        };
        if let Some(kind) = formats.cells.get(&(row, col)) {
            return *kind;
        }
        // By count, the first kind seen winning a tie (BTreeMap order: deterministic).
        let mut count: BTreeMap<u8, (usize, NumberKind)> = BTreeMap::new();
        for (_, kind) in formats
            .cells
            .iter()
            .filter(|((_, c), kind)| *c == col && **kind != NumberKind::Plain)
        {
            count.entry(*kind as u8).or_insert((0, *kind)).0 += 1;
        }
        let most = count
            .values()
            .max_by_key(|(n, _)| *n)
            .map(|(_, kind)| *kind);
        most.or_else(|| formats.columns.get(&col).copied())
            .unwrap_or(NumberKind::Plain)
    }
}

/// An attribute's value as text (the parts read here are the program's own: plain UTF-8).
fn attr(e: &BytesStart, name: &str) -> Option<String> {
    let found = e.try_get_attribute(name).ok()??;
    Some(match found.normalized_value(XmlVersion::Implicit1_0) {
        Ok(text) => text.into_owned(),
        Err(_) => found.value.into_owned(),
    })
}

/// Every start (or empty) tag of a part, by its local name, to `visit`.
fn each_tag(xml: &[u8], mut visit: impl FnMut(&str, &BytesStart)) {
    let mut reader = Reader::from_reader(xml);
    loop {
        match reader.read_event() {
            Ok(Event::Start(e) | Event::Empty(e)) => visit(e.local_name().as_ref(), &e),
            Ok(Event::Eof) | Err(_) => return,
            Ok(_) => {}
        }
    }
}

/// Each cell style's number kind, by its index in `cellXfs`.
fn styles(xml: &[u8]) -> Vec<NumberKind> {
    let mut codes: BTreeMap<u32, NumberKind> = BTreeMap::new();
    let mut kinds = Vec::new();
    let mut in_cell_xfs = false;
    let mut reader = Reader::from_reader(xml);
    loop {
        match reader.read_event() {
            Ok(Event::Start(e) | Event::Empty(e)) => match e.local_name().as_ref() {
                "numFmt" => {
                    if let (Some(id), Some(code)) = (attr(&e, "numFmtId"), attr(&e, "formatCode"))
                        && let Ok(id) = id.parse()
                    {
                        codes.insert(id, NumberKind::of_code(&code));
                    }
                }
                "cellXfs" => in_cell_xfs = true,
                "xf" if in_cell_xfs => {
                    let id: u32 = attr(&e, "numFmtId")
                        .and_then(|id| id.parse().ok())
                        .unwrap_or(0);
                    kinds.push(
                        codes
                            .get(&id)
                            .copied()
                            .unwrap_or_else(|| NumberKind::of_builtin(id)),
                    );
                }
                _ => {}
            },
            Ok(Event::End(e)) if e.local_name().as_ref() == "cellXfs" => in_cell_xfs = false,
            Ok(Event::Eof) | Err(_) => return kinds,
            Ok(_) => {}
        }
    }
}

/// The workbook's relationships: id → target part.
fn relationships(xml: &[u8]) -> BTreeMap<String, String> {
    let mut found = BTreeMap::new();
    each_tag(xml, |name, e| {
        if name == "Relationship"
            && let (Some(id), Some(target)) = (attr(e, "Id"), attr(e, "Target"))
        {
            found.insert(id, target);
        }
    });
    found
}

/// Each sheet's name and relationship id, in the workbook's order.
fn sheet_ids(xml: &[u8]) -> Vec<(String, String)> {
    let mut found = Vec::new();
    each_tag(xml, |name, e| {
        if name == "sheet"
            && let (Some(sheet), Some(id)) = (attr(e, "name"), attr(e, "r:id"))
        {
            found.push((sheet, id));
        }
    });
    found
}

/// `C12` → (11, 2), zero-based.
fn position(reference: &str) -> Option<(u32, u32)> {
    let split = reference.find(|c: char| c.is_ascii_digit())?;
    let (letters, digits) = reference.split_at(split);
    let mut col: u32 = 0;
    for c in letters.chars() {
        if !c.is_ascii_uppercase() {
            return None;
        }
        col = col
            .checked_mul(26)?
            .checked_add(u32::from(c) - u32::from('A') + 1)?;
    }
    let row: u32 = digits.parse().ok()?;
    Some((row.checked_sub(1)?, col.checked_sub(1)?))
}

fn sheet_formats(xml: &[u8], styles: &[NumberKind]) -> SheetFormats {
    let mut formats = SheetFormats::default();
    let style = |e: &BytesStart| -> Option<NumberKind> {
        let index: usize = attr(e, "s").or_else(|| attr(e, "style"))?.parse().ok()?;
        styles.get(index).copied()
    };
    each_tag(xml, |name, e| match name {
        "c" => {
            if let (Some(at), Some(kind)) = (attr(e, "r").and_then(|r| position(&r)), style(e)) {
                formats.cells.insert(at, kind);
            }
        }
        "col" => {
            let bound = |key: &str| attr(e, key).and_then(|v| v.parse::<u32>().ok());
            if let (Some(min), Some(max), Some(kind)) = (bound("min"), bound("max"), style(e)) {
                // A column range is at most the sheet's 16,384 columns.
                for col in min.max(1)..=max.min(16_384) {
                    formats.columns.insert(col - 1, kind);
                }
            }
        }
        _ => {}
    });
    formats
}

#[cfg(test)]
mod tests {
    use super::*;
    use rust_xlsxwriter::{Format, Workbook};

    #[test]
    fn each_cell_s_kind_is_read_from_the_workbook_s_own_formats() {
        let mut book = Workbook::new();
        let sheet = book.add_worksheet();
        sheet.set_name("Inputs").unwrap();
        let money = Format::new().set_num_format("£#,##0.00;-£#,##0.00");
        let count = Format::new().set_num_format("#,##0");
        let ratio = Format::new().set_num_format("0.00%");
        let fte = Format::new().set_num_format("#,##0.00");
        sheet.write_number_with_format(1, 0, 1.5, &money).unwrap();
        sheet
            .write_number_with_format(1, 1, 8982.0, &count)
            .unwrap();
        sheet
            .write_number_with_format(1, 2, 0.6842, &ratio)
            .unwrap();
        sheet.write_number_with_format(1, 3, 115.5, &fte).unwrap();
        sheet.write_number(1, 4, 2.0).unwrap();
        sheet.write_number_with_format(2, 1, 1.0, &count).unwrap();
        sheet.set_column_format(6, &money).unwrap();
        let formats = WorkbookFormats::read(&book.save_to_buffer().unwrap());
        let kind = |row, col| formats.kind("Inputs", row, col);
        assert_eq!(kind(1, 0), NumberKind::Money);
        assert_eq!(kind(1, 1), NumberKind::Count);
        assert_eq!(kind(1, 2), NumberKind::Ratio);
        assert_eq!(kind(1, 3), NumberKind::Quantity);
        assert_eq!(kind(1, 4), NumberKind::Plain);
        // A blank cell takes its column's style, or the format most of its column has.
        assert_eq!(kind(9, 6), NumberKind::Money);
        assert_eq!(kind(9, 1), NumberKind::Count);
        assert_eq!(formats.kind("Nowhere", 1, 1), NumberKind::Plain);
        assert_eq!(position("AB12"), Some((11, 27)));
        assert_eq!(position("12"), None);
    }
}
