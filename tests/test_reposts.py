"""Repost groups on real photos: planted reposts (crop up to 6 % a side, scale 0.5-0.85, JPEG
quality 45-70, a caption) are grouped with their original, different photos never are.

The corpus is every image of ``../shared/data/landmarks`` and ``../shared/data/pdq-reference``
posted by an outlet, and three reposts of each posted by three relay channels (one forwards).
Several landmark photos show the same building from other angles (ten of the British Museum,
twelve of the Sacré-Cœur): they must stay apart. Meta's PDQ test images include one bridge photo
in twenty versions (blurred, sharpened, re-contrasted, shrunk, turned and flipped): those are
genuinely the same picture and are expected in one group (their square-squashed versions are
not a similarity transform of it and form their own group).
"""

from __future__ import annotations

import faulthandler
import hashlib
import io
import itertools
import json
import random
import shutil
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner
from PIL import Image, ImageDraw
from sqlalchemy import update

from tests.exports import message, single_chat, write_export
from tests.reference import LANDMARKS, REFERENCE, need_path
from watchfloor.analytics import repost_store as rs
from watchfloor.analytics.repost_groups import list_repost_groups
from watchfloor.analytics.repost_index import CandidateParams
from watchfloor.analytics.reposts import UnionFind, update_repost_groups
from watchfloor.analyzers.crops import CropsAnalyzer
from watchfloor.analyzers.pdq import PdqAnalyzer
from watchfloor.analyzers.registry import AnalyzerRegistry
from watchfloor.cli import main
from watchfloor.config import load_settings
from watchfloor.demo.fonts import font
from watchfloor.ingest import ingest_paths
from watchfloor.matching.feature_cache import FeatureCache
from watchfloor.matching.verify import VerifyParams, extract_features, verify_pair
from watchfloor.pdq import pdq_hash_file
from watchfloor.pipeline import run_analysis
from watchfloor.store import open_store
from watchfloor.store.schema import analysis_state

RELAYS = ("Relay A", "Relay B", "Relay C")
NOISE = {"I16.png", "LA.png", "rgb.jpeg"}  # random-noise test images of python-threatexchange
SAME_PICTURE = ("bridge-mods", "dih")  # folders holding versions of one bridge photo


def sources() -> list[Path]:
    found = [
        p
        for folder in (need_path(LANDMARKS), need_path(REFERENCE))
        for p in sorted(folder.rglob("*"))
        if p.suffix.lower() in (".jpg", ".jpeg", ".png")
    ]
    assert len(found) >= 79
    return found


def identity(path: Path) -> str:
    """What counts as one picture: the bridge versions are one, every other file its own."""
    return "bridge" if path.parent.name in SAME_PICTURE else str(path)


def is_photo_with_content(path: Path) -> bool:
    """The recall set: photos PDQ calls usable (quality >= 50), at least 200 px on the shorter
    side (a repost at half size keeps 100), not synthetic noise. Left out: an all-black image,
    two blank skies, a 34 x 42 thumbnail, a 160 x 100 and a 128 x 128 shrunk bridge, three noise
    images (scaling noise destroys it). They stay in the corpus for the precision check."""
    with Image.open(path) as img:
        small = min(img.size) < 200
    return path.name not in NOISE and not small and pdq_hash_file(path).quality >= 50


def repost(img: Image.Image, rng: random.Random, caption: str) -> bytes:
    w, h = img.size
    left, top, right, bottom = (rng.uniform(0, 0.06) for _ in range(4))
    box = (round(left * w), round(top * h), round(w * (1 - right)), round(h * (1 - bottom)))
    img = img.crop(box)
    scale = rng.uniform(0.5, 0.85)
    img = img.resize((max(1, round(img.width * scale)), max(1, round(img.height * scale))))
    size = max(8, img.width // 30)
    y = rng.choice([size // 2, img.height - 2 * size])
    ImageDraw.Draw(img).text(
        (rng.randrange(0, max(1, img.width // 3)), y),
        caption,
        font=font(size, bold=True),
        fill=(255, 255, 255),
        stroke_width=1,
        stroke_fill=(0, 0, 0),
    )
    buf = io.BytesIO()
    img.save(buf, "JPEG", quality=rng.randrange(45, 71))
    return buf.getvalue()


@dataclass
class Planted:
    root: Path
    copies: dict[int, list[str]]  # source index -> sha256 of its original and reposts
    identity_of: dict[str, set[str]]  # sha256 -> identities (equal bytes may come twice)
    paths: list[Path]


def write_corpus(root: Path, paths: list[Path], seed: int, first_id: int = 1) -> list[Path]:
    """Outlet posts the originals; each relay posts a repost of each a day later (Relay A as a
    forward of the outlet's post)."""
    rng = random.Random(seed)
    chats: dict[str, list[dict]] = {"Outlet": [], **{r: [] for r in RELAYS}}
    for i, path in enumerate(paths):
        folder = root / "Outlet" / "photos"
        folder.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(path, folder / f"{i:03d}{path.suffix}")
        mid = first_id + i
        chats["Outlet"].append(message(mid, f"poster {i}", photo=f"photos/{i:03d}{path.suffix}"))
        with Image.open(path) as opened:
            img = opened.convert("RGB")
        for day, relay in enumerate(RELAYS, 1):
            folder = root / relay / "photos"
            folder.mkdir(parents=True, exist_ok=True)
            (folder / f"{i:03d}.jpg").write_bytes(repost(img, rng, f"@{relay.lower()} t.me"))
            extra = {"forwarded_from": "Outlet"} if relay == "Relay A" else {}
            when = 1440 * day + i
            chats[relay].append(
                message(mid, f"copy {i}", photo=f"photos/{i:03d}.jpg", minutes=when, **extra)
            )
    return [
        write_export(root / name, single_chat(msgs, chat_id=3000 + n, name=name))
        for n, (name, msgs) in enumerate(chats.items())
    ]


def sha_of(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def planted_truth(root: Path, paths: list[Path]) -> Planted:
    copies: dict[int, list[str]] = defaultdict(list)
    identity_of: dict[str, set[str]] = defaultdict(set)
    for channel in ("Outlet", *RELAYS):
        for f in sorted((root / channel / "photos").iterdir()):
            i = int(f.stem)
            sha = sha_of(f)
            copies[i].append(sha)
            identity_of[sha].add(identity(paths[i]))
    return Planted(root, dict(copies), dict(identity_of), paths)


def analyse(store, settings, exports: list[Path], workers: int = 1):
    ingest_paths(store, settings, exports)
    registry = AnalyzerRegistry({"pdq": PdqAnalyzer, "crops": CropsAnalyzer})
    run_analysis(store, settings, registry, workers=workers)
    return update_repost_groups(store, settings, workers=workers)


def memberships(store) -> dict[str, rs.GroupMembership]:
    with store.connect() as conn:
        return rs.group_memberships(conn)


def groups_of(store) -> dict[str, list[str]]:
    out: dict[str, list[str]] = defaultdict(list)
    for sha, m in sorted(memberships(store).items()):
        out[m.group].append(sha)
    return dict(out)


@pytest.fixture(scope="module")
def planted(tmp_path_factory):
    """The whole planted corpus, grouped once on a real SQLite workspace (two workers)."""
    paths = sources()
    root = tmp_path_factory.mktemp("reposts")
    exports = write_corpus(root / "exports", paths, seed=20180131)
    settings = load_settings(root / "ws", None, environ={})
    store = open_store(settings)
    report = analyse(store, settings, exports, workers=2)
    yield planted_truth(root / "exports", paths), store, settings, report
    store.close()


def test_planted_reposts_are_grouped_with_their_original(planted):
    truth, store, _settings, report = planted
    member = memberships(store)

    def together(a: str, b: str) -> bool:
        return a == b or (a in member and b in member and member[a].group == member[b].group)

    recall: dict[bool, list[bool]] = {True: [], False: []}
    for i, shas in truth.copies.items():
        photo = is_photo_with_content(truth.paths[i])
        recall[photo] += [together(a, b) for a, b in itertools.combinations(shas, 2)]
    photos = sum(recall[True]) / len(recall[True])
    everything = sum(recall[True] + recall[False]) / len(recall[True] + recall[False])
    print(
        f"\nrepost pairs grouped: photos {photos:.3f} of {len(recall[True])}, all {everything:.3f}"
    )
    print(f"report: {report.as_dict()}")
    assert len(recall[True]) >= 6 * 70
    assert photos >= 0.95


def test_different_photos_are_never_grouped(planted):
    truth, store, _settings, _report = planted
    for group, shas in groups_of(store).items():
        identities = set().union(*(truth.identity_of[s] for s in shas))
        assert len(identities) == 1, (group, sorted(identities))
    # the same landmark from other angles: every photo's copies in a group of their own
    by_landmark = defaultdict(list)
    for i, path in enumerate(truth.paths):
        if path.is_relative_to(LANDMARKS):
            by_landmark[path.parent.name].append(truth.copies[i][0])
    member = memberships(store)
    for landmark, originals in by_landmark.items():
        groups = [member[s].group for s in originals if s in member]
        assert len(groups) == len(set(groups)), landmark


def test_versions_of_one_photo_are_one_group(planted):
    """Meta's bridge photo blurred, sharpened, re-contrasted, saturated, shrunk a little, and
    turned and flipped all eight ways: the same picture, so one group (the turned and flipped
    ones are found through the descriptor's variants and verified on mirrored features)."""
    truth, store, _settings, _report = planted
    member = memberships(store)
    versions = [
        truth.copies[i][0]
        for i, p in enumerate(truth.paths)
        if p.parent.name == "dih" or p.name in ("aaa-orig.jpg", "blur-a-little.jpg")
    ]
    assert len(versions) == 10
    assert len({member[s].group for s in versions}) == 1


def test_every_group_is_held_together_by_its_evidence(planted):
    _truth, store, _settings, _report = planted
    member = memberships(store)
    params = VerifyParams()
    distances = []
    for group, shas in groups_of(store).items():
        uf = UnionFind()
        for sha in shas:
            assert member[sha].group == group == min(shas)
            for edge in member[sha].evidence["verified"]:
                assert edge["with"] in shas
                assert edge["inliers"] >= params.min_inliers
                assert edge["rigid"] >= params.min_rigid
                assert edge["residual"] <= params.max_residual_px
                assert edge["coverage"] >= params.min_coverage
                assert edge["spread"] >= params.min_spread
                assert edge["ncc"] >= params.min_ncc
                distances.append(edge["pdq_distance"])
                uf.union(sha, edge["with"])
        assert len({uf.find(s) for s in shas}) == 1, group
    # PDQ alone would have missed most of these pairs (distance over 31)
    assert np.mean(np.array(distances) > 31) > 0.5


def test_candidates_come_from_the_index_not_all_pairs(planted):
    truth, _store, _settings, report = planted
    images = sum(len(c) for c in truth.copies.values())
    p = CandidateParams()
    assert report.candidates <= images * (p.k + 7 * p.k_turned)
    assert report.candidates < images * (images - 1) / 2 / 10
    assert report.verified + report.skipped == report.candidates


def test_a_second_run_has_nothing_to_do(planted):
    _truth, store, settings, report = planted
    again = update_repost_groups(store, settings)
    assert (again.new, again.verified, again.rebuilt) == (0, 0, False)
    assert (again.groups, again.grouped_media) == (report.groups, report.grouped_media)


def test_reposts_command_shows_the_spread(planted):
    _truth, _store, settings, report = planted
    ws = ["--workspace", str(settings.workspace)]
    result = CliRunner().invoke(main, [*ws, "reposts", "--json", "--limit", "3"])
    assert result.exit_code == 0, result.output
    groups = json.loads(result.stdout)
    assert len(groups) == 3
    assert [g["posts"] for g in groups] == sorted((g["posts"] for g in groups), reverse=True)
    top = groups[0]
    assert top["first_seen"]["title"] == "Outlet"
    assert [s["title"] for s in top["spread"]] == ["Outlet", *RELAYS]
    dates = [p["date"] for p in top["reposts"]]
    assert dates == sorted(dates) and len(dates) == top["posts"]
    assert {f["from"] for f in top["forwards"]} == {"Outlet"}
    assert {f["to_title"] for f in top["forwards"]} == {"Relay A"}
    assert sum(m["posts"] for m in top["members"]) == top["posts"]
    big = json.loads(CliRunner().invoke(main, [*ws, "reposts", "--json", "--min-size", "5"]).stdout)
    assert big and all(g["media"] >= 5 for g in big)
    every = json.loads(
        CliRunner().invoke(main, [*ws, "reposts", "--json", "--limit", "1000"]).stdout
    )
    assert len(every) == report.groups
    human = CliRunner().invoke(main, [*ws, "reposts", "--limit", "2"])
    assert human.exit_code == 0 and "Outlet" in human.stdout


def test_grouping_is_incremental_and_independent_of_order(store, settings, tmp_path):
    """Two photos of the British Museum's façade, three other landmarks; the second export
    brings more copies. Runs on SQLite and PostgreSQL."""
    photos = sorted(need_path(LANDMARKS).rglob("*.jpg"))
    museum = [p for p in photos if p.parent.name == "british_museum"][:2]
    others = [p for p in photos if p.parent.name in ("tower_bridge", "us_capitol", "tyn_church")]
    first = write_corpus(tmp_path / "one", [others[0], others[-1], museum[0]], seed=1)
    one = analyse(store, settings, [first[0], first[1]])  # the outlet and Relay A
    assert (one.new, one.groups, one.grouped_media, one.rebuilt) == (6, 3, 6, False)
    before = groups_of(store)

    second = write_corpus(tmp_path / "two", [others[0], museum[1]], seed=2, first_id=100)
    # worker processes after this process ran OpenCV itself: they must not inherit its locks
    faulthandler.dump_traceback_later(600, exit=True)
    try:
        two = analyse(store, settings, [second[0], second[2]], workers=2)  # outlet, Relay B
    finally:
        faulthandler.cancel_dump_traceback_later()
    assert two.new == 3  # the first photo's bytes are known already: one media, two posts
    assert two.groups == 4 and two.grouped_media == 9
    after = groups_of(store)
    assert all(group in after for group in before)  # no group changed its id
    museum_groups = [
        g for g, shas in after.items() if sha_of(museum[0]) in shas or sha_of(museum[1]) in shas
    ]
    assert len(museum_groups) == 2  # two photos of one façade: two groups

    # a stale state regroups everything from scratch, to the same groups
    with store.begin() as conn:
        conn.execute(
            update(analysis_state)
            .where(analysis_state.c.analyzer == rs.ANALYZER)
            .values(version="0")
        )
    shutil.rmtree(settings.workspace / "reposts")
    rebuilt = update_repost_groups(store, settings)
    assert rebuilt.rebuilt and rebuilt.new == 9
    assert groups_of(store) == after

    with store.connect() as conn:
        listed = list_repost_groups(conn, min_size=2, limit=10)
    assert len(listed) == 4
    top = listed[0]
    assert top["media"] == 3 and top["posts"] == 4 and top["channels"] == 3
    assert top["first_seen"]["title"] == "Outlet" and top["first_seen"]["sha256"] == sha_of(
        others[0]
    )
    assert [f["to_title"] for f in top["forwards"]] == ["Relay A"]
    with store.connect() as conn:
        assert list_repost_groups(conn, min_size=4) == []
        assert len(list_repost_groups(conn, limit=1)) == 1


def features_of(img: Image.Image, tmp: Path, name: str, mirrored: bool = False):
    path = tmp / f"{name}.png"
    img.save(path)
    return extract_features(path, VerifyParams(), mirrored=mirrored)


def test_verification_tells_a_repost_from_another_photo_of_the_scene(tmp_path):
    params, rng = VerifyParams(), random.Random(7)
    pairs = [
        ("british_museum", "vggsfm_62620282_3728576515.jpg", "vggsfm_93266801_2335569192.jpg"),
        ("sacre_coeur", "hloc_71295362_4051449754.jpg", "hloc_93341989_396310999.jpg"),
    ]
    for folder, name_a, name_b in pairs:
        a = Image.open(need_path(LANDMARKS / folder / name_a)).convert("RGB")
        b = Image.open(need_path(LANDMARKS / folder / name_b)).convert("RGB")
        copy = Image.open(io.BytesIO(repost(a, rng, "@relay"))).convert("RGB")
        fa, fb = features_of(a, tmp_path, "a"), features_of(b, tmp_path, "b")
        fc = features_of(copy, tmp_path, "c")
        same = verify_pair(fc, fa, params)
        assert same.accepted and same.inliers >= 50, same
        for check in (verify_pair(fa, fb, params), verify_pair(fc, fb, params)):
            assert not check.accepted and check.reason != "same picture", check
            assert check.inliers >= 12  # matched a lot: the façade is the same building


def test_a_shared_caption_does_not_make_a_repost(tmp_path):
    """Two different photos stamped with the same outlet caption match on the caption only."""
    photos = sorted(need_path(LANDMARKS).rglob("*.jpg"))
    stamped = []
    for path in (photos[3], photos[20]):
        img = Image.open(path).convert("RGB").resize((640, 480))
        ImageDraw.Draw(img).text(
            (20, 400), "STAND-IN OUTLET", font=font(40, bold=True), fill=(255, 255, 0)
        )
        stamped.append(features_of(img, tmp_path, path.stem))
    check = verify_pair(stamped[0], stamped[1], VerifyParams())
    assert not check.accepted, check


def test_mirrored_reposts_need_mirrored_features(tmp_path):
    path = LANDMARKS / "piazza_san_marco" / "superglue_piazza_san_marco_18627786_5929294590.jpg"
    img = Image.open(need_path(path)).convert("RGB")
    flipped = Image.open(
        io.BytesIO(repost(img.transpose(Image.Transpose.FLIP_LEFT_RIGHT), random.Random(3), "@m"))
    ).convert("RGB")
    original = features_of(img, tmp_path, "o")
    assert verify_pair(
        features_of(flipped, tmp_path, "f", mirrored=True), original, VerifyParams()
    ).accepted
    assert not verify_pair(features_of(flipped, tmp_path, "f"), original, VerifyParams()).accepted


def test_feature_cache_reuses_and_repairs_its_files(tmp_path):
    path = sorted(need_path(LANDMARKS).rglob("*.jpg"))[0]
    sha = sha_of(path)
    params = VerifyParams()
    first = FeatureCache(tmp_path / "cache", params)
    features = first.get(sha, path)
    assert first.computed == 1 and first.stored(sha)
    second = FeatureCache(tmp_path / "cache", params)
    again = second.get(sha, path)
    assert second.computed == 0
    assert np.array_equal(again.points, features.points)
    assert np.array_equal(again.descriptors, features.descriptors)
    assert np.array_equal(again.thumb, features.thumb)
    (stored,) = (tmp_path / "cache").rglob(f"{sha}.sift")
    stored.write_bytes(stored.read_bytes()[:100])  # truncated: recomputed, not trusted
    third = FeatureCache(tmp_path / "cache", params)
    assert np.array_equal(third.get(sha, path).descriptors, features.descriptors)
    assert third.computed == 1
