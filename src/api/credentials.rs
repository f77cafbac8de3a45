//! Sign-in credentials, in a type that never prints the password.

use std::fmt;

use base64::Engine;

#[derive(Clone, PartialEq, Eq)]
pub struct Credentials {
    pub user: String,
    password: String,
}

impl Credentials {
    pub fn new(user: impl Into<String>, password: impl Into<String>) -> Self {
        Credentials {
            user: user.into(),
            password: password.into(),
        }
    }

    /// The `Authorization` header value for HTTP Basic, UTF-8 encoded as SPS expects.
    pub fn basic_authorization(&self) -> String {
        let pair = format!("{}:{}", self.user, self.password);
        let encoded = base64::engine::general_purpose::STANDARD.encode(pair.as_bytes());
        format!("Basic {encoded}")
    }

    /// Why these credentials cannot be sent, in words for the sign-in form.
    pub fn problem(&self) -> Option<&'static str> {
        if self.user.trim().is_empty() {
            return Some("Enter a user name.");
        }
        if self.user.contains(':') {
            return Some("A user name cannot contain a colon.");
        }
        if self.password.is_empty() {
            return Some("Enter the password.");
        }
        None
    }
}

impl fmt::Debug for Credentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Credentials")
            .field("user", &self.user)
            .field("password", &"<hidden>")
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn basic_header_encodes_user_and_password() {
        let credentials = Credentials::new("admin", "admin");

        assert_eq!(credentials.basic_authorization(), "Basic YWRtaW46YWRtaW4=");
    }

    #[test]
    fn debug_hides_the_password() {
        let credentials = Credentials::new("admin", "s3cret-canary");

        assert!(!format!("{credentials:?}").contains("s3cret-canary"));
    }

    #[test]
    fn problems_are_named() {
        assert_eq!(
            Credentials::new("", "x").problem(),
            Some("Enter a user name.")
        );
        assert_eq!(
            Credentials::new("a:b", "x").problem(),
            Some("A user name cannot contain a colon.")
        );
        assert_eq!(
            Credentials::new("a", "").problem(),
            Some("Enter the password.")
        );
        assert_eq!(Credentials::new("a", "b").problem(), None);
    }
}
