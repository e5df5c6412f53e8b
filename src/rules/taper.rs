//! The taper: the fraction of profiled actuals paid for a given progress (rules §5).
