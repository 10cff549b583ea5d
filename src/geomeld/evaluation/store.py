"""Results kept as they are produced: one record per task × encoder × protocol × seed ("cell").

``<output>/cells.jsonl`` gets one JSON line per finished cell (appended and flushed at once), and
``<output>/cells/<id>.npz`` its per-test-unit statistics (``test``) plus one array per robustness
condition (``cond:<name>``). A run that dies keeps every finished cell; ``geomeld evaluate --resume``
skips cells whose record and statistics exist and whose identity matches: the task's data
fingerprint, the encoder's source, the protocol, the seed and a hash of the settings that change
results (training settings, normalisation, missing-band rule). Without ``--resume`` an existing store
is moved aside to ``cells.jsonl.prev`` (never silently mixed).
"""

from __future__ import annotations

import hashlib
import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from geomeld.core.atomic import write_atomic


@dataclass
class Cell:
    record: dict[str, Any]
    test: np.ndarray
    conditions: dict[str, np.ndarray]


def cell_id(identity: dict[str, Any]) -> str:
    return hashlib.sha256(json.dumps(identity, sort_keys=True, default=str).encode()).hexdigest()[:20]


class CellStore:
    """Append-only store of finished cells under ``out`` (in memory only when ``out`` is None)."""

    def __init__(self, out: str | os.PathLike[str] | None, resume: bool = False) -> None:
        self.out = Path(out) if out is not None else None
        self.cells: dict[str, Cell] = {}
        self.resumed = 0
        if self.out is None:
            return
        self.out.mkdir(parents=True, exist_ok=True)
        (self.out / "cells").mkdir(exist_ok=True)
        log = self.out / "cells.jsonl"
        if log.is_file() and not resume:
            log.replace(self.out / "cells.jsonl.prev")
        elif log.is_file():
            self._load(log)

    def _load(self, log: Path) -> None:
        assert self.out is not None
        for i, line in enumerate(log.read_text().splitlines()):
            if not line.strip():
                continue
            try:
                rec = json.loads(line)
            except json.JSONDecodeError:
                continue  # a line cut by a crash: that cell is recomputed
            npz = self.out / "cells" / f"{rec.get('id')}.npz"
            if not npz.is_file():
                continue
            try:
                with np.load(npz) as z:
                    test = z["test"]
                    conds = {k[5:]: z[k] for k in z.files if k.startswith("cond:")}
            except (OSError, ValueError, KeyError) as exc:
                raise ValueError(
                    f"{npz}: unreadable cell statistics ({exc}); delete it (and line {i + 1} of {log}) to recompute"
                ) from None
            self.cells[rec["id"]] = Cell(rec, test, conds)

    def get(self, cid: str) -> Cell | None:
        cell = self.cells.get(cid)
        if cell is not None:
            self.resumed += 1
        return cell

    def put(
        self, cid: str, record: dict[str, Any], test: np.ndarray, conditions: dict[str, np.ndarray]
    ) -> Cell:
        rec = {"id": cid, **record}
        cell = Cell(rec, test, conditions)
        self.cells[cid] = cell
        if self.out is None:
            return cell
        import io

        buf = io.BytesIO()
        arrays: dict[str, Any] = {"test": test, **{f"cond:{k}": v for k, v in conditions.items()}}
        np.savez(buf, **arrays)
        write_atomic(self.out / "cells" / f"{cid}.npz", buf.getvalue())
        with open(self.out / "cells.jsonl", "a") as f:
            f.write(json.dumps(rec, default=str) + "\n")
            f.flush()
            os.fsync(f.fileno())
        return cell
