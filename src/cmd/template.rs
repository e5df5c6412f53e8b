//! `npg template`: writes a blank return for one force, pre-filled from the cycle folder.

use npg::exit::Exit;

use std::path::Path;

use anyhow::{Context, bail};
use npg::cycle::Cycle;
use npg::cycle::config::CycleConfig;
use npg::cycle::defaults::{default_config, default_forces};
use npg::domain::ForceList;
use npg::domain::force::Force;
use npg::domain::returns::{MonitoringReturn, Return};
use npg::layout::ReturnKind;
use npg::read::open::read_workbook;
use npg::read::returns::{ReadContext, read_return};
use npg::write::output::{OwnFile, check_replaceable, write_file_atomically};
use npg::write::template::{TemplateRequest, filled_from_monitoring, write_return};

use crate::cli::{TemplateArgs, TemplateKind};

pub fn run(args: TemplateArgs) -> anyhow::Result<Exit> {
    let kind = match args.kind {
        TemplateKind::Plan => ReturnKind::Plan,
        TemplateKind::Monitoring => ReturnKind::Monitoring,
        TemplateKind::Finance => ReturnKind::Finance,
    };
    if args.quarter.is_some() && kind != ReturnKind::Finance {
        bail!("--quarter is for the financial return only (npg template finance)");
    }
    if args.month.is_some() && kind != ReturnKind::Monitoring {
        bail!("--month is for the monitoring return only (npg template monitoring)");
    }
    if args.from.is_some() && kind != ReturnKind::Monitoring {
        bail!(
            "--from is for the monitoring return only (npg template monitoring --from <last month's return>)"
        );
    }
    if std::fs::symlink_metadata(&args.output).is_ok() && !args.overwrite {
        bail!(
            "{} already exists; give --overwrite to replace it",
            args.output.display()
        );
    }
    if args.overwrite {
        check_replaceable(&args.output, OwnFile::Template)?;
    }
    // A template is for a force to fill in: it never goes into the cycle folder, which only
    // holds what forces sent.
    if let Some(dir) = &args.cycle
        && npg::ops::place::is_inside(&args.output, dir)?
    {
        bail!(
            "-o {} is inside the cycle folder {}; write the template elsewhere (the cycle folder holds only what forces sent)",
            args.output.display(),
            dir.display()
        );
    }
    // Without a cycle folder, the built-in scheme: a force can get its template on its own
    // machine, as it validates a return there.
    let (config, forces, forces_shown) = match &args.cycle {
        Some(dir) => {
            let cycle = Cycle::open(dir)?;
            let shown = cycle.forces_path_shown();
            (cycle.config, cycle.forces, shown)
        }
        None => (
            default_config().context("the built-in configuration is malformed")?,
            default_forces().context("the built-in force list is malformed")?,
            "the built-in force list of the 2025-26 scheme".to_owned(),
        ),
    };
    let year = config.year;
    let force = forces.find(&args.force).with_context(|| {
        let hint = match forces.nearest(&args.force) {
            Some(near) => format!("did you mean {} ({})?", near.id, near.name),
            None => format!(
                "use one of its ids, for example {}",
                forces.iter().next().map_or("kent", |f| f.id.as_str())
            ),
        };
        format!("force {:?} is not in {forces_shown}: {hint}", args.force)
    })?;
    let quarter = args.quarter;
    let previous = match &args.from {
        Some(path) => Some(previous_monitoring(path, &config, &forces, force)?),
        None => None,
    };
    let month = match (args.month, &previous) {
        (Some(month), Some(previous)) if month < previous.months_to => bail!(
            "--month {month} is before {}'s Months to {}: a new return reports at least the months of the last",
            shown(args.from.as_deref()),
            previous.months_to
        ),
        (Some(month), _) => Some(month),
        (None, Some(previous)) if previous.months_to == year.last_month() => bail!(
            "{} already reports every month to {}; give --month {} to restate it",
            shown(args.from.as_deref()),
            previous.months_to,
            previous.months_to
        ),
        // The next month: last month's return, one month on.
        (None, Some(previous)) => Some(previous.months_to.next()),
        (None, None) => None,
    };
    let months_to = match month {
        Some(month) => {
            if !year.contains(month) {
                bail!(
                    "--month {month} is outside the financial year {year} ({} to {})",
                    year.first_month(),
                    year.last_month()
                );
            }
            Some(month)
        }
        None => None,
    };
    let request = TemplateRequest {
        kind,
        year,
        force,
        categories: &config.categories,
        quarter,
        months_to,
    };
    let filled = previous
        .as_ref()
        .map(|p| filled_from_monitoring(year, p))
        .unwrap_or_default();
    let bytes = write_return(&request, &filled).context("could not build the workbook")?;
    write_file_atomically(&args.output, &bytes, args.overwrite, OwnFile::Template)?;
    say!(
        "wrote {} ({} {} for {})",
        args.output.display(),
        year,
        kind.layout().return_type.to_lowercase(),
        force.id
    );
    Ok(Exit::Clean)
}

fn shown(path: Option<&Path>) -> String {
    path.map_or_else(String::new, |p| p.display().to_string())
}

/// The monitoring return given with `--from`, read in full: the same force and financial year
/// as the template asked for. Anything else is a clear error, before any file is written.
fn previous_monitoring(
    path: &Path,
    config: &CycleConfig,
    forces: &ForceList,
    force: &Force,
) -> anyhow::Result<MonitoringReturn> {
    let name = path.display().to_string();
    let data = read_workbook(path, &name)
        .map_err(|finding| anyhow::anyhow!("--from {name}: {}", finding.message))?;
    // Read on its own (no cycle year), so that a return of another year says which it is.
    let ctx = ReadContext {
        cycle_year: None,
        forces,
        categories: &config.categories,
        allocations: None,
        baselines: None,
    };
    let read = read_return(&name, &data, &ctx);
    let key = &read.key;
    match key.kind {
        Some(ReturnKind::Monitoring) => {}
        Some(other) => bail!(
            "--from {name} is a {} return, not a monitoring return",
            other.layout().return_type.to_lowercase()
        ),
        None => bail!(
            "--from {name} is not a return npg recognises (its About sheet gives no return type); give last month's monitoring return"
        ),
    }
    if let Some(other) = &key.force
        && *other != force.id
    {
        bail!(
            "--from {name} is {other}'s monitoring return, not {}'s (--force {})",
            force.id,
            force.id
        );
    }
    if let Some(other) = key.year
        && other != config.year
    {
        bail!(
            "--from {name} is for {other}, not {}: start the new year from a blank template",
            config.year
        );
    }
    let errors = read.findings.iter().filter(|f| f.is_error()).count();
    match read.value {
        Some(Return::Monitoring(previous)) => {
            if errors > 0 {
                say!(
                    "note: {name} has {errors} error finding(s) (npg validate {name}); the months it holds are pre-filled as they are, to correct"
                );
            }
            Ok(previous)
        }
        _ => bail!(
            "--from {name} could not be read in full ({errors} error finding(s)); run npg validate {name} and correct it first"
        ),
    }
}
