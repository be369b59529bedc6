"""The population's agents, made in bulk, are what Mesa would have made one by one."""

import mesa

from agents import Outsider, Person


class Village(mesa.Model):
    """A bare Mesa model to compare the two ways of making agents."""


def test_bulk_population_matches_agents_made_one_by_one():
    bulk_model, single_model = Village(rng=1), Village(rng=1)
    bulk = Outsider.populate(bulk_model, 50)
    single = [Outsider(single_model, row) for row in range(50)]
    for made, expected in zip(bulk, single, strict=True):
        assert type(made) is Outsider and made.model is bulk_model
        assert (made.unique_id, made.row, made.pos) == (expected.unique_id, expected.row,
                                                        expected.pos)
    assert list(bulk_model.agents) == bulk
    assert list(bulk_model.agents_by_type[Outsider]) == bulk
    assert bulk_model.agent_id_counter == single_model.agent_id_counter
    # agents made afterwards, and removals, work as usual
    late = Person(bulk_model, 50)
    assert late.unique_id == single_model.agent_id_counter
    assert list(bulk_model.agents_by_type[Person]) == [late] and len(bulk_model.agents) == 51
    bulk[4].remove()
    assert bulk[4] not in bulk_model.agents and bulk[4] not in bulk_model.agents_by_type[Outsider]


def test_a_second_population_of_the_same_role_is_made_one_by_one():
    model = Village(rng=1)
    first = Outsider.populate(model, 3)
    second = Outsider.populate(model, 2)
    assert [a.unique_id for a in first + second] == [1, 2, 3, 4, 5]
    assert len(model.agents_by_type[Outsider]) == 5
