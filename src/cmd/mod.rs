//! One module per subcommand, each thin: build the configuration, call the library, print.

mod allocate;
mod audit;
mod pay;
mod progress;
mod publish;
mod reconcile;
mod template;
mod validate;
mod whatif;

use npg::exit::Exit;
use npg::pay::inputs::CycleInputError;

use crate::cli::Command;

/// Runs one command. `Err` means the command could not run (exit 2); commands that report
/// findings return exit code 1 themselves.
pub fn run(command: Command) -> anyhow::Result<Exit> {
    match command {
        Command::Template(args) => template::run(args),
        Command::Validate(args) => validate::run(args),
        Command::Allocate(args) => allocate::run(args),
        Command::Pay(args) => pay::run(args),
        Command::Reconcile(args) => reconcile::run(args),
        Command::Whatif(args) => whatif::run(args),
        Command::Publish(args) => publish::run(args),
        Command::Audit(crate::cli::AuditCommand::Verify(args)) => audit::verify(args),
    }
}

/// A cycle whose own files are in error (`pay`, `reconcile`): its findings on stdout, then
/// what is wrong and that nothing was written; exit 1.
fn cycle_in_error(err: &CycleInputError) -> Exit {
    for finding in err.findings() {
        say!("{finding}");
    }
    tell!("npg: {err}");
    tell!("npg: nothing was written");
    Exit::Findings
}
