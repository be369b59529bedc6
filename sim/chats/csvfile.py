"""Reading CSV exports row by row with the line each row starts on."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator


def header(text: str) -> list[str]:
    """The column names of a CSV text's first line (spaces around names dropped)."""
    first = next(csv.reader(io.StringIO(text.lstrip("\ufeff").split("\n", 1)[0])), [])
    return [name.strip() for name in first]


def rows(text: str) -> Iterator[tuple[int, int, dict[str, str]]]:
    """Each data row as ``(line it starts on, row number, {column: value})``.

    The row number is the one a spreadsheet shows (the header is row 1; a blank row has
    a number too, and is not yielded). A text over several lines is one row.
    """
    reader = csv.reader(io.StringIO(text.lstrip("\ufeff"), newline=""))
    names = [name.strip() for name in next(reader, [])]
    start = reader.line_num + 1
    for number, values in enumerate(reader, start=2):
        if any(value.strip() for value in values):
            yield start, number, dict(zip(names, values, strict=False))
        start = reader.line_num + 1


def write(columns: list[str], records: list[list], bom: bool = False) -> str:
    """CSV text of ``records`` under ``columns`` (quoted where needed, one line per row)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(columns)
    writer.writerows(records)
    return ("\ufeff" if bom else "") + out.getvalue()
