//! The checks of rules §9 on values read from the returns and tables: each takes domain
//! values with the cells they came from ([`crate::findings::CellRef`]) and gives findings.
//! Whether a cell holds a number at all is the reader's business; what the number may be
//! is decided here.

use crate::findings::CellRef;

pub mod about;
pub mod cells;
pub mod cycle;
pub mod financial;
pub mod monitoring;
pub mod months;
pub mod plan;
pub mod tables;

/// A figure as read, with its cell: its value when it could be read, and whether the cell
/// is blank (a cell that is not blank but gave no value already has its finding).
#[derive(Clone, Copy, Debug)]
pub struct Figure<'a, T> {
    pub at: CellRef<'a>,
    pub value: Option<T>,
    pub blank: bool,
}
