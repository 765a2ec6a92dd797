//! The explorer's effect runner driven against the embedded server: effects
//! in, the actions that come back out.

use std::sync::Arc;
use std::time::Duration;

use s3scope::testing::catalog::Catalog;
use s3scope::testing::preview::PreviewData;
use s3scope::testing::s3::{Clients, ConnectOptions};
use s3scope::testing::tui::action::{Action, Report};
use s3scope::testing::tui::effect::Effect;
use s3scope::testing::tui::runner::Runner;
use tokio::sync::mpsc;

use super::fixture;

pub fn connect(endpoint: &str) -> ConnectOptions {
    ConnectOptions { endpoint_url: Some(endpoint.into()), no_sign_request: true, ..ConnectOptions::default() }
}

/// Runs `effects` and returns the actions that come back within `wait`.
pub fn run_effects(endpoint: &str, effects: Vec<Effect>, wait: Duration) -> Vec<Action> {
    let runtime = &fixture().runtime;
    runtime.block_on(async {
        let clients = Clients::new(&connect(endpoint), Catalog::builtin()).await.expect("clients");
        let (sender, mut receiver) = mpsc::unbounded_channel();
        let mut runner = Runner::new(clients, sender);
        runner.run_all(effects);
        let mut actions = Vec::new();
        let deadline = tokio::time::Instant::now() + wait;
        while let Ok(Some(action)) = tokio::time::timeout_at(deadline, receiver.recv()).await {
            actions.push(action);
        }
        actions
    })
}

/// The preview `request` was answered with (panics if none, or an error).
pub fn previewed(actions: &[Action], request: u64) -> Arc<PreviewData> {
    actions
        .iter()
        .find_map(|a| match a {
            Action::Report(Report::Previewed { request: r, result, .. }) if *r == request => {
                Some(result.clone().expect("a preview"))
            }
            _ => None,
        })
        .unwrap_or_else(|| panic!("no answer to {request}"))
}

/// A preview of `bucket/key` as request `request` (its node number too).
pub fn preview(request: u64, bucket: &str, key: &str) -> Effect {
    let gzip_budget = s3scope::testing::preview::DEFAULT_GZIP_BUDGET;
    Effect::Preview { request, node: request as usize, bucket: bucket.into(), key: key.into(), gzip_budget }
}
