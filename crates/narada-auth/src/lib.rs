//! Sync access tokens and roles.
//!
//! A token grants one person one role on one document until it expires. It is a compact JWT
//! (HS256) signed with the server's key, so any node holding the key can check it without a
//! database round trip. Tokens are bearer secrets: nothing in Narada logs them.

use std::time::{SystemTime, UNIX_EPOCH};

use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation};
use serde::{Deserialize, Serialize};

/// What a person may do on a document's sync socket. Ordered by power.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "lowercase")]
pub enum Role {
    /// Receives everything live; writes are refused.
    Viewer,
    /// Reads and annotates; on content it is a viewer.
    Commenter,
    /// Edits content.
    Editor,
    /// Edits and runs workshop sessions.
    Moderator,
}

impl Role {
    /// May this role change the document's content?
    pub fn can_write(self) -> bool {
        self >= Role::Editor
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Role::Viewer => "viewer",
            Role::Commenter => "commenter",
            Role::Editor => "editor",
            Role::Moderator => "moderator",
        }
    }
}

impl std::str::FromStr for Role {
    type Err = TokenError;
    fn from_str(s: &str) -> Result<Self, TokenError> {
        Ok(match s {
            "viewer" => Role::Viewer,
            "commenter" => Role::Commenter,
            "editor" => Role::Editor,
            "moderator" => Role::Moderator,
            _ => return Err(TokenError::UnknownRole),
        })
    }
}

impl std::fmt::Display for Role {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The claims inside a sync token.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Claims {
    /// Document name.
    pub doc: String,
    /// User id (or any stable name for the person).
    pub sub: String,
    pub role: Role,
    /// Expiry, Unix seconds.
    pub exp: u64,
    /// Issued at, Unix seconds.
    pub iat: u64,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TokenError {
    #[error("token is malformed")]
    Malformed,
    #[error("token signature is invalid")]
    BadSignature,
    #[error("token has expired")]
    Expired,
    #[error("token is for another document")]
    WrongDocument,
    #[error("unknown role")]
    UnknownRole,
    #[error("signing key must be at least 32 bytes")]
    WeakKey,
}

/// Signs and verifies tokens with one HMAC key.
#[derive(Clone)]
pub struct TokenKey {
    encoding: EncodingKey,
    decoding: DecodingKey,
}

impl std::fmt::Debug for TokenKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Never print key material.
        f.write_str("TokenKey(..)")
    }
}

fn now_secs() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0)
}

impl TokenKey {
    /// A key from secret bytes (at least 32).
    pub fn new(secret: &[u8]) -> Result<Self, TokenError> {
        if secret.len() < 32 {
            return Err(TokenError::WeakKey);
        }
        Ok(TokenKey {
            encoding: EncodingKey::from_secret(secret),
            decoding: DecodingKey::from_secret(secret),
        })
    }

    /// Issues a token for `sub` with `role` on `doc`, valid for `ttl_secs`.
    pub fn issue(&self, doc: &str, sub: &str, role: Role, ttl_secs: u64) -> String {
        let iat = now_secs();
        let claims = Claims {
            doc: doc.to_owned(),
            sub: sub.to_owned(),
            role,
            iat,
            exp: iat + ttl_secs,
        };
        jsonwebtoken::encode(&Header::new(Algorithm::HS256), &claims, &self.encoding)
            .expect("HS256 encoding of plain claims cannot fail")
    }

    /// Verifies a token and that it is for `doc`.
    pub fn verify(&self, token: &str, doc: &str) -> Result<Claims, TokenError> {
        let mut validation = Validation::new(Algorithm::HS256);
        validation.leeway = 0;
        validation.set_required_spec_claims(&["exp"]);
        let data = jsonwebtoken::decode::<Claims>(token, &self.decoding, &validation).map_err(
            |e| match e.kind() {
                jsonwebtoken::errors::ErrorKind::ExpiredSignature => TokenError::Expired,
                jsonwebtoken::errors::ErrorKind::InvalidSignature => TokenError::BadSignature,
                _ => TokenError::Malformed,
            },
        )?;
        if data.claims.doc != doc {
            return Err(TokenError::WrongDocument);
        }
        Ok(data.claims)
    }
}

/// Closes live sync sockets when access is taken away. Implemented by the hub; called by the
/// accounts service (and by nothing else) so that a person who loses a role on a document is cut
/// off within seconds rather than when their token expires.
pub trait AccessRevoker: Send + Sync + 'static {
    /// Closes every socket `user` holds on `doc` (close code 4403). The person may reconnect
    /// with a new token if they still have some access.
    fn revoke(&self, doc: &str, user: &str);
    /// Closes every socket `user` holds on any document (sign-out everywhere, account disabled).
    fn revoke_user(&self, user: &str);
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(b: u8) -> TokenKey {
        TokenKey::new(&[b; 32]).unwrap()
    }

    #[test]
    fn issues_and_verifies() {
        let t = key(1).issue("plan", "anna", Role::Editor, 60);
        let c = key(1).verify(&t, "plan").unwrap();
        assert_eq!((c.sub.as_str(), c.role), ("anna", Role::Editor));
    }

    #[test]
    fn refuses_forged_other_doc_expired_and_garbage() {
        let t = key(1).issue("plan", "anna", Role::Editor, 60);
        assert_eq!(key(2).verify(&t, "plan"), Err(TokenError::BadSignature));
        assert_eq!(key(1).verify(&t, "other"), Err(TokenError::WrongDocument));
        assert_eq!(
            key(1).verify("nonsense", "plan"),
            Err(TokenError::Malformed)
        );
        let expired = {
            let claims = Claims {
                doc: "plan".into(),
                sub: "anna".into(),
                role: Role::Editor,
                iat: 1,
                exp: 2,
            };
            jsonwebtoken::encode(&Header::default(), &claims, &key(1).encoding).unwrap()
        };
        assert_eq!(key(1).verify(&expired, "plan"), Err(TokenError::Expired));
    }

    #[test]
    fn roles_order_and_parse() {
        assert!(!Role::Viewer.can_write());
        assert!(!Role::Commenter.can_write());
        assert!(Role::Editor.can_write() && Role::Moderator.can_write());
        assert_eq!("moderator".parse::<Role>().unwrap(), Role::Moderator);
        assert!("root".parse::<Role>().is_err());
        assert!(TokenKey::new(b"short").is_err());
    }
}
