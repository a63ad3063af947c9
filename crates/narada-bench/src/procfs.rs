//! What the server process costs, read from `/proc/PID` (the server is another process, so the
//! bench needs only its PID).

use anyhow::{anyhow, Context, Result};

/// Resident set size in bytes (`VmRSS` of `/proc/PID/status`).
pub fn rss_bytes(pid: u32) -> Result<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status"))
        .with_context(|| format!("reading /proc/{pid}/status"))?;
    let line = status
        .lines()
        .find(|l| l.starts_with("VmRSS:"))
        .ok_or_else(|| anyhow!("no VmRSS for pid {pid}"))?;
    let kib: u64 = line
        .split_whitespace()
        .nth(1)
        .ok_or_else(|| anyhow!("malformed VmRSS line"))?
        .parse()?;
    Ok(kib * 1024)
}

/// User + system CPU time of the process (all threads), in microseconds.
pub fn cpu_micros(pid: u32) -> Result<u64> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat"))
        .with_context(|| format!("reading /proc/{pid}/stat"))?;
    // The command name (field 2) may contain spaces; fields after the closing paren are fixed.
    let after = stat
        .rsplit_once(')')
        .map(|(_, r)| r)
        .ok_or_else(|| anyhow!("malformed /proc/{pid}/stat"))?;
    let fields: Vec<&str> = after.split_whitespace().collect();
    // After ')': state is index 0, so utime (field 14) is index 11 and stime (15) index 12.
    let utime: u64 = fields.get(11).ok_or_else(|| anyhow!("no utime"))?.parse()?;
    let stime: u64 = fields.get(12).ok_or_else(|| anyhow!("no stime"))?.parse()?;
    let ticks = clock_ticks_per_sec();
    Ok((utime + stime) * 1_000_000 / ticks)
}

fn clock_ticks_per_sec() -> u64 {
    // USER_HZ is 100 on every Linux configuration this runs on; `getconf CLK_TCK` confirms it and
    // the bench avoids libc for one constant.
    100
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_our_own_process() {
        let me = std::process::id();
        assert!(rss_bytes(me).unwrap() > 100_000);
        // Burn CPU until the kernel's 10 ms tick has charged some to us (bounded in time).
        let started = std::time::Instant::now();
        let mut x = 0u64;
        while cpu_micros(me).unwrap() == 0 && started.elapsed().as_secs() < 5 {
            for i in 0..1_000_000u64 {
                x = std::hint::black_box(x.wrapping_mul(31).wrapping_add(i));
            }
        }
        assert!(cpu_micros(me).unwrap() > 0);
    }
}
