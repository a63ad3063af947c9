//! Results: HdrHistogram summaries, one JSON line per measured figure, and a human table.
//!
//! Every result line carries the scenario, the target and the parameters that produced it, so
//! `bench/run.sh` can group lines from repeated runs and take medians without knowing scenarios.

use std::time::Duration;

use hdrhistogram::Histogram;
use serde::Serialize;
use serde_json::{Map, Value};

/// A latency histogram in microseconds, 1 µs to 10 minutes, 3 significant digits.
pub fn new_hist() -> Histogram<u64> {
    Histogram::new_with_bounds(1, 600_000_000, 3).expect("static histogram bounds are valid")
}

pub fn record(h: &mut Histogram<u64>, d: Duration) {
    let us = (d.as_micros() as u64).clamp(1, 600_000_000);
    h.saturating_record(us);
}

/// Percentiles of a latency histogram, in milliseconds.
#[derive(Debug, Clone, Serialize)]
pub struct Latency {
    pub count: u64,
    pub p50_ms: f64,
    pub p99_ms: f64,
    pub p999_ms: f64,
    pub max_ms: f64,
}

impl Latency {
    pub fn of(h: &Histogram<u64>) -> Latency {
        let ms = |v: u64| v as f64 / 1000.0;
        Latency {
            count: h.len(),
            p50_ms: ms(h.value_at_quantile(0.50)),
            p99_ms: ms(h.value_at_quantile(0.99)),
            p999_ms: ms(h.value_at_quantile(0.999)),
            max_ms: ms(h.max()),
        }
    }
}

/// One result: a scenario, a target, parameters and figures. Printed as a JSON line on stdout
/// (prefixed with nothing, so `grep '^{'` extracts them) and as a table row on stderr.
pub struct Record {
    fields: Map<String, Value>,
}

impl Record {
    pub fn new(scenario: &str, target: &str) -> Record {
        let mut fields = Map::new();
        fields.insert("scenario".into(), scenario.into());
        fields.insert("target".into(), target.into());
        Record { fields }
    }

    /// A parameter: stored like a figure and also appended to the `key` field, which
    /// `summarize` uses to group repeated runs of the same configuration.
    pub fn param(mut self, key: &str, value: impl Serialize + std::fmt::Display) -> Record {
        let prev = self
            .fields
            .get("key")
            .and_then(|v| v.as_str())
            .unwrap_or("")
            .to_owned();
        let sep = if prev.is_empty() { "" } else { " " };
        self.fields
            .insert("key".into(), format!("{prev}{sep}{key}={value}").into());
        self.set(key, value)
    }

    pub fn set(mut self, key: &str, value: impl Serialize) -> Record {
        let v = serde_json::to_value(value).unwrap_or(Value::Null);
        self.fields.insert(key.into(), v);
        self
    }

    pub fn latency(self, prefix: &str, h: &Histogram<u64>) -> Record {
        let l = Latency::of(h);
        self.set(&format!("{prefix}_count"), l.count)
            .set(&format!("{prefix}_p50_ms"), l.p50_ms)
            .set(&format!("{prefix}_p99_ms"), l.p99_ms)
            .set(&format!("{prefix}_p999_ms"), l.p999_ms)
            .set(&format!("{prefix}_max_ms"), l.max_ms)
    }

    /// Prints the JSON line to stdout and a readable line to stderr. The machine's 1-minute load
    /// average goes with it: on a shared 2-core box it tells whether others were busy.
    pub fn emit(mut self) {
        if let Some(load) = std::fs::read_to_string("/proc/loadavg").ok().and_then(|l| {
            l.split_whitespace()
                .next()
                .and_then(|x| x.parse::<f64>().ok())
        }) {
            self.fields.insert("load1".into(), load.into());
        }
        let json = Value::Object(self.fields.clone());
        println!("{json}");
        let mut human = String::new();
        for (k, v) in &self.fields {
            let v = match v {
                Value::Number(n) if n.is_f64() => format!("{:.3}", n.as_f64().unwrap_or(0.0)),
                Value::String(s) => s.clone(),
                other => other.to_string(),
            };
            human.push_str(&format!("{k}={v}  "));
        }
        eprintln!("{}", human.trim_end());
    }
}
