"""The RootCause domain: tickets, their attachments, archiving."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from pywats import _operations as ops
from pywats._async._api import AsyncApi
from pywats._errors import PyWATSError
from pywats._operation import operation
from pywats._payload import dump
from pywats._ticket import TicketStatus
from pywats.models import Ticket

__all__ = ["AsyncRootCauseService"]


class AsyncRootCauseService:
    def __init__(self, api: AsyncApi) -> None:
        self._api = api

    @operation(ops.RootCause_GetTicket)
    async def ticket(self, ticket_id: str) -> Ticket | None:
        """One ticket by id."""
        return await self._api.found(
            ops.RootCause_GetTicket, Ticket, params={"ticketId": ticket_id}
        )

    @operation(ops.RootCause_PostTicket)
    async def create_ticket(self, ticket: Ticket | Mapping[str, Any]) -> Ticket:
        """Open a ticket; the server's copy (with id and number) comes back."""
        return await self._api.model(ops.RootCause_PostTicket, Ticket, json=dump(ticket))

    @operation(ops.RootCause_PutTicket)
    async def update_ticket(self, ticket: Ticket | Mapping[str, Any]) -> Ticket:
        """Change a ticket (status, assignee, a new update ...)."""
        return await self._api.model(ops.RootCause_PutTicket, Ticket, json=dump(ticket))

    @operation(ops.RootCause_GetTickets)
    async def tickets(
        self, status: TicketStatus | int, view: int, *, search: str | None = None
    ) -> list[Ticket]:
        """Tickets whose status is one of the ``status`` flags (:class:`pywats.TicketStatus`,
        combined with ``|``), in a view (0: assigned to me, 1: following, 2: all),
        optionally matching a text."""
        if not 1 <= int(status) <= 63:
            raise ValueError(f"status is a combination of the flags 1..32, not {int(status)}")
        return await self._api.model_list(
            ops.RootCause_GetTickets,
            Ticket,
            params={"status": int(status), "view": view, "searchString": search},
        )

    @operation(ops.RootCause_ArchiveTickets)
    async def archive_tickets(self, ticket_ids: Iterable[str]) -> Any:
        """Archive solved tickets."""
        ids = [str(i) for i in ticket_ids]
        if not ids:
            raise ValueError("archive_tickets needs at least one ticket id")
        return await self._api.action(ops.RootCause_ArchiveTickets, json=ids)

    @operation(ops.RootCause_GetAttachment)
    async def attachment(self, attachment_id: str, *, file_name: str | None = None) -> bytes | None:
        """The bytes of a ticket attachment."""
        op = ops.RootCause_GetAttachment
        return await self._api.file(
            op, params={"attachmentId": attachment_id, "fileName": file_name}
        )

    @operation(ops.RootCause_PostAttachment)
    async def upload_attachment(
        self, content: bytes, file_name: str, *, content_type: str = "application/octet-stream"
    ) -> str:
        """Upload a file for a ticket update; returns its attachment id."""
        op = ops.RootCause_PostAttachment
        body = await self._api.action(op, files={"file": (file_name, content, content_type)})
        if not isinstance(body, str) or not body:
            raise PyWATSError("expected the new attachment's id", operation=op.key)
        return body
