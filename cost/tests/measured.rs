//! The report `make cost` prints, built from the committed bench run: Boardwalk's month is
//! priced from measured figures on every line, the sweep and the chart hold together.

use std::path::Path;

use cost::Report;

fn report() -> Report {
    let root = Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/.."));
    Report::build(root, &root.join("cost/scenarios/reference.toml"), None).unwrap()
}

/// Every service the board uses costs something in the measured month, and the Lambda line
/// is billed from the bench's CPU, not the reference's assumed second.
#[test]
fn the_measured_month_prices_every_service_from_the_bench() {
    let report = report();
    for service in [
        "Lambda",
        "API Gateway",
        "Cognito",
        "DynamoDB",
        "S3",
        "CloudFront",
    ] {
        assert!(
            report.measured.dollars(service) > 0.0,
            "{service}: {:#?}",
            report.measured
        );
    }
    let billed = report
        .measured_inputs
        .iter()
        .find(|input| input.name == "Lambda billed per request")
        .expect("the billed duration is shown with its source");
    assert!(billed.value > 0.0 && billed.value < 1000.0, "{billed:?}");
    assert!(report.measured.dollars("Lambda") < report.assumed.dollars("Lambda"));
}

/// Cost grows with users on both sides, and a crossover, when there is one, is where the
/// always-on line drops below Lambda's.
#[test]
fn the_sweep_rises_and_the_crossover_sits_where_the_lines_cross() {
    let report = report();
    for pair in report.sweep.windows(2) {
        assert!(pair[1].serverless > pair[0].serverless);
        assert!(pair[1].serverful >= pair[0].serverful);
    }
    if let Some(users) = report.crossover_users {
        let before = report
            .sweep
            .iter()
            .rev()
            .find(|p| p.monthly_active_users < users)
            .unwrap();
        let after = report
            .sweep
            .iter()
            .find(|p| p.monthly_active_users > users)
            .unwrap();
        assert!(before.serverless <= before.serverful, "{before:?}");
        assert!(after.serverless > after.serverful, "{after:?}");
    }
}

/// The chart is an SVG with a line per side and the crossover named in its legend.
#[test]
fn the_chart_is_written_as_svg() {
    let report = report();
    let path = std::env::temp_dir().join(format!("cost-chart-{}.svg", std::process::id()));
    report.chart(&path).unwrap();
    let svg = std::fs::read_to_string(&path).unwrap();
    std::fs::remove_file(&path).unwrap();
    assert!(svg.contains("<svg"));
    assert!(svg.matches("<polyline").count() >= 3, "one line per side");
    if report.crossover_users.is_some() {
        assert!(svg.contains("crossover"));
    }
}
