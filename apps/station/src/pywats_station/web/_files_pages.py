"""The Files page: recent source files per folder, one file's detail, reconvert, requeue.

Every form works without JavaScript (a POST, then a redirect to the result, or the page
again with the refusal); with htmx the same forms swap the file's detail in place.
"""

from __future__ import annotations

from typing import Any

from litestar import Request, Response, get, post
from litestar.datastructures import State
from litestar.exceptions import NotFoundException
from litestar.response import Redirect, Template

from pywats_station.web._files import FileAction, FileConsole, OutcomeFilter
from pywats_station.web._pages import PAGE_SIZE, _backend, _is_htmx, page_or_fragment

__all__ = ["FILE_ROUTES"]

OUTCOMES: tuple[OutcomeFilter, ...] = ("", "queued", "failed")
_DONE = {
    "reconverted": "Reconverted: this is the file's new record.",
    "requeued": "Requeued: its dead-letter reports wait to be sent again.",
}


def _files(state: State) -> FileConsole | None:
    return _backend(state).files


async def _files_context(
    state: State, folder: str, outcome: str, offset: int, limit: int
) -> dict[str, Any]:
    files = _files(state)
    shown: OutcomeFilter = next((o for o in OUTCOMES if o == outcome), "")
    fpage = None
    if files is not None:
        fpage = await files.page(
            folder=folder.strip(),
            outcome=shown,
            offset=max(0, offset),
            limit=max(1, min(limit, 500)),
        )
    return {"fpage": fpage, "outcomes": OUTCOMES, "page": "files"}


@get(["/files", "/fragments/files"], name="files")
async def files_page(
    request: Request[Any, Any, Any],
    state: State,
    folder: str = "",
    outcome: str = "",
    offset: int = 0,
    limit: int = PAGE_SIZE,
) -> Template:
    """The page, or (under /fragments) the part of it that the live update swaps."""
    context = await _files_context(state, folder, outcome, offset, limit)
    return page_or_fragment(request, "files.html", context)


async def _file_context(state: State, record_id: int, message: str = "") -> dict[str, Any]:
    files = _files(state)
    detail = None if files is None else await files.detail(record_id)
    if detail is None:
        raise NotFoundException(f"no file record {record_id}")
    return {"file": detail, "message": message, "page": "files"}


@get("/files/{record_id:int}", name="file")
async def file_page(state: State, record_id: int, done: str = "") -> Template:
    message = _DONE.get(done, "")
    return Template("file.html", context=await _file_context(state, record_id, message))


async def _answer(
    request: Request[Any, Any, Any], state: State, record_id: int, result: FileAction, verb: str
) -> Response[Any]:
    """htmx: the detail fragment with the message (of the new record after a
    reconvert). Without JavaScript: a redirect to the result, or the page with the
    refusal (409)."""
    shown = result.record if result.record is not None else record_id
    if _is_htmx(request):
        context = await _file_context(state, shown, result.message)
        return Template("_file.html", context=context)
    if result.ok or (verb == "reconverted" and shown != record_id):
        return Redirect(path=f"/files/{shown}?done={verb}", status_code=303)
    context = await _file_context(state, record_id, result.message)
    return Template("file.html", context=context, status_code=409)


async def _act(
    request: Request[Any, Any, Any], state: State, record_id: int, verb: str
) -> Response[Any]:
    files = _files(state)
    if files is None:
        raise NotFoundException("this console has no intake")
    if verb == "reconverted":
        result = await files.reconvert(record_id)
    else:
        result = await files.requeue(record_id)
    if result.record is None or await files.detail(result.record) is None:
        raise NotFoundException(result.message)
    return await _answer(request, state, record_id, result, verb)


@post("/files/{record_id:int}/reconvert", name="file-reconvert", status_code=200)
async def file_reconvert(
    request: Request[Any, Any, Any], state: State, record_id: int
) -> Response[Any]:
    return await _act(request, state, record_id, "reconverted")


@post("/files/{record_id:int}/requeue", name="file-requeue", status_code=200)
async def file_requeue(
    request: Request[Any, Any, Any], state: State, record_id: int
) -> Response[Any]:
    return await _act(request, state, record_id, "requeued")


FILE_ROUTES = [files_page, file_page, file_reconvert, file_requeue]
