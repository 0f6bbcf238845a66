//! How findings are shown. Only this module knows colours, terminals and output formats;
//! one file per format. Text output neutralises control characters from scanned content
//! (a file name or a string literal cannot clear the screen or forge a report line).

pub mod json;
pub mod text;

use crate::check::Outcome;

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    Text,
    Json,
}

pub fn render(outcome: &Outcome, format: Format, color: bool) -> String {
    match format {
        Format::Text => text::render(outcome, color),
        Format::Json => json::render(outcome),
    }
}

/// Replaces control characters (other than tab, which becomes a space) with visible escapes.
pub fn sanitize(s: &str) -> std::borrow::Cow<'_, str> {
    if !s.chars().any(|c| c.is_control() || is_bidi(c)) {
        return std::borrow::Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        if c == '\t' {
            out.push(' ');
        } else if c.is_control() || is_bidi(c) {
            out.push_str(&c.escape_unicode().to_string());
        } else {
            out.push(c);
        }
    }
    std::borrow::Cow::Owned(out)
}

/// Unicode bidirectional controls, which can make code read differently than it runs.
fn is_bidi(c: char) -> bool {
    matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}' | '\u{200E}' | '\u{200F}' | '\u{061C}')
}
