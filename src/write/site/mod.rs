//! The site `npg publish` writes, built in memory: its pages, charts, open data and the
//! 360Giving file, each as a path inside the site folder and its bytes.

pub mod about;
pub mod chart;
pub mod force_growth;
pub mod force_page;
pub mod giving;
pub mod national;
pub mod pages;
pub mod plain;
pub mod tables;
pub mod words;

use std::collections::BTreeMap;

use askama::Template;
use serde::Serialize;
use thiserror::Error;

use crate::cycle::load::sha256_hex;
use crate::pay::manifest::Tool;
use crate::pay::publish::{Audience, SiteFacts};

use chart::{bar_chart_svg, line_chart_svg};
use giving::{Area, Disbursement, ForceGrant, GivingFacts, GivingSettings, Org};
use pages::{AboutPage, ForcePage, IndexPage, MeasuresPage, NAV, NavItem, Page};
use tables::Table;
use words::{long_date, month_words};

/// The stylesheet every page links.
const STYLESHEET: &str = include_str!("site.css");
/// The file that lists what the site holds, so that `--overwrite` replaces only a site npg
/// wrote, still as it wrote it.
pub const SITE_MANIFEST: &str = "site-manifest.json";

/// One file of the site: its path inside the site folder (`/` between names) and bytes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SiteFile {
    pub path: String,
    pub bytes: Vec<u8>,
}

/// Why the site could not be built (an internal error: the facts were checked).
#[derive(Debug, Error)]
pub enum SiteError {
    #[error("internal error: a page could not be rendered: {0}")]
    Template(#[from] askama::Error),
    #[error("internal error: a data file could not be written: {0}")]
    Csv(#[from] csv::Error),
    #[error("internal error: a data file could not be written: {0}")]
    Json(#[from] serde_json::Error),
}

/// Whether `path` is one a site folder holds (its subfolders end in `/`): what the
/// whole-folder write may stage, and what `--overwrite` may find in a site it replaces.
pub fn is_site_path(path: &str) -> bool {
    let plain = |name: &str, ext: &str| {
        name.strip_suffix(ext).is_some_and(|stem| {
            !stem.is_empty()
                && stem
                    .chars()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
        })
    };
    match path.split_once('/') {
        None => matches!(
            path,
            "index.html" | "measures.html" | "about.html" | "site.css" | SITE_MANIFEST
        ),
        Some(("forces", "")) | Some(("data", "")) => true,
        Some(("forces", name)) => plain(name, ".html"),
        Some(("data", name)) => plain(name, ".csv") || plain(name, ".json"),
        _ => false,
    }
}

#[derive(Serialize)]
struct ManifestFile<'a> {
    path: &'a str,
    sha256: String,
    bytes: usize,
}

#[derive(Serialize)]
struct SiteManifest<'a> {
    tool: Tool,
    audience: &'a str,
    run: &'a str,
    run_manifest_sha256: &'a str,
    files: Vec<ManifestFile<'a>>,
}

struct Files(Vec<SiteFile>);

impl Files {
    fn add(&mut self, path: impl Into<String>, text: String) {
        self.0.push(SiteFile {
            path: path.into(),
            bytes: text.into_bytes(),
        });
    }

    fn table(&mut self, table: &Table) -> Result<(), SiteError> {
        self.add(table.csv_path(), table.csv()?);
        self.add(table.json_path(), table.json()?);
        Ok(())
    }
}

fn page(facts: &SiteFacts, title: String, root: &'static str, current: &str) -> Page {
    let latest = facts.latest();
    let config = &facts.inputs.config;
    Page {
        title,
        scheme: config.scheme.clone(),
        year: config.year.to_string(),
        root,
        audience_words: match facts.audience {
            Audience::Public => "Published figures",
            Audience::Sector => {
                "Sector view, not for public release: headline and contextual measures"
            }
        },
        licence_words: about::licence(facts.audience),
        nav: NAV
            .iter()
            .map(|(href, label)| NavItem {
                href,
                label,
                current: *href == current,
            })
            .collect(),
        as_at: long_date(latest.quarter.last_day(config.year)),
        run_words: format!(
            "payment run of {} {}, paid {}",
            latest.quarter,
            config.year,
            long_date(config.quarter(latest.quarter).payment_date)
        ),
        run_folder: latest.folder.clone(),
        manifest_sha256: latest.manifest_sha256.clone(),
        tool_version: env!("CARGO_PKG_VERSION"),
    }
}

/// The 360Giving grants: one per force, a disbursement per quarter that paid or recovered.
fn giving_files(facts: &SiteFacts, files: &mut Files) {
    let config = &facts.inputs.config;
    let settings = GivingSettings {
        prefix: facts.publish.giving.prefix.clone(),
        funder: Org {
            id: facts.publish.giving.funder.id.clone(),
            name: facts.publish.giving.funder.name.clone(),
        },
        programme: config.scheme.clone(),
    };
    let grants: Vec<ForceGrant> = facts
        .latest()
        .ledger
        .lines
        .iter()
        .map(|(force, line)| ForceGrant {
            force: force.clone(),
            recipient: Org {
                id: facts.publish.recipient_id(force),
                name: facts
                    .inputs
                    .forces
                    .get(force)
                    .map_or_else(|| force.to_string(), |f| f.name.clone()),
            },
            allocation: line.allocation,
            area: facts.publish.area(force).map(|a| Area {
                name: a.name.clone(),
                geo_code: a.code.clone(),
            }),
            disbursements: facts
                .runs
                .iter()
                .filter_map(|run| {
                    let paid = run.ledger.lines.get(force)?.payment;
                    (!paid.is_zero()).then(|| Disbursement {
                        quarter: run.quarter,
                        date: config.quarter(run.quarter).payment_date,
                        amount: paid,
                    })
                })
                .collect(),
        })
        .collect();
    let giving = GivingFacts {
        settings: &settings,
        year: config.year,
        // The grant is awarded for the year: its award date is the year's first day.
        award_date: config.year.first_day(),
        grants: &grants,
    };
    files.add("data/360giving.json", giving::giving_json(&giving));
    files.add("data/360giving.csv", giving::giving_csv(&giving));
}

/// Builds every file of the site, sorted by path, the site manifest last.
pub fn build_site(facts: &SiteFacts) -> Result<Vec<SiteFile>, SiteError> {
    let mut files = Files(Vec::new());
    files.add("site.css", STYLESHEET.to_owned());
    let latest = national::latest_month(facts);

    // A page per force.
    let mut every: BTreeMap<&str, Vec<(String, String, Table)>> = BTreeMap::new();
    for force in facts.latest().ledger.lines.keys() {
        let Some(force) = facts.inputs.forces.get(force) else {
            continue;
        };
        let figures = force_page::force_figures(facts, force);
        let charts = figures
            .charts
            .iter()
            .map(|c| Ok((c.id.clone(), c.title.clone(), line_chart_svg(c)?)))
            .collect::<Result<Vec<_>, askama::Error>>()?;
        let force_page_frame = page(facts, force.name.clone(), "../", "");
        let rendered = ForcePage {
            page: &force_page_frame,
            name: force.name.clone(),
            lead: figures.lead.clone(),
            summary: figures.summary.clone(),
            latest_month: month_words(latest),
            baseline_date: long_date(facts.inputs.config.year.first_day() - chrono::Days::new(1)),
            year_complete: latest == facts.inputs.config.year.last_month(),
            charts,
            growth: figures.growth.clone(),
            workforce: figures.workforce.clone(),
            payments: figures.payments.clone(),
            measures: figures.measures.clone(),
            measures_note: figures.measures_note.clone(),
        }
        .render()?;
        files.add(format!("forces/{}.html", force.id), rendered);
        files.table(&figures.growth)?;
        files.table(&figures.workforce)?;
        files.table(&figures.payments)?;
        if let Some(measures) = &figures.measures {
            files.table(measures)?;
        }
        let mut keep = |kind: &'static str, table: &Table| {
            every.entry(kind).or_default().push((
                force.id.to_string(),
                force.name.clone(),
                table.clone(),
            ));
        };
        keep("growth", &figures.growth);
        keep("workforce", &figures.workforce);
        keep("payments", &figures.payments);
        if let Some(measures) = &figures.measures {
            keep("measures", measures);
        }
    }
    // Each kind of force table for every force in one file, for analysts.
    let long_tables: Vec<Table> = every
        .iter()
        .map(|(kind, tables)| {
            let refs: Vec<(&str, &str, &Table)> = tables
                .iter()
                .map(|(id, name, t)| (id.as_str(), name.as_str(), t))
                .collect();
            tables::all_forces(
                &format!("all-forces-{kind}"),
                &format!("Every force's {kind} table, one after another"),
                &refs,
            )
        })
        .collect();
    for table in &long_tables {
        files.table(table)?;
    }

    // The national page.
    let (headline_list, headline_table) = national::headline(facts);
    let national_table = national::national_table(facts);
    let forces_table = national::forces_table(facts, "");
    let ranked_table = national::ranked_table(facts);
    let (_, unranked) = national::ranked(facts);
    let (measure_pillars, measures_table) = about::measures(facts);
    let quarters_table = about::quarters_table(facts);
    let taper_table = about::taper_table(facts);
    let revisions_table = about::revisions_table(facts);
    let mut data_links: Vec<(String, String)> = [
        &headline_table,
        &national_table,
        &forces_table,
        &ranked_table,
        &measures_table,
        &quarters_table,
        &taper_table,
        &revisions_table,
    ]
    .iter()
    .flat_map(|t| {
        [
            (t.csv_path(), format!("{} (CSV)", t.caption)),
            (t.json_path(), format!("{} (JSON)", t.caption)),
        ]
    })
    .collect();
    for t in &long_tables {
        data_links.push((t.csv_path(), format!("{} (CSV)", t.caption)));
        data_links.push((t.json_path(), format!("{} (JSON)", t.caption)));
    }
    data_links.push((
        "data/360giving.json".to_owned(),
        "The year's grants in the 360Giving Data Standard (JSON)".to_owned(),
    ));
    data_links.push((
        "data/360giving.csv".to_owned(),
        "The year's grants in the 360Giving Data Standard (CSV)".to_owned(),
    ));
    let totals = national::money_totals(facts);
    let national_chart = national::national_chart(facts);
    let ranked_chart = national::ranked_chart(facts);
    let index_page = page(facts, "National figures".to_owned(), "", "index.html");
    let index = IndexPage {
        page: &index_page,
        lead: format!(
            "How the {} police forces of England and Wales are growing their neighbourhood teams of police officers and police community support officers (PCSOs), and what the {} has paid them: figures to {}, with {} of {} paid to date.",
            facts.latest().ledger.lines.len(),
            facts.inputs.config.scheme,
            month_words(latest),
            words::pounds_prose(totals.paid_to_date),
            words::pounds_prose(totals.allocated),
        ),
        headline: headline_list,
        growth_note: format!(
            "Growth is the neighbourhood officers and PCSOs, counted as full-time equivalents (FTE), above each force's baseline at {}, summed over the forces that reported the month.",
            long_date(facts.inputs.config.year.first_day() - chrono::Days::new(1))
        ),
        growth_chart_title: national_chart.title.clone(),
        growth_chart: line_chart_svg(&national_chart)?,
        latest_month: month_words(latest),
        ranked_chart_title: ranked_chart.title.clone(),
        ranked_chart: bar_chart_svg(&ranked_chart)?,
        unranked: crate::text::listed(&unranked),
        national: national_table.clone(),
        forces: forces_table.clone(),
        ranked: ranked_table.clone(),
        data_links,
    };
    files.add("index.html", index.render()?);
    for table in [
        &headline_table,
        &national_table,
        &forces_table,
        &ranked_table,
    ] {
        files.table(table)?;
    }

    // The measures and about pages.
    let measures_frame = page(facts, "Measures".to_owned(), "", "measures.html");
    let measures_page = MeasuresPage {
        page: &measures_frame,
        lead: "The Neighbourhood Policing Performance Framework's measures, by pillar: which this site shows from the forces' returns for the grant, and, where a source is known, where the others are published.".to_owned(),
        tier_note: about::tier_note(facts.audience).to_owned(),
        pillars: measure_pillars,
        table: measures_table.clone(),
    };
    files.add("measures.html", measures_page.render()?);
    files.table(&measures_table)?;
    let about_frame = page(facts, "About these figures".to_owned(), "", "about.html");
    let about_page = AboutPage {
        page: &about_frame,
        summary: about::summary(facts),
        method: about::method(facts),
        quarters: quarters_table.clone(),
        taper: taper_table.clone(),
        revisions_note: about::revisions_note(facts),
        revisions: revisions_table.clone(),
    };
    files.add("about.html", about_page.render()?);
    // The about page's facts (status, as at, run, licence) as data too, so a file read on
    // its own says where its figures come from.
    let about_table = Table {
        name: "about".to_owned(),
        caption: "About these figures".to_owned(),
        columns: vec![
            tables::text_column("item", "Item"),
            tables::text_column("value", "Value"),
        ],
        rows: about::summary(facts)
            .into_iter()
            .map(|(item, value)| vec![tables::Cell::text(item), tables::Cell::text(value)])
            .collect(),
    };
    files.table(&about_table)?;
    for table in [&quarters_table, &taper_table, &revisions_table] {
        files.table(table)?;
    }
    giving_files(facts, &mut files);

    let mut files = files.0;
    files.sort_by(|a, b| a.path.cmp(&b.path));
    let manifest = SiteManifest {
        tool: Tool::this(),
        audience: facts.audience.as_str(),
        run: &facts.latest().folder,
        run_manifest_sha256: &facts.latest().manifest_sha256,
        files: files
            .iter()
            .map(|f| ManifestFile {
                path: &f.path,
                sha256: sha256_hex(&f.bytes),
                bytes: f.bytes.len(),
            })
            .collect(),
    };
    let mut text = serde_json::to_string_pretty(&manifest)?;
    text.push('\n');
    files.push(SiteFile {
        path: SITE_MANIFEST.to_owned(),
        bytes: text.into_bytes(),
    });
    Ok(files)
}
