"""Media references in Telegram Desktop exports, including the placeholders for files not exported."""

from __future__ import annotations

from watchfloor.records import MediaRef

# tdesktop writes e.g. "(File not included. Change data exporting settings to download.)",
# "(File unavailable, please try again later)" or "(File exceeds maximum size. ...)".
PLACEHOLDER_PREFIX = "(File "
_MEDIA_KEYS = ("photo", "file", "thumbnail", "contact_vcard")


def is_placeholder(value: str) -> bool:
    return value.startswith(PLACEHOLDER_PREFIX) and value.endswith(")")


def media_ref(
    role: str, value: object, mime: object = None, size: object = None
) -> MediaRef | None:
    if not isinstance(value, str) or not value:
        return None
    mime_hint = mime if isinstance(mime, str) else None
    size_hint = size if isinstance(size, int) else None
    if is_placeholder(value):
        return MediaRef(
            role, value, status="missing", note=value, mime_hint=mime_hint, size_hint=size_hint
        )
    return MediaRef(role, value, mime_hint=mime_hint, size_hint=size_hint)


def json_media_refs(msg: dict) -> tuple[MediaRef, ...]:
    if not any(key in msg for key in _MEDIA_KEYS):
        return ()  # most messages: skip building four refs that would all be None
    refs = (
        media_ref("photo", msg.get("photo"), "image/jpeg", msg.get("photo_file_size")),
        media_ref(
            _media_type(msg.get("media_type")),
            msg.get("file"),
            msg.get("mime_type"),
            msg.get("file_size"),
        ),
        media_ref("thumbnail", msg.get("thumbnail"), None, msg.get("thumbnail_file_size")),
        media_ref(
            "contact_vcard",
            msg.get("contact_vcard"),
            "text/vcard",
            msg.get("contact_vcard_file_size"),
        ),
    )
    return tuple(r for r in refs if r is not None)


def _media_type(value: object) -> str:
    return value if isinstance(value, str) and value else "file"
