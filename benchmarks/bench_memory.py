"""Memory estimate benchmark (``make bench``): the estimate against measured peaks.

Target (issue 22): :meth:`sim.running.budget.Work.peak_bytes`, which ``commsim check``,
``run`` and ``sweep`` use to refuse a world that will not fit, is within 30% of the
measured peak memory of a run at three sizes. Each run is a fresh process (the baseline
group, 30 days, one process), so its peak is its own.
"""

from __future__ import annotations

import json
import resource
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

SIZES = (100_000, 300_000, 600_000)
TOLERANCE = 0.30
RUN = """
import sim
from sim.formats.experiment import with_values
from sim.formats.scenario import load_scenario
scenario = with_values(load_scenario({path!r}), {{"population.size": {size}, "days": 30,
                                                   "replicates": 1}})
sim.run(scenario, workers=1)
"""


def measured_peak(size: int) -> float:
    """Peak resident memory (bytes) of a process running one world of ``size`` people."""
    code = RUN.format(path=str(ROOT / "scenarios" / "baseline.yaml"), size=size)
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    subprocess.run([sys.executable, "-c", code], check=True, cwd=ROOT)
    after = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    if after <= before:  # children's peak is a maximum over all of them: grow the sizes
        raise RuntimeError("sizes must grow so that each child's peak is the largest yet")
    return after * 1024.0


def main() -> None:
    import sim
    from sim.formats.experiment import with_values
    from sim.running.budget import scenario_work

    base = sim.load_scenario(ROOT / "scenarios" / "baseline.yaml")
    rows = []
    for size in SIZES:
        scenario = with_values(base, {"population.size": size, "days": 30, "replicates": 1})
        estimate = scenario_work(scenario).peak_bytes(1)
        peak = measured_peak(size)
        error = estimate / peak - 1.0
        rows.append({"population": size, "estimate_gb": round(estimate / 1e9, 3),
                     "measured_gb": round(peak / 1e9, 3), "error": round(error, 3),
                     "ok": abs(error) <= TOLERANCE})
        print(f"memory estimate, {size:>9,} people: estimate {estimate / 1e9:.2f} GB, measured "
              f"{peak / 1e9:.2f} GB ({error:+.0%}; target within {TOLERANCE:.0%}) "
              f"{'OK' if abs(error) <= TOLERANCE else 'MISS'}", flush=True)
    out = ROOT / "benchmarks" / "results" / "memory.json"
    out.write_text(json.dumps(rows, indent=2) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
