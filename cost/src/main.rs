//! `boardwalk-cost`: prints what a scenario's month costs on AWS, from list prices and the
//! benchmark's measured figures (see the `cost` library and the README's "What it costs").
//!
//! ```text
//! boardwalk-cost [--scenario FILE] [--measured BENCH_JSON] [--json] [--chart SVG]
//! ```
//! Paths inside the scenario are relative to the workspace root (the current directory).

use std::path::{Path, PathBuf};
use std::process::ExitCode;

const USAGE: &str =
    "usage: boardwalk-cost [--scenario FILE] [--measured BENCH_JSON] [--json] [--chart SVG]";

/// What the command line asked for.
struct Options {
    scenario: PathBuf,
    measured: Option<PathBuf>,
    json: bool,
    chart: Option<PathBuf>,
}

fn options(mut args: impl Iterator<Item = String>) -> Result<Options, String> {
    let mut options = Options {
        scenario: PathBuf::from("cost/scenarios/reference.toml"),
        measured: None,
        json: false,
        chart: None,
    };
    while let Some(arg) = args.next() {
        let mut value = |name: &str| {
            args.next()
                .map(PathBuf::from)
                .ok_or(format!("{name} needs a path"))
        };
        match arg.as_str() {
            "--scenario" => options.scenario = value("--scenario")?,
            "--measured" => options.measured = Some(value("--measured")?),
            "--chart" => options.chart = Some(value("--chart")?),
            "--json" => options.json = true,
            other => return Err(format!("unknown argument {other:?}")),
        }
    }
    Ok(options)
}

fn main() -> ExitCode {
    let options = match options(std::env::args().skip(1)) {
        Ok(options) => options,
        Err(err) => {
            eprintln!("boardwalk-cost: {err}\n{USAGE}");
            return ExitCode::from(2);
        }
    };
    let report = match cost::Report::build(
        Path::new("."),
        &options.scenario,
        options.measured.as_deref(),
    ) {
        Ok(report) => report,
        Err(err) => {
            eprintln!("boardwalk-cost: {err}");
            return ExitCode::FAILURE;
        }
    };
    if options.json {
        match serde_json::to_string_pretty(&report) {
            Ok(json) => println!("{json}"),
            Err(err) => {
                eprintln!("boardwalk-cost: {err}");
                return ExitCode::FAILURE;
            }
        }
    } else {
        print!("{}", report.table());
    }
    if let Some(chart) = options.chart {
        if let Err(err) = report.chart(&chart) {
            eprintln!("boardwalk-cost: {err}");
            return ExitCode::FAILURE;
        }
        eprintln!("chart written to {}", chart.display());
    }
    ExitCode::SUCCESS
}
