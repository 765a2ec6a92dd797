//! The runner's side of a catalog prefix's preview: its summary read from
//! the catalog's small files, as preview data (one fact a line).

use std::sync::Arc;

use tokio::sync::mpsc::UnboundedSender;

use super::action::{Action, Report};
use super::runner::PREVIEW_DEBOUNCE;
use super::tree::{NodeId, RequestId};
use crate::columnar::catalog_read::{Listing, summarise as read_summary};
use crate::columnar::dataset::Summary;
use crate::preview::{ObjectDetails, PreviewBody, PreviewData};
use crate::s3::prefix_store::BucketStore;
use crate::s3::{Clients, S3Uri};

pub async fn summarise(
    clients: Arc<Clients>,
    sender: UnboundedSender<Action>,
    request: RequestId,
    node: NodeId,
    bucket: String,
    prefix: String,
    listing: Listing,
) {
    tokio::time::sleep(PREVIEW_DEBOUNCE).await;
    let store = BucketStore::new(clients.bucket(&bucket));
    let uri = S3Uri::new(&bucket, &prefix).to_string();
    let read = Box::pin(read_summary(&store, &uri, &prefix, Some(listing))).await;
    let result = read.map(|summary| Arc::new(as_preview(&summary))).map_err(|e| e.to_string());
    if let Err(why) = &result {
        tracing::info!("summary of {uri}: {why}");
    }
    let _ = sender.send(Action::from(Report::Previewed { request, node, result }));
}

/// The summary as preview data: its title as the format, its lines as facts
/// (the cost line left to the preview's footer).
pub fn as_preview(summary: &Summary) -> PreviewData {
    let mut facts = summary.lines();
    facts.pop();
    let facts = facts.split_off(1.min(facts.len()));
    PreviewData {
        details: ObjectDetails::default(),
        body: PreviewBody::Recognized { format: summary.title(), facts, head: Box::new(PreviewBody::Empty) },
        requests: summary.requests,
        bytes_read: summary.bytes_read,
        asdf_hdu: None,
    }
}
