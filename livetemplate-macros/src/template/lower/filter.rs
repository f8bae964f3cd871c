//! Filters: `{{ value|name(args) }}` → calls into askama's runtime filters.
//!
//! Every built-in filter generates the same call into `askama::filters` that askama 0.16's
//! derive generates (same argument conversions, same borrowing), so the runtime does the work and
//! the output is byte-identical. Argument lists are checked at compile time with askama's rules
//! and error messages: positional arguments first, then named ones, optional arguments defaulted.
//! Unknown names are custom filters, called through askama's `#[filter_fn]` builder convention.

use askama_parser::expr::PathComponent;
use askama_parser::{Expr, IntKind, Num, PathOrIdentifier, Span, StrLit, StrPrefix, TyGenerics};
use askama_parser::{WithSpan, is_rust_keyword};
use proc_macro2::TokenStream;
use quote::{format_ident, quote};

use super::{DisplayWrap, Lowerer, expr, ident};
use crate::template::error::CompileError;

type ExprRef<'a> = &'a WithSpan<Box<Expr<'a>>>;
type Generics<'a> = &'a WithSpan<Vec<WithSpan<TyGenerics<'a>>>>;
type Output = Result<(TokenStream, DisplayWrap), CompileError>;

/// One parameter of a built-in filter, after the filtered value.
struct Param {
    name: &'static str,
    /// Whether it may be left out (askama shows it as `[name]` in its messages).
    optional: bool,
}

const fn required(name: &'static str) -> Param {
    Param {
        name,
        optional: false,
    }
}

const fn optional(name: &'static str) -> Param {
    Param {
        name,
        optional: true,
    }
}

/// Built-in filters without arguments that askama calls as `askama::filters::name(arg)?`
/// (askama's `BUILTIN_FILTERS`, `BUILTIN_FILTERS_ALLOC` and `BUILTIN_FILTERS_STD`; the crate
/// always has the `alloc` and `std` features).
const SIMPLE_FILTERS: &[&str] = &[
    "capitalize",
    "lower",
    "lowercase",
    "title",
    "titlecase",
    "trim",
    "upper",
    "uppercase",
    "unique",
];

/// The askama runtime, as generated code must name it.
fn rt() -> TokenStream {
    quote!(::livetemplate::__private::askama)
}

impl<'a> Lowerer<'a> {
    /// Generates code for one filter application; `args[0]` is the filtered value.
    pub(crate) fn visit_filter(
        &mut self,
        name: &'a PathOrIdentifier<'a>,
        args: &'a [WithSpan<Box<Expr<'a>>>],
        span: Span,
    ) -> Output {
        let (name, generics) = match name {
            PathOrIdentifier::Path(path) => match path.as_slice() {
                [single] => (*single.name, single.generics.as_ref()),
                _ => return self.visit_custom_filter(path, args, span),
            },
            PathOrIdentifier::Identifier(name) => (**name, None),
        };
        if args.is_empty() {
            // The parser always passes the filtered value; guard against a malformed AST.
            return Err(self.error(format_args!("filter `{name}` has no input"), span));
        }
        match name {
            "value" => return self.visit_value_filter(args, generics, span),
            _ if SIMPLE_FILTERS.contains(&name) => {
                self.ensure_no_generics(name, generics)?;
                return self.visit_simple_filter(name, args);
            }
            "assigned_or" | "center" | "default" | "defined_or" | "deref" | "escape" | "e"
            | "filesizeformat" | "fmt" | "format" | "indent" | "join" | "json" | "tojson"
            | "linebreaks" | "linebreaksbr" | "paragraphbreaks" | "pluralize" | "ref"
            | "reject" | "safe" | "truncate" | "urlencode" | "urlencode_strict" | "wordcount" => {
                self.ensure_no_generics(name, generics)?;
            }
            // A custom filter `filters::name`; askama ignores generics on a bare name.
            _ => {
                let path = [
                    PathPart {
                        name: "filters",
                        generics: None,
                    },
                    PathPart {
                        name,
                        generics: None,
                    },
                ];
                return self.visit_custom_filter_parts(&path, args, span);
            }
        }
        match name {
            "assigned_or" => {
                let [value, fallback] = self.filter_args(
                    "assigned_or",
                    span,
                    args,
                    [required(""), required("fallback")],
                )?;
                self.visit_assigned_or(value.unwrap_or(&args[0]), fallback.unwrap_or(&args[0]))
            }
            "center" | "truncate" => self.visit_center_truncate(name, args, span),
            "default" => self.visit_default(args, span),
            "defined_or" => {
                let [value, fallback] = self.filter_args(
                    "defined_or",
                    span,
                    args,
                    [required(""), required("fallback")],
                )?;
                self.visit_defined_or(
                    "defined_or",
                    value.unwrap_or(&args[0]),
                    fallback.unwrap_or(&args[0]),
                    span,
                )
            }
            "deref" | "ref" => {
                let arg = self.no_arguments(name, args)?;
                let (code, _) = self.visit_expr(arg)?;
                let op = if name == "ref" { quote!(&) } else { quote!(*) };
                Ok((quote!(#op #code), DisplayWrap::Unwrapped))
            }
            "escape" | "e" => self.visit_escape(args, span),
            "filesizeformat" => self.visit_filesizeformat(args, span),
            "fmt" => self.visit_fmt(args, span),
            "format" => self.visit_format(args, span),
            "indent" => self.visit_indent(args, span),
            "join" => self.visit_join(args, span),
            "json" | "tojson" => self.visit_json(args, span),
            "linebreaks" | "linebreaksbr" | "paragraphbreaks" => self.visit_linebreaks(name, args),
            "pluralize" => self.visit_pluralize(args, span),
            "reject" => self.visit_reject(args, span),
            "safe" => {
                let arg = self.no_arguments("safe", args)?;
                let arg = self.visit_arg(arg)?;
                let (rt, escaper) = (rt(), &self.input.escaper);
                Ok((
                    quote!(#rt::filters::safe(#arg, #escaper)?),
                    DisplayWrap::Wrapped,
                ))
            }
            "urlencode" | "urlencode_strict" => {
                let arg = self.no_arguments(name, args)?;
                let arg = self.visit_arg(arg)?;
                let (rt, name) = (rt(), format_ident!("{}", name));
                // Both filters return HTML-safe strings.
                Ok((
                    quote!(#rt::filters::HtmlSafeOutput(#rt::filters::#name(#arg)?)),
                    DisplayWrap::Unwrapped,
                ))
            }
            "wordcount" => self.visit_wordcount(args),
            _ => Err(self.error(format_args!("unknown filter `{name}`"), span)),
        }
    }

    // ---- argument checking (askama's `collect_filter_args`) -----------------------------

    /// Matches `args` (the filtered value first) against `params` (whose first entry stands for
    /// the filtered value): positional arguments in order, then named ones. Returns `None` for
    /// optional parameters that were not given; required ones are always `Some`.
    fn filter_args<const N: usize>(
        &self,
        name: &str,
        span: Span,
        args: &'a [WithSpan<Box<Expr<'a>>>],
        params: [Param; N],
    ) -> Result<[Option<ExprRef<'a>>; N], CompileError> {
        let mut collected: [Option<ExprRef<'a>>; N] = [None; N];
        let mut position = 0;
        for arg in args {
            let (index, value) = if let Expr::NamedArgument(arg_name, value) = &***arg {
                let found = params
                    .iter()
                    .position(|p| !p.name.is_empty() && p.name == **arg_name);
                let Some(index) = found else {
                    let message = if N == 1 {
                        format!(
                            "`{}` filter does not have any arguments",
                            name.escape_debug()
                        )
                    } else {
                        format!(
                            "`{name}` filter does not have an argument `{}`{}",
                            arg_name.escape_debug(),
                            its_arguments_are(&params),
                        )
                    };
                    return Err(self.error(message, arg.span()));
                };
                (index, value)
            } else {
                position += 1;
                (position - 1, arg)
            };
            let Some(slot) = collected.get_mut(index) else {
                return Err(self.error(
                    format_args!(
                        "`{name}` filter accepts at most {} argument{}{}",
                        N - 1,
                        if N == 2 { "" } else { "s" },
                        its_arguments_are(&params),
                    ),
                    arg.span(),
                ));
            };
            if slot.replace(value).is_some() {
                return Err(self.error(
                    format_args!(
                        "`{}` argument to `{}` filter was already set{}",
                        params[index].name.escape_debug(),
                        name.escape_debug(),
                        its_arguments_are(&params),
                    ),
                    arg.span(),
                ));
            }
        }
        for (param, slot) in params.iter().zip(&collected) {
            if slot.is_none() && !param.optional {
                return Err(self.error(
                    format_args!(
                        "`{}` argument is missing when calling `{name}` filter{}",
                        param.name.escape_debug(),
                        its_arguments_are(&params),
                    ),
                    span,
                ));
            }
        }
        Ok(collected)
    }

    /// The filtered value of a filter that takes no arguments.
    fn no_arguments(
        &self,
        name: &str,
        args: &'a [WithSpan<Box<Expr<'a>>>],
    ) -> Result<ExprRef<'a>, CompileError> {
        match args {
            [_, extra, ..] => Err(self.error(
                format_args!("`{name}` filter does not have any arguments"),
                extra.span(),
            )),
            [arg] => Ok(arg),
            // `visit_filter` rejects an empty list before dispatching.
            [] => Err(self.error(
                format_args!("`{name}` filter has no input"),
                Span::no_span(),
            )),
        }
    }

    fn ensure_no_generics(
        &self,
        name: &str,
        generics: Option<Generics<'a>>,
    ) -> Result<(), CompileError> {
        match generics {
            Some(generics) => Err(self.error(
                format_args!("unexpected generics on filter `{}`", name.escape_debug()),
                generics.span(),
            )),
            None => Ok(()),
        }
    }

    /// `visit_arg` for an optional argument, or `default` when it was left out.
    fn arg_or(
        &mut self,
        arg: Option<ExprRef<'a>>,
        default: TokenStream,
    ) -> Result<TokenStream, CompileError> {
        match arg {
            Some(arg) => self.visit_arg(arg),
            None => Ok(default),
        }
    }

    // ---- the filters --------------------------------------------------------------------

    fn visit_simple_filter(&mut self, name: &str, args: &'a [WithSpan<Box<Expr<'a>>>]) -> Output {
        let arg = self.no_arguments(name, args)?;
        let arg = self.visit_arg(arg)?;
        let (rt, name) = (rt(), ident(name));
        Ok((quote!(#rt::filters::#name(#arg)?), DisplayWrap::Unwrapped))
    }

    fn visit_assigned_or(&mut self, value: ExprRef<'a>, fallback: ExprRef<'a>) -> Output {
        if let Expr::Var(var) = &***value
            && !self.is_var_assigned(var)
        {
            let (code, _) = self.visit_expr(fallback)?;
            return Ok((code, DisplayWrap::Unwrapped));
        }
        let value = self.visit_arg(value)?;
        let fallback = self.visit_arg(fallback)?;
        let rt = rt();
        Ok((
            quote!(#rt::filters::assigned_or(&(#value), #fallback)?),
            DisplayWrap::Unwrapped,
        ))
    }

    fn visit_defined_or(
        &mut self,
        name: &str,
        value: ExprRef<'a>,
        fallback: ExprRef<'a>,
        span: Span,
    ) -> Output {
        let Expr::Var(var) = &***value else {
            return Err(self.error(
                format_args!("the `{name}` filter requires a variable name on its left-hand side"),
                span,
            ));
        };
        let chosen = if self.is_var_assigned(var) {
            value
        } else {
            fallback
        };
        let (code, _) = self.visit_expr(chosen)?;
        Ok((code, DisplayWrap::Unwrapped))
    }

    fn visit_default(&mut self, args: &'a [WithSpan<Box<Expr<'a>>>], span: Span) -> Output {
        let [value, fallback, boolean] = self.filter_args(
            "default",
            span,
            args,
            [required(""), required("default_value"), optional("boolean")],
        )?;
        let (value, fallback) = (value.unwrap_or(&args[0]), fallback.unwrap_or(&args[0]));
        let assigned = match boolean {
            None => false,
            Some(boolean) => match &***boolean {
                Expr::BoolLit(b) => *b,
                _ => {
                    return Err(self.error(
                        "the `default` filter takes a boolean literal as its optional second \
                         argument",
                        boolean.span(),
                    ));
                }
            },
        };
        if assigned {
            self.visit_assigned_or(value, fallback)
        } else {
            self.visit_defined_or("default", value, fallback, span)
        }
    }

    fn visit_center_truncate(
        &mut self,
        name: &str,
        args: &'a [WithSpan<Box<Expr<'a>>>],
        span: Span,
    ) -> Output {
        let [source, length] =
            self.filter_args(name, span, args, [required(""), required("length")])?;
        let source = self.visit_arg(source.unwrap_or(&args[0]))?;
        let length = self.visit_arg(length.unwrap_or(&args[0]))?;
        let (rt, name) = (rt(), format_ident!("{}", name));
        Ok((
            quote! {
                #rt::filters::#name(
                    #source,
                    #rt::helpers::core::primitive::usize::try_from(
                        #rt::helpers::get_primitive_value(&(#length))
                    ).map_err(|_| #rt::Error::Fmt)?
                )?
            },
            DisplayWrap::Unwrapped,
        ))
    }

    fn visit_escape(&mut self, args: &'a [WithSpan<Box<Expr<'a>>>], span: Span) -> Output {
        let [source, escaper] =
            self.filter_args("escape", span, args, [required(""), optional("escaper")])?;
        let escaper = match escaper {
            None => self.input.escaper.clone(),
            Some(arg) => {
                let Expr::StrLit(StrLit {
                    prefix, content, ..
                }) = &***arg
                else {
                    return Err(self.error("invalid escaper type for escape filter", span));
                };
                if let Some(prefix) = prefix {
                    let kind = if *prefix == StrPrefix::Binary {
                        "slice"
                    } else {
                        "CStr"
                    };
                    return Err(self.error(
                        format_args!(
                            "invalid escaper `b{content:?}`. Expected a string, found a {kind}"
                        ),
                        arg.span(),
                    ));
                }
                match self.input.escaper_for(content) {
                    Some(escaper) => escaper,
                    None => {
                        let mut exts: Vec<String> = self
                            .input
                            .escapers
                            .iter()
                            .flat_map(|(exts, _)| exts)
                            .map(|ext| format!("{ext:?}"))
                            .collect();
                        exts.sort();
                        return Err(self.error(
                            format_args!(
                                "invalid escaper `{}` for `escape` filter. The available \
                                 extensions are: {}",
                                content.escape_debug(),
                                exts.join(", "),
                            ),
                            span,
                        ));
                    }
                }
            }
        };
        let source = self.visit_arg(source.unwrap_or(&args[0]))?;
        let rt = rt();
        Ok((
            quote!(#rt::filters::escape(#source, #escaper)?),
            DisplayWrap::Wrapped,
        ))
    }

    fn visit_filesizeformat(&mut self, args: &'a [WithSpan<Box<Expr<'a>>>], span: Span) -> Output {
        // askama reports this filter's argument errors under the name `humansize`.
        let [source, precision] = self.filter_args(
            "humansize",
            span,
            args,
            [required(""), optional("precision")],
        )?;
        let source = self.visit_arg(source.unwrap_or(&args[0]))?;
        let precision = self.arg_or(precision, quote!(2u8))?;
        let rt = rt();
        // The output is a number, which any escaper leaves alone.
        Ok((
            quote! {
                #rt::filters::HtmlSafeOutput(
                    #rt::filters::filesizeformat(
                        #rt::helpers::get_primitive_value(&(#source))
                            as #rt::helpers::core::primitive::u128,
                        #rt::helpers::get_primitive_value(&(#precision))
                            as #rt::helpers::core::primitive::u8
                    )?
                )
            },
            DisplayWrap::Unwrapped,
        ))
    }

    fn visit_fmt(&mut self, args: &'a [WithSpan<Box<Expr<'a>>>], span: Span) -> Output {
        let [source, format] =
            self.filter_args("fmt", span, args, [required(""), required("format")])?;
        let Some(Expr::StrLit(format)) = format.map(|f| &***f) else {
            return Err(self.error(r#"use `fmt` filter like `value|fmt("{:?}")`"#, span));
        };
        let format = self.str_lit(format, span)?;
        let source = self.visit_arg(source.unwrap_or(&args[0]))?;
        let rt = rt();
        Ok((
            quote!(#rt::helpers::alloc::format!(#format, #source)),
            DisplayWrap::Unwrapped,
        ))
    }

    fn visit_format(&mut self, args: &'a [WithSpan<Box<Expr<'a>>>], span: Span) -> Output {
        if let Some(named) = args
            .iter()
            .find(|a| matches!(&****a, Expr::NamedArgument(..)))
        {
            return Err(self.error(
                "`format` filter cannot accept named arguments",
                named.span(),
            ));
        }
        let [head, tail @ ..] = args else {
            return Err(self.error(
                r#"use `format` filter like `"a={} b={}"|format(a, b)`"#,
                span,
            ));
        };
        let Expr::StrLit(format) = &***head else {
            return Err(self.error(
                r#"use `format` filter like `"a={} b={}"|format(a, b)`"#,
                span,
            ));
        };
        let format = self.str_lit(format, span)?;
        let mut rest = Vec::with_capacity(tail.len());
        for arg in tail {
            rest.push(self.visit_arg(arg)?);
        }
        let rt = rt();
        Ok((
            quote!(#rt::helpers::alloc::format!(#format #(, #rest)*)),
            DisplayWrap::Unwrapped,
        ))
    }

    fn visit_indent(&mut self, args: &'a [WithSpan<Box<Expr<'a>>>], span: Span) -> Output {
        let [source, width, first, blank] = self.filter_args(
            "indent",
            span,
            args,
            [
                required(""),
                required("width"),
                optional("first"),
                optional("blank"),
            ],
        )?;
        let source = self.visit_arg(source.unwrap_or(&args[0]))?;
        let width = self.visit_arg(width.unwrap_or(&args[0]))?;
        let first = self.arg_or(first, quote!(false))?;
        let blank = self.arg_or(blank, quote!(false))?;
        let rt = rt();
        Ok((
            quote! {
                #rt::filters::indent(
                    #source,
                    #width,
                    #rt::helpers::as_bool(&(#first)),
                    #rt::helpers::as_bool(&(#blank))
                )?
            },
            DisplayWrap::Unwrapped,
        ))
    }

    fn visit_join(&mut self, args: &'a [WithSpan<Box<Expr<'a>>>], span: Span) -> Output {
        let [iterable, separator] =
            self.filter_args("join", span, args, [required(""), required("separator")])?;
        let iterable = self.visit_arg(iterable.unwrap_or(&args[0]))?;
        let separator = self.visit_arg(separator.unwrap_or(&args[0]))?;
        let rt = rt();
        // The `(&(..)).into_iter()` forces the coercion askama relies on (askama issue #39).
        Ok((
            quote!(#rt::filters::join((&(#iterable)).into_iter(), #separator)?),
            DisplayWrap::Unwrapped,
        ))
    }

    /// `json` / `tojson`, with an optional `indent`: askama's `json` or `json_pretty`. askama
    /// only has them with its `serde_json` feature, which livetemplate's `serde_json` feature
    /// enables (with this crate's feature of the same name).
    #[cfg(feature = "serde_json")]
    fn visit_json(&mut self, args: &'a [WithSpan<Box<Expr<'a>>>], span: Span) -> Output {
        let [value, indent] =
            self.filter_args("json", span, args, [required(""), optional("indent")])?;
        let value = self.visit_arg(value.unwrap_or(&args[0]))?;
        let rt = rt();
        let code = match indent {
            None => quote!(#rt::filters::json(#value)?),
            Some(indent) => {
                let indent = self.visit_arg(indent)?;
                quote!(#rt::filters::json_pretty(#value, #indent)?)
            }
        };
        Ok((code, DisplayWrap::Unwrapped))
    }

    /// Without the `serde_json` feature, askama's error, with how to enable it here.
    #[cfg(not(feature = "serde_json"))]
    fn visit_json(&mut self, _args: &'a [WithSpan<Box<Expr<'a>>>], span: Span) -> Output {
        Err(self.error(
            "the `json` filter requires the `serde_json` feature to be enabled: enable \
             livetemplate's `serde_json` feature",
            span,
        ))
    }

    fn visit_linebreaks(&mut self, name: &str, args: &'a [WithSpan<Box<Expr<'a>>>]) -> Output {
        let arg = self.no_arguments(name, args)?;
        let arg = self.visit_arg(arg)?;
        let (rt, name) = (rt(), format_ident!("{}", name));
        // The input is always HTML-escaped, whatever the template's escaper; the output is
        // marked HTML-safe only, so it is still passed through the template's escaper.
        Ok((
            quote! {
                #rt::filters::#name(
                    &(&&#rt::filters::AutoEscaper::new(&(#arg), #rt::filters::Html))
                        .askama_auto_escape()?
                )?
            },
            DisplayWrap::Unwrapped,
        ))
    }

    fn visit_pluralize(&mut self, args: &'a [WithSpan<Box<Expr<'a>>>], span: Span) -> Output {
        let [count, singular, plural] = self.filter_args(
            "pluralize",
            span,
            args,
            [required(""), optional("singular"), optional("plural")],
        )?;
        let count = count.unwrap_or(&args[0]);
        let rt = rt();
        let singular_default = quote!(#rt::helpers::Empty);
        let plural_default = quote!(#rt::filters::Safe("s"));
        if let Some(is_singular) = int_lit_is_plus_minus_one(count) {
            let code = if is_singular {
                self.auto_escaped_arg(singular, singular_default)?
            } else {
                self.auto_escaped_arg(plural, plural_default)?
            };
            return Ok((code, DisplayWrap::Wrapped));
        }
        let count = self.visit_arg(count)?;
        let singular = self.auto_escaped_arg(singular, singular_default)?;
        let plural = self.auto_escaped_arg(plural, plural_default)?;
        Ok((
            quote!(#rt::filters::pluralize(#count, #singular, #plural)?),
            DisplayWrap::Wrapped,
        ))
    }

    /// An argument escaped with the template's escaper (at compile time for literals), or
    /// `default` when it was left out.
    fn auto_escaped_arg(
        &mut self,
        arg: Option<ExprRef<'a>>,
        default: TokenStream,
    ) -> Result<TokenStream, CompileError> {
        let Some(arg) = arg else {
            return Ok(default);
        };
        let rt = rt();
        if let Some(text) = expr::compile_time_text(arg, &self.input.escaper) {
            return Ok(if text.is_empty() {
                quote!(#rt::helpers::Empty)
            } else {
                quote!(#rt::filters::Safe(#text))
            });
        }
        let arg = self.visit_arg(arg)?;
        let escaper = &self.input.escaper;
        Ok(quote!((&&#rt::filters::AutoEscaper::new(#arg, #escaper)).askama_auto_escape()?))
    }

    fn visit_reject(&mut self, args: &'a [WithSpan<Box<Expr<'a>>>], span: Span) -> Output {
        let [input, filter] =
            self.filter_args("reject", span, args, [required(""), required("filter")])?;
        let (input, filter) = (input.unwrap_or(&args[0]), filter.unwrap_or(&args[0]));
        let iter = self.visit_loop_iter(input)?;
        let arg = self.visit_arg(filter)?;
        let rt = rt();
        let code = if matches!(&***filter, Expr::Path(_)) {
            // A function path: a predicate.
            quote!(#rt::filters::reject_with(#iter, #arg)?)
        } else {
            // A value to drop; coerce `T`, `&T`, `&&T`, … to `&T`.
            quote!(#rt::filters::reject(#iter, (&&&(#arg)) as &_)?)
        };
        Ok((code, DisplayWrap::Unwrapped))
    }

    fn visit_wordcount(&mut self, args: &'a [WithSpan<Box<Expr<'a>>>]) -> Output {
        let arg = self.no_arguments("wordcount", args)?;
        let arg = self.visit_arg(arg)?;
        let rt = rt();
        // The count is taken while the value is written (into nothing).
        Ok((
            quote! {
                match #rt::filters::wordcount(&(#arg)) {
                    __lvt_wordcount => {
                        (&&&#rt::filters::Writable(&__lvt_wordcount))
                            .askama_write(&mut #rt::helpers::Empty, __lvt_values)?;
                        __lvt_wordcount.into_count()
                    }
                }
            },
            DisplayWrap::Unwrapped,
        ))
    }

    /// `"key"|value::<T>`: askama's render-time values, as `askama::helpers::get_value`.
    fn visit_value_filter(
        &mut self,
        args: &'a [WithSpan<Box<Expr<'a>>>],
        generics: Option<Generics<'a>>,
        span: Span,
    ) -> Output {
        let [key] = args else {
            return Err(self.error(
                format_args!(
                    "`value` filter only takes one argument, found {}",
                    args.len()
                ),
                span,
            ));
        };
        let Some(generics) = generics else {
            return Err(self.error("`value` filter expects one generic, found none", span));
        };
        let [ty] = generics.as_slice() else {
            return Err(self.error(
                format_args!(
                    "`value` filter expects one generic, found {}",
                    generics.len()
                ),
                generics.span(),
            ));
        };
        let ty = self.visit_ty_generic(ty)?;
        let key = self.visit_arg(key)?;
        let rt = rt();
        Ok((
            quote!(#rt::helpers::get_value::<#ty>(&__lvt_values, &(#key))),
            DisplayWrap::Unwrapped,
        ))
    }

    // ---- custom filters -----------------------------------------------------------------

    /// `value|my::path::name(args)`.
    fn visit_custom_filter(
        &mut self,
        path: &'a [PathComponent<'a>],
        args: &'a [WithSpan<Box<Expr<'a>>>],
        span: Span,
    ) -> Output {
        let parts: Vec<PathPart<'a>> = path
            .iter()
            .map(|p| PathPart {
                name: *p.name,
                generics: p.generics.as_ref(),
            })
            .collect();
        self.visit_custom_filter_parts(&parts, args, span)
    }

    /// A filter defined with `#[askama::filter_fn]`: a builder struct at `path`, one
    /// `with_N(..)` / `with_NAME(..)` setter per argument, then `execute(input, values)`.
    fn visit_custom_filter_parts(
        &mut self,
        path: &[PathPart<'a>],
        args: &'a [WithSpan<Box<Expr<'a>>>],
        span: Span,
    ) -> Output {
        let last_has_generics = path
            .last()
            .is_some_and(|p| p.generics.is_some_and(|g| !g.is_empty()));
        if path.is_empty() || last_has_generics {
            return Err(self.error(
                "Invalid filter invocation. Generics are not supported",
                span,
            ));
        }
        let Some((input, rest)) = args.split_first() else {
            return Err(self.error("filter has no input", span));
        };
        let filter_path = self.filter_path(path)?;
        let rt = rt();

        // A nicer compile error when too many arguments are passed.
        let assertion = if rest.is_empty() {
            TokenStream::new()
        } else {
            let last = rest.len() - 1;
            quote!(const _: bool = <#filter_path as #rt::filters::ValidArgIdx<#last>>::VALID;)
        };

        let mut setters = TokenStream::new();
        for (index, arg) in rest.iter().enumerate() {
            let setter = match &***arg {
                Expr::NamedArgument(name, _) => format_ident!("with_{}", **name),
                _ => format_ident!("with_{}", index),
            };
            // askama borrows the named argument as a whole (an operand, for `is_copyable`).
            let value = self.visit_arg(arg)?;
            setters.extend(quote!(.#setter(#value)));
        }
        let input = self.visit_arg(input)?;
        Ok((
            quote! {{
                #assertion
                #rt::filters::ValidFilterInvocation::wrap(
                    #filter_path::default() #setters
                ).execute(#input, __lvt_values)?
            }},
            DisplayWrap::Unwrapped,
        ))
    }

    /// A path as askama's `visit_path` writes it (a leading empty part is a leading `::`).
    fn filter_path(&mut self, path: &[PathPart<'a>]) -> Result<TokenStream, CompileError> {
        let mut tokens = TokenStream::new();
        for (i, part) in path.iter().enumerate() {
            if i > 0 {
                tokens.extend(quote!(::));
            }
            if !part.name.is_empty() {
                tokens.extend(path_ident(part.name));
            }
            if let Some(generics) = part.generics {
                tokens.extend(quote!(::));
                if !generics.is_empty() {
                    let mut list = Vec::with_capacity(generics.len());
                    for generic in generics.iter() {
                        list.push(self.visit_ty_generic(generic)?);
                    }
                    tokens.extend(quote!(<#(#list,)*>));
                }
            }
        }
        Ok(tokens)
    }

    fn str_lit(&self, lit: &StrLit<'_>, span: Span) -> Result<TokenStream, CompileError> {
        let repr = match lit.prefix {
            Some(StrPrefix::Binary) => format!(r#"b"{}""#, lit.content),
            Some(StrPrefix::CLike) => format!(r#"c"{}""#, lit.content),
            None => format!(r#""{}""#, lit.content),
        };
        repr.parse()
            .map_err(|_| self.error(format_args!("invalid string literal {repr}"), span))
    }
}

/// One component of a custom filter's path.
#[derive(Clone, Copy)]
struct PathPart<'a> {
    name: &'a str,
    generics: Option<Generics<'a>>,
}

/// A path component as a token: raw identifier for keywords, as askama's `field_new`.
fn path_ident(name: &str) -> TokenStream {
    if is_rust_keyword(name) && !matches!(name, "self" | "Self" | "crate" | "super") {
        let id = proc_macro2::Ident::new_raw(name, proc_macro2::Span::call_site());
        quote!(#id)
    } else {
        let id = ident(name);
        quote!(#id)
    }
}

/// askama's "; its arguments are: (a, [b])" suffix.
fn its_arguments_are(params: &[Param]) -> String {
    let mut out = String::from("; its arguments are: (");
    for (index, param) in params.iter().enumerate().skip(1) {
        if index > 1 {
            out.push_str(", ");
        }
        if param.optional {
            out.push('[');
            out.push_str(param.name);
            out.push(']');
        } else {
            out.push_str(param.name);
        }
    }
    out.push(')');
    out
}

/// Whether `expr` is an integer literal equal to 1 (or -1 for signed types), as askama decides
/// at compile time for `pluralize`: `Some(true)` for ±1, `Some(false)` for other integers.
fn int_lit_is_plus_minus_one(expr: &Expr<'_>) -> Option<bool> {
    fn signed<T: PartialEq + From<i8>, E>(
        parse: fn(&str, u32) -> Result<T, E>,
        v: &str,
    ) -> Option<bool> {
        let value = parse(v, 10).ok()?;
        Some(value == T::from(1) || value == T::from(-1))
    }
    fn unsigned<T: PartialEq + From<u8>, E>(
        parse: fn(&str, u32) -> Result<T, E>,
        v: &str,
    ) -> Option<bool> {
        Some(parse(v, 10).ok()? == T::from(1))
    }
    let Expr::NumLit(_, Num::Int(value, kind)) = expr else {
        return None;
    };
    match kind {
        Some(IntKind::I8) => signed(i8::from_str_radix, value),
        Some(IntKind::I16) => signed(i16::from_str_radix, value),
        Some(IntKind::I32) => signed(i32::from_str_radix, value),
        Some(IntKind::I64) => signed(i64::from_str_radix, value),
        Some(IntKind::I128) => signed(i128::from_str_radix, value),
        Some(IntKind::Isize) => signed(isize::from_str_radix, value),
        Some(IntKind::U8) => unsigned(u8::from_str_radix, value),
        Some(IntKind::U16) => unsigned(u16::from_str_radix, value),
        Some(IntKind::U32) => unsigned(u32::from_str_radix, value),
        Some(IntKind::U64) => unsigned(u64::from_str_radix, value),
        Some(IntKind::U128) => unsigned(u128::from_str_radix, value),
        Some(IntKind::Usize) => unsigned(usize::from_str_radix, value),
        None if value.starts_with('-') => signed(i128::from_str_radix, value),
        None => unsigned(u128::from_str_radix, value),
    }
}
