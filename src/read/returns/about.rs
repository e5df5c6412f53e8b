//! The About sheet of a return: its return type and template version (F06), its fields by
//! label in column A (F04), the header every return shares (force, year, who prepared it,
//! when), and the file name checked against what the sheet says (F05).

use std::collections::BTreeMap;

use crate::domain::returns::ReturnHeader;
use crate::domain::{FinancialYear, ForceId, ForceList, Month, Quarter};
use crate::findings::{Code, Finding, Location, quote};
use crate::layout::{ReturnKind, ReturnLayout};
use crate::rules::validate::about::{force_known, year_of_cycle};

use super::super::cell::{CellAt, read_date, read_text};
use super::super::grid::{CellValue, SheetGrid, same_label};
use super::{ReadContext, Reader, ReturnKey};

pub(super) fn normalise(label: &str) -> String {
    label.trim().to_lowercase()
}

/// The rows of an About sheet by normalised label in column A (first occurrence wins).
pub(super) fn about_rows(sheet: &SheetGrid) -> BTreeMap<String, u32> {
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

pub(super) fn read_return_type(reader: &mut Reader, about: &SheetGrid) -> Option<ReturnKind> {
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
        row_label: None,
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

/// The layout of the return's template version: F06 when the version is missing or not one
/// the program reads, and the current layout is used to read the rest. A version 1
/// financial return is read by its own layout, exactly as before version 2.
pub(super) fn check_template_version(
    reader: &mut Reader,
    about: &SheetGrid,
    kind: ReturnKind,
) -> &'static ReturnLayout {
    let layout = kind.layout();
    let Some(field) = layout.about_field("template_version") else {
        return layout;
    };
    let versions: Vec<u32> = kind
        .readable_layouts()
        .iter()
        .map(|l| l.template_version)
        .collect();
    let expected = match versions.split_last() {
        Some((last, [])) => last.to_string(),
        Some((last, rest)) => format!(
            "{} or {last}",
            rest.iter()
                .map(u32::to_string)
                .collect::<Vec<_>>()
                .join(", ")
        ),
        None => layout.template_version.to_string(),
    };
    let Some(&row) = about_rows(about).get(&normalise(&field.label)) else {
        reader.push(Finding::new(
            Code::F06,
            Location::sheet(reader.file, &about.name, about.index),
            format!(
                "no {} row on the About sheet; add it with the value {expected}",
                quote(&field.label)
            ),
        ));
        return layout;
    };
    let cell = CellAt {
        file: reader.file,
        sheet: about,
        row,
        col: 1,
        label: &field.label,
        row_label: None,
    };
    // Rules §10: the number 1 or the text `1`.
    let recognised = versions.iter().find(|&&version| match cell.value() {
        CellValue::Number(n) => *n == f64::from(version),
        CellValue::Text(t) => t.trim() == version.to_string(),
        _ => false,
    });
    if let Some(&version) = recognised {
        return kind.layout_of_version(version).unwrap_or(layout);
    }
    {
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
    layout
}

/// The About sheet's fields by layout key, with the cell each was found in.
pub(super) struct AboutFields<'a> {
    file: &'a str,
    sheet: &'a SheetGrid,
    rows: BTreeMap<&'a str, (u32, &'a str)>,
}

impl<'a> AboutFields<'a> {
    pub(super) fn read(
        reader: &mut Reader<'a>,
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
        AboutFields {
            file: reader.file,
            sheet,
            rows,
        }
    }

    /// The value cell of the field with `key`, when its label was found.
    pub(super) fn cell(&self, key: &str) -> Option<CellAt<'a>> {
        let &(row, label) = self.rows.get(key)?;
        Some(CellAt {
            file: self.file,
            sheet: self.sheet,
            row,
            col: 1,
            label,
            row_label: None,
        })
    }
}

/// Reads a required About field with `read`, recording C01 when it is blank.
pub(super) fn required<T>(
    reader: &mut Reader,
    fields: &AboutFields,
    key: &str,
    hint: &str,
    read: impl Fn(&CellAt) -> Result<Option<T>, Finding>,
) -> Option<T> {
    let cell = fields.cell(key)?;
    let value = reader.take(read(&cell));
    if value.is_none() && cell.value().is_blank() {
        reader.push(cell.blank_finding(hint));
    }
    value
}

pub(super) fn text_field(
    reader: &mut Reader,
    fields: &AboutFields,
    key: &str,
    hint: &str,
) -> Option<String> {
    required(reader, fields, key, hint, |cell| Ok(read_text(cell)))
}

pub(super) fn read_header(
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
            .cell("submitted_on")
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
    let cell = fields.cell("force_id")?;
    reader.check(force_known(&cell.at(), text, ctx.forces))
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
    let cell = fields.cell("financial_year")?;
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
    reader.check(year_of_cycle(&cell.at(), year, ctx.cycle_year))
}

/// F05: the file name names another force, quarter or month than the About sheet.
pub(super) fn check_file_name(
    reader: &mut Reader,
    file: &str,
    key: &ReturnKey,
    forces: &ForceList,
) {
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
pub(super) fn force_ids_in<'f>(stem: &str, forces: &'f ForceList) -> Vec<&'f str> {
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
pub(super) fn contains_token(text: &str, token: &str) -> bool {
    let bytes = text.as_bytes();
    text.match_indices(token).any(|(at, _)| {
        let before = at.checked_sub(1).map(|i| bytes[i]);
        let after = bytes.get(at + token.len()).copied();
        let joined = |b: Option<u8>| b.is_some_and(|b| b.is_ascii_alphanumeric());
        !joined(before) && !joined(after)
    })
}

/// Every `YYYY-MM` month written in a file name.
pub(super) fn months_in(stem: &str) -> Vec<Month> {
    let bytes = stem.as_bytes();
    (0..bytes.len().saturating_sub(6))
        .filter(|&i| i == 0 || !bytes[i - 1].is_ascii_digit())
        .filter(|&i| bytes.get(i + 7).is_none_or(|b| !b.is_ascii_digit()))
        .filter_map(|i| stem.get(i..i + 7)?.parse::<Month>().ok())
        .collect()
}
