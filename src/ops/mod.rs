//! Orchestration, as cargo's `ops`: each command's work from the cycle folder to the files it
//! leaves (read the cycle, work out the quarters, build the files, stage and commit them),
//! used alike by the binary's commands and by `audit verify`'s re-run.

pub mod pay;
pub mod place;
pub mod publish;
pub mod reconcile;
pub mod replace;
pub mod runs;
pub mod whatif;
