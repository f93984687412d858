"""Routes of the Converters page: the listing, and each folder's settings form."""

from __future__ import annotations

from typing import Any

from litestar import Request, Response, get, post
from litestar.datastructures import State
from litestar.response import Redirect, Template

from pywats_station.web._backend import ConsoleBackend
from pywats_station.web._converters import FIELD_PREFIX, SaveResult

__all__ = ["CONVERTER_ROUTES"]


def _backend(state: State) -> ConsoleBackend:
    backend: ConsoleBackend = state.backend
    return backend


async def _context(
    state: State, *, message: str = "", form: tuple[int, SaveResult] | None = None
) -> dict[str, Any]:
    view = await _backend(state).converters(form)
    return {
        "view": view,
        "message": message,
        "refused": form,
        "prefix": FIELD_PREFIX,
        "page": "converters",
    }


@get("/converters", name="converters")
async def converters_page(state: State, saved: str = "", folder: int = -1) -> Template:
    message = f"folder {folder}: {saved}" if saved and folder >= 0 else ""
    return Template("converters.html", context=await _context(state, message=message))


@post("/converters/folders/{index:int}", name="converter-settings-save", status_code=200)
async def converter_settings_save(
    request: Request[Any, Any, Any], state: State, index: int
) -> Response[Any]:
    form = await request.form()
    typed = {
        key.removeprefix(FIELD_PREFIX): str(form.get(key) or "")
        for key in form
        if key.startswith(FIELD_PREFIX)
    }
    path = str(form.get("path") or "")
    result = await _backend(state).update_converter_settings(index, path, typed)
    if result.problems:
        context = await _context(state, form=(index, result))
        return Template("converters.html", context=context, status_code=422)
    return Redirect(
        path=f"/converters?folder={index}&saved={result.message}#folder-{index}", status_code=303
    )


CONVERTER_ROUTES = [converters_page, converter_settings_save]
