//! The command line: clap definitions of every `npg` subcommand and its flags.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};
use npg::domain::{Money, Month, ParseNumberError, Quarter, QuarterRange};
use npg::rules::allocate::AllocationUnit;

/// npg: the Neighbourhood Policing Grant batch processor.
///
/// Exit codes: 0 success; 1 the inputs have errors (findings were reported), or for `audit
/// verify` something differs; 2 the command could not run (usage, a path that does not
/// exist, an internal error). Each command's --help gives its own.
#[derive(Debug, Parser)]
#[command(name = "npg", version, about)]
pub struct Cli {
    /// Log what the program does to stderr (-v for info, -vv for debug).
    #[arg(short, long, action = clap::ArgAction::Count, global = true)]
    pub verbose: u8,

    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Write a blank return for a force to fill in.
    ///
    /// Every kind needs --force and -o. A plan needs nothing else. A monitoring return takes
    /// --month for its `Months to` (without it the month is left for the force to fill in).
    /// A financial return takes --quarter (without it the quarter is left to fill in).
    /// Without --cycle the template is made on the built-in 2025-26 scheme (its force list
    /// and expenditure categories), as `npg validate` checks a return without one.
    ///
    /// Exit codes: 0 written; 2 it could not be written (usage, an unknown force, a file in
    /// the way).
    Template(TemplateArgs),
    /// Check returns (and allocations or weights workbooks), reporting every problem with its cell.
    ///
    /// Exit codes: 0 no errors (warnings and information may be listed); 1 at least one
    /// error was found; 2 the check could not run (usage, a path that does not exist).
    Validate(ValidateArgs),
    /// Split the pot into force allocations by weight, to the pound or penny.
    ///
    /// Exit codes: 0 written; 1 the weights have errors (listed; nothing written); 2 it could
    /// not run (usage, a path that does not exist, a file in the way).
    Allocate(AllocateArgs),
    /// Run the quarterly payments: schedule, reconciliation, ledger and manifest.
    ///
    /// Exit codes: 0 the run was written; 1 the cycle's own files or the prior ledger are in
    /// error (listed; nothing written); 2 it could not run (usage, a path that does not
    /// exist, a run folder in the way).
    Pay(PayArgs),
    /// Write the reconciliation of delivery against plan for any month.
    ///
    /// Exit codes: 0 written; 1 the cycle's own files are in error (listed; nothing
    /// written); 2 it could not run (usage, a path that does not exist, a file in the way).
    Reconcile(ReconcileArgs),
    /// Compare payment rules before they are set: the same returns paid under the cycle's
    /// rules (the base) and under each rules file, side by side; never a payment run.
    ///
    /// Exit codes: 0 written; 1 the cycle's files or a rules file are in error; 2 it could not
    /// run (usage, a missing folder, a file in the way).
    Whatif(WhatIfArgs),
    /// Publish the year's figures as a static website with open data and a 360Giving file,
    /// from the latest (or the named) payment run and the reconciliation behind it.
    ///
    /// The site is built from the run folders' ledgers, manifests and the inputs they name;
    /// a run folder that no longer matches its manifest is refused. `--audience public` (the
    /// default) shows the framework's headline measures only; `sector` the contextual ones
    /// too (publish.toml in the cycle folder says which is which).
    ///
    /// Exit codes: 0 written; 1 a run folder, the cycle or publish.toml is in error (nothing
    /// written); 2 it could not run (usage, a missing folder, a folder in the way).
    Publish(PublishArgs),
    /// For auditors: prove a past run from its inputs.
    ///
    /// Exit codes (audit verify): 0 identical; 1 something differs; 2 the verify could not
    /// run.
    #[command(subcommand)]
    Audit(AuditCommand),
}

#[derive(Debug, Subcommand)]
pub enum AuditCommand {
    /// Check a run's inputs against the cycle folder, re-run it on exactly those inputs and
    /// compare every output; or a whole year's runs and the links between them.
    ///
    /// Exit codes: 0 identical; 1 something differs; 2 the verify could not run.
    Verify(VerifyArgs),
}

#[derive(Debug, Args)]
pub struct VerifyArgs {
    /// A run folder (holding manifest.json), or an output folder holding a year's runs.
    #[arg(value_name = "RUN_DIR")]
    pub run: PathBuf,

    /// The cycle folder the run was made from (as archived).
    #[arg(long, value_name = "DIR")]
    pub cycle: PathBuf,

    /// With an output folder: the quarters to verify as a chain (Q1-Q4); default every run
    /// found there.
    #[arg(long, value_name = "Qn|Qa-Qb", value_parser = quarter_range)]
    pub quarter: Option<QuarterRange>,

    /// text (default), or json: one JSON object, the report (its shape is in the README,
    /// "For auditors").
    #[arg(long, value_enum, default_value_t = OutputFormat::Text)]
    pub format: OutputFormat,
}

#[derive(Debug, Args)]
pub struct PayArgs {
    /// The cycle folder (cycle.toml, forces.csv, allocations.xlsx, returns/).
    #[arg(long, value_name = "DIR")]
    pub cycle: PathBuf,

    /// The quarter to run (Q2), or a range run in order (Q1-Q4).
    #[arg(long, value_name = "Qn|Qa-Qb", value_parser = quarter_range)]
    pub quarter: QuarterRange,

    /// The output folder; each quarter's run goes into <out>/<year>-<quarter>/.
    #[arg(long, value_name = "DIR", default_value = "runs")]
    pub out: PathBuf,

    /// Replace an existing run folder (it is swapped in whole).
    #[arg(long)]
    pub overwrite: bool,

    /// When a later quarter's run is in --out, re-run it too (each later quarter starts from
    /// the ledger of the one before, so it would otherwise rest on the old figures).
    #[arg(long, requires = "overwrite")]
    pub rerun_later: bool,
}

#[derive(Debug, Args)]
pub struct ReconcileArgs {
    /// The cycle folder (cycle.toml, forces.csv, allocations.xlsx, returns/).
    #[arg(long, value_name = "DIR")]
    pub cycle: PathBuf,

    /// The last month to reconcile (YYYY-MM); returns count at its quarter's cut-off.
    #[arg(long, value_name = "YYYY-MM", value_parser = month)]
    pub month: Month,

    /// The output folder; the workbook is <out>/reconciliation-<month>.xlsx.
    #[arg(long, value_name = "DIR", default_value = "runs")]
    pub out: PathBuf,

    /// Replace the workbook if it exists.
    #[arg(long)]
    pub overwrite: bool,
}

#[derive(Debug, Args)]
pub struct WhatIfArgs {
    /// The cycle folder (cycle.toml, forces.csv, allocations.xlsx, returns/).
    #[arg(long, value_name = "DIR")]
    pub cycle: PathBuf,

    /// The quarters shown (Qn or Qa-Qb); every scenario is run from Q1.
    #[arg(long, value_name = "Qn|Qa-Qb", value_parser = quarter_range)]
    pub quarter: QuarterRange,

    /// Rules files (TOML: a `name`, and `[[taper]]` bands or `taper_kind` and `taper_floor`),
    /// each a scenario beside the base.
    #[arg(long, value_name = "FILE", num_args = 1.., required = true)]
    pub rules: Vec<PathBuf>,

    /// The output folder; the files are <out>/whatif-<year>-<quarters>.xlsx and .csv.
    #[arg(long, value_name = "DIR", default_value = "runs")]
    pub out: PathBuf,

    /// Replace the two files if they exist (only files npg wrote).
    #[arg(long)]
    pub overwrite: bool,
}

#[derive(Debug, Args)]
pub struct PublishArgs {
    /// The cycle folder the runs were made from (with its publish.toml).
    #[arg(long, value_name = "DIR")]
    pub cycle: PathBuf,

    /// The folder holding the year's run folders (<runs>/<year>-Q1 …).
    #[arg(long, value_name = "DIR", default_value = "runs")]
    pub runs: PathBuf,

    /// The site folder to write (index.html, forces/, data/ …).
    #[arg(long, value_name = "SITE")]
    pub out: PathBuf,

    /// Publish to this quarter's run (the latest run in --runs by default).
    #[arg(long, value_name = "Qn", value_parser = quarter)]
    pub quarter: Option<Quarter>,

    /// public (headline measures only) or sector (headline and contextual).
    #[arg(long, value_enum, default_value_t = AudienceArg::Public)]
    pub audience: AudienceArg,

    /// Replace the site folder if it exists (only a site npg publish wrote, unchanged).
    #[arg(long)]
    pub overwrite: bool,
}

/// Who a published site is for.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, ValueEnum)]
pub enum AudienceArg {
    /// The public: the framework's headline measures only.
    #[default]
    Public,
    /// Forces and the Home Office: headline and contextual measures.
    Sector,
}

/// How `validate` prints its findings and `audit verify` its report.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, ValueEnum)]
pub enum OutputFormat {
    /// For people: validate prints one line per finding, grouped by file; audit verify its
    /// report.
    #[default]
    Text,
    /// For programs: validate prints a JSON array of findings; audit verify one JSON object,
    /// the report.
    Json,
}

#[derive(Debug, Args)]
pub struct ValidateArgs {
    /// Spreadsheets to check; a folder means every spreadsheet under it.
    #[arg(required = true, value_name = "FILE")]
    pub files: Vec<PathBuf>,

    /// The cycle folder: adds the checks against the force list, the year, the allocations,
    /// the categories and the earlier quarters' returns.
    #[arg(long, value_name = "DIR")]
    pub cycle: Option<PathBuf>,

    /// text (default), or json: a JSON array of findings.
    #[arg(long, value_enum, default_value_t = OutputFormat::Text)]
    pub format: OutputFormat,
}

#[derive(Debug, Args)]
pub struct AllocateArgs {
    /// The weights workbook (sheet `Weights`: Force id | Force name | Weight).
    #[arg(long, value_name = "FILE")]
    pub weights: PathBuf,

    /// The pot to split, in pounds (for example 200000000.00).
    #[arg(long, value_name = "AMOUNT", value_parser = pot)]
    pub pot: Money,

    /// Allocate in whole pounds (default) or pence.
    #[arg(long, value_enum, default_value_t = UnitArg::Pound)]
    pub unit: UnitArg,

    /// The cycle folder whose force list the weights are checked against (default: the
    /// folder holding the weights workbook, when it has a forces.csv).
    #[arg(long, value_name = "DIR")]
    pub cycle: Option<PathBuf>,

    /// Where to write the allocations workbook (.xlsx).
    #[arg(short = 'o', long = "output", value_name = "FILE")]
    pub output: PathBuf,

    /// Replace the output file if it exists.
    #[arg(long)]
    pub overwrite: bool,
}

/// The kind of return a template is for.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum TemplateKind {
    /// The delivery plan: baseline, month-end levels and planned spend.
    Plan,
    /// The monitoring return: actual levels and contextual measures month by month.
    Monitoring,
    /// The quarterly financial return: actual and forecast spend by category.
    Finance,
}

#[derive(Debug, Args)]
pub struct TemplateArgs {
    /// Which return: plan, monitoring or finance.
    #[arg(value_enum)]
    pub kind: TemplateKind,

    /// The cycle folder (holds cycle.toml and forces.csv); without it, the built-in 2025-26
    /// scheme.
    #[arg(long, value_name = "DIR")]
    pub cycle: Option<PathBuf>,

    /// The force the return is for, by id (for example north-wales).
    #[arg(long, value_name = "ID")]
    pub force: String,

    /// The financial return's quarter (Q1..Q4), pre-filled on its About sheet; without it the
    /// force fills the quarter in.
    #[arg(long, value_name = "Qn", conflicts_with = "month", value_parser = quarter)]
    pub quarter: Option<Quarter>,

    /// The monitoring return's `Months to` (YYYY-MM), pre-filled on its About sheet; without
    /// it the force fills the month in.
    #[arg(long, value_name = "YYYY-MM", value_parser = month)]
    pub month: Option<Month>,

    /// Monitoring only: last month's monitoring return of the same force and year; the
    /// months it reports are pre-filled (and left unlocked, to correct), and `Months to`
    /// defaults to the month after its own.
    #[arg(long, value_name = "FILE")]
    pub from: Option<PathBuf>,

    /// Where to write the workbook (.xlsx).
    #[arg(short = 'o', long = "output", value_name = "FILE")]
    pub output: PathBuf,

    /// Replace the output file if it exists.
    #[arg(long)]
    pub overwrite: bool,
}

/// The step allocations are rounded to, as the command line spells it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum UnitArg {
    /// Whole pounds, as allocations are published.
    Pound,
    /// Pence.
    Penny,
}

impl From<UnitArg> for AllocationUnit {
    fn from(unit: UnitArg) -> AllocationUnit {
        match unit {
            UnitArg::Pound => AllocationUnit::Pound,
            UnitArg::Penny => AllocationUnit::Penny,
        }
    }
}

// The parsers below turn flag text into domain values, so each command receives values.
// clap prints their message after "invalid value '<text>' for '<flag>': ".

/// `Q2` or `Q1-Q4`.
fn quarter_range(text: &str) -> Result<QuarterRange, String> {
    text.parse()
        .map_err(|e: npg::domain::quarters::QuarterRangeError| e.to_string())
}

/// `Q1`..`Q4`.
fn quarter(text: &str) -> Result<Quarter, String> {
    text.parse()
        .map_err(|_| "not a quarter: use Q1, Q2, Q3 or Q4".to_owned())
}

/// `YYYY-MM`.
fn month(text: &str) -> Result<Month, String> {
    text.trim()
        .parse()
        .map_err(|_| "not a month: write it YYYY-MM, such as 2025-09".to_owned())
}

/// A pot: an exact amount in pounds above zero, never rounded (at most 2 decimal places).
fn pot(text: &str) -> Result<Money, String> {
    let pot: Money = text.parse().map_err(|e: ParseNumberError| {
        match e {
            ParseNumberError::TooManyPlaces { .. } => {
                "more than 2 decimal places; give pounds and pence"
            }
            ParseNumberError::OutOfRange => "out of any real range (at most 1000000000000.00)",
            _ => "not an amount; write it in pounds with digits only, for example 200000000.00",
        }
        .to_owned()
    })?;
    if pot.is_negative() || pot.is_zero() {
        return Err("not a positive amount; give a pot above 0.00".to_owned());
    }
    Ok(pot)
}
