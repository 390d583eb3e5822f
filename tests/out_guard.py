"""What tests must never touch: the repository's out/ folder (the demo's and the user's outputs live there)."""

from __future__ import annotations

from pathlib import Path

REPO_OUT = Path(__file__).resolve().parents[1] / "out"


def snapshot(folder: Path) -> dict[str, tuple[int, int]]:
    """relative path -> (size, mtime in ns) of every file under ``folder`` (empty when it does not exist)."""
    if not folder.is_dir():
        return {}
    return {
        str(p.relative_to(folder)): (st.st_size, st.st_mtime_ns)
        for p in folder.rglob("*")
        if p.is_file()
        for st in [p.stat()]
    }


def changes(before: dict[str, tuple[int, int]], after: dict[str, tuple[int, int]]) -> list[str]:
    """Files added, removed or rewritten between two snapshots, sorted."""
    return sorted(k for k in before.keys() | after.keys() if before.get(k) != after.get(k))
