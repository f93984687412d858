"""The author's test kit: converting by class, reference or name, and its assertions."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from pywats_converters.runner import FailureCause
from pywats_converters.testing import (
    ConversionFailedError,
    assert_fails,
    assert_valid,
    convert_file,
)

PLUGINS = Path(__file__).parent / "plugins"
sys.path.insert(0, str(PLUGINS))
import hostile_converters  # noqa: E402


@pytest.fixture
def data_file(tmp_path: Path) -> Path:
    path = tmp_path / "SN-7.txt"
    path.write_text("x")
    return path


def test_a_class_converts_in_a_worker(data_file: Path) -> None:
    (report,) = convert_file(data_file, hostile_converters.Good)
    assert report.sn == "SN-7"
    assert report.machine_name == "TEST-STATION"
    assert_valid(report)


def test_a_reference_converts_like_the_class(data_file: Path) -> None:
    (by_class,) = convert_file(data_file, hostile_converters.Good)
    (by_reference,) = convert_file(data_file, "hostile_converters:Good")
    assert by_class.id == by_reference.id  # context.report_id: stable per file


def test_a_failed_conversion_raises_with_message_and_detail(data_file: Path) -> None:
    with pytest.raises(ConversionFailedError) as caught:
        convert_file(data_file, hostile_converters.Raises)
    assert caught.value.failure.cause is FailureCause.CONVERTER_RAISED
    text = str(caught.value)
    assert text.startswith("SN-7.txt: converter 'hostile-raise': converter raised: KeyError")
    assert "Traceback" in text  # the detail, for the author


def test_assert_fails_checks_the_cause(data_file: Path) -> None:
    assert_fails(data_file, hostile_converters.Refuses, cause=FailureCause.CONVERSION_ERROR)
    with pytest.raises(AssertionError, match="expected cause 'timeout'"):
        assert_fails(data_file, hostile_converters.Refuses, cause=FailureCause.TIMEOUT)
    with pytest.raises(AssertionError, match=r"SN-7.txt: converted into 1 report\(s\)"):
        assert_fails(data_file, hostile_converters.Good)


def test_assert_valid_names_each_problem(data_file: Path) -> None:
    (report,) = convert_file(data_file, hostile_converters.Good)
    report.pn = ""
    with pytest.raises(AssertionError, match=r"report 1 \(SN-7\):\nreport: pn is required\."):
        assert_valid(report)
    with pytest.raises(AssertionError, match="no reports"):
        assert_valid([])


def test_a_class_defined_in_a_function_is_refused(data_file: Path) -> None:
    class Local(hostile_converters.Good):
        name = "local"

    with pytest.raises(ValueError, match="must be defined at the top level"):
        convert_file(data_file, Local)
