//! npg: the Neighbourhood Policing Grant batch processor, as a library behind the `npg` binary.

pub mod audit;
pub mod cycle;
pub mod domain;
pub mod exit;
pub mod findings;
pub mod fixture_year;
pub mod layout;
pub mod ops;
pub mod pay;
pub mod read;
pub mod rules;
pub mod text;
pub mod write;
