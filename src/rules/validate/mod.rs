//! The checks of rules §9 on values read from the returns and tables: each takes domain
//! values with the cells they came from ([`crate::findings::CellRef`]) and gives findings.
//! Whether a cell holds a number at all is the reader's business; what the number may be
//! is decided here.

pub mod about;
pub mod cells;
pub mod cycle;
pub mod financial;
pub mod monitoring;
pub mod months;
pub mod plan;
pub mod tables;
