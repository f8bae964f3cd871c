//! The browser client on a 10,000-row keyed table, in headless Chromium: the time from a
//! frame's arrival (`performance.now()` in the socket's `onmessage`) to the DOM updated (the
//! patch returned), and to the next animation frame, for the first render, a one-row change, a
//! one-row insert in the middle and a full reorder (the rows reversed).
//!
//! Run with: `cargo bench -p livetemplate-tests --bench browser` (build the client first:
//! `npm run build --prefix livetemplate-client`). Prints a table of medians and 90th
//! percentiles; set `ROWS` / `RUNS` to change the table size / repetitions (default 10,000 /
//! 20). `LIVETEMPLATE_BENCH_QUICK=1` (what `.ci/run` sets) makes `RUNS` default to 3: the same
//! page and the same checks in a few seconds.
//!
//! After every operation the bench checks the page it timed: the update was a patch (not a
//! whole tree, as after a resync), the client reported no `lvt:error`, and the table shows
//! what the action did (the changed label, the inserted row, the reversed order). Skipped with a
//! notice when Chromium or chromedriver is missing, unless `LIVETEMPLATE_REQUIRE_BROWSER=1`, as
//! the browser tests are.

#[path = "../tests/browser_support/mod.rs"]
mod support;

use std::time::Duration;

use livetemplate::{Config, LiveRouter};
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

/// Whether quick mode is asked for (any value of the variable but empty or `0`).
fn quick() -> bool {
    std::env::var("LIVETEMPLATE_BENCH_QUICK").is_ok_and(|v| !v.is_empty() && v != "0")
}

/// One `lvt:updated`: the time to the DOM patched, to the next frame, and whether the frame
/// held the whole tree.
#[derive(Debug, Clone, Copy)]
struct Update {
    ms: f64,
    paint: f64,
    whole: bool,
}

/// Every `lvt:updated` so far; fails when the client reported an `lvt:error`.
async fn updates(b: &Browser) -> TestResult<Vec<Update>> {
    let value = b
        .js(
            "return [(window.lvtTimes || []).map((t) => [t.ms, t.paint ?? -1, !!t.whole]), \
             window.lvtErrors || []];",
            vec![],
        )
        .await?;
    if let Some(errors) = value[1].as_array().filter(|errors| !errors.is_empty()) {
        return Err(format!("the client reported errors: {errors:?}").into());
    }
    Ok(value[0]
        .as_array()
        .map(|all| {
            all.iter()
                .map(|t| Update {
                    ms: t[0].as_f64().unwrap_or(f64::NAN),
                    paint: t[1].as_f64().unwrap_or(f64::NAN),
                    whole: t[2].as_bool().unwrap_or(false),
                })
                .collect()
        })
        .unwrap_or_default())
}

/// Waits until `count` updates were recorded and their paint times are known; returns the
/// last, which must be whole (a first frame) or not as `whole` says.
async fn settle(b: &Browser, count: usize, whole: bool) -> TestResult<Update> {
    let script = format!(
        "const t = window.lvtTimes || []; return t.length >= {count} && t.slice(0, {count}).every((d) => d.paint !== undefined);"
    );
    b.until(&format!("{count} updates"), &script).await?;
    let all = updates(b).await?;
    let update = all[count - 1];
    if update.whole != whole {
        return Err(format!(
            "update {count} was {}, expected {}",
            if update.whole {
                "a whole tree"
            } else {
                "a patch"
            },
            if whole { "the first frame" } else { "a patch" }
        )
        .into());
    }
    Ok(update)
}

/// The table as the page shows it: each row's key and label, in order.
async fn table(b: &Browser) -> TestResult<Vec<(String, String)>> {
    let value = b
        .js(
            "return [...document.querySelectorAll('tbody tr')].map((tr) => \
             [tr.dataset.key, tr.querySelector('.label').textContent]);",
            vec![],
        )
        .await?;
    let rows = value.as_array().ok_or("the page has no table rows")?;
    rows.iter()
        .map(|row| match (row[0].as_str(), row[1].as_str()) {
            (Some(key), Some(label)) => Ok((key.to_owned(), label.to_owned())),
            _ => Err(format!("a row without key or label: {row}").into()),
        })
        .collect()
}

/// The version the page shows.
async fn version(b: &Browser) -> TestResult<u32> {
    let value = b
        .js(
            "return document.getElementById('version').textContent;",
            vec![],
        )
        .await?;
    value
        .as_str()
        .and_then(|text| text.trim().parse().ok())
        .ok_or_else(|| format!("no version on the page: {value}").into())
}

/// Checks that the page shows what `action` did to the table `before` (version `version`
/// before the action).
async fn check(
    b: &Browser,
    action: &str,
    before: &[(String, String)],
    version_before: u32,
) -> TestResult {
    let after = table(b).await?;
    let ok = match action {
        "relabel" => {
            let version = version_before + 1;
            let at = (version as usize * 7919) % before.len().max(1);
            let mut expected = before.to_vec();
            if let Some(row) = expected.get_mut(at) {
                row.1 = format!("changed {version}");
            }
            after == expected && self::version(b).await? == version
        }
        "insert" => {
            let at = before.len() / 2;
            after.len() == before.len() + 1
                && after[..at] == before[..at]
                && after[at + 1..] == before[at..]
                && after[at].1 == format!("new {}", after[at].0)
        }
        "reverse" => after.iter().eq(before.iter().rev()),
        _ => return Err(format!("no check for {action}").into()),
    };
    if !ok {
        return Err(format!(
            "after {action} the table is wrong ({} rows before, {} after)",
            before.len(),
            after.len()
        )
        .into());
    }
    Ok(())
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
    let runs = env("RUNS", if quick() { 3 } else { 20 }).max(1);
    // The default Config, with the action rate (50/s per session) raised so that a larger
    // RUNS cannot meet it: the actions are spaced by the checks, but they are all one session's.
    let config = Config::new().actions_per_second(10_000);
    let server = Server::start(
        LiveRouter::with_config(config).route("/", TablePage { rows }),
        "127.0.0.1:0".parse()?,
    )
    .await?;
    let Some(b) = Browser::start("browser bench").await? else {
        return Ok(());
    };
    let url = server.url("/");
    let mut report: Vec<(&str, Vec<f64>, Vec<f64>)> = Vec::new();

    // First render: the page loaded afresh each time (the same session: no action has run
    // yet, so the same state).
    let (mut ms, mut paint) = (Vec::new(), Vec::new());
    for _ in 0..runs.min(5) {
        b.open_live(&url).await?;
        let first = settle(&b, 1, true).await?;
        let shown = table(&b).await?.len();
        if shown != rows as usize {
            return Err(format!("the first render shows {shown} rows, not {rows}").into());
        }
        ms.push(first.ms);
        paint.push(first.paint);
    }
    report.push(("first render (whole tree)", ms, paint));

    for (label, action, n) in [
        ("one-row change", "relabel", runs),
        ("one-row insert (middle)", "insert", runs),
        ("full reorder (reversed)", "reverse", runs.min(10)),
    ] {
        b.open_live(&url).await?;
        settle(&b, 1, true).await?;
        let (mut ms, mut paint) = (Vec::new(), Vec::new());
        for i in 0..n {
            let (before, version_before) = (table(&b).await?, version(&b).await?);
            b.js(
                &format!("LiveTemplate.send({action:?});"),
                Vec::<Value>::new(),
            )
            .await?;
            let update = settle(&b, i + 2, false).await?;
            check(&b, action, &before, version_before).await?;
            ms.push(update.ms);
            paint.push(update.paint);
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
