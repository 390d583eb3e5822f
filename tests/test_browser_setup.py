"""The browser tests on a machine without Chromium: skipped with a notice naming the install command, and failed
when CI requires a browser (KLYNGEKODER_REQUIRE_BROWSER=1, set by .ci/run)."""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BROWSER_TEST = "tests/test_report.py::test_report_loads_in_a_real_browser"


def _run_without_chromium(tmp_path, **env):
    # PATH holds only a folder with this Python: no chromium, chromium-browser or google-chrome is found
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    (bin_dir / "python").symlink_to(sys.executable)
    clean = {k: v for k, v in os.environ.items() if k != "KLYNGEKODER_REQUIRE_BROWSER"}
    clean.update(PATH=str(bin_dir), PYTHONPATH=str(ROOT), **env)
    return subprocess.run(
        [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", BROWSER_TEST],
        cwd=ROOT,
        env=clean,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


def test_browser_test_skips_with_the_install_command_without_chromium(tmp_path):
    res = _run_without_chromium(tmp_path)
    assert res.returncode == 0, res.stdout + res.stderr
    assert "1 skipped" in res.stdout and "apt-get install chromium" in res.stdout


def test_browser_test_fails_without_chromium_when_ci_requires_it(tmp_path):
    res = _run_without_chromium(tmp_path, KLYNGEKODER_REQUIRE_BROWSER="1")
    assert res.returncode == 1, res.stdout + res.stderr
    assert "1 failed" in res.stdout and "apt-get install chromium" in res.stdout
    assert "KLYNGEKODER_REQUIRE_BROWSER" in res.stdout


def test_ci_requires_the_browser():
    assert "export KLYNGEKODER_REQUIRE_BROWSER=1" in (ROOT / ".ci" / "run").read_text(encoding="utf-8")
