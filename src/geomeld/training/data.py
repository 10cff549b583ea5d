"""Where the engine's batches come from: anything that yields Batch dicts epoch by epoch.

A :class:`BatchSource` has ``epoch(n, skip)`` (an iterator of this rank's batches for epoch ``n``,
deterministic given ``n``, starting after the first ``skip`` batches: that restores a loader
position exactly) and ``input_stats()`` (mean/std of the encoder input bands, exported with the
encoder). :class:`ShardSource` is the real one, over GeoMeld shards through
:func:`geomeld.io.loader.make_loader`; :class:`ListSource` replays fixed batches.
"""

from __future__ import annotations

import glob
import logging
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any, Protocol

from geomeld.core.modalities import encoder_input
from geomeld.training.batch import Batch
from geomeld.training.config import PretrainConfig

log = logging.getLogger(__name__)
STATS_FILE = "stats.json"


class BatchSource(Protocol):
    def epoch(self, epoch: int, skip: int = 0) -> Iterator[Batch]: ...

    def input_stats(self) -> Mapping[str, Any]: ...


class ListSource:
    """A fixed list of batches repeated every epoch (tests, benchmarks, overfitting one batch)."""

    def __init__(self, batches: Sequence[Batch], stats: Mapping[str, Any]) -> None:
        if not batches:
            raise ValueError("ListSource needs at least one batch")
        self.batches = list(batches)
        self.stats = dict(stats)

    def epoch(self, epoch: int, skip: int = 0) -> Iterator[Batch]:
        if skip > len(self.batches):
            raise ValueError(f"cannot skip {skip} batches: the epoch has {len(self.batches)}")
        return iter(self.batches[skip:])

    def input_stats(self) -> Mapping[str, Any]:
        return self.stats


def resolve_shards(patterns: Sequence[str], base: Path | None = None) -> list[Path]:
    """Shard files from paths, folders (their ``*.tar``) and glob patterns, in sorted order."""
    out: list[Path] = []
    for pattern in patterns:
        p = Path(pattern)
        if base is not None and not p.is_absolute():
            p = base / p
        if p.is_dir():
            found = sorted(p.glob("*.tar"))
        elif any(c in str(p) for c in "*?["):
            found = sorted(Path(x) for x in glob.glob(str(p)))
        else:
            found = [p] if p.is_file() else []
        if not found:
            raise FileNotFoundError(f"data.shards entry {pattern!r} matches no shard (.tar) file")
        out += found
    return out


def _input_stats(norm: Any, sample_count: int | None) -> dict[str, Any]:
    m = encoder_input()
    return {
        "mean": [float(v) for v in norm.mean[m.key]],
        "std": [float(v) for v in norm.std[m.key]],
        "values": f"stored {m.key} values ({m.units}), NaN = no-data",
        "sample_count": sample_count,
    }


class ShardSource:
    """Batches from GeoMeld shards via the io loader (random crops, normalised, rank-split).

    ``stats``: ``data.stats`` from the config, else ``stats.json`` next to the first shard, else the
    statistics are computed once over the shards and written to ``<run.out_dir>/stats.json``.
    """

    def __init__(self, cfg: PretrainConfig, config_dir: Path | None = None) -> None:
        import os

        import torch

        from geomeld.core.distributed import is_distributed
        from geomeld.io.loader import make_loader
        from geomeld.io.stats import NormStats

        if int(os.environ.get("WORLD_SIZE", "1")) > 1 and not is_distributed():
            raise RuntimeError(
                "launched by torchrun but the process group is not initialised yet: call "
                "geomeld.training.engine.setup_distributed(cfg) before building the ShardSource"
            )
        d = cfg.data
        shards = resolve_shards(d.shards, config_dir)
        stats_path = self._stats_path(cfg, shards, config_dir)
        self.norm = NormStats.from_json(stats_path)
        self.stats_path = stats_path
        self.loader = make_loader(
            shards,
            batch_size=d.batch_size,
            num_workers=d.num_workers,
            drop_last=True,
            stats=self.norm,
            crop_size=cfg.crop,
            crop="random",
            shuffle=True,
            shuffle_buffer=d.shuffle_buffer,
            seed=cfg.run.seed,
            layouts=d.layouts,
            pin_memory=d.pin_memory and torch.cuda.is_available(),
        )
        self.captions: Any = None
        self.caption_dim: int | None = None  # the engine reads it: embeddings come with the batch
        if cfg.itc.enabled and cfg.itc.embeddings == "precomputed":
            self.captions = self._caption_store(cfg, shards, config_dir)
            self.caption_dim = self.captions.dim
        if len(self.loader) == 0:
            raise ValueError(
                f"{len(shards)} shard(s) give no full batch of {d.batch_size} per rank "
                f"(layouts {d.layouts}); lower data.batch_size or add shards"
            )
        log.info(
            "data: %d shard(s), %d batches of %d per rank and epoch, stats %s",
            len(shards),
            len(self.loader),
            d.batch_size,
            stats_path,
        )

    @staticmethod
    def _stats_path(cfg: PretrainConfig, shards: list[Path], config_dir: Path | None) -> Path:
        if cfg.data.stats:
            p = Path(cfg.data.stats)
            p = p if p.is_absolute() or config_dir is None else config_dir / p
            if not p.is_file():
                raise FileNotFoundError(
                    f"data.stats {p} does not exist; create it with `geomeld stats SHARDS --out {p}`"
                )
            return p
        beside = shards[0].parent / STATS_FILE
        if beside.is_file():
            return beside
        from geomeld.core.distributed import is_distributed, rank
        from geomeld.io.stats import compute_stats, write_stats

        out = Path(cfg.run.out_dir) / STATS_FILE
        if rank() == 0 and not out.is_file():
            log.info("no stats file given or next to the shards: computing band statistics into %s", out)
            out.parent.mkdir(parents=True, exist_ok=True)
            write_stats(compute_stats(shards, max_samples=cfg.data.stats_max_samples), out)
        if is_distributed():
            import torch.distributed as dist

            dist.barrier()
        return out

    @staticmethod
    def _caption_store(cfg: PretrainConfig, shards: list[Path], config_dir: Path | None) -> Any:
        from geomeld.core.distributed import is_distributed, rank
        from geomeld.models.text import build_text_encoder
        from geomeld.training.captions import CaptionStore, resolve_caption_files

        folder = None
        if cfg.itc.embeddings_dir:
            folder = Path(cfg.itc.embeddings_dir)
            folder = folder if folder.is_absolute() or config_dir is None else config_dir / folder
        paths = resolve_caption_files(
            shards,
            cfg.itc.text_encoder,
            cfg.itc.hashing_dim,
            folder=folder,
            fallback=Path(cfg.run.out_dir) / "caption_embeddings",
            rank=rank(),
        )
        if is_distributed():
            import torch.distributed as dist

            dist.barrier()
        name = build_text_encoder(cfg.itc.text_encoder, None, cfg.itc.hashing_dim).name
        return CaptionStore(paths, text_encoder=name)

    def _with_captions(self, it: Iterator[Batch]) -> Iterator[Batch]:
        for batch in it:
            emb, has = self.captions.lookup(batch["key"], batch.get("caption"))
            batch["caption_embedding"], batch["has_caption"] = emb, has
            yield batch

    def epoch(self, epoch: int, skip: int = 0) -> Iterator[Batch]:
        """Epoch ``epoch`` from its ``skip``-th batch on, skipped by index (no decoding).

        The loader replays PyTorch's round-robin over its workers to know how many samples each
        worker had delivered, so the skip is exact for *this* worker count; the engine refuses a
        resume with another one (:meth:`resume_signature`).
        """
        self.loader.set_epoch(epoch)
        if skip:
            self.loader.load_state_dict({**self.loader.state_dict(), "epoch": epoch, "batches": skip})
        it = iter(self.loader)
        return self._with_captions(it) if self.captions is not None else it

    def resume_signature(self) -> dict[str, Any]:
        """What a saved loader position depends on (checked when a run resumes)."""
        return {
            "kind": "shards",
            "num_workers": self.loader.num_workers,
            "batch_size": self.loader.batch_size,
        }

    def check_resume(self, saved: Mapping[str, Any] | None) -> None:
        mine = self.resume_signature()
        if saved and saved.get("kind") == "shards" and saved != mine:
            raise ValueError(
                f"cannot resume exactly: the checkpoint's loader position was made with {saved}, this run has "
                f"{mine}; with shards the split of samples between workers depends on data.num_workers — "
                f"set data.num_workers={saved.get('num_workers')} (or train from packs: `geomeld pack`, any "
                "worker count resumes exactly)"
            )

    def input_stats(self) -> Mapping[str, Any]:
        return _input_stats(self.norm, self.norm.raw.get("sample_count"))


class PackSource:
    """Batches from packs (``geomeld pack``): compact host batches, finished on the device.

    The loader plan is made in the main process (see :mod:`geomeld.io.packed`), so resuming skips
    consumed batches by index (nothing is read again) and is exact for any worker count. Caption
    embeddings come from the packs. ``stats``: ``data.stats``, else ``stats.json`` in the packs'
    folder.
    """

    def __init__(self, cfg: PretrainConfig, config_dir: Path | None = None) -> None:
        from geomeld.io.packed import make_packed_loader, resolve_packs
        from geomeld.io.stats import NormStats

        d = cfg.data
        assert d.packs is not None
        base = Path(d.packs)
        base = base if base.is_absolute() or config_dir is None else config_dir / base
        packs = resolve_packs([base])
        if d.stats:
            stats = Path(d.stats)
            stats = stats if stats.is_absolute() or config_dir is None else config_dir / stats
        else:
            stats = (base if base.is_dir() and not base.name.endswith(".pack") else base.parent) / STATS_FILE
        if not stats.is_file():
            raise FileNotFoundError(
                f"no stats file for the packs ({stats}); set data.stats or run `geomeld stats SHARDS --out {stats}`"
            )
        self.norm = NormStats.from_json(stats)
        self.stats_path = stats
        self.crop = cfg.crop
        self.loader = make_packed_loader(
            packs,
            batch_size=d.batch_size,
            num_workers=d.num_workers,
            drop_last=True,
            crop_size=cfg.crop,
            crop="random",
            shuffle=True,
            seed=cfg.run.seed,
            pin_memory=d.pin_memory,
            persistent_workers=d.persistent_workers,
        )
        ds = self.loader.dataset
        self.keys = ds.keys_mod
        self.caption_dim: int | None = None
        if cfg.itc.enabled:
            from geomeld.models.text import build_text_encoder

            want = build_text_encoder(cfg.itc.text_encoder, None, cfg.itc.hashing_dim).name
            if ds.caption_dim is None or ds.text_encoder != want:
                raise ValueError(
                    f"the packs carry caption embeddings of {ds.text_encoder!r}, the config's ITC uses {want!r}; "
                    f"repack with `geomeld pack … --text-encoder {cfg.itc.text_encoder}`"
                )
            self.caption_dim = ds.caption_dim
        if len(self.loader) == 0:
            raise ValueError(f"{len(ds)} packed samples give no full batch of {d.batch_size} per rank")
        self._norm_on: dict[str, Any] = {}
        log.info(
            "data: %d pack(s), %d batches of %d per rank and epoch",
            len(packs),
            len(self.loader),
            d.batch_size,
        )

    def epoch(self, epoch: int, skip: int = 0) -> Iterator[Batch]:
        """Epoch ``epoch`` from its ``skip``-th batch on: skipped by index, nothing decoded."""
        self.loader.set_epoch(epoch)
        state = {**self.loader.state_dict(), "epoch": epoch, "batches": skip}
        self.loader.load_state_dict(state)
        return iter(self.loader)

    def resume_signature(self) -> dict[str, Any]:
        return {"kind": "packs", "batch_size": self.loader.batch_size}

    def check_resume(self, saved: Mapping[str, Any] | None) -> None:
        """Packs resume exactly with any worker count; only the batch size shapes the plan."""
        mine = self.resume_signature()
        if saved and saved.get("kind") == "packs" and saved != mine:
            raise ValueError(f"cannot resume: the checkpoint's loader had {saved}, this run has {mine}")

    def on_device(self, batch: Batch) -> Batch:
        """Crop, normalise, validity and presence on the batch's device (the Batch contract)."""
        from geomeld.io.packed import DeviceNorm, finish_batch

        device = batch[self.keys[0]].device
        norm = self._norm_on.get(str(device))
        if norm is None:
            norm = self._norm_on[str(device)] = DeviceNorm(self.norm, self.keys, device)
        return finish_batch(dict(batch), norm, self.crop, self.keys)

    def input_stats(self) -> Mapping[str, Any]:
        return _input_stats(self.norm, self.norm.raw.get("sample_count"))


def make_source(cfg: PretrainConfig, config_dir: Path | None = None) -> ShardSource | PackSource:
    """:class:`PackSource` when ``data.packs`` is set, else :class:`ShardSource`."""
    return PackSource(cfg, config_dir) if cfg.data.packs else ShardSource(cfg, config_dir)
