"""The channel network as a networkx graph, written as GEXF (Gephi) or GraphML.

One node per channel (collected or only referred to), one directed edge per (source, target,
type), keyed by its type so forward, mention and link edges between the same two channels stay
apart. Times are ISO 8601 strings (UTC); absent values are empty strings, since neither format
has a null.
"""

from __future__ import annotations

from pathlib import Path

import networkx as nx

from watchfloor.analytics.network import ChannelNetwork, Lead
from watchfloor.store.times import iso_utc

FORMATS = ("gexf", "graphml")


def to_networkx(network: ChannelNetwork) -> nx.MultiDiGraph:
    graph = nx.MultiDiGraph(name="watchfloor channel network")
    leads = {lead.key: lead for lead in network.leads()}
    for node in sorted(network.nodes.values(), key=lambda n: n.key):
        lead = leads.get(node.key)
        graph.add_node(
            node.key,
            label=node.label,
            kind=node.kind,
            collected=node.collected,
            attribution=node.attribution or "",
            posts=node.posts,
            lead_channels=lead.channels if isinstance(lead, Lead) else 0,
        )
    for edge in network.sorted_edges():
        graph.add_edge(
            edge.source,
            edge.target,
            key=edge.type,
            id=edge.id,
            label=edge.type,
            relation=edge.type,  # not "type": GEXF reads that as directed/undirected
            weight=edge.count,
            first=iso_utc(edge.first) or "",
            last=iso_utc(edge.last) or "",
        )
    return graph


def write_network(network: ChannelNetwork, path: Path, fmt: str) -> nx.MultiDiGraph:
    """Writes the file; returns the graph written."""
    if fmt not in FORMATS:
        raise ValueError(f"unknown format {fmt!r}: choose one of {', '.join(FORMATS)}")
    graph = to_networkx(network)
    if fmt == "gexf":
        nx.write_gexf(graph, path)
    else:
        nx.write_graphml(graph, path)
    return graph
