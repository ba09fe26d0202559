"""The synthetic demo corpus: Telegram Desktop export shapes, a scenario, deliberate defects."""

from __future__ import annotations

import hashlib
import itertools
import json
import re
import subprocess
import sys
import time
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from lxml import html as lxml_html
from PIL import Image

from watchfloor.demo import generate_corpus

SEED = 2018
SINGLE_CHAT = (
    "northwind_media_office",
    "lantern_relay",
    "northwind_echoes",
    "cinder_mirror",
    "harbour_desk_news",
)
SUPPORTERS = ("lantern_relay", "northwind_echoes", "cinder_mirror")
PLACEHOLDER = "(File not included. Change data exporting settings to download.)"
DATE_RE = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}$")
TITLE_RE = re.compile(r"^\d{2}\.\d{2}\.\d{4} \d{2}:\d{2}:\d{2} UTC\+0[12]:00$")
ARABIC = re.compile(r"[\u0600-\u06ff]")


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list[Path], float]:
    parent = tmp_path_factory.mktemp("demo")
    out = parent / "corpus"
    started = time.perf_counter()
    paths = generate_corpus(out, seed=SEED)
    return out, paths, time.perf_counter() - started


@pytest.fixture(scope="module")
def out(generated: tuple[Path, list[Path], float]) -> Path:
    return generated[0]


@pytest.fixture(scope="module")
def manifest(out: Path) -> dict[str, Any]:
    return json.loads((out / "demo_manifest.json").read_text("utf-8"))


def load(out: Path, slug: str) -> dict[str, Any]:
    return json.loads((out / slug / "result.json").read_text("utf-8"))


def tree(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in root.rglob("*") if p.is_file()}


def bad_refs(manifest: dict[str, Any]) -> set[tuple[str, str]]:
    return {(b["export"], b["reference"]) for b in manifest["bad_inputs"] if b["reference"]}


def messages(doc: dict[str, Any]) -> list[dict[str, Any]]:
    return [m for m in doc["messages"] if m.get("type") == "message"]


def when(msg: dict[str, Any]) -> datetime:
    return datetime.fromtimestamp(int(msg["date_unixtime"]), UTC)


# --------------------------------------------------------------------------- API / determinism


def test_returns_one_folder_per_export(generated: tuple[Path, list[Path], float]) -> None:
    out, paths, elapsed = generated
    assert [p.name for p in paths] == [*SINGLE_CHAT, "account_export", "html_channel"]
    for path in paths:
        assert path.is_dir() and path.parent == out
        assert (path / "result.json").is_file() or (path / "messages.html").is_file()
    assert elapsed < 20, f"generation took {elapsed:.1f}s"


def test_same_seed_gives_identical_bytes(out: Path, tmp_path: Path) -> None:
    generate_corpus(tmp_path / "again", seed=SEED)
    first, second = tree(out), tree(tmp_path / "again")
    assert sorted(first) == sorted(second)
    assert [k for k in first if first[k] != second[k]] == []


def test_other_seed_and_scale_change_the_corpus(out: Path, tmp_path: Path) -> None:
    generate_corpus(tmp_path / "other", seed=7, scale=0.3)
    other = load(tmp_path / "other", "lantern_relay")
    assert other != load(out, "lantern_relay")
    assert len(other["messages"]) < len(load(out, "lantern_relay")["messages"])


def test_size_is_a_few_megabytes(out: Path) -> None:
    total = sum(len(data) for data in tree(out).values())
    assert 1_000_000 < total < 12_000_000


def test_writes_nothing_outside_out_dir(generated: tuple[Path, list[Path], float]) -> None:
    out = generated[0]
    assert [p.name for p in out.parent.iterdir()] == ["corpus"]
    root = out.resolve()
    for path in out.rglob("*"):
        assert not path.is_symlink()
        assert path.resolve().is_relative_to(root)
    # the hostile reference is only a string: nothing exists where it points
    assert not (out / "cinder_mirror" / "../../etc/passwd").exists()


def test_does_not_read_shared_data(tmp_path: Path) -> None:
    """Run the generator under an audit hook that fails on any open() under /work/shared."""
    shared = str(Path(__file__).resolve().parents[2] / "shared")
    script = (
        "import sys\n"
        "from pathlib import Path\n"
        "def hook(event, args):\n"
        "    if event == 'open' and isinstance(args[0], str) and args[0].startswith(sys.argv[1]):\n"
        "        raise RuntimeError('read shared data: ' + args[0])\n"
        "sys.addaudithook(hook)\n"
        "from watchfloor.demo import generate_corpus\n"
        "generate_corpus(Path(sys.argv[2]), seed=3, scale=0.2)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script, shared, str(tmp_path / "c")],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    assert (tmp_path / "c" / "lantern_relay" / "result.json").is_file()


def test_works_without_system_fonts(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """No DejaVu/Noto on the machine: Pillow's built-in font (basic layout, no RTL) is used."""
    from watchfloor.demo import fonts

    monkeypatch.setattr(fonts, "FONT_DIRS", ())
    fonts.font.cache_clear()
    try:
        paths = generate_corpus(tmp_path / "plain", seed=5, scale=0.2)
    finally:
        fonts.font.cache_clear()
    assert len(paths) == 7 and (tmp_path / "plain" / "html_channel" / "messages2.html").is_file()


# --------------------------------------------------------------------------- JSON shapes


@pytest.mark.parametrize("slug", SINGLE_CHAT)
def test_single_chat_export_shape(out: Path, slug: str) -> None:
    doc = load(out, slug)
    assert list(doc)[:4] == ["name", "type", "id", "messages"]
    assert doc["type"] == "public_channel"
    assert isinstance(doc["name"], str) and isinstance(doc["id"], int)
    assert len(doc["messages"]) >= 20
    for msg in doc["messages"]:
        assert msg["type"] in ("message", "service")
        assert isinstance(msg["id"], int) or msg["id"] == "not-a-number"
        assert DATE_RE.match(msg["date"]) and msg["date_unixtime"].isdigit()
        offset = datetime.fromisoformat(msg["date"]).replace(tzinfo=UTC) - when(msg)
        assert offset in (timedelta(hours=1), timedelta(hours=2))
        assert isinstance(msg["text"], str | list) and isinstance(msg["text_entities"], list)
        sender = msg.get("from_id") or msg.get("actor_id")
        assert sender == f"channel{doc['id']}"
        if "edited" in msg:
            assert msg["edited_unixtime"].isdigit() and int(msg["edited_unixtime"]) > int(
                msg["date_unixtime"]
            )
    ids = [m["id"] for m in doc["messages"] if isinstance(m["id"], int)]
    assert ids == sorted(set(ids))


def test_text_is_string_or_mixed_list_matching_entities(out: Path) -> None:
    kinds: Counter[str] = Counter()
    shapes: Counter[str] = Counter()
    for slug in SINGLE_CHAT:
        for msg in load(out, slug)["messages"]:
            text, entities = msg["text"], msg["text_entities"]
            kinds.update(e["type"] for e in entities)
            if isinstance(text, str):
                shapes["str"] += 1
                assert [e["type"] for e in entities] in ([], ["plain"])
                assert text == "".join(e["text"] for e in entities)
            else:
                shapes["list"] += 1
                assert any(isinstance(p, str) for p in text) and any(
                    isinstance(p, dict) for p in text
                )
                flat = "".join(p if isinstance(p, str) else p["text"] for p in text)
                assert flat == "".join(e["text"] for e in entities)
            for entity in entities:
                assert ("href" in entity) == (entity["type"] == "text_link")
    assert shapes["str"] > 0 and shapes["list"] > 0
    assert {"plain", "hashtag", "mention", "link", "text_link", "bold"} <= set(kinds)


def test_links_hashtags_and_languages(out: Path) -> None:
    entities = [
        e for slug in SINGLE_CHAT for m in load(out, slug)["messages"] for e in m["text_entities"]
    ]
    hashtags = {e["text"] for e in entities if e["type"] == "hashtag"}
    links = {e["text"] for e in entities if e["type"] == "link"}
    assert any(ARABIC.search(tag) for tag in hashtags)
    assert "#حملة_تجريبية" in hashtags
    assert {"https://t.me/+XyZ123", "t.me/joinchat/AbCdEf123"} <= links
    assert any(e["type"] == "mention" and e["text"].startswith("@") for e in entities)
    corpus = json.dumps([load(out, s) for s in SINGLE_CHAT], ensure_ascii=False)
    for city in (
        "London",
        "Paris",
        "Berlin",
        "Amsterdam",
        "Bruxelles",
        "New York",
        "لندن",
        "باريس",
    ):
        assert city in corpus
    for marker in ("[fiktiver Drohsatz]", "[fictieve dreigzin]", "[phrase de menace fictive]"):
        assert marker in corpus


def test_media_fields_and_placeholders(out: Path, manifest: dict[str, Any]) -> None:
    bad = bad_refs(manifest)
    seen: Counter[str] = Counter()
    for slug in SINGLE_CHAT:
        for msg in messages(load(out, slug)):
            if "photo" in msg:
                seen["photo"] += 1
                if msg["photo"] == PLACEHOLDER:
                    seen["placeholder"] += 1
                    continue
                assert msg["width"] > 0 and msg["height"] > 0
                if (slug, msg["photo"]) in bad:
                    continue
                assert re.fullmatch(
                    r"photos/photo_\d+@\d{2}-\d{2}-\d{4}_\d{2}-\d{2}-\d{2}\.jpg", msg["photo"]
                )
                path = out / slug / msg["photo"]
                assert path.stat().st_size == msg["photo_file_size"]
                with Image.open(path) as img:
                    assert img.format == "JPEG" and img.size == (msg["width"], msg["height"])
                    img.load()
            if "file" in msg:
                seen["file"] += 1
                if msg["file"] == PLACEHOLDER:
                    seen["placeholder"] += 1
                    continue
                assert msg["file"].startswith("files/")
                data = (out / slug / msg["file"]).read_bytes()
                assert len(data) == msg["file_size"]
                seen[msg["mime_type"]] += 1
                if msg["mime_type"] == "application/pdf":
                    assert data.startswith(b"%PDF-") and data.rstrip().endswith(b"%%EOF")
    assert seen["photo"] > 100 and seen["placeholder"] >= 2
    assert seen["application/pdf"] >= 1 and seen["image/png"] >= 1


def test_replies_point_at_earlier_messages(out: Path) -> None:
    replies = 0
    for slug in SINGLE_CHAT:
        doc = load(out, slug)
        by_id = {m["id"]: m for m in doc["messages"]}
        for msg in doc["messages"]:
            target = msg.get("reply_to_message_id") or msg.get("message_id")
            if target is not None:
                replies += 1
                assert target in by_id and int(by_id[target]["date_unixtime"]) <= int(
                    msg["date_unixtime"]
                )
    assert replies >= 3


# --------------------------------------------------------------------------- the scenario


def test_outlet_goes_silent_then_reactivates(out: Path, manifest: dict[str, Any]) -> None:
    times = sorted(when(m) for m in messages(load(out, "northwind_media_office")))
    gaps = [(b - a, a, b) for a, b in itertools.pairwise(times)]
    gap, before, after = max(gaps)
    assert gap >= timedelta(days=90)
    assert before < datetime(2017, 11, 1, tzinfo=UTC) < datetime(2018, 2, 1, tzinfo=UTC) < after
    assert sum(t > after for t in times) >= 5
    assert manifest["scenario"]["gap_days"] >= 90


@pytest.mark.parametrize("slug", SUPPORTERS)
def test_supporters_surge_at_the_end(out: Path, slug: str) -> None:
    times = [when(m) for m in messages(load(out, slug))]
    cutoff = datetime(2018, 2, 7, tzinfo=UTC)
    recent = sum(t >= cutoff for t in times) / 22
    earlier_days = (cutoff - min(times)).days or 1
    baseline = sum(t < cutoff for t in times) / earlier_days
    assert recent > 4 * baseline


def test_supporters_forward_the_outlet(out: Path) -> None:
    for slug in SUPPORTERS:
        forwards = [m for m in messages(load(out, slug)) if "forwarded_from" in m]
        assert forwards and {m["forwarded_from"] for m in forwards} == {"Northwind Media Office"}


def test_images_recirculate_across_channels(out: Path, manifest: dict[str, Any]) -> None:
    owners: dict[str, set[str]] = {}
    for path in out.rglob("*"):
        if path.suffix in (".jpg", ".png") and not path.stem.endswith("_thumb"):
            digest = hashlib.sha256(path.read_bytes()).hexdigest()
            owners.setdefault(digest, set()).add(path.relative_to(out).parts[0])
    shared = [o for o in owners.values() if len(o) >= 2]
    assert shared, "no byte-identical image in two exports"
    assert any({"northwind_media_office", "lantern_relay"} <= o for o in shared)
    variants = {e["variant"] for family in manifest["image_families"].values() for e in family}
    assert {"copy", "forward", "requality", "resize", "crop", "watermark", "png"} <= variants
    berlin = {e["export"] for e in manifest["image_families"]["poster_berlin"]}
    assert len(berlin) >= 4


def test_news_channel_reports_rather_than_incites(out: Path) -> None:
    texts = [
        "".join(e["text"] for e in m["text_entities"])
        for m in messages(load(out, "harbour_desk_news"))
    ]
    assert sum("monitoring groups" in t.lower() or "[demo report]" in t for t in texts) >= 5
    assert any("[تقرير بديل]" in t for t in texts)
    assert not any(t.startswith("[stand-in threat phrase]") for t in texts)


# --------------------------------------------------------------------------- bad inputs


def test_deliberate_bad_inputs(out: Path, manifest: dict[str, Any]) -> None:
    bad = {b["kind"]: b for b in manifest["bad_inputs"]}
    assert set(bad) == {"truncated_jpeg", "missing_file", "path_escape", "malformed_id"}

    truncated = out / "lantern_relay" / bad["truncated_jpeg"]["reference"]
    with pytest.raises(OSError), Image.open(truncated) as img:
        img.load()
    msg = next(
        m
        for m in load(out, "lantern_relay")["messages"]
        if m["id"] == bad["truncated_jpeg"]["message_id"]
    )
    assert msg["photo_file_size"] > truncated.stat().st_size

    missing = bad["missing_file"]["reference"]
    assert missing.startswith("photos/") and not (out / "northwind_echoes" / missing).exists()

    cinder = load(out, "cinder_mirror")["messages"]
    assert any(m.get("photo") == "../../etc/passwd" for m in cinder)
    assert sum(m["id"] == "not-a-number" for m in cinder) == 1


# --------------------------------------------------------------------------- account export


def test_account_export_shape(out: Path) -> None:
    doc = load(out, "account_export")
    assert list(doc) == ["about", "personal_information", "chats"]
    assert doc["personal_information"]["user_id"] > 0
    assert set(doc["chats"]) == {"about", "list"}
    chats = doc["chats"]["list"]
    assert [c["type"] for c in chats] == ["public_supergroup", "private_channel"]
    for index, chat in enumerate(chats, start=1):
        assert isinstance(chat["id"], int) and chat["messages"]
        for msg in chat["messages"]:
            if "photo" in msg:
                assert msg["photo"].startswith(f"chats/chat_{index}/photos/")
                assert (out / "account_export" / msg["photo"]).is_file()
    senders = {m.get("from_id", "") for m in chats[0]["messages"]}
    assert any(s.startswith("user") for s in senders)


# --------------------------------------------------------------------------- HTML export


def test_html_export(out: Path) -> None:
    root = out / "html_channel"
    pages = [
        lxml_html.fromstring((root / n).read_bytes()) for n in ("messages.html", "messages2.html")
    ]
    assert pages[0].xpath('//a[contains(@class,"pagination")]/@href') == ["messages2.html"]
    assert pages[1].xpath('//a[contains(@class,"pagination")]/@href') == ["messages.html"]
    ids, titles = [], []
    for page in pages:
        separators = page.xpath('//div[contains(@class,"service")]/@id')
        assert any(re.fullmatch(r"message-\d+", s) for s in separators)
        for div in page.xpath('//div[contains(@class,"message default clearfix")]'):
            ids.append(int(div.get("id").removeprefix("message")))
            titles += div.xpath('./div[@class="body"]/div[contains(@class,"date")]/@title')
    assert len(ids) >= 20 and ids == sorted(ids)
    assert all(TITLE_RE.match(t) for t in titles)
    doc = pages[0]
    joined = doc.xpath('//div[contains(@class,"joined")]')
    assert joined and not joined[0].xpath('./div[@class="body"]/div[@class="from_name"]')
    photos = root.glob("photos/*_thumb.jpg")
    for thumb in photos:
        assert thumb.with_name(thumb.name.replace("_thumb", "")).is_file()
    both = pages[0].xpath("//a[contains(@class,'photo_wrap')]") + pages[1].xpath(
        "//a[contains(@class,'photo_wrap')]"
    )
    assert both and all((root / a.get("href")).is_file() for a in both)
    forwarded = [p.xpath('//div[@class="forwarded body"]/div[@class="from_name"]') for p in pages]
    assert any("Northwind Media Office" in f.text_content() for group in forwarded for f in group)
    replies = [p.xpath('//div[@class="reply_to details"]/a/@onclick') for p in pages]
    assert any(re.fullmatch(r"return GoToMessage\(\d+\)", r) for group in replies for r in group)
    text = " ".join(p.text_content() for p in pages)
    assert ARABIC.search(text) and "#" in text
