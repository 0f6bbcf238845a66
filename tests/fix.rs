//! `sidguard scan --fix` and `--diff`, on temporary copies of the examples and fixtures.

mod common;

use std::path::Path;

use common::{flask_login, Repo, FLASK_HEADER};

/// Copies `examples/` (a Flask and a Django app, four SID001 findings with patches) into `r`.
fn copy_examples(r: &Repo) {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("examples");
    for rel in ["flask_app/app.py", "django_app/views.py"] {
        r.write(rel, std::fs::read(root.join(rel)).unwrap());
    }
}

fn read(r: &Repo, rel: &str) -> String {
    std::fs::read_to_string(r.path().join(rel)).unwrap()
}

fn fingerprints(r: &Repo) -> Vec<String> {
    let run = r.sidguard(&["scan", "--format", "json"]);
    run.json()["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["fingerprint"].as_str().unwrap().to_string())
        .collect()
}

#[test]
fn diff_prints_the_fixes_and_writes_nothing() {
    let r = Repo::new();
    copy_examples(&r);
    let before = (
        read(&r, "flask_app/app.py"),
        read(&r, "django_app/views.py"),
    );
    let run = r.sidguard(&["scan", "--diff"]);
    assert_eq!(
        run.code(),
        1,
        "the findings are still there: {}",
        run.stderr()
    );
    let diff = run.stdout();
    assert!(
        diff.starts_with("--- a/django_app/views.py\n+++ b/django_app/views.py\n@@ "),
        "{diff}"
    );
    assert!(
        diff.contains("\n+        request.session.cycle_key()\n"),
        "{diff}"
    );
    assert!(
        diff.contains("--- a/flask_app/app.py\n+++ b/flask_app/app.py\n"),
        "{diff}"
    );
    assert_eq!(
        diff.matches("\n+        session.clear()\n").count(),
        1,
        "{diff}"
    );
    assert_eq!(
        diff.matches("\n+    session.clear()\n").count(),
        1,
        "{diff}"
    );
    // Only the fixes: no report on stdout.
    assert!(!diff.contains("error[SID001]"));
    assert_eq!(
        (
            read(&r, "flask_app/app.py"),
            read(&r, "django_app/views.py")
        ),
        before,
        "nothing written"
    );
    let err = run.stderr();
    assert!(
        err.contains("sidguard: would fix 2 findings in django_app/views.py"),
        "{err}"
    );
    assert!(
        err.contains("sidguard: would fix 4 of 4 findings in 2 files; 0 left"),
        "{err}"
    );
    // The diff applies as it is, and what it fixes is fixed.
    r.write("fixes.diff", &diff);
    r.git(&["apply", "fixes.diff"]);
    let after = r.sidguard(&["scan"]);
    assert_eq!(after.code(), 0, "{}", after.stdout());
}

#[test]
fn fix_writes_the_fixes_and_reports_what_is_left() {
    let r = Repo::plain();
    copy_examples(&r);
    let fixed_before = fingerprints(&r);
    assert_eq!(fixed_before.len(), 4);
    let run = r.sidguard(&["scan", "--fix"]);
    assert_eq!(run.code(), 0, "{}\n{}", run.stdout(), run.stderr());
    assert!(
        run.stdout().contains("sidguard: no findings in 2 files"),
        "the report is of the files as fixed: {}",
        run.stdout()
    );
    assert!(
        run.stderr()
            .contains("sidguard: fixed 4 of 4 findings in 2 files; 0 left"),
        "{}",
        run.stderr()
    );
    let flask = read(&r, "flask_app/app.py");
    assert!(
        flask.contains("        session.clear()\n        session[\"user_id\"] = user.id\n"),
        "{flask}"
    );
    assert!(read(&r, "django_app/views.py").contains(
        "        request.session.cycle_key()\n        request.session[\"user_id\"] = user.pk\n"
    ));
    // Scanning again reports none of them, and a second --fix changes nothing.
    assert!(fingerprints(&r).is_empty());
    let again = r.sidguard(&["scan", "--fix"]);
    assert_eq!(again.code(), 0);
    assert_eq!(read(&r, "flask_app/app.py"), flask);
}

#[test]
fn only_safe_patches_are_applied_and_the_rest_is_left_with_why() {
    let r = Repo::plain();
    // SID001 with a safe patch (session.clear()); SID006, a lifetime (policy: left);
    // SID005, a cookie flag turned back on (one line: fixed); SID004, a deletion (left).
    let app = format!(
        "{}from datetime import timedelta\napp.config[\"PERMANENT_SESSION_LIFETIME\"] = timedelta(days=365)\napp.config[\"SESSION_COOKIE_HTTPONLY\"] = False\n\n\n{}\n\ndef resume():\n    session.sid = request.args[\"sid\"]\n    return \"ok\"\n",
        FLASK_HEADER.trim_end(),
        flask_login("login", false)
    )
    .replace("app = Flask(__name__)", "app = Flask(__name__)\n");
    r.write("app.py", &app);
    let before = r.sidguard(&["scan", "--format", "json"]);
    let rules: Vec<String> = before.findings().into_iter().map(|f| f.0).collect();
    assert_eq!(
        rules,
        vec!["SID006", "SID005", "SID001", "SID004"],
        "{}",
        before.stdout()
    );
    let run = r.sidguard(&["scan", "--fix", "--format", "concise"]);
    let err = run.stderr();
    assert!(
        err.contains("sidguard: fixed 2 findings in app.py"),
        "{err}"
    );
    assert!(
        err.contains(
            "sidguard: left in app.py: SID006 in <module> (line 6): changes a session lifetime"
        ),
        "{err}"
    );
    assert!(
        err.contains(
            "sidguard: left in app.py: SID004 in resume (line 18): the patch deletes code"
        ),
        "{err}"
    );
    assert!(
        err.contains("fixed 2 of 4 findings in 1 file; 2 left"),
        "{err}"
    );
    let now = read(&r, "app.py");
    assert!(now.contains("SESSION_COOKIE_HTTPONLY\"] = True\n"), "{now}");
    assert!(now.contains("timedelta(days=365)"), "{now}");
    assert!(
        now.contains("    session.sid = request.args[\"sid\"]\n"),
        "{now}"
    );
    // What is left is what the report shows; the fixed ones are gone.
    let report = run.stdout();
    let left: Vec<&str> = report.lines().collect();
    assert_eq!(left.len(), 3, "{}", run.stdout());
    assert!(
        left[0].contains(" SID006 ") && left[1].contains(" SID004 "),
        "{left:?}"
    );
    assert_eq!(run.code(), 1, "SID004 still blocks");
}

#[test]
fn a_fix_needing_an_import_is_left() {
    let r = Repo::plain();
    // starsessions: the fix calls regenerate_session_id, which this file does not import.
    let app = "from starlette.applications import Starlette\nfrom starsessions import SessionMiddleware\n\n\nasync def login(request):\n    form = await request.form()\n    if verify_password(form[\"user\"], form[\"password\"]):\n        request.session[\"user_id\"] = form[\"user\"]\n    return None\n";
    r.write("app.py", app);
    let run = r.sidguard(&["scan", "--fix"]);
    assert!(
        run.stderr().contains(
            "the patch calls `regenerate_session_id`, which this file does not define or import"
        ),
        "{}",
        run.stderr()
    );
    assert_eq!(read(&r, "app.py"), app);
    // With the import, the same patch is applied.
    let imported = app.replace(
        "from starsessions import SessionMiddleware",
        "from starsessions import SessionMiddleware, regenerate_session_id",
    );
    r.write("app.py", &imported);
    let run = r.sidguard(&["scan", "--fix"]);
    assert_eq!(run.code(), 0, "{}\n{}", run.stdout(), run.stderr());
    assert!(read(&r, "app.py")
        .contains("        regenerate_session_id(request)\n        request.session[\"user_id\"]"));
}

#[test]
fn fix_keeps_crlf_line_endings() {
    let r = Repo::plain();
    let app = format!("{FLASK_HEADER}{}", flask_login("login", false)).replace('\n', "\r\n");
    r.write("app.py", &app);
    let run = r.sidguard(&["scan", "--fix"]);
    assert_eq!(run.code(), 0, "{}", run.stderr());
    let now = read(&r, "app.py");
    assert!(
        now.contains("        session.clear()\r\n        session[\"user_id\"]"),
        "{now:?}"
    );
    assert_eq!(
        now.matches('\n').count(),
        now.matches("\r\n").count(),
        "{now:?}"
    );
    assert_eq!(now.lines().count(), app.lines().count() + 1);
}

/// Three identity writes in a row get one regeneration, before the first: a second one
/// before the third write would erase the first two.
#[test]
fn a_run_of_writes_gets_one_insertion() {
    let r = Repo::new();
    r.write(
        "views.py",
        "from pyramid.httpexceptions import HTTPFound\n\
         from onelogin.saml2.auth import OneLogin_Saml2_Auth\n\
         \n\
         \n\
         def acs(request):\n\
         \x20   auth = OneLogin_Saml2_Auth(request.POST, {})\n\
         \x20   auth.process_response()\n\
         \x20   if not auth.get_errors():\n\
         \x20       request.session[\"saml_user_data\"] = auth.get_attributes()\n\
         \x20       request.session[\"saml_name_id\"] = auth.get_nameid()\n\
         \x20       request.session[\"saml_session_index\"] = auth.get_session_index()\n\
         \x20   return HTTPFound(\"/\")\n",
    );
    let run = r.sidguard(&["scan", "--diff"]);
    assert_eq!(run.code(), 1, "{}", run.stderr());
    let diff = run.stdout();
    assert_eq!(
        diff.matches("+        request.session.invalidate()\n")
            .count(),
        1,
        "{diff}"
    );
    assert!(
        diff.contains(
            "+        request.session.invalidate()\n         request.session[\"saml_user_data\"]"
        ),
        "{diff}"
    );
}
