"""The shape of the code itself: what a review would have to catch by eye."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SOURCES = [p for top in ("backend", "memory", "ingest", "tests") for p in (ROOT / top).rglob("*.py")]
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def test_no_control_characters_in_source() -> None:
    """A "\\b" typed into a non-raw string (or pasted) becomes a backspace: the identity check's
    cue words never matched, and nothing else noticed."""
    found = [
        f"{p.relative_to(ROOT)}:{n}"
        for p in SOURCES
        for n, line in enumerate(p.read_text(encoding="utf-8").splitlines(), 1)
        if _CONTROL.search(line)
    ]
    assert SOURCES and not found, found


WHOLE_REPO = {"test_architecture.py", "test_compose.py"}
"""The only test files at the top of tests/: checks of the repository as a whole."""


def test_test_files_mirror_the_packages() -> None:
    """tests/backend/agents/test_x.py tests backend/agents/; each folder on the way is a package
    (an __init__.py), so two test files may share a name in different folders."""
    tests = ROOT / "tests"
    misplaced = []
    for path in tests.rglob("test_*.py"):
        folder = path.parent.relative_to(tests)
        if folder == Path("."):
            ok = path.name in WHOLE_REPO
        else:
            chain = [folder, *folder.parents][:-1]
            ok = (ROOT / folder / "__init__.py").is_file() and all(
                (tests / part / "__init__.py").is_file() for part in chain
            )
        if not ok:
            misplaced.append(str(path.relative_to(ROOT)))
    assert not misplaced, f"not in a folder mirroring a package (nor a whole-repo check): {misplaced}"


_SQL = re.compile(r"[\"'](?:SELECT|INSERT INTO|UPDATE \w+ SET|DELETE FROM|CREATE TABLE|ALTER TABLE)\b")
SQL_HOMES = ("backend/store/", "backend/embedded/", "backend/health.py")
"""Where SQL may be written: the store; the embedded server's and the health check's probes."""


def test_sql_lives_in_the_store() -> None:
    """Issue 12: SQL spread over ingest, erasure and the CLI drifted from the schema."""
    found = [
        f"{p.relative_to(ROOT)}:{n}"
        for p in SOURCES
        if not p.relative_to(ROOT).as_posix().startswith(("tests/", *SQL_HOMES))
        for n, line in enumerate(p.read_text(encoding="utf-8").splitlines(), 1)
        if _SQL.search(line)
    ]
    assert not found, found
