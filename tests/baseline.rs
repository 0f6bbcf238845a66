//! Adopting sidguard in an old codebase: each finding's stable `fingerprint`, and
//! `--baseline FILE` (sidguard's own JSON output) to hide the findings already accepted.

mod common;

use common::{flask_login, Repo, FLASK_HEADER};

fn fingerprints(run: &common::Run) -> Vec<String> {
    run.json()["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            f["fingerprint"]
                .as_str()
                .expect("a fingerprint")
                .to_string()
        })
        .collect()
}

fn scan_fps(r: &Repo) -> Vec<String> {
    let run = r.sidguard(&["scan", "app.py", "--format", "json"]);
    assert_eq!(run.code(), 1, "{}", run.stdout());
    fingerprints(&run)
}

#[test]
fn the_fingerprint_ignores_line_numbers_and_whitespace_but_not_the_code() {
    let r = Repo::plain();
    r.write(
        "app.py",
        format!("{FLASK_HEADER}{}", flask_login("login", false)),
    );
    let fp = scan_fps(&r);
    assert_eq!(fp.len(), 1);
    assert_eq!(fp[0].len(), 32);
    assert!(fp[0].chars().all(|c| c.is_ascii_hexdigit()), "{}", fp[0]);
    // Code added above (a new function, comments): the finding keeps its fingerprint.
    r.write(
        "app.py",
        format!(
            "{FLASK_HEADER}# moved down\n\n\ndef other():\n    return 1\n\n\n{}",
            flask_login("login", false)
        ),
    );
    assert_eq!(scan_fps(&r), fp);
    // Re-spaced flagged line: the same.
    r.write(
        "app.py",
        format!("{FLASK_HEADER}{}", flask_login("login", false)).replace(
            "session[\"user_id\"] = user.id",
            "session[\"user_id\"]  =  user.id",
        ),
    );
    assert_eq!(scan_fps(&r), fp);
    // Another function, another file, other code: another finding.
    r.write(
        "app.py",
        format!("{FLASK_HEADER}{}", flask_login("sign_in", false)),
    );
    assert_ne!(scan_fps(&r), fp);
    r.write(
        "app.py",
        format!("{FLASK_HEADER}{}", flask_login("login", false)).replace(
            "session[\"user_id\"] = user.id",
            "session[\"uid\"] = user.id",
        ),
    );
    assert_ne!(scan_fps(&r), fp);
}

#[test]
fn every_format_and_mode_carries_the_same_fingerprint() {
    let r = Repo::new();
    r.write("README", "x\n");
    r.commit_all("base");
    r.write(
        "app.py",
        format!("{FLASK_HEADER}{}", flask_login("login", false)),
    );
    let fp = scan_fps(&r)[0].clone();
    r.git(&["add", "app.py"]);
    let staged = r.sidguard(&["staged", "--format", "json"]);
    assert_eq!(fingerprints(&staged), vec![fp.clone()]);
    let sarif = r.sidguard(&["staged", "--format", "sarif"]).json();
    assert_eq!(
        sarif["runs"][0]["results"][0]["partialFingerprints"]["sidguardFinding/v1"],
        fp.as_str()
    );
    let gitlab = r.sidguard(&["staged", "--format", "gitlab"]).json();
    assert_eq!(gitlab[0]["fingerprint"], fp.as_str());
    r.git(&["commit", "-q", "-m", "app"]);
    let diff = r.sidguard(&["diff", "HEAD~1", "--format", "json"]);
    assert_eq!(fingerprints(&diff), vec![fp.clone()]);
    // The review's hidden marker, which a re-run matches, is the same fingerprint.
    let review = r.sidguard(&["pr", "--base", "HEAD~1", "--dry-run"]).json();
    let body = review["comments"][0]["body"].as_str().unwrap();
    assert!(
        body.contains(&format!("<!-- sidguard:finding {fp} ")),
        "{body}"
    );
}
