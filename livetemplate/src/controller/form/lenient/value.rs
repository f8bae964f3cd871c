//! One form value, read leniently into the type serde asks for; its list items and enum variants.

use std::borrow::Cow;

use serde::de::{
    DeserializeSeed, Deserializer, EnumAccess, IntoDeserializer, SeqAccess, VariantAccess, Visitor,
};
use serde_json::Value;

use super::object::visit_object;
use super::scalar::{Int, bool_from_value, float_from_value, int_from_value, narrow};
use super::stand_in::{StandIn, StandInFields};
use super::{CHAR, EMPTY, Error, LIST, NO_VALUE, OBJECT, REQUIRED, State, TEXT, count};

/// One value of the form data, with the name errors are reported under.
///
/// A value that does not fit the type asked for is recorded as an error, and a stand-in is
/// handed to the visitor, so that the pass goes on to the other fields.
pub(in crate::controller::form) struct ValueDe<'de, 'a> {
    pub(in crate::controller::form) value: &'de Value,
    pub(in crate::controller::form) path: &'a str,
    pub(in crate::controller::form) state: &'a State,
}

impl<'de> ValueDe<'de, '_> {
    fn record(&self, message: impl Into<String>) {
        self.state.record(self.path, message);
    }

    /// The single value: the last one of an array (a repeated name), `None` for `[]`.
    fn single(&self) -> Option<&'de Value> {
        let mut value = self.value;
        while let Value::Array(items) = value {
            value = items.last()?;
        }
        Some(value)
    }

    fn int<N: Int>(&self) -> N {
        let result = match self.single() {
            Some(value) => int_from_value(value),
            None => Err(REQUIRED.into()),
        };
        result.unwrap_or_else(|message| {
            self.record(message);
            N::default()
        })
    }

    fn float(&self) -> f64 {
        self.single()
            .map_or(Err(REQUIRED), float_from_value)
            .unwrap_or_else(|message| {
                self.record(message);
                0.0
            })
    }

    fn text(&self) -> Result<Cow<'de, str>, &'static str> {
        match self.single() {
            Some(Value::String(s)) => Ok(Cow::Borrowed(s)),
            Some(Value::Number(n)) => Ok(Cow::Owned(n.to_string())),
            Some(Value::Bool(b)) => Ok(Cow::Borrowed(if *b { "true" } else { "false" })),
            Some(Value::Object(_)) => Err(TEXT),
            Some(Value::Null) | None => Err(REQUIRED),
            Some(Value::Array(_)) => Err(TEXT),
        }
    }

    fn seq<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        let items: &'de [Value] = match self.value {
            Value::Array(items) => items,
            Value::Null => &[],
            Value::String(s) if s.is_empty() => &[],
            Value::Object(_) => {
                self.record(LIST);
                &[]
            }
            single => std::slice::from_ref(single),
        };
        let mut access = Items {
            items: items.iter(),
            path: self.path,
            state: self.state,
        };
        let value = visitor.visit_seq(&mut access)?;
        let left = access.items.len();
        if left > 0 {
            // A tuple took fewer values than were sent.
            self.record(format!("must have at most {}", count(items.len() - left)));
        }
        Ok(value)
    }

    fn object<V: Visitor<'de>>(
        self,
        fields: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, Error> {
        match self.value {
            Value::Object(map) => visit_object(map, self.path, fields, self.state, visitor),
            Value::Null => {
                self.record(REQUIRED);
                visitor.visit_map(StandInFields::new(fields, 1))
            }
            _ => {
                self.record(OBJECT);
                visitor.visit_map(StandInFields::new(fields, 1))
            }
        }
    }
}

macro_rules! lenient_ints {
    ($($method:ident => $visit:ident: $t:ty),* $(,)?) => {
        $(fn $method<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
            let n: $t = self.int();
            visitor.$visit(n)
        })*
    };
}

impl<'de> Deserializer<'de> for ValueDe<'de, '_> {
    type Error = Error;

    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        match self.value {
            Value::Null => visitor.visit_unit(),
            Value::Bool(b) => visitor.visit_bool(*b),
            Value::Number(n) => {
                if let Some(u) = n.as_u64() {
                    visitor.visit_u64(u)
                } else if let Some(i) = n.as_i64() {
                    visitor.visit_i64(i)
                } else {
                    visitor.visit_f64(n.as_f64().unwrap_or_default())
                }
            }
            Value::String(s) => visitor.visit_borrowed_str(s),
            Value::Array(_) => self.seq(visitor),
            Value::Object(map) => visit_object(map, self.path, &[], self.state, visitor),
        }
    }

    fn deserialize_bool<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        let b = self
            .single()
            .map_or(Err(REQUIRED), bool_from_value)
            .unwrap_or_else(|message| {
                self.record(message);
                false
            });
        visitor.visit_bool(b)
    }

    lenient_ints! {
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
        let f = narrow(self.float()).unwrap_or_else(|message| {
            self.record(message);
            0.0
        });
        visitor.visit_f32(f)
    }

    fn deserialize_f64<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        visitor.visit_f64(self.float())
    }

    fn deserialize_char<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        let c = match self.text() {
            Ok(text) => {
                let mut chars = text.chars();
                match (chars.next(), chars.next()) {
                    (Some(c), None) => Ok(c),
                    _ => Err(CHAR),
                }
            }
            Err(message) => Err(message),
        };
        visitor.visit_char(c.unwrap_or_else(|message| {
            self.record(message);
            ' '
        }))
    }

    fn deserialize_str<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        match self.text() {
            Ok(Cow::Borrowed(s)) => visitor.visit_borrowed_str(s),
            Ok(Cow::Owned(s)) => visitor.visit_string(s),
            Err(message) => {
                self.record(message);
                visitor.visit_borrowed_str("")
            }
        }
    }

    fn deserialize_string<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        self.deserialize_str(visitor)
    }

    fn deserialize_bytes<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        match self.text() {
            Ok(Cow::Borrowed(s)) => visitor.visit_borrowed_bytes(s.as_bytes()),
            Ok(Cow::Owned(s)) => visitor.visit_byte_buf(s.into_bytes()),
            Err(message) => {
                self.record(message);
                visitor.visit_borrowed_bytes(&[])
            }
        }
    }

    fn deserialize_byte_buf<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        self.deserialize_bytes(visitor)
    }

    fn deserialize_option<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        match self.value {
            Value::Null => visitor.visit_none(),
            Value::String(s) if s.is_empty() => visitor.visit_none(),
            Value::Array(items) if items.is_empty() => visitor.visit_none(),
            _ => visitor.visit_some(self),
        }
    }

    fn deserialize_unit<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        match self.value {
            Value::Null => {}
            Value::String(s) if s.is_empty() => {}
            _ => self.record(EMPTY),
        }
        visitor.visit_unit()
    }

    fn deserialize_unit_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        visitor: V,
    ) -> Result<V::Value, Error> {
        self.deserialize_unit(visitor)
    }

    fn deserialize_newtype_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        visitor: V,
    ) -> Result<V::Value, Error> {
        visitor.visit_newtype_struct(self)
    }

    fn deserialize_seq<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        self.seq(visitor)
    }

    fn deserialize_tuple<V: Visitor<'de>>(
        self,
        _len: usize,
        visitor: V,
    ) -> Result<V::Value, Error> {
        self.seq(visitor)
    }

    fn deserialize_tuple_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        _len: usize,
        visitor: V,
    ) -> Result<V::Value, Error> {
        self.seq(visitor)
    }

    fn deserialize_map<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        self.object(&[], visitor)
    }

    fn deserialize_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        fields: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, Error> {
        self.object(fields, visitor)
    }

    fn deserialize_enum<V: Visitor<'de>>(
        self,
        name: &'static str,
        variants: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, Error> {
        let (variant, content) = match self.single() {
            Some(Value::String(s)) => (Cow::Borrowed(s.as_str()), None),
            Some(Value::Number(n)) => (Cow::Owned(n.to_string()), None),
            Some(Value::Bool(b)) => (Cow::Owned(b.to_string()), None),
            Some(Value::Object(map)) if map.len() == 1 => match map.iter().next() {
                Some((key, content)) => (Cow::Borrowed(key.as_str()), Some(content)),
                None => (Cow::Borrowed(""), None),
            },
            Some(Value::Null) | None => {
                self.record(REQUIRED);
                return StandIn { depth: 0 }.deserialize_enum(name, variants, visitor);
            }
            Some(_) => {
                self.record(Error::unknown_variant_message(variants));
                return StandIn { depth: 0 }.deserialize_enum(name, variants, visitor);
            }
        };
        visitor.visit_enum(Variant {
            name: variant,
            content,
            path: self.path,
            state: self.state,
        })
    }

    fn deserialize_identifier<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        self.deserialize_str(visitor)
    }

    fn deserialize_ignored_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        visitor.visit_unit()
    }
}

/// The values of a list, each under the list's own name.
struct Items<'de, 'a> {
    items: std::slice::Iter<'de, Value>,
    path: &'a str,
    state: &'a State,
}

impl<'de> SeqAccess<'de> for Items<'de, '_> {
    type Error = Error;

    fn next_element_seed<S: DeserializeSeed<'de>>(
        &mut self,
        seed: S,
    ) -> Result<Option<S::Value>, Error> {
        match self.items.next() {
            Some(value) => seed
                .deserialize(ValueDe {
                    value,
                    path: self.path,
                    state: self.state,
                })
                .map(Some),
            None => Ok(None),
        }
    }

    fn size_hint(&self) -> Option<usize> {
        Some(self.items.len())
    }
}

/// An enum value: the variant's name, and its content for `{"Variant": content}`.
struct Variant<'de, 'a> {
    name: Cow<'de, str>,
    content: Option<&'de Value>,
    path: &'a str,
    state: &'a State,
}

impl<'de, 'a> EnumAccess<'de> for Variant<'de, 'a> {
    type Error = Error;
    type Variant = Self;

    fn variant_seed<S: DeserializeSeed<'de>>(self, seed: S) -> Result<(S::Value, Self), Error> {
        let name: &str = &self.name;
        let variant = seed.deserialize(IntoDeserializer::<Error>::into_deserializer(name))?;
        Ok((variant, self))
    }
}

impl<'de> Variant<'de, '_> {
    fn content(&self) -> Result<ValueDe<'de, '_>, Error> {
        match self.content {
            Some(value) => Ok(ValueDe {
                value,
                path: self.path,
                state: self.state,
            }),
            None => Err(Error::new(NO_VALUE)),
        }
    }
}

impl<'de> VariantAccess<'de> for Variant<'de, '_> {
    type Error = Error;

    fn unit_variant(self) -> Result<(), Error> {
        Ok(())
    }

    fn newtype_variant_seed<S: DeserializeSeed<'de>>(self, seed: S) -> Result<S::Value, Error> {
        seed.deserialize(self.content()?)
    }

    fn tuple_variant<V: Visitor<'de>>(self, len: usize, visitor: V) -> Result<V::Value, Error> {
        self.content()?.deserialize_tuple(len, visitor)
    }

    fn struct_variant<V: Visitor<'de>>(
        self,
        fields: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, Error> {
        self.content()?.deserialize_struct("", fields, visitor)
    }
}
