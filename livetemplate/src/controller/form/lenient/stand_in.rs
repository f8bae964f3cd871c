//! Stand-ins: values of any type that take the place of a value that did not bind.

use serde::de::{
    DeserializeSeed, Deserializer, EnumAccess, MapAccess, SeqAccess, VariantAccess, Visitor,
};

use super::object::KeyDe;
use super::{Error, MAX_STAND_IN_DEPTH};

/// A value that fits any type asked for by name: zero, `false`, `""`, `None`, an empty list,
/// a struct of stand-ins, an enum's first variant. It takes the place of a value that did not
/// bind, so that the other fields are still read; the binding fails anyway.
#[derive(Clone, Copy)]
pub(super) struct StandIn {
    pub(super) depth: u8,
}

impl StandIn {
    fn deeper(self) -> Result<StandIn, Error> {
        if self.depth >= MAX_STAND_IN_DEPTH {
            Err(Error::new("nests too deeply"))
        } else {
            Ok(StandIn {
                depth: self.depth + 1,
            })
        }
    }
}

macro_rules! stand_in_scalars {
    ($($method:ident => $visit:ident($($value:expr)?)),* $(,)?) => {
        $(fn $method<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
            visitor.$visit($($value)?)
        })*
    };
}

impl<'de> Deserializer<'de> for StandIn {
    type Error = Error;

    stand_in_scalars! {
        deserialize_any => visit_unit(),
        deserialize_unit => visit_unit(),
        deserialize_ignored_any => visit_unit(),
        deserialize_bool => visit_bool(false),
        deserialize_i8 => visit_i8(0),
        deserialize_i16 => visit_i16(0),
        deserialize_i32 => visit_i32(0),
        deserialize_i64 => visit_i64(0),
        deserialize_i128 => visit_i128(0),
        deserialize_u8 => visit_u8(0),
        deserialize_u16 => visit_u16(0),
        deserialize_u32 => visit_u32(0),
        deserialize_u64 => visit_u64(0),
        deserialize_u128 => visit_u128(0),
        deserialize_f32 => visit_f32(0.0),
        deserialize_f64 => visit_f64(0.0),
        deserialize_char => visit_char(' '),
        deserialize_str => visit_borrowed_str(""),
        deserialize_string => visit_borrowed_str(""),
        deserialize_identifier => visit_borrowed_str(""),
        deserialize_bytes => visit_borrowed_bytes(&[]),
        deserialize_byte_buf => visit_borrowed_bytes(&[]),
        deserialize_option => visit_none(),
    }

    fn deserialize_unit_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        visitor: V,
    ) -> Result<V::Value, Error> {
        visitor.visit_unit()
    }

    fn deserialize_newtype_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        visitor: V,
    ) -> Result<V::Value, Error> {
        visitor.visit_newtype_struct(self.deeper()?)
    }

    fn deserialize_seq<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        visitor.visit_seq(StandInItems {
            remaining: 0,
            item: self,
        })
    }

    fn deserialize_tuple<V: Visitor<'de>>(self, len: usize, visitor: V) -> Result<V::Value, Error> {
        visitor.visit_seq(StandInItems {
            remaining: len,
            item: self.deeper()?,
        })
    }

    fn deserialize_tuple_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        len: usize,
        visitor: V,
    ) -> Result<V::Value, Error> {
        self.deserialize_tuple(len, visitor)
    }

    fn deserialize_map<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        visitor.visit_map(StandInFields::new(&[], self.depth))
    }

    fn deserialize_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        fields: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, Error> {
        visitor.visit_map(StandInFields::new(fields, self.deeper()?.depth))
    }

    fn deserialize_enum<V: Visitor<'de>>(
        self,
        _name: &'static str,
        variants: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, Error> {
        match variants.first() {
            Some(variant) => visitor.visit_enum(StandInVariant {
                name: variant,
                inner: self.deeper()?,
            }),
            None => Err(Error::new("is not a known choice")),
        }
    }
}

/// The elements of a stand-in tuple.
struct StandInItems {
    remaining: usize,
    item: StandIn,
}

impl<'de> SeqAccess<'de> for StandInItems {
    type Error = Error;

    fn next_element_seed<S: DeserializeSeed<'de>>(
        &mut self,
        seed: S,
    ) -> Result<Option<S::Value>, Error> {
        if self.remaining == 0 {
            return Ok(None);
        }
        self.remaining -= 1;
        seed.deserialize(self.item).map(Some)
    }

    fn size_hint(&self) -> Option<usize> {
        Some(self.remaining)
    }
}

/// The fields of a stand-in struct, each a stand-in.
pub(super) struct StandInFields {
    fields: std::slice::Iter<'static, &'static str>,
    item: StandIn,
}

impl StandInFields {
    pub(super) fn new(fields: &'static [&'static str], depth: u8) -> Self {
        StandInFields {
            fields: fields.iter(),
            item: StandIn { depth },
        }
    }
}

impl<'de> MapAccess<'de> for StandInFields {
    type Error = Error;

    fn next_key_seed<K: DeserializeSeed<'de>>(
        &mut self,
        seed: K,
    ) -> Result<Option<K::Value>, Error> {
        match self.fields.next() {
            Some(field) => seed.deserialize(KeyDe(field)).map(Some),
            None => Ok(None),
        }
    }

    fn next_value_seed<S: DeserializeSeed<'de>>(&mut self, seed: S) -> Result<S::Value, Error> {
        seed.deserialize(self.item)
    }
}

/// A stand-in enum value: the first variant, with stand-in content.
struct StandInVariant {
    name: &'static str,
    inner: StandIn,
}

impl<'de> EnumAccess<'de> for StandInVariant {
    type Error = Error;
    type Variant = StandIn;

    fn variant_seed<S: DeserializeSeed<'de>>(self, seed: S) -> Result<(S::Value, StandIn), Error> {
        let variant = seed.deserialize(KeyDe(self.name))?;
        Ok((variant, self.inner))
    }
}

impl<'de> VariantAccess<'de> for StandIn {
    type Error = Error;

    fn unit_variant(self) -> Result<(), Error> {
        Ok(())
    }

    fn newtype_variant_seed<S: DeserializeSeed<'de>>(self, seed: S) -> Result<S::Value, Error> {
        seed.deserialize(self)
    }

    fn tuple_variant<V: Visitor<'de>>(self, len: usize, visitor: V) -> Result<V::Value, Error> {
        self.deserialize_tuple(len, visitor)
    }

    fn struct_variant<V: Visitor<'de>>(
        self,
        fields: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, Error> {
        visitor.visit_map(StandInFields::new(fields, self.depth))
    }
}
