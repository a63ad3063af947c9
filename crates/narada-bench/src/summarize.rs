//! Turns the JSON lines of repeated runs into Markdown tables: for every (scenario, parameters,
//! target) the median of each figure over the runs, with min and max.

use std::collections::BTreeMap;
use std::path::PathBuf;

use anyhow::{Context, Result};
use clap::Args;
use serde_json::Value;

#[derive(Args)]
pub struct SummarizeArgs {
    /// JSON-lines files (other lines are ignored).
    pub files: Vec<PathBuf>,
}

/// The figures shown per scenario, in column order.
fn columns(scenario: &str) -> &'static [&'static str] {
    match scenario {
        "fanout" => &[
            "delivery_p50_ms",
            "delivery_p99_ms",
            "delivery_p999_ms",
            "delivery_max_ms",
            "deliveries_per_s",
            "server_cpu_us_per_delivery",
            "send_lag_p99_ms",
        ],
        "idle" => &[
            "held",
            "rss_baseline_mib",
            "rss_mib",
            "rss_per_client_kib",
            "connect_s",
        ],
        "docs" => &[
            "delivery_p50_ms",
            "delivery_p99_ms",
            "delivery_max_ms",
            "server_cpu_us_per_update",
            "rss_per_doc_kib",
            "send_lag_p99_ms",
        ],
        "docs_summary" => &["sustained_updates_per_s"],
        "coldload" => &[
            "synced_p50_ms",
            "synced_p99_ms",
            "synced_max_ms",
            "synced_count",
        ],
        "durability" => &[
            "persisted_per_s",
            "ack_p50_ms",
            "ack_p99_ms",
            "ack_max_ms",
            "server_cpu_us_per_update",
            "send_lag_p99_ms",
        ],
        "durability_fanout" => &["delivery_p50_ms", "delivery_p99_ms", "p99_worsening_pct"],
        "floor" => &[
            "write_32b_ns",
            "pingpong_p50_ms",
            "pingpong_p99_ms",
            "pingpong_paced_p50_ms",
            "pingpong_paced_p99_ms",
            "apply_us_per_update",
            "decode_apply_us_per_update",
            "snapshot_load_p50_ms",
            "load_tail10k_txn_each_ms",
            "load_tail10k_one_txn_ms",
            "snapshot_bytes",
        ],
        _ => &[],
    }
}

fn median_min_max(mut v: Vec<f64>) -> (f64, f64, f64) {
    v.sort_by(|a, b| a.total_cmp(b));
    let n = v.len();
    let median = if n % 2 == 1 {
        v[n / 2]
    } else {
        (v[n / 2 - 1] + v[n / 2]) / 2.0
    };
    (median, v[0], v[n - 1])
}

fn fmt(x: f64) -> String {
    if x.abs() >= 100.0 {
        format!("{x:.0}")
    } else if x.abs() >= 10.0 {
        format!("{x:.1}")
    } else {
        format!("{x:.3}")
    }
}

pub fn run(a: SummarizeArgs) -> Result<bool> {
    // scenario → (key, target) → field → values
    type Groups = BTreeMap<String, BTreeMap<(String, String), BTreeMap<String, Vec<f64>>>>;
    let mut groups: Groups = BTreeMap::new();
    let mut failed = Vec::new();
    for f in &a.files {
        let text =
            std::fs::read_to_string(f).with_context(|| format!("reading {}", f.display()))?;
        for line in text.lines().filter(|l| l.starts_with('{')) {
            let Ok(Value::Object(m)) = serde_json::from_str::<Value>(line) else {
                continue;
            };
            let scenario = m
                .get("scenario")
                .and_then(|v| v.as_str())
                .unwrap_or("?")
                .to_owned();
            let target = m
                .get("target")
                .and_then(|v| v.as_str())
                .unwrap_or("?")
                .to_owned();
            let key = m
                .get("key")
                .and_then(|v| v.as_str())
                .unwrap_or("")
                .to_owned();
            if m.get("ok") == Some(&Value::Bool(false)) {
                failed.push(format!("{scenario} {target} {key}"));
            }
            let fields = groups
                .entry(scenario)
                .or_default()
                .entry((key, target))
                .or_default();
            for (k, v) in &m {
                if let Some(x) = v.as_f64() {
                    fields.entry(k.clone()).or_default().push(x);
                }
            }
        }
    }
    for (scenario, rows) in &groups {
        let mut cols: Vec<String> = columns(scenario).iter().map(|s| s.to_string()).collect();
        if cols.is_empty() {
            // Unknown scenario: every numeric field that is not a parameter.
            let mut all: Vec<String> = rows.values().flat_map(|f| f.keys().cloned()).collect();
            all.sort();
            all.dedup();
            cols = all;
        }
        println!("\n#### {scenario}\n");
        println!("| parameters | target | runs | {} |", cols.join(" | "));
        println!("|---|---|---|{}", "---|".repeat(cols.len()));
        for ((key, target), fields) in rows {
            let runs = fields.values().map(|v| v.len()).max().unwrap_or(0);
            let cells: Vec<String> = cols
                .iter()
                .map(|c| match fields.get(c) {
                    Some(v) if !v.is_empty() => {
                        let (m, lo, hi) = median_min_max(v.clone());
                        if v.len() > 1 && lo != hi {
                            format!("{} ({}–{})", fmt(m), fmt(lo), fmt(hi))
                        } else {
                            fmt(m)
                        }
                    }
                    _ => "–".into(),
                })
                .collect();
            println!("| {key} | {target} | {runs} | {} |", cells.join(" | "));
        }
    }
    if !failed.is_empty() {
        println!("\nCorrectness check FAILED in: {}", failed.join("; "));
    }
    Ok(true)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn median_of_odd_and_even() {
        assert_eq!(median_min_max(vec![3.0, 1.0, 2.0]), (2.0, 1.0, 3.0));
        assert_eq!(median_min_max(vec![4.0, 1.0, 2.0, 3.0]), (2.5, 1.0, 4.0));
    }
}
