//! A monitoring return: its `Months to` from the About sheet, and a row a month of officers,
//! PCSOs, specials, queries and abstraction, checked by `rules::validate::monitoring`.

use crate::domain::returns::{MonitoringMonth, MonitoringReturn, Return, ReturnHeader};
use crate::domain::{Headcount, Month};
use crate::layout::ReturnLayout;
use crate::rules::validate::Figure;
use crate::rules::validate::monitoring::{
    months_to_in_year, nothing_after_months_to, plausibility, queries_answered,
};

use super::super::cell::{CellAt, read_fte, read_headcount, read_month, read_percent};
use super::super::table::Table;
use super::about::{AboutFields, required};
use super::table::{Row, optional_cell, read_months, required_cell};
use super::{LevelCells, ReadContext, Reader, ReturnKey, ReturnShape};

pub(super) struct Monitoring;

impl ReturnShape for Monitoring {
    /// `Months to`, when it could be read and lies in the year.
    type About = Option<Month>;

    fn about(
        reader: &mut Reader,
        fields: &AboutFields,
        ctx: &ReadContext,
        key: &mut ReturnKey,
    ) -> Option<Month> {
        let year = key.year.or(ctx.cycle_year);
        let months_to = required(
            reader,
            fields,
            "months_to",
            "enter the last month reported, YYYY-MM",
            read_month,
        );
        let months_to = match (months_to, year, fields.cell("months_to")) {
            (Some(month), Some(year), Some(cell)) => {
                reader.check(months_to_in_year(&cell.at(), month, year))
            }
            (other, _, _) => other,
        };
        key.months_to = months_to;
        months_to
    }

    fn rows(
        reader: &mut Reader,
        table: &Table,
        _layout: &ReturnLayout,
        months_to: Option<Month>,
        header: Option<ReturnHeader>,
        ctx: &ReadContext,
        key: &ReturnKey,
    ) -> Option<Return> {
        let year = key.year.or(ctx.cycle_year)?;
        let months = read_months(reader, table, year, months_to);
        let through = months_to?;
        let mut reported = Vec::new();
        for (row, month) in months {
            let Some(month) = month else { continue };
            if month > through {
                let filled = table.first_filled_input(row);
                let shown = filled.map(|cell| cell.value().shown());
                let filled = filled.zip(shown.as_deref()).map(|(c, s)| (c.at(), s));
                reader.note(nothing_after_months_to(month, through, filled));
                continue;
            }
            if let Some(line) = read_row(reader, table, row, month) {
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
                    .map(|(row, m)| (*row, m.month, m.neighbourhood_fte()))
                    .collect(),
                months: reported.iter().map(|(row, m)| (m.month, *row)).collect(),
                columns: table
                    .columns
                    .iter()
                    .map(|(key, (col, column))| ((*key).to_owned(), column.header.clone(), *col))
                    .collect(),
            });
        }
        let baseline = header.as_ref().and_then(|h| ctx.baselines?.get(&h.force));
        if let (Some(&baseline), Some(levels)) = (baseline, &reader.levels) {
            let found = plausibility(
                reader.file,
                (&levels.sheet, levels.sheet_index),
                levels.col,
                baseline,
                levels.levels.iter().copied(),
            );
            reader.findings.extend(found);
        }
        Some(Return::Monitoring(MonitoringReturn {
            header: header?,
            months_to: through,
            months: reported.into_iter().map(|(_, m)| m).collect(),
        }))
    }
}

fn read_row(reader: &mut Reader, table: &Table, row: u32, month: Month) -> Option<MonitoringMonth> {
    let label = month.to_string();
    let row = Row::labelled(row, &label);
    let officers = required_cell(reader, table, row, "officers", read_fte);
    let pcsos = required_cell(reader, table, row, "pcsos", read_fte);
    let specials = required_cell(reader, table, row, "specials", read_headcount);
    let queries = optional_cell(reader, table, row, "queries_received", read_headcount);
    let responded = optional_cell(reader, table, row, "responded_72h", read_headcount);
    let abstraction = optional_cell(reader, table, row, "abstraction_rate", read_percent);
    let figure = |key: &str, value: Option<Headcount>| {
        row.cell(table, key).map(|cell: CellAt| Figure {
            at: cell.at(),
            value,
            blank: cell.value().is_blank(),
        })
    };
    reader.note(queries_answered(
        figure("queries_received", queries),
        figure("responded_72h", responded),
    ));
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
