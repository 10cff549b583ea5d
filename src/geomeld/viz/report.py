"""A self-contained HTML run report: headline numbers, tables, plots and links."""

from __future__ import annotations

import html
import json
import os
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from geomeld.io.atomic import write_atomic


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
    images: list[tuple[str, Path]] = field(default_factory=list)
    links: list[tuple[str, Path]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    details: dict[str, Any] = field(default_factory=dict)


def _cell(value: Any) -> str:
    if isinstance(value, float):
        return f"{value:.4g}"
    return html.escape(str(value))


def render_report(report: Report, page_dir: Path) -> str:
    def rel(p: Path) -> str:
        return html.escape(os.path.relpath(p, page_dir))

    parts = [
        "<!doctype html><html lang=en><head><meta charset=utf-8>",
        f"<title>{html.escape(report.title)}</title><style>",
        "body{font-family:system-ui,sans-serif;margin:1.5rem auto;max-width:1100px;color:#222}",
        "table{border-collapse:collapse;margin:.5rem 0 1rem}td,th{border:1px solid #ccc;padding:.25rem .6rem;"
        "font-size:.9rem;text-align:right}th{background:#f0f0f0}td:first-child,th:first-child{text-align:left}",
        ".kpi{display:flex;flex-wrap:wrap;gap:.8rem}.kpi div{background:#f4f7fb;border:1px solid #d8e0ea;"
        "border-radius:6px;padding:.5rem .8rem}.kpi b{display:block;font-size:1.2rem}",
        "img{max-width:100%;border:1px solid #ddd}.muted{color:#777;font-size:.85rem}",
        "pre{background:#f4f4f4;padding:.5rem;font-size:.75rem;overflow:auto}</style></head><body>",
        f"<h1>{html.escape(report.title)}</h1>",
    ]
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
    for table in report.tables:
        parts.append(f"<h2>{html.escape(table.title)}</h2><table><tr>")
        parts.extend(f"<th>{html.escape(str(h))}</th>" for h in table.header)
        parts.append("</tr>")
        for row in table.rows:
            parts.append("<tr>" + "".join(f"<td>{_cell(c)}</td>" for c in row) + "</tr>")
        parts.append("</table>")
        if table.note:
            parts.append(f"<p class=muted>{html.escape(table.note)}</p>")
    for title, path in report.images:
        parts.append(f'<h2>{html.escape(title)}</h2><img src="{rel(path)}" alt="{html.escape(title)}">')
    if report.details:
        parts.append("<h2>Run details</h2><pre>")
        parts.append(html.escape(json.dumps(report.details, indent=1, default=str, ensure_ascii=False)))
        parts.append("</pre>")
    parts.append("</body></html>")
    return "".join(parts)


def write_report(report: Report, path: Path) -> Path:
    """Write the report page atomically; image and link paths are made relative to it."""
    return write_atomic(path, render_report(report, path.parent))
