"""Alerts end to end: exports dropped into a folder, `watch --once` ingests and analyses them and
the shipped example rules fire exactly the expected alerts with their evidence. The scenario:
an official outlet silent for four months then resuming, a supporter surge, a photo of a
stand-in flag at Sacré-Cœur reposted across channels, and a threat naming Lyon."""

from __future__ import annotations

import hashlib
import importlib.util
import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from tests.emblem_composites import emblem_composite, load_photo, save_png, stand_ins
from tests.exports import BASE, message, single_chat, write_export
from tests.reference import LANDMARKS, need_path
from watchfloor.alerts.rules import example_rules_path, load_rules
from watchfloor.alerts.state import list_alerts
from watchfloor.alerts.watch import WatchOptions, watch
from watchfloor.cli import main
from watchfloor.text.outlets import Outlet, add_outlet
from watchfloor.vision.emblem_registry import add_emblem
from watchfloor.vision.gallery import Place, add_images

OUTLET = "Northwind Media Office"
SACRE_COEUR = ("Sacré-Cœur Basilica", "Paris", "France", 48.8867, 2.3431)
QUIET, RESUMED, SURGE, PHOTO = 50, 170, 176, 172  # days after BASE
THREAT = "Wait for us in Lyon, the day of reckoning for your city is near."


def at(day: int, k: int = 0) -> int:
    return day * 1440 + 60 + 7 * k


class Chat:
    def __init__(self, chat_id: int, name: str) -> None:
        self.chat_id, self.name, self.messages = chat_id, name, []

    def post(self, day: int, text: str, k: int = 0, **fields) -> None:
        n = len(self.messages) + 1
        self.messages.append(message(n, text, minutes=at(day, k), **fields))

    def write(self, root: Path, photo: bytes) -> Path:
        folder = root / f"chat{self.chat_id}"
        (folder / "photos").mkdir(parents=True, exist_ok=True)
        (folder / "photos" / "flag.jpg").write_bytes(photo)
        write_export(folder, single_chat(self.messages, chat_id=self.chat_id, name=self.name))
        return folder


def scenario() -> list[Chat]:
    outlet, relay = Chat(1001, OUTLET), Chat(1002, "Lantern Relay")
    echo, signal = Chat(1003, "Harbor Echo"), Chat(1004, "Quiet Signal")
    for day in [*range(QUIET + 1), *range(RESUMED, 186)]:
        outlet.post(day, f"{OUTLET}: bulletin for day {day}")
    outlet.post(PHOTO, "Our banner in Paris", k=1, photo="photos/flag.jpg")
    for day in range(186):
        burst = 12 if SURGE <= day < SURGE + 4 else 1
        for k in range(burst):
            fwd = {"forwarded_from": OUTLET} if (day + k) % 4 == 0 else {}
            relay.post(day, f"relay note {day}-{k}", k, **fwd)
    for chat in (echo, signal):
        for day in range(0, 186, 5):
            chat.post(day, f"{chat.name} garden diary, day {day}")
        chat.post(PHOTO + 1, "seen today", k=3, photo="photos/flag.jpg")
    echo.post(PHOTO + 2, THREAT, k=5)
    echo.post(PHOTO + 2, "A quiet afternoon walk through Lyon's old town.", k=6)
    signal.post(PHOTO + 2, THREAT.replace("Lyon", "Manchester"), k=5)
    return [outlet, relay, echo, signal]


def landmark_photos(name: str) -> list[Path]:
    return sorted(need_path(LANDMARKS / name).glob("*.jpg"))


@pytest.fixture
def watched(store, settings, tmp_path):
    sacre = landmark_photos("sacre_coeur")
    flag = next(s for s in stand_ins() if s.label == "Arden League flag")
    photo = emblem_composite(load_photo(sacre[0]), flag, 0.3, seed=5, waving=False).jpeg
    with store.begin() as conn:
        add_images(conn, store.media, sacre[1:6], Place(*SACRE_COEUR))
        add_emblem(conn, store.media, save_png(flag.image, tmp_path / "flag.png"),
                   label=flag.label, kind="flag")  # fmt: skip
        add_outlet(conn, Outlet(OUTLET, "official", (), (), ()), "tester")
    drop = tmp_path / "drop"
    for chat in scenario():
        chat.write(drop, photo)
    rounds = []
    watch(store, settings, drop, load_rules(example_rules_path()), once=True,
          options=WatchOptions(settle=0, workers=1), on_round=rounds.append)  # fmt: skip
    return store, settings, drop, rounds, hashlib.sha256(photo).hexdigest()


def by_rule(store) -> dict[str, list]:
    out: dict[str, list] = {}
    with store.connect() as conn:
        for alert in list_alerts(conn):
            out.setdefault(alert.rule, []).append(alert)
    return out


def test_the_scenario_fires_exactly_the_expected_alerts(watched):
    store, settings, _, rounds, sha = watched
    (first,) = rounds
    assert len(first.ingested) == 4 and first.alerts is not None and not first.alerts.failed
    fired = by_rule(store)
    campaigns = fired.pop("new-campaign", [])
    assert sorted(fired) == [
        "emblem-at-landmark", "outlet-reactivated", "supporter-surge", "threat-in-france",
    ]  # fmt: skip
    (reactivated,) = fired["outlet-reactivated"]
    ev = reactivated.evidence
    assert (ev["channel"], ev["attribution"], ev["title"]) == ("telegram:1001", "official", OUTLET)
    assert ev["resumed"] == (BASE.date().fromordinal(BASE.date().toordinal() + RESUMED)).isoformat()
    assert ev["silent_days"] == RESUMED - QUIET - 1 and reactivated.severity == "high"

    (surge,) = fired["supporter-surge"]
    start = BASE.date().toordinal() + SURGE
    assert surge.evidence["channel"] == "telegram:1002"
    assert surge.evidence["attribution"] == "supporter"
    assert abs(BASE.date().fromisoformat(surge.evidence["start"]).toordinal() - start) <= 2
    assert surge.evidence["factor"] >= 3

    (emblem,) = fired["emblem-at-landmark"]
    assert emblem.subject == f"media:{sha}" and emblem.severity == "critical"
    assert [e["label"] for e in emblem.evidence["emblems"]] == ["Arden League flag"]
    assert emblem.evidence["landmark"]["landmark"] == "Sacré-Cœur Basilica"
    assert {p["channel"] for p in emblem.evidence["posts"]} == {
        "telegram:1001", "telegram:1003", "telegram:1004",
    }  # fmt: skip

    (threat,) = fired["threat-in-france"]
    assert threat.evidence["channel"] == "telegram:1003" and threat.evidence["text"] == THREAT
    assert threat.evidence["threat"]["label"] == "threat"
    assert any(p["name"] == "Lyon" for p in threat.evidence["places"])

    rule = next(r for r in first.alerts.rules if r.rule == "new-campaign")
    if importlib.util.find_spec("watchfloor.analytics.campaigns") is None:
        assert campaigns == [] and "not available" in rule.skipped
    else:  # the reposted photo at the landmark is the one campaign
        (campaign,) = campaigns
        channels = {c["key"] for c in campaign.evidence["channels"]}
        assert channels == {"telegram:1001", "telegram:1003", "telegram:1004"}
        assert {r["kind"] for r in campaign.evidence["reasons"]} >= {"repost"}
        assert campaign.evidence["shared_media"] == [sha]

    log = settings.workspace / "alerts" / "alerts.jsonl"
    sent = [json.loads(line) for line in log.read_text().splitlines()]
    assert sorted(a["rule"] for a in sent) == sorted(by_rule(store))  # one each


def test_watching_again_is_a_no_op_and_the_cli_lists_the_alerts(watched):
    store, settings, drop, _, _ = watched
    before = {a.id: (a.revision, a.count) for v in by_rule(store).values() for a in v}
    base = ["--workspace", str(settings.workspace), "--db", settings.db_url]
    runner = CliRunner()
    again = runner.invoke(main, [*base, "watch", str(drop), "--once", "--settle", "0", "--json"])
    assert again.exit_code == 0, again.output
    round_ = json.loads(again.output)
    # a new process takes the exports again; ingest's checkpoints make that a no-op
    chats = [c for source in round_["ingest"]["sources"] for c in source["chats"]]
    assert len(chats) == 4 and all(c["already_complete"] for c in chats)
    assert round_["alerts"]["new"] == 0 and round_["alerts"]["sent"] == 0
    after = {a.id: (a.revision, a.count) for v in by_rule(store).values() for a in v}
    assert after == before
    listed = json.loads(runner.invoke(main, [*base, "alerts", "--json", "--status", "new"]).output)
    assert {a["rule"] for a in listed} >= {"outlet-reactivated", "emblem-at-landmark"}
