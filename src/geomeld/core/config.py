"""The one config loader: YAML files, ``extends:`` (a config as a small delta over another) and
``--set key=value`` overrides with dotted keys.

    # configs/pretrain/mp_mae.yaml
    extends: full.yaml          # path relative to this file; a list extends several, in order
                                # (``geomeld:configs/pretrain/full.yaml``: a file shipped in the package)
    jepa: {enabled: false}
    itc: {enabled: false}

Merging: mappings merge key by key, recursively; anything else (lists, scalars, null) in the delta
replaces the base's value. ``--set optim.steps=10`` values are parsed as YAML (``10`` is an int,
``[1, 2]`` a list, ``null`` None) and applied after all files, creating sections as needed. Every
problem is a :class:`ConfigError` naming the file, the key and what was expected.

:func:`load_model` validates the result with a stage's pydantic config class (``BuildConfig``,
``CaptionConfig``, ``PretrainConfig``, ``EvalConfig``, ``DemoConfig``, …): that is how every verb's
``-c/--config`` and ``--set`` are read (options declared once in :mod:`geomeld.core.options`).
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any, TypeVar

import yaml
from pydantic import BaseModel, ValidationError

from geomeld.core.errors import GeomeldError

EXTENDS = "extends"
PACKAGE_PREFIX = "geomeld:"
"""``extends: geomeld:configs/pretrain/full.yaml`` names a file shipped inside the installed package."""

M = TypeVar("M", bound=BaseModel)


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


def package_file(relative: str) -> Path:
    """A file shipped inside the geomeld package (``configs/pretrain/full.yaml``, ``demo/configs/…``)."""
    return Path(__file__).resolve().parents[1] / relative


def resolve_reference(ref: str, relative_to: Path) -> Path:
    """A config reference: ``geomeld:<path>`` inside the package, else a path relative to ``relative_to``."""
    if ref.startswith(PACKAGE_PREFIX):
        return package_file(ref.removeprefix(PACKAGE_PREFIX))
    return relative_to / ref


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
        merged = deep_merge(merged, _resolve(resolve_reference(parent, path.parent), what, (*chain, path)))
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


def _as_mapping(overrides: Mapping[str, Any] | Iterable[str] | None) -> Mapping[str, Any]:
    if overrides is None:
        return {}
    return overrides if isinstance(overrides, Mapping) else parse_set(overrides)


def validation_problems(exc: ValidationError) -> str:
    """A pydantic error as one line: ``key.sub: problem; other: problem``."""
    parts = []
    for err in exc.errors():
        where = ".".join(str(p) for p in err.get("loc", ())) or "(top level)"
        parts.append(f"{where}: {err.get('msg', 'invalid')}")
    return "; ".join(parts)


def validate_config(model: type[M], data: Mapping[str, Any], *, source: str, what: str = "config") -> M:
    """``model.model_validate(data)``, a failure raised as a one-line :class:`ConfigError`."""
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        first = exc.errors()[0].get("loc", ()) if exc.errors() else ()
        raise ConfigError(
            f"{source}: invalid {what}: {validation_problems(exc)}",
            file=None if source == "--set" else source,
            key=".".join(str(p) for p in first) or None,
        ) from exc


def load_model(
    model: type[M],
    path: str | os.PathLike[str] | None,
    overrides: Mapping[str, Any] | Iterable[str] | None = None,
    *,
    what: str = "config",
    defaults: Mapping[str, Any] | None = None,
) -> M:
    """A stage's config: the YAML at ``path`` (``extends:`` resolved) — or ``defaults`` (``{}``) when
    ``path`` is None — with ``overrides`` applied, validated by the pydantic ``model``."""
    if path is None:
        data = apply_overrides(defaults or {}, _as_mapping(overrides))
        return validate_config(model, data, source="--set", what=what)
    data = load_yaml(path, overrides, what=what)
    return validate_config(model, data, source=str(path), what=what)
