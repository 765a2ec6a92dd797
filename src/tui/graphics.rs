//! How the image quick-look is drawn: with the terminal's graphics protocol
//! (kitty, sixel, iTerm2) where the environment says it has one, Unicode
//! half blocks everywhere else. Decided from the environment and the window
//! size the kernel reports: the terminal is never queried, so nothing waits
//! for an answer that may not come over SSH.

use ratatui_image::picker::{Picker, ProtocolType};

/// The drawing method and what it needs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Graphics {
    pub protocol: Protocol,
    /// A cell's size in pixels (for graphics protocols).
    pub cell: (u16, u16),
    /// Running inside tmux, which hides graphics unless passthrough is on.
    pub tmux: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Protocol {
    HalfBlocks,
    Kitty,
    Sixel,
    Iterm2,
}

impl Default for Graphics {
    fn default() -> Self {
        Self { protocol: Protocol::HalfBlocks, cell: (10, 20), tmux: false }
    }
}

impl Graphics {
    /// Picks from environment variables (`get`) and the window's pixel size,
    /// if the kernel knows it. `forced` (the `--graphics` flag) wins.
    pub fn detect(
        get: impl Fn(&str) -> Option<String>,
        window_pixels: Option<(u16, u16, u16, u16)>,
        forced: Option<Protocol>,
    ) -> Self {
        let has = |name: &str| get(name).is_some_and(|v| !v.is_empty());
        let term = get("TERM").unwrap_or_default();
        let program = get("TERM_PROGRAM").unwrap_or_default();
        let tmux = has("TMUX") || term.starts_with("tmux") || term.starts_with("screen");
        let found = if has("KITTY_WINDOW_ID") || term == "xterm-kitty" || program == "ghostty" {
            Protocol::Kitty
        } else if program == "iTerm.app" || program == "WezTerm" || has("WEZTERM_EXECUTABLE") {
            Protocol::Iterm2
        } else if term.contains("sixel") || term == "foot" || term.starts_with("mlterm") {
            Protocol::Sixel
        } else {
            Protocol::HalfBlocks
        };
        // Inside tmux the outer terminal's variables may be stale and
        // graphics need passthrough: half blocks unless asked for.
        let protocol = forced.unwrap_or(if tmux { Protocol::HalfBlocks } else { found });
        let cell = window_pixels
            .and_then(|(cols, rows, width, height)| {
                (cols > 0 && rows > 0 && width >= cols && height >= rows).then(|| (width / cols, height / rows))
            })
            .unwrap_or((10, 20));
        Self { protocol, cell, tmux }
    }

    /// What the explorer tells the user about images, if anything.
    pub fn note(&self) -> Option<&'static str> {
        (self.tmux && self.protocol == Protocol::HalfBlocks).then_some(
            "images as half blocks inside tmux; for graphics: tmux set -g allow-passthrough on, then s3scope --graphics kitty|sixel|iterm2",
        )
    }

    /// A ratatui-image picker for this choice (no terminal query).
    pub fn picker(&self) -> Picker {
        #[allow(deprecated)] // The only way to give the cell size without querying the terminal.
        let mut picker = Picker::from_fontsize(self.cell.into());
        picker.set_protocol_type(match self.protocol {
            Protocol::HalfBlocks => ProtocolType::Halfblocks,
            Protocol::Kitty => ProtocolType::Kitty,
            Protocol::Sixel => ProtocolType::Sixel,
            Protocol::Iterm2 => ProtocolType::Iterm2,
        });
        picker
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env<'a>(pairs: &'a [(&'a str, &'a str)]) -> impl Fn(&str) -> Option<String> + 'a {
        move |name| pairs.iter().find(|(k, _)| *k == name).map(|(_, v)| v.to_string())
    }

    #[test]
    fn the_environment_picks_the_protocol() {
        assert_eq!(Graphics::detect(env(&[("TERM", "xterm-256color")]), None, None).protocol, Protocol::HalfBlocks);
        assert_eq!(Graphics::detect(env(&[("KITTY_WINDOW_ID", "3")]), None, None).protocol, Protocol::Kitty);
        assert_eq!(Graphics::detect(env(&[("TERM_PROGRAM", "iTerm.app")]), None, None).protocol, Protocol::Iterm2);
        assert_eq!(Graphics::detect(env(&[("TERM", "foot")]), None, None).protocol, Protocol::Sixel);
    }

    #[test]
    fn tmux_means_half_blocks_and_a_note_unless_forced() {
        let inside =
            Graphics::detect(env(&[("TMUX", "/tmp/tmux-0/default,1,0"), ("KITTY_WINDOW_ID", "1")]), None, None);
        assert_eq!((inside.protocol, inside.tmux), (Protocol::HalfBlocks, true));
        assert!(inside.note().unwrap().contains("allow-passthrough"));
        let forced = Graphics::detect(env(&[("TMUX", "x")]), None, Some(Protocol::Kitty));
        assert_eq!((forced.protocol, forced.note()), (Protocol::Kitty, None));
    }

    #[test]
    fn the_cell_size_comes_from_the_window_pixels() {
        assert_eq!(Graphics::detect(env(&[]), Some((80, 24, 800, 480)), None).cell, (10, 20));
        assert_eq!(Graphics::detect(env(&[]), Some((100, 50, 900, 900)), None).cell, (9, 18));
        assert_eq!(Graphics::detect(env(&[]), Some((80, 24, 0, 0)), None).cell, (10, 20), "unknown pixels");
    }
}
