//! `npg template`: writes a blank return for one force, pre-filled from the cycle folder.

use npg::exit::Exit;

use anyhow::{Context, bail};
use npg::cycle::Cycle;
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
    if npg::ops::place::is_inside(&args.output, &args.cycle)? {
        bail!(
            "-o {} is inside the cycle folder {}; write the template elsewhere (the cycle folder holds only what forces sent)",
            args.output.display(),
            args.cycle.display()
        );
    }
    let cycle = Cycle::open(&args.cycle)?;
    let year = cycle.config.year;
    let force = cycle.forces.find(&args.force).with_context(|| {
        format!(
            "force {:?} is not in {}: use one of its ids, for example {}",
            args.force,
            cycle.forces_path_shown(),
            cycle.forces.iter().next().map_or("kent", |f| f.id.as_str())
        )
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
        categories: &cycle.config.categories,
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
