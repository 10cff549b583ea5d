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

from geomeld.core.atomic import write_atomic
from geomeld.core.modalities import MODALITIES, Modality
from geomeld.core.sample import Sample
from geomeld.viz import render

log = logging.getLogger(__name__)

VERDICT_CLASSES = {"supported": "ok", "contradicted": "bad", "unverifiable": "unk"}


@dataclass
class Panel:
    title: str
    image: str  # path relative to the page; the PNG holds every pixel of the layer (full resolution)
    legend: list[tuple[str, str]] = field(default_factory=list)  # (colour, label)
    note: str = ""
    origin: str = "real"  # real | substitute | coarse | relocated (never built by geomeld) | absent
    origin_detail: str = ""  # the product for a substitute, the resolution for a coarse layer
    colorbar: tuple[str, float, float, str] | None = None  # (matplotlib colour map, low, high, units)
    size_px: tuple[int, int] = (0, 0)  # (width, height) of the full-resolution picture
    pixel_m: float = 10.0


@dataclass
class ClaimRow:
    text: str
    verdict: str
    family: str
    evidence: str


@dataclass
class Card:
    key: str
    panels: list[Panel]
    caption_html: str
    facts: dict[str, str]
    signals: dict[str, Any] | None
    metadata: dict[str, Any]
    filters: dict[str, str]
    absent: list[str] = field(default_factory=list)
    claims: list[ClaimRow] = field(default_factory=list)


def _save_png(rgba: np.ndarray, path: Path) -> None:
    from PIL import Image

    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".png.tmp")
    Image.fromarray(rgba, mode="RGBA").save(tmp, format="PNG")
    os.replace(tmp, path)


PanelPicture = tuple[str, np.ndarray, list[tuple[str, str]], str, tuple[str, float, float, str] | None]

CONTINUOUS_CMAPS = {"slope": "magma", "height": "YlGn", "stddev": "YlGn"}
"""Colour map per single band shown as a continuous layer (others: viridis)."""


def _units(modality: Modality, band: str) -> str:
    """Units of one band, read from the registry's band description (e.g. "terrain slope, degrees")."""
    desc = modality.band(band).description
    unit = desc.rsplit(",", 1)[-1].strip() if "," in desc else modality.units
    return {"metres": "m", "degrees": "°"}.get(unit, unit)


def _band_panels(modality: Modality, array: np.ndarray, band_names: list[str]) -> list[PanelPicture]:
    """Pictures for one modality, chosen from its band names and registry properties."""
    out: list[PanelPicture] = []
    if modality.classes is not None:
        rgba = render.categorical(array[0], modality.classes)
        shares = render.class_fractions(array[0], modality.classes)
        legend = [
            (color, f"{name} ({shares.get(name, 0.0):.1f} %)")
            for name, color in zip(modality.classes.names, modality.classes.colors, strict=True)
            if name in shares
        ]
        labelled = float(np.isin(array[0], modality.classes.codes).mean()) * 100.0
        note = (
            f"{labelled:.0f} % of the tile labelled; shares of labelled pixels"
            if shares
            else "no labelled pixels"
        )
        out.append((modality.title, rgba, legend, note, None))
        return out
    composites = (
        ("true colour", ("B4", "B3", "B2")),
        ("false colour (NIR)", ("B8", "B4", "B3")),
        ("SWIR composite", ("B12", "B8A", "B5")),
        ("RGB", ("R", "G", "B")),
    )
    used: set[str] = set()
    for label, bands in composites:
        balance = label == "true colour"  # Sentinel-2 haze; NAIP RGB is already balanced
        rgba_c = render.composite(array, band_names, bands, modality, balance=balance)
        if rgba_c is not None:
            how = "per-band 2–98 % stretch" + (", grey-world balanced" if balance else "")
            out.append((f"{modality.title} {label}", rgba_c, [], " / ".join(bands) + ", " + how, None))
            used.update(bands)
    sar = render.sar_composite(array, band_names, modality)
    if sar is not None:
        rgba_s, orbit = sar
        names = list(band_names)
        vv = np.asarray(array[names.index(f"VV_{orbit}")], dtype=np.float32)
        vh = np.asarray(array[names.index(f"VH_{orbit}")], dtype=np.float32)
        ranges = (
            f"VV {np.nanpercentile(vv, 2):.0f}…{np.nanpercentile(vv, 98):.0f} dB, "
            f"VH {np.nanpercentile(vh, 2):.0f}…{np.nanpercentile(vh, 98):.0f} dB"
        )
        out.append(
            (
                f"{modality.title} VV/VH ({orbit})",
                rgba_s,
                [],
                f"R=VV G=VH B=VV−VH; σ⁰ {ranges} (2–98 %)",
                None,
            )
        )
        used.update(b for b in band_names if b.startswith(("VV_", "VH_", "HH_", "HV_")))
    elif any(b.startswith("VV_") for b in band_names):
        out.append(
            (
                f"{modality.title}",
                np.zeros((*array.shape[1:], 4), np.uint8),
                [],
                "no valid VV/VH pixels",
                None,
            )
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
        band = modality.band(name)
        units = _units(modality, name)
        if valid.any():
            lo = float(np.percentile(plane[valid], 1))
            hi = float(np.percentile(plane[valid], 99))
        else:
            lo, hi = band.valid_min or 0.0, band.valid_max or 1.0
        if name == "elevation":
            cmap = "terrain"
            shade = render.hillshade(plane, modality.pixel_m).astype(np.float32) / 255.0
            colour = render.colormap(plane, valid, lo, hi, cmap).astype(np.float32) / 255.0
            pic = colour.copy()
            pic[..., :3] = colour[..., :3] * (0.55 + 0.45 * shade[..., :1])
            pic = (pic * 255.0 + 0.5).astype(np.uint8)
            title = f"{modality.title}: elevation (hillshaded)"
        else:
            cmap = CONTINUOUS_CMAPS.get(name, "viridis")
            pic = render.colormap(plane, valid, lo, hi, cmap)
            title = f"{modality.title}: {name}"
        note = f"1–99 % range {lo:.1f}–{hi:.1f} {units}" if valid.any() else "no data"
        out.append((title, pic, [], note, (cmap, lo, hi, units) if valid.any() else None))
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
    claims = report_claims(report)
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


def format_evidence(evidence: Any) -> str:
    """One readable line from a claim's evidence (an object from the verifier, or a plain string)."""
    if evidence is None or evidence == "":
        return ""
    if not isinstance(evidence, dict):
        return str(evidence)
    parts = []
    layer = evidence.get("layer")
    if layer:
        origin = evidence.get("origin")
        parts.append(f"{layer}" + (f" ({origin})" if origin else ""))
    for key in ("measured", "value", "observed"):
        if key in evidence and evidence[key] is not None:
            parts.append(f"measured {evidence[key]}")
            break
    if evidence.get("tolerance") is not None:
        parts.append(f"tolerance {evidence['tolerance']}")
    rest = {
        k: v
        for k, v in evidence.items()
        if k not in ("layer", "origin", "measured", "value", "observed", "tolerance") and v not in (None, "")
    }
    parts += [f"{k} {v}" for k, v in list(rest.items())[:3]]
    return "; ".join(str(p) for p in parts)


def report_claims(report: dict[str, Any] | None) -> list[dict[str, Any]]:
    """The final claims of a caption report: ``caption_report["claims"]`` is a ClaimList (under the
    claim-schema version) since the typed check; older reports hold a list or ``final_claims``."""
    claims = (report or {}).get("final_claims") or (report or {}).get("claims") or []
    if isinstance(claims, dict):
        claims = claims.get("claims") or []
    return [c for c in claims if isinstance(c, dict)]


def claim_rows(report: dict[str, Any] | None) -> list[ClaimRow]:
    """The caption's claims with their verdicts and evidence, for a table under the caption."""
    rows = []
    for claim in report_claims(report):
        text = str(claim.get("text") or claim.get("span") or "").strip()
        if not text:
            continue
        ev = claim.get("evidence", claim.get("reason"))
        rows.append(
            ClaimRow(
                text,
                str(claim.get("verdict", "unverifiable")),
                str(claim.get("family", "")),
                format_evidence(ev),
            )
        )
    return rows


def _origin_of(provenance: dict[str, Any], key: str) -> tuple[str, str]:
    from geomeld.core.origin import origin_of

    record = (provenance.get("modalities") or {}).get(key)
    origin = origin_of(record if isinstance(record, dict) else None).value
    detail = ""
    if isinstance(record, dict):
        if origin == "substitute":
            detail = str(record.get("product") or record.get("substitute") or "")
        elif origin == "coarse":
            res = record.get("resolution_m")
            detail = (
                f"{record.get('product', '')}, {float(res) / 1000:.1f} km cells"
                if res
                else str(record.get("product", ""))
            )
    return origin, detail


def card_for_sample(sample: Sample, image_dir: Path, page_dir: Path) -> Card:
    panels: list[Panel] = []
    absent: list[str] = []
    provenance_all = sample.metadata.provenance or {}
    present = set(sample.present_modalities())
    for key, array in sample.arrays.items():
        modality = MODALITIES.get(key)
        if modality is None:
            continue
        origin, detail = _origin_of(provenance_all, key)
        if key not in present or origin == "absent":
            absent.append(modality.title)
            continue
        if origin == "relocated":
            # geomeld never builds such a layer; an old shard may hold one: never shown as the place
            absent.append(f"{modality.title} (relocated from elsewhere: not shown)")
            continue
        for i, (title, rgba, legend, note, colorbar) in enumerate(
            _band_panels(modality, np.asarray(array), sample.band_names(key))
        ):
            path = image_dir / f"{_safe(sample.key)}_{key}_{i}.png"
            _save_png(rgba, path)
            panels.append(
                Panel(
                    title,
                    os.path.relpath(path, page_dir),
                    legend,
                    note,
                    origin,
                    detail,
                    colorbar,
                    (rgba.shape[1], rgba.shape[0]),
                    modality.pixel_m,
                )
            )
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
    }
    return Card(
        key=sample.key,
        panels=panels,
        caption_html=highlight_caption(meta.caption or "", meta.caption_report),
        facts=facts,
        signals=meta.signals,
        metadata=json.loads(meta.to_json()),
        absent=absent,
        claims=claim_rows(meta.caption_report),
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


ORIGIN_BADGES = {
    "real": ("real", "measured at this place by the named product"),
    "substitute": ("substitute", "another real product measured at this place stands in"),
    "coarse": ("coarse", "real and co-located, at a coarser resolution: decides nothing finer"),
    "relocated": ("relocated", "from another place: never evidence"),
}

_CSS = """
*{box-sizing:border-box}
body{font-family:system-ui,sans-serif;margin:1rem auto;max-width:1400px;padding:0 1rem;background:#fafafa;color:#222}
h1{margin:0 0 .3rem;font-size:1.5rem}.muted{color:#666}
.filters{margin:1rem 0;display:flex;gap:1rem;flex-wrap:wrap}
.card{background:#fff;border:1px solid #ddd;border-radius:8px;padding:1rem;margin:1rem 0}
.card h2{font-size:1.1rem;margin:.2rem 0}
.panels{display:grid;grid-template-columns:repeat(auto-fill,minmax(170px,1fr));gap:.8rem}
figure{margin:0;min-width:0}
figure button{padding:0;border:0;background:none;cursor:zoom-in;display:block;width:100%}
figure img{width:100%;aspect-ratio:1/1;image-rendering:pixelated;display:block;
background:repeating-conic-gradient(#eee 0 25%,#fff 0 50%) 50%/16px 16px;border:1px solid #ccc}
figcaption{font-size:.8rem;overflow-wrap:anywhere}.legend{font-size:.75rem;list-style:none;padding:0;margin:.2rem 0}
.sw{display:inline-block;width:.8em;height:.8em;margin-right:.3em;border:1px solid #999;vertical-align:middle}
.badge{display:inline-block;font-size:.7rem;font-weight:600;border-radius:3px;padding:0 .35em;margin:.15rem .3rem .15rem 0}
.badge.real{background:#d6f0d6;color:#125312}.badge.substitute{background:#dde8fb;color:#1b3f86}
.badge.coarse{background:#f6e6c8;color:#6b4500}.badge.absent{background:#eee;color:#555}
.badge.relocated{background:#f7c0c0;color:#700}
.prod{font-size:.7rem;color:#555}
.cbar{height:.6rem;border:1px solid #aaa;margin-top:.2rem}.cbar-l{display:flex;justify-content:space-between;font-size:.7rem}
.caption{font-size:1.05rem;margin:.6rem 0;line-height:1.5}
.claim{border-radius:3px;padding:0 2px}.claim.ok{background:#c8f0c8}.claim.bad{background:#f7c0c0;text-decoration:line-through}
.claim.unk{background:#f3e6b0}
table.claims{font-size:.85rem;border-collapse:collapse;margin:.3rem 0 .6rem;width:100%}
table.claims td,table.claims th{border-bottom:1px solid #eee;padding:.15rem .4rem;text-align:left;vertical-align:top}
table.facts{font-size:.85rem;border-collapse:collapse}table.facts td{padding:.1rem .6rem .1rem 0}
details pre{font-size:.75rem;max-height:20rem;overflow:auto;background:#f4f4f4;padding:.5rem;white-space:pre-wrap}
#zoom{position:fixed;inset:0;background:rgba(0,0,0,.85);display:none;z-index:10;overflow:auto;padding:1rem;color:#fff}
#zoom.open{display:block}#zoom img{image-rendering:pixelated;display:block;margin:0 auto;max-width:none}
#zoom .bar{display:flex;justify-content:space-between;gap:1rem;margin-bottom:.5rem;font-size:.9rem}
#zoom button{font-size:1rem}
@media (max-width:600px){body{padding:0 .4rem}.panels{grid-template-columns:repeat(2,minmax(0,1fr))}
.card{padding:.5rem}table.claims tr{display:grid;grid-template-columns:1fr auto}
table.claims th:nth-child(3){display:none}table.claims td:nth-child(3){grid-column:1/-1;color:#555;font-size:.8rem}}
"""

_JS = """
window.__errors=[];window.addEventListener('error',e=>{window.__errors.push(String(e.message||e.type));
  document.body.dataset.errors=window.__errors.join(' | ');},true);
window.addEventListener('load',()=>{const imgs=[...document.querySelectorAll('.card img')];
  document.body.dataset.images=imgs.length;
  document.body.dataset.imagesLoaded=imgs.filter(i=>i.complete&&i.naturalWidth>0).length;
  const m=location.hash.match(/^#click=(.+)$/);if(m){const b=document.getElementById(decodeURIComponent(m[1]));if(b)b.click();}});
const zoom=document.getElementById('zoom'),zimg=zoom.querySelector('img'),ztitle=zoom.querySelector('.title');
function openZoom(btn){
  const w=+btn.dataset.w,h=+btn.dataset.h,scale=Math.max(1,Math.floor(Math.min(2048,Math.max(window.innerWidth-40,w))/w));
  zimg.onload=()=>{document.body.dataset.zoomNaturalWidth=zimg.naturalWidth;document.body.dataset.zoomOpen='1';};
  zimg.src=btn.dataset.full;zimg.style.width=(w*scale)+'px';zimg.alt=btn.dataset.title;
  ztitle.textContent=btn.dataset.title+' — full resolution: '+w+' × '+h+' px at '+btn.dataset.m+' m/px'+(scale>1?' (shown ×'+scale+')':'');
  zoom.classList.add('open');zoom.focus();}
document.querySelectorAll('button.zoom').forEach(b=>b.addEventListener('click',()=>openZoom(b)));
zoom.addEventListener('click',e=>{if(e.target===zoom||e.target.tagName==='BUTTON'){zoom.classList.remove('open');document.body.dataset.zoomOpen='0';}});
document.addEventListener('keydown',e=>{if(e.key==='Escape')zoom.classList.remove('open');});
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


def colorbar_css(cmap: str, stops: int = 8) -> str:
    """A CSS linear-gradient that reproduces a matplotlib colour map (for a colour bar under a panel)."""
    from matplotlib import colormaps

    cm = colormaps[cmap]
    cols = []
    for i in range(stops):
        r, g, b, _ = cm(i / (stops - 1))
        cols.append(f"#{round(r * 255):02x}{round(g * 255):02x}{round(b * 255):02x}")
    return "linear-gradient(to right," + ",".join(cols) + ")"


def badge_html(origin: str, detail: str = "") -> str:
    """An origin badge; the detail (product, resolution) is printed beside it, readable without hovering."""
    label, meaning = ORIGIN_BADGES.get(origin, (origin, ""))
    badge = f'<span class="badge {html.escape(origin)}" title="{html.escape(meaning)}">{html.escape(label)}</span>'
    return badge + (f'<span class="prod">{html.escape(detail)}</span>' if detail else "")


def _figure(card_key: str, index: int, p: Panel) -> str:
    legend = "".join(
        f'<li><span class="sw" style="background:{html.escape(col)}"></span>{html.escape(lab)}</li>'
        for col, lab in p.legend
    )
    bar = ""
    if p.colorbar is not None:
        cmap, lo, hi, units = p.colorbar
        bar = (
            f'<div class="cbar" style="background:{colorbar_css(cmap)}"></div>'
            f'<div class="cbar-l"><span>{lo:.4g}</span><span>{html.escape(units)}</span><span>{hi:.4g}</span></div>'
        )
    w, h = p.size_px
    bid = f"z-{_safe(card_key)}-{index}"
    return (
        f'<figure><button class="zoom" id="{bid}" data-full="{html.escape(p.image)}" data-w="{w}" data-h="{h}" '
        f'data-m="{p.pixel_m:g}" data-title="{html.escape(p.title)}" title="open at full resolution ({w} × {h} px)">'
        f'<img src="{html.escape(p.image)}" alt="{html.escape(p.title)}" loading="lazy"></button>'
        f"<figcaption>{badge_html(p.origin, p.origin_detail)}<br><b>{html.escape(p.title)}</b>"
        f"{'<br>' + html.escape(p.note) if p.note else ''}{bar}"
        f"{'<ul class=legend>' + legend + '</ul>' if legend else ''}</figcaption></figure>"
    )


def _claims_table(rows: list[ClaimRow]) -> str:
    if not rows:
        return ""
    body = "".join(
        f'<tr><td><span class="claim {VERDICT_CLASSES.get(r.verdict, "unk")}">{html.escape(r.text)}</span></td>'
        f"<td>{html.escape(r.verdict)}</td><td>{html.escape(r.evidence or '–')}</td></tr>"
        for r in rows
    )
    return f'<table class="claims"><tr><th>claim</th><th>verdict</th><th>evidence</th></tr>{body}</table>'


def render_page(cards: list[Card], title: str, intro: str = "") -> str:
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
        figs = [_figure(c.key, i, p) for i, p in enumerate(c.panels)]
        facts = "".join(
            f"<tr><td class=muted>{html.escape(k)}</td><td>{html.escape(v)}</td></tr>"
            for k, v in c.facts.items()
        )
        absent = (
            "<p class=muted>"
            + badge_html("absent")
            + "no co-located layer, not trained on, not captioned: "
            + html.escape(", ".join(c.absent))
            + "</p>"
            if c.absent
            else ""
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
            f'<div class="caption">{c.caption_html}</div>{_claims_table(c.claims)}'
            f'<table class="facts">{facts}</table>{absent}'
            f'<div class="panels">{"".join(figs)}</div>'
            f"<details><summary>signals</summary><pre>{signals}</pre></details>"
            f"<details><summary>metadata</summary><pre>{meta}</pre></details></section>"
        )
    legend = " ".join(
        badge_html(o) + html.escape(m) for o, (_, m) in ORIGIN_BADGES.items() if o != "relocated"
    )
    return (
        "<!doctype html><html lang=en><head><meta charset=utf-8>"
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{html.escape(title)}</title><style>{_CSS}</style></head><body>"
        f"<h1>{html.escape(title)}</h1>"
        + (f"<p>{html.escape(intro)}</p>" if intro else "")
        + f"<p class=muted>Layer origin badges: {legend}. Click a picture to open it at full resolution.</p>"
        f'<p class=muted><span id="count">{len(cards)}</span> of {len(cards)} samples shown. Claim colours: '
        '<span class="claim ok">supported</span> <span class="claim bad">contradicted</span> '
        '<span class="claim unk">unverifiable</span></p>'
        f'<div class="filters">{filters}</div>{"".join(body)}'
        '<div id="zoom" tabindex="-1" role="dialog" aria-label="full-resolution view"><div class="bar">'
        '<span class="title"></span><button type="button">close ✕</button></div><img alt=""></div>'
        f"<script>{_JS}</script></body></html>"
    )


def write_gallery(
    samples: Iterable[Sample],
    out_dir: Path,
    title: str = "GeoMeld samples",
    limit: int | None = None,
    intro: str = "",
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
    write_atomic(page, render_page(cards, title, intro))
    log.info("gallery with %d samples written to %s", len(cards), page)
    return page
