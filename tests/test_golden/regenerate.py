"""Golden runs: every shipped scenario at tiny size, its summary table kept as CSV.

``test_golden_runs.py`` runs each ``scenarios/*.yaml`` with 400 people, 60 days and 2
replicates (the seed written in the file) and compares the summary table with
``expected/<name>.csv``. After a change to the model made on purpose, regenerate the
tables from the repository root with::

    python -m tests.test_golden.regenerate      # or: make golden

then review the differences and commit them with the change.
"""

from __future__ import annotations

from pathlib import Path

import yaml

import sim

ROOT = Path(__file__).resolve().parents[2]
SCENARIOS = ROOT / "scenarios"
EXPECTED = Path(__file__).resolve().parent / "expected"
POPULATION, DAYS, REPLICATES = 400, 60, 2
FLOAT_FORMAT = "%.12g"
REGENERATE = "python -m tests.test_golden.regenerate"


def scenario_files() -> list[Path]:
    """The shipped scenarios, in name order."""
    return sorted(SCENARIOS.glob("*.yaml"))


def expected_path(scenario_file: Path) -> Path:
    """Where the golden summary of ``scenario_file`` is kept."""
    return EXPECTED / f"{scenario_file.stem}.csv"


def tiny(scenario_file: Path) -> sim.Scenario:
    """The scenario at golden size, edited as a user would edit the file."""
    data = yaml.safe_load(scenario_file.read_text(encoding="utf-8")) or {}
    data.pop("weeks", None)
    data.update(days=DAYS, replicates=REPLICATES)
    data.setdefault("population", {})["size"] = POPULATION
    return sim.parse_scenario(yaml.safe_dump(data, sort_keys=False), str(scenario_file),
                              base_dir=scenario_file.parent)


def summary_csv(scenario_file: Path) -> str:
    """The summary table of the tiny run, as golden CSV text."""
    summary = sim.run(tiny(scenario_file)).summary
    return summary.to_csv(index=False, float_format=FLOAT_FORMAT, lineterminator="\n")


def main() -> int:
    """Rewrite every golden table and drop those of scenarios that are gone."""
    EXPECTED.mkdir(parents=True, exist_ok=True)
    keep = set()
    for scenario_file in scenario_files():
        target = expected_path(scenario_file)
        text = summary_csv(scenario_file)
        changed = not target.is_file() or target.read_text(encoding="utf-8") != text
        target.write_text(text, encoding="utf-8")
        keep.add(target.name)
        print(f"{'updated' if changed else 'same   '} {target.relative_to(ROOT)}")
    for stale in sorted(EXPECTED.glob("*.csv")):
        if stale.name not in keep:
            stale.unlink()
            print(f"removed {stale.relative_to(ROOT)} (no such scenario)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
