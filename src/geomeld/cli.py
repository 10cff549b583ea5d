"""The ``geomeld`` command line: one verb per stage of the pipeline.

Each stage keeps its verbs as plain module-level functions in ``geomeld/<stage>/cli.py`` and adds them to
the shared Typer app through ``register(app)``. Those modules import their heavy dependencies inside the
commands, so ``geomeld --help`` stays fast.
"""

from __future__ import annotations

import importlib
import logging

import typer

# Registration order is the order `geomeld --help` lists the verbs in: the demo, then the pipeline's flow.
CLI_MODULES: tuple[str, ...] = (
    "geomeld.demo.cli",
    "geomeld.core.cli",
    "geomeld.sampling.cli",
    "geomeld.builder.cli",
    "geomeld.captioning.cli",
    "geomeld.io.cli",
    "geomeld.training.cli",
    "geomeld.evaluation.cli",
    "geomeld.viz.cli",
)

app = typer.Typer(
    name="geomeld",
    help=(
        "geomeld: build GeoMeld-style multimodal remote-sensing datasets, caption them with verified "
        "claims, pretrain GeoMeld-FM and evaluate it.\n\n"
        "Typical flow: sample → build → caption → stats → pretrain → embed / evaluate; "
        "inspect, validate and preview look at shards at any point. Run `geomeld VERB --help` for details."
    ),
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_show_locals=False,
)


@app.callback()
def _main(
    verbose: bool = typer.Option(False, "--verbose", "-v", help="Log debug messages."),
) -> None:
    logging.basicConfig(
        level=logging.DEBUG if verbose else logging.INFO,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
        datefmt="%H:%M:%S",
    )
    if not verbose:
        # Dask's scheduler and workers log every connection at INFO; keep their warnings only.
        for noisy in ("distributed", "bokeh", "tornado"):
            logging.getLogger(noisy).setLevel(logging.WARNING)


for _module_name in CLI_MODULES:
    importlib.import_module(_module_name).register(app)


def main() -> None:
    app(prog_name="geomeld")


if __name__ == "__main__":
    main()
