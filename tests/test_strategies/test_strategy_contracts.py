"""Contract tests for every strategy in ``sim.engine.strategies.REGISTRY``.

:class:`StrategyContract` gives every strategy the shared checks: identity and
docstring, declared metadata and parameters, settings validation, ``reset()``,
pickling for process pools and metadata honesty (what the metadata says about
randomness, money and owner time is what the plans show). Each ``Test<Strategy>``
adds its scripted cases on :class:`sim.engine.plan.DayPlan` and in a tiny model.
"""

from __future__ import annotations

import itertools
import pickle
import re
import sys

import numpy as np
import pytest
import yaml
from pydantic import ValidationError

import sim
from sim.engine.metrics import DAILY_COLUMNS, SUMMARY_METRICS
from sim.engine.plan import DayPlan
from sim.engine.strategies import METADATA_KEYS, REGISTRY, ContentPush, Strategy, WelcomeTemplate

OUTCOMES = (*DAILY_COLUMNS, *SUMMARY_METRICS)


def tiny_model(strategies: dict | None = None, days: int = 30, seed: int = 2,
               size: int = 300) -> sim.CommunityModel:
    data = {"days": days, "seed": seed, "population": {"size": size},
            "group": {"capacity": 120}, "strategies": strategies or {}}
    return sim.CommunityModel(sim.parse_scenario(yaml.safe_dump(data)))


def plans(strategy: Strategy, model: sim.CommunityModel, days: int,
          rng_seed: int | None = None) -> list[DayPlan]:
    """The strategy's plans for ``days`` days (the model itself does not step)."""
    if rng_seed is not None:
        model.rng = np.random.default_rng(rng_seed)
    out = []
    for day in range(days):
        plan = DayPlan()
        strategy.plan(model, day, plan)
        out.append(plan)
    return out


class StrategyContract:
    """Checks every strategy must pass; subclasses set ``cls`` and may set
    ``varied`` (settings under which the strategy keeps state between days and, if
    it is stochastic, draws random numbers)."""

    cls: type[Strategy]
    varied: dict = {}

    @pytest.fixture
    def model(self) -> sim.CommunityModel:
        return tiny_model()

    def make(self, **changes) -> Strategy:
        return self.cls(self.cls.Settings(**{**self.varied, **changes}))

    # ------------------------------------------------------------ identity
    def test_registered_under_its_key(self):
        assert re.fullmatch(r"[a-z][a-z_]*", self.cls.key)
        assert REGISTRY[self.cls.key] is self.cls

    def test_has_a_human_name(self):
        assert self.cls.name and self.cls.name != self.cls.key
        assert self.cls.name[0].isupper()

    def test_docstring_names_the_practice_and_its_seed_sources(self):
        doc = self.cls.__dict__.get("__doc__") or ""
        assert doc.strip().startswith(self.cls.name), "first line should name the practice"
        for source in self.cls.metadata["source"].split(","):
            assert f"seed {source.strip()}" in doc.lower(), f"doc should cite seed {source}"

    # ------------------------------------------------------------ metadata
    def test_metadata_declares_every_key(self):
        missing = set(METADATA_KEYS) - set(self.cls.metadata)
        assert not missing, f"{self.cls.__name__} metadata lacks {sorted(missing)}"

    def test_metadata_values_have_the_declared_form(self):
        meta = self.cls.metadata
        assert isinstance(meta["stochastic"], bool)
        assert re.fullmatch(r"\d{3}(, \d{3})*", meta["source"]), meta["source"]
        assert isinstance(meta["money_per_day"], str) and meta["money_per_day"]
        assert isinstance(meta["owner_minutes_per_day"], str)
        for target in meta["targets"]:
            assert any(name.startswith(target) for name in OUTCOMES), (
                f"target {target!r} names no recorded outcome")

    # ------------------------------------------------------------ parameters
    def test_params_are_declared_once_with_defaults_in_range(self):
        names = [p.name for p in self.cls.params]
        assert len(names) == len(set(names))
        assert list(self.cls.Settings.model_fields) == names
        for p in self.cls.params:
            assert p.description and p.default is not None, p.name
            if p.choices is not None:
                assert p.default in p.choices, p.name
            if p.low is not None:
                assert p.default >= p.low, p.name
            if p.high is not None:
                assert p.default <= p.high, p.name

    def test_settings_validate_the_defaults(self):
        defaults = {p.name: p.default for p in self.cls.params}
        assert self.cls.Settings().model_dump() == defaults
        assert self.cls.Settings(**defaults) == self.cls.Settings()
        assert self.cls().settings == self.cls.Settings()

    def test_settings_reject_values_out_of_range(self):
        for p in self.cls.params:
            bad = []
            if p.low is not None:
                bad.append(p.low - 1)
            if p.high is not None:
                bad.append(p.high + 1)
            if p.choices is not None:
                bad.append("no_such_choice")
            if p.kind is bool:
                bad.append("sometimes")
            for value in bad:
                with pytest.raises(ValidationError, match=p.name):
                    self.cls.Settings(**{p.name: value})

    def test_settings_are_read_only(self):
        settings = self.cls.Settings()
        with pytest.raises(ValidationError):
            setattr(settings, self.cls.params[0].name, self.cls.params[0].default)

    def test_scenario_switches_it_on_with_defaults(self):
        text = yaml.safe_dump({"strategies": {self.cls.key: {}}})
        active = sim.parse_scenario(text).strategies_for("baseline")
        assert active == {self.cls.key: self.cls.Settings()}

    # ------------------------------------------------------------ state and pickling
    def test_reset_makes_a_run_reproducible(self, model):
        strategy = self.make()
        first = plans(strategy, model, 7, rng_seed=3)
        strategy.reset()
        assert plans(strategy, model, 7, rng_seed=3) == first
        assert plans(self.make(), model, 7, rng_seed=3) == first

    def test_instances_pickle_with_their_state(self, model):
        strategy = self.make()
        plans(strategy, model, 3, rng_seed=4)
        clone = pickle.loads(pickle.dumps(strategy))
        assert type(clone) is self.cls and clone.settings == strategy.settings
        assert plans(clone, model, 10, rng_seed=5) == plans(strategy, model, 10, rng_seed=5)

    # ------------------------------------------------------------ metadata honesty
    def test_stochastic_flag_is_honest(self, model):
        strategy = self.make()
        first = plans(strategy, model, 30, rng_seed=1)
        strategy.reset()
        second = plans(strategy, model, 30, rng_seed=2)
        if self.cls.metadata["stochastic"]:
            assert first != second, "declares stochastic=True but ignores model.rng"
        else:
            assert first == second, "declares stochastic=False but depends on model.rng"
            state = model.rng.bit_generator.state
            plans(strategy, model, 5)
            assert model.rng.bit_generator.state == state, "stochastic=False draws numbers"

    def test_free_strategies_pay_nothing(self, model):
        if self.cls.metadata["money_per_day"] != "0":
            pytest.skip("this strategy spends money")
        for plan in plans(self.make(), model, 30, rng_seed=6):
            assert plan.envelopes == [] and plan.offers == []


# ---------------------------------------------------------------- every strategy


def test_keys_and_names_are_unique():
    keys = [cls.key for cls in REGISTRY.values()]
    names = [cls.name for cls in REGISTRY.values()]
    assert len(set(keys)) == len(keys) and len(set(names)) == len(names)
    assert list(REGISTRY) == keys


def test_every_strategy_has_a_contract_test():
    # the contract subclasses live beside each strategy's effect tests: load them all,
    # so this check also holds when this file runs alone
    import importlib.util
    from pathlib import Path

    for path in sorted(Path(__file__).parent.glob("test_*_effects.py")):
        name = f"_contracts_{path.stem}"
        if name not in sys.modules:
            spec = importlib.util.spec_from_file_location(name, path)
            module = importlib.util.module_from_spec(spec)
            sys.modules[name] = module
            spec.loader.exec_module(module)
    covered = {c.cls for c in StrategyContract.__subclasses__()}
    assert covered == set(REGISTRY.values())


def test_filtered_selects_by_metadata():
    stochastic = sim.engine.strategies.filtered(stochastic=True)
    assert set(stochastic) == {c for c in REGISTRY.values() if c.metadata["stochastic"]}
    assert ContentPush in stochastic and WelcomeTemplate not in stochastic


# ---------------------------------------------------------------- each strategy


class TestContentPush(StrategyContract):
    cls = ContentPush
    varied = {"posts_per_day": 0.4, "schedule": "irregular"}  # carries fractions; draws

    def test_regular_three_a_day_is_exactly_three_every_day(self, model):
        strategy = ContentPush(ContentPush.Settings(posts_per_day=3, schedule="regular"))
        for plan in plans(strategy, model, 60, rng_seed=0):
            assert plan.content_posts == 3
            assert plan.content_quality == pytest.approx(0.6)
            assert plan.content_attention == 1.0 and plan.content_noise == 0.0
            assert plan.owner_minutes == pytest.approx(3 * 15.0)

    def test_fractional_rate_is_delivered_exactly_over_time(self, model):
        strategy = ContentPush(ContentPush.Settings(posts_per_day=2.5))
        posts = [p.content_posts for p in plans(strategy, model, 10, rng_seed=0)]
        assert set(posts) == {2, 3} and sum(posts) == 25

    def test_irregular_keeps_the_long_run_mean(self, model):
        # 4,000 days: the daily count is 10 with chance 0.3, so its mean has a standard
        # error of 10 * sqrt(0.21 / 4000) = 0.07; a tolerance of 0.25 is 3.5 of them.
        strategy = ContentPush(ContentPush.Settings(posts_per_day=3, schedule="irregular"))
        days = plans(strategy, model, 4000, rng_seed=11)
        posts = np.array([p.content_posts for p in days])
        assert posts.mean() == pytest.approx(3.0, abs=0.25)
        assert (posts > 0).mean() == pytest.approx(0.3, abs=0.03)  # bursts on 3 days in 10
        assert {p.content_attention for p in days if p.content_posts} == {0.6}

    def test_long_text_is_noisier_and_worth_less(self, model):
        strategy = ContentPush(ContentPush.Settings(posts_per_day=2, quality=0.8,
                                                    format="long_text"))
        plan = plans(strategy, model, 1, rng_seed=0)[0]
        assert plan.content_quality == pytest.approx(0.8 * 0.85)
        assert plan.content_noise == pytest.approx(2 * 0.6)

    @pytest.mark.parametrize(("per_day", "schedule", "fmt", "minutes"), [
        (3.0, "regular", "structured", 15.0), (0.7, "regular", "long_text", 40.0),
        (5.0, "irregular", "structured", 2.5), (0.0, "regular", "structured", 15.0)])
    def test_owner_time_is_posts_times_minutes_per_post(self, model, per_day, schedule,
                                                         fmt, minutes):
        strategy = ContentPush(ContentPush.Settings(posts_per_day=per_day, schedule=schedule,
                                                    format=fmt, minutes_per_post=minutes))
        for plan in plans(strategy, model, 50, rng_seed=8):
            assert plan.owner_minutes == pytest.approx(plan.content_posts * minutes)

    def test_pushed_content_reaches_the_group(self):
        model = tiny_model({"content": {"posts_per_day": 3}}, days=20)
        model.run_model()
        data = model.recorder.data
        assert np.all(data["msg_content"] >= 3)
        assert np.all(data["owner_minutes"] == pytest.approx(45.0))
        assert model.state.messages[model.owner_row, 0] >= 3 * 20


class TestWelcomeTemplate(StrategyContract):
    cls = WelcomeTemplate

    @pytest.mark.parametrize("flags", list(itertools.product([False, True], repeat=3)))
    def test_sets_the_welcome_flags(self, model, flags):
        speech, intro, rules = flags
        strategy = WelcomeTemplate(WelcomeTemplate.Settings(
            welcome_speech=speech, self_introduction=intro, announce_rules=rules,
            minutes_per_newcomer=3.0))
        plan = plans(strategy, model, 1)[0]
        assert (plan.welcome_speech, plan.self_introduction, plan.rules_announced) == flags
        assert plan.welcome_minutes == 3.0
        assert plan.content_posts == 0 and plan.owner_minutes == 0.0

    def test_keeps_flags_another_strategy_set(self, model):
        plan = DayPlan(welcome_speech=True)
        WelcomeTemplate(WelcomeTemplate.Settings(welcome_speech=False)).plan(model, 0, plan)
        assert plan.welcome_speech

    @pytest.mark.parametrize("on", [True, False])
    def test_newcomers_are_welcomed_and_owner_time_follows_joins(self, on):
        strategies = {"welcome": {"minutes_per_newcomer": 2.0}} if on else {}
        model = tiny_model(strategies, days=40)
        model.run_model()
        st, data = model.state, model.recorder.data
        newcomers = np.flatnonzero(st.joined_day > 0)
        assert newcomers.size > 5
        assert np.all(st.welcomed[newcomers] == on)
        assert np.all(st.saw_rules[newcomers] == on)
        expected = data["joins"] * 2.0 if on else np.zeros_like(data["joins"])
        assert np.allclose(data["owner_minutes"], expected)
        if on:  # each welcome speech is an announcement in the chat
            assert np.all(data["msg_announcement"] >= data["joins"])
