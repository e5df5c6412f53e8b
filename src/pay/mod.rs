//! The quarterly payment run: selection at the cut-off, payments, exceptions, and its records.

pub mod fingerprint;
pub mod folder;
pub mod inputs;
pub mod ledger;
pub mod manifest;
pub mod payments;
pub mod prior;
pub mod publish;
pub mod quarters;
pub mod run;
pub mod whatif;
