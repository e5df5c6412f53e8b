//! The command line: clap definitions of every `npg` subcommand and its flags.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

/// npg: the Neighbourhood Policing Grant batch processor.
///
/// Exit codes: 0 success; 1 the inputs have errors (findings were reported); 2 the command
/// could not run (usage, a path that does not exist, an internal error).
#[derive(Debug, Parser)]
#[command(name = "npg", version, about, long_about = None)]
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
    Template(TemplateArgs),
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

    /// The cycle folder (holds cycle.toml and forces.csv).
    #[arg(long, value_name = "DIR")]
    pub cycle: PathBuf,

    /// The force the return is for, by id (for example north-wales).
    #[arg(long, value_name = "ID")]
    pub force: String,

    /// The financial return's quarter (Q1..Q4), pre-filled on its About sheet.
    #[arg(long, value_name = "Qn", conflicts_with = "month")]
    pub quarter: Option<String>,

    /// The monitoring return's `Months to` (YYYY-MM), pre-filled on its About sheet.
    #[arg(long, value_name = "YYYY-MM")]
    pub month: Option<String>,

    /// Where to write the workbook (.xlsx).
    #[arg(short = 'o', long = "output", value_name = "FILE")]
    pub output: PathBuf,

    /// Replace the output file if it exists.
    #[arg(long)]
    pub overwrite: bool,
}
