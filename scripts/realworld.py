#!/usr/bin/env python3
"""Measure sidguard on labelled handlers from real third-party code.

The manifest (tests/realworld/corpus.toml) names each labelled handler by reference only:
a PyPI artifact pinned by file name and sha256, or a git commit. This script fetches those
sources into target/realworld/ (never into the repository), scans each one as a user would
(`sidguard scan <root> --format json`), matches the findings against the labels and the
triage ledger, and reports recall, false-positive rate and precision. See
tests/realworld/README.md.

Python 3.11 standard library only (pip and git are run as programs).

Exit codes: 0 done (and --check passed); 1 --check: a figure got worse than recorded;
2 usage, manifest or ledger error, or a source that cannot be fetched as pinned;
3 a project's scan failed (the report is still printed, without that project).
"""

from __future__ import annotations

import argparse
import concurrent.futures
import dataclasses
import datetime
import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
import tarfile
import tempfile
import threading
import time
import tomllib
import zipfile
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent

RULES = ("SID001", "SID002", "SID003")
VERDICTS = ("vulnerable", "safe")
FRAMEWORKS = ("flask", "django", "starlette", "pyramid", "aiohttp", "quart", "bottle", "cherrypy")
STORAGES = ("cookie", "server", "unknown")
LEDGER_VERDICTS = ("true", "false", "?")

HANDLER_REQUIRED = (
    "project", "source", "path", "function", "line", "verdict", "rule", "framework",
    "storage", "kind", "why",
)
HANDLER_PYPI_REQUIRED = ("artifact", "sha256")
HANDLER_OPTIONAL = ("artifact", "sha256", "pair")
LEDGER_REQUIRED = ("source", "path", "function", "rule", "verdict", "why")
LEDGER_OPTIONAL = ("project", "line", "message")

# sidguard's JSON names (src/frameworks/mod.rs) mapped to the manifest's words; used to
# group findings that match no labelled row.
FINDING_FRAMEWORK = {
    "flask": "flask", "django": "django", "starlette": "starlette", "pyramid": "pyramid",
    "aiohttp": "aiohttp", "quart": "quart", "beaker": "bottle", "cherrypy": "cherrypy",
}
FINDING_STORAGE = {
    "client-cookie": "cookie", "server-strict": "server", "server-permissive": "server",
}

PYPI_RE = re.compile(r"^pypi:([A-Za-z0-9][A-Za-z0-9._-]*)==([A-Za-z0-9][A-Za-z0-9.+!_-]*)$")
GIT_RE = re.compile(r"^git:([A-Za-z0-9][A-Za-z0-9-]*)/([A-Za-z0-9._-]+)@([0-9a-fA-F]{40})$")
PROJECT_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*$")
FUNCTION_RE = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)*$")
SDIST_SUFFIXES = (".tar.gz", ".tgz", ".tar.bz2", ".tar.xz", ".zip")
# Characters of a GitHub owner or repository name: a mirror directory named
# `owner+name<something else>` counts only when the next character is none of these.
NAME_CHARS = set("abcdefghijklmnopqrstuvwxyz0123456789-_.")


class UsageError(Exception):
    """Exit 2: usage, manifest or ledger errors, or a pinned source that cannot be had."""

    def __init__(self, errors: list[str] | str):
        self.errors = [errors] if isinstance(errors, str) else list(errors)
        super().__init__("\n".join(self.errors))


# --------------------------------------------------------------------------------------
# Manifest and ledger


@dataclasses.dataclass(eq=False)
class Row:
    n: int  # 1-based position in the manifest
    project: str
    source: str
    path: str
    function: str
    line: int
    verdict: str
    rule: str
    framework: str
    storage: str
    kind: str
    why: str
    pair: str | None
    artifact: str | None
    sha256: str | None
    findings: list["Finding"] = dataclasses.field(default_factory=list)

    @property
    def flagged(self) -> bool:
        return bool(self.findings)

    def where(self) -> str:
        return f"corpus row {self.n} ({self.project} {self.path} {self.function})"


@dataclasses.dataclass(eq=False)
class Source:
    spec: str
    kind: str  # "pypi" | "git"
    project: str
    rows: list[Row]
    # pypi
    name: str = ""
    version: str = ""
    artifact: str = ""
    sha256: str = ""
    # git
    owner: str = ""
    repo: str = ""
    commit: str = ""
    # state
    root: Path | None = None
    mirror: Path | None = None
    skipped: str | None = None
    error: str | None = None
    exit_code: int | None = None
    seconds: float | None = None
    findings: list["Finding"] = dataclasses.field(default_factory=list)
    sidguard_skipped: list[dict] = dataclasses.field(default_factory=list)
    summary: dict = dataclasses.field(default_factory=dict)

    @property
    def label(self) -> str:
        return f"{self.project} ({self.spec})"

    def dest_name(self) -> str:
        prefix = self.sha256[:12] if self.kind == "pypi" else self.commit[:12]
        return f"{self.project}-{prefix}"


@dataclasses.dataclass(eq=False)
class LedgerEntry:
    n: int
    source: str
    path: str
    function: str
    rule: str
    verdict: str
    why: str
    used: bool = False  # decides a finding
    shadowed: bool = False  # names a finding that a manifest row decides


@dataclasses.dataclass(eq=False)
class Finding:
    source: Source
    path: str
    line: int
    function: str
    rule: str
    message: str
    framework: str  # manifest word, or "unknown"
    storage: str  # manifest word, or "unknown"
    row: Row | None = None
    ledger: LedgerEntry | None = None
    cls: str = "untriaged"  # "tp" | "fp" | "untriaged"

    def key(self) -> tuple[str, str, str, str]:
        return (self.source.spec, self.path, self.function, self.rule)


def load_toml(path: Path, what: str) -> dict:
    try:
        with open(path, "rb") as f:
            return tomllib.load(f)
    except FileNotFoundError:
        raise UsageError(f"{what} not found: {path}")
    except tomllib.TOMLDecodeError as e:
        raise UsageError(f"{what} {path}: not valid TOML: {e}")


def canonical(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def artifact_name(artifact: str) -> str | None:
    """The distribution name part of a wheel or sdist file name."""
    if artifact.endswith(".whl"):
        parts = artifact[:-4].split("-")
        return parts[0] if len(parts) in (5, 6) else None
    for suffix in SDIST_SUFFIXES:
        if artifact.endswith(suffix):
            stem = artifact[: -len(suffix)]
            return stem.rsplit("-", 1)[0] if "-" in stem else None
    return None


def check_relpath(p: str) -> bool:
    parts = p.split("/")
    return bool(p) and not p.startswith("/") and "\\" not in p and all(
        part not in ("", ".", "..") for part in parts
    )


def array_of_tables(path: Path, data: dict, name: str, errors: list[str]) -> list[dict]:
    """The `[[name]]` tables of a loaded TOML file; any other top-level key is an error."""
    for key in data:
        if key != name:
            errors.append(f"{path}: unknown top-level key {key!r} (only [[{name}]] tables)")
    items = data.get(name, [])
    if not isinstance(items, list) or not all(isinstance(i, dict) for i in items):
        raise UsageError(f"{path}: `{name}` must be an array of tables ([[{name}]])")
    return items


def parse_corpus(path: Path) -> list[Row]:
    errors: list[str] = []
    handlers = array_of_tables(path, load_toml(path, "manifest"), "handler", errors)
    if not handlers:
        errors.append(f"{path}: no [[handler]] rows")
    rows: list[Row] = []
    for i, h in enumerate(handlers, 1):
        where = f"{path}: row {i}"
        if isinstance(h.get("project"), str) and isinstance(h.get("function"), str):
            where += f" ({h['project']} {h['function']})"
        row_errors: list[str] = []
        for k in HANDLER_REQUIRED:
            if k not in h:
                row_errors.append(f"{where}: missing key {k!r}")
        allowed = set(HANDLER_REQUIRED) | set(HANDLER_OPTIONAL)
        for k in h:
            if k not in allowed:
                row_errors.append(
                    f"{where}: unknown key {k!r} (allowed: {', '.join(sorted(allowed))})"
                )
        for k in HANDLER_REQUIRED + HANDLER_OPTIONAL:
            if k in h and k != "line" and (not isinstance(h[k], str) or not h[k].strip()):
                row_errors.append(f"{where}: {k!r} must be a non-empty string")
        if row_errors:
            errors.extend(row_errors)
            continue
        line = h["line"]
        if not isinstance(line, int) or isinstance(line, bool) or line < 1:
            errors.append(f"{where}: 'line' must be a positive integer (the def line)")
            continue
        source = h["source"]
        if h["verdict"] not in VERDICTS:
            errors.append(f"{where}: bad verdict {h['verdict']!r} (vulnerable | safe)")
        if h["rule"] not in RULES:
            errors.append(f"{where}: bad rule {h['rule']!r} ({' | '.join(RULES)})")
        if h["framework"] not in FRAMEWORKS:
            errors.append(f"{where}: bad framework {h['framework']!r} ({' | '.join(FRAMEWORKS)})")
        if h["storage"] not in STORAGES:
            errors.append(f"{where}: bad storage {h['storage']!r} ({' | '.join(STORAGES)})")
        if not PROJECT_RE.match(h["project"]):
            errors.append(f"{where}: project {h['project']!r}: letters, digits, '.', '_', '-' only")
        if not check_relpath(h["path"]):
            errors.append(f"{where}: path {h['path']!r} must be relative, with '/' and no '..'")
        if not FUNCTION_RE.match(h["function"]):
            errors.append(f"{where}: function {h['function']!r} is not a dotted qualified name")
        if PYPI_RE.match(source):
            for k in HANDLER_PYPI_REQUIRED:
                if k not in h:
                    errors.append(f"{where}: pypi rows need {k!r}")
            if "sha256" in h and not re.fullmatch(r"[0-9a-f]{64}", h["sha256"]):
                errors.append(f"{where}: sha256 must be 64 lowercase hex digits")
            if "artifact" in h:
                art = h["artifact"]
                aname = artifact_name(art)
                if "/" in art or aname is None:
                    errors.append(
                        f"{where}: artifact {art!r} is not a wheel (.whl) or sdist "
                        f"({', '.join(SDIST_SUFFIXES)}) file name"
                    )
                elif canonical(aname) != canonical(PYPI_RE.match(source)[1]):
                    errors.append(f"{where}: artifact {art!r} is not a file of {source!r}")
        elif GIT_RE.match(source):
            for k in HANDLER_PYPI_REQUIRED:
                if k in h:
                    errors.append(f"{where}: {k!r} is for pypi rows only")
        else:
            errors.append(
                f"{where}: bad source {source!r} (pypi:NAME==VERSION or git:owner/name@<40-hex commit>)"
            )
        rows.append(
            Row(
                n=i, project=h["project"], source=source, path=h["path"],
                function=h["function"], line=line, verdict=h["verdict"], rule=h["rule"],
                framework=h["framework"], storage=h["storage"], kind=h["kind"], why=h["why"],
                pair=h.get("pair"), artifact=h.get("artifact"), sha256=h.get("sha256"),
            )
        )
    seen: dict[tuple, Row] = {}
    seen_line: dict[tuple, Row] = {}
    for r in rows:
        k = (r.source, r.path, r.function)
        if k in seen:
            errors.append(f"{path}: row {r.n} duplicates row {seen[k].n} ({r.source} {r.path} {r.function})")
        seen.setdefault(k, r)
        kl = (r.source, r.path, r.line)
        if kl in seen_line and seen_line[kl].function != r.function:
            errors.append(
                f"{path}: rows {seen_line[kl].n} and {r.n} give def line {r.path}:{r.line} "
                f"to different functions"
            )
        seen_line.setdefault(kl, r)
    by_source: dict[str, Row] = {}
    for r in rows:
        first = by_source.setdefault(r.source, r)
        for k in ("project", "artifact", "sha256"):
            if getattr(r, k) != getattr(first, k):
                errors.append(
                    f"{path}: rows {first.n} and {r.n} share source {r.source!r} but differ in "
                    f"{k!r} ({getattr(first, k)!r} vs {getattr(r, k)!r})"
                )
    dest: dict[str, str] = {}
    for r in by_source.values():
        m = GIT_RE.match(r.source)
        prefix = (r.sha256 or "")[:12] if m is None else m[3].lower()[:12]
        name = f"{r.project}-{prefix}"
        if name in dest and dest[name] != r.source:
            errors.append(f"{path}: sources {dest[name]!r} and {r.source!r} would share {name}/")
        dest.setdefault(name, r.source)
    pairs: dict[str, int] = {}
    for r in rows:
        if r.pair is not None:
            pairs[r.pair] = pairs.get(r.pair, 0) + 1
    for p, count in sorted(pairs.items()):
        if count < 2:
            warn(f"{path}: pair {p!r} names only one row")
    if errors:
        raise UsageError(errors)
    return rows


def parse_ledger(path: Path) -> dict[tuple, LedgerEntry]:
    if not path.exists():
        warn(f"ledger {path} does not exist: every finding outside the manifest is untriaged")
        return {}
    errors = []
    entries = array_of_tables(path, load_toml(path, "ledger"), "finding", errors)
    out: dict[tuple, LedgerEntry] = {}
    for i, e in enumerate(entries, 1):
        where = f"{path}: finding {i}"
        bad = False
        for k in LEDGER_REQUIRED:
            if not isinstance(e.get(k), str):
                errors.append(f"{where}: missing string key {k!r}")
                bad = True
        for k in e:
            if k not in LEDGER_REQUIRED + LEDGER_OPTIONAL:
                allowed = ", ".join(LEDGER_REQUIRED + LEDGER_OPTIONAL)
                errors.append(f"{where}: unknown key {k!r} (allowed: {allowed})")
        if bad:
            continue
        if e["verdict"] not in LEDGER_VERDICTS:
            errors.append(f"{where}: bad verdict {e['verdict']!r} (\"true\" | \"false\"; \"?\" = not yet triaged)")
        elif e["verdict"] != "?" and not e["why"].strip():
            errors.append(f"{where}: a triaged finding needs a `why`")
        if e["rule"] not in RULES:
            errors.append(f"{where}: bad rule {e['rule']!r}")
        entry = LedgerEntry(i, e["source"], e["path"], e["function"], e["rule"], e["verdict"], e["why"])
        k = (entry.source, entry.path, entry.function, entry.rule)
        if k in out:
            errors.append(f"{where}: duplicates finding {out[k].n} ({' '.join(k)})")
        out.setdefault(k, entry)
    if errors:
        raise UsageError(errors)
    return out


def group_sources(rows: list[Row]) -> list[Source]:
    sources: dict[str, Source] = {}
    for r in rows:
        s = sources.get(r.source)
        if s is None:
            if (m := PYPI_RE.match(r.source)) is not None:
                s = Source(r.source, "pypi", r.project, [], name=m[1], version=m[2],
                           artifact=r.artifact or "", sha256=r.sha256 or "")
            else:
                m = GIT_RE.match(r.source)
                s = Source(r.source, "git", r.project, [], owner=m[1], repo=m[2],
                           commit=m[3].lower())
            sources[r.source] = s
        s.rows.append(r)
    return list(sources.values())


# --------------------------------------------------------------------------------------
# Fetching and extracting

LOG_LOCK = threading.Lock()


def log(msg: str) -> None:
    with LOG_LOCK:
        print(msg, file=sys.stderr, flush=True)


def warn(msg: str) -> None:
    log(f"warning: {msg}")


def sha256_of(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def tail(text: str | bytes, lines: int = 15) -> str:
    if isinstance(text, bytes):
        text = text.decode("utf-8", "replace")
    return "\n".join("    " + ln for ln in text.strip().splitlines()[-lines:])


def wheel_tag_options(artifact: str) -> list[str]:
    """pip options that make pip pick this wheel even when it is not for this interpreter."""
    parts = artifact[:-4].split("-")
    py, abi, plat = parts[-3:]
    pys = py.split(".")
    if plat == "any" and any(t.startswith("py3") or t.startswith("cp3") for t in pys):
        return []
    opts: list[str] = []
    for p in plat.split("."):
        opts += ["--platform", p]
    for a in abi.split("."):
        opts += ["--abi", a]
    m = re.fullmatch(r"([a-z]+)(\d)(\d*)", pys[0])
    if m:
        opts += ["--implementation", m[1]]
        opts += ["--python-version", m[2] + ("." + m[3] if m[3] else "")]
    return opts


def fetch_pypi(src: Source, cache: Path) -> Path:
    """The verified artifact in the cache, downloaded with pip when absent."""
    cache.mkdir(parents=True, exist_ok=True)
    target = cache / src.artifact
    if target.exists():
        got = sha256_of(target)
        if got != src.sha256:
            raise UsageError(
                f"{src.label}: cached {target} has sha256 {got}, the manifest pins {src.sha256} "
                f"(delete the file to download it again)"
            )
        return target
    tmp = Path(tempfile.mkdtemp(prefix=".download-", dir=cache))
    try:
        cmd = [sys.executable, "-m", "pip", "download", "--no-deps", "--disable-pip-version-check",
               "--no-input", "-d", str(tmp)]
        # The file is pinned by name and sha256 and never installed: the Python running this
        # script need not be one the package supports (`Requires-Python >=3.12`).
        cmd.append("--ignore-requires-python")
        if src.artifact.endswith(".whl"):
            cmd += ["--only-binary=:all:"] + wheel_tag_options(src.artifact)
        else:
            cmd += ["--no-binary", src.name]
        cmd.append(f"{src.name}=={src.version}")
        log(f"downloading {src.artifact}: {' '.join(cmd[1:])}")
        p = subprocess.run(cmd, capture_output=True, text=True)
        if p.returncode != 0:
            raise UsageError(
                f"{src.label}: pip download failed (exit {p.returncode}):\n{tail(p.stdout + p.stderr)}"
            )
        got_files = sorted(os.listdir(tmp))
        if got_files != [src.artifact]:
            raise UsageError(
                f"{src.label}: pip downloaded {', '.join(got_files) or 'nothing'}, "
                f"the manifest pins {src.artifact}"
            )
        got = sha256_of(tmp / src.artifact)
        if got != src.sha256:
            raise UsageError(
                f"{src.label}: {src.artifact} has sha256 {got}, the manifest pins {src.sha256}"
            )
        os.replace(tmp / src.artifact, target)
        return target
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def safe_member(name: str) -> bool:
    parts = name.replace("\\", "/").split("/")
    return not name.startswith("/") and ".." not in parts and not re.match(r"^[A-Za-z]:", name)


def staging_for(dest: Path) -> Path:
    staging = dest.with_name(f".{dest.name}.partial-{os.getpid()}")
    shutil.rmtree(staging, ignore_errors=True)
    staging.mkdir(parents=True)
    return staging


def single_top(staging: Path, what: str) -> Path:
    entries = list(staging.iterdir())
    if len(entries) != 1 or not entries[0].is_dir():
        names = ", ".join(sorted(e.name for e in entries)[:5])
        raise UsageError(f"{what}: expected a single top folder, found: {names}")
    return entries[0]


def extract_pypi(src: Source, artifact: Path, dest: Path) -> None:
    staging = staging_for(dest)
    try:
        what = f"{src.label}: {artifact.name}"
        if artifact.name.endswith(".whl") or artifact.name.endswith(".zip"):
            with zipfile.ZipFile(artifact) as z:
                bad = [n for n in z.namelist() if not safe_member(n)]
                if bad:
                    raise UsageError(f"{what}: unsafe member names: {bad[:3]}")
                z.extractall(staging)
        else:
            with tarfile.open(artifact, "r:*") as t:
                if hasattr(tarfile, "data_filter"):  # 3.11.4 and later
                    t.extractall(staging, filter="data")
                else:
                    bad = [m.name for m in t.getmembers()
                           if not safe_member(m.name) or m.issym() or m.islnk() or m.isdev()]
                    if bad:
                        raise UsageError(f"{what}: unsafe members: {bad[:3]}")
                    t.extractall(staging)
        root = staging if artifact.name.endswith(".whl") else single_top(staging, what)
        os.replace(root, dest)
    except (zipfile.BadZipFile, tarfile.TarError, OSError) as e:
        raise UsageError(f"{src.label}: cannot extract {artifact}: {e}")
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def is_git_dir(d: Path) -> bool:
    return (d / "HEAD").is_file() and (d / "objects").is_dir()


def mirror_candidates(mirror_roots: list[Path], owner: str, repo: str) -> list[Path]:
    """Git directories under the mirror roots with a path component naming owner+name."""
    key = f"{owner}+{repo}".lower()

    def names_repo(p: Path) -> bool:
        for comp in p.parts:
            c = comp.lower()
            if c == key or c == key + ".git":
                return True
            if c.startswith(key) and c[len(key)] not in NAME_CHARS:
                return True
        return False

    found: list[Path] = []
    for root in mirror_roots:
        if not root.is_dir():
            continue
        for dirpath, dirnames, _ in os.walk(root):
            d = Path(dirpath)
            if is_git_dir(d):
                if names_repo(d):
                    found.append(d)
                dirnames[:] = []  # never walk into a git directory
                continue
            if (d / ".git").exists() and names_repo(d):
                found.append(d)
                dirnames[:] = []
                continue
            # Stay out of the big trees nothing lives in.
            dirnames[:] = sorted(n for n in dirnames if n not in ("objects", "node_modules"))
    return found


def has_commit(d: Path, commit: str) -> bool:
    p = subprocess.run(["git", "-C", str(d), "cat-file", "-e", f"{commit}^{{commit}}"],
                       capture_output=True)
    return p.returncode == 0


def extract_git(src: Source, mirror: Path, dest: Path) -> None:
    """Writes the commit's tree into dest. Snapshots of public repositories lack their largest
    files (and Git LFS content): a blob the mirror does not hold is left out and counted, so
    `git archive` (which stops at the first missing object) is not used."""
    staging = staging_for(dest)
    try:
        listing = subprocess.run(["git", "-C", str(mirror), "ls-tree", "-r", "-z", src.commit],
                                 capture_output=True)
        if listing.returncode != 0:
            raise UsageError(f"{src.label}: git ls-tree in {mirror} failed:\n"
                             f"{tail(listing.stderr)}")
        entries = []
        for item in listing.stdout.split(b"\0"):
            if not item:
                continue
            meta, _, path = item.partition(b"\t")
            mode, kind, oid = meta.split()
            if kind == b"blob" and mode != b"120000":
                entries.append((oid.decode(), path.decode("utf-8", "surrogateescape")))
        batch = subprocess.Popen(["git", "-C", str(mirror), "cat-file", "--batch"],
                                 stdin=subprocess.PIPE, stdout=subprocess.PIPE)
        missing = 0
        for oid, path in entries:
            batch.stdin.write(oid.encode() + b"\n")
            batch.stdin.flush()
            header = batch.stdout.readline().split()
            if len(header) < 3 or header[1] == b"missing":
                missing += 1
                continue
            data = batch.stdout.read(int(header[2]))
            batch.stdout.read(1)  # the newline after the content
            target = staging / path
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(data)
        batch.stdin.close()
        batch.wait()
        if missing:
            print(f"note: {src.label}: {missing} file(s) absent from the mirror's snapshot "
                  "(large files and LFS content are not stored)", file=sys.stderr)
        os.replace(staging, dest)
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def prepare(src: Source, cache: Path, src_dir: Path, mirror_roots: list[Path]) -> None:
    """Sets src.root (extracting when needed), or src.skipped."""
    dest = src_dir / src.dest_name()
    # What was extracted into dest, kept beside it (not in the scanned tree): an earlier
    # run's extraction is reused only when it came from exactly this artifact or commit.
    stamp_file = src_dir / f".{dest.name}.stamp.json"
    stamp = {"source": src.spec, "artifact": src.artifact, "sha256": src.sha256, "commit": src.commit}
    try:
        reusable = json.loads(stamp_file.read_text()) == stamp and dest.is_dir()
    except (OSError, ValueError):
        reusable = False
    if reusable:
        src.root = dest
        return
    stamp_file.unlink(missing_ok=True)
    if dest.exists():
        shutil.rmtree(dest)
    if src.kind == "git":
        for cand in mirror_candidates(mirror_roots, src.owner, src.repo):
            if has_commit(cand, src.commit):
                src.mirror = cand
                break
        if src.mirror is None:
            src.skipped = "no local mirror has the commit"
            return
        log(f"extracting {src.owner}/{src.repo}@{src.commit[:12]} from {src.mirror}")
        extract_git(src, src.mirror, dest)
    else:
        artifact = fetch_pypi(src, cache)
        log(f"extracting {artifact.name}")
        extract_pypi(src, artifact, dest)
    stamp_file.write_text(json.dumps(stamp) + "\n")
    src.root = dest


def mark_boundary(src_dir: Path) -> None:
    """sidguard looks for its configuration in the scanned project's ancestors up to the first
    directory holding `.git`. A `.git` file beside the extracted projects ends that search
    there, as at the root of a user's checkout, so a configuration of the checkout this
    script runs in never applies to third-party code. (Git itself rejects this gitfile, so no
    git command run inside the extracted trees reaches the enclosing repository either.)"""
    src_dir.mkdir(parents=True, exist_ok=True)
    marker = src_dir / ".git"
    if not marker.exists():
        marker.write_text(
            "gitdir: .not-a-repository (scripts/realworld.py: sidguard's configuration "
            "lookup stops here)\n"
        )


DEF_RE_CACHE: dict[str, re.Pattern] = {}


def check_def_lines(sources: list[Source]) -> list[str]:
    errors = []
    for src in sources:
        if src.root is None:
            continue
        for r in src.rows:
            f = src.root / r.path
            if not f.is_file():
                errors.append(f"{r.where()}: {r.path} is not in {src.spec}")
                continue
            lines = f.read_bytes().decode("utf-8", "replace").splitlines()
            name = r.function.rsplit(".", 1)[-1]
            pat = DEF_RE_CACHE.setdefault(name, re.compile(rf"^\s*(async\s+)?def\s+{re.escape(name)}\b"))
            got = lines[r.line - 1] if r.line <= len(lines) else None
            if got is None or not pat.match(got):
                near = [
                    i + 1 for i, ln in enumerate(lines) if pat.match(ln)
                ]
                hint = f"; `def {name}` is on line(s) {', '.join(map(str, near[:6]))}" if near else ""
                shown = "past the end of the file" if got is None else repr(got.strip()[:80])
                errors.append(
                    f"{r.where()}: line {r.line} does not hold `def {name}` ({shown}){hint}"
                )
    return errors


# --------------------------------------------------------------------------------------
# Scanning and matching


def normalise(path: str, root: Path) -> str:
    p = path.replace("\\", "/")
    for prefix in (str(root).rstrip("/") + "/", str(root.resolve()).rstrip("/") + "/"):
        if p.startswith(prefix):
            return p[len(prefix):]
    while p.startswith("./"):
        p = p[2:]
    return p


def scan(src: Source, binary: Path, timeout: float) -> None:
    assert src.root is not None
    cmd = [str(binary), "scan", str(src.root), "--format", "json", "--color", "never"]
    started = time.monotonic()
    try:
        # From the project's root, where a user would run it (and where sidguard looks for
        # the project's own configuration).
        p = subprocess.run(cmd, cwd=src.root, capture_output=True, timeout=timeout)
    except subprocess.TimeoutExpired:
        src.seconds = time.monotonic() - started
        src.error = f"timed out after {timeout:.0f} s"
        return
    except OSError as e:
        src.error = f"cannot run {binary}: {e}"
        return
    src.seconds = time.monotonic() - started
    src.exit_code = p.returncode
    if p.returncode not in (0, 1):
        src.error = f"sidguard exited {p.returncode}:\n{tail(p.stderr)}"
        return
    try:
        report = json.loads(p.stdout)
        findings = report["findings"]
    except (ValueError, KeyError, TypeError) as e:
        src.error = f"sidguard's JSON could not be read ({e}):\n{tail(p.stdout)}"
        return
    if report.get("version") != 1:
        warn(f"{src.label}: sidguard JSON version {report.get('version')!r} (this script reads version 1)")
    src.summary = report.get("summary") or {}
    src.sidguard_skipped = [
        {**x, "path": normalise(str(x.get("path", "")), src.root)} for x in report.get("skipped") or []
    ]
    for f in findings:
        if f.get("rule") not in RULES:
            continue
        src.findings.append(
            Finding(
                source=src,
                path=normalise(f["path"], src.root),
                line=int(f.get("line") or 0),
                function=f.get("function") or "",
                rule=f["rule"],
                message=f.get("message") or "",
                framework=FINDING_FRAMEWORK.get(str(f.get("framework", "")).lower(), "unknown"),
                storage=FINDING_STORAGE.get(str(f.get("storage", "")), "unknown"),
            )
        )


def match(sources: list[Source], ledger: dict[tuple, LedgerEntry]) -> None:
    """Attributes each finding to the most specific labelled row it falls in (same path,
    same function or one nested in it), else to its ledger entry."""
    for src in sources:
        by_path: dict[str, list[Row]] = {}
        for r in src.rows:
            by_path.setdefault(r.path, []).append(r)
        for f in src.findings:
            cands = [
                r for r in by_path.get(f.path, [])
                if f.function == r.function or f.function.startswith(r.function + ".")
            ]
            if cands:
                r = max(cands, key=lambda r: len(r.function))
                f.row = r
                r.findings.append(f)
                f.cls = "tp" if r.verdict == "vulnerable" else "fp"
                if (e := ledger.get(f.key())) is not None:
                    e.shadowed = True
                continue
            e = ledger.get(f.key())
            if e is not None:
                e.used = True
                f.ledger = e
                f.cls = {"true": "tp", "false": "fp"}.get(e.verdict, "untriaged")


# --------------------------------------------------------------------------------------
# Figures


def ratio(a: int, b: int) -> float | None:
    return a / b if b else None


def figures(rows: list[Row], findings: list[Finding]) -> dict:
    vul = [r for r in rows if r.verdict == "vulnerable"]
    safe = [r for r in rows if r.verdict == "safe"]
    fv = sum(r.flagged for r in vul)
    fs = sum(r.flagged for r in safe)
    tp = sum(f.cls == "tp" for f in findings)
    fp = sum(f.cls == "fp" for f in findings)
    un = sum(f.cls == "untriaged" for f in findings)
    return {
        "rows": len(rows),
        "vulnerable": len(vul),
        "flagged_vulnerable": fv,
        "recall": ratio(fv, len(vul)),
        "safe": len(safe),
        "flagged_safe": fs,
        "fp_rate": ratio(fs, len(safe)),
        "findings": len(findings),
        "tp": tp,
        "fp": fp,
        "untriaged": un,
        "precision": ratio(tp, tp + fp),
    }


def finding_group(f: Finding, dim: str) -> str:
    if dim == "rule":
        return f.rule
    if f.row is not None:
        return getattr(f.row, dim)
    return getattr(f, dim)


def breakdown(rows: list[Row], findings: list[Finding], dim: str, order: tuple) -> dict:
    keys = {getattr(r, dim) for r in rows} | {finding_group(f, dim) for f in findings}
    ordered = [k for k in order if k in keys] + sorted(k for k in keys if k not in order)
    return {
        k: figures([r for r in rows if getattr(r, dim) == k],
                   [f for f in findings if finding_group(f, dim) == k])
        for k in ordered
    }


def pct(x: float | None) -> str:
    return "-" if x is None else f"{100 * x:.1f}%"


def table(named: list[tuple[str, dict]]) -> str:
    """One line per group: each figure with its counts (flagged/rows, true/triaged)."""

    def cell(x: float | None, a: int, b: int) -> str:
        return f"{pct(x):>6} {f'{a}/{b}':>9}"

    out = [f"{'':<22} {'recall':>16} {'FP rate':>16} {'precision':>16} {'untriaged':>10}"]
    for name, fg in named:
        out.append(
            f"{name:<22} "
            f"{cell(fg['recall'], fg['flagged_vulnerable'], fg['vulnerable'])} "
            f"{cell(fg['fp_rate'], fg['flagged_safe'], fg['safe'])} "
            f"{cell(fg['precision'], fg['tp'], fg['tp'] + fg['fp'])} "
            f"{fg['untriaged']:>10}"
        )
    return "\n".join(out)


# --------------------------------------------------------------------------------------
# Recorded figures (figures.toml)

# +1: higher is better. A new untriaged finding fails too: precision is measured over
# triaged findings only, so a change that adds findings must triage them into the ledger.
CHECKED = (("recall", 1), ("precision", 1), ("fp_rate", -1), ("untriaged", -1))
FIGURES_HEADER = """\
# Recorded figures of the real-world corpus, compared by `scripts/realworld.py --check`
# (`--only pypi --check` is the check meant for CI). Written by `scripts/realworld.py
# --record`; do not edit by hand. [pypi] covers the rows with pypi: sources, [whole] every
# row of the manifest (recorded only by a run that had every git source's mirror). A check
# fails when recall or precision fell, or the FP rate or the untriaged count rose, against
# the values here.
"""


def toml_str(s: str) -> str:
    out = []
    for ch in s:
        o = ord(ch)
        if ch == '"':
            out.append('\\"')
        elif ch == "\\":
            out.append("\\\\")
        elif ch == "\n":
            out.append("\\n")
        elif ch == "\t":
            out.append("\\t")
        elif o < 0x20 or o == 0x7F:
            out.append(f"\\u{o:04X}")
        else:
            out.append(ch)
    return '"' + "".join(out) + '"'


def toml_value(v) -> str:
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, (int, float)):
        return repr(v)
    return toml_str(str(v))


def write_figures(path: Path, parts: dict[str, dict]) -> None:
    text = FIGURES_HEADER
    for part in ("pypi", "whole"):
        text += f"\n[{part}]\n"
        for k, v in parts.get(part, {}).items():
            if v is not None:
                text += f"{k} = {toml_value(v)}\n"
    path.write_text(text)


def record_part(fg: dict, version: str) -> dict:
    return {
        "recall": fg["recall"],
        "precision": fg["precision"],
        "fp_rate": fg["fp_rate"],
        "rows": fg["rows"],
        "vulnerable": fg["vulnerable"],
        "safe": fg["safe"],
        "findings_triaged": fg["tp"] + fg["fp"],
        "untriaged": fg["untriaged"],
        "sidguard": version,
        "recorded": datetime.date.today().isoformat(),
    }


def exact(x: float | int | None) -> str:
    if isinstance(x, int):
        return str(x)
    return "undefined" if x is None else f"{100 * x:.3f}%"


def check_part(name: str, recorded: dict, fg: dict) -> tuple[bool, list[str]]:
    ok = True
    lines = []
    if not any(k in recorded for k, _ in CHECKED):
        return True, [f"{name}: nothing recorded in figures.toml; nothing to compare (run --record)"]
    for key, sign in CHECKED:
        cur = fg[key]
        rec = recorded.get(key)
        if rec is None:
            lines.append(f"{name} {key}: not recorded (now {exact(cur)})")
            continue
        if not isinstance(rec, (int, float)):
            raise UsageError(f"figures.toml [{name}] {key} is not a number")
        if cur is None:
            ok = False
            lines.append(f"{name} {key}: WORSE: recorded {exact(rec)}, now undefined (no rows or findings to measure)")
            continue
        delta = (cur - rec) * sign
        if delta < -1e-9:
            ok = False
            verdict = "WORSE"
        elif delta > 1e-9:
            verdict = "better (run --record to keep it)"
        else:
            verdict = "same"
        lines.append(f"{name} {key}: {verdict}: recorded {exact(rec)}, now {exact(cur)}")
    return ok, lines


# --------------------------------------------------------------------------------------
# Untriaged findings


def untriaged_skeleton(findings: list[Finding], existing: set[tuple]) -> str:
    text = ""
    for f in findings:
        if f.key() in existing:
            continue
        existing.add(f.key())
        text += (
            "\n[[finding]]\n"
            f"project = {toml_str(f.source.project)}\n"
            f"source = {toml_str(f.source.spec)}\n"
            f"path = {toml_str(f.path)}\n"
            f"function = {toml_str(f.function)}\n"
            f"rule = {toml_str(f.rule)}\n"
            f"line = {f.line}\n"
            f"message = {toml_str(f.message)}\n"
            'verdict = "?"  # "true": a real fixation; "false": a false alarm\n'
            'why = ""\n'
        )
    return text


# --------------------------------------------------------------------------------------
# Main


def parse_args(argv: list[str]) -> argparse.Namespace:
    ap = argparse.ArgumentParser(
        description="Measure sidguard on the real-world corpus (tests/realworld/README.md).",
    )
    ap.add_argument("--corpus", type=Path, help="manifest (default tests/realworld/corpus.toml)")
    ap.add_argument("--ledger", type=Path, help="triage ledger (default tests/realworld/ledger.toml)")
    ap.add_argument("--figures", type=Path, help="recorded figures (default tests/realworld/figures.toml)")
    ap.add_argument("--cache", type=Path, help="downloaded artifacts (default target/realworld/cache)")
    ap.add_argument("--src", type=Path, help="extracted sources (default target/realworld/src)")
    ap.add_argument("--mirrors", type=Path, action="append",
                    help="directory holding bare git mirrors named owner+name (repeatable; default "
                         "$SIDGUARD_MIRRORS, a list separated by os.pathsep)")
    ap.add_argument("--bin", type=Path, help="sidguard binary (default target/release/sidguard)")
    ap.add_argument("--only", choices=["pypi"], help="only the pypi sources (what CI runs)")
    ap.add_argument("--jobs", type=int, default=2, help="scans at once (default 2)")
    ap.add_argument(
        "--download-jobs",
        type=int,
        default=6,
        help="downloads and extractions at once (default 6: the network, not the cores, bounds them)",
    )
    ap.add_argument("--timeout", type=float, default=900, help="seconds one project's scan may take (default 900)")
    ap.add_argument("--check", action="store_true", help="exit 1 when a figure got worse than recorded")
    ap.add_argument("--record", action="store_true", help="write the current figures into figures.toml")
    ap.add_argument("--verbose", "-v", action="store_true",
                    help="list missed vulnerable rows, flagged safe rows, projects, stale ledger rows")
    ap.add_argument("--list-untriaged", action="store_true", help="list the untriaged findings")
    ap.add_argument("--write-untriaged", type=Path, metavar="FILE",
                    help="append ledger skeleton rows (verdict = \"?\") for the untriaged findings")
    ap.add_argument("--json", type=Path, metavar="FILE", help="write every figure as JSON")
    args = ap.parse_args(argv)
    if args.check and args.record:
        ap.error("--check and --record do not go together")
    if args.jobs < 1:
        ap.error("--jobs must be at least 1")
    if args.download_jobs < 1:
        ap.error("--download-jobs must be at least 1")
    # Paths given on the command line are relative to the current directory; the defaults
    # to the checkout this script is in.
    defaults = {
        "corpus": "tests/realworld/corpus.toml",
        "ledger": "tests/realworld/ledger.toml",
        "figures": "tests/realworld/figures.toml",
        "cache": "target/realworld/cache",
        "src": "target/realworld/src",
        "bin": "target/release/sidguard",
    }
    for name, default in defaults.items():
        given = getattr(args, name)
        setattr(args, name, (given.absolute() if given is not None else REPO / default))
    args.cache = args.cache.resolve()
    args.src = args.src.resolve()
    if args.mirrors is None:
        env = os.environ.get("SIDGUARD_MIRRORS", "")
        args.mirrors = [Path(p).absolute() for p in env.split(os.pathsep) if p]
    else:
        args.mirrors = [m.absolute() for m in args.mirrors]
    return args


def run(args: argparse.Namespace) -> int:
    wall = time.monotonic()
    rows = parse_corpus(args.corpus)
    ledger = parse_ledger(args.ledger)
    recorded: dict = {}
    if args.check or args.record:
        if args.figures.exists():
            recorded = load_toml(args.figures, "figures")
        elif args.check:
            raise UsageError(f"figures not found: {args.figures}")
    if not args.bin.is_file() or not os.access(args.bin, os.X_OK):
        raise UsageError(f"sidguard binary not found: {args.bin} (build it with cargo build --release)")
    version = subprocess.run([str(args.bin), "--version"], capture_output=True, text=True).stdout.strip()

    sources = group_sources(rows)
    if args.only == "pypi":
        sources = [s for s in sources if s.kind == "pypi"]
    rows_considered = [r for s in sources for r in s.rows]

    # 1. Sources: download/extract (pypi), or extract from a local mirror (git).
    mark_boundary(args.src)
    errors: list[str] = []
    with concurrent.futures.ThreadPoolExecutor(args.download_jobs) as pool:
        futures = {pool.submit(prepare, s, args.cache, args.src, args.mirrors): s for s in sources}
        for fut in futures:  # in the manifest's order
            try:
                fut.result()
            except UsageError as e:
                errors.extend(e.errors)
    if errors:
        raise UsageError(errors)
    # 2. Every available row's def line.
    errors = check_def_lines(sources)
    if errors:
        raise UsageError(errors)
    skipped = [s for s in sources if s.skipped]
    available = [s for s in sources if s.root is not None]

    # 3. Scans.
    with concurrent.futures.ThreadPoolExecutor(args.jobs) as pool:
        list(pool.map(lambda s: scan(s, args.bin, args.timeout), available))
    failed = [s for s in available if s.error]
    scanned = [s for s in available if not s.error]

    # 4. Matching.
    match(scanned, ledger)
    used_rows = [r for s in scanned for r in s.rows]
    all_findings = [f for s in scanned for f in s.findings]
    pypi_rows = [r for s in scanned if s.kind == "pypi" for r in s.rows]
    pypi_findings = [f for s in scanned if s.kind == "pypi" for f in s.findings]
    untriaged = [f for f in all_findings if f.cls == "untriaged"]
    used_ids = {id(r) for r in used_rows}

    overall = figures(used_rows, all_findings)
    pypi = figures(pypi_rows, pypi_findings)
    complete = not skipped and not failed and args.only is None
    by = {
        "framework": breakdown(used_rows, all_findings, "framework", FRAMEWORKS),
        "rule": breakdown(used_rows, all_findings, "rule", RULES),
        "storage": breakdown(used_rows, all_findings, "storage", STORAGES),
    }
    scanned_specs = {s.spec for s in scanned}
    stale = [e for e in ledger.values() if e.source in scanned_specs and not e.used and not e.shadowed]
    shadowed = [e for e in ledger.values() if e.shadowed]
    unknown_ledger = [e for e in ledger.values() if e.source not in {s.spec for s in group_sources(rows)}]

    # 5. Report.
    out = []
    p = out.append
    p(f"sidguard real-world corpus: {args.corpus}")
    p(f"binary: {args.bin} ({version})")
    skipped_rows = sum(len(s.rows) for s in skipped)
    failed_rows = sum(len(s.rows) for s in failed)
    p(
        f"rows: {len(rows)} in the manifest, {len(rows_considered)} considered"
        f"{' (--only pypi)' if args.only else ''}, {len(used_rows)} used, "
        f"{skipped_rows} skipped, {failed_rows} in failed projects"
    )
    scan_time = sum(s.seconds or 0 for s in available)
    p(
        f"projects: {len(scanned)} scanned ({sum(s.kind == 'pypi' for s in scanned)} pypi, "
        f"{sum(s.kind == 'git' for s in scanned)} git), {len(failed)} failed, {len(skipped)} skipped; "
        f"scan time {scan_time:.2f} s (sum over projects), wall {time.monotonic() - wall:.1f} s"
    )
    if skipped:
        p(f"skipped {skipped_rows} rows from {len({(s.owner, s.repo) for s in skipped})} repositories (no local mirror)")
    for s in failed:
        p(f"ERROR {s.label}: {s.error}")
    p("")
    named = [("all", overall)]
    if args.only is None:
        named.append(("pypi", pypi))
    for dim in ("framework", "rule", "storage"):
        for k, fg in by[dim].items():
            named.append((f"{dim} {k}", fg))
    p(table(named))
    p("")
    p(
        f"findings (SID001-SID003): {overall['findings']}: {overall['tp']} true, {overall['fp']} false, "
        f"{overall['untriaged']} untriaged"
        + ("" if not untriaged or args.list_untriaged else " (list them with --list-untriaged)")
    )
    if unknown_ledger:
        p(f"ledger: {len(unknown_ledger)} rows name a source that is not in the manifest")
    if stale:
        p(f"ledger: {len(stale)} rows match no finding of a scanned project"
          + ("" if args.verbose else " (see --verbose)"))
    if shadowed:
        p(f"ledger: {len(shadowed)} rows name findings that the manifest labels (the manifest wins)"
          + ("" if args.verbose else " (see --verbose)"))
    if args.list_untriaged and untriaged:
        p("")
        p("untriaged findings:")
        for f in untriaged:
            pending = " [\"?\" in the ledger]" if f.ledger else ""
            p(f"  {f.source.spec}  {f.path}:{f.line}  {f.function}  {f.rule}{pending}")
            p(f"      {f.message}")
    if args.verbose:
        missed = [r for r in used_rows if r.verdict == "vulnerable" and not r.flagged]
        flagged_safe = [r for r in used_rows if r.verdict == "safe" and r.flagged]
        skipped_files = {(s.spec, x["path"]): x.get("reason") for s in scanned for x in s.sidguard_skipped}
        p("")
        p(f"missed vulnerable rows: {len(missed)}")
        for r in missed:
            p(f"  {r.project}  {r.path}:{r.line}  {r.function}  [{r.rule} {r.framework} {r.storage}]")
            p(f"      why: {r.why}")
            if (r.source, r.path) in skipped_files:
                p(f"      note: sidguard skipped the file: {skipped_files[(r.source, r.path)]}")
        p(f"flagged safe rows: {len(flagged_safe)}")
        for r in flagged_safe:
            p(f"  {r.project}  {r.path}:{r.line}  {r.function}  [{r.rule} {r.framework} {r.storage}]")
            p(f"      why: {r.why}")
            for f in r.findings:
                p(f"      flagged: {f.rule} line {f.line} in {f.function}: {f.message}")
        relabelled = [
            r for r in used_rows
            if r.verdict == "vulnerable" and r.flagged and all(f.rule != r.rule for f in r.findings)
        ]
        if relabelled:
            p(f"vulnerable rows flagged only by another rule than labelled: {len(relabelled)}")
            for r in relabelled:
                other = ", ".join(sorted({f.rule for f in r.findings}))
                p(f"  {r.project}  {r.path}:{r.line}  {r.function}: labelled {r.rule}, flagged {other}")
        p("")
        p("projects:")
        for s in available:
            state = "ERROR" if s.error else f"exit {s.exit_code}"
            secs = f"{s.seconds:.2f} s" if s.seconds is not None else "-"
            p(
                f"  {s.project:<24} {s.kind:<4} rows {len(s.rows):>3}  findings {len(s.findings):>3}  "
                f"files {s.summary.get('files', '-')!s:>5}  {secs:>8}  {state}"
            )
        for s in skipped:
            p(f"  {s.project:<24} git  rows {len(s.rows):>3}  skipped: {s.skipped}")
        for what, entries in (("match no finding", stale), ("are superseded by the manifest", shadowed)):
            if entries:
                p(f"ledger rows that {what}:")
                for e in entries:
                    p(f"  finding {e.n}: {e.source}  {e.path}  {e.function}  {e.rule}")

    status = 0
    check_result = None
    if args.check:
        p("")
        ok = True
        lines: list[str] = []
        for name, fg in (("pypi", pypi), ("whole", overall)):
            if name == "whole" and args.only:
                lines.append("whole: not compared (--only pypi)")
                continue
            if name == "whole" and not complete:
                lines.append(f"whole: not compared ({skipped_rows} rows skipped, {failed_rows} in failed projects)")
                continue
            if name == "pypi" and any(s.kind == "pypi" for s in failed):
                lines.append("pypi: not compared (a pypi project failed)")
                continue
            part_ok, part_lines = check_part(name, recorded.get(name, {}), fg)
            ok &= part_ok
            lines += part_lines
        p("check against " + str(args.figures) + ":")
        p("\n".join("  " + ln for ln in lines))
        p("check: " + ("passed" if ok else "FAILED: a figure got worse than recorded"))
        check_result = {"ok": ok, "lines": lines}
        if not ok:
            status = 1
    if args.record:
        p("")
        if failed:
            p("record: not written: a project failed")
        else:
            parts = {k: v for k, v in recorded.items() if k in ("pypi", "whole")}
            parts["pypi"] = record_part(pypi, version)
            if complete:
                parts["whole"] = record_part(overall, version)
            write_figures(args.figures, parts)
            what = "pypi and whole" if complete else "pypi (whole kept: this run was not complete)"
            p(f"record: wrote {what} to {args.figures}")

    print("\n".join(out), flush=True)

    if args.write_untriaged and untriaged:
        existing: set[tuple] = set()
        if args.write_untriaged.exists():
            doc = load_toml(args.write_untriaged, "untriaged file")
            for e in doc.get("finding", []):
                if isinstance(e, dict):
                    existing.add((e.get("source"), e.get("path"), e.get("function"), e.get("rule")))
        text = untriaged_skeleton(untriaged, existing)
        if text:
            with open(args.write_untriaged, "a") as fh:
                fh.write(text)
        n = text.count("\n[[finding]]\n")
        print(f"wrote {n} skeleton rows to {args.write_untriaged}"
              + (f" ({len(untriaged) - n} already there)" if n < len(untriaged) else ""))

    if args.json:
        doc = {
            "corpus": str(args.corpus),
            "sidguard": {"bin": str(args.bin), "version": version},
            "only": args.only,
            "complete": complete,
            "totals": {
                "rows_in_manifest": len(rows),
                "rows_considered": len(rows_considered),
                "rows_used": len(used_rows),
                "rows_skipped": skipped_rows,
                "rows_in_failed_projects": failed_rows,
                "projects_scanned": len(scanned),
                "projects_failed": len(failed),
                "repositories_skipped": len({(s.owner, s.repo) for s in skipped}),
                "scan_seconds": scan_time,
                "wall_seconds": time.monotonic() - wall,
            },
            "figures": {"all": overall, "pypi": pypi, "whole": overall if complete else None, "by": by},
            "check": check_result,
            "projects": [
                {
                    "project": s.project, "source": s.spec, "kind": s.kind,
                    "root": str(s.root) if s.root else None,
                    "mirror": str(s.mirror) if s.mirror else None,
                    "rows": len(s.rows), "skipped": s.skipped, "error": s.error,
                    "exit_code": s.exit_code, "seconds": s.seconds,
                    "findings": len(s.findings), "summary": s.summary,
                    "files_skipped_by_sidguard": s.sidguard_skipped,
                }
                for s in sources
            ],
            "rows": [
                {
                    "n": r.n, "project": r.project, "source": r.source, "path": r.path,
                    "function": r.function, "line": r.line, "verdict": r.verdict, "rule": r.rule,
                    "framework": r.framework, "storage": r.storage, "kind": r.kind, "pair": r.pair,
                    "used": id(r) in used_ids, "flagged": r.flagged,
                    "findings": [{"rule": f.rule, "line": f.line, "function": f.function} for f in r.findings],
                }
                for r in rows_considered
            ],
            "findings": [
                {
                    "project": f.source.project, "source": f.source.spec, "path": f.path,
                    "line": f.line, "function": f.function, "rule": f.rule, "message": f.message,
                    "framework": f.framework, "storage": f.storage, "class": f.cls,
                    "basis": "manifest" if f.row else "ledger" if f.ledger else None,
                    "row": f.row.n if f.row else None,
                }
                for f in all_findings
            ],
            "ledger_stale": [dataclasses.asdict(e) for e in stale],
            "ledger_superseded": [dataclasses.asdict(e) for e in shadowed],
        }
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(doc, indent=2) + "\n")

    if failed:
        log(f"{len(failed)} project(s) failed to scan: exit 3")
        return 3
    return status


def main(argv: list[str] | None = None) -> int:
    args = parse_args(sys.argv[1:] if argv is None else argv)
    try:
        return run(args)
    except UsageError as e:
        for line in e.errors:
            print(f"error: {line}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())
