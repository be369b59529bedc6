"""Hashes of every seeded result, to show a refactor changed no behaviour.

Runs every scenario in ``scenarios/`` at two seeds (through the command line, so
the hashes do not depend on where modules live) and ``commsim validate --size
small``, and prints one line per result file: ``sha256  scenario  seed  file``.
Run it before and after a change that must not change results and diff the two::

    .venv/bin/python benchmarks/result_hashes.py > before.txt
    # ... the change ...
    .venv/bin/python benchmarks/result_hashes.py > after.txt
    diff before.txt after.txt && echo "byte for byte"

Each scenario runs with 2 replicates (its own days), enough to cover every phase
and strategy it switches on without the full replicate count's minutes.
"""

from __future__ import annotations

import hashlib
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
COMMSIM = str(Path(sys.executable).parent / "commsim")
SEEDS = (7, 20261206)
RUN_FILES = ("timeseries.parquet", "summary.parquet", "members.parquet")


def digest(path: Path) -> str:
    """The sha256 of a file's bytes."""
    return hashlib.sha256(path.read_bytes()).hexdigest()


def run_hashes(scenario: Path, seed: int, scratch: Path) -> list[str]:
    """Run ``scenario`` at ``seed`` and hash its result tables."""
    out = scratch / f"{scenario.stem}-{seed}"
    subprocess.run([COMMSIM, "run", str(scenario), "--seed", str(seed), "--replicates", "2",
                    "--workers", "1", "--no-report", "--quiet", "--out", str(out)],
                   check=True, stdout=subprocess.DEVNULL)
    name = scenario.relative_to(ROOT)
    return [f"{digest(out / f)}  {name}  {seed}  {f}" for f in RUN_FILES]


def validation_hashes(scratch: Path) -> list[str]:
    """Run the small validation suite and hash its tables."""
    out = scratch / "validation"
    subprocess.run([COMMSIM, "validate", "--size", "small", "--workers", "1", "--quiet",
                    "--out", str(out)], check=True, stdout=subprocess.DEVNULL)
    files = sorted(p.name for p in out.glob("*.parquet"))
    return [f"{digest(out / f)}  validate --size small  -  {f}" for f in files]


def main() -> None:
    """Print the hash lines."""
    scenarios = sorted((ROOT / "scenarios").rglob("*.yaml"))
    with tempfile.TemporaryDirectory() as tmp:
        scratch = Path(tmp)
        for scenario in scenarios:
            for seed in SEEDS:
                for line in run_hashes(scenario, seed, scratch):
                    print(line, flush=True)
        for line in validation_hashes(scratch):
            print(line, flush=True)


if __name__ == "__main__":
    main()
