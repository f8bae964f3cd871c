//! A clock on every open page, moved from outside any request: a background task calls
//! [`LiveHandle::push`] every second, and each page subscribed to [`TOPIC`] runs `tick`.
//!
//! `on_connect` subscribes the page; the pushed `tick` carries the time as its data, bound
//! into [`Tick`]. Nothing is rendered per tick but the changed text, so each second costs one
//! small frame per open tab.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use askama::Template;
use livetemplate::FormData;
use livetemplate::{Config, LiveHandle, LiveRouter};
use livetemplate::{Context, LiveTemplate, live_controller};
use serde::Deserialize;

/// The topic the ticker pushes to.
pub const TOPIC: &str = "clock";

/// The page's state.
#[derive(Debug, Clone, Template, LiveTemplate)]
#[template(path = "clock.html")]
pub struct Clock {
    /// The time shown, `HH:MM:SS` (UTC).
    pub time: String,
    /// Ticks this browser has received.
    pub ticks: u64,
}

/// The data of a pushed `tick`.
#[derive(Debug, Deserialize)]
pub struct Tick {
    /// The new time, `HH:MM:SS`.
    pub time: String,
}

/// The clock page.
#[derive(Debug, Default)]
pub struct ClockController;

#[live_controller]
impl ClockController {
    async fn mount(&self, _ctx: &mut Context) -> livetemplate::Result<Clock> {
        Ok(Clock {
            time: time_of_day(SystemTime::now()),
            ticks: 0,
        })
    }

    async fn on_connect(&self, _state: &mut Clock, ctx: &mut Context) -> livetemplate::Result {
        ctx.subscribe(TOPIC);
        Ok(())
    }

    /// Pushed by the ticker: shows the new time. Server-only: a client cannot set the time.
    #[server_only]
    pub fn tick(&self, state: &mut Clock, form: Tick, _ctx: &mut Context) {
        state.time = form.time;
        state.ticks += 1;
    }
}

/// The app: the clock at `/`. Start the ticker with [`start_ticker`] on its handle.
pub fn app() -> LiveRouter {
    LiveRouter::with_config(Config::new().title("Clock")).route("/", ClockController)
}

/// Spawns the task that pushes `tick` with the current time to [`TOPIC`] every `period`
/// (call inside a Tokio runtime). Ticks missed while the process was busy are skipped.
pub fn start_ticker(handle: LiveHandle, period: Duration) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        let mut interval = tokio::time::interval(period);
        interval.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Skip);
        loop {
            interval.tick().await;
            let mut data = FormData::new();
            data.insert("time", time_of_day(SystemTime::now()));
            handle.push(TOPIC, "tick", data);
        }
    })
}

/// `at` as `HH:MM:SS`, UTC.
pub fn time_of_day(at: SystemTime) -> String {
    let seconds = at
        .duration_since(UNIX_EPOCH)
        .map_or(0, |since| since.as_secs() % 86_400);
    format!(
        "{:02}:{:02}:{:02}",
        seconds / 3600,
        seconds / 60 % 60,
        seconds % 60
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn time_of_day_is_utc_hours_minutes_seconds() {
        let at = UNIX_EPOCH + Duration::from_secs(3 * 86_400 + 13 * 3600 + 7 * 60 + 9);
        assert_eq!(time_of_day(at), "13:07:09");
        assert_eq!(time_of_day(UNIX_EPOCH), "00:00:00");
    }
}
