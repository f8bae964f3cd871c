//! Compile errors that point at the template file, line and column, as askama's do.

use std::fmt::{self, Write as _};

use proc_macro2::{Span, TokenStream};

/// An error found while compiling a template, reported as `compile_error!` at the derive.
#[derive(Debug)]
pub(crate) struct CompileError {
    message: String,
    span: Span,
}

impl CompileError {
    /// An error with no template position (attribute problems, missing files).
    pub(crate) fn new(message: impl fmt::Display, span: Span) -> Self {
        CompileError {
            message: message.to_string(),
            span,
        }
    }

    /// An error at `offset` bytes into `source`, read from `file` (`None` for inline sources).
    pub(crate) fn at(
        message: impl fmt::Display,
        file: Option<&str>,
        source: &str,
        offset: usize,
        span: Span,
    ) -> Self {
        let mut message = message.to_string();
        let (line, column, text) = locate(source, offset);
        let file = file.unwrap_or("<inline template>");
        let _ = write!(
            message,
            "\n --> {file}:{line}:{column}\n     |\n{line:>4} | {text}"
        );
        CompileError { message, span }
    }

    /// The error message, with its location.
    pub(crate) fn message(&self) -> &str {
        &self.message
    }

    /// `compile_error!("…")` spanned to the derive.
    pub(crate) fn into_compile_error(self) -> TokenStream {
        syn::Error::new(self.span, self.message).to_compile_error()
    }
}

/// Line (1-based), column (1-based, in characters) and the text of the line at `offset`.
fn locate(source: &str, offset: usize) -> (usize, usize, &str) {
    let offset = offset.min(source.len());
    let offset = (0..=offset)
        .rev()
        .find(|&i| source.is_char_boundary(i))
        .unwrap_or(0);
    let before = &source[..offset];
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    let line_end = source[offset..]
        .find('\n')
        .map_or(source.len(), |i| offset + i);
    let line = before.matches('\n').count() + 1;
    let column = source[line_start..offset].chars().count() + 1;
    (
        line,
        column,
        source[line_start..line_end].trim_end_matches('\r'),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn locates_line_and_column() {
        let src = "<p>\n  {% if %}\n</p>";
        let offset = src.find("{%").unwrap_or_default();
        assert_eq!(locate(src, offset), (2, 3, "  {% if %}"));
        assert_eq!(locate(src, 0), (1, 1, "<p>"));
        assert_eq!(locate(src, src.len()), (3, 5, "</p>"));
    }
}
