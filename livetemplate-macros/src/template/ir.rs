//! The lowered template: literal text with whitespace already applied, and dynamic pieces whose
//! Rust code is already generated. `generate` turns it into statics tables and slot code.

use proc_macro2::TokenStream;

/// One piece of a lowered template, in document order.
#[derive(Debug)]
pub(crate) enum Piece {
    /// Literal output, whitespace control applied.
    Lit(String),
    /// A value to write: an expression that is already escaped (its `Display` is the output).
    Write(TokenStream),
    /// A statement with no output (`let`, a declaration, a compound assignment).
    Stmt(TokenStream),
    /// Pieces in their own Rust scope (macro arguments, included templates) but sharing the
    /// parent's statics table.
    Scope(Vec<Piece>),
    /// `if` / `else if` / `else`.
    If(Vec<Branch>),
    /// `match` with its arms.
    Match {
        /// The scrutinee, already borrowed (`&expr`).
        scrutinee: TokenStream,
        /// Each arm's pattern and body.
        arms: Vec<(TokenStream, Vec<Piece>)>,
    },
    /// `for` (with optional `else`).
    Loop(Loop),
    /// Pieces rendered into a string that a filter (`{% filter %}`) then transforms.
    FilterBlock {
        /// The body, rendered to `__lvt_filter_source`.
        body: Vec<Piece>,
        /// The filter chain applied to the rendered body, already escaped.
        output: TokenStream,
    },
    /// `{% let x %}…{% endlet %}`: pieces rendered into a string assigned to a variable.
    LetBlock {
        /// `let x` / `x` / `let mut x: T` — everything before `=`.
        target: TokenStream,
        /// The body.
        body: Vec<Piece>,
    },
    /// `{% break %}`.
    Break,
    /// `{% continue %}`.
    Continue,
}

/// One branch of an `if`; `cond` is `None` for `else`.
#[derive(Debug)]
pub(crate) struct Branch {
    /// The condition tokens as they follow `if` (may be `let PAT = &EXPR`).
    pub(crate) cond: Option<TokenStream>,
    /// The branch's pieces.
    pub(crate) body: Vec<Piece>,
}

/// A lowered `for` loop.
#[derive(Debug)]
pub(crate) struct Loop {
    /// Statements that set up `__lvt_iter` (the iterator, and its `if` filter).
    pub(crate) setup: TokenStream,
    /// The loop variable pattern.
    pub(crate) pattern: TokenStream,
    /// The body.
    pub(crate) body: Vec<Piece>,
    /// The `else` body, when present.
    pub(crate) else_body: Option<Vec<Piece>>,
}

impl Piece {
    /// Whether a `break` or `continue` for the innermost loop appears in `pieces`.
    pub(crate) fn has_loop_control(pieces: &[Piece]) -> bool {
        pieces.iter().any(|piece| match piece {
            Piece::Break | Piece::Continue => true,
            Piece::Scope(body) => Self::has_loop_control(body),
            Piece::If(branches) => branches.iter().any(|b| Self::has_loop_control(&b.body)),
            Piece::Match { arms, .. } => arms.iter().any(|(_, body)| Self::has_loop_control(body)),
            Piece::FilterBlock { body, .. } | Piece::LetBlock { body, .. } => {
                Self::has_loop_control(body)
            }
            // A nested loop owns its own break/continue.
            Piece::Loop(_) | Piece::Lit(_) | Piece::Write(_) | Piece::Stmt(_) => false,
        })
    }
}
