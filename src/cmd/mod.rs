//! One module per subcommand, each thin: build the configuration, call the library, print.

mod allocate;
mod audit;
mod pay;
mod progress;
mod reconcile;
mod template;
mod validate;

use npg::exit::Exit;

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
        Command::Audit(crate::cli::AuditCommand::Verify(args)) => audit::verify(args),
    }
}
