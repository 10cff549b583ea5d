"""The build manifest: an append-only JSON-lines log that makes ``geomeld build`` resumable exactly.

Two kinds of line, each flushed and fsync'ed before the builder moves on:

* ``{"event": "tile", "tile_id", "status": done|skipped|failed, "reason", "message", ...}`` — written
  after a done tile's sample is safely in the spool (``.spool/<layout>/<tile_id>.h5``, atomic);
* ``{"event": "shard", "layout", "number", "path", "tiles": [...]}`` — written after a shard holding
  those spooled samples was published atomically; only then are their spool files deleted.

On resume: tiles with a ``done`` or ``skipped`` line are not rebuilt — except a ``done`` tile that
*lost a layer* to an input error (``lost_layers``: a corrupt, missing or refused DEM, S1, …): its sample
is held in the spool, out of the shards, and the tile is rebuilt on every resume until the layer comes
back (or the config says ``publish_incomplete: true``); ``--retry-skipped`` also rebuilds skipped tiles; spooled samples not yet in a
recorded shard go into the next shard; a shard file left by a run killed before its ``shard`` line is
overwritten under the same number with the same samples. So a kill -9 at any point loses nothing and
duplicates nothing. ``failed`` tiles are retried on resume (their last outcome is what counts).
A torn last line (kill during a write) is ignored.
"""

from __future__ import annotations

import json
import os
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

MANIFEST_NAME = "manifest.jsonl"
SPOOL_DIR = ".spool"


@dataclass
class ManifestState:
    tiles: dict[str, dict[str, Any]] = field(default_factory=dict)  # last record per tile
    sharded: set[str] = field(default_factory=set)
    shards: list[dict[str, Any]] = field(default_factory=list)

    def next_shard_number(self, layout: str) -> int:
        numbers = [int(s["number"]) for s in self.shards if s["layout"] == layout]
        return max(numbers, default=-1) + 1

    def finished(self, tile_id: str, publish_incomplete: bool = False) -> bool:
        rec = self.tiles.get(tile_id)
        if rec is None or rec["status"] not in ("done", "skipped"):
            return False
        return publish_incomplete or not self.held(tile_id)

    def held(self, tile_id: str) -> bool:
        """A done tile whose sample lost a layer to an input error (kept out of shards, retried)."""
        rec = self.tiles.get(tile_id)
        return rec is not None and rec["status"] == "done" and bool(rec.get("lost_layers"))


class Manifest:
    """Append-only manifest of one output folder."""

    def __init__(self, out_dir: str | Path) -> None:
        self.out_dir = Path(out_dir)
        self.out_dir.mkdir(parents=True, exist_ok=True)
        self.path = self.out_dir / MANIFEST_NAME
        self.spool = self.out_dir / SPOOL_DIR

    def load(self) -> ManifestState:
        state = ManifestState()
        if not self.path.exists():
            return state
        with self.path.open("r", encoding="utf-8") as fh:
            for line in fh:
                if not line.endswith("\n"):
                    break  # torn final line from a kill during the write
                try:
                    rec = json.loads(line)
                except json.JSONDecodeError:
                    continue
                if rec.get("event") == "tile":
                    state.tiles[str(rec["tile_id"])] = rec
                elif rec.get("event") == "shard":
                    state.shards.append(rec)
                    state.sharded.update(str(t) for t in rec["tiles"])
        return state

    def _append(self, rec: dict[str, Any]) -> None:
        line = json.dumps(rec, ensure_ascii=False, allow_nan=False) + "\n"
        # A torn line from an earlier kill must not glue onto this one.
        if self.path.exists() and self.path.stat().st_size > 0:
            with self.path.open("rb") as fh:
                fh.seek(-1, os.SEEK_END)
                if fh.read(1) != b"\n":
                    line = "\n" + line
        with self.path.open("a", encoding="utf-8") as fh:
            fh.write(line)
            fh.flush()
            os.fsync(fh.fileno())

    def record_tile(self, rec: dict[str, Any]) -> None:
        self._append({"event": "tile", **rec})

    def record_shard(self, layout: str, number: int, path: str, tiles: list[str]) -> None:
        self._append({"event": "shard", "layout": layout, "number": number, "path": path, "tiles": tiles})

    # -- spool of finished samples not yet in a shard
    def spool_path(self, layout: str, tile_id: str) -> Path:
        return self.spool / layout / f"{tile_id}.h5"

    def spool_write(self, layout: str, tile_id: str, data: bytes) -> None:
        final = self.spool_path(layout, tile_id)
        final.parent.mkdir(parents=True, exist_ok=True)
        tmp = final.with_name(f".{final.name}.tmp-{os.getpid()}")
        with tmp.open("wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, final)

    def spooled(self, layout: str) -> list[str]:
        folder = self.spool / layout
        if not folder.is_dir():
            return []
        return sorted(p.stem for p in folder.glob("*.h5"))


def summarize(state: ManifestState, publish_incomplete: bool = False) -> dict[str, Any]:
    """Counts per outcome, per stratum and per source (last outcome of each tile), top reasons, and the
    layers lost to input errors per modality and reason (``lost_layers``)."""
    lost: dict[str, Counter[str]] = defaultdict(Counter)
    held = 0
    for tid, rec in state.tiles.items():
        if rec["status"] == "done" and rec.get("lost_layers"):
            for key, why in rec["lost_layers"].items():
                lost[key][str(why)] += 1
            held += int(not publish_incomplete and tid not in state.sharded)
    outcome: Counter[str] = Counter()
    per_stratum: dict[str, Counter[str]] = defaultdict(Counter)
    per_source: dict[str, Counter[str]] = defaultdict(Counter)
    reasons: Counter[str] = Counter()
    for rec in state.tiles.values():
        status = rec["status"]
        outcome[status] += 1
        per_stratum[rec.get("stratum") or "-"][status] += 1
        per_source[rec.get("source") or "-"][status] += 1
        if status != "done":
            reasons[f"{status}:{rec.get('reason')}"] += 1
    return {
        "tiles": sum(outcome.values()),
        "outcome": dict(outcome),
        "per_stratum": {k: dict(v) for k, v in sorted(per_stratum.items())},
        "per_source": {k: dict(v) for k, v in sorted(per_source.items())},
        "reasons": dict(reasons.most_common()),
        "lost_layers": {k: dict(v) for k, v in sorted(lost.items())},
        "held_incomplete": held,
        "shards": [s["path"] for s in state.shards],
        "samples_in_shards": len(state.sharded),
    }
