"""The package version (from the installed distribution's metadata) and the code version recorded in
provenance (the version plus the git commit when running from a checkout)."""

from __future__ import annotations

import functools
import subprocess
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

DISTRIBUTION = "geomeld"


def package_version() -> str:
    """The installed geomeld distribution's version (``"0+unknown"`` when geomeld is not installed,
    e.g. run from a source tree on ``PYTHONPATH`` without ``pip install``)."""
    try:
        return version(DISTRIBUTION)
    except PackageNotFoundError:
        return "0+unknown"


@functools.cache
def git_commit() -> str | None:
    """The commit of the checkout this code runs from (``+dirty`` when it has local changes), or None
    outside a git checkout or without git."""
    root = Path(__file__).resolve().parents[3]
    if not (root / ".git").exists():
        return None
    try:
        head = subprocess.run(
            ["git", "-C", str(root), "rev-parse", "HEAD"],
            capture_output=True,
            text=True,
            timeout=5,
            check=True,
        ).stdout.strip()
        dirty = subprocess.run(
            ["git", "-C", str(root), "status", "--porcelain", "--untracked-files=no"],
            capture_output=True,
            text=True,
            timeout=5,
            check=True,
        ).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return None
    return f"{head}+dirty" if dirty else head or None


def code_version() -> str:
    """What produced an artefact, as one string: the package version, plus ``+git.<commit>`` (12 hex
    digits, ``.dirty`` with local changes) when running from a git checkout. Recorded in build
    provenance, training checkpoints and evaluation reports."""
    commit = git_commit()
    if not commit:
        return package_version()
    dirty = commit.endswith("+dirty")
    return f"{package_version()}+git.{commit[:12]}{'.dirty' if dirty else ''}"
