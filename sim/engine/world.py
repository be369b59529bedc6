"""The world around a group: a population with traits on a social graph (W1, W4).

networkx builds the graph (every generator gets the run's seed); the daily cycle
uses a CSR adjacency (``scipy.sparse``) made once from it. Traits are drawn from the
world's own random stream, so arms of a comparison share the same people.

networkx and scipy are imported where a graph is built, not with the module: reading
a scenario (``commsim check``) needs the declarations here and not them (a quarter
of a second).
"""

from __future__ import annotations

import csv
import itertools
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from sim.params import Param, section_model

if TYPE_CHECKING:
    import networkx as nx
    import scipy.sparse as sp

NETWORK_KINDS = ("powerlaw_cluster", "small_world", "random", "stochastic_block", "edgelist")

NETWORK_PARAMS: tuple[Param, ...] = (
    Param("kind", "powerlaw_cluster", "how friendships are laid out", "",
          choices=NETWORK_KINDS),
    Param("mean_degree", 8.0, "average number of friends per person", "friends", 1.0, 500.0),
    Param("triangles", 0.3, "powerlaw_cluster: chance a new tie closes a triangle",
          "share 0-1", 0.0, 1.0),
    Param("rewire", 0.1, "small_world: share of ties rewired at random", "share 0-1", 0.0, 1.0),
    Param("blocks", 5, "stochastic_block: number of sub-communities", "blocks", 1, 1000),
    Param("mixing", 0.05, "stochastic_block: share of a person's ties that cross blocks",
          "share 0-1", 0.0, 1.0),
    Param("path", "", "edgelist: CSV file of 'source,target' rows (relative to the scenario "
          "file); nodes are renumbered 0..n-1 and the population size follows the file", ""),
)

TRAIT_PARAMS: tuple[Param, ...] = (
    Param("fit_mean", 0.5, "average fit of a person with the group's topic", "share 0-1",
          0.01, 0.99),
    Param("fit_concentration", 4.0, "how alike people's fit is (Beta concentration)", "",
          0.1, 1000.0),
    Param("money_sensitivity_mean", 0.3, "average sensitivity to money, coupons and gifts",
          "share 0-1", 0.01, 0.99),
    Param("sociability_spread", 2.1659, "spread of how much people talk (log-normal sigma); "
          "larger means a few talk most", "sigma", 0.0, 4.0),
    Param("spammer_share", 0.01, "share of people who would use the group to advertise",
          "share 0-1", 0.0, 1.0),
    Param("hunter_share", 0.03, "share of people who join groups for red envelopes",
          "share 0-1", 0.0, 1.0),
    Param("lurker_share", 0.796, "share of people who read but would rarely post",
          "share 0-1", 0.0, 1.0),
    Param("chat_taste_mean", 0.5, "average taste for off-topic talk (greetings, small talk, "
          "personal chat) against the group's topic: 0 only the topic, 1 only chat",
          "share 0-1", 0.01, 0.99),
    Param("chat_taste_concentration", 4.0, "how alike people's taste for off-topic talk is "
          "(Beta concentration)", "", 0.1, 1000.0),
    Param("silent_share", 0.783, "share of people who read a group but never write in it "
          "(advertisers excepted): most members of real groups never post; 0 leaves voice "
          "to sociability alone",
          "share 0-1", 0.0, 1.0),
)

Network = section_model("Network", NETWORK_PARAMS, "The social graph around the group.",
                        module=__name__)
Traits = section_model("Traits", TRAIT_PARAMS, "How the traits of people are distributed.",
                       module=__name__)


@dataclass
class World:
    """Population traits and social graph of one run.

    Attributes
    ----------
    adjacency
        CSR adjacency of the social graph, used in the daily cycle; nodes are
        ``0..n-1`` (the person's row).
    fit, money_sensitivity, sociability, spam_propensity
        Traits per person (arrays of length n).
    natural_role
        Role code a person takes on joining as an ordinary participant
        (member, lurker, spammer or hunter).
    silent
        Whether a person never writes in the group (reads, grabs, stays or leaves, but
        posts, replies, thanks and sends nothing): the zero of a zero-inflated voice.
    chat_taste
        Taste for off-topic talk against the group's topic (0-1): what a person writes
        when they start something, and whether small talk they read is a pleasure
        (bonds) or a cost (attention spent on what they did not come for).
    clustering
        Local clustering coefficient per person: how much their friends know each
        other (used for T4: joining is likelier in a cohesive circle).
    """

    adjacency: sp.csr_array
    fit: np.ndarray
    money_sensitivity: np.ndarray
    sociability: np.ndarray
    spam_propensity: np.ndarray
    natural_role: np.ndarray
    clustering: np.ndarray
    silent: np.ndarray
    chat_taste: np.ndarray

    @cached_property
    def graph(self) -> nx.Graph:
        """The social graph as a networkx graph, for analysis and export.

        Rebuilt from the adjacency on first use: the generator's own graph is dropped
        once the adjacency is made, because at 100,000+ people it is the largest
        object of a run.
        """
        import networkx as nx
        import scipy.sparse as sp

        upper = sp.triu(self.adjacency).tocoo()
        graph = nx.Graph()
        graph.add_nodes_from(range(self.size))
        graph.add_edges_from(zip(upper.row.tolist(), upper.col.tolist(), strict=True))
        return graph

    @property
    def size(self) -> int:
        """Number of persons."""
        return int(self.fit.size)

    def degree(self) -> np.ndarray:
        """Number of friends per person."""
        return np.diff(self.adjacency.indptr)


def build_graph(size: int, network, seed: int, base_dir: Path | None = None) -> nx.Graph:
    """Make the social graph for ``size`` people with the run's ``seed``."""
    import networkx as nx

    kind = network.kind
    k = network.mean_degree
    if kind == "powerlaw_cluster":
        m = max(1, min(size - 1, round(k / 2)))
        return nx.powerlaw_cluster_graph(size, m, network.triangles, seed=seed)
    if kind == "small_world":
        ring = max(2, min(size - 1, 2 * round(k / 2)))
        return nx.watts_strogatz_graph(size, ring, network.rewire, seed=seed)
    if kind == "random":
        return nx.fast_gnp_random_graph(size, min(1.0, k / max(1, size - 1)), seed=seed)
    if kind == "stochastic_block":
        return _block_graph(size, network, seed)
    if kind == "edgelist":
        return read_edgelist(_resolve(network.path, base_dir))
    raise ValueError(f"unknown network kind {kind!r}; expected one of {NETWORK_KINDS}")


def _block_graph(size: int, network, seed: int) -> nx.Graph:
    """Sub-communities: dense inside blocks, ``mixing`` share of ties across."""
    import networkx as nx

    blocks = max(1, min(network.blocks, size))
    sizes = [size // blocks + (1 if i < size % blocks else 0) for i in range(blocks)]
    k = network.mean_degree
    inside = (1 - network.mixing) * k / max(1, sizes[0] - 1)
    across = network.mixing * k / max(1, size - sizes[0]) if blocks > 1 else 0.0
    probs = [[min(1.0, inside if i == j else across) for j in range(blocks)]
             for i in range(blocks)]
    graph = nx.stochastic_block_model(sizes, probs, seed=seed, sparse=True)
    return nx.convert_node_labels_to_integers(graph)


def _resolve(path: str, base_dir: Path | None) -> Path:
    p = Path(path)
    if not p.is_absolute() and base_dir is not None:
        p = base_dir / p
    return p


def read_edgelist(path: Path) -> nx.Graph:
    """Read a ``source,target`` CSV (header optional) and renumber nodes 0..n-1."""
    import networkx as nx

    graph = nx.Graph()
    with open(path, newline="", encoding="utf-8") as handle:
        for i, row in enumerate(csv.reader(handle)):
            if not row or row[0].startswith("#"):
                continue
            if len(row) < 2:
                raise ValueError(f"{path}:{i + 1}: expected 'source,target', got {row!r}")
            if i == 0 and row[0].strip().lower() in {"source", "from", "u"}:
                continue
            a, b = row[0].strip(), row[1].strip()
            if a != b:
                graph.add_edge(a, b)
    if graph.number_of_nodes() < 2:
        raise ValueError(f"{path}: needs at least one edge between two people")
    return nx.convert_node_labels_to_integers(graph, ordering="sorted")


def adjacency_of(graph: nx.Graph) -> sp.csr_array:
    """CSR adjacency with sorted neighbour lists, built once per run."""
    import scipy.sparse as sp

    n = graph.number_of_nodes()
    m = graph.number_of_edges()
    edges = np.fromiter(itertools.chain.from_iterable(graph.edges()), dtype=np.int64,
                        count=2 * m).reshape(-1, 2)
    rows = np.concatenate([edges[:, 0], edges[:, 1]])
    cols = np.concatenate([edges[:, 1], edges[:, 0]])
    data = np.ones(rows.size, dtype=np.int8)
    adj = sp.csr_array((data, (rows, cols)), shape=(n, n))
    adj.sum_duplicates()
    adj.sort_indices()
    return adj


def clustering_of(adj: sp.csr_array) -> np.ndarray:
    """Local clustering coefficient from the sparse adjacency (triangles / pairs)."""
    a = adj.astype(np.float64)
    triangles = (a @ a).multiply(a).sum(axis=1) / 2.0
    degree = np.diff(adj.indptr).astype(np.float64)
    pairs = degree * (degree - 1) / 2.0
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(pairs > 0, np.asarray(triangles).ravel() / pairs, 0.0)


def _beta(rng: np.random.Generator, mean: float, concentration: float, n: int) -> np.ndarray:
    return rng.beta(mean * concentration, (1 - mean) * concentration, n)


def draw_traits(rng: np.random.Generator, n: int, traits) -> dict[str, np.ndarray]:
    """Draw every person's traits; sociability is log-normal with mean 1."""
    from agents.roles import Lurker, Member, RedEnvelopeHunter, Spammer

    fit = _beta(rng, traits.fit_mean, traits.fit_concentration, n)
    money = _beta(rng, traits.money_sensitivity_mean, 4.0, n)
    sigma = traits.sociability_spread
    sociability = rng.lognormal(-sigma * sigma / 2, sigma, n)
    kind = rng.random(n)
    role = np.full(n, Member.code, dtype=np.int8)
    cut_spam = traits.spammer_share
    cut_hunt = cut_spam + traits.hunter_share
    cut_lurk = cut_hunt + traits.lurker_share
    role[kind < cut_lurk] = Lurker.code
    role[kind < cut_hunt] = RedEnvelopeHunter.code
    role[kind < cut_spam] = Spammer.code
    spam = np.where(role == Spammer.code, 1.0, rng.beta(0.5, 40.0, n))
    # advertisers post for a living: at least an average person's rate
    sociability = np.where(role == Spammer.code, np.maximum(sociability, 1.0), sociability)
    hunters = role == RedEnvelopeHunter.code
    money[hunters] = np.maximum(money[hunters], 0.6 + 0.4 * rng.random(hunters.sum()))
    fit[hunters] *= 0.5
    silent = np.zeros(n, dtype=bool)
    if traits.silent_share > 0:  # drawn last, and only when asked: other draws stay as they were
        silent = (rng.random(n) < traits.silent_share) & (role != Spammer.code)
    # drawn after every other trait, so adding it left the others as they were
    chat_taste = _beta(rng, traits.chat_taste_mean, traits.chat_taste_concentration, n)
    return {
        "fit": fit,
        "money_sensitivity": money,
        "sociability": sociability,
        "spam_propensity": spam,
        "natural_role": role,
        "silent": silent,
        "chat_taste": chat_taste,
    }


def talk_tilt(fit: np.ndarray, chat_taste: np.ndarray, pull: float) -> np.ndarray:
    """Each person's tilt toward talking on the group's topic, in log-odds.

    ``pull x (logit fit - logit chat taste)``: a person who fits the topic well talks
    about it; one whose taste runs to small talk chats (Ren, Kraut & Kiesler 2007:
    attachment to a group's purpose or to its people). 0 when fit equals taste.
    """
    f = np.clip(fit, 1e-6, 1 - 1e-6)
    c = np.clip(chat_taste, 1e-6, 1 - 1e-6)
    return pull * (np.log(f / (1 - f)) - np.log(c / (1 - c)))


def build_world(population, seed: int, base_dir: Path | None = None) -> World:
    """Make the world of one run from the scenario's ``population`` section."""
    graph_seed, trait_seed = np.random.SeedSequence(seed).generate_state(2)
    adj = adjacency_of(build_graph(population.size, population.network, int(graph_seed),
                                   base_dir))
    rng = np.random.default_rng(int(trait_seed))
    traits = draw_traits(rng, adj.shape[0], population.traits)
    return World(adjacency=adj, clustering=clustering_of(adj), **traits)
