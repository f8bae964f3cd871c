//! Running one action: snapshot the state, dispatch (catching panics), roll back on failure.
//!
//! Shared by `testing::LiveTest` and the server, so both give an action the same semantics: a
//! failing or panicking action leaves the state as it was, drops the effects it asked for, and
//! reports why.

use std::future::Future;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::pin::Pin;
use std::task::{Context as TaskContext, Poll};

use super::{ActionError, Context, Effect, LiveController};
use crate::wire::{ActionKind, Meta};
use crate::{LiveTemplate, RenderError, Rendered};

/// The key of `meta.errors` that carries a failure not tied to one form field.
pub const GENERAL_ERROR: &str = "_";

/// What running an action produced.
#[derive(Debug)]
pub struct Outcome {
    /// `meta` for the reply: success, field errors, the action's name.
    pub meta: Meta,
    /// The effects to carry out (none when the action failed).
    pub effects: Vec<Effect>,
    /// Why it failed, when it did.
    pub error: Option<ActionError>,
}

impl Outcome {
    /// Whether the action succeeded (the state may have changed).
    pub fn succeeded(&self) -> bool {
        self.meta.success
    }
}

/// Runs `ctx.action()` on `state` (`__navigate__` runs `on_navigate`); on error or panic,
/// `state` is restored.
pub async fn run_action<C: LiveController>(
    controller: &C,
    state: &mut C::State,
    ctx: &mut Context,
) -> Outcome {
    let snapshot = state.clone();
    run_with_snapshot(controller, state, ctx, snapshot).await.0
}

/// Runs the action and renders the result, as the server and `LiveTest` do: on error or panic
/// the state is restored; when the new state fails to render, the state is restored too and
/// the render error is returned with a failed outcome.
pub async fn act<C: LiveController>(
    controller: &C,
    state: &mut C::State,
    ctx: &mut Context,
) -> (Outcome, Result<Rendered, RenderError>) {
    let snapshot = state.clone();
    let (mut outcome, snapshot) = run_with_snapshot(controller, state, ctx, snapshot).await;
    match state.render() {
        Ok(tree) => (outcome, Ok(tree)),
        Err(error) => {
            tracing::error!(action = %ctx.action(), %error, "the new state does not render; rolled back");
            if let Some(snapshot) = snapshot {
                *state = snapshot;
            }
            outcome.meta.success = false;
            outcome.meta.errors.insert(
                GENERAL_ERROR.to_owned(),
                "the page could not be rendered".to_owned(),
            );
            outcome.effects.clear();
            (outcome, Err(error))
        }
    }
}

/// Dispatches; returns the outcome and, when the action succeeded, the snapshot (so a later
/// failure can still roll back).
async fn run_with_snapshot<C: LiveController>(
    controller: &C,
    state: &mut C::State,
    ctx: &mut Context,
    snapshot: C::State,
) -> (Outcome, Option<C::State>) {
    let action = ctx.action().to_owned();
    let result = if ActionKind::of(&action) == ActionKind::Navigate {
        CatchUnwind(Box::pin(controller.on_navigate(state, ctx))).await
    } else {
        CatchUnwind(Box::pin(controller.dispatch(&action, state, ctx))).await
    };
    let error = match result {
        Ok(Ok(())) => None,
        Ok(Err(error)) => Some(error),
        Err(panic) => {
            let reason = panic_message(&*panic);
            tracing::error!(action = %action, %reason, "action panicked; state rolled back");
            Some(ActionError::new("the action failed unexpectedly"))
        }
    };
    match error {
        None => {
            let mut meta = Meta::ok(action);
            let effects = ctx.take_effects();
            for effect in &effects {
                if let super::Effect::Flash { kind, message } = effect {
                    let kind = match kind {
                        super::FlashKind::Info => "info",
                        super::FlashKind::Error => "error",
                    };
                    meta.flash.push((kind.to_owned(), message.clone()));
                }
            }
            (
                Outcome {
                    meta,
                    effects,
                    error: None,
                },
                Some(snapshot),
            )
        }
        Some(error) => {
            *state = snapshot;
            ctx.take_effects();
            let mut meta = Meta {
                success: false,
                errors: Default::default(),
                action: Some(action),
                ..Meta::default()
            };
            for (field, message) in error.field_errors().iter() {
                meta.errors.insert(field.to_owned(), message.to_owned());
            }
            if meta.errors.is_empty() {
                meta.errors
                    .insert(GENERAL_ERROR.to_owned(), error.message().to_owned());
            }
            (
                Outcome {
                    meta,
                    effects: Vec::new(),
                    error: Some(error),
                },
                None,
            )
        }
    }
}

/// Resolves to `Err(payload)` when polling the inner future panics.
struct CatchUnwind<F>(Pin<Box<F>>);

impl<F: Future> Future for CatchUnwind<F> {
    type Output = Result<F::Output, Box<dyn std::any::Any + Send>>;

    fn poll(mut self: Pin<&mut Self>, cx: &mut TaskContext<'_>) -> Poll<Self::Output> {
        let inner = self.0.as_mut();
        match catch_unwind(AssertUnwindSafe(|| inner.poll(cx))) {
            Ok(Poll::Pending) => Poll::Pending,
            Ok(Poll::Ready(value)) => Poll::Ready(Ok(value)),
            Err(panic) => Poll::Ready(Err(panic)),
        }
    }
}

fn panic_message(panic: &(dyn std::any::Any + Send)) -> String {
    if let Some(text) = panic.downcast_ref::<&str>() {
        (*text).to_owned()
    } else if let Some(text) = panic.downcast_ref::<String>() {
        text.clone()
    } else {
        "a panic with a non-text payload".to_owned()
    }
}
