//! The site's charts as inline SVG, drawn through askama templates with fixed geometry, so
//! the bytes never depend on the machine's fonts.
