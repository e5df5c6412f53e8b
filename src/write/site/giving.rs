//! The year's grants in the 360Giving Data Standard (1.4.3): one grant per force, one
//! disbursement per quarterly payment, as JSON and as the standard's flat CSV.
