"""Synthetic demo corpus: Telegram Desktop exports for a fictional propaganda campaign.

``generate_corpus(out_dir)`` writes, under ``out_dir`` only:

* five single-chat JSON exports (``<slug>/result.json`` + ``photos/`` + ``files/``),
* one full-account JSON export (``account_export/result.json``, ``chats/chat_N/...``),
* one paginated HTML export (``html_channel/messages.html`` + ``messages2.html``),
* ``demo_manifest.json``: the ground truth (scenario dates, image families, bad inputs).

The exporter's clock is Europe-like local time (UTC+02:00 until 2017-10-29, then
UTC+01:00): ``date`` is local, ``date_unixtime`` is exact, HTML titles carry the offset.
Nothing is read from disk except system fonts; output is byte-identical per seed.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from watchfloor.demo.account_chats import build_archive, build_discussion
from watchfloor.demo.bad_inputs import inject_bad_inputs
from watchfloor.demo.channels import build_html_channel, build_news
from watchfloor.demo.html_export import html_export
from watchfloor.demo.images import ImageBank
from watchfloor.demo.json_export import account_json, chat_json, dumps
from watchfloor.demo.layout import finalize
from watchfloor.demo.manifest import MANIFEST_NAME, Exports, manifest
from watchfloor.demo.model import Chat
from watchfloor.demo.outlet import build_outlet
from watchfloor.demo.scenario import Context
from watchfloor.demo.supporters import SUPPORTERS, build_supporter, rename_cinder

EXPORT_FORMATS = {"account_export": "json-account", "html_channel": "html"}  # others: "json"
HTML_SLUG = "html_channel"


def export_format(slug: str) -> str:
    return EXPORT_FORMATS.get(slug, "json")


def build_exports(ctx: Context) -> Exports:
    """Every chat of the scenario, grouped by the export folder it is written to."""
    outlet = build_outlet(ctx)
    supporters = {spec.slug: build_supporter(ctx, spec) for spec in SUPPORTERS}
    rename_cinder(supporters["cinder_mirror"])
    inject_bad_inputs(ctx, supporters)
    exports: Exports = {outlet.slug: [outlet]}
    exports.update((slug, [chat]) for slug, chat in supporters.items())
    news = build_news(ctx)
    exports[news.slug] = [news]
    exports["account_export"] = [build_discussion(ctx), build_archive(ctx)]
    exports[HTML_SLUG] = [build_html_channel(ctx)]
    for slug, chats in exports.items():
        for chat in chats:
            finalize(chat, ctx.rng(f"ids/{chat.slug}"), thumbs=slug == HTML_SLUG)
    return exports


def export_documents(slug: str, chats: list[Chat]) -> dict[str, bytes]:
    """The export's own files (``result.json`` or the HTML pages), by name."""
    fmt = export_format(slug)
    if fmt == "html":
        return html_export(chats[0])
    if fmt == "json-account":
        return {"result.json": dumps(account_json(chats))}
    return {"result.json": dumps(chat_json(chats[0]))}


def safe_write(out_dir: Path, rel: str, data: bytes) -> Path:
    """Write ``data`` at ``out_dir/rel``; refuse anything that would land outside out_dir."""
    root = out_dir.resolve()
    target = (root / rel).resolve()
    if not target.is_relative_to(root) or target == root:
        raise ValueError(f"refusing to write outside {root}: {rel!r}")
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(data)
    return target


def write_export(out_dir: Path, slug: str, documents: dict[str, bytes], chats: list[Chat]) -> Path:
    """Replace the export folder ``out_dir/slug`` with its media files and documents."""
    root = out_dir / slug
    if root.exists():
        shutil.rmtree(root)
    for chat in chats:
        for rel, data in sorted(chat.files.items()):
            safe_write(out_dir, f"{slug}/{rel}", data)
    for name, data in documents.items():
        safe_write(out_dir, f"{slug}/{name}", data)
    return root


def generate_corpus(out_dir: Path, *, seed: int = 2018, scale: float = 1.0) -> list[Path]:
    """Write the synthetic demo corpus under ``out_dir``; return one path per export folder.

    Deterministic: the same seed and scale give byte-identical files (on the same
    Pillow/font installation). ``scale`` multiplies the background posting rates;
    the scenario's key posts, image families and bad inputs are always present.
    """
    if scale <= 0:
        raise ValueError("scale must be positive")
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    ctx = Context(seed=seed, scale=scale, bank=ImageBank(seed))
    exports = build_exports(ctx)
    paths = [
        write_export(out_dir, slug, export_documents(slug, chats), chats)
        for slug, chats in exports.items()
    ]
    formats = {slug: export_format(slug) for slug in exports}
    safe_write(out_dir, MANIFEST_NAME, dumps(manifest(ctx, exports, formats)) + b"\n")
    return paths
