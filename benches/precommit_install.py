#!/usr/bin/env python3
"""Benchmark: a new user's first `pre-commit` run of sidguard's hook (cold: nothing cached).

Each run is `pre-commit try-repo MIRROR sidguard` in a sample repository with a vulnerable
Flask login staged, with a new PRE_COMMIT_HOME, pip cache and HOME, so pre-commit creates the
hook's environment from nothing, as on a new machine. MIRROR is a git repository made from this
checkout's `mirror/` (the pre-commit mirror: `language: python`, depends on the `sidguard`
wheel). pip installs from a local package index only (PIP_NO_INDEX, PIP_FIND_LINKS): the
wheel built from this checkout (the mirror's own build backend is in the mirror), so the
figure leaves out download time. Every run must block the commit and show the SID001 report,
then pass once the login is fixed; a run that does not is an error, never a number. (The
second run installs again: try-repo keeps its environments in a temporary store, so every
try-repo is a first install; the second one finds pip's and virtualenv's caches warm.)

With `--rust`, the same cold run of the main repository's `language: rust` hook (pre-commit
compiles sidguard with `cargo install`: minutes), for comparison; crates already in cargo's
download cache are not downloaded again.

Usage: python3 benches/precommit_install.py [--runs N] [--rust] [--wheels DIR] [--pre-commit PATH]
  (build the wheel first: pip wheel --no-deps -w target/dist .; scripts/test installs
  pre-commit into target/tools/venv). CI runs it with --runs 1 as the test of the fast path.
"""

import argparse
import glob
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

HEADER = (
    "from flask import Flask, redirect, request, session\n"
    "from werkzeug.security import check_password_hash\n\napp = Flask(__name__)\n\n\n"
)


def login(clear):
    return HEADER + (
        "@app.post('/login')\ndef login():\n"
        "    user = find_user(request.form['email'])\n"
        "    if check_password_hash(user.pw_hash, request.form['password']):\n"
        + ("        session.clear()\n" if clear else "")
        + "        session['user_id'] = user.id\n    return redirect('/')\n"
    )


class Failure(Exception):
    pass


def version():
    text = open(os.path.join(ROOT, "Cargo.toml")).read()
    return re.search(r'^version = "([^"]+)"', text, re.M).group(1)


def git(cwd, env, *args):
    subprocess.run(["git", *args], cwd=cwd, env=env, check=True, stdout=subprocess.DEVNULL)


def local_index(wheels):
    """A find-links directory holding sidguard's wheel (the mirror needs no build backend)."""
    wanted = glob.glob(os.path.join(wheels, f"sidguard-{version()}-*.whl"))
    if not wanted:
        raise Failure(
            f"no sidguard {version()} wheel in {wheels}: build it with "
            f"`pip wheel --no-deps -w {os.path.relpath(wheels, ROOT)} .`"
        )
    index = tempfile.mkdtemp(prefix="sidguard-index-")
    for whl in wanted:
        shutil.copy(whl, index)
    return index


def try_repo(pre_commit, repo, sample, env):
    start = time.perf_counter()
    p = subprocess.run(
        [pre_commit, "try-repo", repo, "sidguard"], cwd=sample, env=env,
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )
    return time.perf_counter() - start, p.returncode, p.stdout


def one_run(pre_commit, hook_repo, index, language):
    """Two first installs: returns (seconds with nothing cached, seconds with pip's and
    virtualenv's caches warm)."""
    tmp = tempfile.mkdtemp(prefix="sidguard-bench-")
    try:
        home = os.path.join(tmp, "home")
        os.makedirs(home)
        env = {k: v for k, v in os.environ.items()
               if not k.startswith(("GIT_", "PIP_", "PRE_COMMIT", "VIRTUALENV_"))}
        env.update(
            HOME=home, GIT_CONFIG_NOSYSTEM="1", PRE_COMMIT_COLOR="never",
            GIT_AUTHOR_NAME="Bench", GIT_AUTHOR_EMAIL="bench@example.invalid",
            GIT_COMMITTER_NAME="Bench", GIT_COMMITTER_EMAIL="bench@example.invalid",
            PRE_COMMIT_HOME=os.path.join(tmp, "pre-commit-home"),
            PIP_CACHE_DIR=os.path.join(tmp, "pip-cache"),
            XDG_CACHE_HOME=os.path.join(tmp, "cache"),
            XDG_DATA_HOME=os.path.join(tmp, "data"),
        )
        env.pop("CARGO_TARGET_DIR", None)  # the rust hook builds from nothing
        if index is not None:
            env.update(PIP_NO_INDEX="1", PIP_FIND_LINKS=index)
        for var, default in (("CARGO_HOME", ".cargo"), ("RUSTUP_HOME", ".rustup")):
            if var not in env:
                env[var] = os.path.join(os.path.expanduser("~"), default)
        if language == "python":
            repo = os.path.join(tmp, "sidguard-pre-commit")
            shutil.copytree(os.path.join(ROOT, "mirror"), repo)
            git(repo, env, "init", "-q", "-b", "main")
            git(repo, env, "add", "-A")
            git(repo, env, "commit", "-q", "-m", "mirror")
        else:
            repo = hook_repo
        sample = os.path.join(tmp, "sample")
        os.makedirs(sample)
        git(sample, env, "init", "-q", "-b", "main")
        with open(os.path.join(sample, "app.py"), "w") as f:
            f.write(login(clear=False))
        git(sample, env, "add", "app.py")
        cold, code, out = try_repo(pre_commit, repo, sample, env)
        if code != 1 or "error[SID001]" not in out or "Failed" not in out:
            raise Failure(f"the cold {language} run did not block the vulnerable login "
                          f"(exit {code}):\n{out}")
        with open(os.path.join(sample, "app.py"), "w") as f:
            f.write(login(clear=True))
        git(sample, env, "add", "app.py")
        warm, code, out = try_repo(pre_commit, repo, sample, env)
        if code != 0 or "Passed" not in out:
            raise Failure(f"the second {language} run did not pass the fixed login "
                          f"(exit {code}):\n{out}")
        return cold, warm
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def report(label, runs):
    cold = [c for c, _ in runs]
    warm = [w for _, w in runs]
    print(f"{label}: cold median {statistics.median(cold):.1f} s "
          f"(min {min(cold):.1f}, max {max(cold):.1f}, {len(cold)} runs); "
          f"a second install, pip's and virtualenv's caches warm: median {statistics.median(warm):.1f} s")


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--rust", action="store_true",
                    help="also one cold run of the language: rust hook (minutes)")
    ap.add_argument("--wheels", default=os.path.join(ROOT, "target", "dist"))
    ap.add_argument("--pre-commit", default=os.path.join(ROOT, "target", "tools", "venv", "bin", "pre-commit"))
    args = ap.parse_args()
    if args.runs < 1:
        ap.error("--runs must be at least 1")
    args.pre_commit = os.path.abspath(args.pre_commit) if os.sep in args.pre_commit else args.pre_commit
    if not shutil.which(args.pre_commit):
        print(f"precommit_install: pre-commit not found at {args.pre_commit} "
              "(scripts/test installs it)", file=sys.stderr)
        return 2
    try:
        index = local_index(os.path.abspath(args.wheels))
        try:
            runs = []
            for i in range(args.runs):
                runs.append(one_run(args.pre_commit, None, index, "python"))
                print(f"  mirror run {i + 1}: cold {runs[-1][0]:.1f} s, second {runs[-1][1]:.1f} s",
                      file=sys.stderr)
            report("mirror (language: python, local index)", runs)
        finally:
            shutil.rmtree(index, ignore_errors=True)
        if args.rust:
            rust = [one_run(args.pre_commit, ROOT, None, "rust")]
            report("main repository (language: rust, compiles sidguard)", rust)
    except Failure as e:
        print(f"precommit_install: {e}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
