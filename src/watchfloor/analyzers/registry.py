"""The analyzer registry, fed by the `watchfloor.analyzers` entry-point group (built-ins included).

Entry points load lazily; a plugin that fails to import is an error, never skipped silently.
"""

from __future__ import annotations

from graphlib import CycleError, TopologicalSorter
from importlib.metadata import EntryPoint, entry_points

from watchfloor.analyzers.base import Analyzer

GROUP = "watchfloor.analyzers"


class RegistryError(Exception):
    pass


class AnalyzerRegistry:
    def __init__(self, entries: dict[str, EntryPoint | type[Analyzer]]) -> None:
        self._entries = dict(entries)
        self._loaded: dict[str, type[Analyzer]] = {}

    @classmethod
    def from_entry_points(cls, group: str = GROUP) -> AnalyzerRegistry:
        return cls({ep.name: ep for ep in entry_points(group=group)})

    def names(self) -> list[str]:
        return sorted(self._entries)

    def get(self, name: str) -> type[Analyzer]:
        if name not in self._entries:
            raise RegistryError(
                f"no analyzer named {name!r}; registered: {', '.join(self.names())}"
            )
        if name not in self._loaded:
            entry = self._entries[name]
            # not isinstance(entry, EntryPoint): once the importlib_metadata backport is
            # imported (dask imports it), entry_points() yields the backport's EntryPoint class
            loaded = entry if isinstance(entry, type) else entry.load()
            if not (isinstance(loaded, type) and issubclass(loaded, Analyzer)):
                raise RegistryError(f"entry point {name!r} is not an Analyzer subclass: {loaded!r}")
            if loaded.name != name:
                raise RegistryError(f"entry point {name!r} loads analyzer named {loaded.name!r}")
            self._loaded[name] = loaded
        return self._loaded[name]

    def ordered(self, only: list[str] | None = None) -> list[type[Analyzer]]:
        """Analyzers in dependency order: whoever emits a kind runs before whoever needs it."""
        classes = [self.get(n) for n in self.names()]
        producers = {kind: c.name for c in classes for kind in c.emits}
        graph: dict[str, set[str]] = {}
        for c in classes:
            missing = [k for k in c.needs if k not in producers]
            if missing:
                raise RegistryError(f"analyzer {c.name!r} needs {missing}, which no analyzer emits")
            graph[c.name] = {producers[k] for k in c.needs}
        try:
            order = list(TopologicalSorter(graph).static_order())
        except CycleError as exc:
            raise RegistryError(
                f"analyzers depend on each other in a cycle: {exc.args[1]}"
            ) from exc
        wanted = self._with_dependencies(only, graph) if only else set(order)
        return [self.get(n) for n in order if n in wanted]

    def _with_dependencies(self, only: list[str], graph: dict[str, set[str]]) -> set[str]:
        wanted, todo = set(), list(only)
        while todo:
            name = todo.pop()
            self.get(name)
            if name not in wanted:
                wanted.add(name)
                todo.extend(graph[name])
        return wanted
