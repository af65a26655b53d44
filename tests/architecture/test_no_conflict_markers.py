"""No merge-conflict markers in the tracked files: a merge resolved by hand once left two in the docs."""

import re
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
MARKER = re.compile(r"^(<{7} |>{7} |={7}$)", re.M)
TEXT = {".py", ".md", ".html", ".txt", ".cfg", ".toml", ".ini", ".js", ".css", ".json", ".yml", ".yaml", ""}


def test_no_tracked_text_file_holds_a_merge_conflict_marker():
    listing = subprocess.run(["git", "ls-files"], cwd=ROOT, capture_output=True, text=True)
    if listing.returncode != 0:
        pytest.skip("not a git work tree: no tracked files to read")
    tracked = listing.stdout
    found = []
    for name in tracked.splitlines():
        path = ROOT / name
        if path.suffix in TEXT and path.is_file() and MARKER.search(path.read_text(errors="replace")):
            found.append(name)
    assert found == []
