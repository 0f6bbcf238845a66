//! SID002-SID006 through the real binary in the diff modes: only what a change introduces
//! blocks, settings count only on changed lines, and configuration covers every rule.

mod common;

use common::Repo;

const SETTINGS: &str =
    "SECRET_KEY = 'x'\nSESSION_COOKIE_HTTPONLY = True\nSESSION_COOKIE_AGE = 3600\n";

fn rules_of(run: &common::Run) -> Vec<(String, u64, bool)> {
    run.findings()
        .into_iter()
        .map(|(rule, _, line, blocking)| (rule, line, blocking))
        .collect()
}

/// `sidguard scan PATHS --format json`, parsed.
fn scan_json(paths: &[&str]) -> serde_json::Value {
    let out = std::process::Command::new(common::bin())
        .arg("scan")
        .args(paths)
        .args(["--format", "json"])
        .output()
        .unwrap();
    serde_json::from_slice(&out.stdout).unwrap()
}

#[test]
fn a_weakened_cookie_flag_blocks_only_when_the_change_writes_it() {
    let r = Repo::new();
    r.write("mysite/settings.py", SETTINGS);
    r.commit_all("settings");
    // Turning HttpOnly off is a change that blocks.
    r.write(
        "mysite/settings.py",
        SETTINGS.replace("HTTPONLY = True", "HTTPONLY = False"),
    );
    r.git(&["add", "-A"]);
    let run = r.sidguard(&["staged", "--format", "json"]);
    assert_eq!(run.code(), 1, "{}", run.stdout());
    assert_eq!(rules_of(&run), vec![("SID005".to_string(), 2, true)]);
    r.git(&["commit", "-q", "--no-verify", "-m", "weaken"]);
    // A change elsewhere in the file does not report the old setting.
    r.write(
        "mysite/settings.py",
        SETTINGS.replace("HTTPONLY = True", "HTTPONLY = False") + "TIME_ZONE = 'UTC'\n",
    );
    r.git(&["add", "-A"]);
    let run = r.sidguard(&["staged", "--format", "json"]);
    assert_eq!(run.code(), 0, "{}", run.stdout());
    assert!(run.findings().is_empty(), "{}", run.stdout());
}

#[test]
fn a_long_lifetime_warns_and_severity_configuration_makes_it_block() {
    let r = Repo::new();
    r.write("mysite/settings.py", SETTINGS);
    r.commit_all("settings");
    r.write(
        "mysite/settings.py",
        SETTINGS.replace("AGE = 3600", "AGE = 60 * 60 * 24 * 365"),
    );
    r.git(&["add", "-A"]);
    let run = r.sidguard(&["staged", "--format", "json"]);
    assert_eq!(run.code(), 0, "a warning does not block: {}", run.stdout());
    assert_eq!(rules_of(&run), vec![("SID006".to_string(), 3, false)]);
    // A higher threshold accepts a year; severity makes SID006 block.
    r.write(".sidguard.toml", "max-session-lifetime-days = 400\n");
    r.git(&["add", "-A"]);
    let run = r.sidguard(&["staged", "--format", "json"]);
    assert!(run.findings().is_empty(), "{}", run.stdout());
    r.write(".sidguard.toml", "[severity]\nSID006 = \"error\"\n");
    r.git(&["add", "-A"]);
    let run = r.sidguard(&["staged", "--format", "json"]);
    assert_eq!(run.code(), 1, "{}", run.stdout());
    // And `disable` turns it off.
    r.write(
        ".sidguard.toml",
        "disable = [\"unbounded-session-lifetime\"]\n",
    );
    r.git(&["add", "-A"]);
    assert_eq!(r.sidguard(&["staged"]).code(), 0);
    // Bad values are configuration errors (exit 2).
    r.write(".sidguard.toml", "[severity]\nSID999 = \"error\"\n");
    r.git(&["add", "-A"]);
    let run = r.sidguard(&["staged"]);
    assert_eq!(run.code(), 2);
    assert!(
        run.stderr().contains("unknown rule `SID999`"),
        "{}",
        run.stderr()
    );
    r.write(".sidguard.toml", "[severity]\nSID002 = \"fatal\"\n");
    r.git(&["add", "-A"]);
    assert_eq!(r.sidguard(&["staged"]).code(), 2);
}

const DJANGO_VIEWS: &str = "from django.shortcuts import redirect\n\n\ndef logout_view(request):\n    request.session.flush()\n    return redirect('/')\n\n\ndef sudo(request):\n    if request.user.check_password(request.POST['p']):\n        request.session.cycle_key()\n        request.session['sudo'] = True\n    return redirect('/')\n";

#[test]
fn logout_and_privilege_regressions_block_in_a_commit() {
    let r = Repo::new();
    r.write("app/views.py", DJANGO_VIEWS);
    r.commit_all("views");
    assert_eq!(r.sidguard(&["diff", "HEAD"]).code(), 0);
    // Replace flush() by a key removal, and drop the cycle_key().
    r.write(
        "app/views.py",
        DJANGO_VIEWS
            .replace("request.session.flush()", "del request.session['user_id']")
            .replace("        request.session.cycle_key()\n", ""),
    );
    r.git(&["add", "-A"]);
    let run = r.sidguard(&["staged", "--format", "json"]);
    assert_eq!(run.code(), 1, "{}", run.stdout());
    let got: Vec<String> = rules_of(&run).into_iter().map(|f| f.0).collect();
    assert_eq!(got, vec!["SID003", "SID002"], "{}", run.stdout());
    // The text report explains with the Django fix.
    let text = r.sidguard(&["staged", "--color", "never"]).stdout();
    assert!(text.contains("request.session.flush()"), "{text}");
    assert!(text.contains("request.session.cycle_key()"), "{text}");
    // Suppressed with a reason, it passes.
    r.write(
        "app/views.py",
        DJANGO_VIEWS
            .replace(
                "request.session.flush()",
                "del request.session['user_id']  # sidguard: ignore[SID003] session ends in middleware",
            )
            .replace("        request.session.cycle_key()\n", ""),
    );
    r.git(&["add", "-A"]);
    let run = r.sidguard(&["staged", "--format", "json"]);
    let got: Vec<String> = rules_of(&run).into_iter().map(|f| f.0).collect();
    assert_eq!(got, vec!["SID002"], "{}", run.stdout());
}

#[test]
fn session_id_from_the_query_string_blocks_in_diff_mode() {
    let r = Repo::new();
    r.write(
        "app.py",
        "from flask import session, request\n\n\ndef resume():\n    return 'ok'\n",
    );
    r.commit_all("one");
    r.write(
        "app.py",
        "from flask import session, request\n\n\ndef resume():\n    session.sid = request.args['sid']\n    return 'ok'\n",
    );
    r.commit_all("two");
    let run = r.sidguard(&["diff", "HEAD~1", "HEAD", "--format", "json"]);
    assert_eq!(run.code(), 1, "{}", run.stdout());
    assert_eq!(rules_of(&run), vec![("SID004".to_string(), 5, true)]);
}

#[test]
fn rules_lists_all_six_with_their_defaults() {
    let r = Repo::plain();
    let out = r.sidguard(&["rules"]).stdout();
    for (code, name, level) in [
        ("SID001", "login-without-regeneration", "error"),
        ("SID002", "privilege-change-without-regeneration", "error"),
        ("SID003", "logout-without-invalidation", "error"),
        ("SID004", "session-id-from-request", "error"),
        ("SID005", "insecure-session-cookie", "error"),
        ("SID006", "unbounded-session-lifetime", "warning"),
    ] {
        let line = out
            .lines()
            .find(|l| l.contains(code))
            .unwrap_or_else(|| panic!("{code} missing:\n{out}"));
        assert!(line.contains(name) && line.contains(level), "{line}");
    }
    for code in ["SID002", "SID003", "SID004", "SID005", "SID006"] {
        let doc = r.sidguard(&["explain", code]).stdout();
        assert!(doc.starts_with(&format!("# {code} ")), "{doc}");
        for section in [
            "## What it does",
            "## Why is this bad?",
            "## Example",
            "## Use instead",
            "## References",
        ] {
            assert!(doc.contains(section), "{code}: {section} in:\n{doc}");
        }
    }
}

/// A finding raised at the call of a helper in another module patches the session the caller
/// handed it (`request.session` on Django), not a bare `session` the caller never bound.
#[test]
fn a_helper_call_finding_patches_the_session_the_caller_handed_it() {
    let json = scan_json(&["tests/fixtures/rules/logout_helpers"]);
    let at_call = json["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["path"].as_str().unwrap().ends_with("views.py"))
        .expect("the logout calling the helper is reported");
    assert_eq!(at_call["rule"], "SID003");
    let patch = at_call["remediation"]["patch"].as_str().unwrap();
    assert!(
        patch.contains("+        request.session.flush()"),
        "{patch}"
    );
}

/// A helper reached through a package's submodule (`flows.signin.start()`) is named as the
/// call spells it, not shortened to a name the code never wrote (`flows.start()`).
#[test]
fn a_helper_call_finding_names_the_call_as_written() {
    let json = scan_json(&["tests/fixtures/rules/helper_chains"]);
    let sid001 = json["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["rule"] == "SID001")
        .expect("the view calling the helper chain is reported");
    let message = sid001["message"].as_str().unwrap();
    assert!(message.contains("`flows.signin.start()`"), "{message}");
}

/// CherryPy's fix in a module that does not import `cherrypy` (the write is in a helper of
/// another module) says to import it.
#[test]
fn a_cherrypy_fix_adds_its_import() {
    let json = scan_json(&["tests/fixtures/sid001/method_chains"]);
    let findings = json["findings"].as_array().unwrap();
    let summary = |f: &serde_json::Value| f["remediation"]["summary"].as_str().unwrap().to_string();
    let import = "add `import cherrypy` to the module's imports";
    let (forms, others): (Vec<_>, Vec<_>) = findings
        .iter()
        .partition(|f| f["path"].as_str().unwrap().ends_with("forms.py"));
    assert!(!forms.is_empty() && !others.is_empty(), "{findings:?}");
    for f in forms {
        let s = summary(f);
        assert!(
            s.contains("cherrypy.session.regenerate()") && s.contains(import),
            "{s}"
        );
    }
    // A module that imports cherrypy needs nothing added.
    for f in others {
        let s = summary(f);
        assert!(
            s.contains("cherrypy.session.regenerate()") && !s.contains(import),
            "{s}"
        );
    }
}

/// A login whose write is in a helper of another module: the fix names a session the
/// handler can reach. Starlette's is the request's (`request.session`), Quart's the proxy
/// (with the import to add when the module binds none), Beaker's the WSGI environ's.
#[test]
fn a_helper_login_fix_names_a_reachable_session() {
    let json = scan_json(&["tests/fixtures/sid001/helper_fixes"]);
    let findings = json["findings"].as_array().unwrap();
    let fix = |name: &str| {
        let f = findings
            .iter()
            .find(|f| f["path"].as_str().unwrap().ends_with(name))
            .unwrap_or_else(|| panic!("a finding in {name}: {findings:?}"));
        (
            f["remediation"]["summary"].as_str().unwrap().to_string(),
            f["remediation"]["patch"].as_str().unwrap().to_string(),
        )
    };
    let (_, patch) = fix("starlette_views.py");
    assert!(patch.contains("+    request.session.clear()"), "{patch}");
    let (summary, patch) = fix("quart_views.py");
    assert!(patch.contains("+        session.clear()"), "{patch}");
    assert!(
        summary.contains("add `from quart import session` to the module's imports"),
        "{summary}"
    );
    let (_, patch) = fix("bottle_views.py");
    assert!(
        patch.contains(r#"+        request.environ["beaker.session"].regenerate_id()"#),
        "{patch}"
    );
}

/// A fix is written in names the function binds: the session of the request a helper was
/// handed by keyword (`request=self.request` -> `self.request.session`), and Flask's
/// `session` with the import to add when the module does not import it.
#[test]
fn a_fix_names_what_the_code_binds() {
    let json = scan_json(&[
        "tests/fixtures/rules/django_accounts",
        "tests/fixtures/rules/flask_wrappers",
    ]);
    let findings = json["findings"].as_array().unwrap();
    let in_file = |name: &str| {
        findings
            .iter()
            .find(|f| f["path"].as_str().unwrap().ends_with(name))
            .unwrap_or_else(|| panic!("a finding in {name}"))
    };
    let form = in_file("forms.py");
    let patch = form["remediation"]["patch"].as_str().unwrap();
    assert!(
        patch.contains("+        self.request.session.cycle_key()"),
        "{patch}"
    );
    let logout = in_file("flask_wrappers/views.py");
    let summary = logout["remediation"]["summary"].as_str().unwrap();
    assert!(
        summary.contains("add `from flask import session` to the module's imports"),
        "{summary}"
    );
    // Removals that raise on an emptied session (`pop` without a default): the session is
    // ended after the last of them, not before the first.
    let pops = findings
        .iter()
        .find(|f| f["message"].as_str().unwrap().contains("flask_session.pop"))
        .expect("the logout popping the keys is reported");
    let patch = pops["remediation"]["patch"].as_str().unwrap();
    let clear = patch.find("+    flask_session.clear()").expect(patch);
    assert!(
        patch.find("flask_session.pop(\"_fresh\")").unwrap() < clear,
        "{patch}"
    );
}

/// A file named twice on the command line (by itself and inside a directory also named, or
/// as `./path`) is checked once: each finding is reported once.
#[test]
fn a_file_named_twice_is_checked_once() {
    let dir = "tests/fixtures/sid001/pin_gate";
    let once = scan_json(&[dir]);
    let twice = scan_json(&[
        dir,
        "tests/fixtures/sid001/pin_gate/gate/views.py",
        "./tests/fixtures/sid001/pin_gate/gate/views.py",
    ]);
    let count = |j: &serde_json::Value| j["findings"].as_array().unwrap().len();
    assert!(count(&once) > 0);
    assert_eq!(count(&once), count(&twice), "{twice}");
}
