"""The in-memory chats, messages and media that the exporters write out."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any

from watchfloor.demo.texts import Text


@dataclass(frozen=True)
class Peer:
    name: str
    peer_id: str  # "channel123" / "user123"


@dataclass(eq=False)
class Media:
    """A photo or document attached to a message, plus where/whether it lands on disk."""

    kind: str  # "photo" | "file"
    data: bytes | None = None
    width: int | None = None
    height: int | None = None
    file_name: str | None = None
    mime_type: str | None = None
    media_type: str | None = None
    duration: int | None = None
    size: int | None = None
    path: str | None = None  # forced reference (placeholder / hostile path)
    write: bool = True  # False: referenced but absent on disk
    disk_data: bytes | None = None  # written instead of ``data`` (truncated download)
    thumb: bytes | None = None
    thumb_size: tuple[int, int] | None = None
    family: str | None = None  # ground truth: which original image this derives from
    variant: str | None = None

    @property
    def declared_size(self) -> int | None:
        if self.size is not None:
            return self.size
        return len(self.data) if self.data is not None else None


@dataclass(eq=False)
class Msg:
    when: datetime
    sender: Peer
    text: Text = ()
    media: Media | None = None
    forward_of: Msg | None = None
    forwarded_from: str | None = None
    reply_to: Msg | None = None
    edited: datetime | None = None
    action: str | None = None
    action_fields: tuple[tuple[str, Any], ...] = ()
    id: int | str = 0  # a str id is a deliberately malformed one and is kept as is


@dataclass(eq=False)
class Chat:
    slug: str
    name: str
    chat_type: str
    bare_id: int
    username: str | None = None
    media_prefix: str = ""
    messages: list[Msg] = field(default_factory=list)
    files: dict[str, bytes] = field(default_factory=dict)

    @property
    def peer(self) -> Peer:
        is_channel = "channel" in self.chat_type or "supergroup" in self.chat_type
        return Peer(self.name, f"{'channel' if is_channel else 'chat'}{self.bare_id}")

    def post(
        self,
        when: datetime,
        text: Text = (),
        media: Media | None = None,
        *,
        sender: Peer | None = None,
        reply_to: Msg | None = None,
        edited: datetime | None = None,
        forward_of: Msg | None = None,
        forwarded_from: str | None = None,
    ) -> Msg:
        msg = Msg(
            when=when,
            sender=sender or self.peer,
            text=text,
            media=media,
            forward_of=forward_of,
            forwarded_from=forwarded_from,
            reply_to=reply_to,
            edited=edited,
        )
        self.messages.append(msg)
        return msg

    def service(
        self, when: datetime, action: str, *fields: tuple[str, Any], actor: Peer | None = None
    ) -> Msg:
        msg = Msg(when=when, sender=actor or self.peer, action=action, action_fields=fields)
        self.messages.append(msg)
        return msg

    def announce_creation(self, when: datetime) -> Msg:
        return self.service(when, "create_channel", ("title", self.name))

    def forward(self, original: Msg, when: datetime) -> Msg:
        media = clone_media(original.media, "forward") if original.media else None
        return self.post(
            when, original.text, media, forward_of=original, forwarded_from=original.sender.name
        )


def clone_media(media: Media, variant: str) -> Media:
    """A copy for another message; skipped-file placeholders stay placeholders."""
    placeholder = media.path if media.path and media.path.startswith("(") else None
    return replace(media, path=placeholder, write=True, disk_data=None, variant=variant)


def thumb_path(photo_path: str) -> str:
    return photo_path.removesuffix(".jpg") + "_thumb.jpg"
