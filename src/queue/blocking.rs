//! File work off the runtime's threads: a blocking closure run on Tokio's
//! blocking pool, its join failure folded into the I/O error.

use std::io;

use tokio::task::JoinError;

/// Runs `work` on the blocking pool and waits for it.
pub async fn off_runtime<T: Send + 'static>(work: impl FnOnce() -> io::Result<T> + Send + 'static) -> io::Result<T> {
    joined(tokio::task::spawn_blocking(work).await)
}

/// The result of a joined blocking task, a panic or cancellation as an I/O error.
pub fn joined<T>(result: Result<io::Result<T>, JoinError>) -> io::Result<T> {
    result.map_err(io::Error::other).and_then(|done| done)
}
