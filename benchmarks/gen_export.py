"""A synthetic, deterministic Telegram Desktop single-chat export (``result.json``) of N messages.

The layout follows what Telegram Desktop's JSON writer produces for a public channel
("Export chat history"): a root object with ``name``, ``type``, ``id`` and ``messages``, one-space
indentation, UTF-8 written as is, fields in tdesktop's order (``id``, ``type``, ``date``,
``date_unixtime``, ``edited``, ``from``, ``from_id``, ``forwarded_from``, ``reply_to_message_id``,
media, ``text``, ``text_entities``). The mix:

* about 5% service messages (``create_channel`` first, then ``pin_message``,
  ``edit_group_title``, ``edit_group_photo``) with an empty ``text``;
* about 10% photos that were not exported (the ``"(File not included. ...)"`` placeholder, with
  ``photo_file_size``/``width``/``height``; no media files exist);
* about 30% of texts formatted, i.e. a list of strings and entity objects (hashtag, link, mention,
  bold, text_link), the rest plain strings; ``text_entities`` always present;
* some forwards, replies and edits; texts of 20-600 characters, about a quarter in Arabic.

Content is benign, news-like filler. The same (n, seed) always gives the same bytes. Messages are
written one at a time, so memory stays flat however large N is.

    .venv/bin/python benchmarks/gen_export.py 200000 [--seed 7] [--out path/result.json]

Without ``--out`` the file is cached as /tmp/watchfloor-bench/export-n<N>-s<seed>-v<V>/result.json
and only generated when missing.
"""

import argparse
import json
import os
import random
import sys
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

FORMAT_VERSION = 1  # bump when the generated content changes, so cached files are regenerated
CACHE_DIR = Path("/tmp/watchfloor-bench")
PLACEHOLDER = "(File not included. Change data exporting settings to download.)"
START_UNIXTIME = 1_609_459_200  # 2021-01-01T00:00:00Z
CHANNEL_NAME = "Watchfloor Bench News"

SERVICE_SHARE = 0.05
PHOTO_SHARE = 0.10
FORMATTED_SHARE = 0.30
ARABIC_SHARE = 0.25
FORWARD_SHARE = 0.08
REPLY_SHARE = 0.06
EDIT_SHARE = 0.10

ENGLISH = [
    "The city council approved the new budget for public libraries on Tuesday.",
    "Light rain is expected in the northern districts tomorrow morning.",
    "The local football club won its third match in a row last night.",
    "A new bridge across the river will open to traffic next month.",
    "Farmers report a good harvest of wheat and barley this season.",
    "The museum extends its opening hours during the summer holidays.",
    "Train services on the coastal line resume after maintenance work.",
    "Students can register for the autumn courses until the end of the week.",
    "The annual book fair attracted thousands of visitors on its first day.",
    "Fuel prices remained stable for the second month in a row.",
    "Volunteers planted more than five hundred trees in the old park.",
    "The weather service warns of strong winds along the coast tonight.",
    "A photography exhibition about traditional crafts opens on Friday.",
    "The hospital opened a new wing for children with forty beds.",
    "Officials say the water supply will be restored by the evening.",
    "The national orchestra announced its programme for the coming season.",
]
ARABIC = [
    "ارتفعت درجات الحرارة اليوم في معظم المدن مع توقعات بهطول أمطار خفيفة مساء الغد.",
    "افتتحت المكتبة العامة قاعة جديدة للقراءة مخصصة للأطفال والطلاب.",
    "أعلنت وزارة التعليم عن بدء التسجيل للعام الدراسي الجديد الأسبوع المقبل.",
    "شهد معرض الكتاب السنوي إقبالاً كبيراً من الزوار في يومه الأول.",
    "فاز الفريق المحلي في مباراة كرة القدم أمس بهدفين مقابل هدف واحد.",
    "تستمر أعمال صيانة الطريق الرئيسي حتى نهاية الشهر الجاري.",
    "أطلقت البلدية حملة لزراعة الأشجار في الحدائق والشوارع.",
    "استقرت أسعار الخضروات والفواكه في الأسواق المحلية هذا الأسبوع.",
    "يقام مهرجان الموسيقى التقليدية في ساحة المدينة يوم الجمعة.",
    "نشرت هيئة الأرصاد الجوية تحذيراً من رياح قوية على السواحل.",
    "بدأت الجامعة برنامجاً تدريبياً جديداً في مجال البرمجة وعلوم البيانات.",
    "سجلت حركة السياحة نمواً ملحوظاً خلال موسم الصيف.",
]
HASHTAGS = {
    "en": ["#news", "#weather", "#sports", "#culture", "#city", "#economy"],
    "ar": ["#أخبار", "#الطقس", "#رياضة", "#ثقافة", "#اقتصاد"],
}
MENTIONS = ["@citynewsdesk", "@weather_daily", "@sportsroundup", "@culture_notes"]
LINK_HOSTS = [
    "https://example.org/news/",
    "https://t.me/citynewsdesk/",
    "https://news.example.com/a/",
]
FORWARD_SOURCES = ["City News Desk", "Weather Daily", "Sports Roundup", "أخبار المدينة"]


def cached_export(n: int, seed: int = 7, cache_dir: Path = CACHE_DIR) -> Path:
    """The export for (n, seed), generated into the cache when not already there."""
    path = cache_dir / f"export-n{n}-s{seed}-v{FORMAT_VERSION}" / "result.json"
    if not path.is_file():
        write_export(path, n, seed)
    return path


def write_export(path: Path, n: int, seed: int = 7) -> None:
    """Writes atomically: a half-written file never takes the final name."""
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(f".{path.name}.{os.getpid()}.partial")
    with open(partial, "w", encoding="utf-8", newline="\n") as out:
        for chunk in export_chunks(n, seed):
            out.write(chunk)
    partial.replace(path)


def chat_id(n: int, seed: int) -> int:
    """A channel id of realistic size, distinct per (n, seed)."""
    return 1_000_000_000 + random.Random(f"chat-{n}-{seed}").randrange(1_000_000_000)


def export_chunks(n: int, seed: int = 7) -> Iterator[str]:
    """The export's text, piece by piece: a header, then one message at a time."""
    cid = chat_id(n, seed)
    yield (
        "{\n"
        f" {_s('name')}: {_s(CHANNEL_NAME)},\n"
        ' "type": "public_channel",\n'
        f' "id": {cid},\n'
        ' "messages": ['
    )
    for index, message in enumerate(messages(n, seed, cid)):
        body = json.dumps(message, ensure_ascii=False, indent=1).replace("\n", "\n  ")
        yield ("\n  " if index == 0 else ",\n  ") + body
    yield "\n ]\n}\n" if n else "]\n}\n"


def _s(value: str) -> str:
    return json.dumps(value, ensure_ascii=False)


def messages(n: int, seed: int, cid: int) -> Iterator[dict[str, Any]]:
    rng = random.Random(seed)
    message_id, unixtime, last_id = 0, START_UNIXTIME, 0
    for index in range(n):
        message_id += 1 + (rng.randint(1, 5) if rng.random() < 0.05 else 0)  # deleted ones
        unixtime += rng.randint(30, 1800)
        if index == 0:
            yield service_message(rng, message_id, unixtime, cid, "create_channel", last_id)
        elif rng.random() < SERVICE_SHARE:
            action = rng.choice(
                ["pin_message", "pin_message", "edit_group_title", "edit_group_photo"]
            )
            yield service_message(rng, message_id, unixtime, cid, action, last_id)
        else:
            yield channel_message(rng, message_id, unixtime, cid, last_id)
        last_id = message_id


def _dates(label: str, unixtime: int) -> dict[str, str]:
    local = datetime.fromtimestamp(unixtime, UTC).strftime("%Y-%m-%dT%H:%M:%S")
    return {label: local, f"{label}_unixtime": str(unixtime)}


def service_message(
    rng: random.Random, message_id: int, unixtime: int, cid: int, action: str, last_id: int
) -> dict[str, Any]:
    msg: dict[str, Any] = {"id": message_id, "type": "service", **_dates("date", unixtime)}
    msg |= {"actor": CHANNEL_NAME, "actor_id": f"channel{cid}", "action": action}
    if action in ("create_channel", "edit_group_title"):
        msg["title"] = CHANNEL_NAME
    elif action == "pin_message":
        msg["message_id"] = rng.randint(1, last_id) if last_id else message_id
    else:  # edit_group_photo
        msg |= {"photo": PLACEHOLDER, "width": 640, "height": 640}
    return msg | {"text": "", "text_entities": []}


def channel_message(
    rng: random.Random, message_id: int, unixtime: int, cid: int, last_id: int
) -> dict[str, Any]:
    msg: dict[str, Any] = {"id": message_id, "type": "message", **_dates("date", unixtime)}
    if rng.random() < EDIT_SHARE:
        msg |= _dates("edited", unixtime + rng.randint(60, 7200))
    msg |= {"from": CHANNEL_NAME, "from_id": f"channel{cid}"}
    if rng.random() < FORWARD_SHARE:
        msg["forwarded_from"] = rng.choice(FORWARD_SOURCES)
    if last_id and rng.random() < REPLY_SHARE:
        msg["reply_to_message_id"] = rng.randint(max(1, last_id - 500), last_id)
    if rng.random() < PHOTO_SHARE:
        width, height = rng.choice([(1280, 720), (1280, 960), (960, 1280), (800, 800)])
        msg |= {
            "photo": PLACEHOLDER,
            "photo_file_size": rng.randint(40_000, 400_000),
            "width": width,
            "height": height,
        }
    lang = "ar" if rng.random() < ARABIC_SHARE else "en"
    length = text_length(rng)
    if rng.random() < FORMATTED_SHARE:
        parts = formatted_parts(rng, lang, length)
        msg["text"] = parts
        msg["text_entities"] = [
            {"type": "plain", "text": p} if isinstance(p, str) else p for p in parts
        ]
    else:
        text = plain_text(rng, lang, length)
        msg["text"] = text
        msg["text_entities"] = [{"type": "plain", "text": text}]
    return msg


def text_length(rng: random.Random) -> int:
    """Mostly short posts, a long tail up to 600 characters."""
    return max(20, min(600, int(rng.lognormvariate(5.0, 0.7))))


def plain_text(rng: random.Random, lang: str, length: int) -> str:
    pool = ARABIC if lang == "ar" else ENGLISH
    text = rng.choice(pool)
    while len(text) < length:
        text += " " + rng.choice(pool)
    if len(text) > length:
        cut = text.rfind(" ", 0, length)
        text = text[: cut if cut >= min(20, length) and cut > length // 2 else length]
    return text


def formatted_parts(rng: random.Random, lang: str, length: int) -> list[Any]:
    """Strings and entity objects, the way tdesktop writes `text` once formatting is present."""
    count = rng.randint(1, 3)
    budget = max(24, length - 30 * (count + 1))  # what is left for plain text around entities
    parts: list[Any] = [plain_text(rng, lang, budget // 2) + " "]
    for _ in range(count):
        parts.append(entity(rng, lang))
        parts.append(" " + plain_text(rng, lang, max(8, budget // (2 * count))) + " ")
    parts.append(entity(rng, lang, kind="hashtag"))
    return parts


def entity(rng: random.Random, lang: str, kind: str | None = None) -> dict[str, str]:
    kind = kind or rng.choice(["hashtag", "link", "mention", "bold", "text_link"])
    if kind == "hashtag":
        return {"type": "hashtag", "text": rng.choice(HASHTAGS[lang])}
    if kind == "mention":
        return {"type": "mention", "text": rng.choice(MENTIONS)}
    url = f"{rng.choice(LINK_HOSTS)}{rng.randint(100, 99_999)}"
    if kind == "link":
        return {"type": "link", "text": url}
    words = plain_text(rng, lang, 20)
    if kind == "bold":
        return {"type": "bold", "text": words}
    return {"type": "text_link", "text": words, "href": url}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("n", type=int, help="number of messages")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--out", type=Path, help="write here (always regenerates)")
    args = parser.parse_args(argv)
    if args.n < 0:
        parser.error("n must be >= 0")
    if args.out:
        write_export(args.out, args.n, args.seed)
        path = args.out
    else:
        path = cached_export(args.n, args.seed)
    print(path)
    return 0


if __name__ == "__main__":
    sys.exit(main())
