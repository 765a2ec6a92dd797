//! Runs the effects of `update` as cancellable tokio tasks and sends their
//! results back to the event loop as actions.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use tokio::sync::mpsc::UnboundedSender;
use tokio::task::AbortHandle;

use super::app::{Action, Effect, ListPurpose};
use super::tree::{NodeId, RequestId};
use crate::catalog::Catalog;
use crate::s3::list::{ListRequest, fetch_page};
use crate::s3::range::S3RangeSource;
use crate::s3::{ConnectOptions, S3Error, Signing, build_client};

/// How long the cursor must rest on an object before its preview is fetched.
pub const PREVIEW_DEBOUNCE: Duration = Duration::from_millis(120);

/// The clients of a session: anonymous, and signed unless `--no-sign-request`.
pub struct Clients {
    anonymous: aws_sdk_s3::Client,
    signed: Option<aws_sdk_s3::Client>,
    options: ConnectOptions,
    catalog: Catalog,
    endpoint: String,
}

impl Clients {
    pub async fn new(options: &ConnectOptions, catalog: Catalog) -> Self {
        let anonymous = build_client(options, Signing::Anonymous).await;
        let signed = if options.no_sign_request { None } else { Some(build_client(options, Signing::Signed).await) };
        Self { anonymous, signed, options: options.clone(), catalog, endpoint: options.endpoint_label() }
    }

    fn for_bucket(&self, bucket: &str) -> &aws_sdk_s3::Client {
        match (self.options.signing_for(Some(bucket), &self.catalog), &self.signed) {
            (Signing::Signed, Some(signed)) => signed,
            _ => &self.anonymous,
        }
    }

    /// True when requests to non-catalog buckets are signed.
    pub fn can_sign(&self) -> bool {
        self.signed.is_some()
    }
}

pub struct Runner {
    clients: Arc<Clients>,
    sender: UnboundedSender<Action>,
    tasks: HashMap<RequestId, AbortHandle>,
}

impl Runner {
    pub fn new(clients: Clients, sender: UnboundedSender<Action>) -> Self {
        Self { clients: Arc::new(clients), sender, tasks: HashMap::new() }
    }

    pub fn run_all(&mut self, effects: Vec<Effect>) {
        for effect in effects {
            self.run(effect);
        }
    }

    pub fn run(&mut self, effect: Effect) {
        self.tasks.retain(|_, handle| !handle.is_finished());
        let clients = self.clients.clone();
        let sender = self.sender.clone();
        let (request, handle) = match effect {
            Effect::Cancel(request) => {
                if let Some(handle) = self.tasks.remove(&request) {
                    handle.abort();
                }
                return;
            }
            Effect::List { request, node, purpose, bucket, prefix, token, budget } => {
                let task = list(clients, sender, request, node, purpose, bucket, prefix, token, budget);
                (request, tokio::spawn(task).abort_handle())
            }
            Effect::Preview { request, node, bucket, key, gzip_budget } => {
                let task = preview(clients, sender, request, node, bucket, key, gzip_budget);
                (request, tokio::spawn(task).abort_handle())
            }
            Effect::ListBuckets { request } => {
                (request, tokio::spawn(list_buckets(clients, sender, request)).abort_handle())
            }
        };
        self.tasks.insert(request, handle);
    }

    /// Requests still running.
    pub fn running(&self) -> usize {
        self.tasks.values().filter(|h| !h.is_finished()).count()
    }
}

#[allow(clippy::too_many_arguments)]
async fn list(
    clients: Arc<Clients>,
    sender: UnboundedSender<Action>,
    request: RequestId,
    node: NodeId,
    purpose: ListPurpose,
    bucket: String,
    prefix: String,
    token: Option<String>,
    budget: usize,
) {
    let client = clients.for_bucket(&bucket);
    let mut list_request = ListRequest::level(bucket.clone(), prefix);
    list_request.continuation = token;
    let mut sent = 0;
    loop {
        // Never list past the budget: the row bound is exact.
        list_request.max_keys = Some(budget.saturating_sub(sent).clamp(1, 1000) as i32);
        match fetch_page(client, &list_request, &clients.endpoint).await {
            Ok(page) => {
                sent += page.entries.len();
                let next = page.next_token.clone();
                let more = next.is_some() && sent < budget;
                if sender.send(Action::Listed { request, node, purpose, page, more }).is_err() || !more {
                    return;
                }
                list_request.continuation = next;
            }
            Err(S3Error { message, .. }) => {
                let _ = sender.send(Action::ListFailed { request, node, purpose, error: message });
                return;
            }
        }
    }
}

async fn preview(
    clients: Arc<Clients>,
    sender: UnboundedSender<Action>,
    request: RequestId,
    node: NodeId,
    bucket: String,
    key: String,
    gzip_budget: u64,
) {
    tokio::time::sleep(PREVIEW_DEBOUNCE).await;
    let client = clients.for_bucket(&bucket).clone();
    let source = S3RangeSource::new(client, &bucket, &key, &clients.endpoint, None, None);
    let result = crate::preview::fetch(source, &key, gzip_budget).await.map(Arc::new);
    let _ = sender.send(Action::Previewed { request, node, result });
}

async fn list_buckets(clients: Arc<Clients>, sender: UnboundedSender<Action>, request: RequestId) {
    let Some(client) = &clients.signed else { return };
    let result = client
        .list_buckets()
        .send()
        .await
        .map(|out| out.buckets().iter().filter_map(|b| b.name().map(str::to_string)).collect())
        .map_err(|e| S3Error::from_sdk(&e, &clients.endpoint).message);
    let _ = sender.send(Action::BucketsListed { request, result });
}
