//! The measures page (the framework by pillar and tier, what npg holds and where the rest is
//! published) and the about page (how the figures are made, their status, the run behind
//! them, and the revision log).

use crate::cycle::publish::Tier;
use crate::domain::Quarter;
use crate::pay::publish::revisions::{Figure, RevisedPeriod};
use crate::pay::publish::{Audience, SiteFacts};
use crate::rules::taper::TaperKind;

use super::pages::MeasureItem;
use super::tables::{Cell, Table, figure_column, key_column, text_column};
use super::words::{fte, long_date, month_words, percent, pounds};

/// Whether the grant's returns collect a measure, in a reader's words.
fn held_words(held: bool, sourced: bool) -> &'static str {
    match (held, sourced) {
        (true, _) => {
            "Collected in the forces' monthly returns for the grant, and shown on this site."
        }
        (false, true) => "Not collected in the grant's returns; published elsewhere.",
        (false, false) => {
            "Not collected in the grant's returns, and no published source is named yet."
        }
    }
}

/// The measures this audience sees, by pillar, and the table of them.
pub fn measures(facts: &SiteFacts) -> (Vec<(String, Vec<MeasureItem>)>, Table) {
    let shown: Vec<_> = facts
        .publish
        .measures
        .iter()
        .filter(|m| facts.audience.sees(m.tier))
        .collect();
    let pillars = facts
        .publish
        .pillars()
        .into_iter()
        .filter_map(|pillar| {
            let items: Vec<MeasureItem> = shown
                .iter()
                .filter(|m| m.pillar == pillar)
                .map(|m| MeasureItem {
                    name: m.name.clone(),
                    tier: m.tier.as_str(),
                    tier_class: match m.tier {
                        Tier::Headline => "headline",
                        Tier::Contextual => "contextual",
                    },
                    held: held_words(m.holds.is_some(), m.source.is_some()).to_owned(),
                    source: m.source.clone(),
                })
                .collect();
            (!items.is_empty()).then(|| (pillar.to_owned(), items))
        })
        .collect();
    let table = Table {
        name: "measures".to_owned(),
        caption: "The framework's measures".to_owned(),
        columns: vec![
            text_column("measure", "Measure"),
            text_column("pillar", "Pillar"),
            text_column("tier", "Tier"),
            text_column("in_grant_returns", "In the grant's returns"),
            text_column("source", "Source"),
            text_column("source_url", "Source address"),
        ],
        rows: shown
            .iter()
            .map(|m| {
                vec![
                    Cell::text(m.name.clone()),
                    Cell::text(m.pillar.clone()),
                    Cell::text(m.tier.as_str()),
                    Cell::text(if m.holds.is_some() { "Yes" } else { "No" }),
                    match &m.source {
                        Some(s) => Cell::text(s.title.clone()).with_link(s.url.clone()),
                        None if m.holds.is_some() => Cell::blank("this site"),
                        None => Cell::blank("no source named"),
                    },
                    match &m.source {
                        Some(s) => Cell::text(s.url.clone()),
                        None => Cell::blank(""),
                    },
                ]
            })
            .collect(),
    };
    (pillars, table)
}

pub fn tier_note(audience: Audience) -> &'static str {
    match audience {
        Audience::Public => {
            "This is the public site: it shows the framework's headline measures, those the Home Office tracks publicly. The contextual measures are monitored internally by forces and the Home Office."
        }
        Audience::Sector => {
            "This is the sector's site, not for public release: it shows the framework's headline measures, tracked publicly, and its contextual measures, monitored internally by forces and the Home Office."
        }
    }
}

/// The footer's words on reuse, by audience.
pub fn licence(audience: Audience) -> &'static str {
    match audience {
        Audience::Public => {
            "All content is available under the Open Government Licence v3.0, except where otherwise stated."
        }
        Audience::Sector => {
            "Sector view: shared with police forces and the Home Office for their own use, not for publication, and not licensed for reuse."
        }
    }
}

/// The about page's summary list.
pub fn summary(facts: &SiteFacts) -> Vec<(String, String)> {
    let latest = facts.latest();
    let config = &facts.inputs.config;
    let q = config.quarter(latest.quarter);
    vec![
        ("Status".to_owned(), "Management information, not official statistics. The figures are those the Home Office pays the grant on; they are not produced to the standards of official statistics.".to_owned()),
        ("Figures as at".to_owned(), format!("{} (the end of {} {}), from returns received by {}", long_date(latest.quarter.last_day(config.year)), latest.quarter, config.year, long_date(q.cutoff))),
        ("Payment run".to_owned(), format!("{} {}, paid {} (run folder {})", latest.quarter, config.year, long_date(q.payment_date), latest.folder)),
        ("Rules version".to_owned(), latest.manifest.rules_version.clone()),
        ("Run manifest SHA-256".to_owned(), latest.manifest_sha256.clone()),
        ("Input fingerprint".to_owned(), latest.manifest.input_fingerprint.clone().unwrap_or_else(|| "not recorded".to_owned())),
        ("Next update".to_owned(), match Quarter::from_number(latest.quarter.number() + 1) {
            Some(next) => format!("after the {next} payment run, due {}", long_date(config.quarter(next).payment_date)),
            None => format!("none for {}: Q4 settles the year", config.year),
        }),
        ("Licence".to_owned(), match facts.audience {
            Audience::Public => "The figures and data files may be reused under the Open Government Licence v3.0.",
            Audience::Sector => "None: this sector site is shared with police forces and the Home Office for their own use, not for publication or reuse. The public site's figures may be reused under the Open Government Licence v3.0.",
        }.to_owned()),
    ]
}

/// How the figures are made, in paragraphs.
pub fn method(facts: &SiteFacts) -> Vec<String> {
    let config = &facts.inputs.config;
    let taper = match config.taper.kind() {
        TaperKind::Bands => "by the bands below".to_owned(),
        TaperKind::Proportional => format!(
            "in proportion to progress, from a floor of {}",
            config.taper.floor().map(percent).unwrap_or_default()
        ),
    };
    vec![
        format!("Each force agreed a delivery profile: the neighbourhood police officers and PCSOs (full-time equivalent, FTE) and special constables (a headcount) it plans at each month end of {}, from its baseline at 31 March {}. Growth is the officers and PCSOs above that baseline; special constables are shown beside it and do not count towards it.", config.year, config.year.start_year()),
        "Every month each force reports its actual workforce, and every quarter its spending. Progress is the actual growth divided by the planned growth at a month end, to four decimal places (100% is on plan).".to_owned(),
        format!("The grant is paid quarterly in arrears on the force's eligible spending to date, up to its spend profile and its allocation, and tapered {taper}: a force behind its profile is paid less, and the rest is withheld. The final quarter settles the year, and an overpayment is recovered."),
        "Money is exact to the penny: every rounding is stated, half away from zero (pounds to the penny, ratios to four places). In prose, an amount of £1 million or more is rounded to one decimal place of a million pounds (£195.3 million) and a smaller one to the pound (£723,864); every table gives them to the penny.".to_owned(),
        "A force's rating is green when its progress earns the whole payment, amber when the taper pays part of it, and red when it pays nothing. The rating is always written beside its colour.".to_owned(),
        "A return received after a quarter's cut-off counts in the next quarter's run; a return sent again replaces the earlier one from the next run. Figures this site published that a later run changed are listed in the revision log below.".to_owned(),
    ]
}

/// The quarters: cut-offs and payment dates.
pub fn quarters_table(facts: &SiteFacts) -> Table {
    let config = &facts.inputs.config;
    Table {
        name: "quarters".to_owned(),
        caption: "Quarters, cut-offs and payment dates".to_owned(),
        columns: vec![
            text_column("quarter", "Quarter"),
            text_column("months", "Months"),
            key_column("first_month", "First month"),
            key_column("last_month", "Last month"),
            figure_column("cutoff", "Returns counted if received by"),
            figure_column("payment_date", "Payment date"),
            text_column("published", "On this site"),
        ],
        rows: crate::domain::Quarter::ALL
            .iter()
            .map(|&q| {
                let months = q.months(config.year);
                let qc = config.quarter(q);
                vec![
                    Cell::text(q.to_string()),
                    Cell::text(format!(
                        "{} to {}",
                        month_words(months[0]),
                        month_words(months[2])
                    )),
                    Cell::text(months[0].to_string()),
                    Cell::text(months[2].to_string()),
                    Cell::figure(long_date(qc.cutoff), qc.cutoff),
                    Cell::figure(long_date(qc.payment_date), qc.payment_date),
                    Cell::text(if facts.runs.iter().any(|r| r.quarter == q) {
                        "Yes"
                    } else {
                        "Not yet paid"
                    }),
                ]
            })
            .collect(),
    }
}

/// The taper bands (or the proportional taper's floor).
pub fn taper_table(facts: &SiteFacts) -> Table {
    let taper = &facts.inputs.config.taper;
    let mut rows: Vec<Vec<Cell>> = taper
        .bands()
        .iter()
        .map(|band| {
            vec![
                Cell::figure(
                    format!("{} or more", percent(band.min_progress)),
                    band.min_progress,
                ),
                Cell::figure(
                    percent(crate::domain::Ratio::round(band.pay.as_decimal())),
                    band.pay,
                ),
            ]
        })
        .collect();
    // Below the lowest band nothing is paid: said, so the table covers every progress.
    if let Some(lowest) = taper.bands().last() {
        rows.push(vec![
            Cell::figure(format!("below {}", percent(lowest.min_progress)), "below"),
            Cell::figure("0.00%", "0.00"),
        ]);
    }
    Table {
        name: "taper".to_owned(),
        caption: "The taper: how much of eligible spend is paid at each level of progress"
            .to_owned(),
        columns: vec![
            text_column("min_progress", "Progress"),
            figure_column("fraction_paid", "Share paid"),
        ],
        rows,
    }
}

fn figure_cell(figure: Figure) -> Cell {
    match figure {
        Figure::Money(m) => Cell::figure(pounds(m), m),
        Figure::Fte(f) => Cell::figure(fte(f), f),
        Figure::Count(c) => Cell::figure(c.to_string(), c),
        Figure::NotReported => Cell::blank("not reported"),
    }
}

/// Every published figure a later run changed.
pub fn revisions_table(facts: &SiteFacts) -> Table {
    let year = facts.inputs.config.year;
    let rows = facts
        .revisions
        .iter()
        .map(|r| {
            let name = facts
                .inputs
                .forces
                .get(&r.force)
                .map_or_else(|| r.force.to_string(), |f| f.name.clone());
            let (period_text, period_value) = match r.period {
                RevisedPeriod::Quarter(q) => (format!("{q} {year}"), q.to_string()),
                RevisedPeriod::Month(m) => (month_words(m), m.to_string()),
            };
            vec![
                Cell::text(name),
                Cell::text(r.force.to_string()),
                Cell::figure(period_text, period_value),
                Cell::text(r.figure.label()),
                figure_cell(r.old),
                figure_cell(r.new),
                Cell::text(r.cause.words()),
                Cell::text(r.published_in.clone()),
                Cell::text(r.revised_in.clone()),
            ]
        })
        .collect();
    Table {
        name: "revisions".to_owned(),
        caption: "Revision log: published figures a later run changed".to_owned(),
        columns: vec![
            text_column("force", "Force"),
            key_column("force_id", "Force id"),
            text_column("period", "For"),
            text_column("figure", "Figure"),
            figure_column("old_value", "Published"),
            figure_column("new_value", "Revised to"),
            text_column("why", "Why"),
            text_column("published_in", "Published in run"),
            text_column("revised_in", "Revised in run"),
        ],
        rows,
    }
}

pub fn revisions_note(facts: &SiteFacts) -> String {
    if facts.revisions.is_empty() {
        "No figure published for an earlier month or quarter has been changed by a later run."
            .to_owned()
    } else {
        format!(
            "{} published figures were changed by a later run: a return sent again (restated) or one received after its cut-off that counted in the next run. Each is listed with the value first published and the value it was revised to.",
            facts.revisions.len()
        )
    }
}
