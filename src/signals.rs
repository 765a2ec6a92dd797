//! Waiting for the signals that end s3scope: SIGTERM, SIGHUP (a closed SSH
//! session) and, where the terminal is not in raw mode, Ctrl-C.

/// Returns when one of those signals arrives; `ctrl_c` adds SIGINT.
pub async fn stopped(ctrl_c: bool) {
    let interrupt = async {
        if !ctrl_c || tokio::signal::ctrl_c().await.is_err() {
            std::future::pending::<()>().await;
        }
    };
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        if let (Ok(mut term), Ok(mut hup)) = (signal(SignalKind::terminate()), signal(SignalKind::hangup())) {
            tokio::select! {
                _ = term.recv() => {}
                _ = hup.recv() => {}
                () = interrupt => {}
            }
            return;
        }
    }
    interrupt.await
}
