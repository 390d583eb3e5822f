"""Render an HTML file in headless Chromium (a real browser) for the report tests."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

import pytest

CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--hide-scrollbars",
    "--enable-logging=stderr",
    "--v=0",
]

# Appended to a copy of the page only: it records whether every image decoded, for --dump-dom to show.
_PROBE = (
    "<script>window.addEventListener('load',()=>{const imgs=[...document.images];"
    "document.body.dataset.images=imgs.length;"
    "document.body.dataset.imagesOk=imgs.filter(i=>i.complete&&i.naturalWidth>0).length;});</script>"
)


@dataclass
class Rendered:
    dom: str
    console: list[str]
    images: int
    images_ok: int


#: Set by .ci/run: a missing Chromium fails the browser tests instead of skipping them.
REQUIRE_BROWSER = "KLYNGEKODER_REQUIRE_BROWSER"
INSTALL_HINT = "apt-get install chromium"


def browser_missing(notice: str) -> None:
    """Skip the calling test with ``notice``, or fail it when ``KLYNGEKODER_REQUIRE_BROWSER=1`` (CI)."""
    if os.environ.get(REQUIRE_BROWSER, "") not in ("", "0"):
        pytest.fail(f"{notice} {REQUIRE_BROWSER} is set, so a browser is required.", pytrace=False)
    pytest.skip(notice)


def chromium() -> str:
    """The Chromium executable; without one the calling test is skipped with a notice naming the install command,
    or fails when ``KLYNGEKODER_REQUIRE_BROWSER=1`` (CI) says a browser must be there."""
    exe = shutil.which("chromium") or shutil.which("chromium-browser") or shutil.which("google-chrome")
    if exe is None:
        browser_missing(
            f"Chromium is not installed, so the browser tests cannot run. Install it with "
            f"`{INSTALL_HINT}` (macOS: `brew install --cask chromium`; .ci/run installs it)."
        )
    return exe


def _run(args: list[str]) -> subprocess.CompletedProcess[str]:
    with tempfile.TemporaryDirectory() as profile:
        return subprocess.run(
            [chromium(), *CHROMIUM_FLAGS, f"--user-data-dir={profile}", *args],
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )


def render(page: Path, *, screenshot: Path | None = None) -> Rendered:
    """Load ``page`` in headless Chromium: console messages of the page itself, the DOM after load, image status."""
    chromium()  # skip (or fail in CI) before any work when there is no browser
    page = page.resolve()
    plain = _run(["--virtual-time-budget=5000", "--dump-dom", page.as_uri()])
    console = [line for line in plain.stderr.splitlines() if ":CONSOLE" in line]
    with tempfile.TemporaryDirectory() as tmp:
        probed = Path(tmp) / page.name
        probed.write_text(
            page.read_text(encoding="utf-8").replace("</body>", _PROBE + "</body>"), encoding="utf-8"
        )
        dom = _run(["--virtual-time-budget=5000", "--dump-dom", probed.as_uri()]).stdout
    if screenshot is not None:
        screenshot.parent.mkdir(parents=True, exist_ok=True)
        _run([f"--screenshot={screenshot.resolve()}", "--window-size=1280,2400", page.as_uri()])
    images = re.search(r'data-images="(\d+)"', dom)
    images_ok = re.search(r'data-images-ok="(\d+)"', dom)
    return Rendered(
        dom=plain.stdout,
        console=console,
        images=int(images.group(1)) if images else -1,
        images_ok=int(images_ok.group(1)) if images_ok else -1,
    )
