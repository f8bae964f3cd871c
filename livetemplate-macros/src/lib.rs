//! Procedural macros for `livetemplate`: the compile-time template compiler.
//!
//! The entry points are one-liners; the work lives in ordinary modules over `proc_macro2`
//! types so it can be unit-tested.

mod template;

/// Derives `livetemplate::LiveTemplate` from askama's `#[template(...)]` attribute.
///
/// See the `livetemplate` crate docs for an example.
#[proc_macro_derive(LiveTemplate, attributes(template))]
pub fn derive_live_template(input: proc_macro::TokenStream) -> proc_macro::TokenStream {
    template::derive(input.into()).into()
}
