//! Ways to damage a valid JSON body for property tests, shared by the body types' tests
//! and the simulator's request parsing tests: bytes cut, flipped, inserted, deleted or
//! overwritten, and values swapped for values of another JSON type.

#![allow(dead_code)]

use proptest::prelude::*;
use proptest::sample::{select, Index};
use serde_json::{json, Value};

/// One change to a body's bytes; positions are picked relative to the body's length.
#[derive(Debug, Clone)]
pub enum Damage {
    Truncate(Index),
    FlipBit(Index, u8),
    Insert(Index, u8),
    Delete(Index, usize),
    Overwrite(Index, u8),
}

/// Bytes that matter to a JSON parser, inserted more often than random ones.
const JSON_BYTES: &[u8] = b"{}[]\":,\\0123456789-+.eEtrufalsn \t\n";

fn byte() -> impl Strategy<Value = u8> {
    prop_oneof![select(JSON_BYTES), any::<u8>()]
}

pub fn damage() -> impl Strategy<Value = Damage> {
    prop_oneof![
        any::<Index>().prop_map(Damage::Truncate),
        (any::<Index>(), 0u8..8).prop_map(|(at, bit)| Damage::FlipBit(at, bit)),
        (any::<Index>(), byte()).prop_map(|(at, b)| Damage::Insert(at, b)),
        (any::<Index>(), 1usize..16).prop_map(|(at, n)| Damage::Delete(at, n)),
        (any::<Index>(), byte()).prop_map(|(at, b)| Damage::Overwrite(at, b)),
    ]
}

/// A few damages in a row.
pub fn damages() -> impl Strategy<Value = Vec<Damage>> {
    proptest::collection::vec(damage(), 1..8)
}

pub fn apply(bytes: &mut Vec<u8>, damage: &Damage) {
    if bytes.is_empty() {
        if let Damage::Insert(_, b) = damage {
            bytes.push(*b);
        }
        return;
    }
    match damage {
        Damage::Truncate(at) => bytes.truncate(at.index(bytes.len())),
        Damage::FlipBit(at, bit) => {
            let at = at.index(bytes.len());
            bytes[at] ^= 1 << bit;
        }
        Damage::Insert(at, b) => {
            let at = at.index(bytes.len() + 1);
            bytes.insert(at, *b);
        }
        Damage::Delete(at, n) => {
            let at = at.index(bytes.len());
            let end = (at + n).min(bytes.len());
            bytes.drain(at..end);
        }
        Damage::Overwrite(at, b) => {
            let at = at.index(bytes.len());
            bytes[at] = *b;
        }
    }
}

/// `bytes` with every damage applied in turn.
pub fn damaged(bytes: &[u8], damages: &[Damage]) -> Vec<u8> {
    let mut bytes = bytes.to_vec();
    for damage in damages {
        apply(&mut bytes, damage);
    }
    bytes
}

/// Values of every JSON type, and the edges of numbers and strings.
pub fn other_json() -> impl Strategy<Value = Value> {
    let fixed = select(vec![
        Value::Null,
        json!(true),
        json!(false),
        json!(0),
        json!(-1),
        json!(u64::MAX),
        json!(i64::MIN),
        json!(1.5),
        json!(-1e300),
        json!(1e300),
        json!(""),
        json!(" "),
        json!("x"),
        json!("\u{0}"),
        json!("in cluster"),
        json!("127.0.0.12"),
        json!([]),
        json!([null]),
        json!(["x", 1]),
        json!({}),
        json!({"": null}),
        nested(64),
    ]);
    prop_oneof![
        3 => fixed,
        1 => any::<String>().prop_map(Value::String),
        1 => any::<i64>().prop_map(Value::from),
        1 => any::<f64>().prop_map(Value::from),
    ]
}

/// An array nested `depth` deep.
pub fn nested(depth: usize) -> Value {
    (0..depth).fold(Value::Null, |inner, _| Value::Array(vec![inner]))
}

/// JSON pointers to every value in `value`, itself (`""`) included.
pub fn pointers(value: &Value) -> Vec<String> {
    fn walk(value: &Value, here: String, out: &mut Vec<String>) {
        match value {
            Value::Object(map) => {
                for (key, child) in map {
                    let key = key.replace('~', "~0").replace('/', "~1");
                    walk(child, format!("{here}/{key}"), out);
                }
            }
            Value::Array(items) => {
                for (index, child) in items.iter().enumerate() {
                    walk(child, format!("{here}/{index}"), out);
                }
            }
            _ => {}
        }
        out.push(here);
    }
    let mut out = Vec::new();
    walk(value, String::new(), &mut out);
    out
}

/// `value` with the value at the chosen pointer replaced.
pub fn replaced(value: &Value, at: Index, replacement: Value) -> Value {
    let mut value = value.clone();
    let all = pointers(&value);
    let pointer = at.get(&all).clone();
    if let Some(slot) = value.pointer_mut(&pointer) {
        *slot = replacement;
    }
    value
}
