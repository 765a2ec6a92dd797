//! The one door into the crate for code that is not the program: the
//! integration tests (`tests/`), the fuzz targets (`tests/fuzz/`) and the
//! benchmarks (`bench/`). Every module is crate-private; what they need is
//! named here, and only here, so that what nothing uses shows up as dead.

pub mod asdf {
    pub use crate::asdf::{assemble, blocks, head, json, outline, read, summary, tree};
}

pub mod catalog {
    pub use crate::catalog::Catalog;
}

pub mod checksum {
    pub use crate::checksum::{crc64nvme, crc64nvme_of_file, md5_of_file};
}

pub mod columnar {
    pub use crate::columnar::{describe, footer, rows};
}

pub mod config {
    pub use crate::config::{ConfigError, LoadedConfig, parse};
}

pub mod copy_format {
    pub use crate::copy_format::https_url;
    pub use crate::copy_format::{Access, Tabular, formats_with};
}

pub mod demo {
    pub use crate::demo::{archive, default_archive_dir, ensure_archive, fits_writer, generate, server, start, store};
}

pub mod escape {
    pub use crate::escape::{escape_for_terminal, is_unsafe_char};
}

pub mod fits {
    pub use crate::fits::{card, hdu, header, image, reader, scanner, source, stream, summary, table, tile};
}

pub mod format {
    pub use crate::format::date_time;
}

pub mod preview {
    pub use crate::preview::{DEFAULT_GZIP_BUDGET, PreviewBody, PreviewData};
}

pub mod queue {
    pub use crate::queue::parts;
}

pub mod s3 {
    pub use crate::s3::Route;
    pub use crate::s3::{BucketClient, Clients, ConnectOptions, Entry, ObjectInfo, Page, S3ErrorKind, S3Uri};
    pub use crate::s3::{list, region, walk};
}

pub mod tui {
    pub use crate::tui::{ExplorerConfig, action, effect, keymap, runner, state, update, view};
}
