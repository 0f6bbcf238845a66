"""The PEP 517 build backend of the pre-commit mirror (pyproject.toml names it, in-tree).

pre-commit installs a `language: python` hook with `pip install .`; all this package brings
is its dependency on the `sidguard` wheel. Its own wheel holds nothing but that metadata, so
it is written here with the standard library: pip has no build backend (setuptools) to
download and install first, which made up half of the hook's first install.

It reads `name`, `version`, `requires-python` and `dependencies` from pyproject.toml's
[project] table, as scripts/mirror writes them (one line each).
"""

import base64
import hashlib
import os
import re
import zipfile

HERE = os.path.dirname(os.path.abspath(__file__))


def _project():
    with open(os.path.join(HERE, "pyproject.toml"), encoding="utf-8") as f:
        text = f.read()
    table = re.search(r"^\[project\]\n(.*?)(?=^\[|\Z)", text, re.M | re.S)
    if not table:
        raise RuntimeError("pyproject.toml has no [project] table")
    body = table.group(1)

    def string(key):
        m = re.search(rf'^{key}\s*=\s*"([^"]*)"', body, re.M)
        if not m:
            raise RuntimeError(f"pyproject.toml: [project] has no {key}")
        return m.group(1)

    deps = re.search(r"^dependencies\s*=\s*\[(.*?)\]", body, re.M | re.S)
    return {
        "name": string("name"),
        "version": string("version"),
        "summary": string("description"),
        "requires_python": string("requires-python"),
        "dependencies": re.findall(r'"([^"]+)"', deps.group(1)) if deps else [],
    }


def _metadata(p):
    lines = [
        "Metadata-Version: 2.1",
        f"Name: {p['name']}",
        f"Version: {p['version']}",
        f"Summary: {p['summary']}",
        f"Requires-Python: {p['requires_python']}",
    ]
    lines += [f"Requires-Dist: {d}" for d in p["dependencies"]]
    return "\n".join(lines) + "\n"


def _dist_info(p):
    return f"{re.sub(r'[-_.]+', '_', p['name'])}-{p['version']}.dist-info"


def get_requires_for_build_wheel(config_settings=None):
    return []


def prepare_metadata_for_build_wheel(metadata_directory, config_settings=None):
    p = _project()
    info = os.path.join(metadata_directory, _dist_info(p))
    os.makedirs(info, exist_ok=True)
    with open(os.path.join(info, "METADATA"), "w", encoding="utf-8") as f:
        f.write(_metadata(p))
    return _dist_info(p)


def build_wheel(wheel_directory, config_settings=None, metadata_directory=None):
    p = _project()
    info = _dist_info(p)
    name = f"{info[: -len('.dist-info')]}-py3-none-any.whl"
    files = {
        f"{info}/METADATA": _metadata(p),
        f"{info}/WHEEL": "Wheel-Version: 1.0\nGenerator: mirror_backend\n"
        "Root-Is-Purelib: true\nTag: py3-none-any\n",
    }
    record = []
    with zipfile.ZipFile(os.path.join(wheel_directory, name), "w") as whl:
        for path, text in files.items():
            data = text.encode("utf-8")
            digest = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=")
            record.append(f"{path},sha256={digest.decode()},{len(data)}")
            whl.writestr(path, data)
        record.append(f"{info}/RECORD,,")
        whl.writestr(f"{info}/RECORD", "\n".join(record) + "\n")
    return name
