"""Precomputed caption embeddings: one file per shard, written once by ``geomeld embed-captions``.

Training reads caption embeddings with the batch instead of running a text model in the step
loop (a frozen MiniLM on the CPU manages ~33 captions/s/thread; a GPU step wants thousands).

File: ``<shard stem>.captions.npz`` beside the shard (or in another folder), uncompressed NumPy
arrays, written atomically:

* ``keys`` (N,) str — the sample keys of the shard's index, in member order;
* ``tile_ids`` (N,) str;
* ``caption_sha`` (N,) str — the first 16 hex digits of SHA-256 of the stripped caption (``""``
  for samples without a caption);
* ``embeddings`` (N, dim) float16 — the frozen text encoder's output (zeros without a caption);
* ``has_caption`` (N,) bool;
* ``meta`` () str — JSON: format, text encoder name, dim, shard file name and size.

A lookup is keyed by tile key *and* caption hash: a caption edited after the embeddings were
written is refused with a message naming the tile, instead of training on a stale vector.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import torch
from torch import Tensor

from geomeld.core.errors import GeomeldError
from geomeld.models.text import TextEncoder

log = logging.getLogger(__name__)

SUFFIX = ".captions.npz"
FORMAT = "geomeld-caption-embeddings-1"


class CaptionEmbeddingError(GeomeldError, ValueError):
    """Caption embeddings are missing, stale or were made by another text encoder."""


def caption_hash(caption: str | None) -> str:
    text = (caption or "").strip()
    return hashlib.sha256(text.encode()).hexdigest()[:16] if text else ""


def captions_path(shard: str | os.PathLike[str], folder: str | os.PathLike[str] | None = None) -> Path:
    """Where the embeddings of ``shard`` live: ``<folder or the shard's folder>/<stem>.captions.npz``."""
    p = Path(shard)
    return (Path(folder) if folder is not None else p.parent) / f"{p.stem}{SUFFIX}"


def write_shard_captions(
    shard: str | os.PathLike[str],
    encoder: TextEncoder,
    out: str | os.PathLike[str] | None = None,
    *,
    batch_size: int = 256,
) -> Path:
    """Embed every caption of one shard (read from its index) and write the file atomically."""
    from geomeld.io.index import read_index

    shard = Path(shard)
    cols = read_index([shard]).to_pydict()
    keys: list[str] = cols["key"]
    captions = [(c or "").strip() for c in cols["caption"]]
    has = np.array([bool(c) for c in captions], dtype=bool)
    emb = np.zeros((len(keys), encoder.dim), dtype=np.float16)
    todo = [i for i in range(len(keys)) if has[i]]
    for start in range(0, len(todo), batch_size):
        idx = todo[start : start + batch_size]
        vectors = encoder.encode([captions[i] for i in idx]).float().numpy()
        emb[idx] = vectors.astype(np.float16)
    target = Path(out) if out is not None else captions_path(shard)
    meta = {
        "format": FORMAT,
        "text_encoder": encoder.name,
        "dim": encoder.dim,
        "shard": shard.name,
        "shard_bytes": shard.stat().st_size,
        "samples": len(keys),
        "captioned": int(has.sum()),
    }
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_name(f".{target.name}.tmp-{os.getpid()}")
    with tmp.open("wb") as f:
        np.savez(
            f,
            keys=np.array(keys, dtype=str),
            tile_ids=np.array(cols["tile_id"], dtype=str),
            caption_sha=np.array([caption_hash(c) for c in captions], dtype=str),
            embeddings=emb,
            has_caption=has,
            meta=np.array(json.dumps(meta)),
        )
        f.flush()
        os.fsync(f.fileno())
    os.replace(tmp, target)
    return target


def read_meta(path: str | os.PathLike[str]) -> dict[str, Any]:
    try:
        with np.load(path, allow_pickle=False) as z:
            meta = json.loads(str(z["meta"]))
    except (OSError, ValueError, KeyError) as exc:
        raise CaptionEmbeddingError(f"{path}: not a caption-embeddings file ({exc})") from exc
    if meta.get("format") != FORMAT:
        raise CaptionEmbeddingError(f"{path}: format {meta.get('format')!r}, expected {FORMAT!r}")
    return meta


def embed_shard_captions(
    shards: Sequence[str | os.PathLike[str]],
    encoder: TextEncoder,
    folder: str | os.PathLike[str] | None = None,
    *,
    overwrite: bool = False,
    progress: bool = False,
) -> list[Path]:
    """Write (or keep, when up to date for this encoder and shard size) one file per shard."""
    done: list[Path] = []
    items: Any = list(shards)
    if progress:
        from tqdm.auto import tqdm

        items = tqdm(items, desc="embed-captions", unit="shard")
    for shard in items:
        target = captions_path(shard, folder)
        if not overwrite and target.is_file():
            try:
                meta = read_meta(target)
                if (
                    meta.get("text_encoder") == encoder.name
                    and meta.get("shard_bytes") == Path(shard).stat().st_size
                ):
                    done.append(target)
                    continue
            except CaptionEmbeddingError:
                pass  # rewritten below
        done.append(write_shard_captions(shard, encoder, target))
    return done


class CaptionStore:
    """Caption embeddings of many shards, looked up by sample key (and checked by caption hash)."""

    def __init__(self, paths: Sequence[str | os.PathLike[str]], text_encoder: str | None = None) -> None:
        if not paths:
            raise CaptionEmbeddingError("no caption-embedding files given")
        mats: list[np.ndarray] = []
        self.row: dict[str, int] = {}
        hashes: list[np.ndarray] = []
        has: list[np.ndarray] = []
        self.text_encoder: str | None = None
        self.dim = 0
        n = 0
        for p in paths:
            meta = read_meta(p)
            if text_encoder is not None and meta["text_encoder"] != text_encoder:
                raise CaptionEmbeddingError(
                    f"{p} was written with text encoder {meta['text_encoder']!r}, the config asks for "
                    f"{text_encoder!r}; rerun `geomeld embed-captions --text-encoder …`"
                )
            if self.text_encoder is not None and meta["text_encoder"] != self.text_encoder:
                raise CaptionEmbeddingError(
                    f"{p}: text encoder {meta['text_encoder']!r} differs from the other files'"
                )
            self.text_encoder, self.dim = meta["text_encoder"], int(meta["dim"])
            with np.load(p, allow_pickle=False) as z:
                keys = z["keys"].tolist()
                mats.append(z["embeddings"])
                hashes.append(z["caption_sha"])
                has.append(z["has_caption"])
            for j, k in enumerate(keys):
                self.row[k] = n + j
            n += len(keys)
        self.embeddings = np.concatenate(mats)
        self.hashes = np.concatenate(hashes)
        self.has = np.concatenate(has)

    def lookup(self, keys: Sequence[str], captions: Sequence[str] | None = None) -> tuple[Tensor, Tensor]:
        """``(B, dim)`` float16 embeddings and ``(B,)`` bool has-caption for a batch's keys."""
        try:
            rows = np.fromiter((self.row[k] for k in keys), dtype=np.int64, count=len(keys))
        except KeyError as exc:
            raise CaptionEmbeddingError(
                f"tile {exc.args[0]!r} has no precomputed caption embedding; rerun `geomeld embed-captions`"
            ) from exc
        if captions is not None:
            for k, r, c in zip(keys, rows.tolist(), captions, strict=True):
                if self.hashes[r] != caption_hash(c):
                    raise CaptionEmbeddingError(
                        f"tile {k!r}: its caption changed after the embeddings were written; "
                        "rerun `geomeld embed-captions --overwrite`"
                    )
        return torch.from_numpy(self.embeddings[rows]), torch.from_numpy(self.has[rows])


def resolve_caption_files(
    shards: Sequence[Path],
    encoder_kind: str,
    hashing_dim: int,
    *,
    folder: Path | None,
    fallback: Path,
    rank: int = 0,
) -> list[Path]:
    """The caption-embedding file of every shard for this text encoder, computing missing ones once.

    Looked for in ``folder`` (when given), else beside the shard, else in ``fallback``; files that are
    missing or stale (another encoder, another shard size) are written into ``folder`` or
    ``fallback`` by rank 0 (the caller synchronises the ranks afterwards). The text model only
    runs here, before training, never in the step loop.
    """
    from geomeld.models.text import build_text_encoder

    text = build_text_encoder(encoder_kind, None, hashing_dim)

    def usable(p: Path, shard: Path) -> bool:
        if not p.is_file():
            return False
        try:
            meta = read_meta(p)
        except CaptionEmbeddingError:
            return False
        return bool(meta.get("text_encoder") == text.name and meta.get("shard_bytes") == shard.stat().st_size)

    out: list[Path] = []
    todo: list[tuple[Path, Path]] = []
    for shard in shards:
        candidates = (
            [captions_path(shard, folder)]
            if folder is not None
            else [captions_path(shard), captions_path(shard, fallback)]
        )
        hit = next((p for p in candidates if usable(p, shard)), None)
        if hit is None:
            hit = captions_path(shard, folder if folder is not None else fallback)
            todo.append((shard, hit))
        out.append(hit)
    if todo and rank == 0:
        log.info(
            "embedding the captions of %d shard(s) with %s once, before training (next time: "
            "`geomeld embed-captions` beside the shards)",
            len(todo),
            text.name,
        )
        for shard, target in todo:
            write_shard_captions(shard, text, target)
    return out
