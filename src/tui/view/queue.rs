//! The queue pane: each download's progress bar, rate and ETA, and totals.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Paragraph};

use super::{border_style, dim, fit};
use crate::format::human_size;
use crate::queue::job::{Job, JobState};
use crate::tui::mode::Pane;
use crate::tui::state::State;

/// `1:02:03` or `4:05`.
pub fn duration(seconds: f64) -> String {
    let s = seconds.max(0.0).round() as u64;
    if s >= 3600 {
        format!("{}:{:02}:{:02}", s / 3600, s / 60 % 60, s % 60)
    } else {
        format!("{}:{:02}", s / 60, s % 60)
    }
}

fn bar(fraction: f64, width: usize) -> String {
    let filled = ((fraction.clamp(0.0, 1.0)) * width as f64).round() as usize;
    format!("{}{}", "█".repeat(filled), "░".repeat(width - filled))
}

pub fn render(frame: &mut Frame<'_>, area: Rect, state: &State) {
    let t = &state.config.theme;
    let queue = &state.queue;
    let (rate, eta) = queue.totals();
    let done = queue.jobs.iter().filter(|j| j.state == JobState::Done).count();
    let mut title = format!(" Queue {done}/{} ", queue.jobs.len());
    if rate > 0.0 {
        title.push_str(&format!("· {}/s ", human_size(rate as u64)));
    }
    if let Some(eta) = eta {
        title.push_str(&format!("· ETA {} ", duration(eta)));
    }
    let focused = state.focus == Pane::Queue;
    let block = Block::new().borders(Borders::ALL).border_style(border_style(t, focused)).title(title);
    let inner = block.inner(area);
    let width = inner.width as usize;
    let height = inner.height as usize;
    let first = queue.selected.saturating_sub(height.saturating_sub(1));
    let lines: Vec<Line<'_>> = queue
        .jobs
        .iter()
        .enumerate()
        .skip(first)
        .take(height)
        .map(|(index, job)| job_line(state, job, width, focused && index == queue.selected))
        .collect();
    let lines = if lines.is_empty() {
        vec![Line::styled("No downloads. d on an object or a prefix adds one.", dim(t))]
    } else {
        lines
    };
    frame.render_widget(Paragraph::new(lines).block(block), area);
}

fn job_line<'a>(state: &State, job: &Job, width: usize, selected: bool) -> Line<'a> {
    let t = &state.config.theme;
    let fraction = job.progress().unwrap_or(0.0);
    let name = t.escape(job.key.rsplit('/').next().unwrap_or(&job.key)).into_owned();
    let (status, style) = match &job.state {
        JobState::Running => {
            let rate = state.queue.rates.get(&job.id).copied().unwrap_or(0.0);
            let left = job.size.unwrap_or(0).saturating_sub(job.done_bytes) as f64;
            let eta = if rate > 0.0 { format!(" {}", duration(left / rate)) } else { String::new() };
            (format!("{:>3.0}% {}/s{eta}", fraction * 100.0, human_size(rate as u64)), Style::new().fg(t.accent))
        }
        JobState::Queued => ("queued".into(), dim(t)),
        JobState::Paused => (format!("paused {:.0}%", fraction * 100.0), Style::new().fg(t.busy)),
        JobState::Done => (format!("done {}", human_size(job.size.unwrap_or(0))), Style::new().fg(t.ok)),
        JobState::Failed(why) => (format!("failed: {}", t.escape(why)), Style::new().fg(t.error)),
        JobState::Cancelled => ("cancelled".into(), dim(t)),
    };
    let bar_width = 10.min(width / 5);
    let status = fit(&status, width.saturating_sub(bar_width + 12).max(10));
    let name_width = width.saturating_sub(bar_width + status.chars().count() + 3);
    let mut line = Line::from(vec![
        Span::styled(bar(fraction, bar_width), style),
        Span::raw(" "),
        Span::raw(format!("{:<name_width$}", fit(&name, name_width))),
        Span::raw(" "),
        Span::styled(status, style),
    ]);
    if selected {
        line = line.style(Style::new().add_modifier(Modifier::REVERSED));
    }
    line
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_and_bars() {
        assert_eq!(duration(12.4), "0:12");
        assert_eq!(duration(3725.0), "1:02:05");
        assert_eq!(bar(0.7, 10), "███████░░░");
        assert_eq!(bar(2.0, 4), "████");
    }
}
