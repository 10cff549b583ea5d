#!/usr/bin/env python3
"""Verifier fidelity on a labelled planted-claim set, through ``geomeld caption-check``'s own code.

A set folder holds shards (``*.tar`` or ``shards/*.tar``) and a labelled JSONL (``labels.jsonl``,
``dev.jsonl`` or ``set.jsonl``; ``--labels`` picks another): one caption per line with ``tile_id``,
``caption``, ``label`` (true|false), and for false ones ``false_family`` and ``decidable``. Truth was
computed from the rasters without geomeld code and the phrasing written without reading the verifier.

Prints one JSON line per figure, each with k, n, the rate and its 95 % Wilson interval:
false captions stamped verified, decidable false clauses contradicted (overall and per family), true
captions contradicted, true captions verified, unverifiable shares; then the extractor+verifier speed
(captions/s, signals excluded) and the machine. The baseline in the same run is the lexicon verifier
this project shipped before typed claims (``baseline`` figures), on the same set.

    python benchmarks/fidelity.py benchmarks/data/fidelity
"""

from __future__ import annotations

import argparse
import json
import lzma
import os
import platform
import shutil
import sys
import tempfile
import time
from pathlib import Path

for _var in ("OMP_NUM_THREADS", "MKL_NUM_THREADS", "OPENBLAS_NUM_THREADS"):
    os.environ.setdefault(_var, "1")


def _machine() -> dict[str, object]:
    return {
        "machine": platform.machine(),
        "cpu_count": os.cpu_count(),
        "python": platform.python_version(),
        "threads": int(os.environ.get("OMP_NUM_THREADS", "1")),
        "load_avg_1m": round(os.getloadavg()[0], 2),
    }


def _unpacked(folder: Path, tmp: Path) -> Path:
    """The set folder with its xz-compressed shards (as committed) decompressed into ``tmp``."""
    packed = sorted(folder.glob("*.tar.xz")) + sorted((folder / "shards").glob("*.tar.xz"))
    if not packed:
        return folder
    for labels in folder.glob("*.jsonl"):
        (tmp / labels.name).symlink_to(labels.resolve())
    (tmp / "shards").mkdir()
    for src_path in packed:
        with lzma.open(src_path) as src, open(tmp / "shards" / src_path.name[: -len(".xz")], "wb") as dst:
            shutil.copyfileobj(src, dst)
    return tmp


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("set", type=Path, help="set folder (shards + labelled JSONL)")
    ap.add_argument("--labels", default=None, help="labelled JSONL inside the folder (default: auto)")
    ap.add_argument("--no-baseline", action="store_true", help="skip the lexicon-verifier baseline")
    args = ap.parse_args(argv)

    from geomeld.captioning.caption_check import load_grounds, parse_requests
    from geomeld.captioning.check import check_caption
    from geomeld.captioning.fidelity import figures, find_set, read_labelled

    tmp = tempfile.TemporaryDirectory(prefix="geomeld-fidelity-")
    try:
        shards, labelled = find_set(_unpacked(args.set, Path(tmp.name)), args.labels)
    except FileNotFoundError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    rows = read_labelled(labelled)
    requests = parse_requests(labelled)
    t0 = time.perf_counter()
    grounds, _ = load_grounds(shards, {r.tile_id for r in requests if r.tile_id is not None})
    t_signals = time.perf_counter() - t0
    from geomeld.captioning.gazetteer import warm

    t0 = time.perf_counter()
    warm()  # one-time start-up (place tables), reported apart from the per-caption speed
    t_places = time.perf_counter() - t0
    verdicts = []
    c0 = time.process_time()
    w0 = time.perf_counter()
    for r in requests:
        g = grounds.get(r.tile_id or "")
        if r.error is not None or g is None or r.caption is None:
            verdicts.append("error")
            continue
        verdicts.append(check_caption(r.caption, g, r.claims).verdict.value)
    cpu = time.process_time() - c0
    wall = time.perf_counter() - w0
    meta = {"set": str(labelled), "verifier": "typed-claims", **_machine()}
    for f in figures(rows, verdicts):
        print(json.dumps({**f, **meta}))
    print(
        json.dumps(
            {
                "figure": "extract_and_check_speed",
                "n": len(requests),
                "captions_per_cpu_s": round(len(requests) / cpu, 1) if cpu else None,
                "captions_per_s_wall": round(len(requests) / wall, 1) if wall else None,
                "signals_s_for_tiles": round(t_signals, 2),
                "place_tables_load_s": round(t_places, 2),
                "tiles": len(grounds),
                **meta,
            }
        )
    )
    if not args.no_baseline:
        from geomeld.captioning.evidence import Evidence
        from geomeld.captioning.verifier import verify

        base = []
        for r in requests:
            g = grounds.get(r.tile_id or "")
            if g is None or r.caption is None:
                base.append("error")
                continue
            v = verify(r.caption, Evidence.from_bundle(g.bundle))
            base.append(
                "contradicted" if v.n_contradicted else "verified" if v.is_verified() else "unverifiable"
            )
        for f in figures(rows, base)[:4]:
            print(json.dumps({**f, **meta, "verifier": "baseline-lexicon"}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
