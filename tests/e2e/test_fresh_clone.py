"""A clone with nothing beside it runs: the demo loads and the status answers.

The committed tree is cloned into an empty temporary folder (no ``../shared`` there), and the
CLI of the clone (``PYTHONPATH`` on its ``src``) loads a week of the demo and reads the status.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]


def _git_root() -> Path | None:
    if shutil.which("git") is None:
        return None
    found = subprocess.run(
        ["git", "-C", str(REPO), "rev-parse", "--show-toplevel"],
        capture_output=True,
        text=True,
        check=False,
    )
    return Path(found.stdout.strip()) if found.returncode == 0 else None


def _run(clone: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("KRAAN_")}
    env["PYTHONPATH"] = str(clone / "src")
    code = (
        "import sys, kraan; from kraan.cli import main; "
        "sys.stderr.write('KRAAN_AT=' + kraan.__file__ + '\\n'); main(sys.argv[1:])"
    )
    return subprocess.run(
        [sys.executable, "-c", code, *args],
        cwd=clone,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


def test_a_fresh_clone_loads_the_demo_and_answers_status(tmp_path: Path) -> None:
    root = _git_root()
    if root is None:
        pytest.skip("not a git checkout")
    clone = tmp_path / "fresh" / "kraan"
    subprocess.run(
        ["git", "clone", "--quiet", "--depth", "1", f"file://{root}", str(clone)], check=True
    )
    assert not (clone.parent / "shared").exists() and not (clone.parent.parent / "shared").exists()
    db = f"sqlite:///{tmp_path / 'clone.db'}"
    loaded = _run(
        clone, "demo", "--db", db, "--start", "2020-12-15", "--end", "2020-12-21", "--no-serve"
    )
    assert loaded.returncode == 0, loaded.stdout + loaded.stderr
    assert f"KRAAN_AT={clone / 'src' / 'kraan'}" in loaded.stderr
    answered = _run(clone, "status", "--db", db, "--as-of", "2020-12-21", "--format", "json")
    assert answered.returncode == 0, answered.stdout + answered.stderr
    document = json.loads(answered.stdout)
    assert document["national"]["ic"]["covid"] == 586  # LCPS 2020-12-21
