//! Recursive listing that lists sub-prefixes concurrently yet yields keys in
//! S3 order, with bounded memory.
//!
//! Every prefix is listed one level at a time (delimiter `/`) by its own task.
//! A task hands its pages to the consumer through a one-page channel and
//! starts tasks for the sub-prefixes it finds while fewer than `lookahead`
//! subtrees are live. The consumer walks the tree depth first, in order,
//! replacing each prefix by its subtree's stream, so the output is the same
//! as a flat listing. A semaphore bounds the requests in flight; it is held
//! only during a request, never while waiting on the consumer, so a full
//! channel can never starve the subtree the consumer is waiting for.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use futures::Stream;
use tokio::sync::{Semaphore, mpsc};
use tokio_util::sync::{CancellationToken, DropGuard};

use super::clients::BucketClient;
use super::error::S3Error;
use super::list::{Entry, ListRequest, ObjectInfo, fetch_page};

/// Bounds of a walk.
#[derive(Debug, Clone, Copy)]
pub struct WalkLimits {
    /// Listing requests in flight at once.
    pub concurrency: usize,
    /// Subtrees started ahead of the consumer; bounds buffered pages.
    pub lookahead: usize,
}

impl Default for WalkLimits {
    fn default() -> Self {
        Self { concurrency: 32, lookahead: 96 }
    }
}

type PageReceiver = mpsc::Receiver<Result<Vec<WalkItem>, S3Error>>;

enum WalkItem {
    Object(ObjectInfo),
    /// A sub-prefix, with its subtree's pages if a task was started for it.
    Prefix(String, Option<PageReceiver>),
}

struct Shared {
    bucket: BucketClient,
    requests: Semaphore,
    live_subtrees: AtomicUsize,
    lookahead: usize,
    cancel: CancellationToken,
}

impl Shared {
    fn has_room(&self) -> bool {
        self.live_subtrees.load(Ordering::Relaxed) < self.lookahead
    }
}

/// Starts listing `prefix` in a task; its pages arrive on the returned channel.
fn start_subtree(shared: Arc<Shared>, prefix: String) -> PageReceiver {
    shared.live_subtrees.fetch_add(1, Ordering::Relaxed);
    let (sender, receiver) = mpsc::channel(1);
    let cancel = shared.cancel.clone();
    tokio::spawn(async move {
        tokio::select! {
            () = cancel.cancelled() => {}
            () = list_subtree(shared, prefix, sender) => {}
        }
    });
    receiver
}

async fn list_subtree(shared: Arc<Shared>, prefix: String, sender: mpsc::Sender<Result<Vec<WalkItem>, S3Error>>) {
    let mut request = ListRequest::level(prefix);
    loop {
        let page = {
            let Ok(_permit) = shared.requests.acquire().await else { return };
            fetch_page(&shared.bucket, &request).await
        };
        let page = match page {
            Ok(page) => page,
            Err(err) => {
                let _ = sender.send(Err(err)).await;
                return;
            }
        };
        let items = page
            .entries
            .into_iter()
            .map(|entry| match entry {
                Entry::Object(object) => WalkItem::Object(object),
                Entry::Prefix(sub) => {
                    let receiver = shared.has_room().then(|| start_subtree(shared.clone(), sub.clone()));
                    WalkItem::Prefix(sub, receiver)
                }
            })
            .collect();
        if sender.send(Ok(items)).await.is_err() {
            return; // the consumer is gone
        }
        match page.next_token {
            Some(token) => request.continuation = Some(token),
            None => return,
        }
    }
}

/// A prefix being read by the consumer: its channel and the current page.
struct Frame {
    receiver: PageReceiver,
    items: Vec<Option<WalkItem>>,
    /// Next item to yield.
    position: usize,
    /// Items before this index have had a task started if they needed one.
    spawn_cursor: usize,
}

struct Walker {
    shared: Arc<Shared>,
    stack: Vec<Frame>,
    _cancel_on_drop: DropGuard,
}

impl Walker {
    /// Starts tasks for upcoming prefixes while there is room, nearest first.
    fn fill_lookahead(&mut self) {
        for frame in self.stack.iter_mut().rev() {
            while frame.spawn_cursor < frame.items.len() {
                if !self.shared.has_room() {
                    return;
                }
                if let Some(WalkItem::Prefix(prefix, receiver @ None)) = &mut frame.items[frame.spawn_cursor] {
                    *receiver = Some(start_subtree(self.shared.clone(), prefix.clone()));
                }
                frame.spawn_cursor += 1;
            }
        }
    }

    async fn next_object(&mut self) -> Option<Result<ObjectInfo, S3Error>> {
        loop {
            let frame = self.stack.last_mut()?;
            if frame.position < frame.items.len() {
                let item = frame.items[frame.position].take();
                frame.position += 1;
                frame.spawn_cursor = frame.spawn_cursor.max(frame.position);
                match item {
                    Some(WalkItem::Object(object)) => return Some(Ok(object)),
                    Some(WalkItem::Prefix(prefix, receiver)) => {
                        let receiver = receiver.unwrap_or_else(|| start_subtree(self.shared.clone(), prefix));
                        self.stack.push(Frame { receiver, items: Vec::new(), position: 0, spawn_cursor: 0 });
                    }
                    None => {}
                }
                continue;
            }
            match frame.receiver.recv().await {
                Some(Ok(items)) => {
                    frame.items = items.into_iter().map(Some).collect();
                    frame.position = 0;
                    frame.spawn_cursor = 0;
                    self.fill_lookahead();
                }
                Some(Err(err)) => {
                    self.stack.clear();
                    return Some(Err(err));
                }
                None => {
                    self.stack.pop();
                    self.shared.live_subtrees.fetch_sub(1, Ordering::Relaxed);
                    self.fill_lookahead();
                }
            }
        }
    }
}

/// Every object below `prefix`, in S3 order, listing up to
/// `limits.concurrency` prefixes at once. The first error ends the stream;
/// dropping the stream cancels every pending request.
pub fn walk(
    bucket: BucketClient,
    prefix: String,
    limits: WalkLimits,
) -> impl Stream<Item = Result<ObjectInfo, S3Error>> + Send + 'static {
    let cancel = CancellationToken::new();
    let shared = Arc::new(Shared {
        bucket,
        requests: Semaphore::new(limits.concurrency.max(1)),
        live_subtrees: AtomicUsize::new(0),
        lookahead: limits.lookahead.max(1),
        cancel: cancel.clone(),
    });
    let root = start_subtree(shared.clone(), prefix);
    let walker = Walker {
        shared,
        stack: vec![Frame { receiver: root, items: Vec::new(), position: 0, spawn_cursor: 0 }],
        _cancel_on_drop: cancel.drop_guard(),
    };
    futures::stream::unfold(walker, |mut walker| async move {
        let next = walker.next_object().await?;
        Some((next, walker))
    })
}
