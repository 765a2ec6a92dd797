//! A command's output on stdout: buffered, flushed at the end, and a pipe
//! closed early (`| head`) is not an error.

use std::io::{self, BufWriter, StdoutLock, Write};

use crate::error::AppError;

pub fn write_stdout(write: impl FnOnce(&mut BufWriter<StdoutLock<'static>>) -> io::Result<()>) -> Result<(), AppError> {
    let mut out = BufWriter::new(io::stdout().lock());
    match write(&mut out).and_then(|()| out.flush()) {
        Err(e) if e.kind() != io::ErrorKind::BrokenPipe => Err(AppError::runtime("writing output", e.to_string())),
        _ => Ok(()),
    }
}
