//! Expressions: askama's `Expr` → Rust tokens, with askama's name resolution (locals, then
//! `self.field`) and its conventions for borrowing, `loop.*`, `?` and `as`.

use askama_parser::expr::{AssociatedItem, BinOp, Call, ExprStruct};
use askama_parser::{
    CharLit, CharPrefix, Expr, Num, PathComponent, StrLit, StrPrefix, Target, TyGenerics, WithSpan,
};
use proc_macro2::{Delimiter, Spacing, TokenStream, TokenTree};
use quote::quote;

use super::{Lowerer, ident, member};
use crate::template::error::CompileError;

/// Whether generated code already yields safe output (`|safe`, `|escape`) or must be escaped.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum DisplayWrap {
    /// Already escaped or marked safe.
    Wrapped,
    /// Needs the template's escaper.
    Unwrapped,
}

type ExprRef<'a> = &'a WithSpan<Box<Expr<'a>>>;

impl<'a> Lowerer<'a> {
    /// The expression's code, escaped for output.
    pub(crate) fn visit_escaped(&mut self, expr: ExprRef<'a>) -> Result<TokenStream, CompileError> {
        let (code, wrap) = self.visit_expr(expr)?;
        Ok(self.escape_wrapped(code, wrap))
    }

    /// The expression's code.
    pub(crate) fn visit_expr_root(
        &mut self,
        expr: ExprRef<'a>,
    ) -> Result<TokenStream, CompileError> {
        Ok(self.visit_expr(expr)?.0)
    }

    /// The expression's code and whether it is already safe output.
    pub(crate) fn visit_expr(
        &mut self,
        expr: ExprRef<'a>,
    ) -> Result<(TokenStream, DisplayWrap), CompileError> {
        let code = match &***expr {
            Expr::BoolLit(b) => quote!(#b),
            Expr::NumLit(repr, _) => literal(repr),
            Expr::StrLit(s) => str_literal(s),
            Expr::CharLit(c) => char_literal(c),
            Expr::Var(name) => self.visit_var(name),
            Expr::Path(path) => self.visit_path(path)?,
            Expr::Array(items) => {
                let items = self.visit_list(items)?;
                quote!([#(#items,)*])
            }
            Expr::ArrayRepeat(item, count) => {
                let item = self.visit_expr_root(item)?;
                let count = self.visit_expr_root(count)?;
                quote!([#item; #count])
            }
            Expr::AssociatedItem(obj, item) => self.visit_associated_item(obj, item)?,
            Expr::Index(obj, key) => {
                let obj = self.visit_expr_root(obj)?;
                let key = self.visit_expr_root(key)?;
                quote!(&#obj[#key])
            }
            Expr::Filter(filter) => {
                return self.visit_filter(&filter.name, &filter.arguments, expr.span());
            }
            Expr::Unary(op, inner) => {
                let op: TokenStream = op.parse().unwrap_or_default();
                let inner = self.visit_expr_root(inner)?;
                quote!(#op #inner)
            }
            Expr::BinOp(BinOp { op, lhs, rhs }) => self.visit_binop(op, lhs, rhs)?,
            Expr::Range(range) => {
                let lhs = range
                    .lhs
                    .as_ref()
                    .map(|l| self.visit_expr_root(l))
                    .transpose()?;
                let rhs = range
                    .rhs
                    .as_ref()
                    .map(|r| self.visit_expr_root(r))
                    .transpose()?;
                let op: TokenStream = range.op.parse().unwrap_or_default();
                quote!(#lhs #op #rhs)
            }
            Expr::Group(inner) => {
                let inner = self.visit_expr_root(inner)?;
                quote!((#inner))
            }
            Expr::Call(call) => self.visit_call(expr, call)?,
            Expr::Struct(s) => self.visit_struct(s)?,
            Expr::RustMacro(path, args) => {
                let path = path.iter().map(|p| macro_path_part(p));
                let args: TokenStream = args
                    .parse()
                    .map_err(|_| self.error("invalid tokens in macro arguments", expr.span()))?;
                let mut tokens = TokenStream::new();
                for (i, part) in path.enumerate() {
                    if i > 0 {
                        tokens.extend(quote!(::));
                    }
                    tokens.extend(part);
                }
                quote!(#tokens!(#args))
            }
            Expr::Try(inner) => {
                let inner = self.visit_expr_root(inner)?;
                quote! {
                    match (#inner) {
                        res => (&&::livetemplate::__private::askama::helpers::ErrorMarker::of(&res))
                            .askama_conv_result(res)?
                    }
                }
            }
            Expr::Tuple(items) => {
                let items = self.visit_list(items)?;
                quote!((#(#items,)*))
            }
            Expr::NamedArgument(_, inner) => self.visit_expr_root(inner)?,
            Expr::FilterSource => {
                return Ok((
                    quote!(::livetemplate::__private::askama::filters::Safe(
                        &__lvt_filter_source
                    )),
                    DisplayWrap::Wrapped,
                ));
            }
            Expr::IsDefined(name) => {
                let defined = self.is_var_defined(name);
                quote!(#defined)
            }
            Expr::IsNotDefined(name) => {
                let not_defined = !self.is_var_defined(name);
                quote!(#not_defined)
            }
            Expr::As(inner, target) => {
                let inner = self.visit_expr_root(inner)?;
                let target = ident(target);
                quote! {
                    ::livetemplate::__private::askama::helpers::get_primitive_value(&(#inner))
                        as ::core::primitive::#target
                }
            }
            Expr::Concat(items) => self.visit_concat(items)?,
            Expr::LetCond(cond) => {
                let value = self.visit_expr_root(&cond.expr)?;
                let pattern = match &cond.target {
                    Some(target) => self.visit_target(target, true, true),
                    None => TokenStream::new(),
                };
                quote!(let #pattern = &#value)
            }
            Expr::ArgumentPlaceholder => TokenStream::new(),
        };
        Ok((code, DisplayWrap::Unwrapped))
    }

    fn visit_list(
        &mut self,
        items: &'a [WithSpan<Box<Expr<'a>>>],
    ) -> Result<Vec<TokenStream>, CompileError> {
        items
            .iter()
            .map(|item| self.visit_expr_root(item))
            .collect()
    }

    fn visit_var(&self, name: &str) -> TokenStream {
        if name == "self" {
            return quote!(self);
        }
        self.resolve_local(name).unwrap_or_else(|| {
            let field = ident(name);
            quote!(self.#field)
        })
    }

    fn visit_path(&mut self, path: &'a [PathComponent<'a>]) -> Result<TokenStream, CompileError> {
        let mut tokens = TokenStream::new();
        for (i, part) in path.iter().enumerate() {
            if i > 0 {
                tokens.extend(quote!(::));
            }
            if !part.name.is_empty() {
                let name = ident(&part.name);
                tokens.extend(quote!(#name));
            }
            if let Some(generics) = &part.generics {
                let generics = self.visit_ty_generics(generics)?;
                tokens.extend(quote!(::#generics));
            }
        }
        Ok(tokens)
    }

    fn visit_associated_item(
        &mut self,
        obj: ExprRef<'a>,
        item: &'a AssociatedItem<'a>,
    ) -> Result<TokenStream, CompileError> {
        if let Expr::Var("loop") = ***obj {
            if !self.in_loop() {
                return Err(self.error("`loop` is only available inside a `for` loop", obj.span()));
            }
            return Ok(match *item.name {
                "index0" => quote!(__lvt_item.index0),
                "index" => quote!((__lvt_item.index0 + 1)),
                "first" => quote!((__lvt_item.index0 == 0)),
                "last" => quote!(__lvt_item.last),
                name => {
                    return Err(self.error(
                        format_args!("unknown loop variable `{}`", name.escape_debug()),
                        item.name.span(),
                    ));
                }
            });
        }
        let obj = self.visit_expr_root(obj)?;
        let name = member(&item.name);
        let generics = match &item.generics {
            Some(generics) => {
                let generics = self.visit_ty_generics(generics)?;
                quote!(::#generics)
            }
            None => TokenStream::new(),
        };
        Ok(quote!(#obj.#name #generics))
    }

    fn visit_call(
        &mut self,
        expr: ExprRef<'a>,
        call: &'a Call<'a>,
    ) -> Result<TokenStream, CompileError> {
        if let Some(arg) = call
            .args
            .iter()
            .find(|a| matches!(****a, Expr::NamedArgument(..)))
        {
            return Err(self.error("unsupported use of named arguments", arg.span()));
        }
        if let Expr::AssociatedItem(obj, AssociatedItem { name, generics }) = &**call.path
            && let Expr::Var("loop") = ***obj
        {
            if **name != "cycle" {
                return Err(self.error(
                    format_args!("unknown loop method: `{}`", name.escape_debug()),
                    name.span(),
                ));
            }
            if generics.is_some() {
                return Err(self.error("loop.cycle(…) doesn't use generics", name.span()));
            }
            let [arg] = call.args.as_slice() else {
                return Err(self.error("loop.cycle(…) cannot use an empty array", name.span()));
            };
            if matches!(&***arg, Expr::Array(items) if items.is_empty()) {
                return Err(self.error("loop.cycle(…) cannot use an empty array", name.span()));
            }
            let values = self.visit_expr_root(arg)?;
            return Ok(quote!(({
                let __lvt_cycle = &(#values);
                let __lvt_len = __lvt_cycle.len();
                if __lvt_len == 0 {
                    return ::core::result::Result::Err(::livetemplate::__private::askama::Error::Fmt);
                }
                __lvt_cycle[__lvt_item.index0 % __lvt_len]
            })));
        }
        if let Expr::Path(path) = &**call.path
            && let [first, second] = path.as_slice()
            && *first.name == "askama"
            && *second.name == "get_value"
        {
            // A live page has no render-time values: like askama's `render()` without values,
            // this yields askama's "value missing" error at run time.
            let [key] = call.args.as_slice() else {
                return Err(self.error("`get_value` function takes one argument", expr.span()));
            };
            let Some([ty]) = second.generics.as_ref().map(|g| g.as_slice()) else {
                return Err(self.error("`get_value` function expects one generic", expr.span()));
            };
            let ty = self.visit_ty_generic(ty)?;
            let key = self.visit_arg(key)?;
            return Ok(quote!(
                ::livetemplate::__private::askama::helpers::get_value::<#ty>(&__lvt_values, &(#key))
            ));
        }
        let callee = match &**call.path {
            Expr::Var(name) => self.visit_var(name),
            _ => self.visit_expr_root(&call.path)?,
        };
        let mut args = Vec::with_capacity(call.args.len());
        for arg in &call.args {
            args.push(self.visit_arg(arg)?);
        }
        Ok(quote!(#callee(#(#args),*)))
    }

    fn visit_struct(&mut self, s: &'a ExprStruct<'a>) -> Result<TokenStream, CompileError> {
        let path = match &**s.path {
            Expr::Var(name) => self.visit_var(name),
            _ => self.visit_expr_root(&s.path)?,
        };
        let mut fields = Vec::new();
        for field in &s.fields {
            let name = member(&field.name);
            match &field.value {
                Some(value) => {
                    let value = self.visit_arg(value)?;
                    fields.push(quote!(#name: #value));
                }
                None => fields.push(quote!(#name)),
            }
        }
        if let Some(base) = &s.base {
            let base = self.visit_expr_root(base)?;
            fields.push(quote!(..#base));
        }
        Ok(quote!(#path { #(#fields),* }))
    }

    /// `lhs op rhs`.
    pub(crate) fn visit_binop(
        &mut self,
        op: &str,
        lhs: ExprRef<'a>,
        rhs: ExprRef<'a>,
    ) -> Result<TokenStream, CompileError> {
        let lhs = self.visit_expr_root(lhs)?;
        let rhs = self.visit_expr_root(rhs)?;
        let op: TokenStream = op.parse().unwrap_or_default();
        Ok(quote!(#lhs #op #rhs))
    }

    fn visit_concat(
        &mut self,
        items: &'a [WithSpan<Box<Expr<'a>>>],
    ) -> Result<TokenStream, CompileError> {
        match items {
            [] => Ok(quote!("")),
            [item] => self.visit_expr_root(item),
            items => {
                let (left, right) = items.split_at(items.len().div_ceil(2));
                let left = self.visit_concat(left)?;
                let right = self.visit_concat(right)?;
                Ok(quote!(::livetemplate::__private::askama::helpers::Concat(&(#left), &(#right))))
            }
        }
    }

    /// A call or filter argument: borrowed unless it is cheap to copy.
    pub(crate) fn visit_arg(&mut self, arg: ExprRef<'a>) -> Result<TokenStream, CompileError> {
        self.visit_arg_inner(arg, false)
    }

    fn visit_arg_inner(
        &mut self,
        arg: ExprRef<'a>,
        need_borrow: bool,
    ) -> Result<TokenStream, CompileError> {
        if let Expr::Unary(op @ ("*" | "&"), inner) = &***arg {
            let inner = self.visit_arg_inner(inner, false)?;
            let op: TokenStream = op.parse().unwrap_or_default();
            return Ok(quote!(#op #inner));
        }
        let code = self.visit_expr_root(arg)?;
        if need_borrow || !is_copyable(arg) {
            Ok(quote!(&(#code)))
        } else {
            Ok(code)
        }
    }

    /// A condition of `if`/`else if`: askama converts non-bool values with `as_bool`.
    pub(crate) fn visit_condition(
        &mut self,
        expr: ExprRef<'a>,
    ) -> Result<TokenStream, CompileError> {
        Ok(match &***expr {
            Expr::BoolLit(_) | Expr::IsDefined(_) | Expr::IsNotDefined(_) => {
                self.visit_expr_root(expr)?
            }
            Expr::Unary("!", inner) => {
                let inner = self.visit_condition(inner)?;
                quote!(!#inner)
            }
            Expr::BinOp(v) if matches!(v.op, "&&" | "||") => {
                let lhs = self.visit_condition(&v.lhs)?;
                let rhs = self.visit_condition(&v.rhs)?;
                let op: TokenStream = v.op.parse().unwrap_or_default();
                quote!(#lhs #op #rhs)
            }
            Expr::Group(inner) => {
                let inner = self.visit_condition(inner)?;
                quote!((#inner))
            }
            Expr::LetCond(_) => self.visit_expr_root(expr)?,
            _ => {
                let code = self.visit_expr_root(expr)?;
                quote!(::livetemplate::__private::askama::helpers::as_bool(&(#code)))
            }
        })
    }

    /// The iterator expression of a `for` loop, borrowed as askama does.
    pub(crate) fn visit_loop_iter(
        &mut self,
        iter: ExprRef<'a>,
    ) -> Result<TokenStream, CompileError> {
        let code = self.visit_expr_root(iter)?;
        Ok(match &***iter {
            Expr::Range(..) => code,
            Expr::Array(..) => quote!(#code.iter()),
            Expr::Call(..) | Expr::Index(..) => quote!((#code).into_iter()),
            _ if starts_with_self_dot(&code) => quote!((&#code).into_iter()),
            Expr::AssociatedItem(..) => quote!((&#code).into_iter()),
            _ => quote!((#code).into_iter()),
        })
    }

    /// A pattern (`let`, `for`, `match`, `if let`); binds its names as locals.
    pub(crate) fn visit_target(
        &mut self,
        target: &'a Target<'a>,
        initialized: bool,
        first_level: bool,
    ) -> TokenStream {
        match target {
            Target::Placeholder(_) => quote!(_),
            Target::Rest(rest) => match &**rest {
                Some(name) => {
                    self.declare(name, true);
                    let name = ident(name);
                    quote!(#name @ ..)
                }
                None => quote!(..),
            },
            Target::Name(name) => {
                self.declare(name, initialized);
                let name = ident(name);
                quote!(#name)
            }
            Target::OrChain(targets) => {
                if targets.is_empty() {
                    return quote!(_);
                }
                let parts: Vec<_> = targets
                    .iter()
                    .map(|t| self.visit_target(t, initialized, first_level))
                    .collect();
                quote!(#(#parts)|*)
            }
            Target::Tuple(v) => {
                let (path, targets) = &**v;
                let path = self.pattern_path(path);
                let parts: Vec<_> = targets
                    .iter()
                    .map(|t| self.visit_target(t, initialized, false))
                    .collect();
                quote!(#path (#(#parts,)*))
            }
            Target::Array(targets) => {
                let parts: Vec<_> = targets
                    .iter()
                    .map(|t| self.visit_target(t, initialized, false))
                    .collect();
                quote!([#(#parts,)*])
            }
            Target::Struct(v) => {
                let (path, targets) = &**v;
                let path = self.pattern_path(path);
                let mut fields = TokenStream::new();
                let mut rest = TokenStream::new();
                for named in targets {
                    if let Target::Rest(_) = named.dest {
                        // `..` must come last and takes no trailing comma.
                        rest = quote!(..);
                        continue;
                    }
                    let name = member(&named.src);
                    let dest = self.visit_target(&named.dest, initialized, false);
                    fields.extend(quote!(#name: #dest,));
                }
                quote!(#path { #fields #rest })
            }
            Target::Path(path) => {
                let path = self.pattern_path(path);
                quote!(#path {})
            }
            Target::StrLit(s) => {
                let lit = str_literal(s);
                if first_level { quote!(&#lit) } else { lit }
            }
            Target::NumLit(repr, _) => {
                let lit = literal(repr);
                if first_level { quote!(&#lit) } else { lit }
            }
            Target::CharLit(c) => {
                let lit = char_literal(c);
                if first_level { quote!(&#lit) } else { lit }
            }
            Target::BoolLit(b) => {
                let value = **b == "true";
                if first_level {
                    quote!(&#value)
                } else {
                    quote!(#value)
                }
            }
        }
    }

    fn pattern_path(&mut self, path: &'a [PathComponent<'a>]) -> TokenStream {
        self.visit_path(path).unwrap_or_default()
    }

    fn visit_ty_generics(
        &mut self,
        generics: &'a [WithSpan<TyGenerics<'a>>],
    ) -> Result<TokenStream, CompileError> {
        if generics.is_empty() {
            return Ok(TokenStream::new());
        }
        let parts = generics
            .iter()
            .map(|g| self.visit_ty_generic(g))
            .collect::<Result<Vec<_>, _>>()?;
        Ok(quote!(<#(#parts,)*>))
    }

    /// A type written in the template (`let x: Vec<u8>`, `as` targets, generics).
    pub(crate) fn visit_ty_generic(
        &mut self,
        generic: &'a WithSpan<TyGenerics<'a>>,
    ) -> Result<TokenStream, CompileError> {
        use askama_parser::TyGenericsKind;
        let TyGenerics { refs, kind } = &**generic;
        let refs = (0..*refs).map(|_| quote!(&));
        let ty = match &**kind {
            TyGenericsKind::Path { path, args } => {
                let mut tokens = TokenStream::new();
                for (i, part) in path.iter().enumerate() {
                    if i > 0 {
                        tokens.extend(quote!(::));
                    }
                    if i != 0 || !part.is_empty() {
                        tokens.extend(macro_path_part(part));
                    }
                }
                if let Some(args) = args {
                    tokens.extend(self.visit_ty_generics(args)?);
                }
                tokens
            }
            TyGenericsKind::Tuple(kinds) => {
                let parts = kinds
                    .iter()
                    .map(|k| self.visit_ty_generic(k))
                    .collect::<Result<Vec<_>, _>>()?;
                quote!((#(#parts),*))
            }
            TyGenericsKind::Array { ty, nb_elems } => {
                let ty = self.visit_ty_generic(ty)?;
                match nb_elems {
                    Some(n) => {
                        let n = literal(n);
                        quote!([#ty; #n])
                    }
                    None => quote!([#ty]),
                }
            }
        };
        Ok(quote!(#(#refs)* #ty))
    }
}

fn macro_path_part(part: &str) -> TokenStream {
    if part.is_empty() {
        TokenStream::new()
    } else {
        let id = ident(part);
        quote!(#id)
    }
}

fn literal(repr: &str) -> TokenStream {
    repr.parse()
        .unwrap_or_else(|_| quote!(compile_error!("invalid literal")))
}

fn str_literal(s: &StrLit<'_>) -> TokenStream {
    let repr = match s.prefix {
        Some(StrPrefix::Binary) => format!(r#"b"{}""#, s.content),
        Some(StrPrefix::CLike) => format!(r#"c"{}""#, s.content),
        None => format!(r#""{}""#, s.content),
    };
    literal(&repr)
}

fn char_literal(c: &CharLit<'_>) -> TokenStream {
    let repr = match c.prefix {
        Some(CharPrefix::Binary) => format!("b'{}'", c.content),
        None => format!("'{}'", c.content),
    };
    literal(&repr)
}

fn starts_with_self_dot(code: &TokenStream) -> bool {
    let mut stream = code.clone().into_iter().peekable();
    while let Some(TokenTree::Group(group)) = stream.peek()
        && group.delimiter() == Delimiter::None
    {
        stream = group.stream().into_iter().peekable();
    }
    matches!(
        (stream.next(), stream.next()),
        (Some(TokenTree::Ident(id)), Some(TokenTree::Punct(p)))
            if id == "self" && p.spacing() == Spacing::Alone && p.as_char() == '.'
    )
}

/// Whether a value can be used without borrowing (literals, operators, calls).
pub(crate) fn is_copyable(expr: &Expr<'_>) -> bool {
    is_copyable_within_op(expr, false)
}

fn is_copyable_within_op(expr: &Expr<'_>, within_op: bool) -> bool {
    match expr {
        Expr::BoolLit(_)
        | Expr::NumLit(..)
        | Expr::StrLit(_)
        | Expr::CharLit(_)
        | Expr::BinOp(_)
        | Expr::Range(..) => true,
        Expr::Unary(_, inner) => is_copyable_within_op(inner, true),
        Expr::NamedArgument(_, inner) => is_copyable_within_op(inner, true),
        Expr::Call(..) | Expr::Path(..) | Expr::Filter(..) | Expr::RustMacro(..) => true,
        _ => within_op && is_associated_item_self(expr),
    }
}

fn is_associated_item_self(mut expr: &Expr<'_>) -> bool {
    loop {
        match expr {
            Expr::AssociatedItem(obj, _) if matches!(***obj, Expr::Var("self")) => return true,
            Expr::AssociatedItem(obj, _) if matches!(***obj, Expr::AssociatedItem(..)) => {
                expr = obj;
            }
            _ => return false,
        }
    }
}

/// The output of a literal expression (`{{ "a<b" }}`, `{{ 42 }}`), escaped at compile time as
/// askama does, when the escaper is one of askama's own.
pub(crate) fn compile_time_text(expr: &Expr<'_>, escaper: &TokenStream) -> Option<String> {
    let escaper = escaper.to_string().replace(' ', "");
    let html = match escaper.strip_prefix("::livetemplate::__private::askama::filters::")? {
        "Html" => true,
        "Text" => false,
        _ => return None,
    };
    let value = match expr {
        Expr::StrLit(StrLit {
            prefix: None,
            content,
            ..
        }) => {
            if content.contains('\\') {
                syn::parse_str::<syn::LitStr>(&format!("\"{content}\""))
                    .ok()?
                    .value()
            } else {
                (*content).to_owned()
            }
        }
        Expr::CharLit(CharLit {
            prefix: None,
            content,
        }) => {
            if content.contains('\\') {
                syn::parse_str::<syn::LitChar>(&format!("'{content}'"))
                    .ok()?
                    .value()
                    .to_string()
            } else {
                (*content).to_owned()
            }
        }
        Expr::NumLit(_, value) => number_text(value)?,
        Expr::BoolLit(b) => b.to_string(),
        _ => return None,
    };
    Some(if html { escape_html(&value) } else { value })
}

/// A number literal as askama prints it (underscores dropped, radix prefixes evaluated).
fn number_text(value: &Num<'_>) -> Option<String> {
    use askama_parser::{FloatKind, IntKind};
    fn int<T: ToString, E>(
        parse: impl Fn(&str, u32) -> Result<T, E>,
        value: &str,
    ) -> Option<String> {
        let (digits, radix) = match value.get(..2) {
            Some("0x") => (&value[2..], 16),
            Some("0o") => (&value[2..], 8),
            Some("0b") => (&value[2..], 2),
            _ => (value, 10),
        };
        Some(parse(digits, radix).ok()?.to_string())
    }
    let (orig, is_int, int_kind, float_kind) = match value {
        Num::Int(v, kind) => (*v, true, *kind, None),
        Num::Float(v, kind) => (*v, false, None, *kind),
    };
    let cleaned: String = orig.chars().filter(|&c| c != '_').collect();
    let v = cleaned.as_str();
    if is_int {
        match int_kind {
            Some(IntKind::I8) => int(i8::from_str_radix, v),
            Some(IntKind::I16) => int(i16::from_str_radix, v),
            Some(IntKind::I32) => int(i32::from_str_radix, v),
            Some(IntKind::I64) => int(i64::from_str_radix, v),
            Some(IntKind::I128) => int(i128::from_str_radix, v),
            Some(IntKind::Isize) => int(i64::from_str_radix, v),
            Some(IntKind::U8) => int(u8::from_str_radix, v),
            Some(IntKind::U16) => int(u16::from_str_radix, v),
            Some(IntKind::U32) => int(u32::from_str_radix, v),
            Some(IntKind::U64) => int(u64::from_str_radix, v),
            Some(IntKind::U128) => int(u128::from_str_radix, v),
            Some(IntKind::Usize) => int(u64::from_str_radix, v),
            None if v.starts_with('-') => int(i128::from_str_radix, v),
            None => int(u128::from_str_radix, v),
        }
    } else {
        match float_kind {
            Some(FloatKind::F32) => Some(v.parse::<f32>().ok()?.to_string()),
            Some(FloatKind::F64) | None => Some(v.parse::<f64>().ok()?.to_string()),
            Some(_) => None,
        }
    }
}

/// askama's HTML escaping: `"&'<>` as decimal character references.
pub(crate) fn escape_html(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '"' => out.push_str("&#34;"),
            '&' => out.push_str("&#38;"),
            '\'' => out.push_str("&#39;"),
            '<' => out.push_str("&#60;"),
            '>' => out.push_str("&#62;"),
            c => out.push(c),
        }
    }
    out
}
