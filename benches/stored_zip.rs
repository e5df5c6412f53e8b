//! The stored-zip benchmark (`cargo bench --bench stored_zip`): times npg's own writer of the
//! stored zip an .xlsx is handed to calamine in against the zip crate's `ZipWriter` (method
//! Stored), over every .xlsx return of the fixture year, and prints the median of each and
//! their ratio.
//!
//! Each return is unpacked once, before any timing; a round then lays out every return's
//! parts with each writer in turn (which goes first alternates), so that a slow spell of a
//! shared machine falls on both. Options after `--`: `--rounds 15` (the default).

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use npg::read::open::{BenchParts, bench_stored_zip, bench_unpack};

fn main() {
    let rounds = option("--rounds").unwrap_or(15);
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/2025-26/returns");
    let mut files = Vec::new();
    collect_xlsx(&root, &mut files);
    files.sort();
    let returns: Vec<BenchParts> = files
        .iter()
        .filter_map(|path| bench_unpack(&std::fs::read(path).ok()?))
        .collect();
    let megabytes: usize = returns
        .iter()
        .filter_map(|parts| bench_stored_zip(parts, false))
        .map(|zip| zip.len())
        .sum();
    println!(
        "stored zip: {} returns of {} .xlsx files under {}, {:.1} MB laid out per pass, {rounds} rounds",
        returns.len(),
        files.len(),
        root.display(),
        megabytes as f64 / 1e6
    );

    let mut ours = Vec::with_capacity(rounds);
    let mut theirs = Vec::with_capacity(rounds);
    for round in 0..rounds {
        let zip_crate_first = round % 2 == 1;
        for zip_crate in [zip_crate_first, !zip_crate_first] {
            let time = pass(&returns, zip_crate);
            if zip_crate {
                theirs.push(time);
            } else {
                ours.push(time);
            }
        }
    }
    let ours = median(&mut ours);
    let theirs = median(&mut theirs);
    println!(
        "npg's stored_zip:             {:>9.3} ms per pass",
        ms(ours)
    );
    println!(
        "zip::ZipWriter (Stored):      {:>9.3} ms per pass",
        ms(theirs)
    );
    println!(
        "ratio zip::ZipWriter / npg's: {:>9.2}",
        theirs.as_secs_f64() / ours.as_secs_f64()
    );
}

/// One pass: every return's parts laid out once by one writer.
fn pass(returns: &[BenchParts], zip_crate: bool) -> Duration {
    let started = Instant::now();
    let mut bytes = 0usize;
    for parts in returns {
        let zip = bench_stored_zip(parts, zip_crate).unwrap_or_default();
        bytes += std::hint::black_box(zip).len();
    }
    std::hint::black_box(bytes);
    started.elapsed()
}

fn collect_xlsx(folder: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(folder) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            collect_xlsx(&path, out);
        } else if path
            .extension()
            .is_some_and(|extension| extension.eq_ignore_ascii_case("xlsx"))
        {
            out.push(path);
        }
    }
}

fn median(times: &mut [Duration]) -> Duration {
    times.sort();
    times[times.len() / 2]
}

fn ms(time: Duration) -> f64 {
    time.as_secs_f64() * 1e3
}

fn option(name: &str) -> Option<usize> {
    let args: Vec<String> = std::env::args().collect();
    let at = args.iter().position(|arg| arg == name)?;
    args.get(at + 1)?.parse().ok()
}
