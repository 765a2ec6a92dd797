use std::process::ExitCode;
use std::time::Duration;

use clap::Parser;
use s3scope::cli::{Cli, run};

fn main() -> ExitCode {
    install_panic_hook();
    return_large_buffers_to_the_system();
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(err) => return usage_error(err),
    };
    let runtime = match tokio::runtime::Builder::new_multi_thread().enable_all().build() {
        Ok(runtime) => runtime,
        Err(e) => {
            eprintln!("s3scope: starting the async runtime: {e}");
            return ExitCode::from(1);
        }
    };
    let result = runtime.block_on(run(cli));
    // Do not wait for requests still in flight (a hung DNS lookup, say).
    runtime.shutdown_timeout(Duration::from_millis(200));
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("s3scope: {err}");
            ExitCode::from(err.exit_code() as u8)
        }
    }
}

/// glibc serves a large allocation from its heaps once a buffer that size
/// was freed (its mmap threshold grows), and there freed HTTP read buffers
/// and body chunks stay resident: 100 downloads of 1 MiB at once peaked at
/// 65 to 75 MiB. A fixed threshold of 160 KiB maps the largest read
/// buffers (hyper's grow to 408 KiB on a fast body) and returns them when
/// freed, while the 128 KiB buffers of small bodies, one per object, come
/// from the heap, reused: mapping those too (a 64 KiB threshold) cost a
/// map, an unmap and 20 page faults per small object, 1,000 objects of
/// 64 KiB 15 to 20% slower. One arena keeps what the heap holds in one
/// place (1,000 x 64 KiB: at most 56 MiB against 62 with one per thread).
fn return_large_buffers_to_the_system() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    #[allow(unsafe_code)]
    // SAFETY: mallopt only sets allocator parameters; it is called before
    // any other thread exists.
    unsafe {
        libc::mallopt(libc::M_MMAP_THRESHOLD, 160 << 10);
        libc::mallopt(libc::M_ARENA_MAX, 1);
    }
}

/// Help and version go to stdout as clap prints them; usage errors become one line.
fn usage_error(err: clap::Error) -> ExitCode {
    use clap::error::ErrorKind;
    if matches!(
        err.kind(),
        ErrorKind::DisplayHelp | ErrorKind::DisplayVersion | ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand
    ) {
        let _ = err.print();
        return ExitCode::SUCCESS;
    }
    // clap's message runs over several lines (usage, tips): keep the first paragraph.
    let rendered = err.to_string();
    let paragraph: Vec<&str> = rendered.lines().map(str::trim).take_while(|l| !l.is_empty()).collect();
    let why = paragraph.join(" ").trim_start_matches("error: ").to_string();
    eprintln!("s3scope: bad arguments: {why} (see s3scope --help)");
    ExitCode::from(2)
}

/// One line instead of a backtrace, unless RUST_BACKTRACE asks for more.
fn install_panic_hook() {
    if std::env::var_os("RUST_BACKTRACE").is_some() {
        return;
    }
    std::panic::set_hook(Box::new(|info| {
        let message = info
            .payload()
            .downcast_ref::<&str>()
            .map(|s| s.to_string())
            .or_else(|| info.payload().downcast_ref::<String>().cloned())
            .unwrap_or_else(|| "unknown panic".into());
        let place = info.location().map(|l| format!(" at {}:{}", l.file(), l.line())).unwrap_or_default();
        eprintln!("s3scope: internal error{place}: {message}");
    }));
}
