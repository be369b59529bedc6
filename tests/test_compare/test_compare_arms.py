"""``sim.analysis.compare``: paired differences, intervals and verdicts on hand-made summaries."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from sim.analysis.compare import (
    DEFAULT_OUTCOMES,
    SAME,
    compare,
    expanded_alpha,
    format_difference,
    format_interval,
    format_value,
    outcome_values,
    paired_interval,
    sentence,
    verdict,
)


def summary(arms: dict[str, dict[str, list]], seeds: list[int] | None = None) -> pd.DataFrame:
    """A summary table: ``arms[arm][column]`` lists one value per replicate."""
    rows = []
    for arm, columns in arms.items():
        n = len(next(iter(columns.values())))
        for r in range(n):
            row = {"run_id": f"x-{arm}-{r}", "arm": arm, "replicate": r,
                   "seed": (seeds or list(range(100, 100 + n)))[r]}
            row.update({k: v[r] for k, v in columns.items()})
            rows.append(row)
    return pd.DataFrame(rows)


def row_of(table: pd.DataFrame, outcome: str, arm: str) -> pd.Series:
    return table[(table["outcome"] == outcome) & (table["arm"] == arm)].iloc[0]


def test_a_known_paired_difference():
    s = summary({"baseline": {"members_final": [10, 20, 30, 40, 50]},
                 "paid": {"members_final": [12, 23, 34, 45, 56]}})
    table = compare(s, ["members_final"])
    base, paid = row_of(table, "members_final", "baseline"), row_of(table, "members_final", "paid")
    assert base["mean"] == 30 and base["verdict"] == "baseline" and math.isnan(base["difference"])
    assert paid["mean"] == 34 and paid["baseline_mean"] == 30
    assert paid["difference"] == pytest.approx(4.0)  # mean of 2, 3, 4, 5, 6
    assert 2 <= paid["ci_low"] < 4.0 < paid["ci_high"] <= 6
    assert paid["n_pairs"] == 5 and paid["common_seeds"]
    assert paid["verdict"] == "higher" and paid["assessment"] == "better"
    assert paid["relative_difference"] == pytest.approx(4.0 / 30)


def test_pairs_are_matched_on_the_replicate_not_on_row_order():
    s = summary({"baseline": {"members_final": [10, 20, 30, 40]},
                 "paid": {"members_final": [12, 23, 34, 45]}})
    shuffled = s.sample(frac=1.0, random_state=3)
    shuffled = pd.concat([shuffled[shuffled["arm"] == "baseline"],
                          shuffled[shuffled["arm"] == "paid"]])
    pd.testing.assert_frame_equal(compare(shuffled, ["members_final"]),
                                  compare(s, ["members_final"]))


def test_interval_crossing_zero_says_no_clear_difference_with_the_count():
    s = summary({"baseline": {"messages_total": [100, 100, 100, 100, 100]},
                 "arm": {"messages_total": [90, 110, 95, 105, 101]}})
    row = row_of(compare(s, ["messages_total"]), "messages_total", "arm")
    assert row["ci_low"] < 0 < row["ci_high"]
    assert row["verdict"] == "no clear difference with 5 replicates"
    assert row["assessment"] == ""


def test_lower_is_better_for_spam_and_money():
    s = summary({"baseline": {"spam_share": [0.10, 0.12, 0.11, 0.09, 0.13],
                              "money_spent": [50, 60, 70, 55, 65]},
                 "cleanup": {"spam_share": [0.02, 0.03, 0.01, 0.02, 0.04],
                             "money_spent": [80, 95, 99, 90, 85]}})
    table = compare(s, ["spam_share", "money_spent"])
    spam, money = row_of(table, "spam_share", "cleanup"), row_of(table, "money_spent", "cleanup")
    assert (spam["verdict"], spam["assessment"]) == ("lower", "better")
    assert (money["verdict"], money["assessment"]) == ("higher", "worse")


def test_zero_variance_differences():
    same = summary({"baseline": {"money_spent": [0.0, 0.0, 0.0]},
                    "arm": {"money_spent": [0.0, 0.0, 0.0]}})
    row = row_of(compare(same, ["money_spent"]), "money_spent", "arm")
    assert (row["difference"], row["ci_low"], row["ci_high"]) == (0, 0, 0)
    assert row["verdict"] == SAME
    shifted = summary({"baseline": {"owner_hours": [10.0, 11.0, 12.0, 13.0, 14.0]},
                       "arm": {"owner_hours": [12.0, 13.0, 14.0, 15.0, 16.0]}})
    row = row_of(compare(shifted, ["owner_hours"]), "owner_hours", "arm")
    assert (row["difference"], row["ci_low"], row["ci_high"]) == (2, 2, 2)
    assert (row["verdict"], row["assessment"]) == ("higher", "worse")


def test_a_single_replicate_has_no_interval():
    s = summary({"baseline": {"members_final": [40]}, "arm": {"members_final": [45]}})
    row = row_of(compare(s, ["members_final"]), "members_final", "arm")
    assert row["difference"] == 5 and row["n_pairs"] == 1
    assert math.isnan(row["ci_low"]) and math.isnan(row["ci_high"])
    assert row["verdict"] == "only 1 replicate: no confidence interval"
    assert row["assessment"] == ""


def test_dead_day_becomes_the_share_of_groups_that_died():
    na = pd.NA
    s = summary({"baseline": {"dead_day": [na, 50, na, na]},
                 "arm": {"dead_day": [30, 40, na, 60]}})
    s["dead_day"] = s["dead_day"].astype("Int32")
    assert list(outcome_values(s, "died")) == [0, 1, 0, 0, 1, 1, 0, 1]
    table = compare(s, ["died", "dead_day"])
    died = row_of(table, "died", "arm")
    assert died["mean"] == 0.75 and died["baseline_mean"] == 0.25
    assert died["difference"] == 0.5 and died["n_pairs"] == 4  # survivors count as 0
    day = row_of(table, "dead_day", "arm")
    assert day["n_pairs"] == 1 and day["difference"] == -10  # only replicate 1 died in both
    assert "died" in day["note"] and day["verdict"].startswith("only 1 replicate")


def test_missing_values_leave_their_pair_out_and_say_so():
    s = summary({"baseline": {"newcomer_retention_30d": [0.5, np.nan, 0.6, 0.7]},
                 "arm": {"newcomer_retention_30d": [0.6, 0.8, 0.7, np.nan]}})
    row = row_of(compare(s, ["newcomer_retention_30d"]), "newcomer_retention_30d", "arm")
    assert row["n_pairs"] == 2 and row["difference"] == pytest.approx(0.1)
    assert row["note"] == "2 of 4 replicates without a value left out"
    assert row["n"] == 3 and row["mean"] == pytest.approx(0.7)


def test_no_value_at_all_is_not_an_error():
    s = summary({"baseline": {"roi": [np.nan, np.nan]}, "arm": {"roi": [np.nan, np.nan]}})
    row = row_of(compare(s, ["roi"]), "roi", "arm")
    assert row["n_pairs"] == 0 and math.isnan(row["difference"])
    assert row["verdict"] == "no value to compare"


def test_retention_of_a_run_too_short_says_why_it_has_no_value():
    s = summary({"baseline": {"newcomer_retention_30d": [np.nan] * 5},
                 "arm": {"newcomer_retention_30d": [np.nan] * 5}})
    row = row_of(compare(s, ["newcomer_retention_30d"]), "newcomer_retention_30d", "arm")
    assert row["verdict"] == "no value to compare"
    assert "runs longer than 30 days are needed" in row["note"]


def test_different_seeds_are_flagged():
    s = summary({"baseline": {"members_final": [1, 2, 3]}})
    other = summary({"arm": {"members_final": [2, 3, 4]}}, seeds=[7, 8, 9])
    row = row_of(compare(pd.concat([s, other]), ["members_final"]), "members_final", "arm")
    assert not row["common_seeds"]


def test_same_seed_same_table_and_other_arms_order_kept():
    rng = np.random.default_rng(0)
    s = summary({"baseline": {"members_final": rng.normal(50, 5, 9).tolist()},
                 "b_arm": {"members_final": rng.normal(52, 5, 9).tolist()},
                 "a_arm": {"members_final": rng.normal(49, 5, 9).tolist()}})
    first, again = compare(s, ["members_final"], seed=4), compare(s, ["members_final"], seed=4)
    pd.testing.assert_frame_equal(first, again)
    assert list(first["arm"]) == ["baseline", "b_arm", "a_arm"]
    other = compare(s, ["members_final"], seed=5)
    assert not np.allclose(first["ci_low"].dropna(), other["ci_low"].dropna())


def test_default_outcomes_cover_every_score():
    from sim.analysis.compare import OUTCOMES

    scores = {OUTCOMES[name].score for name in DEFAULT_OUTCOMES}
    assert {"growth", "retention", "survival", "activity", "spam", "money"} <= scores


def test_unknown_outcome_names_the_nearest_one():
    s = summary({"baseline": {"members_final": [1, 2]}})
    with pytest.raises(ValueError, match="did you mean 'members_final'"):
        compare(s, ["members_finl"])


def test_baseline_is_the_first_arm_when_none_is_so_named():
    s = summary({"a": {"members_final": [1, 2, 3]}, "b": {"members_final": [2, 3, 4]}})
    table = compare(s, ["members_final"])
    assert set(table["baseline"]) == {"a"}
    assert row_of(table, "members_final", "b")["difference"] == 1


def test_verdict_words():
    assert verdict(0, math.nan, math.nan) == "no replicates to compare"
    assert verdict(1, math.nan, math.nan) == "only 1 replicate: no confidence interval"
    assert verdict(30, -1.0, 2.0) == "no clear difference with 30 replicates"
    assert verdict(30, 0.5, 2.0) == "higher"
    assert verdict(30, -2.0, -0.5) == "lower"
    assert verdict(8, 0.0, 0.0) == SAME
    assert verdict(3, 0.0, 0.0) == SAME  # every replicate the same: no interval needed
    assert verdict(4, 0.5, 2.0) == "too few replicates to tell (4; use 5 or more)"
    assert verdict(5, 0.5, 2.0) == "higher"


def test_few_replicates_seldom_show_a_difference_that_is_not_there():
    """With no true difference, a verdict of higher or lower comes at most about 5% +
    the Monte Carlo error of the time, for every number of replicates a user may pick.

    2,000 null samples per size, fixed seed: the rate's standard error is 0.5 points,
    so the bound of 8% is 6 standard errors above the nominal 5%.
    """
    rng = np.random.default_rng(1)
    for n in range(2, 11):
        called = sum(verdict(n, *paired_interval(rng.normal(0.0, 1.0, n), 0.95, 2000, 0)[1:])
                     in ("higher", "lower") for _ in range(2000))
        assert called / 2000 <= 0.08, (n, called / 2000)


def test_expanded_interval_is_wider_for_fewer_replicates():
    assert expanded_alpha(0.05, 2) < expanded_alpha(0.05, 5) < expanded_alpha(0.05, 30) < 0.05
    assert expanded_alpha(0.05, 10_000) == pytest.approx(0.05, abs=0.001)


def test_interval_covers_the_true_difference_about_95_percent_of_the_time():
    # 400 comparisons of 10 replicates whose true mean difference is 1.0: the 95%
    # interval should contain 1.0 in about 380 of them (binomial sd ~4.4).
    rng = np.random.default_rng(2024)
    draws = rng.normal(1.0, 2.0, size=(400, 10))
    covered = 0
    for i, d in enumerate(draws):
        _, low, high = paired_interval(d, 0.95, 1000, seed=i)
        covered += low <= 1.0 <= high
    assert 360 <= covered <= 396


def test_formatting_in_plain_units():
    assert format_value("spam_share", 0.1234) == "12.3%"
    assert format_difference("spam_share", 0.012) == "+1.2 pts"
    assert format_difference("spam_share", -0.0004) == "-0.04 pts"
    assert format_value("money_spent", 1234.0) == "1,234 yuan"
    assert format_difference("members_final", -5.0) == "-5"
    assert format_difference("members_final", 2.25) == "+2.2"
    assert format_interval("newcomer_retention_30d", -0.04, 0.057) == "-4.0 to +5.7 pts"
    assert format_interval("members_final", math.nan, 1.0) == "-"
    assert format_value("dead_day", 120.0) == "day 120"
    assert format_value("members_final", math.nan) == "-"


def test_a_row_reads_as_a_sentence():
    s = summary({"baseline": {"members_final": [10, 20, 30, 40, 50]},
                 "paid": {"members_final": [12, 23, 34, 45, 56]}})
    table = compare(s, ["members_final"])
    text = sentence(row_of(table, "members_final", "paid"))
    assert text.startswith("members at end: 34 with paid against 30 in the baseline: higher "
                           "(better) by 4 (95% interval +")


def test_a_difference_that_rounds_to_zero_is_never_minus_zero():
    from sim.analysis.compare import format_difference, format_interval

    assert format_difference("spam_share", -0.000001) == "+0.00 pts"
    assert format_difference("money_spent", -0.0004) == "+0.00 yuan"
    assert format_interval("spam_share", -0.000001, 0.02) == "+0.00 to +2.0 pts"
    assert format_difference("spam_share", -0.0002) == "-0.02 pts"  # a real difference


def test_one_outcome_by_name_and_an_unknown_baseline():
    s = summary({"baseline": {"members_final": [10, 20, 30, 40, 50]},
                 "paid": {"members_final": [12, 23, 34, 45, 56]}})
    assert list(compare(s, "members_final")["outcome"].unique()) == ["members_final"]
    with pytest.raises(ValueError, match="no arm named 'paidd'.*baseline, paid"):
        compare(s, ["members_final"], baseline="paidd")
