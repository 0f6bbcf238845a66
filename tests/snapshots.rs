//! Snapshots of what a user sees: the text report (without colour) and the JSON report for
//! each fixture set. A change to the output shows up in review as a `.snap` diff.

use sidguard::report::{self, Format};
use sidguard::{check, source};

fn outcome(dir: &str) -> check::Outcome {
    let dir = if dir.contains('/') {
        format!("tests/fixtures/{dir}")
    } else {
        format!("tests/fixtures/sid001/{dir}")
    };
    let input = source::files::scan(&[dir]).unwrap();
    check::run(input, false)
}

macro_rules! snap {
    ($name:ident, $dir:expr) => {
        #[test]
        fn $name() {
            let o = outcome($dir);
            insta::assert_snapshot!(
                concat!(stringify!($name), "_text"),
                report::render(&o, Format::Text, false)
            );
            insta::assert_snapshot!(
                concat!(stringify!($name), "_json"),
                report::render(&o, Format::Json, false)
            );
        }
    };
}

snap!(flask_cookie, "flask_cookie");
snap!(flask_session, "flask_session");
snap!(flask_kvsession, "flask_kvsession");
snap!(django, "django");
snap!(not_web_sessions, "not_web_sessions");
snap!(starlette, "starlette");
snap!(starsessions, "starsessions");
snap!(pyramid, "pyramid");
snap!(pyramid_cookie, "pyramid_cookie");
snap!(aiohttp, "aiohttp");
snap!(quart, "quart");
snap!(quart_session, "quart_session");
snap!(bottle_beaker, "bottle_beaker");
snap!(cherrypy, "cherrypy");
snap!(cross_module, "cross_module");

// SID002-SID006.
snap!(rules_flask_session, "rules/flask_session");
snap!(rules_flask_cookie, "rules/flask_cookie");
snap!(rules_django, "rules/django");
snap!(rules_starlette, "rules/starlette");
snap!(rules_pyramid, "rules/pyramid");
snap!(rules_aiohttp, "rules/aiohttp");
snap!(rules_beaker, "rules/beaker");
snap!(rules_cherrypy, "rules/cherrypy");
snap!(rules_quart_session, "rules/quart_session");

/// The machine-readable formats (SARIF, GitHub annotations, GitLab Code Quality, rdjson) on the
/// demo app and on a fixture set with every rule (some findings without a safe edit).
macro_rules! formats {
    ($name:ident, $dir:expr) => {
        #[test]
        fn $name() {
            let input = source::files::scan(&[$dir.to_string()]).unwrap();
            let o = check::run(input, false);
            assert!(!o.findings.is_empty());
            for (format, label) in [
                (Format::Sarif, "sarif"),
                (Format::Github, "github"),
                (Format::Gitlab, "gitlab"),
                (Format::Rdjson, "rdjson"),
            ] {
                insta::assert_snapshot!(
                    format!("{}_{label}", stringify!($name)),
                    report::render(&o, format, false)
                );
            }
        }
    };
}

formats!(formats_examples, "examples");
formats!(formats_rules_django, "tests/fixtures/rules/django");

/// `sidguard rules`: every column as wide as its longest cell (the longest rule name
/// overflowed a fixed width).
#[test]
fn rules_table() {
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_sidguard"))
        .arg("rules")
        .output()
        .unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    // Where the fourth column (the summary) starts, on every line.
    let columns: Vec<usize> = text
        .lines()
        .map(|l| {
            let mut starts = (0..l.len())
                .filter(|&i| l.as_bytes()[i] != b' ' && (i == 0 || l.as_bytes()[i - 1] == b' '));
            starts.nth(3).unwrap_or(0)
        })
        .collect();
    assert!(columns.windows(2).all(|w| w[0] == w[1]), "{text}");
    insta::assert_snapshot!("rules_table", text);
}
