//! SQLite backend (placeholder, being written).
use super::*;
pub struct SqliteStore;
impl SqliteStore {
    pub async fn open(_url: &str) -> Result<Self> {
        Err(StoreError::UnsupportedUrl)
    }
}
