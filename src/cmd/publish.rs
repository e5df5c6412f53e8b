//! `npg publish`: the year's figures as a static site; prints what it was built from and
//! where it went.

use npg::exit::Exit;
use npg::ops::publish::{PublishOutcome, PublishRequest, publish};
use npg::pay::publish::Audience;

use super::progress::ReadingBar;
use crate::cli::{AudienceArg, PublishArgs};

pub fn run(args: PublishArgs) -> anyhow::Result<Exit> {
    let request = PublishRequest {
        cycle: &args.cycle,
        runs: &args.runs,
        out: &args.out,
        quarter: args.quarter,
        audience: match args.audience {
            AudienceArg::Public => Audience::Public,
            AudienceArg::Sector => Audience::Sector,
        },
        overwrite: args.overwrite,
    };
    let published = match publish(&request, &ReadingBar::new())? {
        PublishOutcome::Published(published) => published,
        PublishOutcome::InError(err) => {
            tell!("npg: {err}");
            tell!("npg: nothing was written");
            return Ok(Exit::Findings);
        }
    };
    let latest = published.facts.latest();
    say!(
        "published the {} site of {} to {} from run {} (manifest SHA-256 {})",
        published.facts.audience.as_str(),
        published.facts.inputs.config.year,
        latest.quarter,
        latest.folder,
        latest.manifest_sha256
    );
    let revised = published.facts.revisions.len();
    let runs = published.facts.runs.len();
    say!(
        "  {runs} {} checked, each against its manifest; {revised} revised {} logged",
        if runs == 1 { "run" } else { "runs" },
        if revised == 1 { "figure" } else { "figures" }
    );
    say!(
        "wrote {} ({} files; site-manifest.json SHA-256 {})",
        published.out.display(),
        published.files,
        published.manifest_sha256
    );
    for kept in &published.kept {
        tell!(
            "npg: the old site gained a file while the new one was written, so it was kept whole as {}: look through it, then remove it",
            kept.display()
        );
    }
    Ok(Exit::Clean)
}
