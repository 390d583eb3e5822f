"""The code style the README and STYLE.md promise: ruff's lint rules and `ruff format` with line length 110."""

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PATHS = ["nlp", "tests", "bench", "scripts"]


def _ruff() -> list[str]:
    exe = shutil.which("ruff", path=str(Path(sys.executable).parent)) or shutil.which("ruff")
    if exe is None:
        pytest.fail("ruff is not installed: it is in the dev extra (pip install -e '.[dev]').")
    return [exe]


def test_ruff_check_is_clean():
    result = subprocess.run(
        [*_ruff(), "check", *PATHS], cwd=ROOT, capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_code_is_ruff_formatted_within_the_line_length():
    result = subprocess.run(
        [*_ruff(), "format", "--check", *PATHS], cwd=ROOT, capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, (
        "run `ruff format nlp tests bench scripts`:\n" + result.stdout + result.stderr
    )
