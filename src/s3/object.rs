//! What S3 says of one object when it is read.

/// Metadata of one object, from the first GET (or HEAD).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ObjectDetails {
    pub size: u64,
    pub last_modified: Option<i64>,
    pub content_type: Option<String>,
    pub etag: Option<String>,
    pub storage_class: Option<String>,
}
