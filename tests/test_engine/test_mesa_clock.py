"""run_model() keeps Mesa's clock as stepping day by day does."""

import numpy as np

import sim

SCENARIO = "days: 12\npopulation: {size: 300}\nstrategies: {welcome: {}, content: {}}"


def clock(model):
    daily = model._default_schedule
    return model.time, model.steps, model.day, daily.next_scheduled_time, len(model._event_list)


def test_run_model_leaves_the_clock_where_stepping_does():
    scenario = sim.parse_scenario(SCENARIO)
    stepped = sim.CommunityModel(scenario, seed=4)
    for _ in range(12):
        stepped.step()
    ran = sim.CommunityModel(scenario, seed=4)
    ran.step()  # a day by hand, then the rest in one call
    ran.run_model()
    assert clock(ran) == clock(stepped) == (12.0, 12, 12, 13.0, 1)
    assert np.array_equal(ran.recorder.table, stepped.recorder.table)


def test_other_events_go_through_mesas_event_loop():
    scenario = sim.parse_scenario(SCENARIO)
    model = sim.CommunityModel(scenario, seed=4)
    seen = []

    def note_the_day():
        seen.append((model.time, model.day))

    model.schedule_event(note_the_day, at=5.5)
    model.run_model()
    assert seen == [(5.5, 5)]  # after day 5's step, before day 6's
    assert clock(model) == (12.0, 12, 12, 13.0, 1)
    plain = sim.CommunityModel(scenario, seed=4)
    plain.run_model()
    assert np.array_equal(plain.recorder.table, model.recorder.table)
