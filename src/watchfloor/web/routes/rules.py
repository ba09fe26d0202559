"""Alert rules page: the rules in force for everyone; a validating YAML editor for admins."""

from __future__ import annotations

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse, Response

from watchfloor.alerts.rules import RulesError
from watchfloor.web.editing import actor_of
from watchfloor.web.security import Principal, admin, viewer
from watchfloor.web.templating import render
from watchfloor.web.views import rules as views

router = APIRouter(tags=["rules"], include_in_schema=False)


def _page(request: Request, status: int = 200, **extra) -> Response:
    context = views.rules_view(request.app.state.settings.workspace) | extra
    return render(request, "rules/rules.html", context, status)


@router.get("/rules")
def rules_page(request: Request, saved: bool = False, principal: Principal = viewer) -> Response:
    return _page(
        request, done="rules saved; the previous file is kept as rules.yaml.bak" if saved else None
    )


@router.post("/rules")
def save_rules(request: Request, text: str = Form(...), principal: Principal = admin) -> Response:
    workspace = request.app.state.settings.workspace
    try:
        with request.app.state.store.begin() as conn:
            views.save_rules(conn, actor_of(request, principal), workspace, text)
    except RulesError as exc:
        return _page(request, 400, draft=text, draft_problems=views.problem_list(exc))
    return RedirectResponse("/rules?saved=true", status_code=303)
