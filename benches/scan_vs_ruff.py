#!/usr/bin/env python3
"""Full-scan benchmark: `sidguard scan` against `ruff check --select S --no-cache` (not a test).

Installs ruff from PyPI into a temporary virtual environment, downloads the Django 5.2 sdist
(pip download) and copies the running Python's standard library (without site-packages),
then runs, alternating in one session so machine noise hits both: sidguard and ruff on the
same tree, several times each. Prints medians, the ratio sidguard/ruff and the peak memory
(`/usr/bin/time -v`, maximum resident set size) of each.

Usage: python3 benches/scan_vs_ruff.py [--runs N] [--bin PATH] [--work DIR]
(build first: cargo build --release)
"""

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import sysconfig
import tarfile
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def sh(args, **kw):
    return subprocess.run(args, check=True, **kw)


def setup(work):
    venv = os.path.join(work, "venv")
    if not os.path.exists(os.path.join(venv, "bin", "ruff")):
        sh([sys.executable, "-m", "venv", venv])
        sh([os.path.join(venv, "bin", "pip"), "install", "-q", "ruff"])
    dl = os.path.join(work, "dl")
    django = os.path.join(work, "django")
    if not os.path.exists(django):
        sh([os.path.join(venv, "bin", "pip"), "download", "-q", "--no-deps", "--no-binary", ":all:",
            "django==5.2.*", "-d", dl])
        sdist = [f for f in os.listdir(dl) if f.endswith(".tar.gz")][0]
        with tarfile.open(os.path.join(dl, sdist)) as t:
            t.extractall(os.path.join(work, "x"))
        top = os.listdir(os.path.join(work, "x"))[0]
        shutil.move(os.path.join(work, "x", top, "django"), django)
    stdlib = os.path.join(work, "stdlib")
    if not os.path.exists(stdlib):
        shutil.copytree(sysconfig.get_paths()["stdlib"], stdlib,
                        ignore=shutil.ignore_patterns("site-packages", "__pycache__"))
    return os.path.join(venv, "bin", "ruff"), {"Django 5.2": django, "stdlib": stdlib}


def tree_size(path):
    n = size = 0
    for root, _, files in os.walk(path):
        for f in files:
            if f.endswith(".py"):
                n += 1
                size += os.path.getsize(os.path.join(root, f))
    return n, size


def timed(cmd):
    t = time.perf_counter()
    subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return time.perf_counter() - t


def peak_kb(cmd):
    r = subprocess.run(["/usr/bin/time", "-v"] + cmd, stdout=subprocess.DEVNULL,
                       stderr=subprocess.PIPE, text=True)
    for line in r.stderr.splitlines():
        if "Maximum resident set size" in line:
            return int(line.split(":")[1])
    return 0


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=7)
    ap.add_argument("--bin", default=os.path.join(ROOT, "target", "release", "sidguard"))
    ap.add_argument("--work", default=None, help="keep downloads here between runs")
    a = ap.parse_args()
    work = a.work or tempfile.mkdtemp(prefix="sidguard-bench-")
    ruff, trees = setup(work)
    print(f"{'tree':<12} {'files':>6} {'MB':>6} {'sidguard':>10} {'ruff':>8} {'ratio':>6} {'sg MB':>6} {'ruff MB':>8}")
    for name, path in trees.items():
        n, size = tree_size(path)
        sg_cmd = [a.bin, "scan", path]
        ruff_cmd = [ruff, "check", "--select", "S", "--no-cache", "--quiet", "--exit-zero", path]
        timed(sg_cmd), timed(ruff_cmd)  # warm the page cache
        sg, rf = [], []
        for _ in range(a.runs):
            sg.append(timed(sg_cmd))
            rf.append(timed(ruff_cmd))
        s, r = statistics.median(sg), statistics.median(rf)
        print(f"{name:<12} {n:>6} {size / 1e6:>6.1f} {s:>9.3f}s {r:>7.3f}s {s / r:>6.2f} "
              f"{peak_kb(sg_cmd) / 1024:>6.1f} {peak_kb(ruff_cmd) / 1024:>8.1f}")
    if not a.work:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
