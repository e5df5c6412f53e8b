//! The site's pages as askama templates: what each page holds, and the frame they share
//! (header, navigation, the management-information banner, the footer naming the run).

use askama::Template;

use super::tables::Table;

/// A link of the site's navigation.
pub struct NavItem {
    pub href: &'static str,
    pub label: &'static str,
    pub current: bool,
}

/// What every page shows around its content.
pub struct Page {
    pub title: String,
    pub scheme: String,
    pub year: String,
    /// The way back to the site's top folder: `""` or `"../"`.
    pub root: &'static str,
    pub audience_words: &'static str,
    /// Under what terms the content may be reused: the public site's under the Open
    /// Government Licence, the sector's not at all.
    pub licence_words: &'static str,
    pub nav: Vec<NavItem>,
    pub as_at: String,
    pub run_words: String,
    pub run_folder: String,
    pub manifest_sha256: String,
    pub tool_version: &'static str,
}

/// The pages the navigation lists, in order.
pub const NAV: [(&str, &str); 3] = [
    ("index.html", "National figures"),
    ("measures.html", "Measures"),
    ("about.html", "About these figures"),
];

/// A measure as `measures.html` lists it.
pub struct MeasureItem {
    pub name: String,
    pub tier: &'static str,
    pub tier_class: &'static str,
    /// Whether npg holds it, in words.
    pub held: String,
    pub source: Option<crate::cycle::publish::Source>,
}

#[derive(Template)]
#[template(path = "index.html")]
pub struct IndexPage<'a> {
    pub page: &'a Page,
    pub lead: String,
    pub headline: Vec<(String, String)>,
    pub growth_note: String,
    pub growth_chart_title: String,
    pub growth_chart: String,
    pub national: Table,
    pub latest_month: String,
    pub forces: Table,
    pub ranked_chart_title: String,
    pub ranked_chart: String,
    pub unranked: String,
    pub ranked: Table,
    pub data_links: Vec<(String, String)>,
}

#[derive(Template)]
#[template(path = "force.html")]
pub struct ForcePage<'a> {
    pub page: &'a Page,
    pub name: String,
    pub lead: String,
    pub summary: Vec<(String, String)>,
    pub latest_month: String,
    /// The baseline's date, "31 March 2025".
    pub baseline_date: String,
    /// The latest month is the year's last.
    pub year_complete: bool,
    /// Each chart: its id, its visible caption, its SVG.
    pub charts: Vec<(String, String, String)>,
    pub growth: Table,
    pub workforce: Table,
    pub payments: Table,
    pub measures: Option<Table>,
    pub measures_note: String,
}

#[derive(Template)]
#[template(path = "measures.html")]
pub struct MeasuresPage<'a> {
    pub page: &'a Page,
    pub lead: String,
    pub tier_note: String,
    pub pillars: Vec<(String, Vec<MeasureItem>)>,
    pub table: Table,
}

#[derive(Template)]
#[template(path = "about.html")]
pub struct AboutPage<'a> {
    pub page: &'a Page,
    pub summary: Vec<(String, String)>,
    pub method: Vec<String>,
    pub quarters: Table,
    pub taper: Table,
    pub revisions_note: String,
    pub revisions: Table,
}
