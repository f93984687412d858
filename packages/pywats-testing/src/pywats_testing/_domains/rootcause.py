"""WATS area RootCause: tickets (status flags 1 open .. 32 archived), their updates and
attachments; archiving takes solved tickets only (wats-facts §4.8)."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from .._framework import Reply, Request, RouteTable, json_object, or_404
from .._mes import multipart_file, new_id, now_iso

if TYPE_CHECKING:
    from .._app import FakeWatsApp

__all__ = ["routes"]

routes: RouteTable[FakeWatsApp] = RouteTable()

OPEN, SOLVED, ARCHIVED = 1, 8, 32
VIEWS = (0, 1, 2)  # assigned to me, following, all [inferred]


def _with_update(ticket: dict[str, Any], body: dict[str, Any]) -> None:
    update = body.get("update")
    if isinstance(update, dict) and update.get("content"):
        entry = {**update, "updateId": new_id(), "updateUtc": now_iso(), "updateUser": "api"}
        ticket.setdefault("history", []).append(entry)
    ticket.pop("update", None)


@routes.get("/api/RootCause/Tickets")
async def rootcause_tickets(app: FakeWatsApp, request: Request) -> Reply:
    try:
        status, view = int(request.param("status") or ""), int(request.param("view") or "")
    except ValueError:
        return Reply.message(400, "status and view are required numbers")
    if view not in VIEWS:
        return Reply.message(400, f"view must be one of {VIEWS}")
    search = (request.param("searchString") or "").lower()
    found = [
        t
        for t in app.mes.tickets.values()
        if t["status"] & status and (not search or search in (t.get("subject") or "").lower())
    ]
    return Reply.json(sorted(found, key=lambda t: t["ticketNumber"]))


@routes.get("/api/RootCause/Ticket")
async def rootcause_get_ticket(app: FakeWatsApp, request: Request) -> Reply:
    ticket = or_404(
        app.mes.tickets.get((request.param("ticketId") or "").lower()),
        f"Ticket '{request.param('ticketId')}'",
    )
    return Reply.json(ticket)


@routes.post("/api/RootCause/Ticket")
async def rootcause_post_ticket(app: FakeWatsApp, request: Request) -> Reply:
    body = json_object(request.body, "subject")
    with app.mes.lock:
        ticket = {k: v for k, v in body.items() if v is not None and k != "ticketId"}
        ticket.update(
            ticketId=new_id(),
            ticketNumber=app.mes.next_number(),
            status=body.get("status") or OPEN,
            createdUtc=now_iso(),
            updatedUtc=now_iso(),
            history=[],
        )
        _with_update(ticket, body)
        app.mes.tickets[ticket["ticketId"]] = ticket
    return Reply.json(ticket)


@routes.put("/api/RootCause/Ticket")
async def rootcause_put_ticket(app: FakeWatsApp, request: Request) -> Reply:
    body = json_object(request.body)
    with app.mes.lock:
        ticket = or_404(
            app.mes.tickets.get(str(body.get("ticketId") or "").lower()),
            f"Ticket '{body.get('ticketId')}'",
        )
        keep = {"ticketId", "ticketNumber", "createdUtc", "history"}
        ticket.update({k: v for k, v in body.items() if v is not None and k not in keep})
        _with_update(ticket, body)
        ticket["updatedUtc"] = now_iso()
    return Reply.json(ticket)


@routes.post("/api/RootCause/ArchiveTickets")
async def rootcause_archive(app: FakeWatsApp, request: Request) -> Reply:
    try:
        ids = json.loads(request.body or b"[]")
    except ValueError:
        return Reply.message(400, "expected a JSON array of ticket ids")
    with app.mes.lock:
        tickets = [app.mes.tickets.get(str(i).lower()) for i in ids]
        if any(t is None for t in tickets):
            return Reply.message(404, "a ticket was not found")
        unsolved = [t["ticketNumber"] for t in tickets if t and t["status"] != SOLVED]
        if unsolved:
            return Reply.message(400, f"Only solved tickets can be archived: {unsolved}")
        for ticket in tickets:
            assert ticket is not None
            ticket["status"] = ARCHIVED
    return Reply.json(tickets[-1] if tickets else {})


@routes.post("/api/RootCause/Attachment")
async def rootcause_post_attachment(app: FakeWatsApp, request: Request) -> Reply:
    try:
        name, content = multipart_file(request.headers.get("content-type", ""), request.body)
    except ValueError as exc:
        return Reply.message(400, str(exc))
    attachment_id = new_id()
    app.mes.attachments[attachment_id] = (name, content)
    return Reply.json(attachment_id)


@routes.get("/api/RootCause/Attachment")
async def rootcause_get_attachment(app: FakeWatsApp, request: Request) -> Reply:
    found = or_404(
        app.mes.attachments.get((request.param("attachmentId") or "").lower()), "Attachment"
    )
    name, content = found
    return Reply(
        200,
        content,
        "application/octet-stream",
        [("Content-Disposition", f'attachment; filename="{request.param("fileName") or name}"')],
    )
