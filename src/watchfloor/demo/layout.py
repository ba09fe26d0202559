"""Final touches before export: message ids, media file names, HTML thumbnails."""

from __future__ import annotations

import random
from datetime import datetime

from watchfloor.demo import raster
from watchfloor.demo.clock import local
from watchfloor.demo.model import Chat, Media, thumb_path


def photo_stamp(moment: datetime) -> str:
    return local(moment).strftime("%d-%m-%Y_%H-%M-%S")


def unique_name(taken: dict[str, bytes], path: str) -> str:
    """Telegram-style de-duplication: ``name.ext``, ``name (1).ext``, ..."""
    stem, dot, ext = path.rpartition(".")
    candidate, n = path, 0
    while candidate in taken:
        n += 1
        candidate = f"{stem} ({n}){dot}{ext}"
    return candidate


def _number_messages(chat: Chat, rng: random.Random) -> None:
    """Ids in time order, with the occasional gap a deleted message leaves."""
    next_id = 1
    for msg in chat.messages:
        if not isinstance(msg.id, str):
            msg.id = next_id
        next_id += 1 + (rng.randrange(1, 4) if rng.random() < 0.05 else 0)


def _add_thumbnail(chat: Chat, media: Media, data: bytes, path: str) -> None:
    thumb = raster.thumbnail(raster.decode(data))
    media.thumb, media.thumb_size = raster.encode_jpeg(thumb, 70), thumb.size
    chat.files[thumb_path(path)] = media.thumb


def _lay_out_media(chat: Chat, *, thumbs: bool) -> None:
    """Give each attachment its export path and put the files it writes in ``chat.files``."""
    photo_no = 0
    for msg in chat.messages:
        media = msg.media
        if media is None or media.path is not None:
            continue
        if media.kind == "photo":
            photo_no += 1
            path = f"{chat.media_prefix}photos/photo_{photo_no}@{photo_stamp(msg.when)}.jpg"
        else:
            path = unique_name(chat.files, f"{chat.media_prefix}files/{media.file_name}")
        media.path = path
        if media.write and media.data is not None:
            chat.files[path] = media.disk_data if media.disk_data is not None else media.data
        if thumbs and media.kind == "photo" and media.data is not None:
            _add_thumbnail(chat, media, media.data, path)


def finalize(chat: Chat, rng: random.Random, *, thumbs: bool = False) -> None:
    """Sort by time, number messages, lay out media files (with thumbnails if ``thumbs``)."""
    chat.messages.sort(key=lambda m: m.when)
    _number_messages(chat, rng)
    _lay_out_media(chat, thumbs=thumbs)
