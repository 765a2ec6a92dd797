//! The config file: any text is either a config or an error with a line.
#![no_main]

use std::path::Path;

use libfuzzer_sys::fuzz_target;
use s3scope::testing::config;
use s3scope::testing::tui::keymap::Keymap;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    match config::parse(text, Path::new("config.toml")) {
        Ok(loaded) => {
            let _ = Keymap::from_config(&loaded);
            let _ = loaded.catalog();
        }
        Err(e) => {
            if let Some(line) = e.line {
                assert!(line >= 1 && line <= text.lines().count().max(1) + 1, "line {line} of {text:?}");
            }
            assert!(!e.message.contains('\n'));
        }
    }
});
