//! `npg allocate`: splits the pot into force allocations by weight (rules §4).

use std::process::ExitCode;

use crate::cli::AllocateArgs;

pub fn run(_args: AllocateArgs) -> anyhow::Result<ExitCode> {
    anyhow::bail!("npg allocate is not built yet")
}
