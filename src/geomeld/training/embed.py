"""``geomeld embed``: per-tile embeddings from shards with an exported encoder → Parquet.

Each sample's Sentinel-2 is read by the io loader (centre crop of the export's input size,
normalised with the export's own statistics, no-data → 0) and encoded with ``forward_pooled``
(global average pool of the last stage + layer norm). One Parquet row per tile: ``key``,
``tile_id``, ``lat``, ``long``, ``shard``, ``caption`` and ``embedding`` (list<float32>); the file's
metadata carries the encoder's JSON so the vectors stay traceable to their weights.
"""

from __future__ import annotations

import json
import logging
import os
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import torch

from geomeld.core.modalities import encoder_input
from geomeld.models.export import ExportedEncoder, load_encoder

log = logging.getLogger(__name__)


def _loader_stats(enc: ExportedEncoder) -> object:
    from geomeld.io.stats import NormStats

    m = encoder_input()
    if enc.band_names != list(m.band_names):
        raise ValueError(
            f"encoder bands {enc.band_names} differ from the registry's {list(m.band_names)} order of {m.key}; "
            "this encoder was not trained on GeoMeld batches"
        )
    return NormStats(
        mean={m.key: enc.mean.numpy()}, std={m.key: enc.std.numpy()}, raw={"source": "encoder.json"}
    )


def embed_shards(
    shards: Sequence[str | os.PathLike[str]],
    encoder_dir: str | os.PathLike[str],
    out: str | os.PathLike[str],
    *,
    batch_size: int = 32,
    num_workers: int = 0,
    device: str = "cpu",
    progress: bool = True,
) -> int:
    """Write the embeddings Parquet (atomically); returns the number of tiles embedded."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    from geomeld.io.index import read_index
    from geomeld.io.loader import make_loader

    enc = load_encoder(encoder_dir, map_location=device)
    key = encoder_input().key
    loader = make_loader(
        list(shards),
        batch_size=batch_size,
        num_workers=num_workers,
        stats=_loader_stats(enc),
        modalities=[key],
        crop_size=enc.input_size,
        crop="center",
        shuffle=False,
        rank=0,
        world_size=1,
    )
    index = read_index(list(shards)).to_pydict()
    where = {
        k: (t, la, lo, sp)
        for k, t, la, lo, sp in zip(
            index["key"], index["tile_id"], index["lat"], index["long"], index["shard_path"], strict=True
        )
    }
    keys: list[str] = []
    captions: list[str] = []
    vectors: list[np.ndarray] = []
    batches = iter(loader)
    if progress:
        from tqdm.auto import tqdm

        batches = iter(tqdm(batches, total=len(loader), desc="embed", unit="batch"))
    with torch.no_grad():
        for batch in batches:
            x = batch[key].to(device)
            vectors.append(enc.model.forward_pooled(x).float().cpu().numpy())
            keys += batch["key"]
            captions += batch["caption"]
    if not keys:
        raise ValueError(f"no samples with {key} in {len(shards)} shard(s)")
    emb = np.concatenate(vectors).astype(np.float32)
    table = pa.table(
        {
            "key": keys,
            "tile_id": [where[k][0] for k in keys],
            "lat": [where[k][1] for k in keys],
            "long": [where[k][2] for k in keys],
            "shard": [where[k][3] for k in keys],
            "caption": captions,
            "embedding": pa.FixedSizeListArray.from_arrays(pa.array(emb.reshape(-1)), emb.shape[1]),
        }
    )
    meta = {
        k: enc.meta[k]
        for k in ("size", "dims", "patch_size", "input_size", "band_names", "weights_sha256", "which")
        if k in enc.meta
    }
    table = table.replace_schema_metadata(
        {b"geomeld_encoder": json.dumps(meta).encode(), b"geomeld_encoder_dir": str(encoder_dir).encode()}
    )
    target = Path(out)
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_name(f".{target.name}.tmp-{os.getpid()}")
    pq.write_table(table, tmp)
    os.replace(tmp, target)
    log.info("wrote %d embeddings of width %d to %s", len(keys), emb.shape[1], target)
    return len(keys)
