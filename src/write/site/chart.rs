//! The site's charts as inline SVG, drawn through askama templates with fixed geometry, so
//! the bytes never depend on the machine's fonts.
//!
//! Nothing here measures text: a label's width is estimated from its number of characters
//! (`CHAR_W` per character at the chart's font size, generous enough for DejaVu Sans, the
//! widest common fallback for Arial), and every coordinate is a `Decimal` printed to at most
//! one decimal place, so the same figures give the same bytes on any machine. The figures
//! themselves are in the table the page puts beside each chart; the chart is the picture.

use askama::Template;
use rust_decimal::prelude::*;
use thiserror::Error;

use crate::rules::taper::Rag;

mod axis;
pub use axis::{Axis, nice_axis, nice_whole_axis};

/// The near-black of GOV.UK text (#0b0c0c): 19.8:1 on white.
pub const TEXT_COLOUR: &str = "#0b0c0c";
/// Gridlines: the lightest grey that still passes 3:1 on white (WCAG 1.4.11), so a reader
/// can follow a line to its tick label; GOV.UK's mid grey (#b1b4b6) is only 2.1:1.
pub const GRID_COLOUR: &str = "#8b8b8b";
/// The page's white, as a halo round each bar's value so the reference line crossing it
/// never runs through the text (the halo is background, not a colour to read).
pub const HALO_COLOUR: &str = "#ffffff";
/// RAG bar fills. Amber is a darker orange than GOV.UK's #f47738 (2.5:1 on white), which
/// would fail 3:1; the RAG word is printed beside every bar as well, so colour is never alone.
pub const GREEN_FILL: &str = "#00703c";
pub const AMBER_FILL: &str = "#a85200";
pub const RED_FILL: &str = "#d4351c";
/// Series colours, the n-th planned series and the n-th actual series sharing the n-th
/// colour, so "Officers (planned)" and "Officers (actual)" match when given in that order.
/// Each also has its own marker shape and dash pattern, so no series is told by colour alone.
pub const SERIES_COLOURS: [&str; 4] = ["#1d70b8", "#912b88", "#0b0c0c", "#00625e"];
const DASHES: [&str; 4] = ["8 5", "3 4", "12 4 3 4", "6 3"];

/// Whether a series is the plan (a dashed line, no markers) or what happened (a solid line
/// with a marker at each reported month).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SeriesKind {
    Planned,
    Actual,
}

/// One line: a value per x label; `None` is a month not reported, drawn as a gap in the
/// line, never as a zero.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Series {
    pub name: String,
    pub kind: SeriesKind,
    pub values: Vec<Option<Decimal>>,
}

/// A line chart, such as planned and actual uplift by month. `id` must be unique on the
/// page and a valid HTML id (no spaces): the SVG's `<title>` and `<desc>` take
/// `<id>-title` and `<id>-desc`. Give short x labels ("Apr", "May", …); a label may have a
/// second line after a `\n`, for the year under April and January ("Apr\n2025"). Labels too
/// wide for their month are thinned to every other one rather than overlap.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LineChart {
    pub id: String,
    pub title: String,
    pub description: String,
    pub x_labels: Vec<String>,
    pub y_title: String,
    pub series: Vec<Series>,
}

/// One bar of a ranked chart: its value (progress in percent, say 103.15), the value as the
/// page shows it ("103.2%") and its RAG, whose word is printed after the value.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Bar {
    pub label: String,
    pub value: Decimal,
    pub value_text: String,
    pub rag: Rag,
}

/// A horizontal bar chart, one row per bar in the order given, with an optional vertical
/// reference line (for example at 100, "Plan").
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BarChart {
    pub id: String,
    pub title: String,
    pub description: String,
    pub x_title: String,
    pub bars: Vec<Bar>,
    pub reference: Option<(Decimal, String)>,
}

/// Why a chart cannot be drawn: a mistake in what the page asked for, not in the figures.
#[derive(Clone, Debug, PartialEq, Eq, Error)]
pub enum ChartError {
    #[error("chart id {0:?} is not an HTML id; give a non-empty id without spaces")]
    BadId(String),
    #[error(
        "series {series:?} has {values} values for {labels} x labels; give one value (or None) \
         per label"
    )]
    ValuesPerLabel {
        series: String,
        values: usize,
        labels: usize,
    },
}

/// Font size of every chart's text, in SVG units.
pub(crate) const FONT: i64 = 16;
/// Estimated width of one character at `FONT` (0.5625 em); generous for Arial, close for
/// DejaVu Sans.
const CHAR_W: Decimal = Decimal::from_parts(9, 0, 0, false, 0);
/// Height of one line of text.
const LINE_H: i64 = 22;
/// Least space between two labels side by side.
const LABEL_GAP: i64 = 8;
const PAD: i64 = 8;

fn d(n: i64) -> Decimal {
    Decimal::from(n)
}

/// A coordinate as printed: at most one decimal place, no trailing zero, never "-0".
fn coord(v: Decimal) -> String {
    let r = v
        .round_dp_with_strategy(1, RoundingStrategy::MidpointAwayFromZero)
        .normalize();
    if r.is_zero() {
        "0".to_string()
    } else {
        r.to_string()
    }
}

/// A label's estimated width from its number of characters (never measured); of its
/// longest line, for an x label of two.
fn text_width(text: &str) -> Decimal {
    let chars = text
        .split('\n')
        .map(|l| l.chars().count())
        .max()
        .unwrap_or(0);
    d(chars as i64) * CHAR_W
}

/// A number with thousands separators: 12500 as "12,500", -0.25 as "-0.25".
pub fn group_thousands(v: Decimal) -> String {
    let v = v.normalize();
    let text = v.abs().to_string();
    let (whole, frac) = match text.split_once('.') {
        Some((w, f)) => (w, Some(f)),
        None => (text.as_str(), None),
    };
    // npg's one digit grouping (text::thousands), with the sign and any decimals kept.
    let sign = if v.is_sign_negative() && !v.is_zero() {
        "-"
    } else {
        ""
    };
    match frac {
        Some(f) => format!("{sign}{}.{f}", crate::text::thousands(whole)),
        None => format!("{sign}{}", crate::text::thousands(whole)),
    }
}

/// Every k-th label, with the smallest k for which no two shown labels (centred `spacing`
/// apart, one after another) come closer than `LABEL_GAP`.
fn label_stride(spacing: Decimal, labels: &[String]) -> usize {
    let mut k = 1;
    while k < labels.len() {
        let fits = labels
            .iter()
            .step_by(k)
            .collect::<Vec<_>>()
            .windows(2)
            .all(|w| {
                spacing * d(k as i64) >= (text_width(w[0]) + text_width(w[1])) / d(2) + d(LABEL_GAP)
            });
        if fits {
            break;
        }
        k += 1;
    }
    k
}

/// A text split into lines of at most `width` (by the character estimate), at spaces.
fn wrap(text: &str, width: Decimal) -> Vec<String> {
    let most = (width / CHAR_W).floor().to_usize().unwrap_or(1).max(1);
    let mut lines: Vec<String> = Vec::new();
    for word in text.split_whitespace() {
        match lines.last_mut() {
            Some(line) if line.chars().count() + 1 + word.chars().count() <= most => {
                line.push(' ');
                line.push_str(word);
            }
            _ => lines.push(word.to_string()),
        }
    }
    lines
}

fn check_id(id: &str) -> Result<(), askama::Error> {
    if id.is_empty() || id.chars().any(char::is_whitespace) {
        return Err(askama::Error::custom(ChartError::BadId(id.to_string())));
    }
    Ok(())
}

/// A text placed in the SVG.
#[derive(Clone, Debug, PartialEq, Eq)]
struct Label {
    x: String,
    y: String,
    text: String,
}

/// A horizontal gridline with its tick label.
struct Tick {
    y: String,
    label: Label,
}

/// The marker of an actual series' point, as a path (circle, square, diamond, triangle).
struct Marker {
    d: String,
    colour: &'static str,
}

fn marker(shape: usize, x: Decimal, y: Decimal) -> Marker {
    let path = match shape % 4 {
        0 => format!(
            "M{} {}a5 5 0 1 0 10 0a5 5 0 1 0 -10 0Z",
            coord(x - d(5)),
            coord(y)
        ),
        1 => format!(
            "M{} {}h9v9h-9Z",
            coord(x - Decimal::new(45, 1)),
            coord(y - Decimal::new(45, 1))
        ),
        2 => format!("M{} {}l6 6l-6 6l-6 -6Z", coord(x), coord(y - d(6))),
        _ => format!("M{} {}l6 10h-12Z", coord(x), coord(y - d(6))),
    };
    Marker {
        d: path,
        colour: SERIES_COLOURS[shape % SERIES_COLOURS.len()],
    }
}

/// One unbroken run of a series' line.
struct Line {
    points: String,
    colour: &'static str,
    dash: &'static str,
}

/// A legend entry: a sample of the line (and marker) and the series' name.
struct LegendItem {
    x1: String,
    x2: String,
    y: String,
    colour: &'static str,
    dash: &'static str,
    marker: Option<Marker>,
    name: Label,
}

#[derive(Template)]
#[template(path = "line_chart.svg", escape = "html")]
struct LineSvg<'a> {
    id: &'a str,
    title: &'a str,
    description: &'a str,
    width: String,
    height: String,
    y_title: Vec<Label>,
    legend: Vec<LegendItem>,
    plot_left: String,
    plot_right: String,
    ticks: Vec<Tick>,
    zero_y: String,
    x_labels: Vec<Label>,
    lines: Vec<Line>,
    markers: Vec<Marker>,
}

const LINE_W: i64 = 600;
const LINE_PLOT_H: i64 = 280;
const LEGEND_SAMPLE: i64 = 36;

/// The SVG of a line chart, for inline use in a page (the same figures go in a table beside it).
/// A title wrapped to `width`, a line under the other from `y` down (which it moves on).
fn title_lines(title: &str, width: Decimal, y: &mut Decimal) -> Vec<Label> {
    wrap(title, width)
        .into_iter()
        .map(|text| {
            *y += d(LINE_H);
            Label {
                x: "0".into(),
                y: coord(*y - d(6)),
                text,
            }
        })
        .collect()
}

pub fn line_chart_svg(chart: &LineChart) -> Result<String, askama::Error> {
    check_id(&chart.id)?;
    let labels = chart.x_labels.len();
    for s in &chart.series {
        if s.values.len() != labels {
            return Err(askama::Error::custom(ChartError::ValuesPerLabel {
                series: s.name.clone(),
                values: s.values.len(),
                labels,
            }));
        }
    }
    let values = chart.series.iter().flat_map(|s| s.values.iter().flatten());
    let lo = values.clone().copied().min().unwrap_or_default();
    let hi = values.clone().copied().max().unwrap_or_default();
    let axis = if values.clone().all(|v| v.fract().is_zero()) {
        nice_whole_axis(lo, hi)
    } else {
        nice_axis(lo, hi)
    };
    let width = d(LINE_W);

    // The y title above the plot, wrapped to the chart's width.
    let mut y = d(0);
    let y_title = title_lines(&chart.y_title, width, &mut y);

    // The legend: one entry per series, wrapping to a new row when the width is used up.
    let mut legend = Vec::new();
    let mut x = d(0);
    let mut kind_index = [0usize; 2];
    let mut styles = Vec::new();
    y += d(LINE_H) + d(4);
    for s in &chart.series {
        let k = match s.kind {
            SeriesKind::Planned => 0,
            SeriesKind::Actual => 1,
        };
        let n = kind_index[k];
        kind_index[k] += 1;
        let colour = SERIES_COLOURS[n % SERIES_COLOURS.len()];
        let dash = match s.kind {
            SeriesKind::Planned => DASHES[n % DASHES.len()],
            SeriesKind::Actual => "",
        };
        styles.push((colour, dash, n));
        let item_w = d(LEGEND_SAMPLE) + d(PAD) + text_width(&s.name);
        if x > Decimal::ZERO && x + item_w > width {
            x = d(0);
            y += d(LINE_H);
        }
        let mid = y - d(6);
        legend.push(LegendItem {
            x1: coord(x),
            x2: coord(x + d(LEGEND_SAMPLE)),
            y: coord(mid),
            colour,
            dash,
            marker: (s.kind == SeriesKind::Actual)
                .then(|| marker(n, x + d(LEGEND_SAMPLE) / d(2), mid)),
            name: Label {
                x: coord(x + d(LEGEND_SAMPLE) + d(PAD)),
                y: coord(y),
                text: s.name.clone(),
            },
        });
        x += item_w + d(3 * PAD);
    }

    // The plot: the left margin holds the widest tick label, the right margin half the
    // last x label, so nothing runs off the chart.
    let tick_values = axis.ticks();
    let tick_texts: Vec<String> = tick_values.iter().map(|t| group_thousands(*t)).collect();
    let widest_tick = tick_texts
        .iter()
        .map(|t| text_width(t))
        .max()
        .unwrap_or_default();
    let first_half = chart
        .x_labels
        .first()
        .map_or(d(0), |l| text_width(l) / d(2));
    let last_half = chart.x_labels.last().map_or(d(0), |l| text_width(l) / d(2));
    let plot_left = (widest_tick + d(2 * PAD)).max(first_half);
    let plot_right = width - last_half.max(d(2 * PAD));
    let plot_top = y + d(LINE_H);
    let plot_bottom = plot_top + d(LINE_PLOT_H);
    let y_of = |v: Decimal| plot_bottom - (v - axis.min) * d(LINE_PLOT_H) / (axis.max - axis.min);
    let band = (plot_right - plot_left) / d(labels.max(1) as i64);
    let x_of = |i: usize| plot_left + band * (d(i as i64) + Decimal::new(5, 1));

    let ticks = tick_values
        .iter()
        .zip(tick_texts)
        .map(|(t, text)| Tick {
            y: coord(y_of(*t)),
            label: Label {
                x: coord(plot_left - d(PAD)),
                y: coord(y_of(*t) + d(5)),
                text,
            },
        })
        .collect();

    let stride = label_stride(band, &chart.x_labels);
    let x_labels = chart
        .x_labels
        .iter()
        .enumerate()
        .step_by(stride)
        .flat_map(|(i, text)| {
            text.split('\n').enumerate().map(move |(line, text)| Label {
                x: coord(x_of(i)),
                y: coord(plot_bottom + d(LINE_H) * d(line as i64 + 1)),
                text: text.to_string(),
            })
        })
        .collect();
    let label_lines = chart
        .x_labels
        .iter()
        .map(|l| l.split('\n').count())
        .max()
        .unwrap_or(1);

    // Each series as unbroken runs between missing months; a planned month standing alone
    // between gaps gets a marker, since a run of one point draws no line.
    let mut lines = Vec::new();
    let mut markers = Vec::new();
    for (s, (colour, dash, n)) in chart.series.iter().zip(styles) {
        let mut run: Vec<(Decimal, Decimal)> = Vec::new();
        let mut flush = |run: &mut Vec<(Decimal, Decimal)>, markers: &mut Vec<Marker>| {
            if run.len() == 1 && s.kind == SeriesKind::Planned {
                markers.push(marker(n, run[0].0, run[0].1));
            }
            if run.len() > 1 {
                let points = run
                    .iter()
                    .map(|(x, y)| format!("{},{}", coord(*x), coord(*y)))
                    .collect::<Vec<_>>()
                    .join(" ");
                lines.push(Line {
                    points,
                    colour,
                    dash,
                });
            }
            run.clear();
        };
        for (i, v) in s.values.iter().enumerate() {
            match v {
                Some(v) => {
                    run.push((x_of(i), y_of(*v)));
                    if s.kind == SeriesKind::Actual {
                        markers.push(marker(n, x_of(i), y_of(*v)));
                    }
                }
                None => flush(&mut run, &mut markers),
            }
        }
        flush(&mut run, &mut markers);
    }

    LineSvg {
        id: &chart.id,
        title: &chart.title,
        description: &chart.description,
        width: coord(width),
        height: coord(plot_bottom + d(LINE_H) * d(label_lines as i64) + d(PAD)),
        y_title,
        legend,
        plot_left: coord(plot_left),
        plot_right: coord(plot_right),
        ticks,
        zero_y: coord(y_of(Decimal::ZERO)),
        x_labels,
        lines,
        markers,
    }
    .render()
}

/// A drawn bar with its label and value.
struct BarRow {
    x: String,
    y: String,
    width: String,
    height: String,
    fill: &'static str,
    /// The force's name where it fits one line (its text), else where its first line goes
    /// and `name_lines` each line.
    name: Label,
    name_lines: Vec<Label>,
    value: Label,
}

/// A vertical gridline with its tick labels above and below the bars.
struct XTick {
    x: String,
    top: Option<Label>,
    bottom: Option<Label>,
}

struct Reference {
    x: String,
    label: Label,
}

#[derive(Template)]
#[template(path = "bar_chart.svg", escape = "html")]
struct BarSvg<'a> {
    id: &'a str,
    title: &'a str,
    description: &'a str,
    width: String,
    height: String,
    x_title: Vec<Label>,
    ticks: Vec<XTick>,
    grid_top: String,
    grid_bottom: String,
    zero_x: String,
    bars: Vec<BarRow>,
    reference: Option<Reference>,
}

const BAR_PLOT_W: i64 = 260;
const ROW_H: i64 = 26;
const BAR_H: i64 = 18;
/// A bar's name wraps after this many characters (at spaces), so the longest force name
/// ("Hampshire and Isle of Wight Constabulary") takes two lines rather than making the chart
/// so wide that its text shrinks to a small print on a phone.
const NAME_CHARS: i64 = 24;
/// The distance between the lines of a wrapped name.
const NAME_LINE_H: i64 = 18;

/// The RAG word printed after a bar's value, capitalised as a label.
fn rag_word(rag: Rag) -> &'static str {
    match rag {
        Rag::Green => "Green",
        Rag::Amber => "Amber",
        Rag::Red => "Red",
    }
}

fn rag_fill(rag: Rag) -> &'static str {
    match rag {
        Rag::Green => GREEN_FILL,
        Rag::Amber => AMBER_FILL,
        Rag::Red => RED_FILL,
    }
}

/// The SVG of a horizontal bar chart, one row a bar, for inline use in a page.
pub fn bar_chart_svg(chart: &BarChart) -> Result<String, askama::Error> {
    check_id(&chart.id)?;
    let values = chart
        .bars
        .iter()
        .map(|b| b.value)
        .chain(chart.reference.as_ref().map(|r| r.0));
    let axis = nice_axis(
        values.clone().min().unwrap_or_default(),
        values.max().unwrap_or_default(),
    );
    let value_texts: Vec<String> = chart
        .bars
        .iter()
        .map(|b| format!("{} {}", b.value_text, rag_word(b.rag)))
        .collect();
    // The label column fits the longest line of a name; the value column the longest value
    // label. A name of more than one line makes its row taller by a line each.
    let names: Vec<Vec<String>> = chart
        .bars
        .iter()
        .map(|b| wrap(&b.label, d(NAME_CHARS) * CHAR_W))
        .collect();
    let row_h = |lines: &Vec<String>| d(ROW_H) + d(NAME_LINE_H) * d(lines.len().max(1) as i64 - 1);
    let label_col = names
        .iter()
        .flatten()
        .map(|line| text_width(line))
        .max()
        .unwrap_or_default()
        + d(2 * PAD);
    let value_col = value_texts
        .iter()
        .map(|t| text_width(t))
        .max()
        .unwrap_or_default()
        + d(2 * PAD);
    let plot_left = label_col;
    let plot_right = plot_left + d(BAR_PLOT_W);
    let width = plot_right + value_col;
    let x_of = |v: Decimal| plot_left + (v - axis.min) * d(BAR_PLOT_W) / (axis.max - axis.min);
    let zero_x = x_of(Decimal::ZERO);

    let mut y = d(0);
    let x_title = title_lines(&chart.x_title, width, &mut y);
    let reference = chart.reference.as_ref().map(|(v, text)| {
        y += d(LINE_H);
        let half = text_width(text) / d(2);
        let at = x_of(*v);
        Reference {
            x: coord(at),
            label: Label {
                x: coord(at.max(half).min(width - half)),
                y: coord(y - d(4)),
                text: text.clone(),
            },
        }
    });
    let top_labels = y + d(LINE_H);
    let grid_top = top_labels + d(PAD);
    let bars_top = grid_top + d(PAD);
    let bars_bottom = bars_top + names.iter().map(row_h).sum::<Decimal>();
    let grid_bottom = bars_bottom + d(PAD);
    let bottom_labels = grid_bottom + d(LINE_H) - d(4);

    let tick_values = axis.ticks();
    let tick_texts: Vec<String> = tick_values.iter().map(|t| group_thousands(*t)).collect();
    let spacing = d(BAR_PLOT_W) / axis.intervals().max(Decimal::ONE);
    let stride = label_stride(spacing, &tick_texts);
    let ticks = tick_values
        .iter()
        .zip(tick_texts)
        .enumerate()
        .map(|(i, (t, text))| {
            let x = coord(x_of(*t));
            let shown = i % stride == 0;
            let at = |y: Decimal| Label {
                x: x.clone(),
                y: coord(y),
                text: text.clone(),
            };
            XTick {
                x: x.clone(),
                top: shown.then(|| at(top_labels)),
                bottom: shown.then(|| at(bottom_labels)),
            }
        })
        .collect();

    let mut row_top = bars_top;
    let bars = chart
        .bars
        .iter()
        .zip(value_texts)
        .zip(&names)
        .map(|((b, value_text), lines)| {
            let height = row_h(lines);
            let middle = row_top + height / d(2);
            row_top += height;
            let end = x_of(b.value);
            let baseline = middle + d(5);
            // A wrapped name's lines sit evenly about the middle of its bar.
            let first = baseline - d(NAME_LINE_H) * d(lines.len().max(1) as i64 - 1) / d(2);
            let name_x = coord(label_col - d(PAD));
            let name_lines = if lines.len() > 1 {
                lines
                    .iter()
                    .enumerate()
                    .map(|(i, text)| Label {
                        x: name_x.clone(),
                        y: coord(first + d(NAME_LINE_H) * d(i as i64)),
                        text: text.clone(),
                    })
                    .collect()
            } else {
                Vec::new()
            };
            BarRow {
                x: coord(end.min(zero_x)),
                y: coord(middle - d(BAR_H) / d(2)),
                width: coord((end - zero_x).abs()),
                height: coord(d(BAR_H)),
                fill: rag_fill(b.rag),
                name: Label {
                    x: name_x,
                    y: coord(first),
                    text: b.label.clone(),
                },
                name_lines,
                // After the bar's end; a bar going left (negative) has its value right of
                // zero, clear of the names.
                value: Label {
                    x: coord(end.max(zero_x) + d(PAD) / d(2)),
                    y: coord(baseline),
                    text: value_text,
                },
            }
        })
        .collect();

    BarSvg {
        id: &chart.id,
        title: &chart.title,
        description: &chart.description,
        width: coord(width),
        height: coord(bottom_labels + d(PAD)),
        x_title,
        ticks,
        grid_top: coord(grid_top),
        grid_bottom: coord(grid_bottom),
        zero_x: coord(zero_x),
        bars,
        reference,
    }
    .render()
}

#[cfg(test)]
mod tests {
    use super::*;
    use rust_decimal_macros::dec;
    use std::collections::BTreeMap;

    /// Each `<tag …>` element's attributes and the text up to its closing tag, in order.
    fn elements(svg: &str, tag: &str) -> Vec<(BTreeMap<String, String>, String)> {
        let open = format!("<{tag} ");
        let mut out = Vec::new();
        let mut rest = svg;
        while let Some(at) = rest.find(&open) {
            rest = &rest[at + open.len()..];
            let end = rest.find('>').unwrap();
            let head = rest[..end].trim_end_matches('/');
            let mut attrs = BTreeMap::new();
            for part in head.split("\" ").map(str::trim) {
                if let Some((k, v)) = part.split_once("=\"") {
                    attrs.insert(k.to_string(), v.trim_end_matches('"').to_string());
                }
            }
            let body = rest[end + 1..]
                .split(&format!("</{tag}>"))
                .next()
                .unwrap()
                .to_string();
            out.push((attrs, body));
        }
        out
    }

    fn num(s: &str) -> Decimal {
        s.parse().unwrap()
    }

    fn months() -> Vec<String> {
        [
            "Apr\n2025",
            "May",
            "Jun",
            "Jul",
            "Aug",
            "Sep",
            "Oct",
            "Nov",
            "Dec",
            "Jan\n2026",
            "Feb",
            "Mar",
        ]
        .map(String::from)
        .to_vec()
    }

    /// The national uplift: planned rising to 2,972 by March, actual reported to December.
    pub(super) fn uplift_chart() -> LineChart {
        let planned = (1..=12).map(|m| Some(d(2972) * d(m) / d(12))).collect();
        let actual = (1..=12)
            .map(|m| (m <= 9).then(|| d(310) * d(m) - d(45)))
            .collect();
        LineChart {
            id: "uplift".into(),
            title: "National uplift by month, 2025-26".into(),
            description: "Planned uplift rises to 2,972 FTE by March 2026; actual uplift \
                          reported to December 2025 is 2,745 FTE."
                .into(),
            x_labels: months(),
            y_title: "Uplift in FTE over the baseline".into(),
            series: vec![
                Series {
                    name: "Planned uplift".into(),
                    kind: SeriesKind::Planned,
                    values: planned,
                },
                Series {
                    name: "Actual uplift".into(),
                    kind: SeriesKind::Actual,
                    values: actual,
                },
            ],
        }
    }

    /// 43 forces, the longest name 40 characters, progress from -8% to 130%.
    pub(super) fn progress_chart() -> BarChart {
        let bars = (0..43)
            .map(|i| {
                let value = d(130) - Decimal::new(3275, 3) * d(i);
                let rag = if value >= d(100) {
                    Rag::Green
                } else if value >= d(60) {
                    Rag::Amber
                } else {
                    Rag::Red
                };
                let label = match i {
                    0 => "Hampshire and Isle of Wight Constabulary".to_string(),
                    1 => "Avon & Somerset Constabulary".to_string(),
                    _ => format!("Force number {i}"),
                };
                Bar {
                    label,
                    value,
                    value_text: format!("{}%", value.round_dp(1)),
                    rag,
                }
            })
            .collect();
        BarChart {
            id: "progress".into(),
            title: "Progress against plan by force".into(),
            description: "Forces ranked by progress against their planned uplift to date.".into(),
            x_title: "Progress: actual uplift as a percentage of planned uplift to date".into(),
            bars,
            reference: Some((d(100), "Plan (100%)".into())),
        }
    }

    #[test]
    fn the_title_and_description_come_first_with_their_ids() {
        for svg in [
            line_chart_svg(&uplift_chart()).unwrap(),
            bar_chart_svg(&progress_chart()).unwrap(),
        ] {
            let id = if svg.contains("uplift-title") {
                "uplift"
            } else {
                "progress"
            };
            let mut lines = svg.lines();
            let root = lines.next().unwrap();
            assert!(root.starts_with("<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 "));
            assert!(root.contains(" width=\"100%\" role=\"img\""), "{root}");
            assert!(root.contains(&format!("aria-labelledby=\"{id}-title {id}-desc\"")));
            assert!(
                !root.contains("height=\""),
                "scaled by its viewBox alone: {root}"
            );
            assert!(
                lines
                    .next()
                    .unwrap()
                    .starts_with(&format!("<title id=\"{id}-title\">"))
            );
            assert!(
                lines
                    .next()
                    .unwrap()
                    .starts_with(&format!("<desc id=\"{id}-desc\">"))
            );
            assert!(svg.ends_with("</svg>"));
            for banned in ["<script", "<style", "href", "url(", "@import", "<image"] {
                assert!(!svg.contains(banned), "{banned}");
            }
        }
    }

    #[test]
    fn a_month_not_reported_is_a_gap_not_a_zero() {
        let mut chart = uplift_chart();
        chart.series[1].values = vec![
            Some(d(100)),
            Some(d(200)),
            None,
            Some(d(400)),
            Some(d(500)),
            None,
            None,
            None,
            None,
            None,
            None,
            None,
        ];
        chart.series.remove(0);
        let svg = line_chart_svg(&chart).unwrap();
        let lines = elements(&svg, "polyline");
        assert_eq!(lines.len(), 2, "two runs either side of the gap");
        let runs: Vec<Vec<&str>> = lines
            .iter()
            .map(|(a, _)| a["points"].split(' ').collect())
            .collect();
        assert_eq!((runs[0].len(), runs[1].len()), (2, 2));
        // The third month's x appears in no point and no marker.
        let x_of = |p: &str| num(p.split(',').next().unwrap());
        let (x0, x1) = (x_of(runs[0][0]), x_of(runs[0][1]));
        let third = x1 + (x1 - x0);
        assert!(
            runs.iter()
                .flatten()
                .all(|p| (x_of(p) - third).abs() > d(1))
        );
        // One marker per reported month (the legend's own marker besides).
        assert_eq!(elements(&svg, "path").len(), 4 + 1);
        // And the zero line's y is nowhere among the points.
        let zero_y = elements(&svg, "line")
            .into_iter()
            .find(|(a, _)| a.get("stroke-width").map(String::as_str) == Some("2"))
            .unwrap()
            .0["y1"]
            .clone();
        assert!(
            runs.iter()
                .flatten()
                .all(|p| !p.ends_with(&format!(",{zero_y}")))
        );
    }

    #[test]
    fn a_chart_of_whole_figures_has_only_whole_ticks() {
        // A specials headcount that did not move: 0 every month, planned and actual.
        let mut chart = uplift_chart();
        for s in &mut chart.series {
            s.values = vec![Some(d(0)); 12];
        }
        let svg = line_chart_svg(&chart).unwrap();
        let labels: Vec<String> = elements(&svg, "text").into_iter().map(|(_, t)| t).collect();
        assert!(labels.iter().any(|t| t == "1"), "{labels:?}");
        assert!(!labels.iter().any(|t| t.contains('.')), "{labels:?}");
        // A fraction anywhere keeps the finer steps.
        chart.series[0].values[3] = Some(dec!(0.5));
        let svg = line_chart_svg(&chart).unwrap();
        assert!(elements(&svg, "text").iter().any(|(_, t)| t == "0.1"));
    }

    #[test]
    fn a_planned_month_alone_between_gaps_still_shows() {
        let mut chart = uplift_chart();
        chart.series.truncate(1);
        chart.series[0].values = (0..12).map(|m| (m == 5).then_some(d(50))).collect();
        let svg = line_chart_svg(&chart).unwrap();
        assert_eq!(elements(&svg, "polyline").len(), 0);
        assert_eq!(elements(&svg, "path").len(), 1);
    }

    #[test]
    fn the_axis_runs_to_a_nice_number_in_four_to_six_steps() {
        let axis = |lo, hi| {
            let a = nice_axis(lo, hi);
            (a.min, a.max, a.step)
        };
        assert_eq!(axis(dec!(0), dec!(2972)), (dec!(0), dec!(3000), dec!(500)));
        assert_eq!(axis(dec!(0), dec!(0.8)), (dec!(0), dec!(1), dec!(0.25)));
        // 500s would take 7 steps from -500: the axis goes to -1000 in 4.
        assert_eq!(
            axis(dec!(-130), dec!(2972)),
            (dec!(-1000), dec!(3000), dec!(1000))
        );
        assert_eq!(
            axis(dec!(-8.2), dec!(130)),
            (dec!(-50), dec!(150), dec!(50))
        );
        assert_eq!(axis(dec!(-50), dec!(-10)), (dec!(-50), dec!(0), dec!(10)));
        assert_eq!(axis(dec!(0), dec!(0)), (dec!(0), dec!(1), dec!(0.25)));
        // Whole figures (a headcount) never get a tick between two whole numbers.
        let whole = |lo, hi| {
            let a = nice_whole_axis(lo, hi);
            (a.min, a.max, a.step)
        };
        assert_eq!(whole(dec!(0), dec!(0)), (dec!(0), dec!(1), dec!(1)));
        assert_eq!(whole(dec!(-2), dec!(1)), (dec!(-2), dec!(1), dec!(1)));
        assert_eq!(whole(dec!(0), dec!(10)), (dec!(0), dec!(10), dec!(2)));
        assert_eq!(whole(dec!(0), dec!(7)), (dec!(0), dec!(8), dec!(2)));
        assert_eq!(whole(dec!(0), dec!(2972)), (dec!(0), dec!(3000), dec!(500)));
        for (lo, hi) in [
            (dec!(0), dec!(3)),
            (dec!(-5), dec!(12)),
            (dec!(0), dec!(97)),
        ] {
            let a = nice_whole_axis(lo, hi);
            assert!(a.min <= lo.min(dec!(0)) && a.max >= hi, "{a:?}");
            assert!(a.ticks().iter().all(|t| t.fract().is_zero()), "{a:?}");
        }
        assert_eq!(
            axis(dec!(12), dec!(13000)),
            (dec!(0), dec!(15000), dec!(2500))
        );
        for (lo, hi) in [
            (dec!(0), dec!(7)),
            (dec!(-1), dec!(1)),
            (dec!(-3), dec!(97.5)),
        ] {
            let a = nice_axis(lo, hi);
            assert!(a.min <= lo.min(dec!(0)) && a.max >= hi, "{a:?}");
            let n = (a.max - a.min) / a.step;
            assert!(n >= dec!(4) && n <= dec!(6), "{lo}..{hi}: {a:?}");
        }
        assert_eq!(
            nice_axis(dec!(0), dec!(2972)).ticks(),
            [0, 500, 1000, 1500, 2000, 2500, 3000].map(Decimal::from)
        );
    }

    #[test]
    fn tick_labels_have_thousands_separators() {
        assert_eq!(group_thousands(dec!(12500)), "12,500");
        assert_eq!(group_thousands(dec!(1000000)), "1,000,000");
        assert_eq!(group_thousands(dec!(500.00)), "500");
        assert_eq!(group_thousands(dec!(-2500)), "-2,500");
        assert_eq!(group_thousands(dec!(0.25)), "0.25");
        assert_eq!(group_thousands(dec!(-0)), "0");
        let svg = line_chart_svg(&uplift_chart()).unwrap();
        assert!(svg.contains(">2,500</text>"), "{svg}");
    }

    /// WCAG's relative luminance of "#rrggbb".
    fn luminance(hex: &str) -> f64 {
        let channel = |i: usize| {
            let c = f64::from(u8::from_str_radix(&hex[i..i + 2], 16).unwrap()) / 255.0;
            if c <= 0.04045 {
                c / 12.92
            } else {
                ((c + 0.055) / 1.055).powf(2.4)
            }
        };
        0.2126 * channel(1) + 0.7152 * channel(3) + 0.0722 * channel(5)
    }

    fn contrast_on_white(hex: &str) -> f64 {
        1.05 / (luminance(hex) + 0.05)
    }

    #[test]
    fn the_contrast_sum_is_right() {
        // Known ratios: black 21:1, GOV.UK blue 5.2:1, #767676 the classic 4.54:1.
        assert!((contrast_on_white("#000000") - 21.0).abs() < 0.01);
        assert!((contrast_on_white("#767676") - 4.54).abs() < 0.01);
        assert!((contrast_on_white("#1d70b8") - 5.17).abs() < 0.01);
        assert!(contrast_on_white("#f47738") < 3.0, "why amber is darkened");
    }

    #[test]
    fn every_colour_drawn_passes_its_contrast_on_white() {
        let mut line = uplift_chart();
        for (n, kind) in [(3, SeriesKind::Planned), (4, SeriesKind::Actual)] {
            for i in 0..n {
                line.series.push(Series {
                    name: format!("Series {i}"),
                    kind,
                    values: vec![Some(d(i)); 12],
                });
            }
        }
        let svgs = [
            line_chart_svg(&line).unwrap(),
            bar_chart_svg(&progress_chart()).unwrap(),
        ];
        let mut seen = std::collections::BTreeSet::new();
        for svg in &svgs {
            for part in svg.split("\"#").skip(1) {
                seen.insert(format!("#{}", &part[..6]));
            }
            // Text takes the root's fill: no text element sets its own colour.
            for (attrs, _) in elements(svg, "text") {
                assert!(!attrs.contains_key("fill") && !attrs.contains_key("stroke"));
            }
            assert!(
                svg.lines()
                    .next()
                    .unwrap()
                    .contains(&format!("fill=\"{TEXT_COLOUR}\""))
            );
        }
        assert!(seen.contains(AMBER_FILL) && seen.contains(RED_FILL) && seen.contains(GREEN_FILL));
        assert!(SERIES_COLOURS.iter().all(|c| seen.contains(*c)));
        assert!(seen.remove(HALO_COLOUR), "the halo is the background");
        for colour in &seen {
            let ratio = contrast_on_white(colour);
            assert!(ratio >= 3.0, "{colour} is {ratio:.2}:1 on white");
        }
        let text = contrast_on_white(TEXT_COLOUR);
        assert!(text >= 4.5, "text {text:.2}:1");
        // Red and amber bars are told apart by their word; their colours differ as well.
        assert_ne!(RED_FILL, AMBER_FILL);
    }

    #[test]
    fn the_same_figures_give_the_same_bytes_to_one_decimal_place() {
        let first = line_chart_svg(&uplift_chart()).unwrap();
        assert_eq!(first, line_chart_svg(&uplift_chart()).unwrap());
        let bars = bar_chart_svg(&progress_chart()).unwrap();
        assert_eq!(bars, bar_chart_svg(&progress_chart()).unwrap());
        // Every number in an attribute has at most one decimal place.
        for svg in [&first, &bars] {
            for (attrs, _) in ["line", "polyline", "rect", "text", "path"]
                .iter()
                .flat_map(|t| elements(svg, t))
            {
                for (k, v) in attrs {
                    if ["font-weight", "fill", "stroke", "text-anchor"].contains(&k.as_str()) {
                        continue;
                    }
                    for n in v.split(|c: char| !(c.is_ascii_digit() || c == '.')) {
                        let places = n.split_once('.').map_or(0, |(_, f)| f.len());
                        assert!(places <= 1, "{k}={v}");
                    }
                }
            }
        }
    }

    #[test]
    fn text_is_escaped() {
        let mut chart = uplift_chart();
        chart.title = "A & B".into();
        chart.description = "<script>alert(1)</script>".into();
        chart.series[0].name = "Planned \"uplift\"".into();
        let svg = line_chart_svg(&chart).unwrap();
        // askama writes `&` as `&#38;`, which means the same as `&amp;` in SVG and HTML.
        assert!(
            svg.contains("<title id=\"uplift-title\">A &#38; B</title>"),
            "{svg}"
        );
        assert!(
            svg.contains("&#60;script&#62;alert(1)&#60;/script&#62;"),
            "{svg}"
        );
        assert!(!svg.contains("<script"));
        assert!(svg.contains(">Planned &#34;uplift&#34;</text>"), "{svg}");
        let bars = bar_chart_svg(&progress_chart()).unwrap();
        assert!(bars.contains(">Avon &#38; Somerset</tspan>"), "{bars}");
        assert!(!bars.contains("Avon & "));
    }

    #[test]
    fn twelve_month_labels_never_overlap() {
        let svg = line_chart_svg(&uplift_chart()).unwrap();
        let (_, _, width) = view_box(&svg);
        let first_lines: Vec<String> = months()
            .iter()
            .map(|m| m.split('\n').next().unwrap().to_string())
            .collect();
        let labels: Vec<(Decimal, String)> = elements(&svg, "text")
            .into_iter()
            .filter(|(_, body)| first_lines.contains(body))
            .map(|(a, body)| (num(&a["x"]), body))
            .collect();
        assert!(svg.contains(">2025</text>") && svg.contains(">2026</text>"));
        assert_eq!(labels.len(), 12, "every month labelled");
        for w in labels.windows(2) {
            let room = (text_width(&w[0].1) + text_width(&w[1].1)) / d(2) + d(LABEL_GAP);
            assert!(w[1].0 - w[0].0 >= room, "{w:?}");
        }
        let (first, last) = (&labels[0], &labels[11]);
        assert!(first.0 - text_width(&first.1) / d(2) >= d(0));
        assert!(last.0 + text_width(&last.1) / d(2) <= width);
        // Month labels that are too long for their place are thinned, not overlapped.
        let mut long = uplift_chart();
        long.x_labels = months()
            .iter()
            .map(|m| format!("{m} of the year 2025"))
            .collect();
        let svg = line_chart_svg(&long).unwrap();
        let shown = elements(&svg, "text")
            .into_iter()
            .filter(|(_, b)| b.contains("of the year"))
            .count();
        assert!(shown < 12 && shown > 0, "{shown}");
    }

    fn view_box(svg: &str) -> (Decimal, Decimal, Decimal) {
        let (attrs, _) = elements(svg, "svg").remove(0);
        let parts: Vec<Decimal> = attrs["viewBox"].split(' ').map(num).collect();
        (parts[0], parts[1], parts[2])
    }

    #[test]
    fn forty_three_bars_one_row_each_with_room_for_every_label() {
        let chart = progress_chart();
        let svg = bar_chart_svg(&chart).unwrap();
        let (_, _, width) = view_box(&svg);
        let texts = elements(&svg, "text");
        let rects = elements(&svg, "rect");
        assert_eq!(rects.len(), 43);
        // Each name's lines (x, y and text): a name of one line is the text itself, a
        // wrapped name a tspan a line.
        let names: Vec<Vec<(Decimal, Decimal, String)>> = chart
            .bars
            .iter()
            .map(|b| {
                let label = b.label.replace('&', "&#38;");
                let (attrs, body) = texts
                    .iter()
                    .find(|(_, body)| {
                        *body == label
                            || elements(body, "tspan")
                                .iter()
                                .map(|(_, t)| t.as_str())
                                .collect::<Vec<_>>()
                                .join(" ")
                                == label
                    })
                    .unwrap_or_else(|| panic!("{label} is not in the chart"));
                let spans = elements(body, "tspan");
                if spans.is_empty() {
                    vec![(num(&attrs["x"]), num(&attrs["y"]), body.clone())]
                } else {
                    spans
                        .into_iter()
                        .map(|(a, t)| (num(&a["x"]), num(&a["y"]), t))
                        .collect()
                }
            })
            .collect();
        let plot_left = rects.iter().map(|(a, _)| num(&a["x"])).min().unwrap();
        for (lines, bar) in names.iter().zip(&chart.bars) {
            for (x, _, text) in lines {
                // Right-aligned in the label column: starts inside the chart, ends before
                // the bars, and no line longer than a name may be.
                assert!(*x - text_width(text) >= d(0), "{}", bar.label);
                assert!(*x + d(LABEL_GAP) <= plot_left, "{}", bar.label);
                assert!(
                    text.chars().count() <= NAME_CHARS as usize,
                    "{text:?} is not wrapped"
                );
            }
        }
        // The 40-character name takes two lines, and the chart stays narrow enough for its
        // text to keep a readable size when it is scaled to a phone.
        assert_eq!(names[0].len(), 2, "{:?}", names[0]);
        assert!(width <= d(620), "{width}");
        // Every line of every name, one after another down the chart, never touching.
        let ys: Vec<Decimal> = names.iter().flatten().map(|(_, y, _)| *y).collect();
        for w in ys.windows(2) {
            assert!(w[1] - w[0] >= d(NAME_LINE_H), "{w:?}");
        }
        // Each bar sits within its name's lines, and no two bars overlap.
        for ((rect, _), lines) in rects.iter().zip(&names) {
            let middle = num(&rect["y"]) + num(&rect["height"]) / d(2);
            assert!(middle >= lines[0].1 - d(FONT) && middle <= lines[lines.len() - 1].1);
        }
        for w in rects.windows(2) {
            assert!(num(&w[0].0["y"]) + num(&w[0].0["height"]) < num(&w[1].0["y"]));
        }
        // Each value is printed with its RAG word, after its bar and inside the chart.
        for ((rect, _), bar) in rects.iter().zip(&chart.bars) {
            let text = format!("{} {}", bar.value_text, rag_word(bar.rag));
            let (value, _) = texts.iter().find(|(_, b)| *b == text).unwrap();
            let end = num(&rect["x"]) + num(&rect["width"]);
            assert!(num(&value["x"]) >= end, "{text}");
            assert!(num(&value["x"]) + text_width(&text) <= width, "{text}");
            assert_eq!(rect["fill"], rag_fill(bar.rag));
        }
        // Tick labels along the top (and again along the bottom) do not overlap either.
        let ticks: Vec<_> = texts
            .iter()
            .filter(|(_, b)| b.parse::<i64>().is_ok())
            .collect();
        let top_y = ticks.iter().map(|(a, _)| num(&a["y"])).min().unwrap();
        let top: Vec<_> = ticks
            .iter()
            .filter(|(a, _)| num(&a["y"]) == top_y)
            .collect();
        assert!(top.len() >= 4, "{ticks:?}");
        for w in top.windows(2) {
            let room = (text_width(&w[0].1) + text_width(&w[1].1)) / d(2) + d(LABEL_GAP);
            assert!(num(&w[1].0["x"]) - num(&w[0].0["x"]) >= room, "{w:?}");
        }
    }

    #[test]
    fn a_negative_bar_goes_left_from_zero() {
        let mut chart = progress_chart();
        chart.bars.truncate(2);
        chart.bars[1].value = dec!(-8.2);
        chart.bars[1].value_text = "-8.2%".into();
        chart.bars[1].rag = Rag::Red;
        let svg = bar_chart_svg(&chart).unwrap();
        let rects = elements(&svg, "rect");
        let zero_x = elements(&svg, "line")
            .into_iter()
            .find(|(a, _)| {
                a.get("stroke-width").map(String::as_str) == Some("2")
                    && !a.contains_key("stroke-dasharray")
            })
            .unwrap()
            .0["x1"]
            .clone();
        let zero_x = num(&zero_x);
        let (pos, neg) = (&rects[0].0, &rects[1].0);
        assert_eq!(num(&pos["x"]), zero_x);
        assert!(num(&neg["x"]) < zero_x);
        assert_eq!(num(&neg["x"]) + num(&neg["width"]), zero_x);
        assert!(svg.contains(">-8.2% Red</text>"));
        assert!(
            svg.contains(">-50</text>"),
            "the axis runs below zero: {svg}"
        );
    }

    #[test]
    fn a_negative_month_lowers_the_axis() {
        let mut chart = uplift_chart();
        chart.series[1].values[0] = Some(dec!(-130));
        let svg = line_chart_svg(&chart).unwrap();
        assert!(
            svg.contains(">-1,000</text>") && svg.contains(">3,000</text>"),
            "{svg}"
        );
    }

    #[test]
    fn a_chart_the_page_got_wrong_is_an_error() {
        let mut chart = uplift_chart();
        chart.series[0].values.pop();
        let err = line_chart_svg(&chart).unwrap_err().to_string();
        assert!(err.contains("11 values for 12 x labels"), "{err}");
        let mut bars = progress_chart();
        bars.id = "by force".into();
        let err = bar_chart_svg(&bars).unwrap_err().to_string();
        assert!(err.contains("\"by force\" is not an HTML id"), "{err}");
    }

    #[test]
    fn long_titles_wrap_by_their_characters() {
        assert_eq!(wrap("a bb ccc", d(5) * CHAR_W), ["a bb", "ccc"]);
        let svg = bar_chart_svg(&progress_chart()).unwrap();
        let (_, _, width) = view_box(&svg);
        for (attrs, body) in elements(&svg, "text")
            .iter()
            .filter(|(a, _)| a.contains_key("font-weight"))
        {
            assert!(num(&attrs["x"]) + text_width(body) <= width, "{body}");
        }
    }

    /// Both charts are well-formed XML whose every element closes. With
    /// `NPG_CHART_PREVIEW=/tmp/chart.html cargo test --lib chart::tests::well_formed` it also
    /// writes them into a page, to look at in a browser (desktop and phone widths).
    #[test]
    fn both_charts_are_well_formed_xml() {
        let line = line_chart_svg(&uplift_chart()).unwrap();
        let bars = bar_chart_svg(&progress_chart()).unwrap();
        // A force's page: officers and PCSOs, planned and actual, so the legend wraps.
        let mut force = uplift_chart();
        force.id = "force".into();
        force.series = ["Officers", "PCSOs"]
            .iter()
            .enumerate()
            .flat_map(|(n, who)| {
                let scale = d(40 - 25 * n as i64);
                [
                    (SeriesKind::Planned, "planned", 12),
                    (SeriesKind::Actual, "actual", 8),
                ]
                .map(|(kind, what, months)| Series {
                    name: format!("{who}, cumulative FTE {what}"),
                    kind,
                    values: (0..12)
                        .map(|m| (m < months).then(|| scale * d(m - 1)))
                        .collect(),
                })
            })
            .collect();
        let force = line_chart_svg(&force).unwrap();
        for svg in [&line, &bars, &force] {
            let mut reader = quick_xml::Reader::from_str(svg);
            let (mut depth, mut elements) = (0i32, 0);
            loop {
                match reader.read_event().unwrap() {
                    quick_xml::events::Event::Start(_) => depth += 1,
                    quick_xml::events::Event::End(_) => depth -= 1,
                    quick_xml::events::Event::Empty(_) => elements += 1,
                    quick_xml::events::Event::Eof => break,
                    _ => {}
                }
            }
            assert_eq!(depth, 0);
            assert!(elements > 20, "{elements}");
        }
        if let Ok(path) = std::env::var("NPG_CHART_PREVIEW") {
            let page = format!(
                "<!DOCTYPE html><html lang=\"en-GB\"><head><meta charset=\"utf-8\">\
                 <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
                 <title>Charts</title><style>.scroll {{ overflow-x: auto }} \
                 .scroll svg {{ min-width: 36rem }}</style></head>\
                 <body style=\"font-family: Arial, sans-serif; margin: 15px; max-width: 960px\">\
                 <h1>Charts</h1><h2>Uplift</h2>{line}<h2>Force</h2>{force}<h2>Progress</h2>{bars}\
                 <h2>In a box that scrolls on a phone</h2><div class=\"scroll\">{line}</div>\
                 <div class=\"scroll\">{bars}</div></body></html>"
            );
            std::fs::write(path, page).unwrap();
        }
    }
}
