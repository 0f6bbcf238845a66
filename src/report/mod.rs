//! How findings are shown. Only this module knows colours, terminals and output formats;
//! one file per format. Text output neutralises control characters from scanned content
//! (a file name or a string literal cannot clear the screen or forge a report line).

pub mod concise;
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
    /// One line per finding: `path:line:col: SID001 message`.
    Concise,
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

    /// Formats for people (the hooks print them on stderr).
    pub fn is_human(self) -> bool {
        matches!(self, Format::Text | Format::Concise)
    }
}

pub fn render(outcome: &Outcome, format: Format, color: bool) -> String {
    render_with(outcome, format, color, false)
}

/// `render`; `quiet`: the people's formats leave out their summary line (`--quiet`).
pub fn render_with(outcome: &Outcome, format: Format, color: bool, quiet: bool) -> String {
    match format {
        Format::Text => text::render(outcome, color, quiet),
        Format::Concise => concise::render(outcome, color, quiet),
        Format::Json => json_safe(json::render(outcome)),
        Format::Sarif => json_safe(sarif::render(outcome)),
        Format::Github => github::render(outcome),
        Format::Gitlab => json_safe(gitlab::render(outcome)),
        Format::Rdjson => json_safe(rdjson::render(outcome)),
    }
}

/// `sanitize`, keeping line ends, `\r\n` too (for multi-line output such as a diff).
pub fn sanitize_keep_lines(s: &str) -> String {
    s.split_inclusive('\n')
        .map(|l| {
            let (body, end) = match (l.strip_suffix("\r\n"), l.strip_suffix('\n')) {
                (Some(b), _) => (b, "\r\n"),
                (None, Some(b)) => (b, "\n"),
                (None, None) => (l, ""),
            };
            format!("{}{end}", crate::error::sanitize(body))
        })
        .collect()
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

/// The last line of a blocked commit or push: how to accept a finding for good (a
/// suppression, which review sees) or to get past the check once. pre-commit's hooks are
/// skipped with `SKIP=<id>` (`--no-verify` would skip every hook); the plain git hooks with
/// `--no-verify`.
pub fn way_out(code: &str, action: &str) -> String {
    let once = if std::env::var_os("PRE_COMMIT").is_some() {
        format!("SKIP=sidguard git {action}")
    } else {
        format!("git {action} --no-verify")
    };
    format!(
        "sidguard: to accept a finding, add `# sidguard: ignore[{code}] <reason>` to its line; to {action} once without this check: `{once}`"
    )
}
