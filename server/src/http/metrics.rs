//! Request metrics, one record per request: latency and status class per route template
//! (`/api/posts/{id}`, never the raw path, so the series stay few), cold starts, and
//! dependency failures (a 503: a store or provider did not answer). On Lambda each record is
//! a CloudWatch Embedded Metric Format line on stdout, which CloudWatch turns into metrics
//! with no API call; locally the same series are counted for `GET /api/metrics` in
//! Prometheus' text format.

use std::{
    io::Write,
    sync::{
        Mutex,
        atomic::{AtomicBool, Ordering},
    },
    time::{Duration, Instant, SystemTime, UNIX_EPOCH},
};

use app::error::AppError;
use axum::{
    Router,
    extract::{MatchedPath, Request, State},
    http::{HeaderValue, StatusCode, header::CONTENT_TYPE},
    middleware::{self, Next},
    response::{IntoResponse, Response},
};
use prometheus::{
    Encoder, HistogramOpts, HistogramVec, IntCounter, IntCounterVec, Opts, Registry, TextEncoder,
};
use serde_json::json;
use utoipa_axum::{router::OpenApiRouter, routes};

use super::{AppState, middleware::REQUEST_ID};

/// The CloudWatch namespace of the EMF metrics.
pub const NAMESPACE: &str = "Boardwalk";

/// One finished request, as both sinks record it.
#[derive(Debug, Clone)]
pub struct RequestRecord {
    /// The route template, or `unmatched`.
    pub route: String,
    /// The HTTP method.
    pub method: String,
    /// `2xx`, `4xx`, `5xx`…
    pub status_class: &'static str,
    /// From the first byte in to the response head out.
    pub latency: Duration,
    /// Whether a dependency failed (the answer was a 503).
    pub dependency_failed: bool,
    /// Whether this is the first request this process served.
    pub cold_start: bool,
    /// Our request id (`x-request-id`).
    pub request_id: String,
    /// API Gateway's own request id, when the request came through it.
    pub api_gateway_request_id: Option<String>,
}

/// The local server's series, in a registry of their own.
struct Prometheus {
    registry: Registry,
    requests: IntCounterVec,
    latency: HistogramVec,
    dependency_failures: IntCounterVec,
    cold_starts: IntCounter,
}

impl Prometheus {
    fn new() -> Result<Self, prometheus::Error> {
        let registry = Registry::new();
        let requests = IntCounterVec::new(
            Opts::new(
                "boardwalk_http_requests_total",
                "Requests answered, by route and status class.",
            ),
            &["route", "method", "status_class"],
        )?;
        let latency = HistogramVec::new(
            HistogramOpts::new(
                "boardwalk_http_request_duration_seconds",
                "Time to answer, by route.",
            )
            .buckets(vec![
                0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5,
            ]),
            &["route", "method"],
        )?;
        let dependency_failures = IntCounterVec::new(
            Opts::new(
                "boardwalk_dependency_failures_total",
                "Requests a store or provider failed (503), by route.",
            ),
            &["route"],
        )?;
        let cold_starts = IntCounter::new(
            "boardwalk_cold_starts_total",
            "Processes started that served a request.",
        )?;
        registry.register(Box::new(requests.clone()))?;
        registry.register(Box::new(latency.clone()))?;
        registry.register(Box::new(dependency_failures.clone()))?;
        registry.register(Box::new(cold_starts.clone()))?;
        Ok(Self {
            registry,
            requests,
            latency,
            dependency_failures,
            cold_starts,
        })
    }

    fn record(&self, record: &RequestRecord) {
        self.requests
            .with_label_values(&[
                record.route.as_str(),
                record.method.as_str(),
                record.status_class,
            ])
            .inc();
        self.latency
            .with_label_values(&[record.route.as_str(), record.method.as_str()])
            .observe(record.latency.as_secs_f64());
        if record.dependency_failed {
            self.dependency_failures
                .with_label_values(&[record.route.as_str()])
                .inc();
        }
        if record.cold_start {
            self.cold_starts.inc();
        }
    }
}

/// Where the records go.
enum Sink {
    Prometheus(Prometheus),
    Emf(Mutex<Box<dyn Write + Send>>),
}

/// The request metrics of this process.
pub struct RequestMetrics {
    sink: Sink,
    served_one: AtomicBool,
}

impl RequestMetrics {
    /// Counted in memory for `GET /api/metrics`: the local server.
    pub fn prometheus() -> Self {
        let registry = Prometheus::new().expect("the metric names and labels are valid");
        Self::with(Sink::Prometheus(registry))
    }

    /// One EMF line per request on `out` (stdout on Lambda).
    pub fn emf(out: Box<dyn Write + Send>) -> Self {
        Self::with(Sink::Emf(Mutex::new(out)))
    }

    fn with(sink: Sink) -> Self {
        Self {
            sink,
            served_one: AtomicBool::new(false),
        }
    }

    /// Whether this request is the process's first.
    fn cold_start(&self) -> bool {
        !self.served_one.swap(true, Ordering::Relaxed)
    }

    fn record(&self, record: &RequestRecord) {
        match &self.sink {
            Sink::Prometheus(prometheus) => prometheus.record(record),
            Sink::Emf(out) => {
                let line = emf_line(record, SystemTime::now());
                if let Ok(mut out) = out.lock() {
                    let _ = writeln!(out, "{line}");
                }
            }
        }
    }

    /// The series in Prometheus' text format; `None` when this process emits EMF instead.
    pub fn prometheus_text(&self) -> Option<String> {
        let Sink::Prometheus(prometheus) = &self.sink else {
            return None;
        };
        let mut text = Vec::new();
        TextEncoder::new()
            .encode(&prometheus.registry.gather(), &mut text)
            .ok()?;
        String::from_utf8(text).ok()
    }
}

/// The Embedded Metric Format document for one request: the metrics, their dimensions
/// (route and status class), and the ids as plain properties for searching the logs.
pub fn emf_line(record: &RequestRecord, now: SystemTime) -> serde_json::Value {
    let timestamp = now
        .duration_since(UNIX_EPOCH)
        .unwrap_or_default()
        .as_millis();
    json!({
        "_aws": {
            "Timestamp": u64::try_from(timestamp).unwrap_or(u64::MAX),
            "CloudWatchMetrics": [{
                "Namespace": NAMESPACE,
                "Dimensions": [["Route", "StatusClass"], []],
                "Metrics": [
                    {"Name": "Latency", "Unit": "Milliseconds"},
                    {"Name": "Requests", "Unit": "Count"},
                    {"Name": "DependencyFailures", "Unit": "Count"},
                    {"Name": "ColdStart", "Unit": "Count"},
                ],
            }],
        },
        "Route": record.route,
        "StatusClass": record.status_class,
        "Method": record.method,
        "Latency": record.latency.as_secs_f64() * 1000.0,
        "Requests": 1,
        "DependencyFailures": u8::from(record.dependency_failed),
        "ColdStart": u8::from(record.cold_start),
        "requestId": record.request_id,
        "apiGatewayRequestId": record.api_gateway_request_id,
    })
}

fn status_class(status: StatusCode) -> &'static str {
    match status.as_u16() {
        100..=199 => "1xx",
        200..=299 => "2xx",
        300..=399 => "3xx",
        400..=499 => "4xx",
        _ => "5xx",
    }
}

/// API Gateway's id for the request, which `lambda_http` keeps in the request's extensions.
pub fn api_gateway_request_id(request: &Request) -> Option<String> {
    use lambda_http::request::RequestContext;
    match request.extensions().get::<RequestContext>()? {
        RequestContext::ApiGatewayV2(context) => context.request_id.clone(),
        #[allow(unreachable_patterns)]
        _ => None,
    }
}

async fn measure(
    State(metrics): State<std::sync::Arc<RequestMetrics>>,
    request: Request,
    next: Next,
) -> Response {
    let started = Instant::now();
    let route = request
        .extensions()
        .get::<MatchedPath>()
        .map_or_else(|| "unmatched".to_owned(), |path| path.as_str().to_owned());
    let method = request.method().to_string();
    let request_id = request
        .headers()
        .get(REQUEST_ID)
        .and_then(|id| id.to_str().ok())
        .unwrap_or_default()
        .to_owned();
    let api_gateway_request_id = api_gateway_request_id(&request);
    let response = next.run(request).await;
    let status = response.status();
    metrics.record(&RequestRecord {
        route,
        method,
        status_class: status_class(status),
        latency: started.elapsed(),
        dependency_failed: status == StatusCode::SERVICE_UNAVAILABLE,
        cold_start: metrics.cold_start(),
        request_id,
        api_gateway_request_id,
    });
    response
}

/// Records every request of `api` (route templates are known inside the Router, so this
/// wraps each route: `route_layer`).
pub fn measured(
    api: Router<AppState>,
    metrics: std::sync::Arc<RequestMetrics>,
) -> Router<AppState> {
    api.route_layer(middleware::from_fn_with_state(metrics, measure))
}

/// `GET /api/metrics`: the local server's series for a person (or Prometheus) to watch.
/// Absent (404) where the process writes EMF instead.
pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(exposition))
}

#[utoipa::path(get,
    path = "/api/metrics",
    operation_id = "metrics", tag = "service",
    responses(
        (status = 200, description = "Prometheus text format.", content_type = "text/plain", body = String),
        (status = 404, description = "Not here: on AWS the series are EMF lines in CloudWatch Logs.", body = AppError),
    ),
)]
async fn exposition(State(state): State<AppState>) -> Response {
    match state.metrics.prometheus_text() {
        Some(text) => (
            [(
                CONTENT_TYPE,
                HeaderValue::from_static("text/plain; version=0.0.4; charset=utf-8"),
            )],
            text,
        )
            .into_response(),
        None => super::ApiError(app::error::AppError::not_found(
            "There is no API route at this address.",
        ))
        .into_response(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn record() -> RequestRecord {
        RequestRecord {
            route: "/api/posts/{id}".into(),
            method: "GET".into(),
            status_class: "2xx",
            latency: Duration::from_micros(2500),
            dependency_failed: false,
            cold_start: true,
            request_id: "req-1".into(),
            api_gateway_request_id: Some("apigw-1".into()),
        }
    }

    #[test]
    fn an_emf_line_declares_each_metric_it_carries() {
        let line = emf_line(&record(), UNIX_EPOCH + Duration::from_secs(1_800_000_000));
        let declared = &line["_aws"]["CloudWatchMetrics"][0];
        assert_eq!(declared["Namespace"], NAMESPACE);
        for metric in declared["Metrics"].as_array().unwrap() {
            let name = metric["Name"].as_str().unwrap();
            assert!(line[name].is_number(), "{name} is declared and present");
        }
        for dimension in declared["Dimensions"][0].as_array().unwrap() {
            assert!(line[dimension.as_str().unwrap()].is_string());
        }
        assert_eq!(line["Latency"], 2.5);
        assert_eq!(line["_aws"]["Timestamp"], 1_800_000_000_000_u64);
    }

    #[test]
    fn prometheus_counts_by_route_template_and_status_class() {
        let metrics = RequestMetrics::prometheus();
        metrics.record(&record());
        metrics.record(&RequestRecord {
            status_class: "5xx",
            dependency_failed: true,
            cold_start: false,
            ..record()
        });
        let text = metrics.prometheus_text().unwrap();
        assert!(text.contains(r#"boardwalk_http_requests_total{method="GET",route="/api/posts/{id}",status_class="2xx"} 1"#), "{text}");
        assert!(text.contains(r#"boardwalk_dependency_failures_total{route="/api/posts/{id}"} 1"#));
        assert!(text.contains("boardwalk_cold_starts_total 1"));
        assert!(
            RequestMetrics::emf(Box::new(std::io::sink()))
                .prometheus_text()
                .is_none()
        );
    }
}
