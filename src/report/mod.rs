//! How findings are shown. Only this module knows colours, terminals and output formats;
//! one file per format. Text output neutralises control characters from scanned content
//! (a file name or a string literal cannot clear the screen or forge a report line).

pub mod edits;
pub mod github;
pub mod gitlab;
pub mod json;
pub mod rdjson;
pub mod sarif;
pub mod text;

use crate::check::Outcome;

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// Coloured report with explanations and patches (for people).
    Text,
    /// sidguard's own JSON (versioned; for scripts).
    Json,
    /// SARIF 2.1.0 (GitHub code scanning and other SARIF viewers).
    Sarif,
    /// GitHub Actions workflow commands (annotations).
    Github,
    /// GitLab Code Quality report.
    Gitlab,
    /// reviewdog's diagnostic format (rdjson), with suggestions.
    Rdjson,
}

/// When to colour the text report (`--color`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum ColorChoice {
    Auto,
    Always,
    Never,
}

impl Format {
    /// Formats other tools read: printed even when there is nothing to check, so the reader
    /// always gets a valid (empty) document.
    pub fn is_document(self) -> bool {
        matches!(
            self,
            Format::Json | Format::Sarif | Format::Gitlab | Format::Rdjson
        )
    }
}

pub fn render(outcome: &Outcome, format: Format, color: bool) -> String {
    match format {
        Format::Text => text::render(outcome, color),
        Format::Json => json_safe(json::render(outcome)),
        Format::Sarif => json_safe(sarif::render(outcome)),
        Format::Github => github::render(outcome),
        Format::Gitlab => json_safe(gitlab::render(outcome)),
        Format::Rdjson => json_safe(rdjson::render(outcome)),
    }
}

/// JSON text with the characters serde_json leaves raw but a terminal may act on (DEL, the
/// C1 controls such as CSI, and bidirectional controls) written as `\uXXXX` escapes. They
/// can only occur inside strings, where the escape means the same character.
pub fn json_safe(s: String) -> String {
    if !s.chars().any(needs_json_escape) {
        return s;
    }
    let mut out = String::with_capacity(s.len() + 16);
    for c in s.chars() {
        if needs_json_escape(c) {
            out.push_str(&format!("\\u{:04x}", c as u32));
        } else {
            out.push(c);
        }
    }
    out
}

fn needs_json_escape(c: char) -> bool {
    c == '\u{7f}' || ('\u{80}'..='\u{9f}').contains(&c) || crate::error::is_bidi(c)
}
