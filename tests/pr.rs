//! `sidguard pr`: the review payload (dry run), and posting against a local HTTP server on the
//! loopback interface that records every request and answers like GitHub (201, 422, 403,
//! 429 then 200, listings of earlier reviews and comments). No test reaches the internet.

mod common;

use std::sync::{Arc, Mutex};

use common::{flask_login, Repo, FLASK_HEADER};
use serde_json::{json, Value};

const TOKEN: &str = "ghs_TESTTOKEN1234567890secret";

#[derive(Debug, Clone)]
struct Req {
    method: String,
    path: String,
    auth: Option<String>,
    body: String,
}

type Answer = (u16, String, Vec<(&'static str, String)>);

struct Server {
    url: String,
    log: Arc<Mutex<Vec<Req>>>,
}

impl Server {
    /// Serves on 127.0.0.1 with `answer(request, index of the request)`.
    fn start(answer: impl Fn(&Req, usize) -> Answer + Send + 'static) -> Server {
        let server = tiny_http::Server::http("127.0.0.1:0").expect("bind loopback");
        let url = format!("http://{}", server.server_addr().to_ip().unwrap());
        let log = Arc::new(Mutex::new(Vec::new()));
        let log2 = Arc::clone(&log);
        std::thread::spawn(move || {
            for mut request in server.incoming_requests() {
                let mut body = String::new();
                let _ = request.as_reader().read_to_string(&mut body);
                let req = Req {
                    method: request.method().to_string(),
                    path: request.url().to_string(),
                    auth: request
                        .headers()
                        .iter()
                        .find(|h| h.field.equiv("Authorization"))
                        .map(|h| h.value.to_string()),
                    body,
                };
                let n = {
                    let mut l = log2.lock().unwrap();
                    l.push(req.clone());
                    l.len() - 1
                };
                let (status, text, headers) = answer(&req, n);
                let mut response = tiny_http::Response::from_string(text).with_status_code(status);
                response.add_header(
                    tiny_http::Header::from_bytes("Content-Type", "application/json").unwrap(),
                );
                for (k, v) in headers {
                    response.add_header(tiny_http::Header::from_bytes(k, v.as_bytes()).unwrap());
                }
                let _ = request.respond(response);
            }
        });
        Server { url, log }
    }

    fn requests(&self) -> Vec<Req> {
        self.log.lock().unwrap().clone()
    }

    fn posts(&self) -> Vec<Value> {
        self.requests()
            .iter()
            .filter(|r| r.method == "POST")
            .map(|r| serde_json::from_str(&r.body).expect("POST body is JSON"))
            .collect()
    }
}

fn ok(body: Value) -> Answer {
    (200, body.to_string(), vec![])
}

/// Answers like GitHub for a pull request with the given earlier reviews and comments.
fn github(reviews: Value, comments: Value) -> impl Fn(&Req, usize) -> Answer + Send + 'static {
    move |req, _| {
        match (req.method.as_str(), req.path.split('?').next().unwrap()) {
        ("GET", "/repos/acme/shop/pulls/7/reviews") => ok(reviews.clone()),
        ("GET", "/repos/acme/shop/pulls/7/comments") => ok(comments.clone()),
        ("POST", "/repos/acme/shop/pulls/7/reviews") => (
            201,
            json!({"id": 99, "html_url": "https://github.example/acme/shop/pull/7#pullrequestreview-99"}).to_string(),
            vec![],
        ),
        ("PUT", p) if p.ends_with("/dismissals") => ok(json!({"id": 1, "state": "DISMISSED"})),
        _ => (404, json!({"message": "Not Found"}).to_string(), vec![]),
    }
    }
}

/// A repository whose `feature` branch adds a vulnerable Flask login (and a long function
/// whose flagged line is far from the changed line) to a clean `main`.
fn pull_request() -> Repo {
    let repo = Repo::new();
    let long_body: String = (0..12).map(|i| format!("    step{i}()\n")).collect();
    repo.write(
        "app/views.py",
        format!(
            "{FLASK_HEADER}def setup():\n    pass\n\n\ndef far():\n    a = 1\n{long_body}    if check_password_hash(u.h, request.form[\"p\"]):\n        session[\"user_id\"] = u.id\n\n\ndef tail():\n    pass\n    pass\n    pass\n"
        ),
    );
    repo.commit_all("base");
    repo.git(&["checkout", "-q", "-b", "feature"]);
    let text = std::fs::read_to_string(repo.path().join("app/views.py")).unwrap();
    // Change the first line of `far` (its identity write stays outside the diff's context)
    // and add a new login.
    let text = text.replace("    a = 1\n", "    a = 2\n");
    repo.write(
        "app/views.py",
        format!(
            "{text}\n\n@app.post(\"/login\")\n{}",
            flask_login("login", false)
        ),
    );
    repo.commit_all("feature");
    repo
}

fn post_env(server: &Server) -> Vec<(&str, &str)> {
    vec![
        ("GITHUB_TOKEN", TOKEN),
        ("GITHUB_REPOSITORY", "acme/shop"),
        ("GITHUB_API_URL", server.url.as_str()),
        ("SIDGUARD_HTTP_BACKOFF_MS", "1"),
    ]
}

/// `sidguard pr` posting to `server` for pull request acme/shop#7.
fn post(repo: &Repo, server: &Server) -> common::Run {
    repo.sidguard_env(
        ".",
        &["pr", "--base", "main", "--number", "7"],
        &post_env(server),
    )
}

fn assert_no_token(run: &common::Run) {
    assert!(!run.stdout().contains(TOKEN), "token in stdout");
    assert!(!run.stderr().contains(TOKEN), "token in stderr");
    assert!(!run.stdout().contains("TESTTOKEN"), "token part in stdout");
    assert!(!run.stderr().contains("TESTTOKEN"), "token part in stderr");
}

#[test]
fn dry_run_prints_the_review_with_comments_in_the_diff_and_the_rest_in_the_body() {
    let repo = pull_request();
    let run = repo.sidguard(&["pr", "--base", "main"]);
    assert_eq!(run.code(), 1, "{}", run.stderr());
    assert!(run.stderr().contains("dry run"), "{}", run.stderr());
    let review = run.json();
    let head = repo.git(&["rev-parse", "HEAD"]).trim().to_string();
    assert_eq!(review["commit_id"], head.as_str());
    assert_eq!(review["event"], "REQUEST_CHANGES");
    let comments = review["comments"].as_array().unwrap();
    // The new login gets a line comment on its identity write, RIGHT side.
    assert_eq!(comments.len(), 1, "{review:#}");
    let c = &comments[0];
    let text = std::fs::read_to_string(repo.path().join("app/views.py")).unwrap();
    let write_line = text
        .lines()
        .enumerate()
        .filter(|(_, l)| l.contains("session[\"user_id\"] = user.id"))
        .map(|(i, _)| i + 1)
        .last()
        .unwrap();
    assert_eq!(c["path"], "app/views.py");
    assert_eq!(c["line"], write_line);
    assert_eq!(c["side"], "RIGHT");
    assert!(c.get("start_line").is_none());
    let body = c["body"].as_str().unwrap();
    assert!(
        body.contains(
            "```suggestion\n        session.clear()\n        session[\"user_id\"] = user.id\n```"
        ),
        "{body}"
    );
    assert!(body.contains("<!-- sidguard:finding "), "{body}");
    // The finding in `far` is outside the diff: in the body, with its patch.
    let rb = review["body"].as_str().unwrap();
    assert!(rb.starts_with("<!-- sidguard:review -->"), "{rb}");
    assert!(rb.contains("#### Outside the diff"), "{rb}");
    assert!(rb.contains("`app/views.py:"), "{rb}");
    assert!(rb.contains("```diff\n"), "{rb}");
    assert_eq!(rb.matches("<!-- sidguard:finding ").count(), 2, "{rb}");
}

#[test]
fn dry_run_with_nothing_to_say_prints_no_review() {
    let repo = Repo::new();
    repo.write(
        "app.py",
        format!("{FLASK_HEADER}{}", flask_login("a", true)),
    );
    repo.commit_all("base");
    repo.git(&["checkout", "-q", "-b", "feature"]);
    repo.write(
        "app.py",
        format!(
            "{FLASK_HEADER}{}\n\n{}",
            flask_login("a", true),
            flask_login("b", true)
        ),
    );
    repo.commit_all("clean login");
    let run = repo.sidguard(&["pr", "--base", "main", "--dry-run"]);
    assert_eq!(run.code(), 0, "{}", run.stderr());
    assert_eq!(run.stdout(), "");
    assert!(
        run.stderr().contains("nothing new to say"),
        "{}",
        run.stderr()
    );
}

#[test]
fn posts_the_dry_run_payload_with_the_token_and_prints_no_token() {
    let repo = pull_request();
    let dry = repo.sidguard(&["pr", "--base", "main"]).json();
    let server = Server::start(github(json!([]), json!([])));
    let run = post(&repo, &server);
    assert_eq!(run.code(), 1, "{}", run.stderr());
    assert_no_token(&run);
    assert!(run
        .stderr()
        .contains("posted a REQUEST_CHANGES review on acme/shop#7"));
    let reqs = server.requests();
    // Earlier reviews and comments are read before posting.
    assert!(reqs[0]
        .path
        .starts_with("/repos/acme/shop/pulls/7/reviews?"));
    assert!(reqs[1]
        .path
        .starts_with("/repos/acme/shop/pulls/7/comments?"));
    for r in &reqs {
        assert_eq!(r.auth.as_deref(), Some(format!("Bearer {TOKEN}").as_str()));
    }
    assert_eq!(server.posts(), vec![dry]);
}

#[test]
fn the_number_comes_from_the_event_file() {
    let repo = pull_request();
    let server = Server::start(github(json!([]), json!([])));
    let head = repo.git(&["rev-parse", "HEAD"]).trim().to_string();
    let event = repo.path().join("event.json");
    std::fs::write(
        &event,
        json!({"pull_request": {"number": 7, "head": {"sha": head}}}).to_string(),
    )
    .unwrap();
    let mut env = post_env(&server);
    let event_path = event.to_str().unwrap().to_string();
    env.push(("GITHUB_EVENT_PATH", &event_path));
    let run = repo.sidguard_env(".", &["pr", "--base", "main"], &env);
    assert_eq!(run.code(), 1, "{}", run.stderr());
    assert!(!run.stderr().contains("warning"), "{}", run.stderr());
    assert_eq!(server.posts().len(), 1);
    // An event for another head (non-ASCII, too) is a warning, not a crash.
    std::fs::write(
        &event,
        json!({"pull_request": {"number": 7, "head": {"sha": "aééééééééééééé\u{1b}[2J"}}})
            .to_string(),
    )
    .unwrap();
    let run = repo.sidguard_env(".", &["pr", "--base", "main", "--dry-run"], &env);
    assert_eq!(run.code(), 1, "{}", run.stderr());
    assert!(
        run.stderr().contains("is not the pull request's head"),
        "{}",
        run.stderr()
    );
    assert!(!run.stderr().contains('\u{1b}'), "{}", run.stderr());
    // An unreadable event file with a token and no --number: exit 2, named.
    std::fs::write(&event, "{ not json").unwrap();
    let run = repo.sidguard_env(".", &["pr", "--base", "main"], &env);
    assert_eq!(run.code(), 2, "{}", run.stderr());
    assert!(
        run.stderr().contains("not a JSON event payload"),
        "{}",
        run.stderr()
    );
}

#[test]
fn re_runs_do_not_duplicate_and_fixes_are_noted() {
    let repo = pull_request();
    // First run: posts.
    let first = Server::start(github(json!([]), json!([])));
    let run = post(&repo, &first);
    assert_eq!(run.code(), 1);
    let posted = first.posts().remove(0);
    // What GitHub would list afterwards: the review (changes requested) and its comments.
    let reviews = json!([{"id": 99, "state": "CHANGES_REQUESTED", "body": posted["body"]}]);
    let comments: Vec<Value> = posted["comments"]
        .as_array()
        .unwrap()
        .iter()
        .enumerate()
        .map(|(i, c)| json!({"id": 500 + i, "pull_request_review_id": 99, "path": c["path"], "line": c["line"], "body": c["body"]}))
        .collect();
    let comments = json!(comments);

    // Second run, same code: nothing new, no POST, still exits by the findings.
    let second = Server::start(github(reviews.clone(), comments.clone()));
    let run = post(&repo, &second);
    assert_eq!(run.code(), 1, "{}", run.stderr());
    assert!(run.stderr().contains("nothing new"), "{}", run.stderr());
    assert!(second.posts().is_empty());

    // Unrelated lines added above: fingerprints do not depend on line numbers.
    let text = std::fs::read_to_string(repo.path().join("app/views.py")).unwrap();
    repo.write("app/views.py", format!("# moved\n# down\n{text}"));
    repo.commit_all("shift");
    let shifted = Server::start(github(reviews.clone(), comments.clone()));
    let run = post(&repo, &shifted);
    assert_eq!(run.code(), 1, "{}", run.stderr());
    assert!(shifted.posts().is_empty(), "{:?}", shifted.posts());

    // Both fixed: one COMMENT review noting the fixes, and the earlier review dismissed.
    let text = std::fs::read_to_string(repo.path().join("app/views.py")).unwrap();
    let fixed = text.replace(
        "        session[\"user_id\"] =",
        "        session.clear()\n        session[\"user_id\"] =",
    );
    repo.write("app/views.py", fixed);
    repo.commit_all("fix");
    let third = Server::start(github(reviews, comments));
    let run = post(&repo, &third);
    assert_eq!(run.code(), 0, "{}", run.stderr());
    let posts = third.posts();
    assert_eq!(posts.len(), 1, "{posts:?}");
    assert_eq!(posts[0]["event"], "COMMENT");
    let body = posts[0]["body"].as_str().unwrap();
    assert!(body.contains("all earlier findings are fixed"), "{body}");
    assert_eq!(body.matches("<!-- sidguard:fixed ").count(), 2, "{body}");
    assert!(posts[0]["comments"].as_array().unwrap().is_empty());
    let dismissals: Vec<Req> = third
        .requests()
        .into_iter()
        .filter(|r| r.method == "PUT")
        .collect();
    assert_eq!(dismissals.len(), 1);
    assert_eq!(
        dismissals[0].path,
        "/repos/acme/shop/pulls/7/reviews/99/dismissals"
    );

    // And a run after that, with the fix review listed too, has nothing to say.
    let mut all_reviews = vec![json!({"id": 99, "state": "DISMISSED", "body": posted["body"]})];
    all_reviews.push(json!({"id": 120, "state": "COMMENTED", "body": posts[0]["body"]}));
    let fourth = Server::start(github(json!(all_reviews), json!([])));
    let run = post(&repo, &fourth);
    assert_eq!(run.code(), 0, "{}", run.stderr());
    assert!(fourth.posts().is_empty(), "{:?}", fourth.posts());
}

#[test]
fn a_422_moves_the_comments_into_the_body() {
    let repo = pull_request();
    let server = Server::start(|req, _| {
        if req.method == "POST" {
            let body: Value = serde_json::from_str(&req.body).unwrap();
            if !body["comments"].as_array().unwrap().is_empty() {
                return (
                    422,
                    json!({"message": "Unprocessable Entity", "errors": ["Pull request review thread line must be part of the diff"]}).to_string(),
                    vec![],
                );
            }
            return (201, json!({"id": 5}).to_string(), vec![]);
        }
        ok(json!([]))
    });
    let run = post(&repo, &server);
    assert_eq!(run.code(), 1, "{}", run.stderr());
    assert!(
        run.stderr().contains("must be part of the diff"),
        "{}",
        run.stderr()
    );
    let posts = server.posts();
    assert_eq!(posts.len(), 2);
    assert!(posts[1]["comments"].as_array().unwrap().is_empty());
    let body = posts[1]["body"].as_str().unwrap();
    assert_eq!(
        body.matches("<!-- sidguard:finding ").count(),
        2 + 1,
        "{body}"
    );
    assert!(body.contains("session.clear()"), "{body}");
}

#[test]
fn a_read_only_token_falls_back_to_annotations_and_exits_by_the_findings() {
    let repo = pull_request();
    let server = Server::start(|req, _| {
        if req.method == "POST" {
            // GitHub's answer for a fork's token, echoing the token to prove redaction.
            return (
                403,
                json!({"message": format!("Resource not accessible by integration ({TOKEN})")})
                    .to_string(),
                vec![],
            );
        }
        ok(json!([]))
    });
    let run = post(&repo, &server);
    assert_eq!(run.code(), 1, "{}", run.stderr());
    assert_no_token(&run);
    assert!(run
        .stderr()
        .contains("Resource not accessible by integration"));
    assert!(run.stderr().contains("***"), "{}", run.stderr());
    assert!(
        run.stdout().contains("::error file=app/views.py,line="),
        "{}",
        run.stdout()
    );
    assert_eq!(server.posts().len(), 1, "a 403 is not retried");
    // Posting prints the report in --format first; annotations are then not printed twice.
    let run = repo.sidguard_env(
        ".",
        &[
            "pr", "--base", "main", "--number", "7", "--format", "github",
        ],
        &post_env(&server),
    );
    assert_eq!(run.code(), 1, "{}", run.stderr());
    assert_eq!(
        run.stdout().matches("::error file=").count(),
        1,
        "{}",
        run.stdout()
    );
    assert_eq!(
        run.stdout().matches("::warning file=").count(),
        1,
        "{}",
        run.stdout()
    );
    assert!(
        run.stderr().contains("annotations above"),
        "{}",
        run.stderr()
    );

    // A clean pull request with a read-only token exits 0.
    let clean = Repo::new();
    clean.write("a.py", "x = 1\n");
    clean.commit_all("base");
    clean.git(&["checkout", "-q", "-b", "f"]);
    clean.write("a.py", format!("{FLASK_HEADER}{}", flask_login("ok", true)));
    clean.commit_all("clean");
    let run = post(&clean, &server);
    assert_eq!(run.code(), 0, "{}", run.stderr());
}

#[test]
fn rate_limits_and_server_errors_are_retried_a_bounded_number_of_times() {
    let repo = pull_request();
    let server = Server::start(|req, n| match (req.method.as_str(), n) {
        // The first listing is rate limited, then answered.
        ("GET", 0) => (
            429,
            json!({"message": "API rate limit exceeded"}).to_string(),
            vec![("Retry-After", "0".to_string())],
        ),
        ("GET", _) => ok(json!([])),
        // The first post meets a server error, the second succeeds.
        ("POST", 3) => (502, "<html>bad gateway</html>".into(), vec![]),
        ("POST", _) => (201, json!({"id": 1}).to_string(), vec![]),
        _ => (404, "{}".into(), vec![]),
    });
    let run = post(&repo, &server);
    assert_eq!(run.code(), 1, "{}", run.stderr());
    let reqs = server.requests();
    assert_eq!(reqs.len(), 5, "{reqs:?}");
    assert_eq!(server.posts().len(), 2);
    assert!(
        run.stderr().contains("posted a REQUEST_CHANGES review"),
        "{}",
        run.stderr()
    );

    // A server that always fails: bounded attempts, exit 2, annotations printed, no token.
    let down = Server::start(|req, _| {
        if req.method == "POST" {
            (503, json!({"message": "unavailable"}).to_string(), vec![])
        } else {
            ok(json!([]))
        }
    });
    let run = post(&repo, &down);
    assert_eq!(run.code(), 2, "{}", run.stderr());
    assert_eq!(down.posts().len(), 4);
    assert!(run.stderr().contains("HTTP 503"), "{}", run.stderr());
    assert!(run.stdout().contains("::error file="), "{}", run.stdout());
    assert_no_token(&run);
}

#[test]
fn comment_event_and_usage_errors() {
    let repo = pull_request();
    let run = repo.sidguard(&["pr", "--base", "main", "--event", "comment"]);
    assert_eq!(run.json()["event"], "COMMENT");
    assert_eq!(run.code(), 1);
    // Posting without a repository is a usage error, not a silent dry run.
    let run = repo.sidguard_env(
        ".",
        &["pr", "--base", "main", "--number", "7"],
        &[("GITHUB_TOKEN", TOKEN)],
    );
    assert_eq!(run.code(), 2);
    assert!(
        run.stderr().contains("GITHUB_REPOSITORY"),
        "{}",
        run.stderr()
    );
    assert_no_token(&run);
    let run = repo.sidguard(&["pr", "--base", "nope"]);
    assert_eq!(run.code(), 2);
    assert!(
        run.stderr().contains("unknown revision `nope`"),
        "{}",
        run.stderr()
    );
}

/// `--format` is never ignored: a dry run with a format other than text prints the report in
/// it (the SARIF a posting run would print for code scanning), not the review's JSON.
#[test]
fn dry_run_honours_the_format() {
    let repo = pull_request();
    let run = repo.sidguard(&["pr", "--base", "main", "--dry-run", "--format", "sarif"]);
    assert_eq!(run.code(), 1, "{}", run.stderr());
    let sarif = run.json();
    assert_eq!(sarif["version"], "2.1.0", "{sarif:#}");
    assert_eq!(sarif["runs"][0]["results"].as_array().unwrap().len(), 2);
    assert!(
        run.stderr().contains("dry run: nothing posted"),
        "{}",
        run.stderr()
    );
    let run = repo.sidguard(&["pr", "--base", "main", "--dry-run", "--format", "github"]);
    assert!(
        run.stdout().contains("\n::error file=app/views.py"),
        "{}",
        run.stdout()
    );
    // Without --format: the review's JSON, as before.
    let run = repo.sidguard(&["pr", "--base", "main", "--dry-run"]);
    assert_eq!(run.json()["event"], "REQUEST_CHANGES");
}
