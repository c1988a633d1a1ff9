//! A scenario file (`cost/scenarios/*.toml`): the month's traffic, the assumptions a
//! hand-made estimate used, and how Boardwalk's measured figures become a month.

use std::collections::BTreeMap;

use serde::Deserialize;

use crate::prices::Arch;

/// One scenario, as written in its file.
#[derive(Debug, Clone, Deserialize)]
pub struct Scenario {
    /// What the scenario describes, shown above every table.
    pub name: String,
    /// The prices file, relative to the workspace root.
    pub prices: String,
    /// Which services' always-free allowances come off.
    pub free_tier: FreeTier,
    /// The benchmark's figures (`make bench` writes `target/bench/bench.json`).
    pub measured: String,
    /// The SAM template, whose `LambdaMemoryMb` default the measured side runs at.
    pub template: String,
    /// How many people, and what they do in a month.
    pub traffic: Traffic,
    /// The hand-made estimate's assumptions.
    pub assumed: Assumed,
    /// How the benchmark's figures are turned into a month.
    pub boardwalk: MeasuredSettings,
    /// The always-on alternative.
    pub serverful: Serverful,
}

/// The always-free allowances, service by service (the reference's estimate leaves out all
/// but DynamoDB's 25 GB of storage).
#[derive(Debug, Clone, Copy, Default, Deserialize, serde::Serialize)]
pub struct FreeTier {
    /// 1 M requests and 400,000 GB-s a month.
    pub lambda: bool,
    /// 10,000 MAU on Lite.
    pub cognito: bool,
    /// 25 GB of storage.
    pub dynamodb: bool,
    /// 1 TB, 10 M requests and 2 M function runs a month.
    pub cloudfront: bool,
}

impl FreeTier {
    /// The services whose allowance applies, for the report.
    pub fn describe(&self) -> String {
        let applied: Vec<&str> = [
            ("Lambda", self.lambda),
            ("Cognito", self.cognito),
            ("DynamoDB storage", self.dynamodb),
            ("CloudFront", self.cloudfront),
        ]
        .into_iter()
        .filter_map(|(name, on)| on.then_some(name))
        .collect();
        if applied.is_empty() {
            "none".into()
        } else {
            applied.join(", ")
        }
    }
}

/// A month of people, scaled linearly with monthly active users for the chart.
#[derive(Debug, Clone, Deserialize)]
pub struct Traffic {
    /// Monthly active users (the people Cognito bills).
    pub monthly_active_users: f64,
    /// Page views per active user in a month.
    pub page_views_per_user: f64,
    /// API requests per active user in a month.
    pub api_requests_per_user: f64,
    /// The share of viewers in South Korea; the rest are in Japan.
    pub korea_share: f64,
}

impl Traffic {
    /// The same habits for a different number of people.
    pub fn with_users(&self, monthly_active_users: f64) -> Traffic {
        Traffic {
            monthly_active_users,
            ..self.clone()
        }
    }

    /// Page views in the month.
    pub fn page_views(&self) -> f64 {
        self.monthly_active_users * self.page_views_per_user
    }

    /// API requests in the month.
    pub fn api_requests(&self) -> f64 {
        self.monthly_active_users * self.api_requests_per_user
    }
}

/// The reference estimate's assumptions, stated or, where it is silent, the values that
/// reproduce its figures (each explained in the scenario file).
#[derive(Debug, Clone, Deserialize)]
pub struct Assumed {
    /// The column heading.
    pub label: String,
    /// Duration of every API request.
    pub lambda_ms: f64,
    /// Function memory.
    pub lambda_memory_mb: f64,
    /// Function architecture.
    pub lambda_arch: Arch,
    /// Bytes of one API request and response, as API Gateway meters them.
    pub api_bytes: f64,
    /// Bytes downloaded per page view.
    pub page_view_bytes: f64,
    /// Files fetched from CloudFront per page view.
    pub static_requests_per_view: f64,
    /// The share of those CloudFront passes on to S3.
    pub static_miss_ratio: f64,
    /// The share of API requests that read (the rest write).
    pub read_share: f64,
    /// The share of reads that are eventually consistent.
    pub eventually_consistent_share: f64,
    /// The size of every item read or written.
    pub item_bytes: f64,
    /// GB held in DynamoDB.
    pub dynamodb_storage_gb: f64,
    /// GB held in S3.
    pub s3_storage_gb: f64,
}

/// What turns the benchmark's per-request figures into Boardwalk's month.
#[derive(Debug, Clone, Deserialize)]
pub struct MeasuredSettings {
    /// The column heading.
    pub label: String,
    /// The architecture the template deploys.
    pub lambda_arch: Arch,
    /// The share of API requests of each measured class (keys are the benchmark's names).
    pub route_mix: BTreeMap<String, f64>,
    /// Milliseconds a call waits on each service inside AWS's network (moto on loopback is
    /// not a measure of that): an assumption, stated in the scenario.
    pub dependency_ms: BTreeMap<String, f64>,
    /// The share of requests that start a new Lambda instance (its init is billed).
    pub cold_start_share: f64,
    /// The share of page views by a browser without the SPA in its cache.
    pub first_visit_share: f64,
    /// The share of static requests CloudFront passes on to S3.
    pub static_miss_ratio: f64,
    /// Response headers CloudFront sends besides the measured body.
    pub response_header_bytes: f64,
    /// Posts held.
    pub posts: f64,
    /// Comments held.
    pub comments: f64,
    /// GB of pictures in S3 besides the SPA.
    pub media_storage_gb: f64,
}

/// The always-on alternative: the same binary in local-server mode against DynamoDB, on
/// instances behind an Application Load Balancer, CloudFront in front as before.
#[derive(Debug, Clone, Deserialize)]
pub struct Serverful {
    /// How it is described in the report and the chart.
    pub label: String,
    /// Instances never fewer than this (one per availability zone).
    pub min_instances: f64,
    /// The busiest hour's requests per second over the month's average.
    pub peak_to_average: f64,
    /// How busy an instance's CPUs may run at the peak before another is added.
    pub target_cpu_utilisation: f64,
    /// New TCP connections per request reaching the ALB (CloudFront keeps connections open).
    pub new_connections_per_request: f64,
    /// gp3 GB per instance.
    pub disk_gb: f64,
}
