"""Small HTML pieces for the study reports (calibration, optimization, fit)."""

from __future__ import annotations

import html
import math
from typing import Any


def cell(value: Any) -> str:
    """One value as table text: 4 significant digits, ``n/a`` for a missing number."""
    if isinstance(value, float):
        return "n/a" if not math.isfinite(value) else f"{value:.4g}"
    return html.escape(str(value))


def table(columns: list[str], rows: list[list[Any]], passed: list[bool] | None = None,
          raw: set[int] | None = None) -> str:
    """An HTML table; rows marked ``pass`` / ``miss`` when ``passed`` is given.

    Columns whose index is in ``raw`` hold HTML already (links) and are not escaped.
    """
    head = "".join(f"<th>{html.escape(c)}</th>" for c in columns)
    body = []
    for k, row in enumerate(rows):
        cls = "" if passed is None else (" class='pass'" if passed[k] else " class='miss'")
        cells = "".join(f"<td>{v if raw and i in raw else cell(v)}</td>"
                        for i, v in enumerate(row))
        body.append(f"<tr{cls}>{cells}</tr>")
    return f"<table><tr>{head}</tr>{''.join(body)}</table>"


def study_page(title: str, parts: list[str], css: str = "") -> str:
    """A self-contained report page: ``parts`` (HTML) under the shared style plus ``css``."""
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>{html.escape(title)}</title>
<style>
body {{ font-family: system-ui, sans-serif; margin: 2em auto; max-width: 1200px;
       color: #222; }}
table {{ border-collapse: collapse; font-size: 0.9em; margin-bottom: 1em; }}
td, th {{ border: 1px solid #ccc; padding: 4px 8px; vertical-align: top; }}
{css}</style></head><body>
{''.join(parts)}
</body></html>"""
