//! Everything that talks to S3: building the client, listings, errors.

pub mod client;
pub mod clients;
pub mod error;
pub mod list;
pub mod range;
pub mod uri;
pub mod walk;

pub use client::{ConnectOptions, Signing, Timeouts, build_client};
pub use error::{S3Error, S3ErrorKind};
pub use list::{Entry, ListRequest, ObjectInfo, Page};
pub use uri::S3Uri;
