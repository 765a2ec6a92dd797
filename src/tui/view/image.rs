//! The preview's image view: the quick-look drawn with ratatui-image (half
//! blocks, or the terminal's graphics protocol), a grey bar with the limits,
//! and where the samples come from.

use std::sync::Arc;

use image::imageops::FilterType;
use image::{DynamicImage, GrayImage};
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect, Size};
use ratatui::style::{Color, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;
use ratatui_image::{Image, Resize};

use super::{error_style, spinner};
use crate::tui::action::Intent;
use crate::tui::image_view::ImageView;
use crate::tui::keymap::Layer;
use crate::tui::state::State;

/// Draws the picture and its grey bar into `area`.
pub fn render(frame: &mut Frame<'_>, area: Rect, state: &State, view: &ImageView) {
    let t = &state.config.theme;
    let [picture, bar] = Layout::vertical([Constraint::Min(1), Constraint::Length(1)]).areas(area);
    let look = match (&view.samples, &view.look) {
        (Some(Err(why)), _) => {
            let line = Line::styled(format!("✗ {}", t.escape(why)), error_style(t));
            frame.render_widget(Paragraph::new(line), area);
            return;
        }
        (Some(Ok(_)), Some(look)) => look,
        _ => {
            let line = Line::styled(format!("{} reading pixels…", spinner(state.tick)), Style::new().fg(t.busy));
            frame.render_widget(Paragraph::new(line), area);
            return;
        }
    };
    let size = Size::new(picture.width, picture.height);
    let mut cache = view.drawn.0.borrow_mut();
    let fresh = cache.as_ref().is_some_and(|(s, l, _)| *s == size && Arc::ptr_eq(l, look));
    if !fresh {
        *cache = None;
        let grey = GrayImage::from_raw(look.width as u32, look.height as u32, look.grey.clone());
        let made = grey.ok_or_else(|| "no pixels".to_string()).and_then(|grey| {
            let resize = Resize::Scale(Some(FilterType::Nearest));
            let picker = state.config.graphics.picker();
            picker.new_protocol(DynamicImage::ImageLuma8(grey), size, resize).map_err(|e| e.to_string())
        });
        match made {
            Ok(protocol) => *cache = Some((size, look.clone(), protocol)),
            Err(why) => {
                frame.render_widget(Paragraph::new(Line::styled(format!("✗ {why}"), error_style(t))), picture);
            }
        }
    }
    if let Some((_, _, protocol)) = cache.as_ref() {
        frame.render_widget(Image::new(protocol), picture);
    }
    frame.render_widget(Paragraph::new(grey_bar(look.limits, bar.width as usize)), bar);
}

/// `lo ░░▒▒▓▓ hi`: the limits either side of a ramp from black to white.
fn grey_bar<'a>(limits: Option<(f64, f64)>, width: usize) -> Line<'a> {
    let Some((lo, hi)) = limits else { return Line::raw("no finite value in the samples") };
    let (lo, hi) = (short(lo), short(hi));
    let ramp = width.saturating_sub(lo.chars().count() + hi.chars().count() + 2).min(32);
    let mut spans = vec![Span::raw(format!("{lo} "))];
    for i in 0..ramp {
        let level = (i * 255 / ramp.saturating_sub(1).max(1)) as u8;
        spans.push(Span::styled(" ", Style::new().bg(Color::Rgb(level, level, level))));
    }
    spans.push(Span::raw(format!(" {hi}")));
    Line::from(spans)
}

/// A limit in at most 9 characters.
fn short(value: f64) -> String {
    let magnitude = value.abs();
    if value != 0.0 && !(1e-3..1e7).contains(&magnitude) {
        return format!("{value:.2e}");
    }
    let plain = format!("{value:.4}");
    plain.trim_end_matches('0').trim_end_matches('.').to_string()
}

/// The footer's words for the image view.
pub fn footer(state: &State, view: &ImageView) -> String {
    let keys = &state.config.keys;
    let key = |intent: &Intent| keys.hint(Layer::Normal, intent);
    let samples = match (&view.samples, &view.look) {
        (Some(Ok(_)), Some(look)) => format!("{}x{} samples · ", look.width, look.height),
        _ => String::new(),
    };
    let planes = if view.planes > 1 {
        format!(
            "plane {}/{} {} · ",
            view.plane + 1,
            view.planes,
            keys.hint_pair(&Intent::PreviousPlane, &Intent::NextPlane)
        )
    } else {
        String::new()
    };
    format!(
        "{samples}{planes}{} {} ({} {}) · {} cards",
        view.interval,
        view.stretch,
        key(&Intent::CycleInterval),
        key(&Intent::CycleStretch),
        key(&Intent::CycleView)
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn limits_are_short() {
        assert_eq!(short(12.5), "12.5");
        assert_eq!(short(-0.00001234), "-1.23e-5");
        assert_eq!(short(1234567890.0), "1.23e9");
        let bar = grey_bar(Some((0.0, 100.0)), 20);
        assert_eq!(bar.width(), 20);
        assert_eq!(grey_bar(None, 20).to_string(), "no finite value in the samples");
    }
}
