//! The quarterly payment run: selection at the cut-off, payments, exceptions, and its records.

pub mod ledger;
pub mod run;
