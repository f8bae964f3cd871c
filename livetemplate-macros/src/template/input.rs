//! The `#[template(...)]` attribute and `askama.toml`: where the template is and how to read it.
//!
//! Mirrors askama's rules so one attribute serves both derives: templates are looked up in the
//! crate's `templates/` directory (or the `dirs` of `askama.toml`), the escaper follows the
//! extension (or `escape = "..."`), and `syntax`/`whitespace` come from the config.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use askama_parser::node::Whitespace;
use askama_parser::{Syntax, SyntaxBuilder};
use proc_macro2::{Span, TokenStream};
use quote::quote;
use serde::Deserialize;
use syn::spanned::Spanned;

use super::error::CompileError;

/// Where the template text comes from.
#[derive(Debug)]
pub(crate) enum Source {
    /// `path = "..."`, resolved against the template directories.
    Path(PathBuf),
    /// `source = "..."`, inline.
    Inline(String),
}

/// Everything the derive needs to know about one template.
#[derive(Debug)]
pub(crate) struct TemplateInput {
    /// The struct's named fields: `is defined` and `assigned_or` check them.
    pub(crate) fields: Vec<String>,
    /// The template text's origin.
    pub(crate) source: Source,
    /// The escaper type path, e.g. `::livetemplate::__private::askama::filters::Html`.
    pub(crate) escaper: TokenStream,
    /// Escapers by extension, for `|escape("txt")`.
    pub(crate) escapers: Vec<(Vec<String>, TokenStream)>,
    /// The default whitespace mode.
    pub(crate) whitespace: Whitespace,
    /// The syntax delimiters.
    pub(crate) syntax: Syntax<'static>,
    /// Template directories, in lookup order.
    pub(crate) dirs: Vec<PathBuf>,
    /// The span of the `#[template]` attribute, for errors.
    pub(crate) span: Span,
    /// The `askama.toml` used, to track it as a build input.
    pub(crate) config_path: Option<PathBuf>,
    /// `block = "name"`: render only this block of the template.
    pub(crate) block: Option<String>,
}

/// The options of one `#[template(...)]` attribute, as written.
#[derive(Clone)]
pub(crate) struct Args {
    path: Option<(String, Span)>,
    source: Option<(String, Span)>,
    ext: Option<String>,
    escape: Option<String>,
    syntax: Option<String>,
    config: Option<String>,
    whitespace: Option<(String, Span)>,
    block: Option<String>,
    /// The span of the attribute, for errors.
    span: Span,
}

impl Args {
    /// Reads the `#[template(...)]` attributes among `attrs`; `None` when there is none.
    /// `variant` applies askama's rules for an enum variant's attribute.
    pub(crate) fn parse(
        attrs: &[syn::Attribute],
        variant: bool,
    ) -> Result<Option<Self>, CompileError> {
        let mut args = Args {
            path: None,
            source: None,
            ext: None,
            escape: None,
            syntax: None,
            config: None,
            whitespace: None,
            block: None,
            span: Span::call_site(),
        };
        let mut found = None;
        for attr in attrs.iter().filter(|a| a.path().is_ident("template")) {
            found = Some(attr.span());
            attr.parse_nested_meta(|meta| args.parse_option(&meta, variant))
                .map_err(|err| CompileError::new(err.to_string(), err.span()))?;
        }
        Ok(found.map(|span| Args { span, ..args }))
    }

    fn parse_option(
        &mut self,
        meta: &syn::meta::ParseNestedMeta<'_>,
        variant: bool,
    ) -> syn::Result<()> {
        let key = meta
            .path
            .get_ident()
            .map(ToString::to_string)
            .unwrap_or_default();
        match key.as_str() {
            "path" | "source" | "ext" | "escape" | "syntax" | "config" | "whitespace" | "block" => {
                let value: syn::LitStr = meta.value()?.parse()?;
                let span = value.span();
                let value = value.value();
                match key.as_str() {
                    "path" => self.path = Some((value, span)),
                    "source" => self.source = Some((value, span)),
                    "ext" => self.ext = Some(value),
                    "escape" => self.escape = Some(value),
                    "syntax" => self.syntax = Some(value),
                    "config" => self.config = Some(value),
                    "whitespace" => self.whitespace = Some((value, span)),
                    _ => self.block = Some(value),
                }
                Ok(())
            }
            "askama" | "blocks" if variant => Err(meta.error(format_args!(
                "template attribute `{key}` can only be used on the `enum`, not its variants"
            ))),
            // askama-only options that do not change what the page renders.
            "print" | "in_doc" | "askama" | "blocks" => {
                let _: syn::Expr = meta.value()?.parse()?;
                Ok(())
            }
            _ => Err(meta.error(format_args!("unsupported template attribute `{key}`"))),
        }
    }

    /// Whether the attribute names the template (`path` or `source`).
    pub(crate) fn has_template(&self) -> bool {
        self.path.is_some() || self.source.is_some()
    }

    /// Fills what an enum variant's attribute leaves out from the enum's attribute, as askama
    /// does: the template (`path` or `source`), `ext`, `escape`, `syntax`, `config` and
    /// `whitespace` are inherited; `block` is not.
    pub(crate) fn inherit(&mut self, parent: &Args) {
        if !self.has_template() {
            self.path.clone_from(&parent.path);
            self.source.clone_from(&parent.source);
        }
        fn default<T: Clone>(own: &mut Option<T>, parent: &Option<T>) {
            if own.is_none() {
                own.clone_from(parent);
            }
        }
        default(&mut self.ext, &parent.ext);
        default(&mut self.escape, &parent.escape);
        default(&mut self.syntax, &parent.syntax);
        default(&mut self.config, &parent.config);
        default(&mut self.whitespace, &parent.whitespace);
    }
}

impl TemplateInput {
    /// Reads the `#[template(...)]` attribute of `ast` and the crate's config.
    pub(crate) fn new(ast: &syn::DeriveInput) -> Result<Self, CompileError> {
        let args = Args::parse(&ast.attrs, false)?.ok_or_else(|| {
            CompileError::new(
                "no `#[template(...)]` attribute: add `#[template(path = \"page.html\")]`",
                ast.ident.span(),
            )
        })?;
        Self::with_args(ast, args)
    }

    /// The template of `ast` described by `args` (read from `ast`'s attribute, or merged from an
    /// enum's and a variant's), with the crate's config.
    pub(crate) fn with_args(ast: &syn::DeriveInput, args: Args) -> Result<Self, CompileError> {
        let span = args.span;
        let root = manifest_dir();
        let config_file = match &args.config {
            Some(path) => Some(root.join(path)),
            None => Some(root.join("askama.toml")).filter(|p| p.exists()),
        };
        let config_text = match &config_file {
            Some(path) => std::fs::read_to_string(path).map_err(|err| {
                CompileError::new(
                    format_args!("unable to read config file {}: {err}", path.display()),
                    span,
                )
            })?,
            None => String::new(),
        };
        // The parser keeps borrowed syntax strings for the whole compilation; leaking the small
        // config text once per derive is what askama does too (it caches it for the process).
        let config_text: &'static str = Box::leak(config_text.into_boxed_str());
        let config: RawConfig = basic_toml::from_str(config_text)
            .map_err(|err| CompileError::new(format_args!("invalid askama.toml: {err}"), span))?;
        let general = config.general.as_ref();

        let dirs = match general.and_then(|g| g.dirs.as_ref()) {
            Some(dirs) => dirs.iter().map(|d| root.join(d)).collect(),
            None => vec![root.join("templates")],
        };

        let mut syntaxes: HashMap<&str, Syntax<'static>> = HashMap::new();
        syntaxes.insert("default", Syntax::default());
        for builder in config.syntax.iter().flatten() {
            let syntax = builder
                .to_syntax()
                .map_err(|err| CompileError::new(format_args!("invalid syntax: {err}"), span))?;
            syntaxes.insert(builder.name, syntax);
        }
        let syntax_name = args
            .syntax
            .as_deref()
            .or(general.and_then(|g| g.default_syntax))
            .unwrap_or("default");
        let syntax = *syntaxes.get(syntax_name).ok_or_else(|| {
            CompileError::new(format_args!("syntax `{syntax_name}` is undefined"), span)
        })?;

        let whitespace = match &args.whitespace {
            Some((mode, span)) => parse_whitespace(mode, *span)?,
            None => general.and_then(|g| g.whitespace).unwrap_or_default(),
        };

        let source = match (args.path, args.source) {
            (Some(_), Some(_)) => {
                return Err(CompileError::new(
                    "must specify `source` OR `path`, not both",
                    span,
                ));
            }
            (None, None) => {
                return Err(CompileError::new(
                    "specify the template with `path = \"...\"` or `source = \"...\"`",
                    span,
                ));
            }
            (Some((path, path_span)), None) => {
                Source::Path(find_template(&path, None, &dirs, path_span)?)
            }
            (None, Some((source, _))) => {
                if args.ext.is_none() {
                    return Err(CompileError::new(
                        "must include `ext` attribute when using `source` attribute",
                        span,
                    ));
                }
                Source::Inline(source)
            }
        };

        let mut escapers = Vec::new();
        for escaper in config.escaper.iter().flatten() {
            let path: TokenStream = escaper.path.parse().map_err(|_| {
                CompileError::new(
                    format_args!("invalid escaper path {:?}", escaper.path),
                    span,
                )
            })?;
            escapers.push((escaper.extensions.clone(), path));
        }
        for (exts, name) in DEFAULT_ESCAPERS {
            let name = syn::Ident::new(name, Span::call_site());
            escapers.push((
                exts.iter().map(|e| (*e).to_owned()).collect(),
                quote!(::livetemplate::__private::askama::filters::#name),
            ));
        }
        let escaping = match (&args.escape, &args.ext, &source) {
            (Some(escape), _, _) => escape.clone(),
            (None, Some(ext), _) => ext.clone(),
            (None, None, Source::Path(path)) => path
                .extension()
                .and_then(|e| e.to_str())
                .unwrap_or_default()
                .to_owned(),
            (None, None, Source::Inline(_)) => String::new(),
        };
        let escaper = find_escaper(&escapers, &escaping).ok_or_else(|| {
            CompileError::new(
                format_args!(
                    "no escaper defined for extension '{escaping}'. You can define an escaper in \
                     the config file (named `askama.toml` by default)"
                ),
                span,
            )
        })?;

        let fields = match &ast.data {
            syn::Data::Struct(data) => data
                .fields
                .iter()
                .filter_map(|f| f.ident.as_ref().map(ToString::to_string))
                .collect(),
            syn::Data::Union(_) => {
                return Err(CompileError::new(
                    "`LiveTemplate` is not supported for `union` types, only `struct` and `enum` \
                     (as askama's `Template`)",
                    ast.ident.span(),
                ));
            }
            // One template for the whole enum, which `match`es on `self`.
            syn::Data::Enum(_) => Vec::new(),
        };

        Ok(TemplateInput {
            fields,
            source,
            escaper,
            escapers,
            whitespace,
            syntax,
            dirs,
            span,
            config_path: config_file,
            block: args.block,
        })
    }

    /// Resolves `path` as `include`/`extends`/`import` do: next to `from`, then in the dirs.
    pub(crate) fn find(&self, path: &str, from: Option<&Path>) -> Result<PathBuf, String> {
        find_template(path, from, &self.dirs, self.span).map_err(|e| e.message().to_owned())
    }

    /// A template path as the user wrote it: relative to the template directory holding it.
    pub(crate) fn display_path(&self, path: &Path) -> String {
        self.dirs
            .iter()
            .find_map(|dir| path.strip_prefix(dir).ok())
            .unwrap_or(path)
            .display()
            .to_string()
    }

    /// The escaper for an `escape("ext")` argument.
    pub(crate) fn escaper_for(&self, ext: &str) -> Option<TokenStream> {
        find_escaper(&self.escapers, ext)
    }
}

fn find_escaper(escapers: &[(Vec<String>, TokenStream)], ext: &str) -> Option<TokenStream> {
    escapers
        .iter()
        .find(|(exts, _)| exts.iter().any(|e| e == ext))
        .map(|(_, path)| path.clone())
}

static DEFAULT_ESCAPERS: &[(&[&str], &str)] = &[
    (
        &[
            "askama", "html", "htm", "j2", "jinja", "jinja2", "rinja", "svg", "xml",
        ],
        "Html",
    ),
    (&["md", "none", "txt", "yml", ""], "Text"),
];

fn manifest_dir() -> PathBuf {
    std::env::var_os("CARGO_MANIFEST_DIR").map_or_else(|| PathBuf::from("."), PathBuf::from)
}

fn find_template(
    path: &str,
    from: Option<&Path>,
    dirs: &[PathBuf],
    span: Span,
) -> Result<PathBuf, CompileError> {
    let found = from
        .map(|from| from.with_file_name(path))
        .filter(|p| p.exists())
        .or_else(|| dirs.iter().map(|d| d.join(path)).find(|p| p.exists()));
    match found {
        Some(found) => Ok(std::path::absolute(&found).unwrap_or(found)),
        None => {
            // Directories as the user configured them: relative to the crate.
            let root = manifest_dir();
            let dirs: Vec<_> = dirs
                .iter()
                .map(|d| d.strip_prefix(&root).unwrap_or(d).display().to_string())
                .collect();
            Err(CompileError::new(
                format_args!("template {path:?} not found in directories {dirs:?}"),
                span,
            ))
        }
    }
}

fn parse_whitespace(mode: &str, span: Span) -> Result<Whitespace, CompileError> {
    match mode {
        "preserve" => Ok(Whitespace::Preserve),
        "suppress" => Ok(Whitespace::Suppress),
        "minimize" => Ok(Whitespace::Minimize),
        other => Err(CompileError::new(
            format_args!(
                "invalid value for `whitespace`: \"{other}\" (expected \"preserve\", \
                 \"suppress\" or \"minimize\")"
            ),
            span,
        )),
    }
}

#[derive(Deserialize, Default)]
struct RawConfig {
    #[serde(borrow)]
    general: Option<General<'static>>,
    #[serde(borrow)]
    syntax: Option<Vec<SyntaxBuilder<'static>>>,
    escaper: Option<Vec<RawEscaper>>,
}

#[derive(Deserialize)]
struct General<'a> {
    #[serde(borrow)]
    dirs: Option<Vec<&'a str>>,
    default_syntax: Option<&'a str>,
    whitespace: Option<Whitespace>,
}

#[derive(Deserialize)]
struct RawEscaper {
    path: String,
    extensions: Vec<String>,
}
