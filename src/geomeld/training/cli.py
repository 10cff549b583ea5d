"""``geomeld pretrain`` and ``geomeld embed``: train GeoMeld-FM, then turn shards into embeddings."""

from __future__ import annotations

from pathlib import Path

import typer

from geomeld.core.errors import require_some
from geomeld.core.options import config_option, set_option


def pretrain(
    config: Path = config_option("Pretraining YAML (configs/pretrain/*.yaml).", required=True),
    overrides: list[str] = set_option(),
    no_resume: bool = typer.Option(
        False, "--no-resume", help="Ignore an existing checkpoint in run.out_dir and start over."
    ),
) -> None:
    """Pretrain GeoMeld-FM (MP-MAE + α·JEPA + β·ITC) on GeoMeld shards; resumable; exports the encoder.

    Inputs: a YAML config naming the shards (data.shards: files, folders or globs, relative to the
    current directory), the stats JSON (data.stats; default stats.json next to the shards, else
    computed once into run.out_dir) and every hyper-parameter. The five ablation variants are
    configs/pretrain/{s2_mae,mp_mae,mp_jepa,mp_itc,full}.yaml; ci_tiny.yaml runs in seconds.

    Outputs in run.out_dir: checkpoint.pt (atomic, resumed automatically: model, EMA, optimizer,
    scheduler, RNG, loader position), metrics.csv (one column per loss term; TensorBoard too when
    installed), encoder/ (encoder.safetensors + encoder.json with bands, normalisation and config)
    and, with JEPA, encoder_target/ (the EMA target encoder).

    Multi-GPU / multi-process: torchrun --nproc-per-node 2 -m geomeld.cli pretrain --config …
    (data.batch_size is per process; NCCL on GPU, gloo on CPU; bf16 autocast on GPU only).

    Example: geomeld pretrain --config configs/pretrain/ci_tiny.yaml --set run.out_dir=runs/tiny
    """
    from geomeld.training.config import load_config
    from geomeld.training.run import run

    # errors (bad config/data/checkpoint, NaN loss): one line from geomeld.cli.main
    cfg = load_config(config, overrides)
    result = run(cfg, resume=not no_resume)
    from geomeld.core.distributed import rank

    if rank() != 0:
        return
    last = result.history[-1] if result.history else {}
    typer.echo(
        f"{cfg.name}: {result.steps} steps in {result.out_dir}"
        + (f" (resumed at step {result.resumed_from})" if result.resumed_from is not None else "")
        + (f", final loss {last['loss']:.4f}" if "loss" in last else "")
        + (f"; encoder exported to {result.export_dir}" if result.export_dir else "")
    )


def embed_captions_cmd(
    shards: list[Path] = typer.Argument(..., help="Shard files (.tar) or folders of shards."),
    text_encoder: str = typer.Option(
        "minilm", "--text-encoder", help="'minilm' (offline all-MiniLM-L6-v2) or 'hashing' (no model)."
    ),
    hashing_dim: int = typer.Option(64, help="Width of the hashing encoder (itc.hashing_dim)."),
    out_dir: Path | None = typer.Option(
        None, "--out-dir", help="Folder for the files (default: beside each shard; itc.embeddings_dir)."
    ),
    overwrite: bool = typer.Option(False, "--overwrite", help="Rewrite files that look up to date."),
) -> None:
    """Embed every caption once, per shard: <shard>.captions.npz beside the shard (or in --out-dir).

    Each file holds the shard's sample keys, tile ids, a hash of each caption and its embedding
    (float16) from the frozen text encoder. Training (itc.embeddings: precomputed, the default)
    reads them with the batch, so no text model runs in the training loop; a caption edited
    afterwards is refused by key + hash. Files already up to date (same encoder, same shard
    size) are kept.

    Example: geomeld embed-captions data/shards/ --text-encoder minilm
    """
    from geomeld.io.inspect import expand_shards
    from geomeld.models.text import build_text_encoder
    from geomeld.training.captions import embed_shard_captions, read_meta

    text = build_text_encoder(text_encoder, None, hashing_dim)
    paths = embed_shard_captions(expand_shards(shards), text, out_dir, overwrite=overwrite, progress=True)
    typer.echo(f"caption embeddings ({text.name}, {text.dim}-d) for {len(paths)} shard(s)")
    require_some(sum(read_meta(p).get("captioned", 0) for p in paths), "captioned sample", shards)


def pack_cmd(
    shards: list[Path] = typer.Argument(..., help="Shard files (.tar) or folders of shards."),
    out: Path = typer.Option(..., "--out", "-o", help="Folder for the packs (<stem>.pack/ per shard)."),
    text_encoder: str = typer.Option(
        "minilm", "--text-encoder", help="Caption embeddings: 'minilm', 'hashing' or 'none'."
    ),
    hashing_dim: int = typer.Option(64, help="Width of the hashing encoder (itc.hashing_dim)."),
    captions_dir: Path | None = typer.Option(
        None, "--captions-dir", help="Folder of `embed-captions` files (default: beside the shards)."
    ),
    layouts: list[str] = typer.Option(
        ["standard"], "--layout", help="Sample layouts to pack (training default: standard only)."
    ),
    overwrite: bool = typer.Option(False, "--overwrite", help="Repack packs that look up to date."),
) -> None:
    """Pack shards into the training layout: contiguous float16/uint8 arrays at 128 px per shard.

    GeoMeld shards stay the exchange format; a pack (<out>/<stem>.pack/) holds every 10 m
    modality in registry band order (float16, NaN = no-data; land-cover class indices as uint8,
    255 = no-data), presence flags, the caption embeddings and the keys. Training reads packs
    with data.packs: <out> — crop and normalisation happen on the GPU, resume skips by index.
    The shards' stats.json is copied beside the packs. Up-to-date packs are kept (resumable).

    Example: geomeld pack data/shards/ --out data/packs --text-encoder minilm
    """
    import shutil

    from geomeld.io.inspect import expand_shards
    from geomeld.io.pack import pack_shards, read_pack_meta
    from geomeld.models.text import build_text_encoder
    from geomeld.training.captions import CaptionStore, captions_path

    files = expand_shards(shards)
    store = text = None
    if text_encoder != "none":
        text = build_text_encoder(text_encoder, None, hashing_dim)
        found = [captions_path(f, captions_dir) for f in files]
        if all(p.is_file() for p in found):
            store = CaptionStore(found, text_encoder=text.name)
            text = None
    done = pack_shards(
        files,
        out,
        captions=store,
        text_encoder=text,
        layouts=layouts,
        overwrite=overwrite,
        progress=True,
    )
    stats = files[0].parent / "stats.json"
    if stats.is_file() and not (out / "stats.json").is_file():
        shutil.copy(stats, out / "stats.json")
    typer.echo(f"packed {len(done)} shard(s) into {out}")
    require_some(sum(read_pack_meta(d).get("samples", 0) for d in done), "sample packed", shards)


def embed(
    shards: list[Path] = typer.Argument(..., help="Shard files (.tar) or folders of shards."),
    encoder: Path = typer.Option(
        ..., "--encoder", "-e", help="Exported encoder folder (encoder.safetensors + encoder.json)."
    ),
    out: Path = typer.Option(..., "--out", "-o", help="Parquet file to write (atomically)."),
    batch_size: int = typer.Option(32, help="Tiles per forward pass."),
    device: str = typer.Option("cpu", help="'cpu' or 'cuda'."),
) -> None:
    """Embed every tile of the shards with an exported encoder → one Parquet row per tile.

    Each tile's Sentinel-2 is centre-cropped to the encoder's input size, normalised with the
    statistics stored in encoder.json (no-data → 0) and pooled from the last stage (global
    average + layer norm). Columns: key, tile_id, lat, long, shard, caption, embedding
    (fixed-size list of float32); the file metadata holds the encoder description.

    Example: geomeld embed data/shards/ --encoder runs/full/encoder --out runs/full/tiles.parquet
    """
    from geomeld.io.inspect import expand_shards
    from geomeld.training.embed import embed_shards

    n = embed_shards(expand_shards(shards), encoder, out, batch_size=batch_size, device=device)
    typer.echo(f"wrote {n} tile embeddings to {out}")
    require_some(n, "tile embedded", shards)


def register(app: typer.Typer) -> None:
    """Add this stage's verbs to the ``geomeld`` app."""
    app.command("pretrain")(pretrain)
    app.command("embed-captions")(embed_captions_cmd)
    app.command("pack")(pack_cmd)
    app.command("embed")(embed)
