"""Routes of the Converters page: the listing, and each folder's settings form."""

from __future__ import annotations

from typing import Any

from litestar import Request, Response, get, post
from litestar.datastructures import State
from litestar.response import Redirect, Template

from pywats_station.web._backend import ConsoleBackend
from pywats_station.web._converters import FIELD_PREFIX, ConvertersView, SaveResult

__all__ = ["CONVERTER_ROUTES"]


def _backend(state: State) -> ConsoleBackend:
    backend: ConsoleBackend = state.backend
    return backend


async def _context(state: State, form: tuple[int, SaveResult] | None = None) -> dict[str, Any]:
    view = await _backend(state).converters(form)
    return {
        "view": view,
        "message": "",
        "refused": form,
        "prefix": FIELD_PREFIX,
        "page": "converters",
    }


def _saved_message(view: ConvertersView | None, index: int, outcome: str) -> str:
    """What the page says after a save, worked out here: nothing typed into the URL is
    shown back."""
    if view is None or not 0 <= index < len(view.folders) or outcome not in _OUTCOMES:
        return ""
    folder = view.folders[index]
    if outcome == "unchanged":
        return f"{folder.path}: no change"
    if folder.watched:
        return f"{folder.path}: saved; the folder uses the new settings from its next file"
    return f"{folder.path}: saved; the folder is not watched now: restart the station to use them"


_OUTCOMES = ("saved", "unchanged")


@get("/converters", name="converters")
async def converters_page(state: State, folder: int = -1, outcome: str = "") -> Template:
    context = await _context(state)
    context["message"] = _saved_message(context["view"], folder, outcome)
    return Template("converters.html", context=context)


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
        context = await _context(state, (index, result))
        return Template("converters.html", context=context, status_code=422)
    outcome = "saved" if result.changed else "unchanged"
    return Redirect(
        path=f"/converters?folder={index}&outcome={outcome}#folder-{index}", status_code=303
    )


CONVERTER_ROUTES = [converters_page, converter_settings_save]
