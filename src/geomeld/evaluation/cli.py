"""``geomeld evaluate``: GEO-Bench / mini-benchmark probes, fine-tuning, retrieval and robustness."""

from __future__ import annotations

from pathlib import Path

import typer

from geomeld.core.errors import require_some
from geomeld.core.options import config_option, set_option


def evaluate(
    config: Path = config_option("Eval config YAML (see configs/eval/).", required=True),
    sets: list[str] = set_option(),
    out: Path | None = typer.Option(
        None, "--out", "-o", help="Output folder (default: the config's output)."
    ),
    encoder: list[str] = typer.Option(
        [], "--encoder", "-e", help="Extra exported encoder NAME=PATH to evaluate (repeatable)."
    ),
    seeds: str | None = typer.Option(None, "--seeds", help="Override the config's seeds, e.g. 0,1,2."),
    resume: bool = typer.Option(
        False,
        "--resume",
        help="Reuse the finished cells (task x encoder x protocol x seed) in the output folder.",
    ),
) -> None:
    """Evaluate encoders and baselines on the tasks of a config; write results.json, results.md, PNGs.

    Rows of the report are encoders (exported checkpoints, a random-init ConvNeXt V2) and the
    raw-band + logistic-regression baselines; columns are tasks × protocol (FT = fine-tuning,
    LP = linear probe) and retrieval R@5 with its chance level. Each score is the mean over seeds
    with n and the 95 % interval of that mean; robustness is listed per condition (absolute drop in
    points, over seeds, Sentinel-1 conditions where a task has S1). The config, code version and
    data fingerprints are recorded.

    Inputs: the real mini-benchmarks shipped with geomeld (src/geomeld/data/minibench/), GEO-Bench v1
    task folders under $GEO_BENCH_DIR (e.g. $GEO_BENCH_DIR/classification_v1.0/m-bigearthnet/ with
    task_specs.pkl, *_partition.json, *.hdf5) and captioned shards for retrieval.

    A config asking for CUDA on a machine without it runs on the CPU with a one-line warning (the
    device used is recorded in results.json); ``--set device=cpu`` says so explicitly.

    Example:

        geomeld evaluate --config configs/eval/minibench.yaml -e fm=runs/pretrain/encoder

        geomeld evaluate -c configs/eval/geobench.yaml --set device=cpu --set train.ft_epochs=5
    """
    import logging

    from geomeld.evaluation.config import EncoderConfig, EvalConfig
    from geomeld.evaluation.run import run

    cfg = EvalConfig.load(config, sets)
    extra = []
    for spec in encoder:
        if "=" not in spec:
            raise typer.BadParameter(f"--encoder expects NAME=PATH, got {spec!r}")
        name, path = spec.split("=", 1)
        extra.append(EncoderConfig(name=name, kind="export", path=path))
    updates: dict[str, object] = {"encoders": [*cfg.encoders, *extra]}
    if seeds:
        updates["seeds"] = [int(s) for s in seeds.split(",")]
        updates["lp_seeds"] = updates["seeds"]
    cfg = cfg.model_copy(update=updates)
    done = run(cfg, out_dir=out, resume=resume)
    files = done.files
    logging.getLogger("geomeld.evaluate").info("wrote %s", ", ".join(str(p) for p in files.values()))
    typer.echo(files["markdown"].read_text().split("## Tasks")[0])
    scored = sum(r.get("value") is not None for r in done.results["results"])
    require_some(scored, "task scored (every result is empty)", config)


def register(app: typer.Typer) -> None:
    """Add this stage's verbs to the ``geomeld`` app."""
    app.command("evaluate")(evaluate)
