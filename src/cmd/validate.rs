//! `npg validate`: checks returns on their own or against a cycle, printing every finding.

use std::process::ExitCode;

use crate::cli::ValidateArgs;

pub fn run(_args: ValidateArgs) -> anyhow::Result<ExitCode> {
    anyhow::bail!("npg validate is not built yet")
}
