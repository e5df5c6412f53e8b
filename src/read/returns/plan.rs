//! A delivery plan: its version, baselines and approver from the About sheet, and a row a
//! month of planned officers, PCSOs, specials and spend, checked by `rules::validate::plan`.

use crate::domain::returns::{DeliveryPlan, PlanMonth, Return, ReturnHeader};
use crate::domain::{Fte, Headcount};
use crate::findings::CellRef;
use crate::layout::ReturnLayout;
use crate::rules::validate::monitoring::plausibility;
use crate::rules::validate::plan::{growth, total_is_allocation};

use super::super::cell::{read_fte, read_headcount, read_money, read_version};
use super::super::table::Table;
use super::about::{AboutFields, required, text_field};
use super::table::{Row, read_months, required_cell};
use super::{ReadContext, Reader, ReturnKey, ReturnShape};

pub(super) struct Plan;

/// The plan's own About fields.
pub(super) struct PlanAbout {
    version: Option<u32>,
    baseline_officers: Option<Fte>,
    baseline_pcsos: Option<Fte>,
    baseline_specials: Option<Headcount>,
    approved_by: Option<String>,
}

impl ReturnShape for Plan {
    type About = PlanAbout;

    fn about(
        reader: &mut Reader,
        fields: &AboutFields,
        _ctx: &ReadContext,
        key: &mut ReturnKey,
    ) -> PlanAbout {
        let version = required(
            reader,
            fields,
            "version",
            "enter 1 for the first plan",
            read_version,
        );
        key.version = version;
        let hint_fte = "enter the FTE at 31 March 2025";
        let baseline_officers = required(reader, fields, "baseline_officers", hint_fte, read_fte);
        let baseline_pcsos = required(reader, fields, "baseline_pcsos", hint_fte, read_fte);
        let baseline_specials = required(
            reader,
            fields,
            "baseline_specials",
            "enter the headcount at 31 March 2025",
            read_headcount,
        );
        let approved_by = text_field(reader, fields, "approved_by", "enter who approved the plan");
        PlanAbout {
            version,
            baseline_officers,
            baseline_pcsos,
            baseline_specials,
            approved_by,
        }
    }

    fn rows(
        reader: &mut Reader,
        table: &Table,
        _layout: &ReturnLayout,
        about: PlanAbout,
        header: Option<ReturnHeader>,
        ctx: &ReadContext,
        key: &ReturnKey,
    ) -> Option<Return> {
        let year = key.year.or(ctx.cycle_year)?;
        let months = read_months(reader, table, year, Some(year.last_month()));
        // Each month read in full, with its officers cell (where level findings point).
        let mut profile: Vec<(CellRef, PlanMonth)> = Vec::new();
        for (row, month) in months {
            let label = month.map(|m| m.to_string());
            let row = Row {
                number: row,
                label: label.as_deref(),
            };
            let officers = required_cell(reader, table, row, "officers", read_fte);
            let pcsos = required_cell(reader, table, row, "pcsos", read_fte);
            let specials = required_cell(reader, table, row, "specials", read_headcount);
            let planned_spend = required_cell(reader, table, row, "planned_spend", read_money);
            if let (
                Some(month),
                Some(officers),
                Some(pcsos),
                Some(specials),
                Some(planned_spend),
                Some(cell),
            ) = (
                month,
                officers,
                pcsos,
                specials,
                planned_spend,
                table.cell(row.number, "officers"),
            ) {
                let line = PlanMonth {
                    month,
                    officers,
                    pcsos,
                    specials,
                    planned_spend,
                };
                profile.push((cell.at(), line));
            }
        }
        let (Some(baseline_officers), Some(baseline_pcsos)) =
            (about.baseline_officers, about.baseline_pcsos)
        else {
            return None;
        };
        let baseline = baseline_officers + baseline_pcsos;
        if let Some(&(col, _)) = table.columns.get("officers") {
            reader.findings.extend(plausibility(
                reader.file,
                (&table.sheet.name, table.sheet.index),
                col,
                baseline,
                profile
                    .iter()
                    .map(|(at, m)| (at.row, m.month, m.neighbourhood_fte())),
            ));
        }
        let levels: Vec<_> = profile
            .iter()
            .map(|(at, m)| (*at, m.month, m.neighbourhood_fte()))
            .collect();
        reader.note(growth(year, baseline, &levels));
        let allocation = header
            .as_ref()
            .and_then(|h| ctx.allocations?.get(&h.force).copied());
        if let (Some(allocation), Some(cell)) = (allocation, table.cell(0, "planned_spend")) {
            let planned = profile.iter().map(|(_, m)| m.planned_spend);
            reader.note(total_is_allocation(&cell.at(), planned, allocation));
        }
        Some(Return::Plan(DeliveryPlan {
            header: header?,
            version: about.version?,
            baseline_officers,
            baseline_pcsos,
            baseline_specials: about.baseline_specials?,
            approved_by: about.approved_by?,
            months: profile.into_iter().map(|(_, m)| m).collect(),
        }))
    }
}
