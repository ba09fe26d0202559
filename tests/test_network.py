"""The channel network on both databases: forwards, mentions and links resolved to collected
channels, discovery leads, and GEXF/GraphML that read back."""

from __future__ import annotations

import json
from datetime import timedelta

import networkx as nx
import pytest
from click.testing import CliRunner

from tests.exports import BASE, message, single_chat, write_export
from watchfloor.analytics.network import build_network
from watchfloor.cli import main
from watchfloor.ingest import ingest_paths

OUTLET, RELAY, ECHO = "telegram:1001", "telegram:1002", "telegram:1003"


def _fwd(n: int, minutes: int, name: str, ident: str | None = None) -> dict:
    fields = {"forwarded_from": name}
    if ident is not None:
        fields["forwarded_from_id"] = ident
    return message(n, f"[stand-in] forwarded {n}", minutes=minutes, **fields)


def _exports(tmp_path):
    outlet = [
        message(1, "[stand-in] bulletin https://t.me/standin_outlet", minutes=0),
        message(2, "[stand-in] thanks @relay_one_demo", minutes=60),
    ]
    relay = [
        _fwd(1, 10, "Stand-in Outlet", "channel1001"),
        _fwd(2, 70, "Stand-in Outlet"),  # by name only, as real exports give it
        _fwd(3, 80, "Hidden Source", "channel555"),
        _fwd(4, 90, "A Person", "user77"),
        message(5, "[stand-in] see @ghost_channel and https://t.me/ghost_channel/12", minutes=100),
        message(6, "[stand-in] join https://t.me/+AbcDef123", minutes=110),
        message(7, "[stand-in] again @Ghost_Channel", minutes=2000),
    ]
    echo = [
        _fwd(1, 30, "Stand-in Outlet", "channel1001"),
        _fwd(2, 40, "Hidden Source", "channel555"),
        message(3, "[stand-in] via @ghost_channel", minutes=50),
    ]
    return [
        write_export(tmp_path / "outlet", single_chat(outlet)),
        write_export(tmp_path / "relay", single_chat(relay, chat_id=1002, name="Relay One")),
        write_export(tmp_path / "echo", single_chat(echo, chat_id=1003, name="Echo Two")),
    ]


@pytest.fixture
def ingested(store, settings, tmp_path):
    ingest_paths(store, settings, _exports(tmp_path))
    return ["--workspace", str(settings.workspace), "--db", settings.db_url]


def test_forwards_mentions_and_links_become_dated_weighted_edges(store, ingested):
    with store.connect() as conn:
        net = build_network(conn)
    edges = {(e.source, e.target, e.type): e for e in net.edges.values()}
    forward = edges[(RELAY, OUTLET, "forward")]  # by id and by name: one edge, two forwards
    assert forward.count == 2
    assert forward.first == BASE + timedelta(minutes=10)
    assert forward.last == BASE + timedelta(minutes=70)
    assert edges[(ECHO, OUTLET, "forward")].count == 1
    assert edges[(RELAY, "telegram:555", "forward")].count == 1
    assert edges[(RELAY, "telegram:@ghost_channel", "mention")].count == 2  # case folded
    assert edges[(RELAY, "telegram:@ghost_channel", "link")].count == 1
    assert edges[(OUTLET, "telegram:@relay_one_demo", "mention")].count == 1
    assert (RELAY, "telegram:user77", "forward") in edges
    assert net.nodes["telegram:555"].label == "Hidden Source"
    assert net.nodes[OUTLET].collected and net.nodes[OUTLET].posts == 2


def test_leads_rank_by_referring_channels_then_references(store, ingested):
    with store.connect() as conn:
        leads = build_network(conn).leads()
    ranked = [(lead.key, lead.channels, lead.references) for lead in leads]
    assert ranked[:2] == [("telegram:@ghost_channel", 2, 4), ("telegram:555", 2, 2)]
    keys = [lead.key for lead in leads]
    assert "telegram:invite:https://t.me/+AbcDef123" in keys
    assert "telegram:user77" not in keys  # a person is not a channel to collect
    assert not any(key in keys for key in (OUTLET, RELAY, ECHO))
    ghost = leads[0]
    assert ghost.referenced_by == [RELAY, ECHO] and ghost.types == ["mention", "link"]
    assert ghost.url == "https://t.me/ghost_channel"


def test_aliases_resolve_a_channels_own_handle(store, ingested):
    with store.connect() as conn:
        net = build_network(
            conn, aliases={"standin_outlet": OUTLET, "@relay_one_demo": "Relay One"}
        )
        with pytest.raises(ValueError, match="no collected channel"):
            build_network(conn, aliases={"x": "telegram:999"})
    edges = {(e.source, e.target, e.type) for e in net.edges.values()}
    assert (OUTLET, RELAY, "mention") in edges
    assert not any(t == OUTLET and s == OUTLET for s, t, _ in edges)  # no self-loops
    assert "telegram:@relay_one_demo" not in [lead.key for lead in net.leads()]


def _run(ws: list[str], *args: str, code: int = 0) -> str:
    result = CliRunner().invoke(main, [*ws, "network", *args], env={"COLUMNS": "200"})
    assert result.exit_code == code, result.output
    return result.stdout


def test_network_commands(ingested):
    data = json.loads(_run(ingested, "--json"))
    assert {e["type"] for e in data["edges"]} == {"forward", "mention", "link"}
    assert all(e["first"] <= e["last"] for e in data["edges"])
    leads = json.loads(_run(ingested, "leads", "--json", "--limit", "1"))
    assert [lead["key"] for lead in leads] == ["telegram:@ghost_channel"]
    text = _run(ingested, "leads")
    assert "@ghost_channel" in text and "Hidden Source" in text
    assert "Relay One" in _run(ingested)
    _run(ingested, "--alias", "no-equals-sign", "leads", code=2)


@pytest.mark.parametrize("fmt", ["gexf", "graphml"])
def test_export_reads_back(ingested, tmp_path, fmt):
    out = tmp_path / f"net.{fmt}"
    assert "wrote" in _run(ingested, "export", "--format", fmt, "-o", str(out))
    graph = nx.read_gexf(out) if fmt == "gexf" else nx.read_graphml(out)
    assert graph.is_directed() and graph.is_multigraph()
    assert graph.nodes[OUTLET]["label"] == "Stand-in Outlet"
    assert graph.nodes["telegram:@ghost_channel"]["collected"] in (False, "false")
    forward = graph.get_edge_data(RELAY, OUTLET)["forward"]
    assert int(forward["weight"]) == 2 and forward["first"].startswith("2018-01-10")
    assert set(graph.get_edge_data(RELAY, "telegram:@ghost_channel")) == {"mention", "link"}


def test_a_real_export_forward_becomes_a_lead(store, settings, telegram_exports):
    path = telegram_exports / "tkonverter_synthetic" / "result_personal.json"
    ingest_paths(store, settings, [path])
    with store.connect() as conn:
        leads = {lead.key: lead for lead in build_network(conn).leads()}
    assert leads["telegram:500"].label == "Channel News"
