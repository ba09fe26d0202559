"""`watchfloor users`, `tokens` and `audit`: who may use the web app and API, and what they did.

Exit codes: 0 done; 1 no such user or token, or the name is taken; 2 usage error.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager

import click

from watchfloor.accounts import audit as audit_lib
from watchfloor.accounts import tokens as tokens_lib
from watchfloor.accounts import users as users_lib
from watchfloor.accounts.roles import ROLES, SCOPES, AccountError
from watchfloor.cli import AppContext, emit_json, json_option, parse_when, table
from watchfloor.identity import current_user


@contextmanager
def account_errors() -> Iterator[None]:
    try:
        yield
    except AccountError as exc:
        raise click.ClickException(str(exc)) from exc


def read_password(from_stdin: bool) -> str:
    if from_stdin:
        return sys.stdin.readline().rstrip("\n")
    return click.prompt("Password", hide_input=True, confirmation_prompt=True)


@click.group(name="users")
def users() -> None:
    """People who may use the web app and the API, with their roles."""


@users.command(name="add")
@click.argument("name")
@click.option("--role", type=click.Choice(ROLES), default="viewer", show_default=True)
@click.option("--password-stdin", is_flag=True, help="Read the password from standard input.")
@click.option("--no-password", is_flag=True, help="No password: the user can only use API tokens.")
@json_option
@click.pass_obj
def add(
    app: AppContext, name: str, role: str, password_stdin: bool, no_password: bool, as_json: bool
) -> None:
    """Add a user (asks for a password of at least 12 characters)."""
    password = None if no_password else read_password(password_stdin)
    with account_errors(), app.store.begin() as conn:
        user = users_lib.add_user(conn, name, role, password)
        audit_lib.record(
            conn,
            current_user(),
            "user_add",
            target_kind="user",
            target_id=name,
            detail={"role": role},
        )
    if as_json:
        emit_json(user.as_dict())
    else:
        click.echo(f"added {user.name} ({user.role})")


@users.command(name="list")
@json_option
@click.pass_obj
def list_(app: AppContext, as_json: bool) -> None:
    """All users with their roles."""
    with app.store.connect() as conn:
        found = users_lib.list_users(conn)
    if as_json:
        emit_json([u.as_dict() for u in found])
        return
    rows = [
        [u.name, u.role, "disabled" if u.disabled else "active", u.created_at.date()] for u in found
    ]
    table("Users", ["name", "role", "state", "created"], rows)


@users.command(name="disable")
@click.argument("name")
@click.pass_obj
def disable(app: AppContext, name: str) -> None:
    """Disable a user: no more logins; their sessions end and their tokens stop working."""
    with account_errors(), app.store.begin() as conn:
        users_lib.disable_user(conn, name)
        audit_lib.record(conn, current_user(), "user_disable", target_kind="user", target_id=name)
    click.echo(f"disabled {name}")


@users.command(name="password")
@click.argument("name")
@click.option("--password-stdin", is_flag=True, help="Read the password from standard input.")
@click.pass_obj
def password(app: AppContext, name: str, password_stdin: bool) -> None:
    """Set a user's password."""
    new = read_password(password_stdin)
    with account_errors(), app.store.begin() as conn:
        users_lib.set_password(conn, name, new)
        audit_lib.record(conn, current_user(), "user_password", target_kind="user", target_id=name)
    click.echo(f"password of {name} set")


@click.group(name="tokens")
def tokens() -> None:
    """API tokens for scripts: scoped, revocable, shown once."""


@tokens.command(name="create")
@click.argument("user")
@click.option("--name", "token_name", required=True, help="What the token is for.")
@click.option(
    "--scope",
    "scopes",
    multiple=True,
    type=click.Choice(SCOPES),
    default=("read",),
    show_default=True,
    help="read: look only; write: also change (within the user's role). Repeatable.",
)
@click.option("--days", type=click.IntRange(1, 3650), help="Expire after this many days.")
@json_option
@click.pass_obj
def create(
    app: AppContext,
    user: str,
    token_name: str,
    scopes: tuple[str, ...],
    days: int | None,
    as_json: bool,
) -> None:
    """Create a token; its secret is printed this once only."""
    with account_errors(), app.store.begin() as conn:
        info, secret = tokens_lib.create_token(conn, user, token_name, ",".join(scopes), days)
        audit_lib.record(
            conn,
            current_user(),
            "token_create",
            target_kind="token",
            target_id=info.id,
            detail={"user": user, "scopes": list(info.scopes)},
        )
    if as_json:
        emit_json({**info.as_dict(), "secret": secret})
    else:
        click.echo(secret)
        click.echo(
            f"token {info.id} for {user} ({','.join(info.scopes)}): keep the line above secret",
            err=True,
        )


@tokens.command(name="list")
@click.option("--user", help="Only this user's tokens.")
@json_option
@click.pass_obj
def list_tokens(app: AppContext, user: str | None, as_json: bool) -> None:
    """Tokens (never their secrets)."""
    with app.store.connect() as conn:
        found = tokens_lib.list_tokens(conn, user)
    if as_json:
        emit_json([t.as_dict() for t in found])
        return
    rows = [
        [
            t.id,
            t.user,
            t.name,
            ",".join(t.scopes),
            t.expires_at,
            t.last_used_at,
            "revoked" if t.revoked_at else "active",
        ]
        for t in found
    ]
    table("API tokens", ["id", "user", "name", "scopes", "expires", "last used", "state"], rows)


@tokens.command(name="revoke")
@click.argument("token_id", type=int)
@click.pass_obj
def revoke(app: AppContext, token_id: int) -> None:
    """Revoke a token at once."""
    with account_errors(), app.store.begin() as conn:
        tokens_lib.revoke_token(conn, token_id)
        audit_lib.record(
            conn, current_user(), "token_revoke", target_kind="token", target_id=token_id
        )
    click.echo(f"revoked token {token_id}")


@click.command(name="audit")
@click.option("--actor", help="Only entries by this user.")
@click.option("--action", help="Only this action (login, reveal_media, alert_status, ...).")
@click.option("--since", help="Only entries from this date or time on.")
@click.option("--limit", type=click.IntRange(1, 100_000), default=200, show_default=True)
@json_option
@click.pass_obj
def audit(app: AppContext, actor, action, since, limit: int, as_json: bool) -> None:
    """The audit log, newest first: logins, reveals of media, alert decisions, edits."""
    with app.store.connect() as conn:
        entries = audit_lib.list_audit(
            conn, actor=actor, action=action, since=parse_when(since), limit=limit
        )
    if as_json:
        emit_json([e.as_dict() for e in entries])
        return
    rows = [
        [
            e.at.isoformat(timespec="seconds"),
            e.actor,
            e.action,
            e.target_kind,
            e.target_id,
            e.origin,
            e.ip,
        ]
        for e in entries
    ]
    table("Audit log", ["at", "actor", "action", "kind", "target", "origin", "address"], rows)


@click.command(name="serve")
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", type=click.IntRange(1, 65535), default=8000, show_default=True)
@click.pass_obj
def serve(app: AppContext, host: str, port: int) -> None:
    """Serve the web app and the REST API (/api/v1) until interrupted."""
    import uvicorn

    from watchfloor.web.app import create_app

    web_app = create_app(app.settings, app.store)
    click.echo(f"Watchfloor on http://{host}:{port} (Ctrl-C to stop)", err=True)
    uvicorn.run(web_app, host=host, port=port, log_level="info", proxy_headers=False)


COMMANDS = [users, tokens, audit, serve]
