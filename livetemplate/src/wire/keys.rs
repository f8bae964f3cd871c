//! Every key and op name of the wire format, spelled once (the client mirrors these in its
//! `constants.js`; both test suites read the same golden files).

/// A node's statics.
pub(crate) const STATICS: &str = "\"s\"";
/// A list's items.
pub(crate) const ITEMS: &str = "\"d\"";
/// A list's metadata object.
pub(crate) const META: &str = "\"m\"";
/// In a list's metadata: the slot holding each item's key.
pub(crate) const ID_KEY: &str = "\"idKey\"";
/// An item's own key, when it is not in a slot.
pub(crate) const ITEM_KEY: &str = "\"_k\"";
/// A statics table's id on this connection (our client's cache; others ignore it).
pub(crate) const FINGERPRINT: &str = "\"f\"";
