//! The fingerprint that keys the token cache and the assumed-role cache.

use sha2::{Digest, Sha256};

/// SHA-256 over length-prefixed fields, `None` distinct from `""`.
pub(crate) fn digest(fields: &[Option<&str>]) -> [u8; 32] {
    let mut hasher = Sha256::new();
    for field in fields {
        match field {
            None => hasher.update([0u8]),
            Some(value) => {
                hasher.update([1u8]);
                hasher.update((value.len() as u64).to_le_bytes());
                hasher.update(value.as_bytes());
            }
        }
    }
    hasher.finalize().into()
}
