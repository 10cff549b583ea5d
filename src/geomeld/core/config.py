"""The one config loader: YAML files, ``extends:`` (a config as a small delta over another) and
``--set key=value`` overrides with dotted keys.

    # configs/pretrain/mp_mae.yaml
    extends: full.yaml          # path relative to this file; a list extends several, in order
    jepa: {enabled: false}
    itc: {enabled: false}

Merging: mappings merge key by key, recursively; anything else (lists, scalars, null) in the delta
replaces the base's value. ``--set optim.steps=10`` values are parsed as YAML (``10`` is an int,
``[1, 2]`` a list, ``null`` None) and applied after all files, creating sections as needed. Every
problem is a :class:`ConfigError` naming the file, the key and what was expected.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

import yaml

from geomeld.core.errors import GeomeldError

EXTENDS = "extends"


class ConfigError(GeomeldError, ValueError):
    """A config file cannot be read, is not a mapping, or an override is malformed."""


def parse_set(items: Iterable[str]) -> dict[str, Any]:
    """``["optim.steps=10", "data.layouts=null"]`` → ``{"optim.steps": 10, "data.layouts": None}``."""
    out: dict[str, Any] = {}
    for item in items:
        key, sep, value = item.partition("=")
        if not sep or not key.strip():
            raise ConfigError(
                f"--set expects KEY=VALUE (e.g. optim.steps=10), got {item!r}", key=item, expected="KEY=VALUE"
            )
        try:
            out[key.strip()] = yaml.safe_load(value)
        except yaml.YAMLError as exc:
            raise ConfigError(f"--set {key.strip()}: value {value!r} is not valid YAML ({exc})") from exc
    return out


def deep_merge(base: Mapping[str, Any], delta: Mapping[str, Any]) -> dict[str, Any]:
    """``base`` updated by ``delta``: mappings merge recursively, other values replace."""
    out = dict(base)
    for key, value in delta.items():
        old = out.get(key)
        if isinstance(old, Mapping) and isinstance(value, Mapping):
            out[key] = deep_merge(old, value)
        else:
            out[key] = value
    return out


def apply_overrides(
    data: Mapping[str, Any], overrides: Mapping[str, Any], source: str = "--set"
) -> dict[str, Any]:
    """Set dotted keys (``optim.steps``) in a copy of ``data``, creating sections as needed."""
    out = deep_merge({}, data)
    for dotted, value in overrides.items():
        node = out
        *parents, leaf = dotted.split(".")
        for i, part in enumerate(parents):
            child = node.get(part)
            if child is None:
                child = node[part] = {}
            elif not isinstance(child, dict):
                where = ".".join(parents[: i + 1])
                raise ConfigError(
                    f"{source}: cannot set {dotted}: {where} is a {type(child).__name__}, not a section",
                    key=dotted,
                    expected="a mapping",
                )
            else:
                child = node[part] = dict(child)
            node = child
        node[leaf] = value
    return out


def read_yaml(path: str | os.PathLike[str], what: str = "config") -> dict[str, Any]:
    """One YAML file as a mapping (empty file → ``{}``), without resolving ``extends:``."""
    p = Path(path)
    try:
        raw = yaml.safe_load(p.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ConfigError(f"{p}: {what} not found", file=p, expected="an existing YAML file") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{p}: cannot read {what} ({exc})", file=p) from exc
    except yaml.YAMLError as exc:
        problem = " ".join(str(exc).split())
        raise ConfigError(f"{p}: not valid YAML ({problem})", file=p, expected="YAML") from exc
    if raw is None:
        return {}
    if not isinstance(raw, dict):
        raise ConfigError(
            f"{p}: a {what} must be a mapping of keys, got {type(raw).__name__}", file=p, expected="a mapping"
        )
    return raw


def _resolve(path: Path, what: str, chain: tuple[Path, ...]) -> dict[str, Any]:
    path = path.resolve()
    if path in chain:
        loop = " -> ".join(str(p) for p in (*chain, path))
        raise ConfigError(f"{path}: extends itself ({loop})", file=path, key=EXTENDS)
    raw = read_yaml(path, what)
    parents = raw.pop(EXTENDS, None)
    if parents is None:
        return raw
    if isinstance(parents, str):
        parents = [parents]
    if not isinstance(parents, list) or not all(isinstance(p, str) for p in parents):
        raise ConfigError(
            f"{path}: '{EXTENDS}' must be a path or a list of paths",
            file=path,
            key=EXTENDS,
            expected="a path",
        )
    merged: dict[str, Any] = {}
    for parent in parents:
        merged = deep_merge(merged, _resolve(path.parent / parent, what, (*chain, path)))
    return deep_merge(merged, raw)


def load_yaml(
    path: str | os.PathLike[str],
    overrides: Mapping[str, Any] | Iterable[str] | None = None,
    *,
    what: str = "config",
) -> dict[str, Any]:
    """Read a YAML config, resolve its ``extends:`` chain and apply ``overrides`` (a mapping of dotted
    keys, or ``KEY=VALUE`` strings as given to ``--set``)."""
    data = _resolve(Path(path), what, ())
    if overrides is None:
        return data
    if not isinstance(overrides, Mapping):
        overrides = parse_set(overrides)
    return apply_overrides(data, overrides)
