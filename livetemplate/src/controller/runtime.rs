//! Running one action: snapshot the state, dispatch (catching panics), roll back on failure;
//! and who may name which action.
//!
//! Shared by `testing::LiveTest` and the server, so both give an action the same semantics: a
//! failing or panicking action leaves the state as it was, drops the effects it asked for, and
//! reports why. Clients may name only the controller's [`ACTIONS`](LiveController::ACTIONS)
//! (and `__navigate__`); every transport checks [`client_may_run`] before it runs anything, and
//! refuses the rest alike.

use std::future::Future;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::pin::Pin;
use std::task::{Context as TaskContext, Poll};

use super::{ActionError, Context, Effect, LiveController};
use crate::wire::{ActionKind, Meta, ProtocolError};
use crate::{LiveTemplate, RenderError, Rendered};

/// The key of `meta.errors` that carries a failure not tied to one form field.
pub(crate) const GENERAL_ERROR: &str = crate::wire::keys::GENERAL_ERROR;

/// What running an action produced.
#[derive(Debug)]
pub(crate) struct Outcome {
    /// `meta` for the reply: success, field errors (the error's message under `"_"`), the
    /// action's name.
    pub(crate) meta: Meta,
    /// The effects to carry out (none when the action failed).
    pub(crate) effects: Vec<Effect>,
    /// Whether it failed with [`ActionError::not_found`]: a page load answers `404`.
    pub(crate) not_found: bool,
}

impl Outcome {
    /// Whether the action succeeded (the state may have changed).
    pub(crate) fn succeeded(&self) -> bool {
        self.meta.success
    }

    /// Whether the action asked to rotate the session id (only a successful one can).
    pub(crate) fn rotates(&self) -> bool {
        self.succeeded() && self.effects.contains(&Effect::RotateSession)
    }

    /// The URL the action asked to send the browser to, if any.
    pub(crate) fn redirect(&self) -> Option<&str> {
        self.effects.iter().find_map(|effect| match effect {
            Effect::Redirect(to) => Some(to.as_str()),
            _ => None,
        })
    }
}

/// Whether a client may name `action`: one of the controller's
/// [`ACTIONS`](LiveController::ACTIONS), or the reserved `__navigate__` (which runs
/// `on_navigate`). A [server-only](LiveController::SERVER_ACTIONS) action is refused exactly
/// like any other name the controller lacks.
pub(crate) fn client_may_run<C: LiveController>(action: &str) -> bool {
    C::ACTIONS.contains(&action) || ActionKind::of(action) == ActionKind::Navigate
}

/// The transport a client action arrived on, for log lines.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Via {
    /// A live connection's message.
    Socket,
    /// A scripted `POST` of `{"action", "data"}`.
    JsonPost,
    /// A plain HTML form `POST` (no JavaScript).
    FormPost,
}

impl Via {
    fn name(self) -> &'static str {
        match self {
            Via::Socket => "socket",
            Via::JsonPost => "JSON POST",
            Via::FormPost => "form POST",
        }
    }
}

/// Logs an action refused by [`client_may_run`]. A server-only name is a warning (no page
/// names one: a client was written to try it), and so is any unknown name from a plain form
/// (the page itself posted it); other unknown names are debug lines. The name is shown
/// escaped and cut, as in the error the client gets.
pub(crate) fn log_refused<C: LiveController>(action: &str, via: Via) {
    let shown = ProtocolError::UnknownAction(action.to_owned());
    let name = via.name();
    if C::SERVER_ACTIONS.contains(&action) {
        tracing::warn!(
            via = name,
            "refused: a client named a server-only action ({shown})"
        );
    } else if via == Via::FormPost {
        tracing::warn!(
            via = name,
            "refused: {shown} (the page posts an action its controller lacks)"
        );
    } else {
        tracing::debug!(via = name, "refused: {shown}");
    }
}

/// The outcome of an action refused before it ran: what dispatching an unknown name gives
/// (`meta.errors["_"]` says `unknown action …`), so a refused server-only name looks the same.
#[cfg(feature = "testing")]
pub(crate) fn refused(action: &str) -> Outcome {
    let error = ActionError::unknown_action(action);
    let mut meta = Meta {
        success: false,
        action: Some(action.to_owned()),
        ..Meta::default()
    };
    meta.errors
        .insert(GENERAL_ERROR.to_owned(), error.message().to_owned());
    Outcome {
        meta,
        effects: Vec::new(),
        not_found: false,
    }
}

/// Runs the action and renders the result, as the server and `LiveTest` do: on error or panic
/// the state is restored; when the new state fails to render, the state is restored too and
/// the render error is returned with a failed outcome.
pub(crate) async fn act<C: LiveController>(
    controller: &C,
    state: &mut C::State,
    ctx: &mut Context,
) -> (Outcome, Result<Rendered, RenderError>) {
    let snapshot = state.clone();
    let (mut outcome, snapshot) = run_with_snapshot(controller, state, ctx, snapshot).await;
    match state.render_tree() {
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
                        super::FlashKind::Info => crate::wire::keys::FLASH_INFO,
                        super::FlashKind::Error => crate::wire::keys::FLASH_ERROR,
                    };
                    meta.flash.push((kind.to_owned(), message.clone()));
                }
            }
            (
                Outcome {
                    meta,
                    effects,
                    not_found: false,
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
                    not_found: error.is_not_found(),
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
