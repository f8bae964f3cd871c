//! Objects: the form data at the top, an object's members and their keys, and a field not sent.

use serde::de::value::BorrowedStrDeserializer;
use serde::de::{DeserializeSeed, Deserializer, MapAccess, Visitor};
use serde_json::{Map, Value};

use super::scalar::{bool_from_str, float_from_str, int_from_str, narrow};
use super::stand_in::StandIn;
use super::value::ValueDe;
use super::{Error, Kind, REQUIRED, State, join};

/// The form data itself: an object at the top, with no name.
pub(in crate::controller::form) struct RootDe<'de, 'a> {
    pub(in crate::controller::form) map: &'de Map<String, Value>,
    pub(in crate::controller::form) state: &'a State,
}

impl<'de> Deserializer<'de> for RootDe<'de, '_> {
    type Error = Error;

    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        visit_object(self.map, "", &[], self.state, visitor)
    }

    fn deserialize_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        fields: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, Error> {
        visit_object(self.map, "", fields, self.state, visitor)
    }

    fn deserialize_option<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        visitor.visit_some(self)
    }

    fn deserialize_newtype_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        visitor: V,
    ) -> Result<V::Value, Error> {
        visitor.visit_newtype_struct(self)
    }

    fn deserialize_ignored_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        visitor.visit_unit()
    }

    serde::forward_to_deserialize_any! {
        bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string bytes byte_buf
        unit unit_struct seq tuple tuple_struct map enum identifier
    }
}

/// A field that was not sent (for [`get`]): `None` for an `Option`, else "is required".
///
/// [`get`]: crate::controller::get
pub(in crate::controller::form) struct MissingDe;

impl<'de> Deserializer<'de> for MissingDe {
    type Error = Error;

    fn deserialize_any<V: Visitor<'de>>(self, _visitor: V) -> Result<V::Value, Error> {
        Err(Error::new(REQUIRED))
    }

    fn deserialize_option<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        visitor.visit_none()
    }

    serde::forward_to_deserialize_any! {
        bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string bytes byte_buf
        unit unit_struct newtype_struct seq tuple tuple_struct map struct enum identifier
        ignored_any
    }
}

/// Hands an object to `visitor` as a map, catching a missing field's error to name it.
pub(super) fn visit_object<'de, V: Visitor<'de>>(
    map: &'de Map<String, Value>,
    path: &str,
    fields: &'static [&'static str],
    state: &State,
    visitor: V,
) -> Result<V::Value, Error> {
    let filled: Vec<&'static str> = if state.fill.is_empty() {
        Vec::new()
    } else {
        fields
            .iter()
            .copied()
            .filter(|field| !map.contains_key(*field) && state.fill.contains(&join(path, field)))
            .collect()
    };
    let access = Entries {
        entries: map.iter(),
        filled: filled.into_iter(),
        pending: None,
        path,
        state,
    };
    visitor.visit_map(access).map_err(|err| match err.kind {
        Kind::Missing(field) => err.at(&join(path, field)),
        _ => err,
    })
}

/// The members of an object, then the stand-ins for missing fields that need one.
struct Entries<'de, 'a> {
    entries: serde_json::map::Iter<'de>,
    filled: std::vec::IntoIter<&'static str>,
    /// The value of the key just read (`None`: a stand-in), and its path.
    pending: Option<(Option<&'de Value>, String)>,
    path: &'a str,
    state: &'a State,
}

impl<'de> MapAccess<'de> for Entries<'de, '_> {
    type Error = Error;

    fn next_key_seed<K: DeserializeSeed<'de>>(
        &mut self,
        seed: K,
    ) -> Result<Option<K::Value>, Error> {
        let mut next = None;
        for (key, value) in self.entries.by_ref() {
            let path = join(self.path, key);
            if !self.state.skip.contains(&path) {
                next = Some((key.as_str(), Some(value), path));
                break;
            }
        }
        let (key, value, path) = match next {
            Some(next) => next,
            None => match self.filled.next() {
                Some(field) => (field, None, join(self.path, field)),
                None => return Ok(None),
            },
        };
        let value = value.filter(|_| !self.state.fill.contains(&path));
        let key = seed.deserialize(KeyDe(key)).map_err(|err| err.at(&path))?;
        self.pending = Some((value, path));
        Ok(Some(key))
    }

    fn next_value_seed<S: DeserializeSeed<'de>>(&mut self, seed: S) -> Result<S::Value, Error> {
        let (value, path) = self
            .pending
            .take()
            .ok_or_else(|| Error::new("a value was read before its key"))?;
        match value {
            Some(value) => seed.deserialize(ValueDe {
                value,
                path: &path,
                state: self.state,
            }),
            None => seed.deserialize(StandIn { depth: 0 }),
        }
        .map_err(|err| err.at(&path))
    }
}

/// A key of an object: a field's name, or a map's key (numbers and bools parsed from it).
pub(super) struct KeyDe<'de>(pub(super) &'de str);

macro_rules! key_ints {
    ($($method:ident => $visit:ident: $t:ty),* $(,)?) => {
        $(fn $method<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
            let n: $t = int_from_str(self.0).map_err(Error::new)?;
            visitor.$visit(n)
        })*
    };
}

impl<'de> Deserializer<'de> for KeyDe<'de> {
    type Error = Error;

    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        visitor.visit_borrowed_str(self.0)
    }

    fn deserialize_bool<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        visitor.visit_bool(bool_from_str(self.0).map_err(Error::new)?)
    }

    key_ints! {
        deserialize_i8 => visit_i8: i8,
        deserialize_i16 => visit_i16: i16,
        deserialize_i32 => visit_i32: i32,
        deserialize_i64 => visit_i64: i64,
        deserialize_i128 => visit_i128: i128,
        deserialize_u8 => visit_u8: u8,
        deserialize_u16 => visit_u16: u16,
        deserialize_u32 => visit_u32: u32,
        deserialize_u64 => visit_u64: u64,
        deserialize_u128 => visit_u128: u128,
    }

    fn deserialize_f32<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        let f = float_from_str(self.0).map_err(Error::new)?;
        visitor.visit_f32(narrow(f).map_err(Error::new)?)
    }

    fn deserialize_f64<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        visitor.visit_f64(float_from_str(self.0).map_err(Error::new)?)
    }

    fn deserialize_option<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        visitor.visit_some(self)
    }

    fn deserialize_newtype_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        visitor: V,
    ) -> Result<V::Value, Error> {
        visitor.visit_newtype_struct(self)
    }

    fn deserialize_enum<V: Visitor<'de>>(
        self,
        name: &'static str,
        variants: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, Error> {
        BorrowedStrDeserializer::<Error>::new(self.0).deserialize_enum(name, variants, visitor)
    }

    serde::forward_to_deserialize_any! {
        char str string bytes byte_buf unit unit_struct seq tuple tuple_struct map struct
        identifier ignored_any
    }
}
