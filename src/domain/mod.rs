//! Plain domain values a finance person would name: money, FTE, periods, forces. No I/O.

pub mod category;
pub mod force;
pub mod money;
pub mod number;
pub mod period;
pub mod quarters;
pub mod ratio;
pub mod returns;
pub mod workforce;

pub use force::{Force, ForceId, ForceList};
pub use money::Money;
pub use number::ParseNumberError;
pub use period::{FinancialYear, Month, Quarter};
pub use quarters::QuarterRange;
pub use ratio::{PayFraction, Progress, Ratio};
pub use workforce::{Fte, Headcount};
