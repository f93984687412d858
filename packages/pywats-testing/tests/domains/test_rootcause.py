"""Root-cause tickets over loopback against the contract-checking fake."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

import pywats
from pywats.models import Ticket

Run = Callable[[Callable[[Any], Any]], Any]


def test_a_ticket_is_opened_updated_and_listed(run: Run) -> None:
    ticket = run(lambda w: w.rootcause.create_ticket(Ticket(subject="Probe wear", priority=2)))
    assert (ticket.status, ticket.ticket_number is not None) == (1, True)
    tid = str(ticket.ticket_id)
    run(lambda w: w.rootcause.update_ticket({"ticketId": tid, "status": 2, "assignee": "ann"}))
    again = run(lambda w: w.rootcause.ticket(tid))
    assert (again.status, again.assignee) == (2, "ann")
    assert [t.ticket_id for t in run(lambda w: w.rootcause.tickets(2, 2, search="probe"))] == [
        again.ticket_id
    ]
    assert run(lambda w: w.rootcause.tickets(1, 2)) == []


def test_only_solved_tickets_are_archived(run: Run) -> None:
    tid = str(run(lambda w: w.rootcause.create_ticket(Ticket(subject="Open"))).ticket_id)
    with pytest.raises(pywats.ValidationError, match="solved"):
        run(lambda w: w.rootcause.archive_tickets([tid]))
    run(lambda w: w.rootcause.update_ticket({"ticketId": tid, "status": 8}))
    run(lambda w: w.rootcause.archive_tickets([tid]))
    assert run(lambda w: w.rootcause.ticket(tid)).status == 32


def test_an_attachment_round_trips(run: Run) -> None:
    content = bytes(range(256))
    attachment_id = run(lambda w: w.rootcause.upload_attachment(content, "scope.bin"))
    assert run(lambda w: w.rootcause.attachment(attachment_id)) == content
