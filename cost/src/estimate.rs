//! A month's bill, line by line: the serverless stack as the template builds it, or the
//! always-on alternative.

use serde::Serialize;

use crate::prices::{CdnUsage, HOURS_PER_MONTH, LambdaUsage, Prices};
use crate::scenario::{FreeTier, Serverful, Traffic};
use crate::workload::{GB, Workload};

/// One service's share of the month.
#[derive(Debug, Clone, Serialize)]
pub struct Line {
    /// The service.
    pub service: String,
    /// Dollars for the month.
    pub dollars: f64,
    /// The quantities it was priced from.
    pub detail: String,
}

/// A month's bill.
#[derive(Debug, Clone, Serialize)]
pub struct Estimate {
    /// Which side: the workload's label, or the serverful alternative's.
    pub label: String,
    /// Monthly active users it was priced for.
    pub monthly_active_users: f64,
    /// Each service.
    pub lines: Vec<Line>,
}

impl Estimate {
    /// The month's total.
    pub fn total(&self) -> f64 {
        self.lines.iter().map(|line| line.dollars).sum()
    }

    /// One service's dollars (0 when it is not on this bill).
    pub fn dollars(&self, service: &str) -> f64 {
        self.lines
            .iter()
            .filter(|line| line.service == service)
            .map(|line| line.dollars)
            .sum()
    }
}

fn line(service: &str, dollars: f64, detail: String) -> Line {
    Line {
        service: service.into(),
        dollars,
        detail,
    }
}

/// What both deployments pay alike: people, data, the SPA's files and the CDN.
fn shared_lines(
    traffic: &Traffic,
    workload: &Workload,
    prices: &Prices,
    free_tier: FreeTier,
) -> Vec<Line> {
    let requests = traffic.api_requests();
    let views = traffic.page_views();
    let static_requests = views * workload.static_requests_per_view;
    let (api_cdn_bytes, api_cdn_requests) = if workload.api_through_cdn {
        (requests * workload.api_bytes, requests)
    } else {
        (0.0, 0.0)
    };
    let cdn = CdnUsage {
        gb: (views * workload.page_view_bytes + api_cdn_bytes) / GB,
        requests: static_requests + api_cdn_requests,
        function_invocations: if workload.viewer_function {
            static_requests
        } else {
            0.0
        },
        korea_share: traffic.korea_share,
    };
    let reads = requests * workload.units.read;
    let writes = requests * workload.units.write;
    let gets = static_requests * workload.static_miss_ratio;
    vec![
        line(
            "Cognito",
            prices
                .cognito
                .monthly(traffic.monthly_active_users, free_tier.cognito),
            format!("{:.0} MAU, Lite tier", traffic.monthly_active_users),
        ),
        line(
            "DynamoDB",
            prices.dynamodb.monthly(
                reads,
                writes,
                workload.dynamodb_storage_gb,
                free_tier.dynamodb,
            ),
            format!(
                "{:.2} M RRU, {:.2} M WRU, {:.2} GB",
                reads / 1e6,
                writes / 1e6,
                workload.dynamodb_storage_gb
            ),
        ),
        line(
            "S3",
            prices.s3.monthly(workload.s3_storage_gb, gets),
            format!("{:.2} GB, {:.2} M GETs", workload.s3_storage_gb, gets / 1e6),
        ),
        line(
            "CloudFront",
            prices.cloudfront.monthly(&cdn, free_tier.cloudfront),
            format!(
                "{:.0} GB, {:.1} M requests ({:.0} % Korea){}",
                cdn.gb,
                cdn.requests / 1e6,
                traffic.korea_share * 100.0,
                if cdn.function_invocations > 0.0 {
                    format!(", {:.1} M function runs", cdn.function_invocations / 1e6)
                } else {
                    String::new()
                }
            ),
        ),
    ]
}

/// The stack the template builds: Lambda behind an HTTP API, and the shared services.
pub fn serverless(
    traffic: &Traffic,
    workload: &Workload,
    prices: &Prices,
    free_tier: FreeTier,
) -> Estimate {
    let requests = traffic.api_requests();
    let lambda = LambdaUsage {
        requests,
        billed_ms: workload.billed_ms,
        memory_mb: workload.memory_mb,
        arch: workload.arch,
    };
    let mut lines = vec![
        line(
            "Lambda",
            prices.lambda.monthly(&lambda, free_tier.lambda),
            format!(
                "{:.2} M requests × {:.1} ms at {} MB {:?} = {:.0} GB-s",
                requests / 1e6,
                workload.billed_ms,
                workload.memory_mb,
                workload.arch,
                lambda.gb_seconds()
            ),
        ),
        line(
            "API Gateway",
            prices.api_gateway.monthly(requests, workload.api_bytes),
            format!(
                "{:.2} M HTTP API requests of {:.1} KB",
                requests / 1e6,
                workload.api_bytes / 1024.0
            ),
        ),
    ];
    lines.extend(shared_lines(traffic, workload, prices, free_tier));
    Estimate {
        label: workload.label.clone(),
        monthly_active_users: traffic.monthly_active_users,
        lines,
    }
}

/// The always-on alternative: the same binary as a local server against DynamoDB, enough
/// instances for the busiest hour at the measured CPU per request, behind an ALB.
pub fn serverful(
    traffic: &Traffic,
    workload: &Workload,
    fleet: &Serverful,
    prices: &Prices,
    free_tier: FreeTier,
) -> Option<Estimate> {
    let cpu_ms = workload.cpu_ms?;
    let ec2 = &prices.ec2;
    let seconds = HOURS_PER_MONTH * 3600.0;
    let average_rps = traffic.api_requests() / seconds;
    let peak_rps = average_rps * fleet.peak_to_average;
    let instance_rps = ec2.instance_vcpus * 1000.0 / cpu_ms * fleet.target_cpu_utilisation;
    let instances = (peak_rps / instance_rps).ceil().max(fleet.min_instances);
    // An LCU is 25 new connections a second, 3,000 active a minute, 1 GB processed an hour
    // or 1,000 rule evaluations a second (one rule: none billed); the largest one counts.
    let processed_gb_per_hour = traffic.api_requests() * workload.api_bytes / GB / HOURS_PER_MONTH;
    let new_connections = average_rps * fleet.new_connections_per_request / 25.0;
    let lcus = processed_gb_per_hour.max(new_connections);
    let mut lines = vec![
        line(
            "EC2",
            instances * HOURS_PER_MONTH * ec2.instance_hour,
            format!(
                "{instances:.0} × {} (peak {peak_rps:.0} req/s; one serves {instance_rps:.0} at {:.0} % CPU)",
                ec2.instance_type,
                fleet.target_cpu_utilisation * 100.0
            ),
        ),
        line(
            "Load balancer",
            HOURS_PER_MONTH * (ec2.alb_hour + lcus * ec2.lcu_hour),
            format!("one ALB, {lcus:.3} LCU on average"),
        ),
        line(
            "EBS",
            instances * fleet.disk_gb * ec2.gp3_gb_month,
            format!("{instances:.0} × {} GB gp3", fleet.disk_gb),
        ),
    ];
    lines.extend(shared_lines(traffic, workload, prices, free_tier));
    Some(Estimate {
        label: fleet.label.clone(),
        monthly_active_users: traffic.monthly_active_users,
        lines,
    })
}
