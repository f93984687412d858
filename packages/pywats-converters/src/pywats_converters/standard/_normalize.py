"""Make WATS's own exports acceptable to WATS's own import rules (wats-facts §7.12).

The server's WSJF/WSXF exports are not re-importable: loop summaries carry
``num == endingIndex == n``, loop iterations may differ from their summary, and older WSXF
writers mark a measurement Passed under a Failed step. Each repair below changes as little
as possible and keeps every measurement:

* loop counters: ``endingIndex`` = the highest iteration index, ``num`` = ``endingIndex + 1``;
* a loop whose iterations differ from its summary (step type, measurements, limits, child
  steps) is written out as plain steps: the summary (an aggregate of the iterations) is
  dropped and each iteration stays, in order, with its own data and without loop markers;
* a step with one measurement whose status disagrees: the step's status is the sequencer's
  verdict, so the measurement takes it; a Done or Unknown step (no verdict) takes its
  measurements' status instead. A step with several disagreeing measurements is left alone
  (and fails validation): guessing which measurement failed would be inventing data.
"""

from __future__ import annotations

from pywats.report import (
    LoopInfo,
    MeasurementStatus,
    Report,
    ReportType,
    Step,
    StepStatus,
    validate,
)

from ._values import step_status_from

__all__ = ["normalize_report"]

_MEASUREMENT_FOR_STEP = {
    StepStatus.PASSED: MeasurementStatus.PASSED,
    StepStatus.FAILED: MeasurementStatus.FAILED,
    StepStatus.SKIPPED: MeasurementStatus.SKIPPED,
}
# The validator's loop-matching messages all end with this ("... to match Summary step.").
_MATCH = "Summary step"


def normalize_report(report: Report) -> Report:
    """Repair ``report`` in place as the module docstring says; returns it."""
    if report.root is not None:
        _normalize_step(report.root)
    return report


def _normalize_step(step: Step) -> None:
    _settle_status(step)
    if step.steps:
        for child in step.steps:
            _normalize_step(child)
        step.steps = _normalize_loops(step.steps)


def _settle_status(step: Step) -> None:
    measurements = step.measurements()
    statuses = {m.status for m in measurements if m.status is not None}
    if not statuses or step.status in (None, StepStatus.ERROR, StepStatus.TERMINATED):
        return
    derived = step_status_from(statuses)
    if step.status is derived:
        return
    if step.status in (StepStatus.DONE, StepStatus.UNKNOWN):
        step.status = derived
    elif len(measurements) == 1:
        measurements[0].status = _MEASUREMENT_FOR_STEP[step.status]


def _normalize_loops(siblings: list[Step]) -> list[Step]:
    result: list[Step] = []
    position = 0
    while position < len(siblings):
        summary = siblings[position]
        position += 1
        loop = summary.loop
        if loop is None or loop.idx is not None:
            result.append(summary)
            continue
        iterations: list[Step] = []
        while position < len(siblings):
            sibling = siblings[position]
            if sibling.loop is None or sibling.loop.idx is None or sibling.name != summary.name:
                break
            iterations.append(sibling)
            position += 1
        if iterations and not _iterations_match(summary, iterations):
            for iteration in iterations:
                iteration.loop = None
            result += iterations
            continue
        highest = max(
            (it.loop.idx for it in iterations if it.loop and it.loop.idx is not None),
            default=None,
        )
        ending = highest if highest is not None else (loop.num or 0) - 1
        loop.ending_index = ending
        loop.num = ending + 1
        result += [summary, *iterations]
    return result


def _iterations_match(summary: Step, iterations: list[Step]) -> bool:
    """Whether the validator's loop rules 3-5 hold, asked of the validator itself."""
    highest = max(it.loop.idx for it in iterations if it.loop and it.loop.idx is not None)
    counted = LoopInfo(num=highest + 1, endingIndex=highest)
    probe = Step.model_construct(
        name="probe", steps=[summary.model_copy(update={"loop": counted}), *iterations]
    )
    report = Report.model_construct(type=ReportType.UUT, id="", root=probe)
    return not any(_MATCH in problem.message for problem in validate(report))
