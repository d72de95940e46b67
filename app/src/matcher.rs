//! Turning the search box into a predicate on function names.
//!
//! Plain text is a case-insensitive substring ([`spanflame_core::search::substring`]);
//! regular expressions use the browser's own `RegExp` (JavaScript syntax, flag `i`), so the
//! `.wasm` carries no regex engine.

use js_sys::{Array, Function, Reflect, RegExp};
use wasm_bindgen::{JsCast, JsValue};

/// What the search box asks for.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SearchQuery {
    /// The text typed.
    pub text: String,
    /// Whether it is a regular expression (JavaScript syntax, case-insensitive).
    pub regex: bool,
}

/// A compiled search.
pub enum Matcher {
    /// Case-insensitive substring.
    Substring(Box<dyn Fn(&str) -> bool>),
    /// A JavaScript regular expression.
    Regex(RegExp),
}

impl Matcher {
    /// Whether `name` matches.
    pub fn is_match(&self, name: &str) -> bool {
        match self {
            Matcher::Substring(f) => f(name),
            Matcher::Regex(re) => re.test(name),
        }
    }
}

/// `Ok(None)` for an empty box, `Err(why)` for a regular expression that does not parse.
pub fn build(query: &SearchQuery) -> Result<Option<Matcher>, String> {
    let text = query.text.trim();
    if text.is_empty() {
        return Ok(None);
    }
    if !query.regex {
        return Ok(Some(Matcher::Substring(Box::new(
            spanflame_core::search::substring(text),
        ))));
    }
    regexp(text, "i").map(|re| Some(Matcher::Regex(re)))
}

/// `new RegExp(pattern, flags)`, with the SyntaxError caught rather than aborting.
fn regexp(pattern: &str, flags: &str) -> Result<RegExp, String> {
    let constructor: Function = Reflect::get(&js_sys::global(), &JsValue::from_str("RegExp"))
        .map_err(|_| "no RegExp in this browser".to_owned())?
        .unchecked_into();
    let args = Array::of2(&JsValue::from_str(pattern), &JsValue::from_str(flags));
    match Reflect::construct(&constructor, &args) {
        Ok(re) => Ok(re.unchecked_into()),
        Err(error) => Err(error
            .dyn_ref::<js_sys::Error>()
            .map(|e| String::from(e.message()))
            .unwrap_or_else(|| "invalid regular expression".to_owned())),
    }
}
