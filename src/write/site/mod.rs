//! The site `npg publish` writes, built in memory: its pages, charts, open data and the
//! 360Giving file, each as a path inside the site folder and its bytes.

pub mod chart;
pub mod giving;
pub mod pages;
pub mod tables;
pub mod words;
