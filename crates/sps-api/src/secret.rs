//! The join request's pre-shared key, in a type that never prints it.

use std::fmt;

use serde::{Deserialize, Serialize};

/// A pre-shared key. `Debug` and `Display` show a mask, so the key cannot reach a log
/// line or an error message by accident; the value is reachable only through
/// [`Psk::expose`], and serialises as itself because the Central Management node needs it.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Psk(String);

impl Psk {
    pub const MASK: &'static str = "••••••••";

    pub fn new(value: impl Into<String>) -> Self {
        Psk(value.into())
    }

    /// The key itself: call it only where it must leave the program (a request body,
    /// the person's clipboard, the reveal button).
    pub fn expose(&self) -> &str {
        &self.0
    }

    /// A key as the vendor documents it: 64 ASCII letters and digits.
    pub fn is_well_formed(&self) -> bool {
        self.0.len() == 64 && self.0.bytes().all(|b| b.is_ascii_alphanumeric())
    }
}

impl fmt::Debug for Psk {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Psk({})", Psk::MASK)
    }
}

impl fmt::Display for Psk {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(Psk::MASK)
    }
}

impl Drop for Psk {
    /// Overwrite the key's bytes so a freed buffer is less likely to keep it around.
    fn drop(&mut self) {
        // Best effort: an optimiser may drop a store to memory that is freed next, and
        // earlier copies (a response buffer) are out of reach. Same-length ASCII keeps the
        // string valid UTF-8 and the buffer in place.
        let erased = "0".repeat(self.0.len());
        self.0.replace_range(.., &erased);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_and_display_never_show_the_key() {
        let key = "Ler7HZDFmZCxnLLgHNRfZYfORhlZS99l9vEVr5UKtJEb1d4WeaHcBmQJLs4VDWIn";
        let psk = Psk::new(key);

        assert!(!format!("{psk:?}").contains(key));
        assert!(!format!("{psk}").contains(key));
        assert_eq!(psk.expose(), key);
        assert!(psk.is_well_formed());
    }

    #[test]
    fn serialises_as_the_bare_key() {
        let psk = Psk::new("abc");

        assert_eq!(serde_json::to_string(&psk).unwrap(), r#""abc""#);
        assert!(!psk.is_well_formed());
    }
}
