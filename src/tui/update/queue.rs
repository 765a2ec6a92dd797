//! Downloads: `d` on an object or (after counting and asking) a prefix, the
//! queue pane's keys, and the downloads' reports.

use crate::queue::job::Listed;
use crate::tui::action::Intent;
use crate::tui::effect::{Effect, queue_effects};
use crate::tui::keymap::Layer;
use crate::tui::mode::{Mode, PendingDownload};
use crate::tui::state::State;
use crate::tui::tree::{RequestId, RowKind};

impl State {
    /// The queue pane's keys, when it has the keyboard (`None`: not a queue key).
    pub(super) fn on_queue_intent(&mut self, intent: &Intent) -> Option<Vec<Effect>> {
        match intent {
            Intent::Up => self.queue.move_selection(-1),
            Intent::Down => self.queue.move_selection(1),
            Intent::PageUp => self.queue.move_selection(-10),
            Intent::PageDown => self.queue.move_selection(10),
            Intent::First => self.queue.selected = 0,
            Intent::Last => self.queue.move_selection(isize::MAX / 2),
            Intent::TogglePause => return Some(queue_effects(self.queue.toggle_pause())),
            Intent::CancelJob => return Some(queue_effects(self.queue.cancel())),
            Intent::RetryJob => return Some(queue_effects(self.queue.retry())),
            Intent::ClearFinished => return Some(queue_effects(self.queue.clear_finished())),
            _ => return None,
        }
        Some(Vec::new())
    }

    /// `d`: one object is queued at once; a prefix is counted first.
    pub(super) fn download(&mut self) -> Vec<Effect> {
        let Some(row) = self.selected_row().filter(|r| r.kind == RowKind::Node) else { return Vec::new() };
        let uri = self.tree.uri_of(row.node);
        match self.tree.node(row.node).object() {
            Some(meta) => {
                let listed = Listed::new(uri.key.clone(), meta.size, meta.etag.to_header());
                let (effects, refused) = self.queue.enqueue(&uri.bucket, &[listed], None);
                match refused.first() {
                    Some((_, why)) => self.set_error(format!("not downloading {uri}: {why}")),
                    None => self.set_status(format!("queued {uri}")),
                }
                queue_effects(effects)
            }
            None => {
                let request = self.request_id();
                self.counting = Some((request, uri.bucket.clone(), uri.key.clone()));
                self.set_status(format!("counting the objects below {uri}…"));
                vec![Effect::CountPrefix { request, bucket: uri.bucket, prefix: uri.key }]
            }
        }
    }

    /// The prefix is counted: ask before downloading it.
    pub(super) fn on_counted(&mut self, request: RequestId, result: Result<Vec<Listed>, String>) {
        let Some((expected, bucket, prefix)) = self.counting.clone() else { return };
        if expected != request {
            return;
        }
        self.counting = None;
        match result {
            Ok(objects) if objects.is_empty() => {
                self.set_status(format!("nothing to download below s3://{bucket}/{prefix}"))
            }
            Ok(objects) => self.mode = Mode::ConfirmDownload(PendingDownload { bucket, prefix, objects }),
            Err(error) => self.set_error(format!("listing s3://{bucket}/{prefix}: {error}")),
        }
    }

    /// Yes to the download question.
    pub(super) fn confirm_download(&mut self, pending: PendingDownload) -> Vec<Effect> {
        let (effects, refused) = self.queue.enqueue(&pending.bucket, &pending.objects, Some(&pending.prefix));
        let queued = pending.objects.len() - refused.len();
        match refused.first() {
            Some((key, why)) => {
                self.set_error(format!("queued {queued}; refused {} (e.g. {key}: {why})", refused.len()))
            }
            None => self.set_status(format!("queued {queued} downloads into {}", self.queue.download_dir.display())),
        }
        queue_effects(effects)
    }

    pub(super) fn on_download_finished(&mut self, job: u64, result: Result<(), String>) -> Vec<Effect> {
        if let Err(why) = &result
            && self.queue.jobs.iter().any(|j| j.id == job && j.state == crate::queue::job::JobState::Running)
        {
            self.set_error(format!("download failed: {why}"));
        }
        queue_effects(self.queue.finished(job, result))
    }

    /// `q`: at once, or after asking while downloads run.
    pub(super) fn quit(&mut self) {
        let running = self.queue.running();
        if running == 0 {
            self.quit = true;
            return;
        }
        self.mode = Mode::ConfirmQuit;
        let keys = &self.config.keys;
        let yes = keys.hint_either(Layer::Normal, &Intent::Quit, Layer::Confirm, &Intent::Submit);
        let stay = keys.hint(Layer::Confirm, &Intent::Escape);
        self.set_status(format!("{running} downloads are running: {yes} quits (they resume next time), {stay} stays"));
    }
}
