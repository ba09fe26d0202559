"""The overview page at `/`."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import APIRouter, FastAPI, Request
from fastapi.responses import Response

from watchfloor.web.security import Principal, viewer
from watchfloor.web.svg.chart_data import timeline_from_activity
from watchfloor.web.svg.charts import render_timeline
from watchfloor.web.templating import render
from watchfloor.web.views.links import channel_href
from watchfloor.web.views.overview import overview_snapshot, overview_view


@asynccontextmanager
async def warm_overview(app: FastAPI) -> AsyncIterator[None]:
    """At startup, compute the overview's slow parts in the background."""
    overview_snapshot(app.state).warm(app.state.store)
    yield


router = APIRouter(tags=["overview"], include_in_schema=False, lifespan=warm_overview)


@router.get("/")
def overview(request: Request, principal: Principal = viewer) -> Response:
    data = overview_view(request.app.state.store, request.app.state)
    ids = data["channel_ids"]
    timeline = timeline_from_activity(data["report"], href=lambda key: channel_href(ids[key]))
    chart = render_timeline(timeline, title=f"Posts per channel, last {data['activity_days']} days")
    return render(request, "overview/index.html", {**data, "timeline_svg": chart})
