//! Largest-remainder allocation of the pot to forces, to the unit (rules §4).
