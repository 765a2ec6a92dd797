//! `s3scope config`, `completions` and `man`: setting s3scope up.

use std::io::Write;

use clap::{Args, CommandFactory};
use clap_complete::Shell;

use super::{Cli, GlobalArgs};
use crate::config;
use crate::error::AppError;

#[derive(Debug, Clone, Args)]
pub struct ConfigArgs {
    /// Print a commented config file holding every default
    #[arg(long)]
    pub default: bool,
    /// Print where the config file is read from
    #[arg(long, conflicts_with = "default")]
    pub path: bool,
}

#[derive(Debug, Clone, Args)]
pub struct CompletionsArgs {
    /// bash, zsh, fish, elvish or powershell
    pub shell: Shell,
}

fn print(text: &[u8]) -> Result<(), AppError> {
    super::output::write_stdout(|out| out.write_all(text))
}

pub fn config(args: &ConfigArgs, global: &GlobalArgs) -> Result<(), AppError> {
    if args.default {
        return print(config::DEFAULT_FILE.as_bytes());
    }
    let path = global.config.clone().unwrap_or_else(config::default_path);
    if args.path {
        return print(format!("{}\n", path.display()).as_bytes());
    }
    let session = global.session()?;
    let own = session.catalog().entries.iter().filter(|e| e.own).count();
    let report = if path.is_file() {
        format!(
            "{}: ok ({own} buckets of your own, {} key bindings changed)\n",
            path.display(),
            session.config.config.keys.len()
        )
    } else {
        format!("{}: not there; every setting has its default (s3scope config --default prints them)\n", path.display())
    };
    print(report.as_bytes())
}

pub fn completions(args: &CompletionsArgs) -> Result<(), AppError> {
    let mut buffer = Vec::new();
    clap_complete::generate(args.shell, &mut Cli::command(), "s3scope", &mut buffer);
    print(&buffer)
}

pub fn man() -> Result<(), AppError> {
    let mut buffer = Vec::new();
    clap_mangen::Man::new(Cli::command())
        .render(&mut buffer)
        .map_err(|e| AppError::runtime("writing the manual page", e.to_string()))?;
    print(&buffer)
}
