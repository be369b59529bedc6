"""The shipped defaults against the plausibility checks (issue 18's "default scenario").

The checks are measured exactly as the calibration measures them: the default group
(``scenarios/baseline.yaml``, its seed and 10 replicates, 26 weeks) and, over a year at
three root seeds (the file's and the next two), the default and the unattended group
(``scenarios/neglected.yaml``). The runs are seeded by the scenario files, so the
figures are fixed; they are written beside each assertion.
"""

from __future__ import annotations

from concurrent.futures import ProcessPoolExecutor
from multiprocessing import get_context

import pandas as pd
import pytest

from sim.validation.plausibility import (
    CHECK_BY_NAME,
    CONSTRAINTS,
    measure_plausibility,
    simulate_job,
)


@pytest.fixture(scope="module")
def checks() -> pd.DataFrame:
    with ProcessPoolExecutor(2, mp_context=get_context("forkserver")) as pool:
        table = measure_plausibility(run_all=lambda jobs: list(pool.map(simulate_job, jobs)))
    return table.set_index("check")


def test_most_members_of_the_default_group_never_write(checks):
    # 0.770 of the members who stayed 30+ days never wrote (band 0.45-0.90)
    assert checks.loc["never_wrote_30d", "passed"], checks.loc["never_wrote_30d", "value"]


def test_nobody_writes_more_than_a_hundred_messages_a_day(checks):
    # 30 at most, the writing budget (dynamics.writing_budget) binding
    assert checks.loc["busiest_member_day", "value"] <= 100


def test_no_operator_mutes_the_group_they_run(checks):
    assert checks.loc["operators_muted", "value"] == 0


def test_a_well_run_group_lives_a_year_and_an_unattended_one_dies(checks):
    # 0 of 30 well-run groups died within a year, 19 of 30 unattended ones did (root
    # seeds 7-9; at seeds 7-14: 1 of 80 and 36 of 80, docs/validation.md)
    assert checks.loc["well_run_died", "value"] == 0
    assert checks.loc["unattended_died", "value"] >= 0.5


def test_every_constraint_of_the_calibration_passes_with_the_defaults(checks):
    assert list(checks.index[checks["constraint"]]) == list(CONSTRAINTS)
    assert checks.loc[list(CONSTRAINTS), "passed"].all(), checks[["value", "band", "passed"]]


def test_the_top_one_percent_write_half_of_the_posts(checks):
    """T1's "the top 1% write 50-75%" in the default group: about 400 people are ever
    members, so its top 1% are four of them (docs/validation.md, *The seventh study*)."""
    assert "top1_share" in CONSTRAINTS
    # 0.580 (root seeds 7-14: 0.56-0.64 over 26 weeks)
    assert checks.loc["top1_share", "value"] >= 0.5 and checks.loc["top1_share", "passed"]


def test_the_spam_flood_figure_is_reported_with_its_reason(checks):
    """Not a constraint (docs/validation.md, *The sixth study*): a flood of ads should mute
    more members than the default group. Under the defaults of the sixth study it did
    not (0.007 above); under the seventh study's, in groups of the default's scale, it
    does. The figure stays reported, not required."""
    row = checks.loc["flood_muted_gain"]
    assert not row["constraint"] and "not a constraint" in CHECK_BY_NAME["flood_muted_gain"].reason
    # 0.241 above the default group's muted share (the band asks at least 0.02)
    assert row["value"] >= 0.02 and row["passed"]
