//! The .xls path: the records of the Workbook stream scanned before calamine parses them.

use std::io::Cursor;

use calamine::{Reader, Xls, XlsError};

use super::cfb::Compound;
use super::limits::{Limits, area, take_cells, widen, within_limits};
use super::sheets::check_merged;
use super::values::read_dense;
use super::{Refusal, SAVE_AGAIN, damaged, le16, le32, not_a_spreadsheet, reader_error};
use crate::findings::quote;
use crate::read::grid::WorkbookData;
use crate::text::thousands;

/// The largest area an .xls sheet can have: 65,536 rows × 256 columns.
const XLS_FORMAT_AREA: u64 = 65_536 * 256;

// ---------------------------------------------------------------------------------------
// Compound Files: .xls, and encrypted OOXML.

pub(super) fn open_compound(bytes: &[u8], limits: &Limits) -> Result<WorkbookData, Refusal> {
    let file = Compound::parse(bytes)
        .map_err(|e| damaged(format!("its Compound File cannot be opened: {e}")))?;
    if file.has("EncryptionInfo") || file.has("EncryptedPackage") {
        return Err(Refusal::Locked);
    }
    let Some(stream) = file.stream("Workbook").or_else(|| file.stream("Book")) else {
        let what = if file.has("WordDocument") {
            "it is a Word document"
        } else if file.has("PowerPoint Document") {
            "it is a PowerPoint presentation"
        } else {
            "it is an Office file, but no workbook can be found in it"
        };
        return Err(not_a_spreadsheet(what));
    };
    let stream = stream.map_err(|e| damaged(format!("its workbook stream cannot be read: {e}")))?;
    scan_biff(&stream, limits)?;
    let mut book = Xls::new(Cursor::new(bytes)).map_err(|e| match e {
        XlsError::Password => Refusal::Locked,
        other => reader_error(other),
    })?;
    let data = read_dense(&mut book, limits)?;
    for grid in &data.sheets {
        let merged = book
            .merge_cells_by_sheet_name(&grid.name)
            .map_err(reader_error)?;
        check_merged(grid, &merged)?;
    }
    Ok(data)
}

// ---------------------------------------------------------------------------------------
// The .xls scan: the records of the Workbook stream, before calamine parses them. Lines
// cited as xls.rs:N are of calamine 0.38.0's src/xls.rs (utils.rs:N, its src/utils.rs, where
// `read_u16` and `read_u32` slice without a check, utils.rs:38 and 48).

pub(super) const BIFF_BOF: u16 = 0x0809;
pub(super) const BIFF_EOF: u16 = 0x000A;
pub(super) const BIFF_FILEPASS: u16 = 0x002F;
pub(super) const BIFF_BOUNDSHEET: u16 = 0x0085;
pub(super) const BIFF_DIMENSIONS: u16 = 0x0200;
pub(super) const BIFF_MULRK: u16 = 0x00BD;
pub(super) const BIFF_MERGECELLS: u16 = 0x00E5;
const BIFF_FORMULA: u16 = 0x0006;
const BIFF_SST: u16 = 0x00FC;
const BIFF_CONTINUE: u16 = 0x003C;
const BIFF_LABELSST: u16 = 0x00FD;
const BIFF_LABEL: u16 = 0x0204;
const BIFF_RSTRING: u16 = 0x00D6;
/// The text result of the FORMULA record before it.
const BIFF_STRING: u16 = 0x0207;
/// NUMBER, LABEL, RSTRING, BOOLERR, RK, LABELSST and FORMULA: each starts with the row and
/// column of its one cell, and calamine makes a cell of each.
const BIFF_CELLS: [u16; 7] = [0x0203, 0x0204, 0x00D6, 0x0205, 0x027E, 0x00FD, 0x0006];

/// BIFF records as (type, data); stops at a record cut short, where calamine stops too.
fn biff_records(stream: &[u8]) -> impl Iterator<Item = (u16, &[u8])> {
    let mut rest = stream;
    std::iter::from_fn(move || {
        let typ = le16(rest, 0)?;
        let len = usize::from(le16(rest, 2)?);
        let data = rest.get(4..4 + len)?;
        rest = rest.get(4 + len..)?;
        Some((typ, data))
    })
}

/// A BoundSheet record's sheet name, for messages only.
fn bound_sheet_name(data: &[u8], biff8: bool) -> String {
    let Some(&count) = data.get(6) else {
        return String::new();
    };
    let count = usize::from(count);
    let latin1 = |bytes: &[u8]| bytes.iter().take(count).map(|&b| char::from(b)).collect();
    if !biff8 {
        return latin1(data.get(7..).unwrap_or_default());
    }
    let chars = data.get(8..).unwrap_or_default();
    if data.get(7).is_some_and(|flags| flags & 1 == 1) {
        let units: Vec<u16> = chars
            .chunks_exact(2)
            .take(count)
            .map(|pair| u16::from_le_bytes([pair[0], pair[1]]))
            .collect();
        String::from_utf16_lossy(&units)
    } else {
        latin1(chars)
    }
}

/// The number of cells calamine reserves for a DIMENSIONS record, computed as it does
/// (including its wrap-around when the last row is before the first).
fn declared_area(data: &[u8]) -> Option<u64> {
    let (first_row, last_row, mut first_col, last_col) = match data.len() {
        10 => (
            u32::from(le16(data, 0)?),
            u32::from(le16(data, 2)?),
            u32::from(le16(data, 4)?),
            u32::from(le16(data, 6)?),
        ),
        14 | 16 => (
            le32(data, 0)?,
            le32(data, 4)?,
            u32::from(le16(data, 8)?),
            u32::from(le16(data, 10)?),
        ),
        _ => return None,
    };
    if first_col > 0xFF || last_col < first_col {
        first_col = 0;
    }
    let (end_row, end_col) = if last_row >= 1 && last_col >= 1 {
        (last_row - 1, last_col - 1)
    } else {
        (first_row, first_col)
    };
    let rows = u64::from(end_row.wrapping_sub(first_row).wrapping_add(1));
    let cols = u64::from(end_col.wrapping_sub(first_col).wrapping_add(1));
    Some(rows.saturating_mul(cols))
}

/// The walk calamine makes of its records (`RecordIter`, xls.rs:1383): each record with the CONTINUE
/// records that follow it, while more than a record header is left.
fn calamine_records(stream: &[u8]) -> impl Iterator<Item = (u16, &[u8], Vec<&[u8]>)> {
    let mut rest = stream;
    std::iter::from_fn(move || {
        let typ = le16(rest, 0)?;
        let len = usize::from(le16(rest, 2)?);
        let data = rest.get(4..4 + len)?;
        rest = &rest[4 + len..];
        let mut continues = Vec::new();
        while rest.len() > 4 && le16(rest, 0) == Some(BIFF_CONTINUE) {
            let len = usize::from(le16(rest, 2)?);
            continues.push(rest.get(4..4 + len)?);
            rest = &rest[4 + len..];
        }
        Some((typ, data, continues))
    })
}

/// Walks the shared strings (SST) as calamine reads them (`parse_sst`,
/// `read_rich_extended_string`, `read_dbcs`), looking only for the reads it makes unchecked:
/// the count of formatting runs or the size of the phonetic block cut short, or a string
/// continued into an empty CONTINUE record (xls.rs:1254 reads cRun, xls.rs:1260 cbExtRst and
/// xls.rs:1289 a continued string's flags, each unchecked). Each made calamine panic (found
/// by fuzzing).
/// Where calamine would stop with an error of its own, so does this walk: that is F01 then.
fn shared_strings_cut_short<'a>(first: &'a [u8], continues: &[&'a [u8]]) -> bool {
    let mut data = match first.get(8..) {
        Some(data) => data,
        None => return false,
    };
    let mut next = continues.iter();
    let mut more = |data: &mut &'a [u8]| match next.next() {
        Some(piece) => {
            *data = piece;
            true
        }
        None => false,
    };
    while !data.is_empty() || more(&mut data) {
        if data.is_empty() {
            continue; // calamine reads an empty string and goes on
        }
        if data.len() < 3 {
            return false;
        }
        let mut chars = usize::from(u16::from_le_bytes([data[0], data[1]]));
        let flags = data[2];
        data = &data[3..];
        let mut runs = 0usize;
        let mut phonetic = 0usize;
        if flags & 0x8 != 0 {
            let Some(count) = le16(data, 0) else {
                return true;
            };
            runs = usize::from(count);
            data = &data[2..];
        }
        if flags & 0x4 != 0 {
            let Some(size) = le32(data, 0) else {
                return true;
            };
            phonetic = size as i32 as usize;
            data = &data[4..];
        }
        let mut wide = flags & 0x1 != 0;
        while chars > 0 {
            let taken = if wide {
                (data.len() / 2).min(chars)
            } else {
                data.len().min(chars)
            };
            data = &data[if wide { 2 * taken } else { taken }..];
            chars -= taken;
            if chars > 0 {
                if !more(&mut data) {
                    return false;
                }
                let Some(&flag) = data.first() else {
                    return true;
                };
                wide = flag & 0x1 != 0;
                data = &data[1..];
            }
        }
        for mut skip in [runs * 4, phonetic] {
            while skip > 0 {
                if data.is_empty() && !more(&mut data) {
                    return false;
                }
                let taken = skip.min(data.len());
                data = &data[taken..];
                skip -= taken;
            }
        }
    }
    false
}

/// True for a record of the globals that is shorter than calamine reads it unchecked.
fn global_record_cut_short(typ: u16, data: &[u8]) -> bool {
    let len = data.len();
    match typ {
        // CodePage, DateMode, ExternSheet (its count), BOF.
        0x0042 | 0x0022 | 0x0017 | BIFF_BOF => len < 2,
        // BoundSheet: position, state, type, then the name.
        BIFF_BOUNDSHEET => len < 8,
        // Lbl: 14 bytes of header, then the name and a formula of cce bytes from the end.
        0x0018 => len < 14 || le16(data, 4).is_none_or(|cce| usize::from(cce) > len - 14),
        _ => false,
    }
}

pub(super) fn scan_biff(stream: &[u8], limits: &Limits) -> Result<(), Refusal> {
    for (typ, data, continues) in calamine_records(stream) {
        if typ == BIFF_EOF {
            break;
        }
        if typ == BIFF_SST && shared_strings_cut_short(data, &continues) {
            return Err(damaged("its table of shared strings is cut short"));
        }
    }
    let mut biff8 = true;
    let mut sheets = Vec::new();
    // The shared strings (SST and its CONTINUE records): no string in it can be longer.
    let mut shared_bytes: u64 = 0;
    let mut in_shared = false;
    for (number, (typ, data)) in biff_records(stream).enumerate() {
        in_shared = match typ {
            BIFF_SST => true,
            BIFF_CONTINUE => in_shared,
            _ => false,
        };
        if in_shared {
            shared_bytes = shared_bytes.saturating_add(data.len() as u64);
        }
        // calamine reads these records of the workbook's globals without checking their
        // length first (CodePage xls.rs:536, DateMode xls.rs:545, ExternSheet xls.rs:859,
        // BoundSheet xls.rs:803-804, BOF xls.rs:772, Lbl xls.rs:838-839), and panics on one
        // cut short: found by fuzzing, refused here first.
        if global_record_cut_short(typ, data) {
            return Err(damaged(format!(
                "a record of its workbook stream (type {typ:#06x}) is cut short"
            )));
        }
        match typ {
            BIFF_BOF if number == 0 => biff8 = le16(data, 0) == Some(0x0600),
            // Any FilePass means the records after it are encrypted: a password to open.
            BIFF_FILEPASS => return Err(Refusal::Locked),
            BIFF_BOUNDSHEET => {
                if let Some(position) = le32(data, 0) {
                    sheets.push((position as usize, bound_sheet_name(data, biff8)));
                }
            }
            BIFF_EOF => break,
            _ => {}
        }
    }
    // calamine copies a shared string into every cell that uses it; each copy is at most
    // the whole table of shared strings, as UTF-8 (at most 2 bytes for each byte of it).
    let per_shared_cell = shared_bytes.saturating_mul(2).min(3 * 65_535);
    let mut room = limits.cells;
    let mut text_room = limits.text_bytes;
    for (index, (position, name)) in sheets.iter().enumerate() {
        // calamine slices the stream at the position unchecked (xls.rs:633, `&stream[pos..]`),
        // and panics on one past its end: found by fuzzing, refused here first.
        let Some(records) = stream.get(*position..) else {
            return Err(damaged(format!(
                "sheet {} starts past the end of its workbook stream",
                quote(name)
            )));
        };
        let mut bounds = None;
        // Every cell placed, to find one placed twice (calamine keeps the last, another
        // program the first).
        let mut placed: std::collections::BTreeSet<(u16, u64)> = std::collections::BTreeSet::new();
        let mut place = |row: u16, first: u16, last: u64| -> Result<(), Refusal> {
            within_limits(limits, name, index, u64::from(row), last)?;
            for col in u64::from(first)..=last {
                if !placed.insert((row, col)) {
                    return Err(Refusal::Ambiguous {
                        sheet: name.clone(),
                        index,
                        row: u64::from(row),
                        col,
                        detail: format!(
                            "the file holds this cell twice, so programs differ on which value \
                             they show; {SAVE_AGAIN}"
                        ),
                    });
                }
            }
            let row = u64::from(row);
            widen(&mut bounds, row, u64::from(first), row, last);
            Ok(())
        };
        let mut take_text = |bytes: u64| -> Result<(), Refusal> {
            text_room = text_room.checked_sub(bytes).ok_or(Refusal::TooMuchText)?;
            Ok(())
        };
        let mut declared = 0u64;
        // calamine skips substreams nested in a sheet (an embedded chart, say).
        let mut seen_bof = false;
        let mut depth = 0usize;
        for (typ, data) in biff_records(records) {
            if depth > 0 {
                match typ {
                    BIFF_BOF => depth += 1,
                    BIFF_EOF => depth -= 1,
                    _ => {}
                }
                continue;
            }
            // calamine reads a formula's length and slices the record by it unchecked
            // (xls.rs:1530-1531 in `parse_formula`, given `&r.data[20..]` at xls.rs:705;
            // found by fuzzing).
            if typ == BIFF_FORMULA
                && data.len() >= 20
                && le16(data, 20).is_none_or(|cce| data.len() < 22 + usize::from(cce))
            {
                return Err(damaged(format!(
                    "a formula of sheet {} is cut short",
                    quote(name)
                )));
            }
            // calamine reads a MERGECELLS record's ranges without checking that the record
            // holds as many as it counts (xls.rs:955-958, `parse_merge_cells`; found by
            // fuzzing).
            if typ == BIFF_MERGECELLS
                && le16(data, 0).is_none_or(|count| data.len() < 2 + 8 * usize::from(count))
            {
                return Err(damaged(format!(
                    "a record of sheet {} (its merged cells) is cut short",
                    quote(name)
                )));
            }
            match typ {
                BIFF_BOF if seen_bof => depth += 1,
                BIFF_BOF => seen_bof = true,
                BIFF_DIMENSIONS
                    if declared_area(data).is_some_and(|cells| cells > XLS_FORMAT_AREA) =>
                {
                    return Err(damaged(format!(
                        "sheet {} declares more cells than an .xls sheet can have",
                        quote(name)
                    )));
                }
                // calamine reserves room for every cell the record declares (xls.rs:665-667,
                // rows × columns from the DIMENSIONS record), at 40 bytes
                // each: a sheet of the format's full 65,536 × 256 would take 671 MB at once
                // (found by fuzzing), so a sheet may declare no more than a workbook may hold.
                // Checked once the sheet's cells are, so that a stray value is named first.
                BIFF_DIMENSIONS => {
                    declared = declared.max(declared_area(data).unwrap_or(0));
                }
                BIFF_MULRK => {
                    // calamine subtracts the first column from the last unchecked
                    // (xls.rs:987).
                    let last = data.len().checked_sub(2).and_then(|at| le16(data, at));
                    if data.len() >= 6 && last < le16(data, 2) {
                        return Err(damaged(format!(
                            "a record of sheet {} ends before it starts",
                            quote(name)
                        )));
                    }
                    if let (Some(row), Some(first)) = (le16(data, 0), le16(data, 2)) {
                        let cells = data.len().saturating_sub(6) / 6;
                        if cells > 0 {
                            place(row, first, u64::from(first) + cells as u64 - 1)?;
                        }
                    }
                }
                typ if BIFF_CELLS.contains(&typ) => {
                    if let (Some(row), Some(col)) = (le16(data, 0), le16(data, 2)) {
                        place(row, col, u64::from(col))?;
                    }
                    match typ {
                        BIFF_LABELSST => take_text(per_shared_cell)?,
                        BIFF_LABEL | BIFF_RSTRING => take_text(2 * data.len() as u64)?,
                        _ => {}
                    }
                }
                // The text result of a formula.
                BIFF_STRING => take_text(2 * data.len() as u64)?,
                BIFF_EOF => break,
                _ => {}
            }
        }
        if declared > limits.cells {
            return Err(Refusal::Unreadable(format!(
                "sheet {} is laid out over more than {} cells, far more than {} uses; delete \
                 the unused rows and columns below and to the right of the table and save it \
                 again",
                quote(name),
                thousands(limits.cells),
                limits.what
            )));
        }
        take_cells(&mut room, area(bounds))?;
    }
    Ok(())
}
