"""The ``-c/--config`` and ``--set`` options, declared once for every verb that reads a config.

    def caption(config: Path | None = config_option("Caption config YAML."), sets: list[str] = set_option()):
        cfg = load_model(CaptionConfig, config, sets, what="caption config")

Files are read by :func:`geomeld.core.config.load_model` (YAML, ``extends:``, ``--set key=value``).
"""

from __future__ import annotations

from typing import Any

import typer

SET_HELP = "Override a config value: --set key.sub=VALUE (repeatable; VALUE is YAML: 10, [a, b], null)."


def config_option(help: str, *, required: bool = False) -> Any:
    """``-c/--config PATH``: a YAML config (``extends:`` and ``geomeld:`` references resolved)."""
    return typer.Option(... if required else None, "--config", "-c", help=help)


def set_option() -> Any:
    """``--set key=value`` (repeatable), applied after the config file."""
    return typer.Option([], "--set", help=SET_HELP)
