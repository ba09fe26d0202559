"""`watchfloor lexicon ...` and `watchfloor exemplars ...`: analysts tune the threat scoring.
Thin wrappers over watchfloor.text.tuning. The next `watchfloor analyze` re-scores every post.

Exit codes: 0 done; 1 no such reference; 2 usage error (bad label, language, regex...).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import click

from watchfloor.accounts.edits import record_cli
from watchfloor.analyzers.text import CACHE_FOLDER
from watchfloor.cli import AppContext, emit_json, json_option, table
from watchfloor.identity import current_user
from watchfloor.text import tuning as lib
from watchfloor.text.embeddings import Embedder
from watchfloor.text.exemplars import LABELS, Exemplar
from watchfloor.text.language import LANGUAGES, OTHER, detect_language
from watchfloor.text.lexicon import ANY_LANGUAGE, ENTRY_LABELS, KINDS, LexiconEntry

note_option = click.option("--note", help="Why it was added (shown in lists and evidence).")
added_by_option = click.option(
    "--added-by", help="Who adds or removes it [default: the operating-system user name]."
)
state_option = click.option(
    "--all",
    "show_all",
    is_flag=True,
    help="Also list shipped items that were removed or replaced.",
)


@contextmanager
def tuning_errors() -> Iterator[None]:
    try:
        yield
    except lib.TuningError as exc:
        raise click.ClickException(str(exc)) from exc
    except ValueError as exc:
        raise click.UsageError(str(exc)) from exc


def _select(rows: list[lib.Listed], language, label, show_all: bool) -> list[lib.Listed]:
    return [
        r
        for r in rows
        if (show_all or r.state == "active")
        and (language is None or r.item.language == language)
        and (label is None or r.item.label == label)
    ]


@click.group(name="lexicon")
def lexicon() -> None:
    """Lexicon of the threat scoring: phrases and patterns per language (first stage, evidence)."""


@lexicon.command(name="add")
@click.argument("language", type=click.Choice([*LANGUAGES, OTHER, ANY_LANGUAGE]))
@click.argument("phrase")
@click.option("--label", type=click.Choice(ENTRY_LABELS), required=True, help="What it signals.")
@click.option(
    "--weight",
    type=click.FloatRange(0, 5, min_open=True),
    default=1.0,
    show_default=True,
    help="Strength of the cue (shipped: 1 for formulas, 0.5 for vocabulary).",
)
@click.option(
    "--kind",
    type=click.Choice(KINDS),
    default="phrase",
    show_default=True,
    help="A phrase (whole words, folded) or a regular expression.",
)
@note_option
@added_by_option
@click.pass_obj
def lexicon_add(app: AppContext, language, phrase, label, weight, kind, note, added_by) -> None:
    """Add (or update) an entry; the same language + phrase + label replaces a shipped one."""
    entry = LexiconEntry(language, phrase, label, weight, kind, note, "analyst")
    with tuning_errors(), app.store.begin() as conn:
        ref = lib.add_entry(conn, entry, current_user(added_by))
        record_cli(conn, "lexicon_add", "lexicon", ref, {"label": label, "language": language})
    click.echo(f"added lexicon entry {ref}: {label} {language} {phrase!r}")


@lexicon.command(name="list")
@click.option("--language", help="Only this language (ar, en, fr, de, nl, other, *).")
@click.option("--label", type=click.Choice(ENTRY_LABELS), help="Only this label.")
@state_option
@json_option
@click.pass_obj
def lexicon_list(app: AppContext, language, label, show_all: bool, as_json: bool) -> None:
    """Shipped (s<N>) and analysts' (a<N>) entries."""
    with app.store.connect() as conn:
        rows = _select(lib.list_entries(conn), language, label, show_all)
    if as_json:
        emit_json([r.as_dict() for r in rows])
        return
    table(
        "Lexicon",
        ["ref", "state", "language", "label", "weight", "kind", "phrase", "note", "added by"],
        [
            [r.ref, r.state, e.language, e.label, e.weight, e.kind, e.phrase, e.note, r.added_by]
            for r in rows
            for e in [r.item]
        ],
    )


@lexicon.command(name="remove")
@click.argument("ref")
@added_by_option
@click.pass_obj
def lexicon_remove(app: AppContext, ref: str, added_by) -> None:
    """Remove an entry by its reference (from `lexicon list`); shipped ones are masked."""
    with tuning_errors(), app.store.begin() as conn:
        click.echo(lib.remove_entry(conn, ref, current_user(added_by)))
        record_cli(conn, "lexicon_remove", "lexicon", ref)


@click.group(name="exemplars")
def exemplars() -> None:
    """Labelled exemplars the threat classifier learns from and cites as evidence."""


@exemplars.command(name="add")
@click.argument("text")
@click.option("--label", type=click.Choice(LABELS), required=True, help="The text's label.")
@click.option(
    "--language",
    type=click.Choice([*LANGUAGES, OTHER]),
    help="Language of the text [default: detected].",
)
@note_option
@added_by_option
@click.pass_obj
def exemplars_add(app: AppContext, text: str, label, language, note, added_by) -> None:
    """Add (or update) an exemplar; the same text + label replaces a shipped one."""
    language = language or detect_language(text).language
    exemplar = Exemplar(text, label, language, note, None, "analyst")
    with tuning_errors(), app.store.begin() as conn:
        ref = lib.add_exemplar(conn, exemplar, current_user(added_by))
        record_cli(conn, "exemplar_add", "exemplar", ref, {"label": label, "language": language})
    click.echo(f"added exemplar {ref}: {label} ({language})")


@exemplars.command(name="list")
@click.option("--language", type=click.Choice([*LANGUAGES, OTHER]), help="Only this language.")
@click.option("--label", type=click.Choice(LABELS), help="Only this label.")
@state_option
@json_option
@click.pass_obj
def exemplars_list(app: AppContext, language, label, show_all: bool, as_json: bool) -> None:
    """Shipped (s<N>) and analysts' (a<N>) exemplars."""
    with app.store.connect() as conn:
        rows = _select(lib.list_exemplars(conn), language, label, show_all)
    if as_json:
        emit_json([r.as_dict() for r in rows])
        return
    table(
        "Exemplars",
        ["ref", "state", "label", "language", "text", "note", "added by"],
        [
            [r.ref, r.state, e.label, e.language, e.text, e.note, r.added_by]
            for r in rows
            for e in [r.item]
        ],
    )


@exemplars.command(name="remove")
@click.argument("ref")
@added_by_option
@click.pass_obj
def exemplars_remove(app: AppContext, ref: str, added_by) -> None:
    """Remove an exemplar by its reference (from `exemplars list`); shipped ones are masked."""
    with tuning_errors(), app.store.begin() as conn:
        click.echo(lib.remove_exemplar(conn, ref, current_user(added_by)))
        record_cli(conn, "exemplar_remove", "exemplar", ref)


@click.command(name="score-text")
@click.argument("text")
@click.option(
    "--language",
    type=click.Choice([*LANGUAGES, OTHER]),
    help="Language of the text [default: detected].",
)
@json_option
@click.pass_obj
def score_text(app: AppContext, text: str, language, as_json: bool) -> None:
    """Score a text as the threat analyzers do (with the analysts' tuning) and show why."""
    with app.store.connect() as conn:
        tuning = lib.read_tuning(conn)
    embedder = Embedder(app.settings.workspace / CACHE_FOLDER)
    result = tuning.scorer(embedder).score(text, language)
    if as_json:
        emit_json(result.value() | result.evidence())
        return
    click.echo(
        f"{result.label} (threat score {result.score:.2f}, {result.language}, stage {result.stage})"
    )
    table(
        "Lexicon hits",
        ["label", "weight", "language", "phrase", "matched", "span", "source"],
        [
            [h.label, h.weight, h.language, h.phrase, h.text, f"{h.start}-{h.end}", h.source]
            for h in result.lexicon
        ],
    )
    if result.exemplars:
        table(
            "Nearest exemplars",
            ["similarity", "label", "language", "text", "source"],
            [
                [
                    f"{n.similarity:.3f}",
                    n.exemplar.label,
                    n.exemplar.language,
                    n.exemplar.text,
                    n.exemplar.source,
                ]
                for n in result.exemplars
            ],
        )


COMMANDS = [lexicon, exemplars, score_text]
