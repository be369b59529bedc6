"""The work behind the Run buttons: the same API calls the command line makes.

A scenario run is :func:`sim.run` then :func:`sim.running.output.write_run`, as in
``commsim run``; a sweep point is repeated with
:meth:`sim.formats.experiment.Study.point_scenario`, as in ``commsim run --point``. These
functions run in the dashboard's background worker processes and report progress
through a callback.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pandas as pd

from sim.formats import plainyaml
from sim.formats.scenario import (
    Problem,
    Scenario,
    ScenarioError,
    load_scenario,
    parse_scenario,
    read_mapping,
)
from sim.running.output import default_out_dir, write_run
from sim.running.runner import run
from sim.running.sweeps import folder_study, point_timeseries

UPLOAD_LIMIT = plainyaml.MAX_BYTES
"""Largest scenario file accepted from the browser (bytes): what commsim reads of any YAML."""


def scenario_from_upload(text: str, filename: str) -> Scenario:
    """Validate an uploaded scenario, as ``commsim check`` would, with its file name.

    Uploaded files are never written to disk. They may not name an edge-list file:
    the page would otherwise read files of the server.

    Raises
    ------
    ScenarioError
        With every problem, worded as the command line words them.
    """
    if len(text.encode("utf-8")) > UPLOAD_LIMIT:
        raise ScenarioError([Problem(filename, None, "", f"file larger than "
                                     f"{UPLOAD_LIMIT:,} bytes")])
    data = read_mapping(text, filename, "'name', 'days', 'strategies'")
    network = (data.get("population") or {}).get("network") if isinstance(
        data.get("population"), dict) else None
    if isinstance(network, dict) and network.get("kind") == "edgelist":
        # refused before validation, which would open the file the upload names
        raise ScenarioError([Problem(filename, None, "population.network.kind",
                                     "an uploaded scenario cannot read an edge-list file; "
                                     "run it with `commsim run` instead")])
    return parse_scenario(text, filename, base_dir=None)


def base_scenario(source: dict, shipped: dict[str, Path]) -> Scenario:
    """The scenario a page picked: a shipped one by name, or its uploaded text."""
    if source.get("kind") == "upload":
        return scenario_from_upload(source.get("text", ""), source.get("name", "upload.yaml"))
    name = source.get("name")
    if name not in shipped:
        raise ScenarioError([Problem(str(name), None, "", "no such shipped scenario")])
    return load_scenario(shipped[name])


def next_run_folder(root: Path, name: str) -> Path:
    """A new folder for a run under ``root`` (``<name>-<time>``, numbered if taken)."""
    folder = default_out_dir(name, root)
    number = 2
    while folder.exists():
        folder = folder.with_name(f"{default_out_dir(name, root).name}-{number}")
        number += 1
    return folder


def run_scenario(scenario: Scenario, root: Path, workers: int = 1,
                 progress: Callable[[int, int], None] | None = None) -> Path:
    """Run every arm and replicate and write the run folder under ``root``; return it.

    ``progress(done, total)`` is called before the first run and after each one.
    """
    total = scenario.replicates * len(scenario.arm_names())
    done = 0

    def advance(k: int) -> None:
        nonlocal done
        done += k
        if progress is not None:
            progress(done, total)

    advance(0)
    result = run(scenario, workers=workers, on_done=advance)
    return write_run(result, next_run_folder(root, scenario.name))


def point_series(folder: Path, point_id: int, workers: int = 1) -> tuple[pd.DataFrame, str]:
    """Daily tables of one sweep point: stored ones, or its runs repeated from their seeds.

    Returns the table and a sentence saying where it came from.
    """
    stored = point_timeseries(folder, point_id)
    if stored is not None and len(stored):
        return stored, "Shown from the daily tables the sweep stored."
    scenario = folder_study(folder).point_scenario(point_id)
    result = run(scenario, workers=workers)
    return result.timeseries, (f"The sweep kept no daily tables, so its "
                               f"{scenario.replicates} runs of this point were repeated "
                               "from their seeds (as `commsim run --point` does).")
