//! Per-variant enum templates: `#[template(...)]` on the variants of an enum, as askama 0.16.
//!
//! askama's rules, mirrored here:
//!
//! - A variant's attribute inherits from the enum's attribute what it leaves out: the template
//!   itself (`path` or `source`), `ext`, `escape`, `syntax`, `config` and `whitespace`; not
//!   `block`.
//! - In a variant's template, `self` is a struct borrowing the variant's fields: `self.0`,
//!   `self.1`, … for a tuple variant, the field names (so `{{ href }}` works) for a struct
//!   variant. Its last field (`self.N` for tuple and unit variants) is the enum itself, which is
//!   also its `Deref` target, so the enum's methods stay callable on `self`.
//! - A variant without an attribute renders the enum's own template, with `self` the enum; then
//!   the enum must name a template, else it is an error (askama's message).
//!
//! Each such struct is generated, hidden in a `const _: () = { … };` block with the enum's
//! `impl LiveTemplate`, and gets its own template compiled like a struct's (so each variant has
//! its own statics tables). The enum's `render_tree` matches on `self` and delegates; its `ACTIONS`
//! are the union of its templates' actions, in variant order.

use proc_macro2::{Group, Span, TokenStream, TokenTree};
use quote::{ToTokens, format_ident, quote};
use syn::{
    Data, DataStruct, DeriveInput, Field, Fields, FieldsNamed, FieldsUnnamed, GenericParam,
    Lifetime, LifetimeParam, Token, Variant, Visibility, parse_quote, punctuated::Punctuated,
};

use super::error::CompileError;
use super::input::{Args, TemplateInput};
use super::{Compiled, compile, impl_live_template, nav_links, render_fn};

/// The lifetime of the borrows a variant struct holds.
const LIFETIME: &str = "'__lvt";
/// The name of a struct variant's field holding the enum.
const ENUM_FIELD: &str = "__lvt_enum";

/// Whether `ast` is an enum with `#[template(...)]` on some variant.
pub(crate) fn has_variant_templates(ast: &DeriveInput) -> bool {
    match &ast.data {
        Data::Enum(data) => data
            .variants
            .iter()
            .any(|v| v.attrs.iter().any(|a| a.path().is_ident("template"))),
        _ => false,
    }
}

/// `#[derive(LiveTemplate)]` on an enum with per-variant templates.
pub(crate) fn derive(ast: &DeriveInput) -> Result<TokenStream, CompileError> {
    let Data::Enum(data) = &ast.data else {
        return Err(CompileError::new(
            "per-variant templates need an enum",
            ast.ident.span(),
        ));
    };
    let enum_args = Args::parse(&ast.attrs, false)?;
    let enum_has_template = enum_args.as_ref().is_some_and(Args::has_template);
    let mut variant_args = Vec::with_capacity(data.variants.len());
    for variant in &data.variants {
        let args = Args::parse(&variant.attrs, true)?;
        if !enum_has_template && !args.as_ref().is_some_and(Args::has_template) {
            return Err(CompileError::new(
                "either all `enum` variants need a `path` or `source` argument, or the `enum` \
                 itself needs a default implementation",
                variant.ident.span(),
            ));
        }
        variant_args.push(args);
    }

    let generics = with_lifetime(&ast.generics);
    let mut items = TokenStream::new();
    let mut arms = TokenStream::new();
    let mut actions: Vec<String> = Vec::new();
    let mut links = Vec::new();
    // The enum's own template, for the variants without one: compiled once.
    let mut fallback: Option<TokenStream> = None;
    for (variant, args) in data.variants.iter().zip(variant_args) {
        let variant_actions = match (args, &enum_args) {
            (Some(mut args), parent) => {
                if let Some(parent) = parent {
                    args.inherit(parent);
                }
                let hidden = variant_struct(ast, &generics, variant);
                let mut compiled = compile(&TemplateInput::with_args(&hidden, args)?)?;
                compiled.render = spell_self(compiled.render, &enum_path(ast));
                items.extend(hidden.to_token_stream());
                items.extend(deref_impl(ast, &hidden, variant));
                items.extend(impl_live_template(&hidden, &compiled));
                arms.extend(arm(&hidden, variant));
                links.extend(compiled.links);
                compiled.actions
            }
            (None, Some(enum_args)) if fallback.is_none() => {
                let Compiled {
                    render,
                    actions,
                    links: enum_links,
                    ..
                } = compile(&TemplateInput::with_args(ast, enum_args.clone())?)?;
                fallback = Some(render);
                links.extend(enum_links);
                actions
            }
            // The enum's template is already compiled (or missing, reported above).
            (None, _) => continue,
        };
        for action in variant_actions {
            if !actions.contains(&action) {
                actions.push(action);
            }
        }
    }
    if let Some(render) = fallback {
        arms.extend(quote!(_ => #render));
    }

    let name = &ast.ident;
    let (impl_generics, ty_generics, where_clause) = ast.generics.split_for_impl();
    let render = render_fn(&quote!({ match self { #arms } }));
    // Two variants may share a file (an include): each link once.
    links.sort_by(|a, b| (&a.file, a.line, &a.href).cmp(&(&b.file, b.line, &b.href)));
    links.dedup();
    let nav_links = nav_links(&links);
    Ok(quote! {
        #[allow(
            non_camel_case_types, non_snake_case, dead_code,
            clippy::all, clippy::pedantic, clippy::nursery
        )]
        const _: () = {
            #items

            impl #impl_generics ::livetemplate::LiveTemplate for #name #ty_generics #where_clause {
                const ACTIONS: &'static [&'static str] = &[#(#actions),*];
                #nav_links

                #render
            }
        };
    })
}

/// The enum's generics with the borrow lifetime first.
fn with_lifetime(generics: &syn::Generics) -> syn::Generics {
    let mut generics = generics.clone();
    let lifetime = Lifetime::new(LIFETIME, Span::call_site());
    generics
        .params
        .insert(0, GenericParam::Lifetime(LifetimeParam::new(lifetime)));
    generics.lt_token.get_or_insert_with(Default::default);
    generics.gt_token.get_or_insert_with(Default::default);
    generics
}

/// `&'__lvt Enum<..>`.
fn enum_ref(ast: &DeriveInput) -> syn::Type {
    let name = &ast.ident;
    let (_, ty_generics, _) = ast.generics.split_for_impl();
    let lifetime = Lifetime::new(LIFETIME, Span::call_site());
    parse_quote!(&#lifetime #name #ty_generics)
}

/// The hidden struct standing for `variant` in its template: its fields borrowed, then the enum.
fn variant_struct(ast: &DeriveInput, generics: &syn::Generics, variant: &Variant) -> DeriveInput {
    let lifetime = Lifetime::new(LIFETIME, Span::call_site());
    let enum_ty = enum_ref(ast);
    let borrowed = |field: &Field| {
        let ty = spell_self(field.ty.to_token_stream(), &enum_path(ast));
        Field {
            attrs: Vec::new(),
            vis: Visibility::Inherited,
            ty: parse_quote!(&#lifetime #ty),
            ..field.clone()
        }
    };
    let fields = match &variant.fields {
        Fields::Named(fields) => {
            let mut named: Punctuated<Field, Token![,]> =
                fields.named.iter().map(borrowed).collect();
            let enum_field = format_ident!("{ENUM_FIELD}");
            named.push(parse_quote!(#enum_field: #enum_ty));
            Fields::Named(FieldsNamed {
                brace_token: fields.brace_token,
                named,
            })
        }
        Fields::Unnamed(fields) => {
            let mut unnamed: Punctuated<Field, Token![,]> =
                fields.unnamed.iter().map(borrowed).collect();
            unnamed.push(Field {
                attrs: Vec::new(),
                vis: Visibility::Inherited,
                mutability: syn::FieldMutability::None,
                ident: None,
                colon_token: None,
                ty: enum_ty,
            });
            Fields::Unnamed(FieldsUnnamed {
                paren_token: fields.paren_token,
                unnamed,
            })
        }
        Fields::Unit => Fields::Unnamed(parse_quote!((#enum_ty))),
    };
    let semi_token = (!matches!(fields, Fields::Named(_))).then(Default::default);
    DeriveInput {
        attrs: Vec::new(),
        vis: Visibility::Inherited,
        ident: format_ident!("__LvtVariant_{}_{}", ast.ident, variant.ident),
        generics: generics.clone(),
        data: Data::Struct(DataStruct {
            struct_token: Default::default(),
            fields,
            semi_token,
        }),
    }
}

/// `impl Deref<Target = &Enum>` for a variant struct, as askama's.
fn deref_impl(ast: &DeriveInput, hidden: &DeriveInput, variant: &Variant) -> TokenStream {
    let name = &hidden.ident;
    let (impl_generics, ty_generics, where_clause) = hidden.generics.split_for_impl();
    let enum_ty = enum_ref(ast);
    let field = match &variant.fields {
        Fields::Named(_) => format_ident!("{ENUM_FIELD}").to_token_stream(),
        fields => syn::Index::from(fields.len()).to_token_stream(),
    };
    quote! {
        impl #impl_generics ::core::ops::Deref for #name #ty_generics #where_clause {
            type Target = #enum_ty;

            fn deref(&self) -> &Self::Target {
                &self.#field
            }
        }
    }
}

/// The `match self` arm rendering `variant` through its struct.
fn arm(hidden: &DeriveInput, variant: &Variant) -> TokenStream {
    let (name, variant_name) = (&hidden.ident, &variant.ident);
    let bindings: Vec<_> = (0..variant.fields.len())
        .map(|i| format_ident!("__lvt_f{i}"))
        .collect();
    let (pattern, value) = match &variant.fields {
        Fields::Named(fields) => {
            let names: Vec<_> = fields.named.iter().map(|f| &f.ident).collect();
            let enum_field = format_ident!("{ENUM_FIELD}");
            (
                quote!(Self::#variant_name { #(#names: #bindings),* }),
                quote!(#name { #(#names: #bindings,)* #enum_field: self }),
            )
        }
        Fields::Unnamed(_) => (
            quote!(Self::#variant_name(#(#bindings),*)),
            quote!(#name(#(#bindings,)* self)),
        ),
        Fields::Unit => (quote!(Self::#variant_name), quote!(#name(self))),
    };
    quote!(#pattern => ::livetemplate::LiveTemplate::render_tree(&#value),)
}

/// `Enum::<generics>`: what `Self` means in a variant's field types and template (askama maps
/// `Self` in template paths to the enum too).
fn enum_path(ast: &DeriveInput) -> TokenStream {
    let name = &ast.ident;
    let (_, ty_generics, _) = ast.generics.split_for_impl();
    let turbofish = ty_generics.as_turbofish();
    quote!(#name #turbofish)
}

/// `tokens` with each `Self` replaced by `path`: in the struct and its `impl`, `Self` would be
/// the struct. The code generated around the template never names `Self`, so every `Self` in a
/// variant's render comes from its field types or its template.
fn spell_self(tokens: TokenStream, path: &TokenStream) -> TokenStream {
    tokens
        .into_iter()
        .map(|token| match token {
            TokenTree::Ident(ident) if ident == "Self" => path.clone(),
            TokenTree::Group(group) => {
                let mut new = Group::new(group.delimiter(), spell_self(group.stream(), path));
                new.set_span(group.span());
                TokenTree::Group(new).into()
            }
            other => other.into(),
        })
        .collect()
}
