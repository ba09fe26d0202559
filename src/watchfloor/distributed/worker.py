"""What runs on a Dask worker: a chunk of subjects, with media read from the shared copy."""

from __future__ import annotations

import pickle
from dataclasses import replace
from pathlib import Path

from watchfloor.analyzers.base import Analyzer, MediaItem
from watchfloor.pipeline import Outcome, Task, run_one
from watchfloor.store.shared_media import MediaUnavailable, SharedMedia

_PREPARED: dict[str, Analyzer] = {}  # the last prepared analyzer this worker process unpickled


def prepared_analyzer(key: str, pickled: bytes) -> Analyzer:
    """The analyzer a chunk carries, unpickled once per worker process and analyzer state.

    It travels with every chunk rather than as scattered data: scattered data dies with the last
    worker holding it, and a subject that kills workers must not take the whole run down."""
    analyzer = _PREPARED.get(key)
    if analyzer is None:
        analyzer = pickle.loads(pickled)
        _PREPARED.clear()
        _PREPARED[key] = analyzer
    return analyzer


def run_shared_chunk(
    key: str, pickled: bytes, tasks: list[Task], media: SharedMedia | None
) -> list[Outcome]:
    """Like ``pipeline.run_chunk``; a subject whose bytes cannot be read is an error of its own."""
    analyzer = prepared_analyzer(key, pickled)
    outcomes = []
    for task in tasks:
        try:
            local = _localised(task, media)
        except MediaUnavailable as exc:
            outcomes.append(Outcome(task.item.key, task.input_key, "error", [], exc.code, str(exc)))
            continue
        except Exception as exc:  # a storage client's own errors (network, credentials)
            detail = f"reading the shared media: {type(exc).__name__}: {exc}"
            outcomes.append(
                Outcome(task.item.key, task.input_key, "error", [], "media_unavailable", detail)
            )
            continue
        outcomes.append(run_one(analyzer, local))
    if media is not None:
        media.trim_cache()
    return outcomes


def _localised(task: Task, media: SharedMedia | None) -> Task:
    if media is None or not isinstance(task.item, MediaItem):
        return task
    return replace(task, item=replace(task.item, path=media.local_path(task.item.sha256)))


def sees_marker(path: str, token: str) -> bool:
    """Whether this worker sees the file the main process just wrote into its workspace."""
    try:
        return Path(path).read_text(encoding="utf-8") == token
    except OSError:
        return False
