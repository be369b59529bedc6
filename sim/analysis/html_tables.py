"""Small HTML tables for the study reports (calibration, optimization)."""

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
