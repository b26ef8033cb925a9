//! What is pushed: blobs whose bytes are in memory or in a file that is streamed to the
//! registry (never read whole), each with its digest and size.

use crate::digest::Digest;
use std::path::{Path, PathBuf};

/// Where a blob's bytes are.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Content {
    /// In memory.
    Bytes(Vec<u8>),
    /// In this file, read as it is sent.
    File(PathBuf),
}

/// A blob to push: its bytes, media type, digest and size.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Blob {
    /// The bytes.
    pub content: Content,
    /// Its media type.
    pub media_type: String,
    /// Its digest.
    pub digest: Digest,
    /// Its size in bytes.
    pub size: u64,
}

impl Blob {
    /// A blob of `data`.
    pub fn bytes(data: Vec<u8>, media_type: impl Into<String>) -> Blob {
        Blob {
            digest: Digest::sha256_of(&data),
            size: data.len() as u64,
            content: Content::Bytes(data),
            media_type: media_type.into(),
        }
    }

    /// A blob of the file at `path`, hashed now by streaming it; pushing streams it
    /// again (a file that changes in between is refused by the registry's digest check).
    pub fn file(path: &Path, media_type: impl Into<String>) -> std::io::Result<Blob> {
        let (digest, size) = Digest::sha256_of_file(path)?;
        Ok(Blob {
            content: Content::File(path.to_path_buf()),
            media_type: media_type.into(),
            digest,
            size,
        })
    }

    /// The body that sends it.
    pub(crate) async fn body(&self) -> std::io::Result<reqwest::Body> {
        Ok(match &self.content {
            Content::Bytes(data) => reqwest::Body::from(data.clone()),
            Content::File(path) => reqwest::Body::from(tokio::fs::File::open(path).await?),
        })
    }

    /// Its descriptor in a manifest.
    pub(crate) fn descriptor(&self) -> serde_json::Value {
        serde_json::json!({
            "mediaType": self.media_type,
            "digest": self.digest.to_string(),
            "size": self.size,
        })
    }
}
