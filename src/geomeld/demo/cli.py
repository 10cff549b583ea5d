"""``geomeld demo``: the main job, end to end, on the real data embedded in the package."""

from __future__ import annotations

from pathlib import Path

import typer

from geomeld.core.options import config_option, set_option


def demo(
    config: Path | None = config_option(
        "Demo YAML (default: the packaged demo/configs/default.yaml; quick.yaml for a one-minute run)."
    ),
    sets: list[str] = set_option(),
    quick: bool = typer.Option(
        False, "--quick", help="Use the packaged demo/configs/quick.yaml (tiny amounts, smoke test)."
    ),
    out: Path | None = typer.Option(None, "--out", "-o", help="Output folder (default: the config's 'out')."),
    force: bool = typer.Option(False, "--force", help="Redo steps whose outputs already exist."),
) -> None:
    """Run the whole GeoMeld line offline on the embedded real data and write a report.

    Steps (each a plain `geomeld VERB` command, printed before it runs): sample anchors inside the
    embedded catalog → build aligned shards (pretraining / held out / gallery only) → validate →
    caption with claim verification → caption report → band statistics → pretrain a small
    GeoMeld-FM → probe it against a random init and the raw bands on Brandenburg OSM land use
    (123 held-out test chips, paired bootstrap) → embed tiles → retrieval and pipeline checks →
    pictures (reconstructions, embedding map, retrieval examples) → HTML gallery. Outputs:
    <out>/report.html (its first paragraph says whether pretraining helped, by how much, on how
    many test items), metrics.json, shards, checkpoint and exported encoder. Re-running resumes
    after the last finished step.

    Example: geomeld demo            (a few minutes on 2 idle cores)
             geomeld demo --quick    (what CI runs)
    """
    from geomeld.demo.config import demo_configs_dir, load_demo_config
    from geomeld.demo.pipeline import DemoError
    from geomeld.demo.run import run

    cfg = load_demo_config(config or demo_configs_dir() / ("quick.yaml" if quick else "default.yaml"), sets)
    try:
        result = run(cfg, out=out, force=force)
    except DemoError as exc:
        typer.secho(f"demo stopped: {exc}", fg=typer.colors.RED, err=True)
        raise typer.Exit(1) from None
    from geomeld.demo.summary import print_summary

    print_summary(result.out)


def register(app: typer.Typer) -> None:
    """Add this stage's verbs to the ``geomeld`` app."""
    app.command("demo")(demo)
