"""The training cache: GeoMeld shards packed into per-shard contiguous arrays in compact dtypes.

GeoMeld shards (tar of one HDF5 file per sample) stay the exchange format; ``geomeld pack`` turns
each shard into a folder ``<out>/<shard stem>.pack/`` that a GPU can be fed from:

* ``<modality>.npy`` — every 10 m grid modality at the full 128 px chip (so random crops stay
  possible), in the registry's full band order: continuous ones as ``float16`` (no-data = NaN),
  categorical ones as ``uint8`` *class indices* (no-data = 255), shapes ``(N, C, 128, 128)`` /
  ``(N, 128, 128)``. Values come through the loader's own decode (band mapping, NAIP-layout
  expansion, value checks), un-normalised: normalisation happens on the device.
* ``present.npy`` ``(N, M)`` bool — whether the sample stores modality M at all;
* ``caption_embedding.npy`` ``(N, dim)`` float16 and ``has_caption.npy`` ``(N,)`` — the caption
  embeddings (from ``geomeld embed-captions`` files when given, else the configured text encoder);
* ``keys.json`` and ``meta.json`` (format, source shard name and size, sample count, modalities
  with dtype/bands, text encoder, the largest fp16 rounding error seen per modality).

Why this layout (measured in ``benchmarks/loader.py``): a sample is ~0.74 MB instead of ~1.6 MB of
HDF5, a batch is a handful of ``memcpy``\\ s out of memory-mapped arrays (no HDF5 parsing, no
per-band masks, no int64 labels on the host), and the batch crosses to the GPU in its compact
dtypes; crop, normalisation, validity masks and presence flags are computed there
(:func:`geomeld.io.packed.finish_batch`). fp16 keeps 11 significant bits: 0.05 % relative error,
far below Sentinel-2's radiometric uncertainty; values beyond fp16's range are refused.
"""

from __future__ import annotations

import json
import logging
import os
import shutil
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from geomeld.core.modalities import MODALITIES, Modality, grid_modalities

log = logging.getLogger(__name__)

PACK_FORMAT = "geomeld-pack-1"
PACK_SUFFIX = ".pack"
CLASS_NODATA = 255


class PackError(ValueError):
    """A pack folder is missing, stale or does not match what the loader expects."""


def pack_modalities() -> list[Modality]:
    """The modalities a pack stores: every 10 m grid modality of the registry (NAIP is not packed)."""
    grid = max(m.size for m in grid_modalities())
    return [m for m in grid_modalities() if m.size == grid]


def pack_dir(shard: str | os.PathLike[str], out: str | os.PathLike[str]) -> Path:
    return Path(out) / f"{Path(shard).stem}{PACK_SUFFIX}"


def read_pack_meta(folder: str | os.PathLike[str]) -> dict[str, Any]:
    p = Path(folder) / "meta.json"
    try:
        meta = json.loads(p.read_text())
    except (OSError, ValueError) as exc:
        raise PackError(f"{folder}: not a geomeld pack ({exc}); create it with `geomeld pack`") from exc
    if meta.get("format") != PACK_FORMAT:
        raise PackError(f"{p}: format {meta.get('format')!r}, expected {PACK_FORMAT!r}")
    return meta


def pack_shard(
    shard: str | os.PathLike[str],
    out: str | os.PathLike[str],
    *,
    captions: Any = None,
    text_encoder: Any = None,
    layouts: Sequence[str] | None = None,
) -> Path:
    """Pack one shard into ``<out>/<stem>.pack/`` (written in a temp folder, then renamed).

    ``captions``: a :class:`~geomeld.training.captions.CaptionStore` with this shard's embeddings;
    else ``text_encoder`` embeds the captions now; with neither, no caption arrays are written.
    """
    from geomeld.io.loader import GeoMeldDataset

    shard = Path(shard)
    target = pack_dir(shard, out)
    mods = pack_modalities()
    ds = GeoMeldDataset(
        [shard],
        stats=None,
        modalities=[m.key for m in mods],
        crop="none",
        shuffle=False,
        layouts=layouts,
        rank=0,
        world_size=1,
    )
    n = ds.num_samples
    tmp = target.with_name(f".{target.name}.tmp-{os.getpid()}")
    if tmp.exists():
        shutil.rmtree(tmp)
    tmp.mkdir(parents=True)
    size = ds.crop_size
    arrays: dict[str, np.memmap[Any, Any]] = {}
    for m in mods:
        shape = (n, size, size) if m.is_categorical else (n, m.num_bands, size, size)
        dtype = np.uint8 if m.is_categorical else np.float16
        arrays[m.key] = np.lib.format.open_memmap(tmp / f"{m.key}.npy", mode="w+", dtype=dtype, shape=shape)
    present = np.zeros((n, len(mods)), dtype=bool)
    max_err = {m.key: 0.0 for m in mods if not m.is_categorical}
    keys: list[str] = []
    captions_text: list[str] = []
    for j, item in enumerate(ds._generate(list(range(n)), 0)):
        keys.append(item["key"])
        captions_text.append(item["caption"])
        for a, m in enumerate(mods):
            present[j, a] = bool(item["present_" + m.key])
            if m.is_categorical:
                idx = item[m.key]
                arrays[m.key][j] = np.where(idx < 0, CLASS_NODATA, idx).astype(np.uint8)
            else:
                x = np.where(item[m.key + "_valid"], item[m.key], np.nan).astype(np.float32)
                h = x.astype(np.float16)
                if np.isinf(h).any():
                    raise PackError(f"{shard.name}:{item['key']}: {m.key} has values beyond float16's range")
                finite = np.isfinite(x)
                if finite.any():
                    rel = np.abs(h[finite].astype(np.float32) - x[finite]) / np.maximum(
                        np.abs(x[finite]), 1e-6
                    )
                    max_err[m.key] = max(max_err[m.key], float(rel.max()))
                arrays[m.key][j] = h
    if len(keys) != n:
        raise PackError(f"{shard}: {n} samples in the index, {len(keys)} decoded")
    for arr in arrays.values():
        arr.flush()
    del arrays
    np.save(tmp / "present.npy", present)
    dim = None
    encoder_name = None
    if captions is not None:
        emb, has = captions.lookup(keys, captions_text)
        emb_np, has_np = emb.numpy().astype(np.float16), has.numpy()
        dim, encoder_name = captions.dim, captions.text_encoder
    elif text_encoder is not None:
        from geomeld.models.text import embed_captions

        e, h_ = embed_captions(text_encoder, captions_text)
        emb_np, has_np = e.numpy().astype(np.float16), h_.numpy()
        dim, encoder_name = text_encoder.dim, text_encoder.name
    if dim is not None:
        np.save(tmp / "caption_embedding.npy", emb_np)
        np.save(tmp / "has_caption.npy", has_np)
    (tmp / "keys.json").write_text(json.dumps(keys))
    meta = {
        "format": PACK_FORMAT,
        "shard": shard.name,
        "shard_bytes": shard.stat().st_size,
        "samples": n,
        "size": size,
        "modalities": [
            {
                "key": m.key,
                "dtype": "uint8" if m.is_categorical else "float16",
                "bands": list(m.band_names),
                "nodata": CLASS_NODATA if m.is_categorical else "nan",
                "classes": m.classes.num_classes if m.classes is not None else None,
            }
            for m in mods
        ],
        "text_encoder": encoder_name,
        "caption_dim": dim,
        "max_rel_error_fp16": max_err,
        "bytes_per_sample": int(sum(f.stat().st_size for f in tmp.glob("*.npy")) / max(n, 1)),
    }
    (tmp / "meta.json").write_text(json.dumps(meta, indent=1))
    if target.exists():
        shutil.rmtree(target)
    os.replace(tmp, target)
    return target


def pack_shards(
    shards: Sequence[str | os.PathLike[str]],
    out: str | os.PathLike[str],
    *,
    captions: Any = None,
    text_encoder: Any = None,
    layouts: Sequence[str] | None = None,
    overwrite: bool = False,
    progress: bool = False,
) -> list[Path]:
    """Pack every shard (skipping packs already up to date for the same shard size); resumable."""
    done: list[Path] = []
    items: Any = list(shards)
    if progress:
        from tqdm.auto import tqdm

        items = tqdm(items, desc="pack", unit="shard")
    for shard in items:
        target = pack_dir(shard, out)
        if not overwrite and (target / "meta.json").is_file():
            try:
                meta = read_pack_meta(target)
                if meta.get("shard_bytes") == Path(shard).stat().st_size:
                    done.append(target)
                    continue
            except PackError:
                pass
        done.append(pack_shard(shard, out, captions=captions, text_encoder=text_encoder, layouts=layouts))
    return done


def modality_keys() -> list[str]:
    return [m.key for m in pack_modalities()]


def registry_modality(key: str) -> Modality:
    return MODALITIES[key]
