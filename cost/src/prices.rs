//! AWS list prices for one region, read from `cost/prices-<region>.toml`, and the formulas
//! that turn a month's usage into dollars. Each formula follows the pricing page it cites;
//! the unit tests work that page's own examples.

use serde::Deserialize;

/// Hours AWS bills an always-on resource for in a month (the calculator's 730).
pub const HOURS_PER_MONTH: f64 = 730.0;

/// Graduated prices: each `Tier` prices the usage between the previous tier's end and its
/// own `up_to` (cumulative); the last tier has no end.
#[derive(Debug, Clone, Deserialize)]
pub struct Tiers(pub Vec<Tier>);

/// One step of a graduated price.
#[derive(Debug, Clone, Deserialize)]
pub struct Tier {
    /// Where this tier ends, counted from zero; `None` for the open last tier.
    pub up_to: Option<f64>,
    /// Dollars per unit inside this tier.
    pub price: f64,
}

impl Tiers {
    /// What `quantity` units cost, each slice of it at its own tier's price.
    pub fn cost(&self, quantity: f64) -> f64 {
        let mut start = 0.0;
        let mut total = 0.0;
        for tier in &self.0 {
            let end = tier.up_to.unwrap_or(f64::INFINITY);
            if quantity > start {
                total += (quantity.min(end) - start) * tier.price;
            }
            start = end;
        }
        total
    }
}

/// Every price the model uses, for one region, with the date it was read and the pages.
#[derive(Debug, Clone, Deserialize)]
pub struct Prices {
    /// The AWS region code (`ap-northeast-2`).
    pub region: String,
    /// When the prices were read from the pages they cite.
    pub as_of: String,
    /// How each figure was obtained, for the reader of the report.
    pub provenance: String,
    /// AWS Lambda.
    pub lambda: LambdaPrices,
    /// Amazon API Gateway, HTTP APIs.
    pub api_gateway: ApiGatewayPrices,
    /// Amazon Cognito user pools.
    pub cognito: CognitoPrices,
    /// Amazon DynamoDB, on-demand, Standard table class.
    pub dynamodb: DynamoDbPrices,
    /// Amazon S3 Standard.
    pub s3: S3Prices,
    /// Amazon CloudFront, by where the viewers are.
    pub cloudfront: CloudFrontPrices,
    /// The always-on alternative's instance, load balancer and disks.
    pub ec2: Ec2Prices,
}

/// Lambda: per request and per GB-second of duration, by architecture.
#[derive(Debug, Clone, Deserialize)]
pub struct LambdaPrices {
    /// The pricing page.
    pub source: String,
    /// Dollars per million requests.
    pub per_million_requests: f64,
    /// Dollars per GB-second on x86_64, graduated by monthly GB-seconds.
    pub x86_64_gb_second: Tiers,
    /// Dollars per GB-second on arm64 (Graviton).
    pub arm64_gb_second: Tiers,
    /// Requests a month the free tier covers.
    pub free_requests: f64,
    /// GB-seconds a month the free tier covers.
    pub free_gb_seconds: f64,
}

/// HTTP APIs bill every request, metered in 512 KB steps.
#[derive(Debug, Clone, Deserialize)]
pub struct ApiGatewayPrices {
    /// The pricing page.
    pub source: String,
    /// Dollars per million requests, graduated by monthly requests.
    pub per_million_requests: Tiers,
    /// A request larger than this many bytes counts as several.
    pub metering_bytes: f64,
}

/// Cognito bills monthly active users by tier; the Lite tier is what the template uses.
#[derive(Debug, Clone, Deserialize)]
pub struct CognitoPrices {
    /// The pricing page.
    pub source: String,
    /// Dollars per MAU for the Lite tier, graduated by MAU (the free first 10,000 are a
    /// separate allowance, applied only with the free tier).
    pub lite_per_mau: Tiers,
    /// MAU the free tier covers.
    pub free_mau: f64,
}

/// DynamoDB on-demand: request units and storage.
#[derive(Debug, Clone, Deserialize)]
pub struct DynamoDbPrices {
    /// The pricing page.
    pub source: String,
    /// Dollars per million write request units.
    pub per_million_write_units: f64,
    /// Dollars per million read request units.
    pub per_million_read_units: f64,
    /// Dollars per GB-month stored.
    pub storage_gb_month: f64,
    /// GB a month the free tier covers.
    pub free_storage_gb: f64,
}

/// S3 Standard: storage and requests (CloudFront's misses are GETs).
#[derive(Debug, Clone, Deserialize)]
pub struct S3Prices {
    /// The pricing page.
    pub source: String,
    /// Dollars per GB-month stored (first 50 TB).
    pub storage_gb_month: f64,
    /// Dollars per 1,000 GET requests.
    pub per_thousand_get: f64,
}

/// CloudFront bills bytes out and requests by the viewers' location.
#[derive(Debug, Clone, Deserialize)]
pub struct CloudFrontPrices {
    /// The pricing page.
    pub source: String,
    /// Viewers in South Korea: dollars per GB out, graduated by monthly GB.
    pub korea_per_gb: Tiers,
    /// Viewers in Japan.
    pub japan_per_gb: Tiers,
    /// Dollars per 10,000 HTTPS requests from Korea.
    pub korea_per_10k_https: f64,
    /// Dollars per 10,000 HTTPS requests from Japan.
    pub japan_per_10k_https: f64,
    /// Dollars per million CloudFront Functions invocations.
    pub per_million_function_invocations: f64,
    /// GB a month the always-free tier covers.
    pub free_gb: f64,
    /// Requests a month the always-free tier covers.
    pub free_requests: f64,
    /// Function invocations a month the always-free tier covers.
    pub free_function_invocations: f64,
}

/// The serverful alternative: instances, an Application Load Balancer, disks.
#[derive(Debug, Clone, Deserialize)]
pub struct Ec2Prices {
    /// The pricing pages.
    pub source: String,
    /// The instance type priced (`t4g.small`).
    pub instance_type: String,
    /// Its vCPUs.
    pub instance_vcpus: f64,
    /// Dollars per instance-hour, on demand, Linux.
    pub instance_hour: f64,
    /// Dollars per ALB-hour.
    pub alb_hour: f64,
    /// Dollars per LCU-hour.
    pub lcu_hour: f64,
    /// Dollars per GB-month of gp3.
    pub gp3_gb_month: f64,
}

impl LambdaPrices {
    /// One month of Lambda: requests plus duration, less the free tier when it applies.
    pub fn monthly(&self, usage: &LambdaUsage, free_tier: bool) -> f64 {
        let (free_requests, free_seconds) = if free_tier {
            (self.free_requests, self.free_gb_seconds)
        } else {
            (0.0, 0.0)
        };
        let requests = (usage.requests - free_requests).max(0.0);
        let gb_seconds = (usage.gb_seconds() - free_seconds).max(0.0);
        let duration = match usage.arch {
            Arch::X86_64 => &self.x86_64_gb_second,
            Arch::Arm64 => &self.arm64_gb_second,
        };
        requests / 1e6 * self.per_million_requests + duration.cost(gb_seconds)
    }
}

/// A processor architecture Lambda offers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Arch {
    /// Intel/AMD.
    X86_64,
    /// Graviton, what the template deploys.
    Arm64,
}

/// A month of invocations of one function.
#[derive(Debug, Clone)]
pub struct LambdaUsage {
    /// Invocations.
    pub requests: f64,
    /// Mean billed duration of one, in milliseconds (billing rounds each up to 1 ms).
    pub billed_ms: f64,
    /// The function's memory.
    pub memory_mb: f64,
    /// Its architecture.
    pub arch: Arch,
}

impl LambdaUsage {
    /// Memory × duration, the unit duration is priced in.
    pub fn gb_seconds(&self) -> f64 {
        self.requests * self.billed_ms.ceil() / 1000.0 * self.memory_mb / 1024.0
    }
}

impl ApiGatewayPrices {
    /// A month of HTTP API requests of `bytes` each.
    pub fn monthly(&self, requests: f64, bytes: f64) -> f64 {
        let metered = requests * (bytes / self.metering_bytes).ceil().max(1.0);
        self.per_million_requests.cost(metered / 1e6)
    }
}

impl CognitoPrices {
    /// A month of `mau` active users on the Lite tier.
    pub fn monthly(&self, mau: f64, free_tier: bool) -> f64 {
        let free = if free_tier { self.free_mau } else { 0.0 };
        // The free allowance takes the first users; the rest are priced from where they
        // stand in the tiers, as the pricing page's examples do.
        let tiers = &self.lite_per_mau;
        tiers.cost(mau) - tiers.cost(free.min(mau))
    }
}

impl DynamoDbPrices {
    /// A month of request units and storage.
    pub fn monthly(
        &self,
        read_units: f64,
        write_units: f64,
        storage_gb: f64,
        free_tier: bool,
    ) -> f64 {
        let free = if free_tier { self.free_storage_gb } else { 0.0 };
        read_units / 1e6 * self.per_million_read_units
            + write_units / 1e6 * self.per_million_write_units
            + (storage_gb - free).max(0.0) * self.storage_gb_month
    }
}

impl S3Prices {
    /// A month of storage and GETs.
    pub fn monthly(&self, storage_gb: f64, gets: f64) -> f64 {
        storage_gb * self.storage_gb_month + gets / 1000.0 * self.per_thousand_get
    }
}

/// A month of CloudFront traffic, split by where the viewers are.
#[derive(Debug, Clone)]
pub struct CdnUsage {
    /// GB out to viewers.
    pub gb: f64,
    /// HTTPS requests.
    pub requests: f64,
    /// Viewer-request function invocations.
    pub function_invocations: f64,
    /// The share of both from South Korea; the rest from Japan.
    pub korea_share: f64,
}

impl CloudFrontPrices {
    /// A month of CloudFront: bytes, requests and functions, each region on its own tiers.
    /// The always-free allowance comes off the most expensive region first (Korea).
    pub fn monthly(&self, usage: &CdnUsage, free_tier: bool) -> f64 {
        let (free_gb, free_requests, free_functions) = if free_tier {
            (
                self.free_gb,
                self.free_requests,
                self.free_function_invocations,
            )
        } else {
            (0.0, 0.0, 0.0)
        };
        let korea_gb = usage.gb * usage.korea_share;
        let japan_gb = usage.gb - korea_gb;
        let korea_free = free_gb.min(korea_gb);
        let japan_free = (free_gb - korea_free).min(japan_gb);
        let bytes = self.korea_per_gb.cost(korea_gb) - self.korea_per_gb.cost(korea_free)
            + self.japan_per_gb.cost(japan_gb)
            - self.japan_per_gb.cost(japan_free);
        let korea_requests = usage.requests * usage.korea_share;
        let japan_requests = usage.requests - korea_requests;
        let korea_billed = (korea_requests - free_requests).max(0.0);
        let japan_billed = (japan_requests - (free_requests - korea_requests).max(0.0)).max(0.0);
        let requests = korea_billed / 1e4 * self.korea_per_10k_https
            + japan_billed / 1e4 * self.japan_per_10k_https;
        let functions = (usage.function_invocations - free_functions).max(0.0) / 1e6
            * self.per_million_function_invocations;
        bytes + requests + functions
    }
}

#[cfg(test)]
mod tests {
    //! Worked examples from the pricing pages (us-east-1 list prices, as the pages give them).
    use super::*;

    fn prices() -> Prices {
        toml::from_str(include_str!("../prices-us-east-1.toml"))
            .expect("the us-east-1 prices parse")
    }

    fn near(actual: f64, expected: f64) {
        assert!(
            (actual - expected).abs() < 0.005,
            "{actual} is not {expected}"
        );
    }

    #[test]
    fn tiers_price_each_slice_at_its_own_rate() {
        let tiers = Tiers(vec![
            Tier {
                up_to: Some(10.0),
                price: 2.0,
            },
            Tier {
                up_to: Some(20.0),
                price: 1.0,
            },
            Tier {
                up_to: None,
                price: 0.5,
            },
        ]);
        near(tiers.cost(0.0), 0.0);
        near(tiers.cost(5.0), 10.0);
        near(tiers.cost(15.0), 25.0);
        near(tiers.cost(30.0), 35.0);
    }

    fn lambda_usage(requests: f64, billed_ms: f64, memory_mb: f64, arch: Arch) -> LambdaUsage {
        LambdaUsage {
            requests,
            billed_ms,
            memory_mb,
            arch,
        }
    }

    /// aws.amazon.com/lambda/pricing, "Example 1": 512 MB, 3 million invocations of 1 s a
    /// month: 1,500,000 GB-s less 400,000 free = 1,100,000 × $0.0000166667 = $18.33; requests
    /// 3M less 1M free = 2M × $0.20/M = $0.40; total $18.73.
    #[test]
    fn lambda_matches_the_pricing_page_example() {
        let usage = lambda_usage(3e6, 1000.0, 512.0, Arch::X86_64);
        near(usage.gb_seconds(), 1_500_000.0);
        near(prices().lambda.monthly(&usage, true), 18.733);
    }

    /// The same example on arm64: 1,100,000 GB-s × $0.0000133334 = $14.67, + $0.40.
    #[test]
    fn lambda_on_arm_is_priced_from_its_own_table() {
        let usage = lambda_usage(3e6, 1000.0, 512.0, Arch::Arm64);
        near(prices().lambda.monthly(&usage, true), 15.067);
    }

    /// Billing rounds each invocation up to the next millisecond.
    #[test]
    fn lambda_duration_rounds_up_to_a_millisecond() {
        let usage = lambda_usage(1000.0, 1.2, 1024.0, Arch::Arm64);
        near(usage.gb_seconds(), 2.0);
    }

    /// aws.amazon.com/api-gateway/pricing, HTTP APIs: 1 billion requests a month are
    /// 300 million × $1.00/M + 700 million × $0.90/M = $930; a 513 KB request counts twice.
    #[test]
    fn http_api_requests_are_graduated_and_metered_in_512_kb() {
        let api = prices().api_gateway;
        near(api.monthly(1e9, 1000.0), 930.0);
        near(api.monthly(1e6, 513.0 * 1024.0), 2.0);
        near(api.monthly(1e6, 512.0 * 1024.0), 1.0);
    }

    /// aws.amazon.com/cognito/pricing, Lite tier: 100,000 MAU, the first 10,000 free, then
    /// 90,000 × $0.0055 = $495; above 100,000 the rate falls to $0.0046.
    #[test]
    fn cognito_lite_by_monthly_active_users() {
        let cognito = prices().cognito;
        near(cognito.monthly(100_000.0, true), 495.0);
        near(cognito.monthly(10_000.0, true), 0.0);
        near(cognito.monthly(10_000.0, false), 55.0);
        near(cognito.monthly(200_000.0, true), 495.0 + 100_000.0 * 0.0046);
    }

    /// aws.amazon.com/dynamodb/pricing/on-demand: $0.625 per million write request units,
    /// $0.125 per million read request units, $0.25 per GB-month after the free 25 GB.
    #[test]
    fn dynamodb_request_units_and_storage() {
        let dynamodb = prices().dynamodb;
        near(
            dynamodb.monthly(2e6, 1e6, 30.0, true),
            0.25 + 0.625 + 5.0 * 0.25,
        );
        near(dynamodb.monthly(0.0, 0.0, 30.0, false), 7.5);
    }

    /// aws.amazon.com/s3/pricing: 100 GB of Standard at $0.023 and 1 million GETs at
    /// $0.0004 per 1,000: $2.30 + $0.40.
    #[test]
    fn s3_storage_and_gets() {
        near(prices().s3.monthly(100.0, 1e6), 2.70);
    }

    /// aws.amazon.com/cloudfront/pricing: 15 TB to South Korea is 10 TB × $0.120 + 5 TB ×
    /// $0.100 (GB = 1,024 per TB), and 10,000 HTTPS requests cost $0.0120; with the always
    /// free 1 TB and 10 million requests, a month of 1 TB and 10 million requests is free.
    #[test]
    fn cloudfront_by_region_and_tier() {
        let cloudfront = prices().cloudfront;
        let korea = CdnUsage {
            gb: 15.0 * 1024.0,
            requests: 10_000.0,
            function_invocations: 0.0,
            korea_share: 1.0,
        };
        near(
            cloudfront.monthly(&korea, false),
            10_240.0 * 0.120 + 5_120.0 * 0.100 + 0.012,
        );
        let japan = CdnUsage {
            gb: 100.0,
            requests: 0.0,
            function_invocations: 0.0,
            korea_share: 0.0,
        };
        near(cloudfront.monthly(&japan, false), 11.4);
        let free = CdnUsage {
            gb: 1024.0,
            requests: 1e7,
            function_invocations: 2e6,
            korea_share: 0.5,
        };
        near(cloudfront.monthly(&free, true), 0.0);
    }
}
