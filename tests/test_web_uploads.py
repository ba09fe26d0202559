"""Uploading an export archive: safe extraction, size limits, the ingest job and its status."""

from __future__ import annotations

import dataclasses
import io
import stat
import tarfile
import time
import zipfile
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from PIL import Image
from sqlalchemy import func, select

from tests.exports import message, single_chat, write_export
from watchfloor.accounts import audit
from watchfloor.ingest.archive import (
    ArchiveLimits,
    ArchiveRefused,
    export_roots,
    extract_archive,
    safe_name,
)
from watchfloor.jobs import claim_next, get_job
from watchfloor.store.schema import media, posts
from watchfloor.uploads import queue_upload, save_upload, uploads_dir


def make_export(root: Path, texts: list[str]) -> Path:
    """A single-chat export folder with one photo, the way Telegram Desktop lays it out."""
    folder = root / "ChatExport_2018-01-10"
    (folder / "photos").mkdir(parents=True)
    Image.new("RGB", (64, 48), (30, 120, 200)).save(folder / "photos" / "photo_1.jpg")
    messages = [message(i + 1, t) for i, t in enumerate(texts)]
    messages[0]["photo"] = "photos/photo_1.jpg"
    write_export(folder, single_chat(messages, name="Harbour Notes"))
    return folder


def zip_folder(folder: Path) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for path in sorted(folder.rglob("*")):
            archive.write(path, path.relative_to(folder.parent).as_posix())
    return buffer.getvalue()


def tar_gz(entries: list[tarfile.TarInfo], data: dict[str, bytes] | None = None) -> bytes:
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz") as archive:
        for info in entries:
            body = (data or {}).get(info.name)
            if body is not None:
                info.size = len(body)
            archive.addfile(info, io.BytesIO(body) if body is not None else None)
    return buffer.getvalue()


def write_archive(tmp_path: Path, content: bytes, name: str = "upload.bin") -> Path:
    path = tmp_path / name
    path.write_bytes(content)
    return path


def wait_for(client: TestClient, job_id: int, bound: float = 90.0) -> dict:
    """Polls the job until it is done or failed (the bound only stops a hung test)."""
    deadline = time.monotonic() + bound
    while True:
        job = client.get(f"/api/v1/jobs/{job_id}").json()
        if job["status"] in ("done", "failed") or time.monotonic() > deadline:
            return job
        time.sleep(0.1)


# Safe extraction -------------------------------------------------------------------------


@pytest.mark.parametrize(
    "name", ["/etc/passwd", "a/../../escape.txt", "..\\evil.txt", "C:/x.txt", "a\x00b"]
)
def test_unsafe_entry_names_are_refused(name):
    with pytest.raises(ArchiveRefused):
        safe_name(name)


def test_plain_names_are_kept_and_the_root_entry_skipped():
    assert str(safe_name("./Chat/photos/a.jpg")) == "Chat/photos/a.jpg"
    assert safe_name("./") is None


def test_zip_export_extracts_and_its_export_is_found(tmp_path):
    archive = write_archive(tmp_path, zip_folder(make_export(tmp_path / "src", ["one", "two"])))
    result = extract_archive(archive, tmp_path / "out")
    assert result.files == 2
    assert export_roots(tmp_path / "out") == [tmp_path / "out" / "ChatExport_2018-01-10"]


def test_zip_slip_is_refused_and_nothing_is_left(tmp_path):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("ok.txt", "fine")
        archive.writestr("../escaped.txt", "nope")
    archive_path = write_archive(tmp_path, buffer.getvalue())
    with pytest.raises(ArchiveRefused, match=r"\.\."):
        extract_archive(archive_path, tmp_path / "out")
    assert not (tmp_path / "out").exists()
    assert not (tmp_path / "escaped.txt").exists()


def test_zip_symlink_entry_is_refused(tmp_path):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        link = zipfile.ZipInfo("Chat/result.json")
        link.external_attr = (stat.S_IFLNK | 0o777) << 16
        archive.writestr(link, "/etc/passwd")
    with pytest.raises(ArchiveRefused, match="link"):
        extract_archive(write_archive(tmp_path, buffer.getvalue()), tmp_path / "out")


@pytest.mark.parametrize(
    "kind", [tarfile.SYMTYPE, tarfile.LNKTYPE, tarfile.CHRTYPE, tarfile.FIFOTYPE]
)
def test_tar_links_and_special_files_are_refused(tmp_path, kind):
    entry = tarfile.TarInfo("Chat/photos/a.jpg")
    entry.type, entry.linkname = kind, "/etc/passwd"
    archive = write_archive(tmp_path, tar_gz([entry]))
    with pytest.raises(ArchiveRefused, match=r"link|special"):
        extract_archive(archive, tmp_path / "out")


def test_tar_gz_export_extracts(tmp_path):
    folder = make_export(tmp_path / "src", ["hello"])
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz") as archive:
        archive.add(folder, arcname=folder.name)
    result = extract_archive(write_archive(tmp_path, buffer.getvalue()), tmp_path / "out")
    assert result.files == 2
    assert (tmp_path / "out" / folder.name / "result.json").is_file()


def test_zip_bomb_is_stopped_by_the_uncompressed_cap(tmp_path):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for i in range(3):
            archive.writestr(f"zeros{i}.bin", b"\0" * 400_000)
    path = write_archive(tmp_path, buffer.getvalue())
    limits = ArchiveLimits(max_bytes=1_000_000, max_ratio=10**6)
    with pytest.raises(ArchiveRefused, match="expands to more than"):
        extract_archive(path, tmp_path / "out", limits)
    with pytest.raises(ArchiveRefused, match="suspiciously"):
        extract_archive(path, tmp_path / "out2", ArchiveLimits(max_ratio=50))


def test_tar_gz_bomb_is_stopped_while_decompressing(tmp_path):
    entries = [tarfile.TarInfo(f"z{i}.bin") for i in range(3)]
    data = {e.name: b"\0" * 400_000 for e in entries}
    path = write_archive(tmp_path, tar_gz(entries, data))
    with pytest.raises(ArchiveRefused, match="expands to more than"):
        extract_archive(path, tmp_path / "out", ArchiveLimits(max_bytes=1_000_000))


def test_too_many_entries_and_duplicates_are_refused(tmp_path):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for i in range(20):
            archive.writestr(f"f{i}.txt", "x")
    with pytest.raises(ArchiveRefused, match="entries"):
        extract_archive(
            write_archive(tmp_path, buffer.getvalue(), "many.zip"),
            tmp_path / "out",
            ArchiveLimits(max_entries=10),
        )
    entries = [tarfile.TarInfo("same.txt"), tarfile.TarInfo("same.txt")]
    path = write_archive(tmp_path, tar_gz(entries, {"same.txt": b"x"}), "dup.tgz")
    with pytest.raises(ArchiveRefused, match="twice"):
        extract_archive(path, tmp_path / "out2")


def test_anything_but_zip_or_tar_gz_is_refused(tmp_path):
    with pytest.raises(ArchiveRefused, match="not a ZIP"):
        extract_archive(write_archive(tmp_path, b"plain text"), tmp_path / "out")


# The web app: upload, job, status ----------------------------------------------------------


def test_api_upload_is_ingested_by_a_job_and_audited(web, tmp_path):
    client = web.api("analyst")
    body = zip_folder(make_export(tmp_path, ["first post", "second post", "third post"]))
    response = client.post(
        "/api/v1/uploads", files={"archive": ("export.zip", body, "application/zip")}
    )
    assert response.status_code == 202, response.text
    accepted = response.json()
    assert response.headers["location"] == accepted["status_url"]
    assert accepted["job"]["status"] in ("queued", "running", "done")
    job = wait_for(client, accepted["job"]["id"])
    assert job["status"] == "done", job
    assert job["result"]["report"]["totals"]["added"] == 3
    assert job["result"]["report"]["sources"][0]["path"] == "ChatExport_2018-01-10"
    assert job["input"]["filename"] == "export.zip" and job["input"]["size"] == len(body)
    with web.store.connect() as conn:
        assert conn.execute(select(func.count()).select_from(posts)).scalar_one() == 3
        assert conn.execute(select(func.count()).select_from(media)).scalar_one() == 1
        entries = audit.list_audit(conn, action="upload")
    assert [(e.actor, e.target_id, e.origin) for e in entries] == [
        ("analyst-bot", str(job["id"]), "api")
    ]
    assert list(uploads_dir(web.settings).iterdir()) == []  # the archive and its files are gone
    listing = client.get("/api/v1/jobs").json()
    assert [j["id"] for j in listing["jobs"]] == [job["id"]]


def test_browser_form_upload_shows_the_job_and_its_report(web, tmp_path):
    client, csrf = web.browser("analyst")
    body = zip_folder(make_export(tmp_path, ["a post from the form"]))
    response = client.post(
        "/uploads",
        data={"csrf_token": csrf},
        files={"archive": ("harbour.zip", body, "application/zip")},
        follow_redirects=False,
    )
    assert response.status_code == 303, response.text
    job_id = int(response.headers["location"].rsplit("=", 1)[1])
    assert wait_for(client, job_id)["status"] == "done"
    page = client.get("/uploads")
    assert "harbour.zip" in page.text and "added 1," in page.text
    detail = client.get(f"/uploads/{job_id}")
    assert "Harbour Notes" in detail.text and "Ingest report" in detail.text


def test_form_without_csrf_token_is_refused(web, tmp_path):
    client, _csrf = web.browser("analyst")
    body = zip_folder(make_export(tmp_path, ["x"]))
    response = client.post("/uploads", files={"archive": ("a.zip", body)}, follow_redirects=False)
    assert response.status_code == 403
    assert list(uploads_dir(web.settings).glob("*")) == []


def test_uploads_over_the_limit_are_refused_before_they_are_stored(web):
    web.app.state.web = dataclasses.replace(web.app.state.web, max_upload_bytes=1024 * 1024)
    client = web.api("analyst")
    big = b"PK\x03\x04" + b"\0" * (2 * 1024 * 1024)
    declared = client.post("/api/v1/uploads", files={"archive": ("big.zip", big)})
    assert declared.status_code == 413 and "1 MB" in declared.json()["error"]

    def chunks():  # no Content-Length: the limit must cut the stream itself
        yield b"--b\r\ncontent-disposition: form-data; name=archive; filename=big.zip\r\n\r\n"
        for _ in range(40):
            yield b"\0" * 65536
        yield b"\r\n--b--\r\n"

    streamed = client.post(
        "/api/v1/uploads",
        content=chunks(),
        headers={"content-type": "multipart/form-data; boundary=b"},
    )
    assert streamed.status_code == 413
    assert not uploads_dir(web.settings).exists() or list(uploads_dir(web.settings).iterdir()) == []


def test_a_file_that_is_no_archive_is_refused_at_once(web):
    client = web.api("analyst")
    response = client.post("/api/v1/uploads", files={"archive": ("notes.zip", b"just text")})
    assert response.status_code == 415 and "ZIP or tar.gz" in response.json()["error"]
    missing = client.post("/api/v1/uploads", files={"other": ("a.zip", b"PK\x03\x04")})
    assert missing.status_code == 400 and "'archive'" in missing.json()["error"]


def test_hostile_archive_fails_its_job_with_a_clear_error(web):
    client = web.api("analyst")
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("../../outside.json", "{}")
    response = client.post("/api/v1/uploads", files={"archive": ("evil.zip", buffer.getvalue())})
    job = wait_for(client, response.json()["job"]["id"])
    assert job["status"] == "failed"
    assert job["error"].startswith("archive refused: path climbing out")
    assert not (web.settings.workspace / "outside.json").exists()


def test_archive_without_an_export_fails_its_job(web):
    client = web.api("analyst")
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("notes/readme.txt", "nothing to see")
    response = client.post("/api/v1/uploads", files={"archive": ("n.zip", buffer.getvalue())})
    job = wait_for(client, response.json()["job"]["id"])
    assert job["status"] == "failed" and "no Telegram Desktop export" in job["error"]


def test_viewers_read_jobs_but_cannot_upload(web):
    viewer = web.api("viewer")
    assert viewer.get("/api/v1/jobs").status_code == 200
    refused = viewer.post("/api/v1/uploads", files={"archive": ("a.zip", b"PK\x03\x04")})
    assert refused.status_code == 403
    assert viewer.get("/api/v1/jobs/999").status_code == 404
    assert viewer.get("/api/v1/jobs?status=bogus").status_code == 422


def test_a_job_left_running_by_a_crash_is_requeued_and_run_at_start(web, tmp_path):
    body = zip_folder(make_export(tmp_path, ["survives a crash"]))
    stored = save_upload(web.settings, io.BytesIO(body), "crash.zip", 10**7)
    with web.store.begin() as conn:
        queued = queue_upload(conn, web.settings, stored, "someone")
        claimed = claim_next(conn)  # the crashed server had claimed it
    assert claimed.id == queued.id and claimed.status == "running"
    with TestClient(web.app, base_url="http://127.0.0.1"):  # runs the app's startup
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline:
            with web.store.connect() as conn:
                job = get_job(conn, queued.id)
            if job.status in ("done", "failed"):
                break
            time.sleep(0.1)
    assert job.status == "done", job.error
    assert job.result["report"]["totals"]["added"] == 1


def test_jobs_are_claimed_once_each_oldest_first(store):
    from watchfloor.jobs import create_job, finish_job, list_jobs, requeue_running

    with store.begin() as conn:
        first = create_job(conn, "ingest_upload", "a", {})
        second = create_job(conn, "ingest_upload", "b", {})
        other = create_job(conn, "something_else", "c", {})
        assert claim_next(conn, {"ingest_upload": None}).id == first.id
        assert claim_next(conn, {"ingest_upload": None}).id == second.id
        assert claim_next(conn, {"ingest_upload": None}) is None
        finish_job(conn, first.id, error="broken")
        assert requeue_running(conn) == 1  # the second; the failed one stays failed
        states = {j.id: j.status for j in list_jobs(conn)}
    assert states == {first.id: "failed", second.id: "queued", other.id: "queued"}
