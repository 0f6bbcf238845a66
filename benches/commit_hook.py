#!/usr/bin/env python3
"""Benchmark for the commit-time check (not a test: it prints numbers, it asserts nothing).

Builds a generated repository (default 5,000 Python files, plus one 20,000-line file),
then measures, alternating the commands in one session so machine noise hits both. Every
commit-hook run checks a blob staged just before it (a one-line change with a new comment),
as a real commit does: what the caches keep is the rest of the repository, never the change.

  1. `sidguard staged` for a small staged change vs `git diff --cached --quiet` (ratio);
  2. a one-line change in the 20,000-line file vs the same change in a 60-line file
     (the function-level re-parse: cost must not follow file size);
  3. `sidguard scan` throughput in MB/s over the whole tree;
  4. `sidguard pre-receive` for a push of 500 commits vs a push of 1 commit with the same
     net change, against a bare copy of the repository (the check follows the net change).

Usage: python3 benches/commit_hook.py [--files N] [--runs N] [--bin PATH]
(build first: cargo build --release; the binary is measured from a copy, as installed)
"""

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

MODULE = '''"""Generated module {i}."""
from flask import Blueprint, redirect, request, session
from werkzeug.security import check_password_hash

from pkg.helpers import audit_login

bp = Blueprint("m{i}", __name__)


@bp.post("/login{i}")
def login_{i}():
    user = find_user(request.form["email"])
    if user and check_password_hash(user.pw_hash, request.form["password"]):
        session.clear()
        session["user_id"] = user.id
        audit_login(user)
        return redirect("/")
    return "no", 401


def helper_{i}(items):
    total = 0
    for item in items:
        if item.price > 10:
            total += item.price * 2
        else:
            total += item.price
    return total


class Report{i}:
    def __init__(self, rows):
        self.rows = rows

    def render(self):
        out = []
        for r in self.rows:
            out.append(", ".join(str(c) for c in r))
        return "\\n".join(out)

    def summary(self):
        return {{"rows": len(self.rows), "module": {i}}}
'''


def git(repo, *args, quiet=True):
    env = dict(os.environ, GIT_AUTHOR_NAME="b", GIT_AUTHOR_EMAIL="b@b.invalid",
               GIT_COMMITTER_NAME="b", GIT_COMMITTER_EMAIL="b@b.invalid")
    subprocess.run(["git", *args], cwd=repo, check=True, env=env,
                   stdout=subprocess.DEVNULL if quiet else None)


def timed(cmd, cwd, runs, ok=(0, 1)):
    times = []
    for _ in range(runs):
        t = time.perf_counter()
        p = subprocess.run(cmd, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        times.append(time.perf_counter() - t)
        if p.returncode not in ok:
            sys.exit(f"{cmd} exited {p.returncode}")
    return times


def alternate(a, b, cwd, runs):
    """Runs a and b alternately; returns (times_a, times_b)."""
    ta, tb = [], []
    for _ in range(runs):
        ta += timed(a, cwd, 1)
        tb += timed(b, cwd, 1)
    return ta, tb


def med(ts):
    return statistics.median(ts)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--files", type=int, default=5000)
    ap.add_argument("--runs", type=int, default=15)
    ap.add_argument("--bin", default=os.path.join(ROOT, "target", "release", "sidguard"))
    ap.add_argument("--keep", help="build the repository here and keep it (for profiling)")
    args = ap.parse_args()
    sg = args.bin
    if not os.path.exists(sg):
        sys.exit(f"{sg} not found: run `cargo build --release` first")

    tmp = args.keep or tempfile.mkdtemp(prefix="sidguard-bench-")
    repo = os.path.join(tmp, "repo")
    os.makedirs(repo)
    # Measured as installed (`cargo install` copies the binary, as does pre-commit's
    # install): the file the linker wrote sits in the page cache in 4 KiB pages, and
    # starting it took 0.7 ms more per run here (450 page faults instead of 424).
    shutil.copy2(sg, os.path.join(tmp, "sidguard"))
    sg = os.path.join(tmp, "sidguard")
    try:
        git(repo, "init", "-q", "-b", "main")
        os.makedirs(os.path.join(repo, "pkg"), exist_ok=True)
        with open(os.path.join(repo, "pkg", "__init__.py"), "w") as f:
            f.write("")
        with open(os.path.join(repo, "pkg", "helpers.py"), "w") as f:
            f.write("import logging\n\n\ndef audit_login(user):\n    logging.info('login %s', user.id)\n")
        total_bytes = 0
        for i in range(args.files):
            d = os.path.join(repo, "pkg", f"sub{i // 100}")
            os.makedirs(d, exist_ok=True)
            text = MODULE.format(i=i)
            total_bytes += len(text)
            with open(os.path.join(d, f"mod{i}.py"), "w") as f:
                f.write(text)
        # One large file: 20,000 lines (one import block at the top, as real files have),
        # login functions all the way through.
        body = MODULE.split("\n\n\n", 1)[1]
        per = body.format(i=0).count("\n") + 2
        big = [MODULE.format(i=100000).split("\n\n\n", 1)[0] + "\n\n\n"]
        for i in range(20000 // per):
            big.append(body.format(i=100000 + i) + "\n\n")
        big_text = "".join(big)
        big_lines = big_text.count("\n")
        with open(os.path.join(repo, "big.py"), "w") as f:
            f.write(big_text)
        total_bytes += len(big_text)
        git(repo, "add", "-A")
        git(repo, "commit", "-q", "-m", "generated")

        small = os.path.join(repo, "pkg", "sub0", "mod7.py")
        big_path = os.path.join(repo, "big.py")

        def one_line_change(path, marker):
            with open(path) as f:
                text = f.read()
            # Change one line inside a login function in the middle of the file.
            anchor = "        session.clear()\n"
            mid = text.find(anchor, len(text) // 2)
            if mid < 0:
                mid = text.find(anchor)
            text = text[:mid] + f"        session.clear()  # {marker}\n" + text[mid + len(anchor):]
            with open(path, "w") as f:
                f.write(text)

        # The generated files are flushed to disk first: the kernel writing them back in the
        # background during the first measurement slowed both commands by milliseconds.
        os.sync()

        # The commit-hook measurements take milliseconds each: ten times the runs, so that
        # a burst of noise on the shared machine moves the median less.
        quick = args.runs * 10

        def staged_runs(path, runs, cmds):
            """Each run stages a new version of `path` (a one-line change, as every commit
            brings a blob the hook has not seen), then times each command once on it. The
            commands take turns going first: the first process after `git add` runs with
            colder caches (here up to 0.4 ms slower), and that must not fall on one side."""
            with open(path) as f:
                original = f.read()
            times = [[] for _ in cmds]
            for k in range(runs):
                with open(path, "w") as f:
                    f.write(original)
                one_line_change(path, f"edited {k}")
                git(repo, "add", "-A")
                order = list(zip(times, cmds))
                if k % 2:
                    order.reverse()
                for t, cmd in order:
                    t += timed(cmd, repo, 1)
            with open(path, "w") as f:
                f.write(original)
            git(repo, "reset", "-q", "--hard")
            return times

        # 1. Small staged change vs git diff --cached --quiet.
        staged_runs(small, 2, [[sg, "staged"]])  # the first run fills the caches
        os.sync()
        t_sg, t_git = staged_runs(small, quick, [[sg, "staged"], ["git", "diff", "--cached", "--quiet"]])

        # 2. One-line change in the 20,000-line file vs in the small file.
        staged_runs(big_path, 2, [[sg, "staged"]])
        (big_times,) = staged_runs(big_path, quick, [[sg, "staged"]])
        (small_times,) = staged_runs(small, quick, [[sg, "staged"]])

        # 4. A push of 500 commits vs 1 commit with the same net change.
        bare = os.path.join(tmp, "server.git")
        subprocess.run(["git", "clone", "-q", "--bare", repo, bare], check=True)
        base = subprocess.run(["git", "rev-parse", "HEAD"], cwd=repo, capture_output=True, text=True).stdout.strip()
        git(repo, "checkout", "-q", "-b", "many")
        for i in range(500):
            with open(os.path.join(repo, "counter.py"), "w") as f:
                f.write(f"COUNT = {i}\n")
            git(repo, "add", "-A")
            git(repo, "commit", "-q", "-m", f"bump {i}")
        one_line_change(small, "pushed")
        git(repo, "commit", "-q", "-am", "edit a login")
        many = subprocess.run(["git", "rev-parse", "HEAD"], cwd=repo, capture_output=True, text=True).stdout.strip()
        git(repo, "checkout", "-q", "-b", "one", base)
        with open(os.path.join(repo, "counter.py"), "w") as f:
            f.write("COUNT = 499\n")
        one_line_change(small, "pushed")
        git(repo, "add", "-A")
        git(repo, "commit", "-q", "-m", "the same net change in one commit")
        one = subprocess.run(["git", "rev-parse", "HEAD"], cwd=repo, capture_output=True, text=True).stdout.strip()
        git(bare, "fetch", "-q", repo, "many:refs/incoming/many", "one:refs/incoming/one")

        def pre_receive(new):
            line = f"{base} {new} refs/heads/master\n".encode()
            t = time.perf_counter()
            p = subprocess.run([sg, "pre-receive"], cwd=bare, input=line, env=dict(os.environ, GIT_DIR=bare),
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            if p.returncode not in (0, 1):
                sys.exit(f"pre-receive exited {p.returncode}")
            return time.perf_counter() - t
        pre_receive(many)  # warm the facts cache
        t_many, t_one = [], []
        for _ in range(args.runs):
            t_many.append(pre_receive(many))
            t_one.append(pre_receive(one))

        # 3. Full scan throughput.
        scan_times = timed([sg, "scan", "."], repo, max(3, args.runs // 3))
        mb = total_bytes / 1e6

        print(f"generated repository: {args.files + 1} Python files, {mb:.1f} MB; big.py has {big_lines} lines")
        print(f"runs per measurement: {quick} for the commit hook, {args.runs} for the push, "
              f"{max(3, args.runs // 3)} for the scan (medians; commands alternated)")
        print()
        print("| measurement | median | ratio |")
        print("|---|---|---|")
        print(f"| `sidguard staged`, one-line change in a small file | {med(t_sg)*1000:.1f} ms | "
              f"{med(t_sg)/med(t_git):.2f}x `git diff --cached --quiet` ({med(t_git)*1000:.1f} ms) |")
        print(f"| `sidguard staged`, one-line change in the {big_lines}-line file | {med(big_times)*1000:.1f} ms | "
              f"{med(big_times)/med(small_times):.2f}x the same change in a small file ({med(small_times)*1000:.1f} ms) |")
        print(f"| `sidguard scan .` ({mb:.1f} MB, {args.files + 1} files) | {med(scan_times)*1000:.0f} ms | "
              f"{mb/med(scan_times):.1f} MB/s |")
        print(f"| `sidguard pre-receive`, push of 501 commits | {med(t_many)*1000:.1f} ms | "
              f"{med(t_many)/med(t_one):.2f}x a 1-commit push of the same net change ({med(t_one)*1000:.1f} ms) |")
    finally:
        if not args.keep:
            shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
