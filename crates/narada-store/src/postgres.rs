//! Postgres backend (placeholder, being written).
use super::*;
pub struct PgStore;
impl PgStore {
    pub async fn open(_url: &str) -> Result<Self> {
        Err(StoreError::UnsupportedUrl)
    }
}
