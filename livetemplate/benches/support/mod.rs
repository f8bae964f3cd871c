//! Timing helpers shared by the benches' ratio tables (criterion measures; these print ratios
//! measured in one interleaved run).

use std::hint::black_box;
use std::time::{Duration, Instant};

/// Mean ns per call of `f` over a loop of about `budget`.
pub(crate) fn ns_per_iter<T>(budget: Duration, mut f: impl FnMut() -> T) -> f64 {
    // Size a batch to ~1 ms so `Instant::now` stays out of the measurement.
    let start = Instant::now();
    let mut batch = 1u64;
    while start.elapsed() < Duration::from_millis(1) {
        black_box(f());
        batch += 1;
    }
    let (mut iters, start) = (0u64, Instant::now());
    while start.elapsed() < budget {
        for _ in 0..batch {
            black_box(f());
        }
        iters += batch;
    }
    start.elapsed().as_nanos() as f64 / iters as f64
}

/// The median of `xs` (non-empty).
pub(crate) fn median(mut xs: Vec<f64>) -> f64 {
    xs.sort_by(f64::total_cmp);
    xs[xs.len() / 2]
}
