//! Test support: a harness that applies actions to a [`State`] and answers
//! its listing effects from an in-memory [`Store`] with the server's paging
//! rules, so update and rendering are tested without a terminal or a network.

use super::action::{Action, Intent, Report};
use super::config::ExplorerConfig;
use super::effect::{Effect, ListJob};
use super::state::State;
use super::tree::RowKind;
use super::update::update;
use crate::demo::store::{ListQuery, Store, StoredObject};
use crate::s3::{Entry, ObjectInfo, Page};

/// The bucket layout the tests browse.
pub fn store() -> Store {
    let mut store = Store::default();
    store.add_bucket("nasa-heasarc", true);
    store.add_bucket("stpubdata", true);
    let put =
        |store: &mut Store, bucket: &str, key: &str| store.put(bucket, key, StoredObject::in_memory(vec![1u8; 10], 0));
    put(&mut store, "nasa-heasarc", "chandra/data/byobsid/3/3003/00README");
    put(&mut store, "nasa-heasarc", "chandra/data/byobsid/3/3003/primary/acisf03003N004_evt2.fits.gz");
    put(&mut store, "nasa-heasarc", "swift/data/obs/2005_01/x.evt.gz");
    put(&mut store, "nasa-heasarc", "readme.txt");
    for i in 0..2500 {
        put(&mut store, "stpubdata", &format!("tess/ffi/tess{i:05}-s_ffic.fits"));
    }
    put(&mut store, "stpubdata", "tess/ffi/zz-tess-s0042-cube.fits");
    store.add_bucket("demo-edge", true);
    for key in [
        "escape/\x1b[31mred\x1b[0m.txt",
        "escape/\x1b]0;pwned\x07title.txt",
        "bidi/\u{202e}txt.exe",
        "unicode/café-☃-星.fits",
    ] {
        put(&mut store, "demo-edge", key);
    }
    store
}

/// Answers listing effects page by page (pages of `page_size`), honouring budgets.
pub struct FakeServer {
    pub store: Store,
    pub page_size: usize,
}

impl FakeServer {
    pub fn pages(&self, effect: &Effect) -> Vec<Action> {
        let Effect::List(ListJob { request, node, purpose, bucket, prefix, token, budget }) = effect else {
            return Vec::new();
        };
        if !self.store.buckets.contains_key(bucket) {
            return vec![Action::from(Report::ListFailed {
                request: *request,
                node: *node,
                purpose: *purpose,
                error: "no such bucket".into(),
            })];
        }
        let mut actions = Vec::new();
        let mut after = token.clone();
        let mut sent = 0;
        loop {
            let query = ListQuery { prefix, delimiter: Some("/"), after: after.as_deref(), max_keys: self.page_size };
            let listing = self.store.list(bucket, &query).unwrap();
            let mut entries: Vec<Entry> = listing.prefixes.iter().map(|p| Entry::Prefix(p.clone())).collect();
            entries.extend(listing.objects.iter().map(|(k, o)| {
                Entry::Object(ObjectInfo {
                    key: k.clone(),
                    size: o.size,
                    last_modified: Some(0),
                    etag: Some(format!("\"{}\"", o.etag)),
                    storage_class: None,
                })
            }));
            entries.sort_by(|a, b| a.key().cmp(b.key()));
            sent += entries.len();
            let next_token = listing.last.clone().filter(|_| listing.truncated);
            let more = next_token.is_some() && sent < *budget;
            actions.push(Action::from(Report::Listed {
                request: *request,
                node: *node,
                purpose: *purpose,
                page: Page { entries, next_token: next_token.clone() },
                more,
            }));
            if !more {
                return actions;
            }
            after = next_token;
        }
    }
}

pub struct Harness {
    pub state: State,
    pub server: FakeServer,
    /// Effects not yet answered, in order.
    pub pending: Vec<Effect>,
    pub cancelled: Vec<u64>,
}

impl Harness {
    pub fn new() -> Self {
        Self::with_size(120, 40)
    }

    pub fn with_size(width: u16, height: u16) -> Self {
        let buckets = vec![("nasa-heasarc".to_string(), Some("HEASARC".to_string())), ("stpubdata".to_string(), None)];
        Self::with_buckets(width, height, buckets)
    }

    pub fn with_buckets(width: u16, height: u16, buckets: Vec<(String, Option<String>)>) -> Self {
        Self::with_config(width, height, ExplorerConfig { row_bound: 1000, buckets, ..ExplorerConfig::default() })
    }

    /// The explorer started with `config`.
    pub fn with_config(width: u16, height: u16, config: ExplorerConfig) -> Self {
        let state = State::new(config, width, height);
        Self {
            state,
            server: FakeServer { store: store(), page_size: 100 },
            pending: Vec::new(),
            cancelled: Vec::new(),
        }
    }

    /// Applies an action and keeps its effects pending.
    pub fn act(&mut self, action: impl Into<Action>) -> &mut Self {
        let effects = update(&mut self.state, action.into());
        for effect in effects {
            match effect {
                Effect::Cancel(request) => {
                    self.cancelled.push(request);
                    self.pending.retain(|e| request_of(e) != Some(request));
                }
                other => self.pending.push(other),
            }
        }
        self
    }

    /// Types text in the current input mode.
    pub fn type_text(&mut self, text: &str) -> &mut Self {
        for c in text.chars() {
            self.act(Intent::Input(c));
        }
        self
    }

    /// Answers every pending listing (and those they cause) completely;
    /// other effects stay pending.
    pub fn settle(&mut self) -> &mut Self {
        while let Some(index) = self.pending.iter().position(|e| matches!(e, Effect::List(_))) {
            let effect = self.pending.remove(index);
            for action in self.server.pages(&effect) {
                self.act(action);
            }
        }
        self
    }

    /// Presses keys, each answered (its listings settled) before the next.
    pub fn keys(&mut self, intents: &[Intent]) -> &mut Self {
        for intent in intents {
            self.act(intent.clone());
            self.settle();
        }
        self
    }

    /// Answers the latest pending preview with `data`.
    pub fn answer_preview_with(&mut self, data: std::sync::Arc<crate::preview::PreviewData>) -> &mut Self {
        let node = self.state.selected_node().unwrap();
        let Some(Effect::Preview { request, .. }) =
            self.pending.iter().rev().find(|e| matches!(e, Effect::Preview { .. })).cloned()
        else {
            panic!("a preview request")
        };
        self.act(Report::Previewed { request, node, result: Ok(data) })
    }

    /// Answers the latest pending preview (of the selected object) with
    /// `fits_preview`, under the ETag the listing gave.
    pub fn answer_preview(&mut self) -> &mut Self {
        let node = self.state.selected_node().unwrap();
        let Some(Effect::Preview { request, .. }) =
            self.pending.iter().rev().find(|e| matches!(e, Effect::Preview { .. })).cloned()
        else {
            panic!("a preview request")
        };
        let etag = self.state.tree.node(node).object().and_then(|m| m.etag.to_header()).unwrap_or_default();
        self.act(Report::Previewed { request, node, result: Ok(fits_preview(&etag)) })
    }

    pub fn selected_uri(&self) -> String {
        self.state.tree.uri_of(self.state.selected_node().unwrap()).to_string()
    }

    pub fn visible_names(&self) -> Vec<String> {
        self.state
            .rows
            .iter()
            .map(|r| match r.kind {
                RowKind::Node => self.state.tree.node(r.node).name.to_string(),
                other => format!("<{other:?}>"),
            })
            .collect()
    }
}

/// The state drawn on a `TestBackend` of its size.
pub fn draw(h: &Harness) -> ratatui::buffer::Buffer {
    let mut terminal =
        ratatui::Terminal::new(ratatui::backend::TestBackend::new(h.state.width, h.state.height)).unwrap();
    terminal.draw(|frame| super::view::render(frame, &h.state)).unwrap();
    terminal.backend().buffer().clone()
}

/// The state drawn, as text, line by line (one symbol a cell).
pub fn screen_text(h: &Harness) -> String {
    let buffer = draw(h);
    buffer
        .content
        .chunks(buffer.area.width as usize)
        .map(|row| row.iter().map(|c| c.symbol()).collect::<String>())
        .collect::<Vec<_>>()
        .join(
            "
",
        )
}

pub fn request_of(effect: &Effect) -> Option<u64> {
    match effect {
        Effect::List(ListJob { request, .. })
        | Effect::Preview { request, .. }
        | Effect::SummarisePrefix { request, .. }
        | Effect::ListBuckets { request }
        | Effect::CountPrefix { request, .. }
        | Effect::ReadRows(crate::tui::effect::RowsJob { request, .. })
        | Effect::ReadImage(crate::tui::effect::ImageJob { request, .. }) => Some(*request),
        Effect::Cancel(_) | Effect::Queue(_) | Effect::Copy { .. } => None,
    }
}

/// A FITS preview of a primary and an EVENTS table of `rows` rows (TIME in s, PI, NAME).
pub fn fits_table_preview(rows: usize) -> std::sync::Arc<crate::preview::PreviewData> {
    use crate::demo::fits_writer::{Column, bintable_header, primary_header, push_hdu};
    let mut file = Vec::new();
    push_hdu(&mut file, &primary_header(8, &[]), &[]);
    let columns = [
        Column { name: "TIME", form: "1D", unit: "s" },
        Column { name: "PI", form: "1J", unit: "chan" },
        Column { name: "NAME", form: "8A", unit: "" },
    ];
    push_hdu(&mut file, &bintable_header(&columns, rows, "EVENTS"), &vec![0; rows * 20]);
    fits_preview_of(&file, "\"e\"")
}

/// A FITS preview as the runner would deliver it: a primary with key cards
/// and WCS, then SCI and ERR images.
pub fn fits_preview(etag: &str) -> std::sync::Arc<crate::preview::PreviewData> {
    use crate::demo::fits_writer::{image_header, primary_header, push_hdu};
    let mut file = Vec::new();
    let mut primary = primary_header(16, &[]);
    primary.string("TELESCOP", "HST", "telescope").string("INSTRUME", "WFC3", "").string("OBJECT", "NGC 6397", "");
    primary.real("EXPTIME", 402.93, "[s]").string("CTYPE1", "RA---TAN", "").real("CRVAL1", 265.175, "");
    for n in 0..60 {
        primary.history(&format!("calibration step {n}"));
    }
    push_hdu(&mut file, &primary, &[]);
    push_hdu(&mut file, &image_header(-32, &[64, 64], "SCI"), &[0; 64 * 64 * 4]);
    push_hdu(&mut file, &image_header(16, &[64, 64], "ERR"), &[0; 64 * 64 * 2]);
    fits_preview_of(&file, etag)
}

/// The preview of these FITS bytes, read whole.
pub fn fits_preview_of(file: &[u8], etag: &str) -> std::sync::Arc<crate::preview::PreviewData> {
    let mut scanner = crate::fits::scanner::Scanner::new(crate::fits::scanner::Stop::AtEnd);
    scanner.feed(file).unwrap();
    scanner.finish().unwrap();
    let headers = crate::fits::reader::FitsHeaders {
        hdus: scanner.hdus,
        compression: Default::default(),
        warnings: scanner.warnings,
        stopped: None,
        truncated_header: scanner.truncated_header,
    };
    std::sync::Arc::new(crate::preview::PreviewData {
        details: crate::preview::ObjectDetails {
            size: file.len() as u64,
            last_modified: Some(1_704_067_200),
            content_type: Some("application/fits".into()),
            etag: Some(etag.into()),
            storage_class: Some("STANDARD".into()),
        },
        body: crate::preview::PreviewBody::Fits(headers),
        requests: 2,
        bytes_read: 23_040,
        asdf_hdu: None,
    })
}

/// The preview of the demo's nested, typed Parquet file (2,000 rows in 5 row groups).
pub fn parquet_preview() -> std::sync::Arc<crate::preview::PreviewData> {
    let file = crate::demo::generate::catalogs::truth_galaxies(&mut crate::demo::generate::test_rng());
    let mut source = crate::fits::tests::Memory::new(file.clone());
    let footer = futures::executor::block_on(crate::columnar::footer::read_footer(&mut source)).unwrap();
    std::sync::Arc::new(crate::preview::PreviewData {
        details: crate::preview::ObjectDetails {
            size: file.len() as u64,
            etag: Some("\"p\"".into()),
            ..Default::default()
        },
        body: crate::preview::PreviewBody::Parquet(Box::new(crate::preview::ParquetPreview::new(footer, None))),
        requests: 1,
        bytes_read: 65_536,
        asdf_hdu: None,
    })
}
