"""Golden runs: each shipped scenario, run tiny, matches its stored summary table.

Integers, text and flags must match exactly, floats to a relative 1e-9. A mismatch
means the model's results changed: a regression, or a change made on purpose, in
which case the tables are regenerated (see ``regenerate.py``).
"""

from __future__ import annotations

import io

import numpy as np
import pandas as pd
import pytest
from regenerate import (
    EXPECTED,
    REGENERATE,
    ROOT,
    expected_path,
    scenario_files,
    summary_csv,
)

HOW_TO_UPDATE = (f"If you changed the model on purpose, run `{REGENERATE}` (or `make golden`) "
                 "from the repository root, review the diff of tests/test_golden/expected/ "
                 "and commit it; otherwise this is a regression.")


def differences(actual: pd.DataFrame, expected: pd.DataFrame) -> list[str]:
    """Plain-words list of where two summary tables differ."""
    if list(actual.columns) != list(expected.columns):
        return [f"columns differ: expected {list(expected.columns)}, "
                f"got {list(actual.columns)}"]
    if len(actual) != len(expected):
        return [f"expected {len(expected)} rows, got {len(actual)}"]
    found = []
    for column in expected.columns:
        a, e = actual[column], expected[column]
        if pd.api.types.is_float_dtype(a) or pd.api.types.is_float_dtype(e):
            same = np.isclose(a.astype(float), e.astype(float), rtol=1e-9, atol=1e-12,
                              equal_nan=True)
        else:
            same = (a == e).to_numpy()
        for row in np.flatnonzero(~same)[:3]:
            found.append(f"row {row} ({expected['arm'][row]}, replicate "
                         f"{expected['replicate'][row]}) {column}: expected {e[row]}, "
                         f"got {a[row]}")
    return found


@pytest.mark.parametrize("scenario_file", scenario_files(), ids=lambda p: p.stem)
def test_golden_run(scenario_file):
    golden = expected_path(scenario_file)
    where = golden.relative_to(ROOT)
    if not golden.is_file():
        pytest.fail(f"no golden table {where} for scenarios/{scenario_file.name}. "
                    f"{HOW_TO_UPDATE}")
    actual = pd.read_csv(io.StringIO(summary_csv(scenario_file)))
    expected = pd.read_csv(golden)
    found = differences(actual, expected)
    assert not found, (f"golden run of scenarios/{scenario_file.name} differs from {where}:\n  "
                       + "\n  ".join(found) + f"\n{HOW_TO_UPDATE}")


def test_every_golden_table_belongs_to_a_scenario():
    names = {expected_path(f).name for f in scenario_files()}
    stale = sorted(p.name for p in EXPECTED.glob("*.csv") if p.name not in names)
    assert not stale, f"golden tables without a scenario: {stale}. {HOW_TO_UPDATE}"


def test_differences_are_reported_column_by_column():
    table = pd.DataFrame({"arm": ["baseline"], "replicate": [0], "members_final": [40],
                          "spam_share": [0.0123456789]})
    assert differences(table, table.copy()) == []
    nudged = table.assign(spam_share=0.0123456789 * (1 + 1e-11))
    assert differences(nudged, table) == []  # float noise is tolerated
    moved = table.assign(spam_share=0.0123456789 * (1 + 1e-6), members_final=41)
    found = differences(moved, table)
    assert len(found) == 2 and "members_final" in found[0] and "spam_share" in found[1]
