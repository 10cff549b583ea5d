"""The ``geomeld`` command line: one verb per stage of the pipeline.

Each stage keeps its verbs as plain module-level functions in ``geomeld/<stage>/cli.py`` and adds them to
the shared Typer app through ``register(app)``. Those modules import their heavy dependencies inside the
commands, so ``geomeld --help`` stays fast.

Errors: :func:`main` is the one error handler of every verb. A problem with the user's input
(:class:`~geomeld.core.errors.GeomeldError`, a missing or unreadable file, an invalid value) prints
one line — ``error: <file>: <what is wrong> (expected …)`` — on stderr and exits with status 1;
``--verbose`` shows the full traceback instead. A verb that finishes without an error but produced
nothing (no sample read, no line checked, no row written) raises
:class:`~geomeld.core.errors.NothingProducedError` (:func:`~geomeld.core.errors.require_some`), so it
exits 1 too. Exit statuses of every verb: 0 done; 1 an error, problems found (``validate``) or
nothing produced; 2 a usage error (unknown option, bad value); 130 interrupted. Library logging
(Dask, distributed, transformers, …) stays at WARNING unless ``--verbose``.
"""

from __future__ import annotations

import importlib
import logging
import os
import sys

import typer

from geomeld.core.errors import GeomeldError
from geomeld.core.version import code_version

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

NOISY_LOGGERS: tuple[str, ...] = (
    "distributed",
    "dask",
    "bokeh",
    "tornado",
    "transformers",
    "sentence_transformers",
    "huggingface_hub",
    "urllib3",
    "httpx",
    "rasterio",
    "fiona",
    "matplotlib",
    "PIL",
)
"""Third-party loggers kept at WARNING unless ``--verbose`` (Dask alone logs every connection at INFO)."""

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
    pretty_exceptions_enable=False,
)


def quiet_libraries(verbose: bool = False) -> None:
    """Keep third-party library logging at WARNING (DEBUG for everything with ``verbose``).

    Also sets ``GEOMELD_VERBOSE`` so that Dask worker processes started later follow the same rule."""
    os.environ["GEOMELD_VERBOSE"] = "1" if verbose else "0"
    for noisy in NOISY_LOGGERS:
        logging.getLogger(noisy).setLevel(logging.DEBUG if verbose else logging.WARNING)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"geomeld {code_version()}")
        raise typer.Exit()


@app.callback()
def _main(
    verbose: bool = typer.Option(
        False, "--verbose", "-v", help="Log debug messages and show the full traceback of an error."
    ),
    version: bool = typer.Option(
        False, "--version", callback=_version, is_eager=True, help="Print the geomeld version and exit."
    ),
) -> None:
    logging.basicConfig(
        level=logging.DEBUG if verbose else logging.INFO,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
        datefmt="%H:%M:%S",
    )
    quiet_libraries(verbose)


for _module_name in CLI_MODULES:
    importlib.import_module(_module_name).register(app)


def error_line(exc: BaseException) -> str:
    """One line for an error the user can act on (file, what is wrong, what was expected)."""
    if isinstance(exc, GeomeldError):
        return exc.one_line()
    if isinstance(exc, OSError) and exc.filename is not None and exc.strerror:
        return f"{exc.filename}: {exc.strerror}"
    lines = [" ".join(line.split()) for line in str(exc).splitlines() if line.strip()]
    text = "; ".join(lines) or type(exc).__name__
    if isinstance(exc, (OSError, ValueError, KeyError, LookupError)):
        return text
    return f"{type(exc).__name__}: {text}"


def _verbose_requested(argv: list[str]) -> bool:
    return any(a in ("--verbose", "-v") for a in argv)


def _click_error(exc: Exception) -> tuple[str, int] | None:
    """(one line, exit code) for Typer/Click's own errors (bad option, bad parameter), else None.

    Typer ships its own copy of Click, so these are recognised by Click's exception API
    (``format_message`` + ``exit_code``) rather than by class."""
    message = getattr(exc, "format_message", None)
    code = getattr(exc, "exit_code", None)
    if not callable(message) or not isinstance(code, int):
        return None
    line = " ".join(str(message()).split())
    ctx = getattr(exc, "ctx", None)
    if code == 2 and ctx is not None:  # a usage error: say where the verb's help is
        line += f" (see '{ctx.command_path} --help')"
    return line, code


def main(argv: list[str] | None = None) -> None:
    """Entry point of ``geomeld`` and ``python -m geomeld``: runs the app with one error handler."""
    args = sys.argv[1:] if argv is None else argv
    try:
        result = app(args=args, prog_name="geomeld", standalone_mode=False)
    except KeyboardInterrupt:
        typer.echo("interrupted", err=True)
        raise SystemExit(130) from None
    except Exception as exc:
        name = type(exc).__name__
        ctx = getattr(exc, "ctx", None)
        if name == "NoArgsIsHelpError" and ctx is not None:  # `geomeld` or `geomeld catalog` alone
            typer.echo(ctx.get_help())
            raise SystemExit(2) from None
        if name == "Abort":
            typer.echo("aborted", err=True)
            raise SystemExit(1) from None
        usage = _click_error(exc)
        if usage is not None:
            typer.secho(f"error: {usage[0]}", fg=typer.colors.RED, err=True)
            raise SystemExit(usage[1]) from None
        if _verbose_requested(args):
            raise
        typer.secho(f"error: {error_line(exc)}", fg=typer.colors.RED, err=True)
        raise SystemExit(1) from None
    raise SystemExit(result if isinstance(result, int) else 0)


if __name__ == "__main__":
    main()
