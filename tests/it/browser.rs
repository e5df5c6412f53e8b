//! The published site in a real browser: headless Chromium opens every page of both
//! audiences' sites from disk and `tests/browser/check.mjs` reports console errors, failed or
//! outside requests, axe-core's serious and critical violations and the site's own rules.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use crate::common::{fixture_cycle, npg};

/// What the browser check needs: node, Chromium and the check's npm packages.
struct Browser {
    node: PathBuf,
    check: PathBuf,
}

fn browser_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/browser")
}

/// The browser check's tools, when installed. Without them the test is skipped with a
/// message saying what to install, except under CI (`NPG_REQUIRE_BROWSER=1`), where a
/// missing tool is a failure.
fn browser_or_skip(test: &str) -> Option<Browser> {
    let mut missing = Vec::new();
    let node_found = Command::new("node")
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success());
    if !node_found {
        missing.push("node (`apt-get install nodejs npm`)".to_owned());
    }
    let chromium = std::env::var_os("CHROMIUM")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("/usr/bin/chromium"));
    if !chromium.is_file() {
        missing.push(format!(
            "Chromium at {} (`apt-get install chromium`, or set CHROMIUM to one)",
            chromium.display()
        ));
    }
    let modules = browser_dir().join("node_modules");
    if !modules.join("playwright-core").is_dir() || !modules.join("axe-core").is_dir() {
        missing.push("tests/browser/node_modules (`npm ci --prefix tests/browser`)".to_owned());
    }
    if missing.is_empty() {
        return Some(Browser {
            node: PathBuf::from("node"),
            check: browser_dir().join("check.mjs"),
        });
    }
    let missing = missing.join(", ");
    assert!(
        std::env::var_os("NPG_REQUIRE_BROWSER").is_none(),
        "{test}: the browser check is required here (NPG_REQUIRE_BROWSER is set) but these are missing: {missing}"
    );
    eprintln!("SKIPPED {test}: missing {missing}");
    None
}

impl Browser {
    fn check(&self, site: &Path) -> Output {
        Command::new(&self.node)
            .arg(&self.check)
            .arg(site)
            .output()
            .unwrap()
    }
}

fn report(output: &Output) -> String {
    format!(
        "exit {:?}\n--- stdout\n{}--- stderr\n{}",
        output.status.code(),
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    )
}

#[test]
fn site_passes_in_a_real_browser() {
    let Some(browser) = browser_or_skip("site_passes_in_a_real_browser") else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let runs = dir.path().join("runs");
    npg()
        .args(["pay", "--quarter", "Q1-Q4", "--cycle"])
        .arg(fixture_cycle())
        .arg("--out")
        .arg(&runs)
        .assert()
        .success();

    let mut failures = Vec::new();
    for audience in ["public", "sector"] {
        let site = dir.path().join(format!("site-{audience}"));
        npg()
            .args(["publish", "--cycle"])
            .arg(fixture_cycle())
            .arg("--runs")
            .arg(&runs)
            .arg("--out")
            .arg(&site)
            .args(["--audience", audience])
            .assert()
            .success();
        let output = browser.check(&site);
        let stdout = String::from_utf8_lossy(&output.stdout);
        // The site has a national page, an about page, a measures page and a page per force:
        // a check that opened only a few pages would pass too easily.
        let checked = stdout
            .lines()
            .find_map(|line| line.strip_prefix("checked "))
            .and_then(|rest| rest.split(' ').next())
            .and_then(|n| n.parse::<usize>().ok());
        if output.status.code() != Some(0) || checked.is_none_or(|n| n < 4) {
            failures.push(format!("{audience} site:\n{}", report(&output)));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// A good page: what every published page must be (the language, one h1, a skip link to the
/// main content, a chart with a title and a description, internal links that resolve,
/// contrast that passes).
const GOOD_PAGE: &str = r##"<!DOCTYPE html>
<html lang="en-GB">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Good page</title>
<link rel="stylesheet" href="site.css">
</head>
<body>
<a class="skip" href="#main">Skip to main content</a>
<header><p>Neighbourhood Policing Grant</p></header>
<main id="main">
<h1>National figures</h1>
<p>Read <a href="good.html">this page</a> again, or go to <a href="#chart">the chart</a>.</p>
<svg id="chart" role="img" aria-labelledby="chart-title chart-desc" width="120" height="60" viewBox="0 0 120 60">
<title id="chart-title">Uplift by month</title>
<desc id="chart-desc">Two months: 10 and 20 full-time equivalent officers.</desc>
<rect x="10" y="30" width="40" height="30" fill="#1d70b8"/>
<rect x="60" y="0" width="40" height="60" fill="#1d70b8"/>
</svg>
</main>
</body>
</html>
"##;

const SITE_CSS: &str =
    "body { font-family: system-ui, sans-serif; color: #0b0c0c; background: #ffffff; }
.skip { position: absolute; left: -9999px; }
.skip:focus { left: 0; }
";

/// A bad page, in a folder of its own as force pages are: each of its faults is one the
/// check must name.
const BAD_PAGE: &str = r##"<!DOCTYPE html>
<html>
<head>
<meta charset="utf-8">
<title>Bad page</title>
<link rel="stylesheet" href="../site.css">
</head>
<body>
<a class="skip" href="#main">Skip to main content</a>
<main id="main">
<h1>First heading</h1>
<h1>Second heading</h1>
<p style="color: #cccccc; background: #ffffff">Faint text that few can read.</p>
<p><a href="../missing.html">A page that is not there</a> and <a href="../good.html">one that is</a>.</p>
<img src="https://example.com/x.png" alt="A picture from another site">
<svg width="10" height="10"><rect width="10" height="10"/></svg>
</main>
</body>
</html>
"##;

/// A page whose first link is not a skip link (and is otherwise good).
const NO_SKIP_PAGE: &str = r##"<!DOCTYPE html>
<html lang="en-GB">
<head>
<meta charset="utf-8">
<title>No skip link</title>
</head>
<body>
<main id="main">
<h1>A force</h1>
<p><a href="../good.html">Back to the national figures</a></p>
</main>
</body>
</html>
"##;

#[test]
fn harness_catches_problems() {
    let Some(browser) = browser_or_skip("harness_catches_problems") else {
        return;
    };
    let bad = tempfile::tempdir().unwrap();
    std::fs::create_dir(bad.path().join("forces")).unwrap();
    std::fs::write(bad.path().join("good.html"), GOOD_PAGE).unwrap();
    std::fs::write(bad.path().join("site.css"), SITE_CSS).unwrap();
    std::fs::write(bad.path().join("forces/bad.html"), BAD_PAGE).unwrap();
    std::fs::write(bad.path().join("forces/no-skip.html"), NO_SKIP_PAGE).unwrap();

    let output = browser.check(bad.path());
    let shown = report(&output);
    assert_eq!(output.status.code(), Some(1), "{shown}");
    let stdout = String::from_utf8_lossy(&output.stdout);
    let problems: Vec<&str> = stdout
        .lines()
        .filter(|l| !l.starts_with("checked "))
        .collect();
    // Every problem is the bad pages': the good page beside them, and the stylesheet and the
    // links to it, are not reported.
    assert!(
        problems
            .iter()
            .all(|l| l.starts_with("forces/bad.html: ") || l.starts_with("forces/no-skip.html: ")),
        "{shown}"
    );
    for expected in [
        "forces/bad.html: lang: html has no lang (want en-GB)",
        "forces/bad.html: h1: 2 h1 elements (want exactly one)",
        "forces/bad.html: broken link: ../missing.html: no such file missing.html",
        "forces/bad.html: outside request: https://example.com/x.png",
        "forces/bad.html: svg: svg #1 has no <title> or <desc>",
        "forces/bad.html: axe color-contrast (serious): ",
        "forces/bad.html: axe html-has-lang (serious): ",
        "forces/no-skip.html: skip link: first Tab reaches <a href=\"../good.html\">",
    ] {
        assert!(
            problems.iter().any(|l| l.starts_with(expected)),
            "no line starting {expected:?} in\n{shown}"
        );
    }
    assert!(
        stdout.contains(&format!("checked 3 pages: {} problems\n", problems.len())),
        "{shown}"
    );

    // The good page on its own passes.
    let good = tempfile::tempdir().unwrap();
    std::fs::write(good.path().join("good.html"), GOOD_PAGE).unwrap();
    std::fs::write(good.path().join("site.css"), SITE_CSS).unwrap();
    let output = browser.check(good.path());
    let shown = report(&output);
    assert_eq!(output.status.code(), Some(0), "{shown}");
    assert_eq!(
        String::from_utf8_lossy(&output.stdout),
        "checked 1 pages: 0 problems\n",
        "{shown}"
    );
}
