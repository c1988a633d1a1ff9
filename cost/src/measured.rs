//! The benchmark's figures (`target/bench/bench.json`, copied to `cost/measured.json`), and
//! DynamoDB's capacity rules applied to the calls each request class was seen to make.

use std::collections::BTreeMap;

use serde::Deserialize;

/// What `make bench` wrote, the parts the cost model reads.
#[derive(Debug, Clone, Deserialize)]
pub struct Bench {
    /// The machine and day of the run.
    pub machine: String,
    /// The Lambda runs.
    pub lambda: LambdaRuns,
    /// The SPA's bytes.
    pub spa: Spa,
}

/// Lambda figures: the hello-world floor and Boardwalk in aws mode on moto.
#[derive(Debug, Clone, Deserialize)]
pub struct LambdaRuns {
    /// Boardwalk in aws mode against moto.
    pub boardwalk: LambdaRun,
}

/// One binary's cold starts and warm requests.
#[derive(Debug, Clone, Deserialize)]
pub struct LambdaRun {
    /// Median time from exec to the first poll of the Runtime API.
    pub init_ms: f64,
    /// Per request class (`"get post"`, `"list 20"`…).
    pub classes: BTreeMap<String, RequestClass>,
    /// Write samples outside the warm classes (`"comment"`), each one request's calls.
    #[serde(default)]
    pub samples: BTreeMap<String, Vec<Call>>,
}

/// One request class's medians and one request's calls.
#[derive(Debug, Clone, Deserialize)]
pub struct RequestClass {
    /// CPU time per request on the benchmark machine, one full core.
    pub cpu_ms: f64,
    /// Bytes of the response body.
    pub bytes: f64,
    /// What one request of the class asked of DynamoDB and Cognito.
    #[serde(default)]
    pub calls: Vec<Call>,
}

/// One call moto saw, with the sizes DynamoDB would bill.
#[derive(Debug, Clone, Deserialize)]
pub struct Call {
    /// `dynamodb` or `cognito`.
    pub service: String,
    /// The operation (`GetItem`, `InitiateAuth`…).
    pub op: String,
    /// The template's logical table name (`PostsTable`).
    #[serde(default)]
    pub table: Option<String>,
    /// A strongly consistent read.
    #[serde(default)]
    pub consistent: bool,
    /// The size of each item read or written, by DynamoDB's item-size rules.
    #[serde(default)]
    pub items: Vec<f64>,
    /// Keys asked for (a missing item still costs a read).
    #[serde(default)]
    pub keys: Option<f64>,
    /// The table's global secondary indexes: a write is billed again for each.
    #[serde(default)]
    pub indexes: Option<f64>,
    /// In a transaction, whether this item is put (a new item of the table).
    #[serde(default)]
    pub put: bool,
}

/// The SPA as sent.
#[derive(Debug, Clone, Deserialize)]
pub struct Spa {
    /// Per file: raw and sent (brotli) bytes.
    pub files: BTreeMap<String, SpaFile>,
    /// Everything the board page needs on a cold cache, as sent.
    pub first_load_brotli: f64,
    /// What a returning browser downloads (`index.html`; the rest is `immutable`).
    pub repeat_visit_brotli: f64,
}

/// One file of the build.
#[derive(Debug, Clone, Deserialize)]
pub struct SpaFile {
    /// Bytes on disk.
    pub raw: f64,
}

impl Spa {
    /// Files a cold browser fetches for the board (the favicon is not on the page's path).
    pub fn first_load_files(&self) -> f64 {
        self.files
            .keys()
            .filter(|name| *name != "favicon.svg")
            .count() as f64
    }

    /// Bytes the build stores in S3.
    pub fn stored_bytes(&self) -> f64 {
        self.files.values().map(|file| file.raw).sum()
    }
}

/// DynamoDB's billing of one call: read and write request units.
#[derive(Debug, Clone, Copy, Default, PartialEq, serde::Serialize)]
pub struct Units {
    /// Read request units.
    pub read: f64,
    /// Write request units.
    pub write: f64,
}

impl std::ops::Add for Units {
    type Output = Units;
    fn add(self, other: Units) -> Units {
        Units {
            read: self.read + other.read,
            write: self.write + other.write,
        }
    }
}

/// A read of `bytes`: one unit per 4 KB, rounded up; half for an eventually consistent one.
fn read_units(bytes: f64, consistent: bool) -> f64 {
    let units = (bytes / 4096.0).ceil().max(1.0);
    if consistent { units } else { units / 2.0 }
}

/// A write of `bytes`: one unit per 1 KB, rounded up.
fn write_units(bytes: f64) -> f64 {
    (bytes / 1024.0).ceil().max(1.0)
}

impl Call {
    /// What DynamoDB bills for this call, by the rules on its pricing page: reads in 4 KB
    /// steps (a `Query` sums its items first, a batch bills each key), writes in 1 KB steps
    /// and once more per global secondary index, transactions twice.
    pub fn units(&self) -> Units {
        if self.service != "dynamodb" {
            return Units::default();
        }
        let consistent = self.consistent;
        let indexes = 1.0 + self.indexes.unwrap_or(0.0);
        match self.op.as_str() {
            "GetItem" | "BatchGetItem" => {
                let found: f64 = self
                    .items
                    .iter()
                    .map(|bytes| read_units(*bytes, consistent))
                    .sum();
                let asked = self.keys.unwrap_or(self.items.len() as f64);
                let missing = (asked - self.items.len() as f64).max(0.0);
                Units {
                    read: found + missing * read_units(0.0, consistent),
                    write: 0.0,
                }
            }
            "Query" => Units {
                read: read_units(self.items.iter().sum(), consistent),
                write: 0.0,
            },
            "TransactGetItems" => Units {
                read: 2.0 * self.items.iter().map(|b| read_units(*b, true)).sum::<f64>(),
                write: 0.0,
            },
            "PutItem" | "UpdateItem" | "DeleteItem" => Units {
                read: 0.0,
                write: indexes * self.items.iter().map(|b| write_units(*b)).sum::<f64>(),
            },
            "TransactWriteItems" => Units {
                read: 0.0,
                write: 2.0 * indexes * self.items.iter().map(|b| write_units(*b)).sum::<f64>(),
            },
            _ => Units::default(),
        }
    }
}

/// The mean size of the new items `calls` put in `table` (alone or in a transaction).
pub fn written_item_bytes(calls: &[Call], table: &str) -> Option<f64> {
    let sizes: Vec<f64> = calls
        .iter()
        .filter(|call| call.op == "PutItem" || (call.op == "TransactWriteItems" && call.put))
        .filter(|call| call.table.as_deref() == Some(table))
        .flat_map(|call| call.items.iter().copied())
        .collect();
    (!sizes.is_empty()).then(|| sizes.iter().sum::<f64>() / sizes.len() as f64)
}

#[cfg(test)]
mod tests {
    //! DynamoDB's capacity rules, with the examples from its pricing page ("Read request
    //! unit" and "Write request unit" in aws.amazon.com/dynamodb/pricing/on-demand and
    //! /provisioned): an 8 KB item is 2 units strongly consistent, 1 eventually consistent,
    //! 4 in a transaction; a 3 KB write is 3 units, 6 in a transaction.
    use super::*;

    fn call(op: &str, consistent: bool, items: &[f64]) -> Call {
        Call {
            service: "dynamodb".into(),
            op: op.into(),
            table: Some("PostsTable".into()),
            consistent,
            items: items.to_vec(),
            keys: None,
            indexes: None,
            put: false,
        }
    }

    #[test]
    fn reads_follow_the_pricing_page() {
        assert_eq!(call("GetItem", true, &[8192.0]).units().read, 2.0);
        assert_eq!(call("GetItem", false, &[8192.0]).units().read, 1.0);
        assert_eq!(call("TransactGetItems", true, &[8192.0]).units().read, 4.0);
        assert_eq!(call("GetItem", false, &[300.0]).units().read, 0.5);
    }

    #[test]
    fn writes_follow_the_pricing_page() {
        assert_eq!(call("PutItem", false, &[3072.0]).units().write, 3.0);
        assert_eq!(
            call("TransactWriteItems", false, &[3072.0]).units().write,
            6.0
        );
        assert_eq!(call("UpdateItem", false, &[40.0]).units().write, 1.0);
    }

    #[test]
    fn a_query_sums_its_items_before_rounding() {
        // 21 posts of 700 bytes: 14,700 bytes, four 4 KB steps, half each.
        assert_eq!(call("Query", false, &[700.0; 21]).units().read, 2.0);
    }

    #[test]
    fn a_batch_bills_every_key_even_a_missing_one() {
        let mut batch = call("BatchGetItem", false, &[200.0]);
        batch.keys = Some(3.0);
        assert_eq!(batch.units().read, 1.5);
    }

    #[test]
    fn a_write_is_billed_again_for_each_global_secondary_index() {
        let mut put = call("PutItem", false, &[700.0]);
        put.indexes = Some(1.0);
        assert_eq!(put.units().write, 2.0);
    }

    #[test]
    fn cognito_calls_cost_no_capacity() {
        let mut auth = call("InitiateAuth", false, &[]);
        auth.service = "cognito".into();
        assert_eq!(auth.units(), Units::default());
    }
}
