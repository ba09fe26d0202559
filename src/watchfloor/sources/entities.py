"""Links, Telegram handles and invite links, @mentions and hashtags (Arabic too) found in a text."""

from __future__ import annotations

import re
from collections.abc import Iterable

from watchfloor.records import Entities

# Arabic combining marks (harakat, superscript alef) are not \w in Python but belong inside a tag.
_TAG_CHARS = r"[\w\u0610-\u061a\u064b-\u065f\u0670\u06d6-\u06ed\u200c\u200d]"
# The lookbehind comes after the '#' or '@' (and looks back over it) so that each pattern starts
# with a literal, which the regex engine finds by a fast scan instead of trying every position.
HASHTAG_RE = re.compile(rf"#(?<![\w&]#)({_TAG_CHARS}*[^\W\d_]{_TAG_CHARS}*)")
MENTION_RE = re.compile(r"@(?<![\w@.]@)([A-Za-z][A-Za-z0-9_]{3,31})\b")
URL_RE = re.compile(
    r"\b(?:https?://|www\.)[^\s<>\"'«»]+|\b(?:t\.me|telegram\.me|telegram\.dog)/[^\s<>\"'«»]+", re.I
)
TME_RE = re.compile(
    r"^(?:https?://)?(?:www\.)?(?:t\.me|telegram\.me|telegram\.dog)/"
    r"(?:(?P<invite>joinchat/[\w-]+|\+[\w-]+)|(?:s/)?(?P<handle>[A-Za-z][A-Za-z0-9_]{3,31})\b)",
    re.I,
)
_TRAILING_PUNCT = ".,;:!?)]}'\"…،؛؟"
_MARKED_KINDS = ("link", "text_link", "mention", "hashtag")  # a tuple: `type` may be unhashable
NO_ENTITIES = Entities()
_RESERVED_TME_PATHS = {"share", "addstickers", "addemoji", "proxy", "socks", "iv", "setlanguage"}


def clean_url(url: str) -> str:
    return url.rstrip(_TRAILING_PUNCT)


def classify_telegram_link(url: str) -> tuple[str, str] | None:
    """('invite', 'https://t.me/+abc') or ('handle', 'somechannel') for t.me links, else None."""
    m = TME_RE.match(url)
    if not m:
        return None
    if m.group("invite"):
        return "invite", "https://t.me/" + m.group("invite")
    handle = m.group("handle")
    if handle.lower() in _RESERVED_TME_PATHS:
        return None
    return "handle", handle.lower()


def _unique(items: list[str]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(i for i in items if i)) if items else ()


def extract_entities(text: str, marked: Iterable[dict] = ()) -> Entities:
    """Entities from the plain text, merged with those the source marked up itself.

    `marked` takes Telegram `text_entities` objects (`{"type": "text_link", "href": ...}`);
    hidden links (text_link) are only visible there.
    """
    # Most texts hold none of these: a substring test is far cheaper than each regex.
    links = _links_in(text)
    mentions = [m.lower() for m in MENTION_RE.findall(text)] if "@" in text else []
    hashtags = HASHTAG_RE.findall(text) if "#" in text else []
    for ent in marked:
        kind = ent.get("type") if isinstance(ent, dict) else None
        if kind not in _MARKED_KINDS:
            continue
        value = ent.get("href") or ent.get("text") or ""
        if kind in ("link", "text_link") and value:
            links.append(clean_url(value))
        elif kind == "mention" and value.startswith("@"):
            mentions.append(value[1:].lower())
        elif kind == "hashtag" and value.startswith("#"):
            hashtags.append(value[1:])
    if not (links or mentions or hashtags):
        return NO_ENTITIES
    handles, invites = [], []
    for url in links:
        found = classify_telegram_link(url)
        if found and found[0] == "invite":
            invites.append(found[1])
        elif found:
            handles.append(found[1])
    return Entities(
        links=_unique(links),
        telegram_handles=_unique(handles + mentions),
        invite_links=_unique(invites),
        mentions=_unique(mentions),
        hashtags=_unique(hashtags),
    )


def _links_in(text: str) -> list[str]:
    """The URLs in the text; the regex only runs when a substring test finds a hint of one."""
    lowered = text.lower()
    if "://" in text or "www." in lowered or "t.me" in lowered or "telegram." in lowered:
        return [clean_url(u) for u in URL_RE.findall(text)]
    return []
