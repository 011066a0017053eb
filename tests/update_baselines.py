"""Recompute the golden baselines in tests/baselines/baselines.json and show the diff.

    .venv/bin/python tests/update_baselines.py           # show what changed, then write
    .venv/bin/python tests/update_baselines.py --check   # show only; exit 1 on a change

Run it after an intended change of a forecast default, a method or a phase criterion,
read the differences it prints, and commit the refreshed file with the change.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tests.baselines.compute import BASELINE_FILE, compute_all, differences  # noqa: E402


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="Do not write; exit 1 on a diff.")
    args = parser.parse_args()
    old = json.loads(BASELINE_FILE.read_text(encoding="utf-8")) if BASELINE_FILE.is_file() else {}
    new = compute_all()
    found = differences(old, new)
    if not found:
        print(f"{BASELINE_FILE}: no change")
        return 0
    print(f"{len(found)} differences (expected -> now):")
    for line in found:
        print(f"  {line}")
    if args.check:
        return 1
    BASELINE_FILE.write_text(json.dumps(new, indent=1, sort_keys=True) + "\n", encoding="utf-8")
    print(f"wrote {BASELINE_FILE}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
