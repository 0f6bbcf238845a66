//! The scan's pre-filter skips files and functions that cannot produce a finding. It must
//! never change what `scan` reports: the same findings with it on and off, over every fixture
//! set and over a large generated tree that mixes the fixtures with unrelated code and with
//! helpers called across modules (the case the filter's second step exists for).

use std::collections::BTreeSet;
use std::path::Path;

use sidguard::{check, source};

mod common;

type Key = (String, usize, usize, String, String, bool);

fn findings(dir: &str, no_prefilter: bool) -> (BTreeSet<Key>, usize) {
    let input = source::files::scan(&[dir.to_string()]).unwrap();
    let opts = check::Options {
        no_prefilter,
        ..check::Options::default()
    };
    let o = check::run_with(input, &opts);
    let set = o
        .findings
        .iter()
        .map(|f| {
            (
                f.path.clone(),
                f.span.line,
                f.span.column,
                f.rule.to_string(),
                f.message.clone(),
                f.blocking,
            )
        })
        .collect();
    (set, o.skipped.len())
}

fn same(dir: &str) -> usize {
    let (on, skipped_on) = findings(dir, false);
    let (off, skipped_off) = findings(dir, true);
    assert_eq!(on, off, "pre-filter changed the findings in {dir}");
    assert_eq!(skipped_on, skipped_off, "skips differ in {dir}");
    on.len()
}

#[test]
fn same_findings_on_every_fixture_set() {
    let mut total = 0;
    for root in ["tests/fixtures/sid001", "tests/fixtures/rules"] {
        for entry in std::fs::read_dir(root).unwrap() {
            let p = entry.unwrap().path();
            total += same(&p.to_string_lossy());
        }
    }
    total += same("examples");
    assert!(total > 80, "the fixtures have findings to compare: {total}");
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let p = entry.unwrap().path();
        let dest = to.join(p.file_name().unwrap());
        if p.is_dir() {
            copy_dir(&p, &dest);
        } else {
            std::fs::copy(&p, &dest).unwrap();
        }
    }
}

#[test]
fn same_findings_on_a_large_generated_tree() {
    let tree = common::Repo::plain();
    let root = tree.path();
    // Every fixture set as a package of one project.
    for (i, set) in [
        "flask_session",
        "django",
        "cross_module",
        "aiohttp",
        "pyramid",
    ]
    .iter()
    .enumerate()
    {
        copy_dir(
            &Path::new("tests/fixtures/sid001").join(set),
            &root.join(format!("pkg{i}")),
        );
    }
    copy_dir(Path::new("tests/fixtures/rules/django"), &root.join("site"));
    // Helpers whose files pass by their text, called from files that do not.
    tree.write("app/__init__.py", "");
    tree.write(
        "app/auth_helpers.py",
        "from flask import session\n\n\ndef remember_member(user):\n    session['user_id'] = user.id\n\n\ndef via_local(user):\n    remember_member(user)\n\n\ndef put_user(user):\n    session['uid'] = user.id\n",
    );
    // A package whose `__init__` holds the helper, called through a relative import that
    // never spells the package's name.
    tree.write(
        "app/members/__init__.py",
        "from flask import session\n\n\ndef seat(user):\n    session['user_id'] = user.id\n",
    );
    tree.write(
        "app/members/views.py",
        "from . import seat\n\n\ndef login(user, pw):\n    if user.check_password(pw):\n        seat(user)\n",
    );
    // A file without any framework word that calls a writing helper after a credential
    // check done by a helper in another file without one either.
    tree.write(
        "app/checks.py",
        "from werkzeug.security import check_password_hash\n\n\ndef verify(user, pw):\n    return check_password_hash(user.pw_hash, pw)\n",
    );
    tree.write(
        "app/plain_login.py",
        "from app.auth_helpers import put_user\nfrom app.checks import verify\n\n\ndef login(user, pw):\n    if verify(user, pw):\n        put_user(user)\n",
    );
    for i in 0..500 {
        let body = match i % 5 {
            // Calls a writing helper after a password check: SID001 in a file without
            // any session word.
            0 => format!(
                "from app.auth_helpers import remember_member\nfrom werkzeug.security import check_password_hash\n\n\ndef login_{i}(user, pw):\n    if check_password_hash(user.pw, pw):\n        remember_member(user)\n"
            ),
            1 => format!(
                "from app import auth_helpers\n\n\ndef login_{i}(user, pw):\n    if user.check_password(pw):\n        auth_helpers.via_local(user)\n"
            ),
            // Unrelated code.
            2 => format!(
                "import os\n\n\nclass Thing{i}:\n    def total(self, items):\n        t = 0\n        for x in items:\n            if x > {i}:\n                t += x\n        return t\n"
            ),
            // Aliased framework names (no filter word in the function); a session ID from
            // the request in a file that imports no framework; `session` in another sense.
            3 => match i % 3 {
                0 => format!(
                    "from flask_login import login_user as sign_in\nfrom flask import session as s\n\n\ndef login_{i}(user, pw):\n    if user.check_password(pw):\n        sign_in(user)\n\n\ndef role_{i}(user):\n    if user.check_password('x'):\n        s['user_id'] = user.id\n\n\ndef out_{i}():\n    s.pop('user_id')\n"
                ),
                1 if i % 2 == 0 => format!(
                    "from app.auth_helpers import put_user as keep\n\n\ndef login_{i}(user, pw):\n    if user.check_password(pw):\n        keep(user)\n"
                ),
                1 => format!(
                    "def adopt_{i}(request, store):\n    sess = store.load()\n    sess.sid = request.args['sid']\n    return sess\n\n\ndef ssl_{i}(sock):\n    session = sock.session\n    return session\n"
                ),
                _ => format!(
                    "import flask as f\n\n\ndef login_{i}(user, pw):\n    if user.check_password(pw):\n        f.session['user_id'] = user.id\n"
                ),
            },
            _ => format!(
                "def compute_{i}(a, b):\n    while a < b:\n        a += 1\n        if a % 7 == 0:\n            break\n    return a\n"
            ),
        };
        tree.write(&format!("app/mod_{i}.py"), body);
    }
    let n = same(&root.to_string_lossy());
    assert!(n > 200, "the generated tree has findings: {n}");
    // The `app` package alone is no Django project: there `request.session` means nothing
    // by itself, and files without a framework word take the filter's narrow path.
    let n = same(&root.join("app").to_string_lossy());
    assert!(n > 200, "the app package has findings: {n}");
}
