"""Coordinated campaigns on both databases, from real exports through the real repost pipeline.

The corpus (days from 2018-01-10 12:00; channels A-F):
- wave: one poster reposted by A, B (the same file), C and D (re-encoded, resized) on days 0-3,
  all tagged #standin_wave and #news;
- a second wave of another poster by B, C, D, E on days 40-42, tagged #news;
- a poster shared by only two channels (A, B, days 10-11);
- a poster reposted weeks apart (A day 15, C day 36, D day 57);
- near-identical text (case, links and trailing tags differ) by C, D, E on days 20-21;
- E's daily bulletin tagged #news on every one of days 0-60: #news is everywhere and must not
  glue the two waves together.

Apart: a stand-in flag in three different photos naming Berlin (and a fourth naming Paris),
through the emblem and places analyzers and the targets step; and the grouping rules on their own.
"""

from __future__ import annotations

import io
import json
import random
from datetime import timedelta
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner
from PIL import Image, ImageDraw

from tests.emblem_composites import emblem_composite, save_png, stand_ins
from tests.exports import BASE, message, single_chat, write_export
from watchfloor.analytics.campaign_grouping import GroupingOptions, PostKeys, group_posts
from watchfloor.analytics.campaigns import get_campaign, list_campaigns
from watchfloor.analytics.reposts import update_repost_groups
from watchfloor.analytics.targets import rebuild_targets
from watchfloor.analyzers.crops import CropsAnalyzer
from watchfloor.analyzers.emblem import EmblemAnalyzer
from watchfloor.analyzers.pdq import PdqAnalyzer
from watchfloor.analyzers.places import PlacesAnalyzer
from watchfloor.analyzers.registry import AnalyzerRegistry
from watchfloor.cli import main
from watchfloor.ingest import ingest_paths
from watchfloor.pipeline import run_analysis
from watchfloor.vision.emblem_registry import add_emblem

CHANNELS = {name: 4000 + i for i, name in enumerate("ABCDEF")}
DAY = 1440
TEXT = "[stand-in] The garden festival opens on Saturday at the old harbour, all welcome"


def poster(seed: int) -> Image.Image:
    """A stand-in poster: coloured shapes and bars on a gradient, rich in corners."""
    rng = random.Random(seed)
    img = Image.new("RGB", (640, 480), (rng.randrange(256), 40, 90))
    draw = ImageDraw.Draw(img)
    for _ in range(40):
        x, y = rng.randrange(600), rng.randrange(440)
        w, h = rng.randrange(20, 140), rng.randrange(20, 140)
        colour = tuple(rng.randrange(256) for _ in range(3))
        shape = draw.ellipse if rng.random() < 0.5 else draw.rectangle
        shape((x, y, x + w, y + h), fill=colour, outline=(0, 0, 0), width=3)
    return img


def jpeg(img: Image.Image, scale: float = 1.0, quality: int = 90) -> bytes:
    if scale != 1.0:
        img = img.resize((int(img.width * scale), int(img.height * scale)), Image.LANCZOS)
    buf = io.BytesIO()
    img.save(buf, "JPEG", quality=quality)
    return buf.getvalue()


class Corpus:
    def __init__(self, root: Path) -> None:
        self.root = root
        self.chats: dict[str, list[dict]] = {}

    def post(self, channel: str, day: float, text: str, photo: bytes | None = None) -> None:
        chat = self.chats.setdefault(channel, [])
        fields = {}
        if photo is not None:
            folder = self.root / channel / "photos"
            folder.mkdir(parents=True, exist_ok=True)
            name = f"photos/{len(chat) + 1:04d}.jpg"
            (self.root / channel / name).write_bytes(photo)
            fields["photo"] = name
        chat.append(message(len(chat) + 1, text, minutes=int(day * DAY), **fields))

    def exports(self) -> list[Path]:
        return [
            write_export(
                self.root / name,
                single_chat(
                    sorted(msgs, key=lambda m: m["date"]),
                    chat_id=CHANNELS[name],
                    name=f"Channel {name}",
                ),
            )
            for name, msgs in self.chats.items()
        ]


def build(tmp_path: Path) -> Corpus:
    corpus = Corpus(tmp_path / "exports")
    wave, second, pair, slow = (jpeg(poster(s)) for s in (1, 2, 3, 4))
    wave_img = poster(1)
    corpus.post("A", 0, "[stand-in] new poster #standin_wave #news", wave)
    corpus.post("B", 1, "[stand-in] share it #standin_wave #news", wave)
    corpus.post("C", 2, "[stand-in] look #standin_wave #news", jpeg(wave_img, 0.8, 60))
    corpus.post("D", 3.2, "[stand-in] #standin_wave #news", jpeg(wave_img, 0.7, 55))
    second_img = poster(2)
    corpus.post("B", 40, "[stand-in] another one #news", second)
    corpus.post("C", 40.5, "[stand-in] again #news", jpeg(second_img, 0.85, 60))
    corpus.post("D", 41, "[stand-in] #news", second)
    corpus.post("E", 42, "[stand-in] seen today #news", jpeg(second_img, 0.75, 65))
    corpus.post("A", 10, "[stand-in] pair", pair)
    corpus.post("B", 11, "[stand-in] pair too", pair)
    corpus.post("A", 15, "[stand-in] slow", slow)
    corpus.post("C", 36, "[stand-in] slow again", slow)
    corpus.post("D", 57, "[stand-in] slow once more", slow)
    corpus.post("C", 20, TEXT + " #garden")
    corpus.post("D", 20.5, TEXT.upper() + " https://example.org/x")
    corpus.post("E", 21, TEXT.replace("harbour,", "harbour") + " #festival #fun")
    for day in range(61):
        corpus.post("E", day + 0.3, f"[stand-in] bulletin {day} #news")
    return corpus


def analyse(store, settings, exports: list[Path]) -> None:
    ingest_paths(store, settings, exports)
    registry = AnalyzerRegistry({"pdq": PdqAnalyzer, "crops": CropsAnalyzer})
    run_analysis(store, settings, registry)
    update_repost_groups(store, settings)


@pytest.fixture
def corpus(store, settings, tmp_path) -> Corpus:
    built = build(tmp_path)
    analyse(store, settings, built.exports())
    return built


def by_start(store) -> list:
    with store.connect() as conn:
        return sorted(list_campaigns(conn), key=lambda c: c.start)


def keys(campaign) -> list[str]:
    return [m["key"] for m in campaign.members]


def test_planted_waves_and_text_are_found_and_nothing_else(store, corpus):
    wave, text, second = by_start(store)
    assert keys(wave) == [f"telegram:{CHANNELS[c]}/1" for c in "ABCD"]
    assert [c["title"] for c in wave.channels] == [f"Channel {c}" for c in "ABCD"]
    assert wave.size == 4 and wave.start == BASE and len(wave.shared_media) == 3
    kinds = {(r["kind"], r["detail"].get("hashtag")) for r in wave.reasons}
    assert kinds == {("repost", None), ("hashtag", "#standin_wave")}
    repost = next(r for r in wave.reasons if r["kind"] == "repost")
    assert repost["detail"]["posts"] == 4 and repost["detail"]["channels"] == 4
    # #news is on every post of both waves but used daily by E: it joins nothing
    assert [c["key"] for c in second.channels] == [f"telegram:{CHANNELS[c]}" for c in "BCDE"]
    assert [r["kind"] for r in second.reasons] == ["repost"]
    assert second.size == 4
    assert [r["kind"] for r in text.reasons] == ["text"]
    assert text.reasons[0]["detail"]["text"].startswith("[stand-in] The garden festival")
    assert {m["channel"] for m in text.members} == {f"telegram:{CHANNELS[c]}" for c in "CDE"}


def test_ids_are_stable_across_runs_and_as_a_campaign_grows(store, settings, corpus, tmp_path):
    before = {c.id: c for c in by_start(store)}
    assert {c.id for c in by_start(store)} == set(before)
    assert all(c.id.startswith("campaign:") and len(c.id) == 25 for c in before.values())
    late = Corpus(tmp_path / "late")
    late.post("F", 5, "[stand-in] late copy #standin_wave", jpeg(poster(1)))
    analyse(store, settings, late.exports())
    after = {c.id: c for c in by_start(store)}
    assert set(after) == set(before)
    wave = min(after.values(), key=lambda c: c.start)
    assert wave.size == 5 and wave.members[-1]["channel"] == f"telegram:{CHANNELS['F']}"
    with store.connect() as conn:
        assert get_campaign(conn, wave.id.removeprefix("campaign:")).size == 5


def test_since_until_and_limit_select_by_activity(store, corpus):
    since = BASE + timedelta(days=30)
    with store.connect() as conn:
        later = list_campaigns(conn, since=since)
        early = list_campaigns(conn, until=since)
        newest = list_campaigns(conn, limit=1)
    assert [len(c.channels) for c in later] == [4] and later[0].start == BASE + timedelta(days=40)
    assert [c.start.date().isoformat() for c in early] == ["2018-01-30", "2018-01-10"]
    assert [c.id for c in newest] == [later[0].id]


def test_cli_lists_and_shows(store, settings, corpus):
    args = ["--workspace", str(settings.workspace), "--db", settings.db_url, "campaigns"]
    runner = CliRunner()
    listed = runner.invoke(main, [*args, "--json", "--limit", "2"])
    assert listed.exit_code == 0, listed.output
    found = json.loads(listed.output)
    assert [c["size"] for c in found] == [4, 3]
    shown = runner.invoke(main, [*args, "show", found[0]["id"], "--json"])
    assert shown.exit_code == 0 and json.loads(shown.output)["members"] == found[0]["members"]
    text = runner.invoke(main, [*args, "--since", "2018-02-01"])
    assert text.exit_code == 0 and "repost" in text.output
    missing = runner.invoke(main, [*args, "show", "campaign:0000000000000000"])
    assert missing.exit_code == 1


def _post(key: str, channel: str, day: float, *reasons: str) -> PostKeys:
    return PostKeys(key, channel, day * 86400, reasons)


def test_grouping_needs_three_channels_within_the_window():
    posts = [
        _post("a1", "a", 0, "repost:x"),
        _post("a2", "a", 1, "repost:x"),
        _post("b1", "b", 2, "repost:x"),  # x: two channels only
        _post("a3", "a", 0, "hashtag:y"),
        _post("b2", "b", 8, "hashtag:y"),  # y: 8 days after the first, beyond a 7-day window
        _post("c1", "c", 9, "hashtag:y"),
    ]
    assert group_posts(posts) == []
    wider = GroupingOptions(window=timedelta(days=9), max_span=timedelta(days=27))
    (group,) = group_posts(posts, wider)
    assert [m.key for m in group.members] == ["a3", "b2", "c1"]


def test_a_key_used_all_year_links_only_its_bursts():
    rng = random.Random(5)
    posts = [
        _post(f"p{i}", f"c{rng.randrange(6)}", rng.uniform(0, 730), "hashtag:routine")
        for i in range(150)  # about one every 5 days: chance triples within a week abound
    ]
    assert group_posts(posts) == []
    burst = [_post(f"b{i}", f"c{i}", 300 + i / 4, "hashtag:routine") for i in range(8)]
    (group,) = group_posts(posts + burst)
    assert {m.key for m in burst} <= {m.key for m in group.members}


def test_a_hashtag_in_most_posts_is_ignored():
    posts = [_post(f"p{i}", f"c{i % 5}", i / 10, "hashtag:news") for i in range(40)]
    small = GroupingOptions(hashtag_max_share=0.5, hashtag_min_ceiling=10)
    assert group_posts(posts, small) == []
    assert len(group_posts(posts)) == 1  # below the floor of 200 posts it still counts


def test_an_emblem_at_the_same_target_groups_different_photos(store, settings, tmp_path):
    flag = stand_ins()[0]
    with store.begin() as conn:
        path = save_png(flag.image, tmp_path / "flag.png")
        add_emblem(conn, store.media, path, label=flag.label, kind="flag")
    corpus = Corpus(tmp_path / "exports")
    posts = [("A", 0, "Berlin"), ("B", 1, "Berlin"), ("C", 1.5, "Berlin"), ("D", 1, "Paris")]
    for n, (channel, day, city) in enumerate(posts):
        photo = np.asarray(poster(10 + n))
        composite = emblem_composite(photo, flag, 0.4, 30 + n, waving=False)
        corpus.post(channel, day, f"[stand-in] seen in {city}, part {n}", composite.jpeg)
    ingest_paths(store, settings, corpus.exports())
    registry = AnalyzerRegistry({"emblem": EmblemAnalyzer, "places": PlacesAnalyzer})
    run_analysis(store, settings, registry)
    rebuild_targets(store)
    (found,) = by_start(store)
    assert {m["channel"] for m in found.members} == {f"telegram:{CHANNELS[c]}" for c in "ABC"}
    (reason,) = found.reasons
    assert reason["kind"] == "emblem_target" and reason["detail"]["emblem"] == flag.label
    assert reason["detail"]["name"] == "Berlin" and reason["detail"]["posts"] == 3
    assert [t["name"] for t in found.targets] == ["Berlin"] and found.shared_media == []


def test_the_campaigns_step_stores_what_grouping_finds(store, corpus):
    from watchfloor.analytics.campaign_store import (
        campaigns_stored,
        rebuild_campaigns,
        stored_campaign,
        stored_campaigns,
    )

    with store.connect() as conn:
        assert not campaigns_stored(conn)
    first = rebuild_campaigns(store)
    again = rebuild_campaigns(store)
    assert first.campaigns == 3 and not first.unchanged
    assert again.unchanged and again.campaigns == 3
    with store.connect() as conn:
        computed = list_campaigns(conn)
        stored = stored_campaigns(conn)
        assert campaigns_stored(conn)
        assert [c.as_dict() for c in stored] == [c.as_dict() for c in computed]
        wanted = computed[1]
        assert stored_campaign(conn, wanted.id).as_dict() == wanted.as_dict()
        assert stored_campaign(conn, wanted.id.removeprefix("campaign:")).id == wanted.id
        assert stored_campaign(conn, "campaign:0000") is None
        window = stored_campaigns(conn, since=wanted.start, until=wanted.end, limit=5)
        assert wanted.id in {c.id for c in window}
        assert [c.id for c in stored_campaigns(conn, limit=1, offset=1)] == [computed[1].id]
