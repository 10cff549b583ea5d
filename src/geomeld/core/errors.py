"""The one exception base of geomeld: every error a user can cause says which file, which key and what
was expected.

Each stage keeps its own, more specific exception class (``SampleFormatError``, ``AnchorFileError``, …);
they all derive from :class:`GeomeldError` — and from the built-in class they always had (``ValueError``,
``RuntimeError``, …), so ``except ValueError`` in existing code keeps working. The CLI turns any
:class:`GeomeldError` into one line on stderr and a non-zero exit (``--verbose`` adds the traceback).
"""

from __future__ import annotations

import os


class GeomeldError(Exception):
    """Base of geomeld's errors.

    ``message`` is the full human sentence (``str(exc)``). ``file``, ``key`` and ``expected`` are
    optional structured fields — the input file, the key/member/field inside it, and what was expected
    there — for callers that want to act on them; :meth:`one_line` prefixes the file when the message
    does not name it already.
    """

    def __init__(
        self,
        message: str = "",
        *args: object,
        file: str | os.PathLike[str] | None = None,
        key: str | None = None,
        expected: str | None = None,
    ) -> None:
        super().__init__(message, *args)
        self.file = os.fspath(file) if file is not None else None
        self.key = key
        self.expected = expected

    def one_line(self) -> str:
        """The error as one line: ``<file>: <key>: <message> (expected <expected>)``, parts that the
        message already contains left out."""
        message = " ".join(str(self).split())
        parts = []
        if self.file and self.file not in message:
            parts.append(self.file)
        if self.key and self.key not in message:
            parts.append(self.key)
        parts.append(message or type(self).__name__)
        line = ": ".join(parts)
        if self.expected and self.expected not in message:
            line += f" (expected {self.expected})"
        return line


class NothingProducedError(GeomeldError, RuntimeError):
    """A verb finished without an error but produced nothing (no sample read, no line checked, no row
    written). The CLI turns it into one line and exit status 1, so a script never takes an empty run
    for a good one."""


def require_some(count: int, what: str, source: object) -> int:
    """``count`` when it is positive; else :class:`NothingProducedError` saying that no ``what``
    came out of ``source`` (a path, or a list of paths)."""
    if count > 0:
        return count
    if isinstance(source, list | tuple):
        source = ", ".join(os.fspath(s) if isinstance(s, os.PathLike) else str(s) for s in source)
    expected = f"at least one {what}"
    raise NothingProducedError(
        f"{source}: the run produced nothing (expected {expected}, found none)",
        file=str(source),
        expected=expected,
    )
