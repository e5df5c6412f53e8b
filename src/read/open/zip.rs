//! Zip containers (.xlsx, .xlsm, .ods): unpacked and checked before calamine reads them.

use std::io::{Cursor, Read, Seek};

use calamine::{Ods, OdsError, Reader};
use zip::write::SimpleFileOptions;
use zip::{CompressionMethod, DateTime, ZipArchive, ZipWriter};

use super::limits::{Limits, MAX_UNZIPPED_BYTES};
use super::ods::scan_ods_content;
use super::values::read_dense;
use super::xlsx::read_xlsx;
use super::xml::{Tags, Unreadable, contains, local_name};
use super::{
    ODS_MIMETYPE, Refusal, damaged, le16, le32, le64, not_a_spreadsheet, reader_error,
    too_big_unzipped,
};
use crate::findings::quote;
use crate::read::grid::WorkbookData;

#[derive(Clone, Copy, PartialEq, Eq)]
enum ZipKind {
    Xlsx,
    Ods,
}

pub(super) fn open_zip(bytes: &[u8], limits: &Limits) -> Result<WorkbookData, Refusal> {
    let mut zip = ZipArchive::new(Cursor::new(bytes))
        .map_err(|e| damaged(format!("its zip container cannot be opened: {e}")))?;
    let listed = check_directory_names(bytes)?;
    // The zip crate keeps one entry per name: fewer entries than the directory lists means
    // two of them shared a name as it reads names.
    if zip.len() as u64 != listed {
        return Err(damaged(
            "two of its parts share one name, and programs differ on which of them they read",
        ));
    }
    let kind = zip_kind(&mut zip)?;
    if kind == ZipKind::Ods {
        let manifest = read_part(&mut zip, "META-INF/manifest.xml", limits.unzipped_bytes)?;
        if contains(&manifest, b"encryption-data") {
            return Err(Refusal::Locked);
        }
    }
    match kind {
        ZipKind::Xlsx => {
            // Every part is unpacked once, here: checked (checksum, size), then handed to
            // calamine stored rather than compressed, so nothing is inflated twice.
            let parts = unpack_parts(&mut zip, limits.unzipped_bytes)?;
            check_shared_strings(&parts)?;
            // Merged cells are looked for only where a sheet has some (calamine reads a
            // sheet again to find them; a return's template has none).
            let has_merges = parts.iter().any(|part| {
                part.name.to_ascii_lowercase().starts_with("xl/worksheets/")
                    && part
                        .bytes
                        .as_deref()
                        .is_some_and(|b| contains(b, b"mergeCell"))
            });
            let stored = stored_zip(&parts)?;
            // Only one copy of the unpacked parts is held while calamine reads.
            drop(parts);
            read_xlsx(&stored, limits, has_merges)
        }
        ZipKind::Ods => {
            let mut parts = unpack_parts(&mut zip, limits.unzipped_bytes)?;
            let content = parts
                .iter_mut()
                .find(|part| part.name == "content.xml")
                .and_then(|part| part.bytes.as_mut())
                .ok_or_else(|| damaged("it has no content.xml"))?;
            // Value attributes a cell's type does not use are blanked out before calamine
            // reads the content, so that it reads what LibreOffice shows.
            let unused = scan_ods_content(content, limits)?;
            for range in unused {
                content[range].fill(b' ');
            }
            let stored = stored_zip(&parts)?;
            drop(parts);
            let mut book = Ods::new(Cursor::new(stored.as_slice())).map_err(|e| match e {
                OdsError::Password => Refusal::Locked,
                other => reader_error(other),
            })?;
            read_dense(&mut book, limits)
        }
    }
}

/// Tells an .xlsx from an .ods by the parts the zip holds, and names what else it may be.
fn zip_kind<R: Read + Seek>(zip: &mut ZipArchive<R>) -> Result<ZipKind, Refusal> {
    let names: Vec<String> = zip
        .file_names()
        .filter_map(Result::ok)
        .map(|name| name.into_owned())
        .collect();
    let has = |wanted: &str| names.iter().any(|name| name.eq_ignore_ascii_case(wanted));
    let under = |folder: &str| {
        names.iter().any(|name| {
            name.get(..folder.len())
                .is_some_and(|start| start.eq_ignore_ascii_case(folder))
        })
    };
    if has("mimetype") {
        let mimetype = read_part(&mut *zip, "mimetype", 1024)?;
        let mimetype = mimetype.trim_ascii();
        if mimetype.starts_with(ODS_MIMETYPE) {
            return Ok(ZipKind::Ods);
        }
        if mimetype.starts_with(b"application/vnd.oasis.opendocument.") {
            return Err(not_a_spreadsheet(
                "it is an OpenDocument file of another kind, such as a text document",
            ));
        }
    }
    if has("xl/workbook.bin") {
        return Err(not_a_spreadsheet(
            "it is an Excel binary workbook (.xlsb), which cannot be read",
        ));
    }
    if under("xl/") {
        return Ok(ZipKind::Xlsx);
    }
    if has("content.xml") {
        return Ok(ZipKind::Ods);
    }
    let what = if under("word/") {
        "it is a Word document"
    } else if under("ppt/") {
        "it is a PowerPoint presentation"
    } else {
        "it is a zip archive that holds no workbook"
    };
    Err(not_a_spreadsheet(what))
}

/// One part of the zip, unpacked, refused when it unpacks to more than `limit` bytes.
fn read_part<R: Read + Seek>(
    zip: &mut ZipArchive<R>,
    name: &str,
    limit: u64,
) -> Result<Vec<u8>, Refusal> {
    let part = zip
        .by_name(name)
        .map_err(|e| damaged(format!("part {name}: {e}")))?;
    let mut bytes = Vec::new();
    part.take(limit.saturating_add(1))
        .read_to_end(&mut bytes)
        .map_err(|e| damaged(format!("part {name} cannot be unpacked: {e}")))?;
    if bytes.len() as u64 > limit {
        return Err(too_big_unzipped(limit));
    }
    Ok(bytes)
}

/// One part of an .xlsx zip, unpacked: its name and its bytes (`None` for a folder entry).
pub(super) struct Part {
    pub(super) name: String,
    pub(super) bytes: Option<Vec<u8>>,
}

/// Unpacks every part once, into memory, so that a damaged part (its checksum fails) or a
/// zip bomb is refused before calamine reads anything: all parts together may come to at
/// most `limit` bytes, and reading stops at the first byte past it.
pub(super) fn unpack_parts<R: Read + Seek>(
    zip: &mut ZipArchive<R>,
    limit: u64,
) -> Result<Vec<Part>, Refusal> {
    let mut total: u64 = 0;
    let mut parts = Vec::with_capacity(zip.len());
    let mut seen: std::collections::BTreeMap<String, String> = std::collections::BTreeMap::new();
    for index in 0..zip.len() {
        let mut part = zip
            .by_index(index)
            .map_err(|e| damaged(format!("part {} of its zip: {e}", index + 1)))?;
        let name = part.name().map(|name| name.into_owned()).map_err(|e| {
            damaged(format!(
                "part {} of its zip has no readable name: {e}",
                index + 1
            ))
        })?;
        // Part names are compared as OPC compares them (and as some readers find them):
        // ignoring case and `%` escapes. Two that collide are two copies of one part, and
        // programs differ on which they read, so the package is damaged.
        let folded = folded_part_name(&name);
        if let Some(earlier) = seen.insert(folded, name.clone()) {
            return Err(damaged(format!(
                "it holds two parts whose names differ only in case or spelling, {} and {}, \
                 and programs differ on which of them they read",
                quote(&earlier),
                quote(&name)
            )));
        }
        if part.is_dir() {
            parts.push(Part { name, bytes: None });
            continue;
        }
        let room = limit.saturating_sub(total);
        // The declared size is only a hint (a damaged zip may lie), so it is capped.
        let hint = part
            .size()
            .min(room.saturating_add(1))
            .min(16 * 1024 * 1024);
        let mut bytes = Vec::with_capacity(usize::try_from(hint).unwrap_or(0));
        (&mut part)
            .take(room.saturating_add(1))
            .read_to_end(&mut bytes)
            .map_err(|e| damaged(format!("part {name} cannot be unpacked: {e}")))?;
        total = total.saturating_add(bytes.len() as u64);
        if total > limit {
            return Err(too_big_unzipped(limit));
        }
        parts.push(Part {
            name,
            bytes: Some(bytes),
        });
    }
    Ok(parts)
}

/// Every name the zip's central directory lists, read here rather than through the zip
/// crate, which keeps only one entry of each name: two entries of one name are two copies of
/// a part, and programs differ on which they read. A part that gives itself a second name
/// (the Info-ZIP "Unicode Path" extra field, which the zip crate reads and LibreOffice does
/// not) is refused too. Returns how many entries the directory lists.
fn check_directory_names(bytes: &[u8]) -> Result<u64, Refusal> {
    let unreadable = || damaged("its list of parts (the zip's central directory) cannot be read");
    // The end of central directory record: within the last 64 KiB + 22 bytes.
    let search_from = bytes.len().saturating_sub(65_557);
    let end = (search_from..bytes.len().saturating_sub(21))
        .rev()
        .find(|&at| bytes[at..].starts_with(&0x0605_4b50u32.to_le_bytes()))
        .ok_or_else(unreadable)?;
    let mut entries = u64::from(le16(bytes, end + 10).ok_or_else(unreadable)?);
    let mut offset = u64::from(le32(bytes, end + 16).ok_or_else(unreadable)?);
    // A Zip64 archive keeps the real figures in its own record, found by a locator.
    if (entries == 0xFFFF || offset == 0xFFFF_FFFF) && end >= 20 {
        let locator = end - 20;
        if le32(bytes, locator) == Some(0x0706_4b50) {
            let record = usize::try_from(le64(bytes, locator + 8).ok_or_else(unreadable)?)
                .map_err(|_| unreadable())?;
            if le32(bytes, record) != Some(0x0606_4b50) {
                return Err(unreadable());
            }
            entries = le64(bytes, record + 32).ok_or_else(unreadable)?;
            offset = le64(bytes, record + 48).ok_or_else(unreadable)?;
        }
    }
    let mut at = usize::try_from(offset).map_err(|_| unreadable())?;
    let mut seen: std::collections::BTreeMap<String, String> = std::collections::BTreeMap::new();
    for _ in 0..entries {
        if le32(bytes, at) != Some(0x0201_4b50) {
            return Err(unreadable());
        }
        let name_len = usize::from(le16(bytes, at + 28).ok_or_else(unreadable)?);
        let extra_len = usize::from(le16(bytes, at + 30).ok_or_else(unreadable)?);
        let comment_len = usize::from(le16(bytes, at + 32).ok_or_else(unreadable)?);
        let name = bytes
            .get(at + 46..at + 46 + name_len)
            .ok_or_else(unreadable)?;
        let name = String::from_utf8_lossy(name).into_owned();
        let extra = bytes
            .get(at + 46 + name_len..at + 46 + name_len + extra_len)
            .ok_or_else(unreadable)?;
        if let Some(other) = unicode_path(extra).filter(|other| *other != name) {
            return Err(damaged(format!(
                "its part {} gives itself a second name, {}, and programs differ on which they \
                 use",
                quote(&name),
                quote(&other)
            )));
        }
        if let Some(earlier) = seen.insert(folded_part_name(&name), name.clone()) {
            return Err(damaged(format!(
                "it holds two parts whose names differ only in case or spelling, {} and {}, \
                 and programs differ on which of them they read",
                quote(&earlier),
                quote(&name)
            )));
        }
        at += 46 + name_len + extra_len + comment_len;
    }
    Ok(entries)
}

/// The name an Info-ZIP Unicode Path extra field (0x7075) gives a part, if it has one.
fn unicode_path(mut extra: &[u8]) -> Option<String> {
    while extra.len() >= 4 {
        let id = le16(extra, 0)?;
        let size = usize::from(le16(extra, 2)?);
        let data = extra.get(4..4 + size)?;
        if id == 0x7075 {
            // A version byte and the CRC-32 of the header's name, then the name in UTF-8.
            return Some(String::from_utf8_lossy(data.get(5..)?).into_owned());
        }
        extra = &extra[4 + size..];
    }
    None
}

/// A part name as OPC compares it: `%XX` escapes undone, `\\` read as `/`, no leading `/`,
/// and case folded.
fn folded_part_name(name: &str) -> String {
    let bytes = name.as_bytes();
    let mut decoded = Vec::with_capacity(bytes.len());
    let mut at = 0;
    while at < bytes.len() {
        let escaped = (bytes[at] == b'%')
            .then(|| bytes.get(at + 1..at + 3))
            .flatten()
            .and_then(|hex| std::str::from_utf8(hex).ok())
            .and_then(|hex| u8::from_str_radix(hex, 16).ok());
        match escaped {
            Some(byte) => {
                decoded.push(byte);
                at += 3;
            }
            None => {
                decoded.push(if bytes[at] == b'\\' { b'/' } else { bytes[at] });
                at += 1;
            }
        }
    }
    let text = String::from_utf8_lossy(&decoded);
    text.trim_start_matches('/').to_lowercase()
}

/// The parts, already checked, as a zip whose parts are stored rather than compressed: what
/// calamine reads from it costs a copy, not a second inflate. Written here rather than with
/// the zip crate's writer, whose per-part bookkeeping costs more than the copy: over the
/// 390 .xlsx returns of the 2025-26 fixture year, `zip::ZipWriter` (Stored) took 4.33 times
/// as long as this (median of 15 rounds in one run of `cargo bench --bench stored_zip`;
/// 10.4 and 4.20 in two others). A local header and the bytes of each part, then the
/// central directory (APPNOTE 4.3), with no timestamps, so the same parts always make the
/// same bytes.
pub(super) fn stored_zip(parts: &[Part]) -> Result<Vec<u8>, Refusal> {
    let too_big = || damaged("its parts are too large to lay out again");
    let total: usize = parts
        .iter()
        .map(|p| p.bytes.as_ref().map_or(0, Vec::len) + 2 * p.name.len() + 76)
        .sum();
    let mut out = Vec::with_capacity(total + 22);
    let mut directory = Vec::new();
    for part in parts {
        let data: &[u8] = part.bytes.as_deref().unwrap_or(&[]);
        let crc = crc32fast::hash(data);
        let size = u32::try_from(data.len()).map_err(|_| too_big())?;
        let name_len = u16::try_from(part.name.len()).map_err(|_| too_big())?;
        let offset = u32::try_from(out.len()).map_err(|_| too_big())?;
        // Names that are not ASCII are marked as UTF-8 (general purpose bit 11).
        let flags: u16 = if part.name.is_ascii() { 0 } else { 0x0800 };
        // Local file header: version 2.0, the flags, method 0 (stored), no time.
        out.extend_from_slice(&0x0403_4b50u32.to_le_bytes());
        out.extend_from_slice(&20u16.to_le_bytes());
        out.extend_from_slice(&flags.to_le_bytes());
        out.extend_from_slice(&[0; 4]); // method, time
        out.extend_from_slice(&0x0021u16.to_le_bytes()); // date: 1980-01-01
        out.extend_from_slice(&crc.to_le_bytes());
        out.extend_from_slice(&size.to_le_bytes());
        out.extend_from_slice(&size.to_le_bytes());
        out.extend_from_slice(&name_len.to_le_bytes());
        out.extend_from_slice(&0u16.to_le_bytes());
        out.extend_from_slice(part.name.as_bytes());
        out.extend_from_slice(data);
        // Its central directory entry.
        directory.extend_from_slice(&0x0201_4b50u32.to_le_bytes());
        directory.extend_from_slice(&20u16.to_le_bytes());
        directory.extend_from_slice(&20u16.to_le_bytes());
        directory.extend_from_slice(&flags.to_le_bytes());
        directory.extend_from_slice(&[0; 4]); // method, time
        directory.extend_from_slice(&0x0021u16.to_le_bytes());
        directory.extend_from_slice(&crc.to_le_bytes());
        directory.extend_from_slice(&size.to_le_bytes());
        directory.extend_from_slice(&size.to_le_bytes());
        directory.extend_from_slice(&name_len.to_le_bytes());
        directory.extend_from_slice(&[0; 8]); // extra, comment, disk, internal attributes
        let external: u32 = if part.bytes.is_none() { 0x10 } else { 0 };
        directory.extend_from_slice(&external.to_le_bytes());
        directory.extend_from_slice(&offset.to_le_bytes());
        directory.extend_from_slice(part.name.as_bytes());
    }
    let entries = u16::try_from(parts.len()).map_err(|_| too_big())?;
    let directory_at = u32::try_from(out.len()).map_err(|_| too_big())?;
    let directory_len = u32::try_from(directory.len()).map_err(|_| too_big())?;
    out.extend_from_slice(&directory);
    out.extend_from_slice(&0x0605_4b50u32.to_le_bytes());
    out.extend_from_slice(&[0; 4]); // this disk, the directory's disk
    out.extend_from_slice(&entries.to_le_bytes());
    out.extend_from_slice(&entries.to_le_bytes());
    out.extend_from_slice(&directory_len.to_le_bytes());
    out.extend_from_slice(&directory_at.to_le_bytes());
    out.extend_from_slice(&0u16.to_le_bytes());
    Ok(out)
}

/// calamine reserves room for as many shared strings as `sharedStrings.xml` announces
/// (`uniqueCount`, calamine 0.38.0's xlsx/mod.rs:362-364); a real part needs at least 8
/// bytes for each (`<si><t/></si>`).
fn check_shared_strings(parts: &[Part]) -> Result<(), Refusal> {
    for part in parts {
        let Some(bytes) = &part.bytes else { continue };
        if !part
            .name
            .to_ascii_lowercase()
            .ends_with("sharedstrings.xml")
        {
            continue;
        }
        let head = &bytes[..bytes.len().min(64 * 1024)];
        let mut tags = Tags::new(head);
        let sst = tags
            .by_ref()
            .find(|tag| !tag.closing && local_name(tag.name) == b"sst");
        // Where quick-xml fails before `sst`, calamine fails there too, before it reserves
        // anything; where it is only this reading that stops, calamine would go on to `sst`.
        if let (None, Some(Unreadable::NotXml(detail))) = (&sst, &tags.error) {
            return Err(damaged(format!(
                "its list of shared strings is not well-formed XML ({detail})"
            )));
        }
        let announced = sst
            .and_then(|tag| tag.attr(b"uniqueCount"))
            .and_then(|count| std::str::from_utf8(count).ok()?.parse::<u64>().ok());
        if announced.is_some_and(|count| count > bytes.len() as u64 / 8) {
            return Err(damaged(
                "its list of shared strings announces far more strings than it holds",
            ));
        }
    }
    Ok(())
}

/// The same parts laid out by the zip crate's own writer, stored and with no time, for the
/// benchmark that weighs it against [`stored_zip`] (`benches/stored_zip.rs`).
fn stored_zip_by_zip_crate(parts: &[Part]) -> Result<Vec<u8>, Refusal> {
    let failed =
        |e: zip::result::ZipError| damaged(format!("its parts cannot be laid out again: {e}"));
    let total: usize = parts
        .iter()
        .map(|p| p.bytes.as_ref().map_or(0, Vec::len) + 2 * p.name.len() + 76)
        .sum();
    let mut writer = ZipWriter::new(Cursor::new(Vec::with_capacity(total + 22)));
    let options = SimpleFileOptions::default()
        .compression_method(CompressionMethod::Stored)
        .last_modified_time(DateTime::default());
    for part in parts {
        match &part.bytes {
            None => writer
                .add_directory(part.name.as_str(), options)
                .map_err(failed)?,
            Some(bytes) => {
                writer
                    .start_file(part.name.as_str(), options)
                    .map_err(failed)?;
                std::io::Write::write_all(&mut writer, bytes)
                    .map_err(|e| damaged(format!("its parts cannot be laid out again: {e}")))?;
            }
        }
    }
    Ok(writer.finish().map_err(failed)?.into_inner())
}

/// The parts of an .xlsx, unpacked and checked, for `benches/stored_zip.rs` only.
#[doc(hidden)]
pub struct BenchParts(Vec<Part>);

/// Unpacks an .xlsx as [`open_zip`] does, for `benches/stored_zip.rs` only; `None` when it
/// is refused.
#[doc(hidden)]
pub fn bench_unpack(bytes: &[u8]) -> Option<BenchParts> {
    let mut zip = ZipArchive::new(Cursor::new(bytes)).ok()?;
    unpack_parts(&mut zip, MAX_UNZIPPED_BYTES)
        .ok()
        .map(BenchParts)
}

/// The stored zip [`open_zip`] hands calamine, written by npg's writer (`zip_crate` false)
/// or the zip crate's, for `benches/stored_zip.rs` only.
#[doc(hidden)]
pub fn bench_stored_zip(parts: &BenchParts, zip_crate: bool) -> Option<Vec<u8>> {
    if zip_crate {
        stored_zip_by_zip_crate(&parts.0).ok()
    } else {
        stored_zip(&parts.0).ok()
    }
}
