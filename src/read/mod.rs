//! Adapters that read spreadsheets (calamine) into domain values, every value keeping its
//! file, sheet and cell so that findings can name them.

pub mod cell;
pub mod file;
pub mod grid;
pub mod open;
pub mod returns;
pub mod table;
pub mod tables;
