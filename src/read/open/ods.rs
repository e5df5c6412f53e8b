//! The .ods scan: where calamine will put every value of `content.xml`, before it builds anything.

use super::limits::{
    Bounds, Limits, MAX_CELL_TEXT_BYTES, MAX_SPACES, area, take_cells, widen, within_limits,
};
use super::xml::{Attr, Tag, Tags, digits, xml_text};
use super::{Refusal, SAVE_AGAIN, damaged};
use crate::findings::quote;

// The scan reads `content.xml` with quick-xml under calamine's own settings (`xml::Tags`), so
// it meets the tags calamine will meet and fails where calamine would fail; it adds only the
// well-formedness calamine does not check (ends matching their starts, nothing left open) and
// takes each value attribute's span from where quick-xml borrowed it, to blank it out.

/// The attributes that give an .ods cell a value or a formula in calamine's reading; a cell
/// with none of them is empty there, however many columns it repeats over.
const ODS_VALUE_ATTRS: [&[u8]; 8] = [
    b"office:value-type",
    b"office:value",
    b"office:string-value",
    b"office:date-value",
    b"office:time-value",
    b"office:boolean-value",
    b"calcext:value-type",
    b"table:formula",
];

struct OdsTable {
    name: String,
    index: usize,
    /// The first row of the next `table:table-row`.
    row: u64,
    bounds: Option<Bounds>,
}

struct OdsRow {
    repeat: u64,
    /// The first column of the next cell.
    col: u64,
}

fn repeat_count(tag: &Tag, key: &[u8]) -> Result<u64, Refusal> {
    match tag.attr(key) {
        None => Ok(1),
        // calamine skips a repeat of 0; counting it as 1 only places later cells further.
        Some(value) => digits(value).map(|n| n.max(1)).ok_or_else(|| {
            damaged(format!(
                "its content has a repeat count that is not a number: {}",
                quote(&String::from_utf8_lossy(value))
            ))
        }),
    }
}

/// The attributes that give an .ods cell its value; LibreOffice reads the one its
/// `office:value-type` names, calamine the first it meets, whatever the type.
const ODS_VALUES: [&[u8]; 5] = [
    b"office:value",
    b"office:string-value",
    b"office:date-value",
    b"office:time-value",
    b"office:boolean-value",
];

/// The value attribute a cell of this `office:value-type` is read by (ODF 1.3 §19.385);
/// `None` for a type ODF does not have.
fn ods_value_attr(value_type: &[u8]) -> Option<&'static [u8]> {
    match value_type {
        b"float" | b"percentage" | b"currency" => Some(b"office:value"),
        b"date" => Some(b"office:date-value"),
        b"time" => Some(b"office:time-value"),
        b"boolean" => Some(b"office:boolean-value"),
        b"string" => Some(b"office:string-value"),
        _ => None,
    }
}

/// One open cell of the scan: where it is, how often it repeats, and the text it holds.
struct OdsCell {
    row: u64,
    col: u64,
    /// Cells it stands for: its row's repeat times its own.
    copies: u64,
    /// Its text is read as its value (a string cell without `office:string-value`).
    text_is_value: bool,
    /// Bytes of text so far, spaces of `text:s` included.
    text: u64,
    /// Bytes of the value attribute calamine keeps as text (`office:string-value`, or a
    /// date or time value).
    value_bytes: u64,
}

/// Scans `content.xml` before calamine reads it: every value's place within the limits, the
/// text every cell expands to within them, every cell's value as its type says. Returns the
/// spans of value attributes a cell's type does not use, to be blanked out so that calamine
/// reads what LibreOffice shows.
pub(super) fn scan_ods_content(
    xml: &[u8],
    limits: &Limits,
) -> Result<Vec<std::ops::Range<usize>>, Refusal> {
    let mut room = limits.cells;
    let mut text_room = limits.text_bytes;
    let mut unused = Vec::new();
    let mut named_tables = 0;
    let mut table: Option<OdsTable> = None;
    let mut row: Option<OdsRow> = None;
    let mut cell: Option<OdsCell> = None;
    let nested = |what: &str| damaged(format!("its content has {what}"));
    // Every element must close in order. quick-xml refuses only an end with no start open;
    // calamine reads with end names unchecked (calamine
    // 0.38.0's ods.rs:321) and loops for ever when the content ends inside a sheet (its
    // `read_table` loop, ods.rs:448, takes the end of the file as any other event at
    // ods.rs:478), or inside a cell's comment, so only well-formed content is handed to it.
    let mut open_elements: Vec<&[u8]> = Vec::new();
    let mut tags = Tags::new(xml);
    for tag in tags.by_ref() {
        if tag.closing {
            if open_elements.pop() != Some(tag.name) {
                return Err(damaged("its content has a tag that closes out of order"));
            }
        } else if !tag.self_closing {
            open_elements.push(tag.name);
        }
        if !tag.closing {
            check_ods_namespaces(&tag)?;
        }
        if let Some(open_cell) = cell.as_mut() {
            open_cell.text = open_cell.text.saturating_add(tag.text_before as u64);
        }
        match (tag.closing, tag.name) {
            (false, b"table:table") => {
                if table.is_some() {
                    return Err(nested("a table inside a table"));
                }
                let name = tag.attr(b"table:name").map(xml_text);
                let opened = OdsTable {
                    name: name.clone().unwrap_or_default(),
                    index: named_tables,
                    row: 0,
                    bounds: None,
                };
                // calamine lists only named tables as sheets.
                if name.is_some() {
                    named_tables += 1;
                }
                if !tag.self_closing {
                    table = Some(opened);
                }
            }
            (true, b"table:table") => {
                if let Some(closed) = table.take() {
                    take_cells(&mut room, area(closed.bounds))?;
                }
                row = None;
                cell = None;
            }
            (false, b"table:table-row") => {
                let Some(open_table) = table.as_mut() else {
                    continue; // calamine reads rows only inside a table
                };
                if row.is_some() {
                    return Err(nested("a row inside a row"));
                }
                let repeat = repeat_count(&tag, b"table:number-rows-repeated")?;
                if tag.self_closing {
                    open_table.row = open_table.row.saturating_add(repeat);
                } else {
                    row = Some(OdsRow { repeat, col: 0 });
                }
            }
            (true, b"table:table-row") => {
                if let (Some(open_table), Some(closed)) = (table.as_mut(), row.take()) {
                    open_table.row = open_table.row.saturating_add(closed.repeat);
                }
                cell = None;
            }
            (false, b"table:table-cell" | b"table:covered-table-cell") => {
                let (Some(open_table), Some(open_row)) = (table.as_mut(), row.as_mut()) else {
                    continue; // calamine reads cells only inside a row
                };
                if cell.is_some() {
                    return Err(nested("a cell inside a cell"));
                }
                let repeat = repeat_count(&tag, b"table:number-columns-repeated")?;
                let (top, left) = (open_table.row, open_row.col);
                let ambiguous = |detail: String| Refusal::Ambiguous {
                    sheet: open_table.name.clone(),
                    index: open_table.index,
                    row: top,
                    col: left,
                    detail,
                };
                let value = read_ods_cell_value(&tag, &mut unused).map_err(ambiguous)?;
                if tag.has_any_attr(&ODS_VALUE_ATTRS) {
                    let bottom = top.saturating_add(open_row.repeat - 1);
                    let right = left.saturating_add(repeat - 1);
                    within_limits(limits, &open_table.name, open_table.index, bottom, right)?;
                    widen(&mut open_table.bounds, top, left, bottom, right);
                }
                open_row.col = open_row.col.saturating_add(repeat);
                let opened = OdsCell {
                    row: top,
                    col: left,
                    copies: open_row.repeat.saturating_mul(repeat),
                    text_is_value: value.text_is_value,
                    text: 0,
                    value_bytes: value.value_bytes,
                };
                if tag.self_closing {
                    close_ods_cell(&opened, open_table, &mut text_room)?;
                } else {
                    cell = Some(opened);
                }
            }
            (true, b"table:table-cell" | b"table:covered-table-cell") => {
                if let (Some(closed), Some(open_table)) = (cell.take(), table.as_ref()) {
                    close_ods_cell(&closed, open_table, &mut text_room)?;
                }
            }
            (false, b"text:s") => {
                let count = match tag.attr(b"text:c") {
                    None => 1,
                    Some(count) => match digits(count) {
                        Some(n) if n <= MAX_SPACES => n,
                        _ => {
                            return Err(damaged(format!(
                                "its content asks for a run of {} spaces",
                                quote(&String::from_utf8_lossy(count))
                            )));
                        }
                    },
                };
                if let Some(open_cell) = cell.as_mut() {
                    open_cell.text = open_cell.text.saturating_add(count);
                }
            }
            // A paragraph after the first, a tab or a line break: one character each.
            (false, b"text:p" | b"text:tab" | b"text:line-break") => {
                if let Some(open_cell) = cell.as_mut() {
                    open_cell.text = open_cell.text.saturating_add(1);
                }
            }
            _ => {}
        }
        if let (Some(open_cell), Some(open_table)) = (cell.as_ref(), table.as_ref())
            && open_cell.text > MAX_CELL_TEXT_BYTES
        {
            return Err(cell_too_long(open_cell, open_table));
        }
    }
    if let Some(unreadable) = &tags.error {
        return Err(damaged(unreadable.describe()));
    }
    if !open_elements.is_empty() {
        return Err(damaged("its content stops part-way through"));
    }
    Ok(unused)
}

/// The prefixes OpenDocument gives the namespaces of a spreadsheet's cells, which calamine
/// matches by their letters and LibreOffice by what they are bound to.
const ODS_NAMESPACES: [(&[u8], &[u8]); 4] = [
    (
        b"office",
        b"urn:oasis:names:tc:opendocument:xmlns:office:1.0",
    ),
    (b"table", b"urn:oasis:names:tc:opendocument:xmlns:table:1.0"),
    (b"text", b"urn:oasis:names:tc:opendocument:xmlns:text:1.0"),
    (
        b"calcext",
        b"urn:org:documentfoundation:names:experimental:calc:xmlns:calcext:1.0",
    ),
];

/// Refuses a tag that binds a cell's namespace to another prefix, or one of its prefixes to
/// another namespace: calamine would read `office:value` by its letters while LibreOffice
/// read the attribute its namespace names.
fn check_ods_namespaces(tag: &Tag) -> Result<(), Refusal> {
    for attr in tag.attributes() {
        let prefix = match attr.name.strip_prefix(b"xmlns") {
            Some(b"") => b"".as_slice(),
            Some(rest) => match rest.strip_prefix(b":") {
                Some(prefix) => prefix,
                None => continue,
            },
            None => continue,
        };
        let odd = ODS_NAMESPACES.iter().any(|(standard, uri)| {
            (prefix == *standard && attr.value != *uri)
                || (attr.value == *uri && prefix != *standard)
        });
        if odd {
            return Err(damaged(format!(
                "its content binds the prefix {} to {}, not as OpenDocument does, so programs \
                 differ on what its cells hold",
                quote(&String::from_utf8_lossy(prefix)),
                quote(&xml_text(attr.value))
            )));
        }
    }
    Ok(())
}

/// What an .ods cell's value is made of, for the text it will hold.
#[derive(Default)]
struct OdsValue {
    /// The cell's text (its paragraphs) is its value.
    text_is_value: bool,
    /// Bytes of the value attribute kept as text.
    value_bytes: u64,
}

/// Reads an .ods cell's value attributes as LibreOffice does: by its `office:value-type`.
/// The spans of value attributes its type does not use go into `unused` (calamine would
/// read the first of them instead); a cell whose value cannot be told (a value with no type,
/// a type with no value, a type ODF does not have, a value hidden under merged cells) is an
/// `Err` saying so.
fn read_ods_cell_value(
    tag: &Tag,
    unused: &mut Vec<std::ops::Range<usize>>,
) -> Result<OdsValue, String> {
    let attrs: Vec<Attr> = tag.attributes().collect();
    for (i, attr) in attrs.iter().enumerate() {
        if attrs[..i].iter().any(|earlier| earlier.name == attr.name) {
            return Err(format!(
                "the cell gives {} twice, so programs differ on which they read; {SAVE_AGAIN}",
                String::from_utf8_lossy(attr.name)
            ));
        }
    }
    let values: Vec<&Attr> = attrs
        .iter()
        .filter(|a| ODS_VALUES.contains(&a.name))
        .collect();
    let value_type = attrs
        .iter()
        .find(|a| a.name == b"office:value-type")
        .map(|a| a.value);
    let shown = |attr: &Attr| quote(&xml_text(attr.value));
    if tag.name == b"table:covered-table-cell" {
        if value_type.is_some() || !values.is_empty() {
            let what = values
                .first()
                .map_or_else(|| "text".to_owned(), |hidden| shown(hidden));
            return Err(format!(
                "the cell is hidden under merged cells but still holds a value ({what}), which \
                 a spreadsheet program does not show; unmerge the cells, check the figures \
                 and save it again"
            ));
        }
        return Ok(OdsValue::default());
    }
    let Some(value_type) = value_type else {
        return match values.first() {
            Some(value) => Err(format!(
                "the cell holds a value ({}) but says nothing of its type, so programs differ \
                 on what it holds; retype it and save it again",
                shown(value)
            )),
            None => Ok(OdsValue::default()),
        };
    };
    let Some(used) = ods_value_attr(value_type) else {
        return Err(format!(
            "the cell's type {} is not one a spreadsheet has; retype it and save it again",
            quote(&xml_text(value_type))
        ));
    };
    for value in &values {
        if value.name != used {
            unused.push(value.span.clone());
        }
    }
    let kept = values.iter().find(|v| v.name == used);
    // calamine keeps string, date and time values as text; numbers and booleans are not.
    let value_bytes = kept
        .filter(|v| v.name != b"office:value" && v.name != b"office:boolean-value")
        .map_or(0, |v| v.value.len() as u64);
    if value_type == b"string" {
        return Ok(OdsValue {
            text_is_value: kept.is_none(),
            value_bytes,
        });
    }
    if kept.is_none() {
        return Err(format!(
            "the cell says it holds a {} but gives no value; retype it and save it again",
            xml_text(value_type)
        ));
    }
    Ok(OdsValue {
        text_is_value: false,
        value_bytes,
    })
}

/// The scan stops counting a cell's text once it is past all a cell can hold, so the
/// finding says "at least".
fn cell_too_long(cell: &OdsCell, table: &OdsTable) -> Refusal {
    Refusal::TooLong {
        sheet: table.name.clone(),
        index: table.index,
        row: cell.row,
        col: cell.col,
        chars: 0,
    }
}

/// Takes room for the text of a closed cell, once for every copy calamine will make of it.
fn close_ods_cell(cell: &OdsCell, table: &OdsTable, room: &mut u64) -> Result<(), Refusal> {
    if cell.text > MAX_CELL_TEXT_BYTES || cell.value_bytes > MAX_CELL_TEXT_BYTES {
        return Err(cell_too_long(cell, table));
    }
    let text = if cell.text_is_value { cell.text } else { 0 } + cell.value_bytes;
    *room = room
        .checked_sub(text.saturating_mul(cell.copies))
        .ok_or(Refusal::TooMuchText)?;
    Ok(())
}
