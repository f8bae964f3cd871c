//! The browser client on a 10,000-row keyed table, in headless Chromium: the time from a
//! frame's arrival (`performance.now()` in the socket's `onmessage`) to the DOM updated (the
//! patch returned), and to the next animation frame, for the first render, a one-row change, a
//! one-row insert in the middle and a full reorder (the rows reversed).
//!
//! Run with: `cargo bench -p livetemplate-tests --bench browser` (build the client first:
//! `npm run build --prefix livetemplate-client`). Prints a table of medians and 90th
//! percentiles; set `ROWS` / `RUNS` to change the table size / repetitions.

#[path = "../tests/browser_support/mod.rs"]
mod support;

use std::time::Duration;

use livetemplate::LiveRouter;
use livetemplate::{Context, LiveTemplate, live_controller};
use serde_json::Value;
use support::{Browser, Server, TestResult};

#[derive(Debug, Clone)]
struct Row {
    id: u32,
    label: String,
}

#[derive(Debug, Clone, askama::Template, LiveTemplate)]
#[template(path = "browser/table.html")]
struct Table {
    version: u32,
    rows: Vec<Row>,
    next: u32,
}

struct TablePage {
    rows: u32,
}

#[live_controller]
impl TablePage {
    async fn mount(&self, _ctx: &mut Context) -> livetemplate::Result<Table> {
        Ok(Table {
            version: 0,
            rows: (0..self.rows)
                .map(|id| Row {
                    id,
                    label: format!("row {id}"),
                })
                .collect(),
            next: self.rows,
        })
    }

    /// One row's label changes (the rows in turn).
    pub(crate) fn relabel(&self, state: &mut Table, _ctx: &mut Context) {
        state.version += 1;
        let at = (state.version as usize * 7919) % state.rows.len().max(1);
        if let Some(row) = state.rows.get_mut(at) {
            row.label = format!("changed {}", state.version);
        }
    }

    /// One row inserted in the middle.
    pub(crate) fn insert(&self, state: &mut Table, _ctx: &mut Context) {
        let at = state.rows.len() / 2;
        state.rows.insert(
            at,
            Row {
                id: state.next,
                label: format!("new {}", state.next),
            },
        );
        state.next += 1;
    }

    /// Every row moves: the order reversed.
    pub(crate) fn reverse(&self, state: &mut Table, _ctx: &mut Context) {
        state.rows.reverse();
    }

    pub(crate) fn pick(&self, _state: &mut Table, _ctx: &mut Context) {}
}

fn env(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

/// `(ms, paint)` of every `lvt:updated` so far.
async fn times(b: &Browser) -> TestResult<Vec<(f64, f64)>> {
    let value = b
        .js(
            "return (window.lvtTimes || []).map((t) => [t.ms, t.paint ?? -1]);",
            vec![],
        )
        .await?;
    Ok(value
        .as_array()
        .map(|all| {
            all.iter()
                .map(|t| {
                    (
                        t[0].as_f64().unwrap_or(f64::NAN),
                        t[1].as_f64().unwrap_or(f64::NAN),
                    )
                })
                .collect()
        })
        .unwrap_or_default())
}

/// Waits until `count` updates were recorded and their paint times are known.
async fn settle(b: &Browser, count: usize) -> TestResult<Vec<(f64, f64)>> {
    let script = format!(
        "const t = window.lvtTimes || []; return t.length >= {count} && t.slice(0, {count}).every((d) => d.paint !== undefined);"
    );
    b.until(&format!("{count} updates"), &script).await?;
    times(b).await
}

fn stats(samples: &mut [f64]) -> (f64, f64) {
    samples.sort_by(f64::total_cmp);
    let pick = |q: f64| {
        let i = ((samples.len() as f64 - 1.0) * q).round() as usize;
        samples.get(i).copied().unwrap_or(f64::NAN)
    };
    (pick(0.5), pick(0.9))
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() -> TestResult {
    let rows = env("ROWS", 10_000) as u32;
    let runs = env("RUNS", 20);
    let server = Server::start(
        LiveRouter::new().route("/", TablePage { rows }),
        "127.0.0.1:0".parse()?,
    )
    .await?;
    let Some(b) = Browser::start("browser bench").await? else {
        return Ok(());
    };
    let url = server.url("/");
    let mut report: Vec<(&str, Vec<f64>, Vec<f64>)> = Vec::new();

    // First render: a fresh page each time (a new session, so a new state).
    let (mut ms, mut paint) = (Vec::new(), Vec::new());
    for _ in 0..runs.min(5) {
        b.open_live(&url).await?;
        let first = settle(&b, 1).await?;
        ms.push(first[0].0);
        paint.push(first[0].1);
    }
    report.push(("first render (whole tree)", ms, paint));

    for (label, action, n) in [
        ("one-row change", "relabel", runs),
        ("one-row insert (middle)", "insert", runs),
        ("full reorder (reversed)", "reverse", runs.min(10)),
    ] {
        b.open_live(&url).await?;
        settle(&b, 1).await?;
        let (mut ms, mut paint) = (Vec::new(), Vec::new());
        for i in 0..n {
            b.js(
                &format!("LiveTemplate.send({action:?});"),
                Vec::<Value>::new(),
            )
            .await?;
            let all = settle(&b, i + 2).await?;
            let (m, p) = all[i + 1];
            ms.push(m);
            paint.push(p);
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        report.push((label, ms, paint));
    }

    println!("\nbrowser client, {rows}-row keyed table, Chromium headless ({runs} runs; ms)\n");
    println!("| operation | patch median | patch p90 | to next frame median | to next frame p90 |");
    println!("|---|---:|---:|---:|---:|");
    for (label, mut ms, mut paint) in report {
        let (m50, m90) = stats(&mut ms);
        let (p50, p90) = stats(&mut paint);
        println!("| {label} | {m50:.2} | {m90:.2} | {p50:.2} | {p90:.2} |");
    }
    b.close().await?;
    server.stop().await
}
