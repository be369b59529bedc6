"""A tiny run with arms, and its report, shared by the report tests."""

from __future__ import annotations

import pytest

import sim
from sim.analysis.report import write_report

TINY_ARMS = """\
name: report test
days: 45
seed: 5
replicates: 3
population: {size: 300, network: {kind: powerlaw_cluster, mean_degree: 6}}
group: {capacity: 120}
strategies:
  welcome: {}
  content: {posts_per_day: 2}
arms:
  no_welcome: {welcome: false}
  irregular: {content: {schedule: irregular}}
"""


@pytest.fixture(scope="session")
def tiny_arms_yaml() -> str:
    return TINY_ARMS


@pytest.fixture(scope="session")
def tiny_result():
    return sim.run(sim.parse_scenario(TINY_ARMS))


@pytest.fixture(scope="session")
def tiny_report(tiny_result, tmp_path_factory):
    return write_report(tiny_result, tmp_path_factory.mktemp("report") / "report.html")
