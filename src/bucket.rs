//! Bucket names: what can be one.

/// Checks a bucket name loosely: S3's own rules are stricter, but S3-compatible
/// servers accept more (upper case, underscores), so only reject what can never
/// be a bucket.
pub fn validate_bucket_name(name: &str) -> Result<(), String> {
    if name.is_empty() {
        return Err("the bucket name is empty".into());
    }
    if name.len() > 255 {
        return Err("the bucket name is longer than 255 characters".into());
    }
    if let Some(c) = name.chars().find(|c| !(c.is_ascii_alphanumeric() || matches!(c, '-' | '.' | '_'))) {
        return Err(format!("the bucket name holds '{}'", c.escape_default()));
    }
    Ok(())
}
