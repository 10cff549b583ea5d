"""A static HTML gallery of GeoMeld samples (``geomeld preview``).

One page per shard set: per sample, every modality rendered with the registry's palettes and
legends, the caption with each verified claim highlighted by its verdict, the grounding signals and
the metadata, plus filters by dominant land cover, stratum and layout. Images are written as PNG
files next to the page; the page itself has no external dependencies.
"""

from __future__ import annotations

import html
import json
import logging
import os
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from geomeld.io.atomic import write_atomic
from geomeld.modalities import MODALITIES, Modality
from geomeld.sample import Sample
from geomeld.viz import render

log = logging.getLogger(__name__)

VERDICT_CLASSES = {"supported": "ok", "contradicted": "bad", "unverifiable": "unk"}


@dataclass
class Panel:
    title: str
    image: str  # path relative to the page
    legend: list[tuple[str, str]] = field(default_factory=list)  # (colour, label)
    note: str = ""


@dataclass
class Card:
    key: str
    panels: list[Panel]
    caption_html: str
    facts: dict[str, str]
    signals: dict[str, Any] | None
    metadata: dict[str, Any]
    filters: dict[str, str]


def _save_png(rgba: np.ndarray, path: Path) -> None:
    from PIL import Image

    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".png.tmp")
    Image.fromarray(rgba, mode="RGBA").save(tmp, format="PNG")
    os.replace(tmp, path)


def _band_panels(
    modality: Modality, array: np.ndarray, band_names: list[str]
) -> list[tuple[str, np.ndarray, list[tuple[str, str]], str]]:
    """Pictures for one modality, chosen from its band names and registry properties."""
    out: list[tuple[str, np.ndarray, list[tuple[str, str]], str]] = []
    if modality.classes is not None:
        rgba = render.categorical(array[0], modality.classes)
        shares = render.class_fractions(array[0], modality.classes)
        legend = [
            (color, f"{name} ({shares.get(name, 0.0):.1f} %)")
            for name, color in zip(modality.classes.names, modality.classes.colors, strict=True)
            if name in shares
        ]
        note = "" if shares else "no labelled pixels"
        out.append((modality.title, rgba, legend, note))
        return out
    composites = (
        ("true colour", ("B4", "B3", "B2")),
        ("false colour (NIR)", ("B8", "B4", "B3")),
        ("SWIR composite", ("B12", "B8A", "B5")),
        ("RGB", ("R", "G", "B")),
    )
    used: set[str] = set()
    for label, bands in composites:
        rgba_c = render.composite(array, band_names, bands, modality)
        if rgba_c is not None:
            out.append((f"{modality.title} {label}", rgba_c, [], " / ".join(bands)))
            used.update(bands)
    sar = render.sar_composite(array, band_names, modality)
    if sar is not None:
        rgba_s, orbit = sar
        out.append((f"{modality.title} VV/VH ({orbit})", rgba_s, [], "R=VV G=VH B=VV−VH (dB)"))
        used.update(b for b in band_names if b.startswith(("VV_", "VH_", "HH_", "HV_")))
    elif any(b.startswith("VV_") for b in band_names):
        out.append(
            (f"{modality.title}", np.zeros((*array.shape[1:], 4), np.uint8), [], "no valid VV/VH pixels")
        )
        used.update(band_names)
    if any(b.startswith("B") for b in used):
        # a multispectral modality already shown as composites: single bands would only clutter
        used.update(band_names)
    for i, name in enumerate(band_names):
        if name in used:
            continue
        plane = np.asarray(array[i], dtype=np.float32)
        valid = modality.valid_mask(plane)
        if name == "elevation":
            pic = render.hillshade(plane, modality.pixel_m)
            note = f"{np.nanmin(plane):.0f}–{np.nanmax(plane):.0f} m" if valid.any() else "no data"
            out.append((f"{modality.title}: hillshade", pic, [], note))
            continue
        band = modality.band(name)
        if valid.any():
            lo = float(np.percentile(plane[valid], 1))
            hi = float(np.percentile(plane[valid], 99))
        else:
            lo, hi = band.valid_min or 0.0, band.valid_max or 1.0
        pic = render.colormap(plane, valid, lo, hi)
        note = f"{lo:.1f}–{hi:.1f}" if valid.any() else "no data"
        out.append((f"{modality.title}: {name}", pic, [], note))
    return out


def highlight_caption(caption: str, report: dict[str, Any] | None) -> str:
    """Caption HTML with each claim's text wrapped in a span coloured by its verdict.

    Claims come from ``caption_report["final_claims"]`` (the verifier's verdicts on the final caption)
    or ``caption_report["claims"]``; a claim's ``start``/``end`` offsets are used when they match its
    text, otherwise its text is searched for in the caption.
    """
    if not caption:
        return '<span class="muted">no caption</span>'
    report = report or {}
    claims = report.get("final_claims") or report.get("claims") or []
    if isinstance(claims, dict):  # a ClaimList under the claim-schema version (caption_report["claims"])
        claims = claims.get("claims") or []
    spans: list[tuple[int, int, str, str]] = []
    for claim in claims:
        text = str(claim.get("text") or claim.get("span") or "").strip()
        verdict = str(claim.get("verdict", "unverifiable"))
        if not text:
            continue
        start, end = claim.get("start"), claim.get("end")
        if not (
            isinstance(start, int) and isinstance(end, int) and caption[start:end].lower() == text.lower()
        ):
            match = re.search(re.escape(text), caption, flags=re.IGNORECASE)
            if match is None:
                continue
            start, end = match.start(), match.end()
        if not any(s < end and start < e for s, e, _, _ in spans):
            reason = str(claim.get("reason") or claim.get("evidence") or claim.get("kind") or "")
            spans.append((start, end, verdict, reason))
    spans.sort()
    parts, pos = [], 0
    for start, end, verdict, reason in spans:
        parts.append(html.escape(caption[pos:start]))
        css = VERDICT_CLASSES.get(verdict, "unk")
        parts.append(
            f'<span class="claim {css}" title="{html.escape(verdict)}: {html.escape(reason)}">'
            f"{html.escape(caption[start:end])}</span>"
        )
        pos = end
    parts.append(html.escape(caption[pos:]))
    return "".join(parts)


def card_for_sample(sample: Sample, image_dir: Path, page_dir: Path) -> Card:
    panels: list[Panel] = []
    for key, array in sample.arrays.items():
        modality = MODALITIES.get(key)
        if modality is None:
            continue
        for i, (title, rgba, legend, note) in enumerate(
            _band_panels(modality, np.asarray(array), sample.band_names(key))
        ):
            path = image_dir / f"{_safe(sample.key)}_{key}_{i}.png"
            _save_png(rgba, path)
            panels.append(Panel(title, os.path.relpath(path, page_dir), legend, note))
    meta = sample.metadata
    wc = sample.arrays.get("esa_worldcover")
    dominant = "unknown"
    if wc is not None and MODALITIES["esa_worldcover"].classes is not None:
        shares = render.class_fractions(np.asarray(wc)[0], MODALITIES["esa_worldcover"].classes)  # type: ignore[arg-type]
        if shares:
            dominant = next(iter(shares))
    provenance = meta.provenance or {}
    facts = {
        "tile": str(meta.tile_id),
        "location": f"{meta.lat:.5f}, {meta.long:.5f}",
        "date": meta.acquisition_date,
        "terrain": meta.terrain_class or "–",
        "water": f"{'yes' if meta.water_analysis.detected else 'no'} ({meta.water_analysis.percentage:.2f} %)",
        "layout": sample.layout.name,
        "present": ", ".join(sample.present_modalities()) or "none",
    }
    return Card(
        key=sample.key,
        panels=panels,
        caption_html=highlight_caption(meta.caption or "", meta.caption_report),
        facts=facts,
        signals=meta.signals,
        metadata=json.loads(meta.to_json()),
        filters={
            "landcover": dominant,
            "stratum": str(
                provenance.get("stratum") or (provenance.get("anchor") or {}).get("stratum") or "unknown"
            ),
            "layout": sample.layout.name,
        },
    )


def _safe(key: str) -> str:
    return re.sub(r"[^A-Za-z0-9_.-]", "_", key)


_CSS = """
body{font-family:system-ui,sans-serif;margin:1.5rem;background:#fafafa;color:#222}
h1{margin:0 0 .3rem}.muted{color:#777}
.filters{margin:1rem 0;display:flex;gap:1rem;flex-wrap:wrap}
.card{background:#fff;border:1px solid #ddd;border-radius:8px;padding:1rem;margin:1rem 0}
.panels{display:flex;flex-wrap:wrap;gap:.8rem}
figure{margin:0;width:168px}figure img{width:160px;height:160px;image-rendering:pixelated;
background:repeating-conic-gradient(#eee 0 25%,#fff 0 50%) 50%/16px 16px;border:1px solid #ccc}
figcaption{font-size:.75rem}.legend{font-size:.7rem;list-style:none;padding:0;margin:.2rem 0}
.sw{display:inline-block;width:.8em;height:.8em;margin-right:.3em;border:1px solid #999;vertical-align:middle}
.caption{font-size:1.05rem;margin:.6rem 0;line-height:1.5}
.claim{border-radius:3px;padding:0 2px}.claim.ok{background:#c8f0c8}.claim.bad{background:#f7c0c0;text-decoration:line-through}
.claim.unk{background:#f3e6b0}
table.facts{font-size:.85rem;border-collapse:collapse}table.facts td{padding:.1rem .6rem .1rem 0}
details pre{font-size:.75rem;max-height:20rem;overflow:auto;background:#f4f4f4;padding:.5rem}
"""

_JS = """
window.__errors=[];window.addEventListener('error',e=>{window.__errors.push(String(e.message||e.type));
  document.body.dataset.errors=window.__errors.join(' | ');},true);
window.addEventListener('load',()=>{const imgs=[...document.images];
  document.body.dataset.images=imgs.length;
  document.body.dataset.imagesLoaded=imgs.filter(i=>i.complete&&i.naturalWidth>0).length;});
function applyFilters(){
  const sel={};document.querySelectorAll('select[data-filter]').forEach(s=>{sel[s.dataset.filter]=s.value});
  let shown=0;document.querySelectorAll('.card').forEach(c=>{
    const ok=Object.entries(sel).every(([k,v])=>v==='*'||c.dataset[k]===v);
    c.style.display=ok?'':'none';if(ok)shown++;});
  document.getElementById('count').textContent=shown;
}
document.querySelectorAll('select[data-filter]').forEach(s=>s.addEventListener('change',applyFilters));
applyFilters();
"""


def render_page(cards: list[Card], title: str) -> str:
    options: dict[str, set[str]] = {}
    for c in cards:
        for k, v in c.filters.items():
            options.setdefault(k, set()).add(v)
    filters = "".join(
        f'<label>{html.escape(k)} <select data-filter="{html.escape(k)}"><option value="*">all</option>'
        + "".join(f'<option value="{html.escape(v)}">{html.escape(v)}</option>' for v in sorted(vals))
        + "</select></label>"
        for k, vals in sorted(options.items())
    )
    body = []
    for c in cards:
        attrs = " ".join(f'data-{html.escape(k)}="{html.escape(v)}"' for k, v in c.filters.items())
        figs = []
        for p in c.panels:
            legend = "".join(
                f'<li><span class="sw" style="background:{html.escape(col)}"></span>{html.escape(lab)}</li>'
                for col, lab in p.legend
            )
            figs.append(
                f'<figure><img src="{html.escape(p.image)}" alt="{html.escape(p.title)}" >'
                f"<figcaption><b>{html.escape(p.title)}</b>"
                f"{'<br>' + html.escape(p.note) if p.note else ''}"
                f"{'<ul class=legend>' + legend + '</ul>' if legend else ''}</figcaption></figure>"
            )
        facts = "".join(
            f"<tr><td class=muted>{html.escape(k)}</td><td>{html.escape(v)}</td></tr>"
            for k, v in c.facts.items()
        )
        signals = (
            html.escape(json.dumps(c.signals, indent=1, ensure_ascii=False))
            if c.signals
            else "no signals stored"
        )
        meta = html.escape(json.dumps(c.metadata, indent=1, ensure_ascii=False))
        body.append(
            f'<section class="card" id="s-{html.escape(_safe(c.key))}" {attrs}>'
            f"<h2>{html.escape(c.key)}</h2>"
            f'<div class="caption">{c.caption_html}</div>'
            f'<table class="facts">{facts}</table>'
            f'<div class="panels">{"".join(figs)}</div>'
            f"<details><summary>signals</summary><pre>{signals}</pre></details>"
            f"<details><summary>metadata</summary><pre>{meta}</pre></details></section>"
        )
    return (
        "<!doctype html><html lang=en><head><meta charset=utf-8>"
        f"<title>{html.escape(title)}</title><style>{_CSS}</style></head><body>"
        f"<h1>{html.escape(title)}</h1>"
        f'<p class=muted><span id="count">{len(cards)}</span> of {len(cards)} samples shown. Claim colours: '
        '<span class="claim ok">supported</span> <span class="claim bad">contradicted</span> '
        '<span class="claim unk">unverifiable</span></p>'
        f'<div class="filters">{filters}</div>{"".join(body)}'
        f"<script>{_JS}</script></body></html>"
    )


def write_gallery(
    samples: Iterable[Sample], out_dir: Path, title: str = "GeoMeld samples", limit: int | None = None
) -> Path:
    """Render ``samples`` into ``out_dir/index.html`` (+ ``img/``); returns the page path."""
    from tqdm import tqdm

    out_dir.mkdir(parents=True, exist_ok=True)
    image_dir = out_dir / "img"
    cards = []
    for sample in tqdm(samples, desc="preview", unit="sample", total=limit):
        cards.append(card_for_sample(sample, image_dir, out_dir))
        if limit is not None and len(cards) >= limit:
            break
    page = out_dir / "index.html"
    write_atomic(page, render_page(cards, title))
    log.info("gallery with %d samples written to %s", len(cards), page)
    return page
