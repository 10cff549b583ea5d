"""Shard summaries (``geomeld inspect``) and registry validation (``geomeld validate``)."""

from __future__ import annotations

import os
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

import numpy as np

from geomeld.core.modalities import MODALITIES
from geomeld.core.sample import Sample, SampleFormatError
from geomeld.io.h5sample import decode_checked, layout_of
from geomeld.io.shards import iter_members


def expand_shards(paths: Iterable[str | os.PathLike[str]]) -> list[Path]:
    """Shard files from files and folders (a folder contributes its ``*.tar`` files, sorted)."""
    out: list[Path] = []
    for p in map(Path, paths):
        if p.is_dir():
            found = sorted(p.glob("*.tar"))
            if not found:
                raise FileNotFoundError(f"{p}: folder holds no .tar shards")
            out += found
        elif p.is_file():
            out.append(p)
        else:
            raise FileNotFoundError(f"{p}: no such shard or folder")
    return out


def _new_entry() -> dict[str, Any]:
    return {
        "shapes": set(),
        "dtypes": set(),
        "min": np.inf,
        "max": -np.inf,
        "present": 0,
        "samples": 0,
        "valid": 0,
        "pixels": 0,
    }


def checked_samples(path: str | os.PathLike[str]) -> Iterator[tuple[bool, Sample | None, list[str]]]:
    """Every member of a shard decoded and checked: ``(True, sample or None, problems)``; a damaged
    tar ends with ``(False, None, [its problem])``."""
    try:
        for member in iter_members(Path(path)):
            try:
                sample, found, _ = decode_checked(member.data, member.where)
            except SampleFormatError as exc:
                yield True, None, [str(exc)]
                continue
            problems = [str(p) for p in found]
            if sample is not None and str(sample.metadata.tile_id) != member.key:
                problems.append(
                    f"{member.where}: tile_id: metadata tile_id {sample.metadata.tile_id!r} differs from the "
                    f"member name {member.key}.h5"
                )
            yield True, sample, problems
    except SampleFormatError as exc:
        yield False, None, [str(exc)]


def inspect_shard(path: str | os.PathLike[str]) -> dict[str, Any]:
    """Counts, layouts, keys, shapes, dtypes, value ranges, presence and problems of one shard."""
    mods: dict[str, dict[str, Any]] = {}
    layouts: dict[str, int] = {}
    problems: list[str] = []
    count = 0
    captions = 0
    for is_member, sample, found in checked_samples(path):
        count += is_member
        problems += found
        if sample is None:
            continue
        captions += bool(sample.metadata.caption)
        layout = layout_of(list(sample.arrays), sample.metadata)
        layouts[layout.name] = layouts.get(layout.name, 0) + 1
        for key, arr in sample.arrays.items():
            e = mods.setdefault(key, _new_entry())
            e["samples"] += 1
            e["shapes"].add(tuple(arr.shape))
            e["dtypes"].add(str(arr.dtype))
            m = MODALITIES.get(key)
            valid = m.valid_mask(arr) if m is not None else np.ones(arr.shape, bool)
            n_valid = int(valid.sum())
            e["valid"] += n_valid
            e["pixels"] += int(arr.size)
            if n_valid:
                e["present"] += 1
                e["min"] = min(e["min"], float(arr[valid].min()))
                e["max"] = max(e["max"], float(arr[valid].max()))
    return {
        "shard": str(path),
        "samples": count,
        "layouts": layouts,
        "captioned": captions,
        "modalities": {
            k: {
                "samples": e["samples"],
                "present_in": e["present"],
                "shapes": sorted(list(s) for s in e["shapes"]),
                "dtypes": sorted(e["dtypes"]),
                "min": None if e["min"] == np.inf else e["min"],
                "max": None if e["max"] == -np.inf else e["max"],
                "valid_fraction": e["valid"] / e["pixels"] if e["pixels"] else 0.0,
            }
            for k, e in mods.items()
        },
        "problems": problems,
    }


def validate_shard(path: str | os.PathLike[str]) -> tuple[int, list[str]]:
    """Check every sample of a shard against the registry; returns (members read, problems)."""
    count = 0
    problems: list[str] = []
    for is_member, _, found in checked_samples(path):
        count += is_member
        problems += found
    return count, problems
