//! A small GitHub REST client on `ureq`: JSON in and out, pagination by page number, bounded
//! retries with backoff for rate limits and server errors, and errors that never carry the
//! token (only the method, the path, the status and GitHub's own `message`).

use std::time::Duration;

use serde_json::Value;

/// Attempts per request (the first try and the retries).
const ATTEMPTS: u32 = 4;
/// Longest wait between attempts, whatever the server asks for.
const MAX_WAIT: Duration = Duration::from_secs(60);

#[derive(Debug)]
pub enum ApiError {
    /// The server answered with an error status (after any retries).
    Status {
        status: u16,
        what: String,
        message: String,
    },
    /// The request did not get an answer (connection, TLS, timeout) or the answer was not JSON.
    Transport { what: String, message: String },
}

impl ApiError {
    pub fn status(&self) -> Option<u16> {
        match self {
            ApiError::Status { status, .. } => Some(*status),
            ApiError::Transport { .. } => None,
        }
    }

    pub fn message(&self) -> &str {
        match self {
            ApiError::Status { message, .. } | ApiError::Transport { message, .. } => message,
        }
    }
}

impl std::fmt::Display for ApiError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ApiError::Status {
                status,
                what,
                message,
            } => write!(f, "{what}: HTTP {status}: {message}"),
            ApiError::Transport { what, message } => write!(f, "{what}: {message}"),
        }
    }
}

pub struct Api {
    agent: ureq::Agent,
    base: String,
    token: String,
    backoff: Duration,
}

pub struct Reply {
    pub status: u16,
    pub body: Value,
}

impl Api {
    pub fn new(base: &str, token: &str) -> Api {
        let config = ureq::Agent::config_builder()
            .http_status_as_error(false)
            .timeout_global(Some(Duration::from_secs(30)))
            .user_agent(concat!("sidguard/", env!("CARGO_PKG_VERSION")))
            .build();
        // The base delay between retries; tests shorten it.
        let backoff = std::env::var("SIDGUARD_HTTP_BACKOFF_MS")
            .ok()
            .and_then(|v| v.parse().ok())
            .map(Duration::from_millis)
            .unwrap_or(Duration::from_secs(1));
        Api {
            agent: ureq::Agent::new_with_config(config),
            base: base.trim_end_matches('/').to_string(),
            token: token.to_string(),
            backoff,
        }
    }

    /// Removes the token from any text that leaves this module.
    pub fn redact(&self, s: &str) -> String {
        redact(s, &self.token)
    }

    fn once(
        &self,
        method: &str,
        path: &str,
        body: Option<&Value>,
    ) -> Result<(u16, String, Option<Duration>), String> {
        let url = format!("{}{}", self.base, path);
        let auth = format!("Bearer {}", self.token);
        let result = match (method, body) {
            ("GET", _) => self
                .agent
                .get(&url)
                .header("Authorization", &auth)
                .header("Accept", "application/vnd.github+json")
                .header("X-GitHub-Api-Version", "2022-11-28")
                .call(),
            (m, b) => {
                let payload = b.map(Value::to_string).unwrap_or_default();
                let req = match m {
                    "POST" => self.agent.post(&url),
                    "PUT" => self.agent.put(&url),
                    _ => self.agent.patch(&url),
                };
                req.header("Authorization", &auth)
                    .header("Accept", "application/vnd.github+json")
                    .header("X-GitHub-Api-Version", "2022-11-28")
                    .header("Content-Type", "application/json")
                    .send(payload.as_bytes())
            }
        };
        let mut response = result.map_err(|e| self.redact(&e.to_string()))?;
        let status = response.status().as_u16();
        let header = |name: &str| {
            response
                .headers()
                .get(name)
                .and_then(|v| v.to_str().ok())
                .map(str::to_string)
        };
        let retry_after = header("retry-after").and_then(|v| v.trim().parse::<u64>().ok());
        let remaining = header("x-ratelimit-remaining");
        let reset = header("x-ratelimit-reset").and_then(|v| v.trim().parse::<u64>().ok());
        let wait = match (retry_after, remaining.as_deref(), reset) {
            (Some(s), _, _) => Some(Duration::from_secs(s)),
            (None, Some("0"), Some(reset)) => {
                let now = std::time::SystemTime::now()
                    .duration_since(std::time::UNIX_EPOCH)
                    .map(|d| d.as_secs())
                    .unwrap_or(0);
                Some(Duration::from_secs(reset.saturating_sub(now)))
            }
            (None, Some("0"), None) => Some(Duration::ZERO),
            _ => None,
        };
        let text = response
            .body_mut()
            .with_config()
            .limit(32 << 20)
            .read_to_string()
            .map_err(|e| self.redact(&e.to_string()))?;
        Ok((status, text, wait))
    }

    /// One API call with retries: 429, 5xx, and 403s that are rate limits (a `Retry-After`
    /// or an exhausted `X-RateLimit-Remaining`) are retried up to `ATTEMPTS` times.
    pub fn call(&self, method: &str, path: &str, body: Option<&Value>) -> Result<Reply, ApiError> {
        let what = format!("{method} {}", path.split('?').next().unwrap_or(path));
        let mut last = String::new();
        for attempt in 0..ATTEMPTS {
            if attempt > 0 {
                std::thread::sleep(self.backoff * 2u32.pow(attempt - 1));
            }
            let (status, text, wait) = match self.once(method, path, body) {
                Ok(r) => r,
                Err(message) => {
                    last = message;
                    continue;
                }
            };
            let parsed: Value = if text.trim().is_empty() {
                Value::Null
            } else {
                match serde_json::from_str(&text) {
                    Ok(v) => v,
                    Err(_) if (200..300).contains(&status) => {
                        return Err(ApiError::Transport {
                            what,
                            message: "the answer is not JSON".into(),
                        })
                    }
                    Err(_) => Value::Null,
                }
            };
            if (200..300).contains(&status) {
                return Ok(Reply {
                    status,
                    body: parsed,
                });
            }
            let message = self.redact(&github_message(&parsed, status));
            let rate_limited = status == 429 || (status == 403 && wait.is_some());
            let retry = rate_limited || (500..600).contains(&status);
            if !retry || attempt + 1 == ATTEMPTS {
                return Err(ApiError::Status {
                    status,
                    what,
                    message,
                });
            }
            if let Some(w) = wait {
                std::thread::sleep(w.min(MAX_WAIT));
            }
            last = message;
        }
        Err(ApiError::Transport {
            what,
            message: format!("no answer after {ATTEMPTS} attempts: {last}"),
        })
    }

    /// All items of a list endpoint (100 per page, at most 50 pages).
    pub fn list(&self, path: &str) -> Result<Vec<Value>, ApiError> {
        let mut out = Vec::new();
        for page in 1..=50 {
            let sep = if path.contains('?') { '&' } else { '?' };
            let reply = self.call("GET", &format!("{path}{sep}per_page=100&page={page}"), None)?;
            let items = match reply.body {
                Value::Array(items) => items,
                _ => Vec::new(),
            };
            let n = items.len();
            out.extend(items);
            if n < 100 {
                break;
            }
        }
        Ok(out)
    }
}

/// GitHub's error text: `message` plus any `errors[]` details.
fn github_message(body: &Value, status: u16) -> String {
    let mut message = body
        .get("message")
        .and_then(Value::as_str)
        .unwrap_or("")
        .to_string();
    if let Some(errors) = body.get("errors").and_then(Value::as_array) {
        let details: Vec<String> = errors
            .iter()
            .map(|e| match e {
                Value::String(s) => s.clone(),
                other => other
                    .get("message")
                    .and_then(Value::as_str)
                    .map(str::to_string)
                    .unwrap_or_else(|| other.to_string()),
            })
            .collect();
        if !details.is_empty() {
            message = format!("{message} ({})", details.join("; "));
        }
    }
    if message.is_empty() {
        message = format!("status {status}");
    }
    crate::error::sanitize(&message).into_owned()
}

/// Replaces every occurrence of `token` in `s`.
pub fn redact(s: &str, token: &str) -> String {
    if token.len() < 4 {
        return s.to_string();
    }
    s.replace(token, "***")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn redaction_and_messages() {
        assert_eq!(
            redact("bad ghp_abc123 token", "ghp_abc123"),
            "bad *** token"
        );
        let body = serde_json::json!({"message": "Validation Failed", "errors": ["Line must be part of the diff"]});
        assert_eq!(
            github_message(&body, 422),
            "Validation Failed (Line must be part of the diff)"
        );
        assert_eq!(github_message(&Value::Null, 502), "status 502");
    }
}
