"""A Hypothesis state machine: submissions, retries and faults against a model of WATS.

Each step posts a report (one of three ids, one of two bodies, with or without the
report id as Idempotency-Key) through real loopback HTTP while a fault may be armed. The
model predicts what the client sees and what the server holds; after every step the
fake's counters must agree with it.
"""

from __future__ import annotations

import json
from typing import Any

import httpx
from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, rule

from pywats_testing import FakeWatsServer

IDS = [f"00000000-0000-4000-8000-00000000000{n}" for n in range(1, 4)]
FAULTS = ["none", "status", "reset_before", "reset_after_commit"]


def _report(report_id: str, result: str) -> bytes:
    return json.dumps(
        {
            "type": "T", "id": report_id, "pn": "PN", "sn": "SN", "rev": "A",
            "processCode": 10, "result": result, "machineName": "m", "location": "l",
            "purpose": "p", "start": "2026-01-01T10:00:00+01:00",
            "startUTC": "2026-01-01T09:00:00Z", "uut": {"user": "op"},
            "root": {"id": 1, "group": "M", "stepType": "SequenceCall", "name": "Main",
                     "status": "P", "steps": []},
        }
    ).encode()  # fmt: skip


class SubmissionMachine(RuleBasedStateMachine):
    def __init__(self) -> None:
        super().__init__()
        self.fake = FakeWatsServer(seed=0).start()
        self.http = httpx.Client(
            base_url=self.fake.url,
            headers={"Authorization": f"Basic {self.fake.token}"},
            timeout=10.0,
        )
        self.commits = dict.fromkeys(IDS, 0)
        self.replays = dict.fromkeys(IDS, 0)
        self.keys: dict[str, bytes] = {}  # key -> body of the committed request

    def teardown(self) -> None:
        self.http.close()
        self.fake.stop()

    @rule(
        report_id=st.sampled_from(IDS),
        result=st.sampled_from(["P", "F"]),
        with_key=st.booleans(),
        fault=st.sampled_from(FAULTS),
    )
    def submit(self, report_id: str, result: str, with_key: bool, fault: str) -> None:
        body = _report(report_id, result)
        route = "POST /api/Report/WSJF"
        if fault == "status":
            self.fake.fail(route, status=503)
        elif fault == "reset_before":
            self.fake.reset_before(route)
        elif fault == "reset_after_commit":
            self.fake.reset_after_commit(route)

        # What the model expects.
        expected: Any
        if fault in ("status", "reset_before"):
            expected = 503 if fault == "status" else "reset"
        elif with_key and report_id in self.keys and self.keys[report_id] != body:
            expected = 422
        elif with_key and report_id in self.keys:
            self.replays[report_id] += 1
            expected = "reset" if fault == "reset_after_commit" else 200
        else:
            self.commits[report_id] += 1
            if with_key:
                self.keys[report_id] = body
            expected = "reset" if fault == "reset_after_commit" else 200

        headers = {"Content-Type": "application/json"}
        if with_key:
            headers["Idempotency-Key"] = report_id
        try:
            seen: Any = self.http.post("/api/Report/WSJF", content=body, headers=headers)
        except httpx.TransportError:
            seen = "reset"
        else:
            if seen.status_code == 200:
                assert seen.json()["ID"] == report_id
            seen = seen.status_code
        assert seen == expected
        self.fake.clear_faults()

    @invariant()
    def counters_agree(self) -> None:
        for report_id in IDS:
            assert self.fake.commits(report_id) == self.commits[report_id]
            assert self.fake.replays(report_id) == self.replays[report_id]
        assert len(self.fake.reports()) == sum(1 for n in self.commits.values() if n)


SubmissionMachine.TestCase.settings = settings(
    max_examples=25, stateful_step_count=12, deadline=None
)
test_submissions_match_the_model = SubmissionMachine.TestCase
