"""Recovery of known parameters by ``commsim fit``: coverage of its intervals, error of its
estimates.

A seeded set of groups is simulated with known values of the fitted parameters (drawn
in the middle 60% of each range, log-uniformly for rates), each is written in each
export format and read back, and fitted with a small budget. Printed, per format and
parameter: the share of cases whose true value lies inside the 90% interval, and the
mean |estimate - truth| over the parameter's range (over the log range for rates), the
best trial's, and the interval's mean width over the range.

    python benchmarks/bench_fit.py [--cases 4] [--trials 60] [--days 120]
                                   [--formats csv,whatsapp,wechat,telegram,discord]
                                   [--save rows.csv]
"""

from __future__ import annotations

import argparse
import math
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

from sim.chats import read_chat, write_chat
from sim.validation.chatlog import simulate_chatlog
from sim.validation.fit import FIT_PARAMS, PARAM_BY_KEY, demo_scenario, intervals, opened, run_fit

SEED = 2026


def truths(cases: int) -> list[dict[str, float]]:
    """The true values of each case (seeded): the middle 60% of each range."""
    rng = np.random.default_rng(SEED)
    out = []
    for _ in range(cases):
        values = {}
        for p in FIT_PARAMS:
            u = 0.2 + 0.6 * rng.random()
            values[p.key] = (math.exp(math.log(p.low) + u * (math.log(p.high) - math.log(p.low)))
                             if p.log else p.low + u * (p.high - p.low))
        out.append(values)
    return out


def scaled(key: str, value: float) -> float:
    """A value on the scale its error is measured on (log for rates)."""
    p = PARAM_BY_KEY[key]
    if p.log:
        return (math.log(value) - math.log(p.low)) / (math.log(p.high) - math.log(p.low))
    return (value - p.low) / (p.high - p.low)


def recover(cases: int, trials: int, days: int, formats: list[str], workers: int = 2,
            keys: list[str] | None = None) -> pd.DataFrame:
    """One row per case, format and fitted parameter: truth, estimate, interval, inside."""
    rows = []
    for case, truth in enumerate(truths(cases)):
        log = simulate_chatlog(demo_scenario(100 + case, truth, days=days))
        for fmt in formats:
            with tempfile.TemporaryDirectory() as folder:
                export = read_chat(write_chat(log, fmt, Path(folder) / f"group.{fmt}"))
                fixed = {k: v for k, v in truth.items() if keys is not None and k not in keys}
                with opened(export, Path(folder) / "fit", seed=case, workers=workers,
                            keys=keys, fixed=fixed) as fit:
                    run_fit(fit, budget_minutes=None, trials=trials)
                    table = intervals(fit)
            for r in table.itertuples():
                t = truth[r.parameter]
                rows.append({"case": case, "format": fmt, "parameter": r.parameter,
                             "truth": t, "estimate": r.estimate, "low": r.low, "high": r.high,
                             "best": r.best,
                             "inside": r.low <= t <= r.high,
                             "error": abs(scaled(r.parameter, r.estimate)
                                          - scaled(r.parameter, t)),
                             "best_error": abs(scaled(r.parameter, r.best)
                                               - scaled(r.parameter, t)),
                             "width": scaled(r.parameter, r.high)
                             - scaled(r.parameter, r.low)})
    return pd.DataFrame(rows)


def coverage_table(found: pd.DataFrame) -> pd.DataFrame:
    """Per format and parameter: cases, share inside the interval, mean scaled error and width.

    ``best_error`` is the best trial's error, for comparison; ``width`` the interval's
    mean width as a share of the range (1: the whole range, nothing learned).
    """
    return (found.groupby(["format", "parameter"])
            .agg(cases=("inside", "size"), coverage=("inside", "mean"),
                 error=("error", "mean"), best_error=("best_error", "mean"),
                 width=("width", "mean"))
            .reset_index())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=4)
    parser.add_argument("--trials", type=int, default=60)
    parser.add_argument("--days", type=int, default=120)
    parser.add_argument("--formats", default="csv,whatsapp,wechat,telegram,discord")
    parser.add_argument("--save", type=Path, help="Also write every case's row (CSV).")
    args = parser.parse_args()
    started = time.perf_counter()
    found = recover(args.cases, args.trials, args.days, args.formats.split(","))
    if args.save:
        found.to_csv(args.save, index=False)
    table = coverage_table(found)
    print(f"recovery: {args.cases} cases x {len(args.formats.split(','))} formats, "
          f"{args.trials} trials each, {args.days}-day groups, "
          f"{time.perf_counter() - started:.0f} s")
    print(table.to_string(index=False, float_format=lambda v: f"{v:.2f}"))
    print(f"overall coverage {found['inside'].mean():.2f}, mean error "
          f"{found['error'].mean():.3f} of the range")


if __name__ == "__main__":
    main()
