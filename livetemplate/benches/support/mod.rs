//! Shared by the benches: quick mode, and the timing helpers of the ratio tables (criterion
//! measures; these print ratios measured in one interleaved run).

use std::hint::black_box;
use std::time::{Duration, Instant};

use criterion::Criterion;

/// The environment variable that selects every bench's quick mode (`.ci/run` sets it).
pub(crate) const QUICK_ENV: &str = "LIVETEMPLATE_BENCH_QUICK";

/// Whether [`QUICK_ENV`] asks for the quick mode: a few seconds per bench, every check and
/// every printed ratio kept, only fewer and shorter measurements. Any value but empty or
/// `0` does.
pub(crate) fn quick() -> bool {
    std::env::var(QUICK_ENV).is_ok_and(|value| !value.is_empty() && value != "0")
}

/// Criterion configured from the command line; in quick mode with short measurements (50 ms
/// warm-up, 200 ms of 10 samples each), saved as the baseline `quick` so that they do not
/// become the baseline a full run compares itself with.
pub(crate) fn criterion() -> Criterion {
    let criterion = Criterion::default().configure_from_args();
    if !quick() {
        return criterion;
    }
    criterion
        .warm_up_time(Duration::from_millis(50))
        .measurement_time(Duration::from_millis(200))
        .sample_size(10)
        .nresamples(10_000)
        .save_baseline("quick".to_owned())
}

/// How the ratio table measures: `(budget, rounds)`, each case `rounds` times for `budget`,
/// interleaved. `None` when there is no table: criterion only lists the benchmarks, runs each
/// once as a test (`cargo test --benches`, which passes no `--bench`, or `-- --test`), or
/// profiles one (`--profile-time`: the table would run in the profile too).
pub(crate) fn ratio_rounds() -> Option<(Duration, usize)> {
    let args: Vec<String> = std::env::args().collect();
    // `--flag` or `--flag=value`.
    let has = |flag: &str| {
        args.iter().any(|a| {
            a.strip_prefix(flag)
                .is_some_and(|rest| rest.is_empty() || rest.starts_with('='))
        })
    };
    if !has("--bench") || has("--list") || has("--test") || has("--profile-time") {
        None
    } else if quick() || has("--quick") {
        Some((Duration::from_millis(100), 3))
    } else {
        Some((Duration::from_millis(300), 5))
    }
}

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
