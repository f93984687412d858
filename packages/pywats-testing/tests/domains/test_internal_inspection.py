"""wats.internal.manual_inspection (INTERNAL routes) over loopback against the fake,
sync and async: definitions and versions, relations and conflicts, sequences and their
results, XAML, misc-info checks."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

import pywats
from pywats.internal import (
    MiMiscInfo,
    MiStep,
    RelationConflict,
    TestSequenceDefinition,
    TestSequenceRelation,
)

Run = Callable[[Callable[[Any], Any]], Any]


def _definition(run: Run, name: str = "Visual", **more: Any) -> str:
    made = run(
        lambda w: w.internal.manual_inspection.create_definition(
            TestSequenceDefinition(name=name, **more), create_default_xaml=True
        )
    )
    return str(made.test_sequence_definition_id)


def _relate(run: Run, definition_id: str, part_number: str) -> TestSequenceRelation:
    relation = TestSequenceRelation(
        test_sequence_definition_id=definition_id,
        entity_schema="Product",
        entity_name="PartNumber",
        entity_value=part_number,
    )
    made: TestSequenceRelation = run(
        lambda w: w.internal.manual_inspection.create_relation(relation)
    )
    return made


def test_a_definition_reads_back_and_lists_by_scope(run: Run) -> None:
    local = _definition(run)
    _definition(run, "Global", is_global=True)
    one = run(lambda w: w.internal.manual_inspection.definition(local))
    assert (one.name, one.version, one.status) == ("Visual", 1, 0)
    names = [
        d.name for d in run(lambda w: w.internal.manual_inspection.definitions(is_global=True))
    ]
    assert names == ["Global"]


def test_an_unknown_definition_is_not_found(run: Run) -> None:
    with pytest.raises(pywats.NotFoundError, match="definition"):
        run(lambda w: w.internal.manual_inspection.definition("nope"))


def test_a_definition_needs_a_name(run: Run) -> None:
    with pytest.raises(pywats.ValidationError, match="needs a Name"):
        run(lambda w: w.internal.manual_inspection.create_definition(TestSequenceDefinition()))


def test_an_update_changes_name_and_status(run: Run) -> None:
    definition_id = _definition(run)
    entity = {"id": definition_id, "name": "Visual check", "status": 1}
    saved = run(lambda w: w.internal.manual_inspection.update_definition(entity))
    assert (saved.name, saved.status) == ("Visual check", 1)


def test_a_copy_is_the_next_version_with_the_same_xaml(run: Run) -> None:
    first = _definition(run)
    run(
        lambda w: w.internal.manual_inspection.save_xaml(first, "<Activity v='2'/>", username="ola")
    )
    copy = run(lambda w: w.internal.manual_inspection.definition_copy(first))
    assert (copy.name, copy.version) == ("Visual", 2)
    copied = str(copy.test_sequence_definition_id)
    assert run(lambda w: w.internal.manual_inspection.xaml(copied)) == "<Activity v='2'/>"
    content = run(lambda w: w.internal.manual_inspection.wwf_content(copied))
    assert content["content"] == "<Activity v='2'/>"


def test_relations_are_made_changed_and_removed(run: Run) -> None:
    definition_id = _definition(run)
    made = _relate(run, definition_id, "PN-1")
    changed = made.model_copy(update={"entity_value": "PN-2"})
    run(lambda w: w.internal.manual_inspection.update_relation(changed))
    [now] = run(lambda w: w.internal.manual_inspection.relations(definition_id))
    assert now.entity_value == "PN-2"
    rid = str(made.test_sequence_relation_id)
    assert run(lambda w: w.internal.manual_inspection.delete_relations([rid])) == [rid]
    assert run(lambda w: w.internal.manual_inspection.relations(definition_id)) == []


def test_two_definitions_for_one_product_conflict(run: Run) -> None:
    first, second = _definition(run, "One"), _definition(run, "Two")
    _relate(run, first, "PN-9")
    _relate(run, second, "PN-9")
    conflicts = run(lambda w: w.internal.manual_inspection.relation_conflicts_new(first))
    assert conflicts == [RelationConflict(id=second, name="Two", version=1)]
    assert run(lambda w: w.internal.manual_inspection.relation_conflicts(first)) == [second]


def test_a_unit_gets_the_sequences_of_its_product(run: Run) -> None:
    definition_id = _definition(run)
    _relate(run, definition_id, "PN-S")
    found = run(lambda w: w.internal.manual_inspection.sequences("SN-1", "PN-S", "A", "B-1"))
    assert [d["TestSequenceDefinitionId"] for d in found] == [definition_id]
    assert run(lambda w: w.internal.manual_inspection.sequences("SN-1", "PN-X", "A", "B-1")) == []


def test_a_submitted_sequence_counts_and_reads_back(run: Run) -> None:
    definition_id = _definition(run)
    steps = [MiStep(definition_id=definition_id, id=1, name="Look", result=1)]
    draft = run(lambda w: w.internal.manual_inspection.save_sequence(steps))
    done = run(lambda w: w.internal.manual_inspection.save_sequence(steps, submit=True))
    assert run(lambda w: w.internal.manual_inspection.instances_count(definition_id)) == 1
    details = run(lambda w: w.internal.manual_inspection.details(done["id"]))
    assert details["steps"][0]["name"] == "Look"
    summary = run(lambda w: w.internal.manual_inspection.details_new(draft["id"]))
    assert (summary["stepCount"], summary["passedCount"], summary["submitted"]) == (1, 1, False)


def test_a_string_test_value_lands_in_the_run(run: Run) -> None:
    definition_id = _definition(run)
    saved = run(
        lambda w: w.internal.manual_inspection.save_sequence(
            [MiStep(definition_id=definition_id, id=1, name="Label")]
        )
    )
    step = MiStep(definition_id=definition_id, id=1, name="Label", comment="LBL-7")
    run(lambda w: w.internal.manual_inspection.save_string_test(step))
    details = run(lambda w: w.internal.manual_inspection.details(saved["id"]))
    assert [s.get("comment") for s in details["steps"]] == ["LBL-7"]


def test_misc_info_is_checked_against_its_rule(run: Run) -> None:
    good = MiMiscInfo(name="Lot", regex="L-[0-9]+", value="L-12")
    bad = good.model_copy(update={"value": "X"})
    assert run(lambda w: w.internal.manual_inspection.validate_misc_info(good))["isValid"] is True
    assert run(lambda w: w.internal.manual_inspection.validate_misc_info(bad))["isValid"] is False
