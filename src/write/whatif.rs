//! The what-if's outputs: `whatif-<year>-<quarters>.xlsx` (Summary, Forces, a Bands sheet per
//! scenario, each titled as a scenario, not a payment run) and the `.csv` for analysts.

use rust_xlsxwriter::{DocProperties, XlsxError};

use crate::cycle::config::CycleConfig;
use crate::domain::{Fte, Quarter};
use crate::pay::ledger::LEDGER_HEADER;
use crate::pay::run::RunResult;
use crate::pay::whatif::{ScenarioRun, ScenarioTotals, fte_to_next_band};
use crate::rules::payment::band_words;
use crate::rules::taper::{Taper, TaperKind};

use super::formats;
use super::print::{Heading, Orientation, PageSetup, Paper, Scaling, set_up_page};
use super::table::{Cell, SheetWriter};

/// The title of every sheet: a scenario is never to be paid from.
pub const SCENARIO_TITLE: &str = "SCENARIO — not a payment run";

/// A rules file as the outputs record it.
#[derive(Clone, Debug)]
pub struct RulesRecord {
    pub name: String,
    /// Its file name (not its folder: outputs hold no absolute path).
    pub file: String,
    pub sha256: String,
}

/// What the outputs record besides the scenarios.
#[derive(Clone, Debug)]
pub struct WhatIfFacts<'a> {
    pub config: &'a CycleConfig,
    pub first: Quarter,
    pub last: Quarter,
    pub fingerprint: &'a str,
    pub rules: &'a [RulesRecord],
}

/// The quarters shown, `first` to `last`, of a scenario that ran from Q1.
fn shown<'a>(run: &'a ScenarioRun, facts: &WhatIfFacts) -> impl Iterator<Item = &'a RunResult> {
    let (first, last) = (facts.first, facts.last);
    run.quarters
        .iter()
        .filter(move |r| r.quarter >= first && r.quarter <= last)
}

/// The CSV: a `scenario` column, then the fields of `ledger.csv`, one row per scenario,
/// quarter and force (the base scenario first, named `base`).
pub fn whatif_csv(scenarios: &[ScenarioRun], facts: &WhatIfFacts) -> Result<Vec<u8>, csv::Error> {
    let mut writer = csv::WriterBuilder::new()
        .has_headers(false)
        .from_writer(Vec::new());
    writer.write_record(std::iter::once("scenario").chain(LEDGER_HEADER.split(',')))?;
    for run in scenarios {
        for result in shown(run, facts) {
            let text = result.ledger.to_csv();
            // Ledger fields never hold a comma or a quote (ids, statuses, plain decimals).
            for line in text.lines().skip(1) {
                writer.write_record(std::iter::once(run.name.as_str()).chain(line.split(',')))?;
            }
        }
    }
    writer
        .into_inner()
        .map_err(|e| csv::Error::from(e.into_error()))
}

fn taper_words(taper: &Taper) -> String {
    match taper.kind() {
        TaperKind::Proportional => format!(
            "proportional from {}",
            taper.floor().map_or_else(String::new, |f| f.to_string())
        ),
        TaperKind::Bands => {
            let bands: Vec<String> = taper
                .bands()
                .iter()
                .map(|b| format!("{} from {}", b.pay, b.min_progress))
                .collect();
            format!("bands: {}", bands.join("; "))
        }
    }
}

/// Writes the what-if workbook. `csv_sha256` is the CSV's, recorded in the properties so
/// that `--overwrite` replaces only the CSV this workbook was written with.
pub fn write_whatif(
    scenarios: &[ScenarioRun],
    facts: &WhatIfFacts,
    csv_sha256: &str,
) -> Result<Vec<u8>, XlsxError> {
    let config = facts.config;
    let quarters = if facts.first == facts.last {
        facts.first.to_string()
    } else {
        format!("{}-{}", facts.first, facts.last)
    };
    let mut workbook = formats::output_workbook();
    let title = format!("{} {}: what-if {quarters}", config.scheme, config.year);
    let properties: DocProperties = formats::fixed_properties(config.year.first_day(), &title)?
        .set_keywords(format!("csv sha256 {csv_sha256}"));
    workbook.set_properties(&properties);
    let year = config.year.to_string();
    let what = format!("what-if {quarters} (scenario, not a payment run)");
    let heading = Heading {
        scheme: &config.scheme,
        year: &year,
        quarter: None,
        what: &what,
        fingerprint: Some(facts.fingerprint),
    };
    let page = PageSetup::table(Paper::A4, Orientation::Landscape, Scaling::PagesWide(1));
    let base = scenarios.first();

    // Summary.
    let sheet = workbook.add_worksheet();
    let mut w = SheetWriter::new(sheet, "Summary")?;
    w.title(0, SCENARIO_TITLE)?;
    let mut row = 2;
    let mut facts_rows: Vec<(String, String)> = vec![
        ("Scheme".into(), config.scheme.clone()),
        ("Financial year".into(), year.clone()),
        ("Quarters".into(), quarters.clone()),
        (
            "Rules version of the cycle".into(),
            config.rules_version.clone(),
        ),
        (
            "Input fingerprint (SHA-256)".into(),
            facts.fingerprint.to_owned(),
        ),
        (
            "base".into(),
            format!("the cycle's own rules: {}", taper_words(&config.taper)),
        ),
    ];
    for (rules, run) in facts.rules.iter().zip(scenarios.iter().skip(1)) {
        facts_rows.push((
            rules.name.clone(),
            format!(
                "{}: {}; SHA-256 {}",
                rules.file,
                taper_words(&run.taper),
                rules.sha256
            ),
        ));
    }
    for (label, value) in &facts_rows {
        w.row(
            row,
            &[Cell::label(label.as_str()), Cell::text(value.as_str())],
        )?;
        row += 1;
    }
    row += 1;
    w.header(
        row,
        &[
            "Scenario",
            "Quarter",
            "Payable",
            "Recoveries",
            "Net payment",
            "Withheld",
            "Paid to date",
            "Paid to date less the base's",
        ],
    )?;
    row += 1;
    for run in scenarios {
        for result in shown(run, facts) {
            let t = ScenarioTotals::of(result);
            let base_paid = base
                .and_then(|b| b.quarters.iter().find(|r| r.quarter == result.quarter))
                .map(|r| ScenarioTotals::of(r).paid_to_date);
            w.row(
                row,
                &[
                    Cell::text(run.name.as_str()),
                    Cell::text(result.quarter.to_string()),
                    Cell::Money(t.payable),
                    Cell::Money(t.recoveries),
                    Cell::Money(t.net),
                    Cell::Money(t.withheld),
                    Cell::Money(t.paid_to_date),
                    Cell::money(base_paid.map(|b| t.paid_to_date - b)),
                ],
            )?;
            row += 1;
        }
    }
    w.fix_width(1, 60.0)?;
    w.finish()?;
    set_up_page(sheet_mut(&mut workbook, 0)?, &heading, &page)?;

    // Forces: each scenario's payment, fraction and difference from the base.
    let mut header: Vec<String> = vec!["Force id".into(), "Force name".into(), "Quarter".into()];
    for run in scenarios {
        header.push(format!("{}: fraction", run.name));
        header.push(format!("{}: payment", run.name));
        if run.name != crate::pay::whatif::BASE_SCENARIO {
            header.push(format!("{}: payment less the base's", run.name));
        }
    }
    let sheet = workbook.add_worksheet();
    let mut w = SheetWriter::new(sheet, "Forces")?;
    w.title(0, SCENARIO_TITLE)?;
    let labels: Vec<&str> = header.iter().map(String::as_str).collect();
    w.header_wrapped(2, &labels)?;
    let mut row = 3;
    if let Some(base) = base {
        for base_result in shown(base, facts) {
            for force in &base_result.forces {
                let mut cells = vec![
                    Cell::text(force.force.as_str()),
                    Cell::text(force.name.as_str()),
                    Cell::text(base_result.quarter.to_string()),
                ];
                for run in scenarios {
                    let line = run
                        .quarters
                        .iter()
                        .find(|r| r.quarter == base_result.quarter)
                        .and_then(|r| r.ledger.lines.get(&force.force));
                    cells.push(
                        line.and_then(|l| l.fraction)
                            .map_or(Cell::Blank, Cell::Fraction),
                    );
                    cells.push(Cell::money(line.map(|l| l.payment)));
                    if run.name != crate::pay::whatif::BASE_SCENARIO {
                        cells.push(Cell::money(line.map(|l| l.payment - force.line.payment)));
                    }
                }
                w.row(row, &cells)?;
                row += 1;
            }
        }
    }
    w.finish()?;
    set_up_page(
        sheet_mut(&mut workbook, 1)?,
        &heading,
        &page.clone().repeat_rows(2, 2).repeat_columns(0, 1),
    )?;

    // A Bands sheet per scenario: progress, band or fraction, and the FTE to the next band.
    for (index, run) in scenarios.iter().enumerate() {
        let sheet = workbook.add_worksheet();
        let name = format!("Bands {}", index + 1);
        let mut w = SheetWriter::new(sheet, &name)?;
        w.title(0, SCENARIO_TITLE)?;
        w.note(
            1,
            &format!("Scenario {}: {}", run.name, taper_words(&run.taper)),
        )?;
        let mut header: Vec<String> = vec!["Force id".into(), "Force name".into()];
        let results: Vec<&RunResult> = shown(run, facts).collect();
        for r in &results {
            header.push(format!("{} progress", r.quarter));
            header.push(format!("{} band or fraction", r.quarter));
            header.push(format!("{} FTE to the next band", r.quarter));
        }
        let labels: Vec<&str> = header.iter().map(String::as_str).collect();
        w.header_wrapped(2, &labels)?;
        let forces = results.first().map(|r| r.forces.as_slice()).unwrap_or(&[]);
        for (row, force) in (3..).zip(forces) {
            let mut cells = vec![
                Cell::text(force.force.as_str()),
                Cell::text(force.name.as_str()),
            ];
            for r in &results {
                let line = r.ledger.lines.get(&force.force);
                let progress = line.and_then(|l| l.progress);
                cells.push(Cell::ratio(progress));
                cells.push(match (progress, line.and_then(|l| l.fraction)) {
                    (Some(p), Some(f)) => Cell::text(band_words(p, f, &run.taper)),
                    _ => Cell::text("held"),
                });
                cells.push(
                    levels(r, &force.force)
                        .and_then(|(l0, lp, la)| fte_to_next_band(&run.taper, l0, lp, la))
                        .and_then(|d| Fte::from_exact(d).ok())
                        .map_or(Cell::Blank, Cell::Fte),
                );
            }
            w.row(row, &cells)?;
        }
        w.finish()?;
        set_up_page(
            sheet_mut(&mut workbook, 2 + index)?,
            &heading,
            &page.clone().repeat_rows(2, 2).repeat_columns(0, 1),
        )?;
    }
    workbook.save_to_buffer()
}

/// `L0`, `Lp(3q)` and `La(3q)` of a force in a quarter's run, where its plan and monitoring
/// return counted and reach the quarter's last month.
fn levels(result: &RunResult, force: &crate::domain::ForceId) -> Option<(Fte, Fte, Fte)> {
    let counted = result.counted.get(force)?;
    let plan = counted.plan.as_ref()?;
    let monitoring = counted.monitoring.as_ref()?;
    let end = result
        .ledger
        .lines
        .get(force)
        .map(|l| l.quarter)
        .zip(plan.months.first().map(|m| m.month.financial_year()))
        .map(|(q, year)| q.end_month(year))?;
    Some((
        plan.baseline(),
        plan.month(end)?.neighbourhood_fte(),
        monitoring.month(end)?.neighbourhood_fte(),
    ))
}

fn sheet_mut(
    workbook: &mut rust_xlsxwriter::Workbook,
    index: usize,
) -> Result<&mut rust_xlsxwriter::Worksheet, XlsxError> {
    workbook.worksheet_from_index(index)
}
