//! What one API request and one page view cost in billable units, either as a hand-made
//! estimate assumed them or as Boardwalk was measured, each figure with where it came from.

use serde::Serialize;

use crate::measured::{Bench, Units, written_item_bytes};
use crate::prices::Arch;
use crate::scenario::{Assumed, MeasuredSettings};

/// Bytes in a GB as AWS bills storage and transfer.
pub const GB: f64 = 1024.0 * 1024.0 * 1024.0;

/// A vCPU's worth of Lambda memory: below it a function gets that share of one core.
pub const FULL_VCPU_MB: f64 = 1769.0;

/// DynamoDB's per-item storage overhead (its pricing page: 100 bytes per item and index).
const ITEM_OVERHEAD_BYTES: f64 = 100.0;

/// One input of the model, for the report.
#[derive(Debug, Clone, Serialize)]
pub struct Input {
    /// What it is.
    pub name: String,
    /// Its value.
    pub value: f64,
    /// Its unit.
    pub unit: String,
    /// Where it came from.
    pub source: String,
}

/// Per-request and per-view figures one side of the comparison is priced from.
#[derive(Debug, Clone, Serialize)]
pub struct Workload {
    /// The column heading.
    pub label: String,
    /// Function memory.
    pub memory_mb: f64,
    /// Function architecture.
    pub arch: Arch,
    /// Mean billed Lambda milliseconds per API request (init included, spread).
    pub billed_ms: f64,
    /// Mean CPU milliseconds per API request on one full core (what an always-on server
    /// spends), when measured.
    pub cpu_ms: Option<f64>,
    /// Bytes per API request as API Gateway meters and CloudFront sends them.
    pub api_bytes: f64,
    /// Whether API requests also pass through CloudFront (Boardwalk's `/api/*` does).
    pub api_through_cdn: bool,
    /// Mean DynamoDB request units per API request.
    pub units: Units,
    /// Bytes per page view.
    pub page_view_bytes: f64,
    /// Static requests per page view.
    pub static_requests_per_view: f64,
    /// Share of static requests that reach S3.
    pub static_miss_ratio: f64,
    /// Whether each static request runs the viewer-request CloudFront Function.
    pub viewer_function: bool,
    /// GB held in DynamoDB.
    pub dynamodb_storage_gb: f64,
    /// GB held in S3.
    pub s3_storage_gb: f64,
    /// Every input above, with its source.
    pub inputs: Vec<Input>,
}

fn input(name: &str, value: f64, unit: &str, source: impl Into<String>) -> Input {
    Input {
        name: name.into(),
        value,
        unit: unit.into(),
        source: source.into(),
    }
}

impl Workload {
    /// The hand-made estimate's side, exactly as assumed.
    pub fn assumed(assumed: &Assumed) -> Workload {
        let reads = assumed.read_share
            * (assumed.eventually_consistent_share * 0.5
                + (1.0 - assumed.eventually_consistent_share))
            * (assumed.item_bytes / 4096.0).ceil();
        let writes = (1.0 - assumed.read_share) * (assumed.item_bytes / 1024.0).ceil();
        let stated = "the reference estimate, as stated";
        Workload {
            label: assumed.label.clone(),
            memory_mb: assumed.lambda_memory_mb,
            arch: assumed.lambda_arch,
            billed_ms: assumed.lambda_ms,
            cpu_ms: None,
            api_bytes: assumed.api_bytes,
            api_through_cdn: false,
            units: Units {
                read: reads,
                write: writes,
            },
            page_view_bytes: assumed.page_view_bytes,
            static_requests_per_view: assumed.static_requests_per_view,
            static_miss_ratio: assumed.static_miss_ratio,
            viewer_function: false,
            dynamodb_storage_gb: assumed.dynamodb_storage_gb,
            s3_storage_gb: assumed.s3_storage_gb,
            inputs: vec![
                input(
                    "Lambda duration per request",
                    assumed.lambda_ms,
                    "ms",
                    stated,
                ),
                input("Lambda memory", assumed.lambda_memory_mb, "MB", stated),
                input("API bytes per request", assumed.api_bytes, "B", stated),
                input(
                    "read units per request",
                    reads,
                    "RRU",
                    format!(
                        "{:.0} % reads, {:.0} % of them eventually consistent, {} B items (stated)",
                        assumed.read_share * 100.0,
                        assumed.eventually_consistent_share * 100.0,
                        assumed.item_bytes
                    ),
                ),
                input(
                    "write units per request",
                    writes,
                    "WRU",
                    "the remaining writes, one item each (stated)",
                ),
                input(
                    "bytes per page view",
                    assumed.page_view_bytes,
                    "B",
                    "\"1 MB\", as the calculator billed 2 TB (2,048 GB) for 2 M views",
                ),
                input(
                    "CloudFront requests per page view",
                    assumed.static_requests_per_view,
                    "",
                    "not stated: reproduces its CloudFront and S3 lines",
                ),
                input(
                    "S3 share of static requests",
                    assumed.static_miss_ratio,
                    "",
                    "a 90 % hit ratio (stated)",
                ),
                input(
                    "DynamoDB storage",
                    assumed.dynamodb_storage_gb,
                    "GB",
                    stated,
                ),
                input(
                    "S3 storage",
                    assumed.s3_storage_gb,
                    "GB",
                    "not stated: reproduces its S3 line",
                ),
            ],
        }
    }

    /// Boardwalk's side: the benchmark's classes in the scenario's mix, the template's
    /// memory, DynamoDB units from the calls each class was seen to make.
    pub fn measured(
        settings: &MeasuredSettings,
        bench: &Bench,
        memory_mb: f64,
    ) -> Result<Workload, crate::CostError> {
        let run = &bench.lambda.boardwalk;
        let measured_on = format!("make bench, {}", bench.machine);
        let cpu_share = (FULL_VCPU_MB / memory_mb).max(1.0);
        let mut billed_ms = 0.0;
        let mut cpu_ms = 0.0;
        let mut body_bytes = 0.0;
        let mut units = Units::default();
        let mut waits = 0.0;
        let mut inputs = Vec::new();
        for (class, share) in &settings.route_mix {
            let figures = run.classes.get(class).ok_or_else(|| {
                crate::CostError::Missing(format!("request class {class:?} in the bench figures"))
            })?;
            let wait: f64 = figures
                .calls
                .iter()
                .map(|call| {
                    settings
                        .dependency_ms
                        .get(&call.service)
                        .copied()
                        .unwrap_or(0.0)
                })
                .sum();
            let class_units = figures
                .calls
                .iter()
                .fold(Units::default(), |sum, call| sum + call.units());
            billed_ms += share * (figures.cpu_ms * cpu_share + wait);
            cpu_ms += share * figures.cpu_ms;
            body_bytes += share * figures.bytes;
            units = units
                + Units {
                    read: share * class_units.read,
                    write: share * class_units.write,
                };
            waits += share * wait;
            let calls: Vec<&str> = figures.calls.iter().map(|call| call.op.as_str()).collect();
            inputs.push(input(
                &format!("{class}: share, CPU ms, body B, RRU, WRU"),
                *share,
                "",
                format!(
                    "{:.2} ms CPU, {:.0} B, {} RRU, {} WRU from {} ({})",
                    figures.cpu_ms,
                    figures.bytes,
                    class_units.read,
                    class_units.write,
                    if calls.is_empty() {
                        "no AWS call".to_string()
                    } else {
                        calls.join(" + ")
                    },
                    "bench on moto"
                ),
            ));
        }
        let init = settings.cold_start_share * run.init_ms * cpu_share;
        billed_ms += init;
        let spa = &bench.spa;
        let page_view_bytes = settings.first_visit_share * spa.first_load_brotli
            + (1.0 - settings.first_visit_share) * spa.repeat_visit_brotli;
        let static_requests = settings.first_visit_share * spa.first_load_files()
            + (1.0 - settings.first_visit_share);
        let create_calls = run
            .classes
            .get("create")
            .map(|c| c.calls.clone())
            .unwrap_or_default();
        let post_bytes = written_item_bytes(&create_calls, "PostsTable").ok_or_else(|| {
            crate::CostError::Missing("a post written by the \"create\" class".into())
        })?;
        let comment_calls = run.samples.get("comment").cloned().unwrap_or_default();
        let comment_bytes =
            written_item_bytes(&comment_calls, "CommentsTable").ok_or_else(|| {
                crate::CostError::Missing(
                    "a comment written in the bench's \"comment\" sample".into(),
                )
            })?;
        let index_copies = |calls: &[crate::measured::Call], table: &str| {
            1.0 + calls
                .iter()
                .find(|call| call.table.as_deref() == Some(table))
                .and_then(|call| call.indexes)
                .unwrap_or(0.0)
        };
        let dynamodb_storage_gb = (settings.posts
            * (post_bytes + ITEM_OVERHEAD_BYTES)
            * index_copies(&create_calls, "PostsTable")
            + settings.comments
                * (comment_bytes + ITEM_OVERHEAD_BYTES)
                * index_copies(&comment_calls, "CommentsTable"))
            / GB;
        let s3_storage_gb = spa.stored_bytes() / GB + settings.media_storage_gb;
        let api_bytes = body_bytes + settings.response_header_bytes;
        inputs.extend([
            input(
                "Lambda memory",
                memory_mb,
                "MB",
                "LambdaMemoryMb default in the template",
            ),
            input(
                "CPU stretch at that memory",
                cpu_share,
                "×",
                format!("{FULL_VCPU_MB} MB is one vCPU (Lambda docs)"),
            ),
            input(
                "waiting on AWS per request",
                waits,
                "ms",
                format!(
                    "calls seen × the scenario's assumed in-region latencies {:?}",
                    settings.dependency_ms
                ),
            ),
            input(
                "init, spread over requests",
                init,
                "ms",
                format!(
                    "{:.1} ms measured × stretch × {} cold-start share (assumed)",
                    run.init_ms, settings.cold_start_share
                ),
            ),
            input(
                "Lambda billed per request",
                billed_ms,
                "ms",
                "CPU × stretch + waits + init",
            ),
            input(
                "API bytes per request",
                api_bytes,
                "B",
                format!(
                    "measured bodies in the mix + {} B of headers (assumed)",
                    settings.response_header_bytes
                ),
            ),
            input(
                "read units per request",
                units.read,
                "RRU",
                "the calls each class made, DynamoDB's rules",
            ),
            input(
                "write units per request",
                units.write,
                "WRU",
                "the calls each class made, DynamoDB's rules",
            ),
            input(
                "first-load bytes",
                spa.first_load_brotli,
                "B",
                measured_on.clone(),
            ),
            input(
                "repeat-visit bytes",
                spa.repeat_visit_brotli,
                "B",
                "index.html only: the rest is immutable",
            ),
            input(
                "first-visit share of views",
                settings.first_visit_share,
                "",
                "assumed",
            ),
            input(
                "bytes per page view",
                page_view_bytes,
                "B",
                "first and repeat visits in that share",
            ),
            input(
                "CloudFront requests per page view",
                static_requests,
                "",
                "files of the first load, or index.html",
            ),
            input(
                "post item",
                post_bytes,
                "B",
                "DynamoDB size of the bench's posts (400-character bodies)",
            ),
            input(
                "comment item",
                comment_bytes,
                "B",
                "DynamoDB size of the bench's comments",
            ),
            input(
                "DynamoDB storage",
                dynamodb_storage_gb,
                "GB",
                format!(
                    "{} posts and {} comments, +100 B each, ×(1 + indexes)",
                    settings.posts, settings.comments
                ),
            ),
            input(
                "S3 storage",
                s3_storage_gb,
                "GB",
                format!(
                    "the SPA + {} GB of pictures (assumed)",
                    settings.media_storage_gb
                ),
            ),
        ]);
        Ok(Workload {
            label: settings.label.clone(),
            memory_mb,
            arch: settings.lambda_arch,
            billed_ms,
            cpu_ms: Some(cpu_ms),
            api_bytes,
            api_through_cdn: true,
            units,
            page_view_bytes,
            static_requests_per_view: static_requests,
            static_miss_ratio: settings.static_miss_ratio,
            viewer_function: true,
            dynamodb_storage_gb,
            s3_storage_gb,
            inputs,
        })
    }
}

/// The `Default` of the template's `LambdaMemoryMb` parameter: the memory Boardwalk deploys
/// with unless the stage overrides it.
pub fn template_memory_mb(template: &str) -> Option<f64> {
    let mut lines = template
        .lines()
        .skip_while(|line| line.trim() != "LambdaMemoryMb:");
    lines.next()?;
    lines
        .take_while(|line| line.starts_with("    "))
        .find_map(|line| line.trim().strip_prefix("Default:"))
        .and_then(|value| value.trim().parse().ok())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_template_memory_is_read_from_its_parameter() {
        let template = "Parameters:\n  LambdaMemoryMb:\n    Type: Number\n    Default: 512\n    MinValue: 128\n  Other:\n    Default: 9\n";
        assert_eq!(template_memory_mb(template), Some(512.0));
        assert_eq!(
            template_memory_mb("Parameters:\n  Other:\n    Default: 9\n"),
            None
        );
    }

    #[test]
    fn the_real_template_has_a_memory_default() {
        let template = include_str!("../../infra/template.yaml");
        assert!(template_memory_mb(template).is_some_and(|mb| mb >= 128.0));
    }
}
