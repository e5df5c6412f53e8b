//! The integration suite: drives the real `npg` binary on fixtures, one module per command.

mod allocate;
mod audit;
mod browser;
mod common;
mod faults;
mod findings_set;
mod fingerprint;
mod fixture_year;
mod giving;
mod help;
mod layers;
mod pay;
mod pay_run;
mod print;
mod publish;
mod reliability;
mod template;
mod validate;
mod whatif;
mod worked_examples;
