"""`watchfloor gallery ...`: the landmark gallery, thin wrappers over vision.gallery.

Exit codes: 0 done; 1 nothing matched what was to be removed; 2 usage error; 3 done, but some
files or rows were quarantined (see `watchfloor quarantine`).
"""

from __future__ import annotations

import sys
from pathlib import Path

import click

from watchfloor.accounts.edits import record_cli
from watchfloor.cli import EXIT_QUARANTINED, AppContext, emit_json, json_option, table
from watchfloor.vision import gallery as lib

existing_file = click.Path(exists=True, dir_okay=False, path_type=Path)
added_by_option = click.option(
    "--added-by", help="Who adds the images [default: the operating-system user name]."
)


@click.group(name="gallery")
def gallery() -> None:
    """The landmark gallery: reference photos of places that the `landmark` analyzer knows."""


def _place(landmark: str, city, country, lat, lon) -> lib.Place:
    try:
        return lib.Place(landmark, city, country, lat, lon)
    except lib.BadRow as exc:
        raise click.UsageError(str(exc)) from exc


def _report(report: lib.AddReport, as_json: bool) -> None:
    if as_json:
        emit_json(report.as_dict())
    else:
        for e in report.entries:
            state = "added" if e["new"] else "already in the gallery"
            click.echo(f"{e['sha256'][:16]}  {e['landmark']}  {e['file']}  ({state})")
        for p in report.problems:
            where = p.source if p.line is None else f"{p.source} line {p.line}"
            click.echo(f"rejected: {where}: {p.code}: {p.reason}", err=True)
        click.echo(
            f"{report.added} added, {report.already_present} already present, "
            f"{len(report.problems)} rejected"
        )
    if report.problems:
        sys.exit(EXIT_QUARANTINED)


@gallery.command(name="add")
@click.argument("files", nargs=-1, required=True, type=existing_file)
@click.option("--landmark", required=True, help="The landmark the photos show.")
@click.option("--city", help="Its city.")
@click.option("--country", help="Its country.")
@click.option("--lat", type=click.FloatRange(-90, 90), help="Its latitude (WGS84).")
@click.option("--lon", type=click.FloatRange(-180, 180), help="Its longitude (WGS84).")
@added_by_option
@json_option
@click.pass_obj
def add(
    app: AppContext,
    files: tuple[Path, ...],
    landmark: str,
    city: str | None,
    country: str | None,
    lat: float | None,
    lon: float | None,
    added_by: str | None,
    as_json: bool,
) -> None:
    """Add photos of one landmark; files that do not decode are quarantined."""
    place = _place(landmark, city, country, lat, lon)
    with app.store.begin() as conn:
        report = lib.add_images(
            conn,
            app.store.media,
            files,
            place,
            max_pixels=app.settings.max_image_pixels,
            added_by=added_by,
        )
        record_cli(conn, "gallery_add", "landmark", landmark, {"added": report.added})
    _report(report, as_json)


@gallery.command(name="import")
@click.argument("csv_file", metavar="CSV", type=existing_file)
@click.option(
    "--root",
    type=click.Path(exists=True, file_okay=False, path_type=Path),
    help="Folder the CSV's file names are relative to [default: the CSV's folder].",
)
@added_by_option
@json_option
@click.pass_obj
def import_(
    app: AppContext, csv_file: Path, root: Path | None, added_by: str | None, as_json: bool
) -> None:
    """Import a CSV of file,landmark,city,country,lat,lon; bad rows are quarantined."""
    try:
        with app.store.begin() as conn:
            report = lib.import_csv(
                conn,
                app.store.media,
                csv_file,
                root=root,
                max_pixels=app.settings.max_image_pixels,
                added_by=added_by,
            )
            detail = {"file": csv_file.name, "added": report.added}
            record_cli(conn, "gallery_import", "gallery", None, detail)
    except ValueError as exc:
        raise click.UsageError(str(exc)) from exc
    _report(report, as_json)


@gallery.command(name="list")
@click.option("--images", is_flag=True, help="List every image instead of one line per landmark.")
@json_option
@click.pass_obj
def list_(app: AppContext, images: bool, as_json: bool) -> None:
    """Landmarks with their images, city, country and coordinates."""
    with app.store.connect() as conn:
        rows = lib.list_entries(conn) if images else lib.list_landmarks(conn)
    if as_json:
        emit_json([r.as_dict() for r in rows])
    elif images:
        columns = ["id", "landmark", "city", "country", "sha256", "size", "enabled", "source"]
        table("Gallery images", columns, [_image_row(e) for e in rows])
    else:
        columns = ["landmark", "city", "country", "lat", "lon", "images", "disabled"]
        table("Gallery", columns, [_landmark_row(s) for s in rows])


def _image_row(e: lib.GalleryEntry) -> list:
    p = e.place
    size = f"{e.width}x{e.height}"
    enabled = "yes" if e.enabled else "no"
    return [e.id, p.landmark, p.city, p.country, e.sha256[:16], size, enabled, e.source]


def _landmark_row(s: lib.LandmarkSummary) -> list:
    p = s.place
    return [p.landmark, p.city, p.country, p.lat, p.lon, s.images, s.disabled]


@gallery.command(name="remove")
@click.option("--landmark", help="Remove this landmark's images (with --id: only those ids).")
@click.option("--id", "ids", multiple=True, type=int, help="A gallery id (repeatable).")
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
@click.pass_obj
def remove(app: AppContext, landmark: str | None, ids: tuple[int, ...], yes: bool) -> None:
    """Remove gallery images by landmark or id (the bytes stay in the media store)."""
    if landmark is None and not ids:
        raise click.UsageError("name a --landmark or one or more --id")
    what = f"landmark {landmark!r}" if landmark else ""
    what = " ".join(filter(None, [what, f"ids {', '.join(map(str, ids))}" if ids else ""]))
    if not yes:
        click.confirm(f"Remove the gallery images of {what}?", abort=True)
    with app.store.begin() as conn:
        removed = lib.remove(conn, landmark=landmark, ids=ids)
        detail = {"landmark": landmark, "ids": list(ids), "removed": removed}
        record_cli(conn, "gallery_remove", "gallery", None, detail)
    click.echo(f"removed {removed} gallery images")
    if not removed:
        sys.exit(1)


COMMANDS = [gallery]
