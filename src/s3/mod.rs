//! Everything that talks to S3: building the client, listings, errors.

pub mod client;
pub mod clients;
pub mod error;
pub mod list;
pub mod net;
pub mod object;
pub mod prefix_store;
pub mod range;
pub mod region;
pub mod route;
pub mod uri;
pub mod walk;

pub use client::ConnectOptions;
pub use clients::{BucketClient, Clients};
pub use error::{S3Error, S3ErrorKind};
pub use list::{Entry, ObjectInfo, Page};
pub use route::{Route, Signing};
pub use uri::S3Uri;
