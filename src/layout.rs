//! The layouts of the returns and of the allocations and weights workbooks, read from `templates/`.
//!
//! Each layout is stated once, as data, and used both to write blank templates and to read
//! returns back, so the two can never drift apart. The files are built into the binary so
//! that `npg` runs from any folder.

use serde::Deserialize;

/// The three kinds of return a force sends.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ReturnKind {
    Plan,
    Monitoring,
    Finance,
}

impl ReturnKind {
    pub const ALL: [ReturnKind; 3] = [
        ReturnKind::Plan,
        ReturnKind::Monitoring,
        ReturnKind::Finance,
    ];

    /// The word used on the command line (`npg template plan`).
    pub fn command_word(self) -> &'static str {
        match self {
            ReturnKind::Plan => "plan",
            ReturnKind::Monitoring => "monitoring",
            ReturnKind::Finance => "finance",
        }
    }

    /// The layout of this kind of return, as `npg template` writes it today.
    pub fn layout(self) -> &'static ReturnLayout {
        let layouts = layouts();
        match self {
            ReturnKind::Plan => &layouts.plan,
            ReturnKind::Monitoring => &layouts.monitoring,
            ReturnKind::Finance => &layouts.finance,
        }
    }

    /// Every template version of this kind the reader accepts, oldest first: the current
    /// layout and the earlier ones kept so that archived returns read as they always did.
    pub fn readable_layouts(self) -> Vec<&'static ReturnLayout> {
        let layouts = layouts();
        match self {
            ReturnKind::Finance => vec![&layouts.finance_v1, &layouts.finance],
            _ => vec![self.layout()],
        }
    }

    /// The layout of template version `version` of this kind, if the reader knows it.
    pub fn layout_of_version(self, version: u32) -> Option<&'static ReturnLayout> {
        self.readable_layouts()
            .into_iter()
            .find(|l| l.template_version == version)
    }
}

/// What a cell holds, which decides how it is validated, formatted and read.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ValueKind {
    /// Free text.
    Text,
    /// A whole number (the template version).
    Whole,
    /// A version number, whole and at least 1.
    Version,
    /// A date, `YYYY-MM-DD` or a date cell.
    Date,
    /// A month, `YYYY-MM` or a date cell.
    Month,
    /// Pounds and pence.
    Money,
    /// Full-time equivalent staff, 2 places.
    Fte,
    /// A whole count of people or queries.
    Headcount,
    /// A percentage on a 0–100 scale.
    Percent,
    /// A force id.
    ForceId,
    /// A financial year, `2025-26`.
    Year,
    /// A quarter, `Q1`..`Q4`.
    Quarter,
    /// An expenditure category id from `cycle.toml`.
    CategoryId,
    /// A non-negative allocation weight.
    Weight,
}

/// What the template writer fills into an About value for the force.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Prefill {
    ReturnType,
    TemplateVersion,
    ForceId,
    ForceName,
    FinancialYear,
    Quarter,
    MonthsTo,
}

/// One labelled field of an About sheet.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AboutField {
    pub key: String,
    pub label: String,
    pub kind: ValueKind,
    #[serde(default)]
    pub prefill: Option<Prefill>,
    #[serde(default)]
    pub help: Option<String>,
}

/// One column of a data table, found by its header label.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Column {
    pub key: String,
    pub header: String,
    pub kind: ValueKind,
    /// Filled in by the template (months, categories) and locked.
    #[serde(default)]
    pub fixed: bool,
    /// May be left blank.
    #[serde(default)]
    pub optional: bool,
}

/// What the rows of a return's data table are.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum RowSource {
    /// The twelve months of the financial year, April to March.
    Months,
    /// The expenditure categories of `cycle.toml`, in its order.
    Categories,
}

/// The layout of one kind of return.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ReturnLayout {
    pub kind: ReturnKind,
    /// The About sheet's `Return type` value that identifies this kind.
    pub return_type: String,
    pub template_version: u32,
    pub about_sheet: String,
    pub about_header: [String; 2],
    pub data_sheet: String,
    pub rows: RowSource,
    /// The instructions written on the `Notes` sheet, one line each. A line `{about}` stands
    /// for one line per About field to fill in (its input prompt), and in a financial
    /// return a line `{counts}` for one line per category of `cycle.toml`, saying whether it
    /// counts towards the grant.
    pub notes: Vec<String>,
    /// The locked total row the template writes below the data rows, if the layout has one.
    #[serde(default)]
    pub total_row: Option<TotalRow>,
    pub about: Vec<AboutField>,
    #[serde(rename = "column")]
    pub columns: Vec<Column>,
}

impl ReturnLayout {
    /// The About field the program knows by `key`.
    pub fn about_field(&self, key: &str) -> Option<&AboutField> {
        self.about.iter().find(|f| f.key == key)
    }

    /// The data column the program knows by `key`.
    pub fn column(&self, key: &str) -> Option<&Column> {
        self.columns.iter().find(|c| c.key == key)
    }

    /// The label of the About field or header of the column with `key`, for messages.
    pub fn label_of<'a>(&'a self, key: &'a str) -> &'a str {
        self.about_field(key)
            .map(|f| f.label.as_str())
            .or_else(|| self.column(key).map(|c| c.header.as_str()))
            .unwrap_or(key)
    }
}

/// A locked total row below a return's data rows: a marker in the key column that tells the
/// reader which row is the template's own, and the columns summed by formula. The reader
/// skips that row and never reads its figures: a file saved by another program may hold a
/// stale cached value, and the total is always recomputed from the rows themselves.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TotalRow {
    /// The column whose cell holds the marker (the category id column).
    pub marker_column: String,
    /// The marker: text no data row can hold (it is no category id).
    pub marker: String,
    /// The column that holds the row's label, and the label itself.
    pub label_column: String,
    pub label: String,
    /// The columns summed by formula.
    pub summed: Vec<String>,
}

/// The layout of a one-table workbook (weights, allocations).
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TableLayout {
    pub sheet: String,
    #[serde(default)]
    pub check_sheet: Option<String>,
    #[serde(rename = "column")]
    pub columns: Vec<Column>,
}

impl TableLayout {
    pub fn column(&self, key: &str) -> Option<&Column> {
        self.columns.iter().find(|c| c.key == key)
    }
}

/// Every layout of the program.
#[derive(Debug)]
pub struct Layouts {
    pub plan: ReturnLayout,
    pub monitoring: ReturnLayout,
    pub finance: ReturnLayout,
    /// Financial returns of template version 1, read only.
    pub finance_v1: ReturnLayout,
    pub weights: TableLayout,
    pub allocations: TableLayout,
}

/// The layout files, as shipped under `templates/`.
pub const LAYOUT_FILES: [(&str, &str); 6] = [
    (
        "templates/plan.toml",
        include_str!("../templates/plan.toml"),
    ),
    (
        "templates/monitoring.toml",
        include_str!("../templates/monitoring.toml"),
    ),
    (
        "templates/finance.toml",
        include_str!("../templates/finance.toml"),
    ),
    (
        "templates/weights.toml",
        include_str!("../templates/weights.toml"),
    ),
    (
        "templates/allocations.toml",
        include_str!("../templates/allocations.toml"),
    ),
    (
        "templates/finance-v1.toml",
        include_str!("../templates/finance-v1.toml"),
    ),
];

fn parse_layouts() -> Result<Layouts, String> {
    fn parse<T: for<'de> Deserialize<'de>>(index: usize) -> Result<T, String> {
        let (name, text) = LAYOUT_FILES[index];
        toml::from_str(text).map_err(|e| format!("{name}: {e}"))
    }
    Ok(Layouts {
        plan: parse(0)?,
        monitoring: parse(1)?,
        finance: parse(2)?,
        weights: parse(3)?,
        allocations: parse(4)?,
        finance_v1: parse(5)?,
    })
}

/// The program's layouts. They are built into the binary and checked by the test suite, so
/// a malformed layout file is a defect of the build, never of a user's input.
pub fn layouts() -> &'static Layouts {
    static LAYOUTS: std::sync::OnceLock<Layouts> = std::sync::OnceLock::new();
    LAYOUTS.get_or_init(|| match parse_layouts() {
        Ok(layouts) => layouts,
        // Unreachable in a tested build: `layout_files_parse` below fails first.
        Err(problem) => panic!("built-in layout is malformed: {problem}"),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn layout_files_parse() {
        parse_layouts().unwrap();
    }

    #[test]
    fn each_return_layout_matches_its_kind_and_has_the_keys_the_program_uses() {
        for kind in ReturnKind::ALL {
            let layout = kind.layout();
            assert_eq!(layout.kind, kind);
            for key in [
                "return_type",
                "template_version",
                "force_id",
                "force_name",
                "financial_year",
                "submitted_on",
            ] {
                assert!(
                    layout.about_field(key).is_some(),
                    "{kind:?} lacks About {key}"
                );
            }
            let mut keys: Vec<&str> = layout.about.iter().map(|f| f.key.as_str()).collect();
            keys.extend(layout.columns.iter().map(|c| c.key.as_str()));
            let count = keys.len();
            keys.sort_unstable();
            keys.dedup();
            assert_eq!(keys.len(), count, "{kind:?} repeats a key");
        }
        assert_eq!(
            ReturnKind::Plan
                .layout()
                .about_field("submitted_on")
                .unwrap()
                .label,
            "Approved on"
        );
        assert!(
            ReturnKind::Monitoring
                .layout()
                .about_field("months_to")
                .is_some()
        );
        assert!(
            ReturnKind::Finance
                .layout()
                .about_field("quarter")
                .is_some()
        );
    }

    #[test]
    fn the_financial_return_reads_versions_1_and_2_and_writes_2() {
        let finance = ReturnKind::Finance;
        assert_eq!(finance.layout().template_version, 2);
        let versions: Vec<u32> = finance
            .readable_layouts()
            .iter()
            .map(|l| l.template_version)
            .collect();
        assert_eq!(versions, [1, 2]);
        let v1 = finance.layout_of_version(1).unwrap();
        assert!(v1.total_row.is_none());
        assert!(v1.column("counts").is_none());
        let v2 = finance.layout_of_version(2).unwrap();
        let total = v2.total_row.as_ref().unwrap();
        assert_eq!(total.marker_column, "category_id");
        for key in [&total.marker_column, &total.label_column]
            .into_iter()
            .chain(&total.summed)
        {
            assert!(v2.column(key).is_some(), "total row names {key}");
        }
        assert!(v2.column("counts").unwrap().fixed);
        assert_eq!(finance.layout_of_version(3), None);
        for kind in [ReturnKind::Plan, ReturnKind::Monitoring] {
            assert_eq!(kind.readable_layouts().len(), 1);
            assert_eq!(kind.layout_of_version(1), Some(kind.layout()));
        }
    }

    #[test]
    fn return_types_are_distinct() {
        let mut types: Vec<&str> = ReturnKind::ALL
            .iter()
            .map(|k| k.layout().return_type.as_str())
            .collect();
        types.sort_unstable();
        types.dedup();
        assert_eq!(types.len(), 3);
    }
}
