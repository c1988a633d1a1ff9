//! The report `make cost` prints: the scenario's month both ways, the inputs with their
//! sources, the always-on alternative, and the cost against monthly active users.

use std::fmt::Write as _;
use std::path::Path;

use plotters::prelude::*;
use serde::Serialize;

use crate::estimate::{Estimate, serverful, serverless};
use crate::measured::Bench;
use crate::prices::Prices;
use crate::scenario::{FreeTier, Scenario};
use crate::workload::{Input, Workload, template_memory_mb};
use crate::{CostError, read, read_json, read_toml};

/// Monthly active users the chart sweeps, from this many…
const SWEEP_FROM: f64 = 1_000.0;
/// …to this many.
const SWEEP_TO: f64 = 1_000_000.0;
/// Points per tenfold step.
const SWEEP_STEPS_PER_DECADE: u32 = 12;

/// One point of the sweep.
#[derive(Debug, Clone, Serialize)]
pub struct Point {
    /// Monthly active users.
    pub monthly_active_users: f64,
    /// Boardwalk on Lambda, measured.
    pub serverless: f64,
    /// The always-on alternative, measured.
    pub serverful: f64,
    /// Lambda priced with the hand-made estimate's assumptions.
    pub assumed: f64,
}

/// Everything `make cost` shows.
#[derive(Debug, Clone, Serialize)]
pub struct Report {
    /// The scenario's name.
    pub scenario: String,
    /// The prices' region.
    pub region: String,
    /// When the prices were read.
    pub prices_as_of: String,
    /// How the prices were obtained.
    pub prices_provenance: String,
    /// Which free allowances came off.
    pub free_tier: FreeTier,
    /// The traffic figures.
    pub traffic: Vec<Input>,
    /// The scenario's month with the hand-made estimate's assumptions.
    pub assumed: Estimate,
    /// The same month with Boardwalk's measured figures.
    pub measured: Estimate,
    /// The same month, measured, on the always-on alternative.
    pub serverful: Estimate,
    /// Each side's inputs.
    pub assumed_inputs: Vec<Input>,
    /// Boardwalk's inputs.
    pub measured_inputs: Vec<Input>,
    /// Cost against monthly active users.
    pub sweep: Vec<Point>,
    /// Monthly active users above which the always-on alternative is cheaper, if any in the sweep.
    pub crossover_users: Option<f64>,
}

impl Report {
    /// Prices `scenario_path` (paths inside it are relative to `root`), with the bench
    /// figures from `measured` instead of the scenario's when given.
    pub fn build(
        root: &Path,
        scenario_path: &Path,
        measured: Option<&Path>,
    ) -> Result<Report, CostError> {
        let scenario: Scenario = read_toml(scenario_path)?;
        let prices: Prices = read_toml(&root.join(&scenario.prices))?;
        let bench_path = measured
            .map(Path::to_path_buf)
            .unwrap_or_else(|| root.join(&scenario.measured));
        let bench: Bench = read_json(&bench_path)?;
        let template_path = root.join(&scenario.template);
        let memory_mb = template_memory_mb(&read(&template_path)?).ok_or_else(|| {
            CostError::Missing(format!(
                "LambdaMemoryMb's Default in {}",
                template_path.display()
            ))
        })?;
        let assumed = Workload::assumed(&scenario.assumed);
        let ours = Workload::measured(&scenario.boardwalk, &bench, memory_mb)?;
        let free = scenario.free_tier;
        let price = |users: f64| -> Result<Point, CostError> {
            let traffic = scenario.traffic.with_users(users);
            Ok(Point {
                monthly_active_users: users,
                serverless: serverless(&traffic, &ours, &prices, free).total(),
                serverful: serverful(&traffic, &ours, &scenario.serverful, &prices, free)
                    .ok_or_else(|| CostError::Missing("measured CPU per request".into()))?
                    .total(),
                assumed: serverless(&traffic, &assumed, &prices, free).total(),
            })
        };
        let steps = SWEEP_STEPS_PER_DECADE * (SWEEP_TO / SWEEP_FROM).log10().round() as u32;
        let sweep = (0..=steps)
            .map(|step| {
                price(SWEEP_FROM * 10f64.powf(f64::from(step) / f64::from(SWEEP_STEPS_PER_DECADE)))
            })
            .collect::<Result<Vec<_>, _>>()?;
        let crossover_users = crossover(&sweep, |users| {
            price(users).map(|p| p.serverless - p.serverful)
        })?;
        let traffic = &scenario.traffic;
        let from_scenario = "scenario";
        Ok(Report {
            scenario: scenario.name.clone(),
            region: prices.region.clone(),
            prices_as_of: prices.as_of.clone(),
            prices_provenance: prices.provenance.trim().to_string(),
            free_tier: free,
            traffic: vec![
                Input {
                    name: "monthly active users".into(),
                    value: traffic.monthly_active_users,
                    unit: String::new(),
                    source: from_scenario.into(),
                },
                Input {
                    name: "page views".into(),
                    value: traffic.page_views(),
                    unit: "/month".into(),
                    source: from_scenario.into(),
                },
                Input {
                    name: "API requests".into(),
                    value: traffic.api_requests(),
                    unit: "/month".into(),
                    source: from_scenario.into(),
                },
                Input {
                    name: "viewers in Korea".into(),
                    value: traffic.korea_share,
                    unit: "share".into(),
                    source:
                        "not stated: reproduces the reference's CloudFront line (the rest in Japan)"
                            .into(),
                },
            ],
            assumed: serverless(traffic, &assumed, &prices, free),
            measured: serverless(traffic, &ours, &prices, free),
            serverful: serverful(traffic, &ours, &scenario.serverful, &prices, free)
                .ok_or_else(|| CostError::Missing("measured CPU per request".into()))?,
            assumed_inputs: assumed.inputs,
            measured_inputs: ours.inputs,
            sweep,
            crossover_users,
        })
    }

    /// The report as Markdown tables.
    pub fn table(&self) -> String {
        let mut out = String::new();
        let _ = writeln!(
            out,
            "# {}\n\nPrices: {} as of {}; always-free allowances taken off: {}. {}\n",
            self.scenario,
            self.region,
            self.prices_as_of,
            self.free_tier.describe(),
            self.prices_provenance.replace('\n', " ")
        );
        let _ = writeln!(
            out,
            "| service | {} | {} | {} |",
            self.assumed.label, self.measured.label, self.serverful.label
        );
        let _ = writeln!(out, "|---|---:|---:|---:|");
        let mut services: Vec<&str> = Vec::new();
        for estimate in [&self.assumed, &self.measured, &self.serverful] {
            for line in &estimate.lines {
                if !services.contains(&line.service.as_str()) {
                    services.push(&line.service);
                }
            }
        }
        let cell = |estimate: &Estimate, service: &str| {
            if estimate.lines.iter().any(|line| line.service == service) {
                usd(estimate.dollars(service))
            } else {
                "–".to_string()
            }
        };
        for service in &services {
            let _ = writeln!(
                out,
                "| {service} | {} | {} | {} |",
                cell(&self.assumed, service),
                cell(&self.measured, service),
                cell(&self.serverful, service)
            );
        }
        let _ = writeln!(
            out,
            "| **total** | **{}** | **{}** | **{}** |\n",
            usd(self.assumed.total()),
            usd(self.measured.total()),
            usd(self.serverful.total())
        );
        for estimate in [&self.assumed, &self.measured, &self.serverful] {
            let _ = writeln!(out, "{}:", estimate.label);
            for line in &estimate.lines {
                let _ = writeln!(out, "- {}: {}", line.service, line.detail);
            }
            out.push('\n');
        }
        for (title, inputs) in [
            ("Traffic", &self.traffic),
            (self.assumed.label.as_str(), &self.assumed_inputs),
            (self.measured.label.as_str(), &self.measured_inputs),
        ] {
            let _ = writeln!(out, "| {title}: input | value | from |\n|---|---:|---|");
            for input in inputs {
                let _ = writeln!(
                    out,
                    "| {} | {} {} | {} |",
                    input.name,
                    figure(input.value),
                    input.unit,
                    input.source
                );
            }
            out.push('\n');
        }
        let _ = match self.crossover_users {
            Some(users) => writeln!(
                out,
                "Crossover: above {} monthly active users the always-on alternative costs less than Lambda.",
                figure(users.round())
            ),
            None => writeln!(
                out,
                "No crossover between {} and {} monthly active users.",
                figure(SWEEP_FROM),
                figure(SWEEP_TO)
            ),
        };
        out
    }

    /// Monthly cost against monthly active users, both deployments, as an SVG file.
    pub fn chart(&self, path: &Path) -> Result<(), CostError> {
        let chart_error = |err: &dyn std::fmt::Display| CostError::Chart(err.to_string());
        let top = self
            .sweep
            .iter()
            .map(|p| p.serverless.max(p.serverful).max(p.assumed))
            .fold(1.0, f64::max);
        let bottom = self
            .sweep
            .iter()
            .map(|p| p.serverless.min(p.serverful).min(p.assumed))
            .fold(f64::INFINITY, f64::min)
            .max(0.01);
        let root = SVGBackend::new(path, (900, 560)).into_drawing_area();
        root.fill(&WHITE).map_err(|e| chart_error(&e))?;
        let mut chart = ChartBuilder::on(&root)
            .caption(
                format!(
                    "Boardwalk: monthly cost by monthly active users ({})",
                    self.region
                ),
                ("sans-serif", 22),
            )
            .margin(16)
            .margin_right(40)
            .x_label_area_size(48)
            .y_label_area_size(72)
            .build_cartesian_2d(
                (SWEEP_FROM..SWEEP_TO).log_scale(),
                (bottom * 0.8..top * 1.25).log_scale(),
            )
            .map_err(|e| chart_error(&e))?;
        chart
            .configure_mesh()
            .x_desc("monthly active users")
            .y_desc("USD per month")
            .x_label_formatter(&|users| figure(*users))
            .y_label_formatter(&|dollars| format!("${}", figure(*dollars)))
            .draw()
            .map_err(|e| chart_error(&e))?;
        let series = [
            (
                &self.measured.label,
                BLUE,
                self.sweep
                    .iter()
                    .map(|p| (p.monthly_active_users, p.serverless))
                    .collect::<Vec<_>>(),
            ),
            (
                &self.serverful.label,
                RED,
                self.sweep
                    .iter()
                    .map(|p| (p.monthly_active_users, p.serverful))
                    .collect(),
            ),
            (
                &self.assumed.label,
                RGBColor(140, 140, 140),
                self.sweep
                    .iter()
                    .map(|p| (p.monthly_active_users, p.assumed))
                    .collect(),
            ),
        ];
        for (label, colour, points) in series {
            chart
                .draw_series(LineSeries::new(points, colour.stroke_width(3)))
                .map_err(|e| chart_error(&e))?
                .label(label.as_str())
                .legend(move |(x, y)| {
                    PathElement::new(vec![(x, y), (x + 24, y)], colour.stroke_width(3))
                });
        }
        if let Some(users) = self.crossover_users {
            chart
                .draw_series(LineSeries::new(
                    vec![(users, bottom * 0.8), (users, top * 1.25)],
                    BLACK.stroke_width(1),
                ))
                .map_err(|e| chart_error(&e))?
                .label(format!("crossover: {} MAU", figure(users.round())))
                .legend(|(x, y)| {
                    PathElement::new(vec![(x, y), (x + 24, y)], BLACK.stroke_width(1))
                });
        }
        chart
            .configure_series_labels()
            .position(SeriesLabelPosition::UpperLeft)
            .background_style(WHITE.mix(0.9))
            .border_style(BLACK)
            .draw()
            .map_err(|e| chart_error(&e))?;
        root.present().map_err(|e| chart_error(&e))
    }
}

/// Where `difference` (serverless − serverful) turns positive, refined between the sweep's
/// points by bisection: the first number of people for whom always-on is cheaper.
fn crossover(
    sweep: &[Point],
    difference: impl Fn(f64) -> Result<f64, CostError>,
) -> Result<Option<f64>, CostError> {
    let Some(pair) = sweep.windows(2).find(|pair| {
        pair[0].serverless <= pair[0].serverful && pair[1].serverless > pair[1].serverful
    }) else {
        return Ok(None);
    };
    let (mut low, mut high) = (pair[0].monthly_active_users, pair[1].monthly_active_users);
    while high - low > 1.0 {
        let middle = (low + high) / 2.0;
        if difference(middle)? > 0.0 {
            high = middle;
        } else {
            low = middle;
        }
    }
    Ok(Some(high))
}

/// Dollars to the cent, rounded the way an invoice rounds (half a cent up), not the way
/// `{:.2}` rounds a binary float.
pub fn usd(dollars: f64) -> String {
    format!("${:.2}", (dollars * 100.0).round() / 100.0)
}

/// A number as people read it: thousands separated, at most two decimals.
pub fn figure(value: f64) -> String {
    let rounded = if value.abs() >= 100.0 {
        value.round()
    } else {
        (value * 100.0).round() / 100.0
    };
    let whole = rounded.trunc().abs() as u64;
    let digits = whole.to_string();
    let mut grouped = String::new();
    for (i, digit) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            grouped.push(',');
        }
        grouped.push(digit);
    }
    let fraction = (rounded.abs() - whole as f64).abs();
    let sign = if rounded < 0.0 { "-" } else { "" };
    if fraction > 0.000_001 {
        let decimals = format!("{fraction:.2}");
        format!(
            "{sign}{grouped}{}",
            decimals.trim_start_matches('0').trim_end_matches('0')
        )
    } else {
        format!("{sign}{grouped}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn figures_are_grouped_and_rounded() {
        assert_eq!(figure(1_000_000.0), "1,000,000");
        assert_eq!(figure(6_300_000.4), "6,300,000");
        assert_eq!(figure(0.526), "0.53");
        assert_eq!(figure(12.5), "12.5");
        assert_eq!(figure(999.0), "999");
        assert_eq!(figure(0.0), "0");
    }

    #[test]
    fn dollars_round_half_a_cent_up() {
        assert_eq!(usd(0.725), "$0.73");
        assert_eq!(usd(268.534), "$268.53");
    }

    fn point(users: f64, serverless: f64, serverful: f64) -> Point {
        Point {
            monthly_active_users: users,
            serverless,
            serverful,
            assumed: 0.0,
        }
    }

    #[test]
    fn the_crossover_is_where_always_on_starts_to_win() {
        let sweep = [
            point(1000.0, 1.0, 50.0),
            point(10_000.0, 10.0, 50.0),
            point(100_000.0, 100.0, 50.0),
        ];
        let found = crossover(&sweep, |users| Ok(users / 1000.0 - 50.0))
            .unwrap()
            .unwrap();
        assert!((found - 50_000.0).abs() <= 1.0, "{found}");
        let never = [point(1000.0, 1.0, 50.0), point(10_000.0, 10.0, 50.0)];
        assert!(crossover(&never, |_| Ok(-1.0)).unwrap().is_none());
    }
}
