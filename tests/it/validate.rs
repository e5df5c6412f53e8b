//! `npg validate`: every finding code on its fixture, bad inputs, JSON, exit codes.
