//! Where the token signing key comes from.
//!
//! `NARADA_SECRET` (or `secret` in the config file) wins. Without it, a random key is generated
//! once and kept in the database's settings, so it survives restarts and every node sharing the
//! database uses the same key; the log says that this happened, never what the key is.

use narada_auth::TokenKey;
use narada_store::Store;
use rand::RngCore;

const SETTING: &str = "token_signing_key";

pub async fn resolve(configured: Option<&str>, store: &dyn Store) -> anyhow::Result<TokenKey> {
    if let Some(secret) = configured {
        return TokenKey::new(secret.as_bytes())
            .map_err(|_| anyhow::anyhow!("NARADA_SECRET must be at least 32 bytes"));
    }
    let key = match store.get_setting(SETTING).await? {
        Some(k) => k,
        None => {
            let mut bytes = [0u8; 32];
            rand::thread_rng().fill_bytes(&mut bytes);
            let kept = store
                .put_setting_if_absent(SETTING, &hex::encode(bytes))
                .await?;
            tracing::info!(
                "no NARADA_SECRET set: generated a token signing key and stored it in the database"
            );
            kept
        }
    };
    TokenKey::new(key.as_bytes()).map_err(|_| anyhow::anyhow!("stored signing key is too short"))
}
