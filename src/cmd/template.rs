//! `npg template`: writes a blank return for one force, pre-filled from the cycle folder.

use npg::exit::Exit;

use anyhow::{Context, bail};
use npg::cycle::Cycle;
use npg::cycle::defaults::{default_config, default_forces};
use npg::layout::ReturnKind;
use npg::write::output::{OwnFile, check_replaceable, write_file_atomically};
use npg::write::template::{TemplateRequest, write_template};

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
    let months_to = match args.month {
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
    let bytes = write_template(&request).context("could not build the workbook")?;
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
