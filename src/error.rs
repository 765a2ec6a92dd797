//! The error type every command returns, and how it maps to exit codes.
//!
//! Each error prints as one line, `<what failed>: <why>`; `main` prefixes
//! `s3scope: `. Exit code 1 is a runtime failure (network, access, not found),
//! 2 is bad input (usage, not FITS, corrupt data).

use std::fmt;

/// Which class of failure an error is, which decides the exit code.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrorKind {
    /// Network, permissions, missing objects: exit 1.
    Runtime,
    /// Bad arguments or bad data: exit 2.
    Input,
}

/// One failure, already phrased for the user.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AppError {
    pub kind: ErrorKind,
    /// What was being done, e.g. `listing s3://nasa-heasarc/chandra/`.
    pub context: String,
    /// Why it failed, e.g. `no such bucket`.
    pub reason: String,
}

impl AppError {
    pub fn runtime(context: impl Into<String>, reason: impl Into<String>) -> Self {
        Self { kind: ErrorKind::Runtime, context: context.into(), reason: reason.into() }
    }

    pub fn input(context: impl Into<String>, reason: impl Into<String>) -> Self {
        Self { kind: ErrorKind::Input, context: context.into(), reason: reason.into() }
    }

    pub fn exit_code(&self) -> i32 {
        match self.kind {
            ErrorKind::Runtime => 1,
            ErrorKind::Input => 2,
        }
    }
}

impl fmt::Display for AppError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Both parts may carry text from the network (keys, server messages):
        // keep the line one line and free of terminal escapes.
        let context = crate::escape::escape_for_terminal(&self.context);
        let reason = crate::escape::escape_for_terminal(&self.reason);
        if context.is_empty() { write!(f, "{reason}") } else { write!(f, "{context}: {reason}") }
    }
}

impl std::error::Error for AppError {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn display_is_one_escaped_line() {
        let e = AppError::runtime("listing s3://b/\x1b[2J", "no such\nbucket");
        assert_eq!(e.to_string(), "listing s3://b/\\e[2J: no such\\nbucket");
        assert_eq!(e.exit_code(), 1);
        assert_eq!(AppError::input("", "bad").exit_code(), 2);
    }
}
