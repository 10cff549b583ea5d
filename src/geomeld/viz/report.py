"""A self-contained HTML run report: headline numbers, tables, plots and links."""

from __future__ import annotations

import html
import json
import os
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from geomeld.core.atomic import write_atomic


@dataclass
class Table:
    title: str
    header: Sequence[str]
    rows: Sequence[Sequence[Any]]
    note: str = ""


@dataclass
class Report:
    title: str
    summary: dict[str, Any] = field(default_factory=dict)
    tables: list[Table] = field(default_factory=list)
    images: list[tuple[str, Path, str]] = field(default_factory=list)  # (title, png, caption)
    links: list[tuple[str, Path]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    details: dict[str, Any] = field(default_factory=dict)
    verdict: str = ""  # the first paragraph: did pretraining help, by how much, on how many test items
    verdict_ok: bool = False
    retrieval: dict[str, Any] | None = None  # retrieval examples (geomeld.demo.pictures)


def _cell(value: Any) -> str:
    if isinstance(value, float):
        return f"{value:.4g}"
    return html.escape(str(value))


_CSS = (
    "*{box-sizing:border-box}body{font-family:system-ui,sans-serif;margin:1.5rem auto;max-width:1100px;"
    "padding:0 1rem;color:#222;line-height:1.45}"
    "table{border-collapse:collapse;margin:.5rem 0 1rem;display:block;overflow-x:auto}td,th{border:1px solid #ccc;"
    "padding:.25rem .6rem;font-size:.9rem;text-align:right}th{background:#f0f0f0}"
    "td:first-child,th:first-child{text-align:left}"
    ".kpi{display:flex;flex-wrap:wrap;gap:.8rem}.kpi div{background:#f4f7fb;border:1px solid #d8e0ea;"
    "border-radius:6px;padding:.5rem .8rem;max-width:100%}.kpi b{display:block;font-size:1.1rem}"
    "#verdict{font-size:1.1rem;padding:.8rem 1rem;border-radius:6px;border-left:6px solid}"
    "#verdict.yes{background:#eaf7ea;border-color:#2e8b2e}#verdict.no{background:#fdf0e6;border-color:#c8641e}"
    "figure{margin:1rem 0}figure img{max-width:100%;border:1px solid #ddd}figcaption{font-size:.9rem;color:#444}"
    ".muted{color:#666;font-size:.9rem}"
    ".rt{display:flex;flex-wrap:wrap;gap:.6rem}.rt div{width:130px;font-size:.8rem}.rt img{width:128px;height:128px;"
    "image-rendering:pixelated;border:3px solid #ccc}.rt .hit img{border-color:#2e8b2e}"
    "ol.caps li{margin:.3rem 0}ol.caps .hit{background:#c8f0c8}"
    "pre{background:#f4f4f4;padding:.5rem;font-size:.75rem;overflow:auto}"
    "@media (max-width:600px){body{padding:0 .5rem}h1{font-size:1.3rem}}"
)


def _retrieval_html(r: dict[str, Any], rel: Any) -> str:
    k, n = r["k"], r["n_gallery"]
    parts = [
        "<h2>Retrieval examples (held-out tiles, through the trained image–text head)</h2>",
        f"<p class=muted>Gallery of n = {n} held-out captioned tiles; chance of the right item in the top {k} is "
        f"{r['chance_r_at_k']:.0f} %. Over all {n} captions as queries, caption → tile R@{k} = {r['r_at_k_t2i']:.0f} % "
        f"(chance {r['chance_r_at_k']:.0f} %). Text encoder: {html.escape(str(r.get('text_encoder')))}.</p>",
        f"<p><b>Caption → top {k} tiles.</b> Query: “{html.escape(r['caption_query']['caption'])}” "
        "(the right tile has a green frame)</p><div class=rt>",
    ]
    for i, hit in enumerate(r["caption_to_tiles"], 1):
        thumb = hit.get("thumb")
        img = f'<img src="{html.escape(thumb)}" alt="rank {i}">' if thumb else "no picture"
        parts.append(
            f'<div class="{"hit" if hit["correct"] else ""}">{img}<br>#{i} {html.escape(str(hit["key"])[-8:])} '
            f"(sim {hit['score']:.2f})</div>"
        )
    parts.append("</div>")
    q = r["tile_query"]
    thumb = q.get("thumb")
    parts.append(f"<p><b>Tile → top {k} captions.</b> Query tile {html.escape(str(q['key'])[-8:])}:</p>")
    if thumb:
        parts.append(f'<div class=rt><div><img src="{html.escape(thumb)}" alt="query tile"></div></div>')
    parts.append("<ol class=caps>")
    for hit in r["tile_to_captions"]:
        css = ' class="hit"' if hit["correct"] else ""
        parts.append(
            f"<li{css}>{html.escape(hit['caption'])} <span class=muted>(sim {hit['score']:.2f})</span></li>"
        )
    parts.append("</ol><p class=muted>Green: the query tile's own caption.</p>")
    del rel
    return "".join(parts)


def render_report(report: Report, page_dir: Path) -> str:
    def rel(p: Path) -> str:
        return html.escape(os.path.relpath(p, page_dir))

    parts = [
        "<!doctype html><html lang=en><head><meta charset=utf-8>",
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{html.escape(report.title)}</title><style>{_CSS}</style></head><body>",
        f"<h1>{html.escape(report.title)}</h1>",
    ]
    if report.verdict:
        parts.append(
            f'<p id="verdict" class="{"yes" if report.verdict_ok else "no"}">{html.escape(report.verdict)}</p>'
        )
    if report.summary:
        parts.append('<div class="kpi">')
        for k, v in report.summary.items():
            parts.append(f"<div>{html.escape(k)}<b>{_cell(v)}</b></div>")
        parts.append("</div>")
    for note in report.notes:
        parts.append(f"<p class=muted>{html.escape(note)}</p>")
    if report.links:
        parts.append("<ul>")
        for label, path in report.links:
            parts.append(f'<li><a href="{rel(path)}">{html.escape(label)}</a></li>')
        parts.append("</ul>")
    tables = list(report.tables)
    if tables:  # the decisive table first, then the pictures, then the rest
        tables_first, tables_rest = tables[:1], tables[1:]
    else:
        tables_first, tables_rest = [], []

    def table_html(table: Table) -> None:
        parts.append(f"<h2>{html.escape(table.title)}</h2><table><tr>")
        parts.extend(f"<th>{html.escape(str(h))}</th>" for h in table.header)
        parts.append("</tr>")
        for row in table.rows:
            parts.append("<tr>" + "".join(f"<td>{_cell(c)}</td>" for c in row) + "</tr>")
        parts.append("</table>")
        if table.note:
            parts.append(f"<p class=muted>{html.escape(table.note)}</p>")

    for table in tables_first:
        table_html(table)
    for title, path, caption in report.images:
        parts.append(
            f'<h2>{html.escape(title)}</h2><figure><a href="{rel(path)}"><img src="{rel(path)}" '
            f'alt="{html.escape(title)}"></a>'
            + (f"<figcaption>{html.escape(caption)}</figcaption>" if caption else "")
            + "</figure>"
        )
    if report.retrieval:
        parts.append(_retrieval_html(report.retrieval, rel))
    for table in tables_rest:
        table_html(table)
    if report.details:
        parts.append("<h2>Run details</h2><pre>")
        parts.append(html.escape(json.dumps(report.details, indent=1, default=str, ensure_ascii=False)))
        parts.append("</pre>")
    parts.append(
        "<script>window.addEventListener('load',()=>{const imgs=[...document.images];"
        "document.body.dataset.images=imgs.length;"
        "document.body.dataset.imagesLoaded=imgs.filter(i=>i.complete&&i.naturalWidth>0).length;});</script>"
    )
    parts.append("</body></html>")
    return "".join(parts)


def write_report(report: Report, path: Path) -> Path:
    """Write the report page atomically; image and link paths are made relative to it."""
    return write_atomic(path, render_report(report, path.parent))
