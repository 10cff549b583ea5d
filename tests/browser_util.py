"""Headless Chromium for page tests: DOM after load (with the page's own data-* probes) and screenshots."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest


def chromium() -> str:
    """The Chromium binary; skips the test when absent, fails it under CI (where .ci/run installs it)."""
    for name in ("chromium", "chromium-browser", "google-chrome"):
        found = shutil.which(name)
        if found:
            return found
    if os.environ.get("CI"):
        pytest.fail("chromium is not installed; .ci/run must install it (apt-get install chromium)")
    pytest.skip("chromium not installed on this machine")


def _flags(profile: Path) -> list[str]:
    return [
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        f"--user-data-dir={profile}",
        "--virtual-time-budget=8000",
        "--allow-file-access-from-files",
    ]


def dump_dom(url: str, profile: Path, width: int = 1200) -> tuple[str, str]:
    """(the DOM after load, the ``<body>`` attributes) of ``url``."""
    dom = subprocess.run(
        [chromium(), *_flags(profile), f"--window-size={width},900", "--dump-dom", url],
        capture_output=True,
        text=True,
        timeout=180,
        check=True,
    ).stdout
    body = re.search(r"<body([^>]*)>", dom)
    assert body is not None, dom[:500]
    return dom, body.group(1)


def screenshot(url: str, profile: Path, out: Path, width: int = 1200, height: int = 1600) -> Path:
    subprocess.run(
        [chromium(), *_flags(profile), f"--window-size={width},{height}", f"--screenshot={out}", url],
        capture_output=True,
        timeout=180,
        check=True,
    )
    artefacts = Path(os.environ.get("GEOMELD_TEST_ARTEFACTS", out.parent / "artefacts"))
    artefacts.mkdir(parents=True, exist_ok=True)
    shutil.copy(out, artefacts / out.name)
    return out
