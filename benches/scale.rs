//! The scale benchmark (`cargo bench --bench scale`): for synthetic cycles of N = 43, 430
//! and 4,300 grantees it times, in one run,
//!
//! - (a) the parse-only floor: every input workbook opened and every cell read with
//!   calamine and nothing else, on one thread;
//! - (b) `npg validate --cycle C C/returns`;
//! - (c) `npg pay --cycle C --quarter Q1-Q4`;
//!
//! and prints each time (the median of the rounds; each round measures every size in turn,
//! so that a slow spell of a shared machine falls on all of them), the ratio (c)/(a), the
//! growth from N to 10N, the largest peak memory of (b) and (c) as npg reports it with -v,
//! and the targets met or missed. Options after `--`: `--sizes 43,430` and `--runs 5` (the
//! default number of rounds).
//!
//! The cycles are made by the fixture generator (`npg-fixtures --grantees N`) under
//! `target/bench/`, fresh on every run; a cycle's files are read once before each round,
//! so every figure is taken with the files in the page cache.

use std::io::Cursor;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use calamine::{Data, Reader, Xlsx};

const NPG: &str = env!("CARGO_BIN_EXE_npg");

struct Figures {
    n: usize,
    files: usize,
    megabytes: f64,
    generate: Duration,
    parse_floor: Duration,
    validate: Duration,
    pay: Duration,
    validate_peak_mib: Option<u64>,
    pay_peak_mib: Option<u64>,
}

fn main() {
    let mut sizes = vec![43, 430, 4300];
    let mut runs = 5;
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--sizes" => {
                sizes = args
                    .next()
                    .map(|s| s.split(',').filter_map(|n| n.trim().parse().ok()).collect())
                    .unwrap_or(sizes);
            }
            "--runs" => runs = args.next().and_then(|r| r.parse().ok()).unwrap_or(runs),
            _ => {} // `cargo bench` passes --bench; nothing else is ours
        }
    }
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("target/bench");
    std::fs::create_dir_all(&root).expect("target/bench can be made");
    println!("npg scale benchmark: {}", machine());
    println!(
        "sizes {sizes:?}, median of {runs} round(s); each round measures every size in turn\n"
    );
    let mut cycles: Vec<Cycle> = sizes.iter().map(|&n| Cycle::make(&root, n)).collect();
    // Rounds interleave the sizes, so that a slow spell of a shared machine falls on every
    // size alike instead of on one of them.
    for round in 0..runs.max(1) {
        for cycle in &mut cycles {
            cycle.measure_once();
        }
        eprintln!("round {} of {} done", round + 1, runs.max(1));
    }
    let all: Vec<Figures> = cycles.iter().map(Cycle::figures).collect();
    for figures in &all {
        print_row(figures);
    }
    print_summary(&all);
}

/// One synthetic cycle and the times measured on it so far.
struct Cycle {
    n: usize,
    dir: PathBuf,
    out: PathBuf,
    inputs: Vec<PathBuf>,
    bytes: u64,
    generate: Duration,
    parse_floor: Vec<Duration>,
    validate: Vec<Duration>,
    pay: Vec<Duration>,
    validate_peak: Option<u64>,
    pay_peak: Option<u64>,
}

impl Cycle {
    fn make(root: &Path, n: usize) -> Cycle {
        let dir = root.join(format!("cycle-{n}"));
        let started = Instant::now();
        npg::fixture_year::generate_scaled(&dir, n / 43).expect("the synthetic cycle is made");
        let generate = started.elapsed();
        let inputs = input_workbooks(&dir);
        let bytes = inputs
            .iter()
            .map(|p| std::fs::metadata(p).map_or(0, |m| m.len()))
            .sum();
        Cycle {
            n,
            out: root.join(format!("runs-{n}")),
            dir,
            inputs,
            bytes,
            generate,
            parse_floor: Vec::new(),
            validate: Vec::new(),
            pay: Vec::new(),
            validate_peak: None,
            pay_peak: None,
        }
    }

    /// (a), (b) and (c) once each, with the files in the page cache.
    fn measure_once(&mut self) {
        for path in &self.inputs {
            let _ = std::fs::read(path);
        }
        let started = Instant::now();
        assert!(parse_floor(&self.inputs) > 0);
        self.parse_floor.push(started.elapsed());
        let cycle_arg = self.dir.display().to_string();
        let returns_arg = self.dir.join("returns").display().to_string();
        let (time, peak) = timed(&["validate", "--cycle", &cycle_arg, &returns_arg], &[0, 1]);
        self.validate.push(time);
        self.validate_peak = self.validate_peak.max(peak);
        let out_arg = self.out.display().to_string();
        let (time, peak) = timed(
            &[
                "pay",
                "--cycle",
                &cycle_arg,
                "--quarter",
                "Q1-Q4",
                "--out",
                &out_arg,
                "--overwrite",
            ],
            &[0],
        );
        self.pay.push(time);
        self.pay_peak = self.pay_peak.max(peak);
    }

    fn figures(&self) -> Figures {
        Figures {
            n: self.n,
            files: self.inputs.len(),
            megabytes: self.bytes as f64 / 1_048_576.0,
            generate: self.generate,
            parse_floor: median(&self.parse_floor),
            validate: median(&self.validate),
            pay: median(&self.pay),
            validate_peak_mib: self.validate_peak,
            pay_peak_mib: self.pay_peak,
        }
    }
}

/// Every workbook a payment run reads: the allocations and every return.
fn input_workbooks(cycle: &Path) -> Vec<PathBuf> {
    fn walk(dir: &Path, out: &mut Vec<PathBuf>) {
        for entry in std::fs::read_dir(dir).expect("the cycle can be listed") {
            let path = entry.expect("an entry").path();
            if path.is_dir() {
                walk(&path, out);
            } else {
                out.push(path);
            }
        }
    }
    let mut files = vec![cycle.join("allocations.xlsx")];
    walk(&cycle.join("returns"), &mut files);
    files.sort();
    files
}

/// (a): open each workbook with calamine and read every cell, on this one thread.
fn parse_floor(files: &[PathBuf]) -> usize {
    let mut cells = 0;
    for path in files {
        let bytes = std::fs::read(path).expect("a workbook can be read");
        let mut book: Xlsx<_> = Xlsx::new(Cursor::new(bytes)).expect("an xlsx workbook");
        for name in book.sheet_names() {
            let range = book.worksheet_range(&name).expect("a sheet");
            cells += range
                .used_cells()
                .filter(|(_, _, v)| !matches!(v, Data::Empty))
                .count();
        }
    }
    cells
}

/// Runs npg with -v, returning the wall time and the peak memory it logs (MiB); the
/// benchmark reports the largest peak of its runs.
fn timed(args: &[&str], ok_codes: &[i32]) -> (Duration, Option<u64>) {
    let started = Instant::now();
    let output = Command::new(NPG)
        .arg("-v")
        .args(args)
        .output()
        .expect("npg runs");
    let elapsed = started.elapsed();
    let code = output.status.code().unwrap_or(-1);
    assert!(
        ok_codes.contains(&code),
        "npg {args:?} exited {code}: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    let stderr = String::from_utf8_lossy(&output.stderr);
    let peak = stderr.lines().find_map(|l| {
        l.split("peak_memory_kib=")
            .nth(1)
            .and_then(|k| k.trim().parse::<u64>().ok())
            .map(|k| k / 1024)
    });
    (elapsed, peak)
}

fn median(times: &[Duration]) -> Duration {
    let mut sorted = times.to_vec();
    sorted.sort();
    sorted.get(sorted.len() / 2).copied().unwrap_or_default()
}

fn secs(d: Duration) -> f64 {
    d.as_secs_f64()
}

fn mib(m: Option<u64>) -> String {
    m.map_or_else(|| "n/a".to_owned(), |m| format!("{m} MiB"))
}

fn print_row(f: &Figures) {
    println!(
        "N = {:>5}: {:>6} workbooks ({:.1} MiB, made in {:.1} s) | (a) parse floor {:>7.3} s | (b) validate {:>7.3} s | (c) pay Q1-Q4 {:>7.3} s | (c)/(a) {:.2} | peak (b) {} (c) {}",
        f.n,
        f.files,
        f.megabytes,
        secs(f.generate),
        secs(f.parse_floor),
        secs(f.validate),
        secs(f.pay),
        secs(f.pay) / secs(f.parse_floor),
        mib(f.validate_peak_mib),
        mib(f.pay_peak_mib),
    );
}

fn print_summary(all: &[Figures]) {
    println!();
    for pair in all.windows(2) {
        let (a, b) = (&pair[0], &pair[1]);
        println!(
            "growth {} → {} ({:.0}×): (a) {:.2}×, (b) {:.2}×, (c) {:.2}×",
            a.n,
            b.n,
            b.n as f64 / a.n as f64,
            secs(b.parse_floor) / secs(a.parse_floor),
            secs(b.validate) / secs(a.validate),
            secs(b.pay) / secs(a.pay),
        );
    }
    let Some(largest) = all.iter().max_by_key(|f| f.n) else {
        return;
    };
    println!();
    let ratio = secs(largest.pay) / secs(largest.parse_floor);
    println!(
        "target (c) ≤ 1.5 × (a) at N = {}: {:.2} — {}",
        largest.n,
        ratio,
        if ratio <= 1.5 { "met" } else { "MISSED" }
    );
    if let Some(previous) = all.iter().find(|f| f.n * 10 == largest.n) {
        let growth = secs(largest.pay) / secs(previous.pay);
        println!(
            "target growth of (c) from {} to {} ≤ 11×: {:.2}× — {}",
            previous.n,
            largest.n,
            growth,
            if growth <= 11.0 { "met" } else { "MISSED" }
        );
    }
    if let Some(peak) = largest.pay_peak_mib {
        println!(
            "target peak memory of (c) at N = {} < 1024 MiB: {peak} MiB — {}",
            largest.n,
            if peak < 1024 { "met" } else { "MISSED" }
        );
    }
}

/// The machine, as far as the benchmark can tell: CPU model and cores.
fn machine() -> String {
    let model = std::fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|info| {
            info.lines().find_map(|l| {
                l.strip_prefix("model name")
                    .map(|m| m.trim_start_matches([' ', '\t', ':']).to_owned())
            })
        })
        .unwrap_or_else(|| "unknown CPU".to_owned());
    let cores = std::thread::available_parallelism().map_or(0, |n| n.get());
    format!("{model}, {cores} core(s) available")
}
