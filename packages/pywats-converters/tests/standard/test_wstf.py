"""The WSTF converter and its parser: the reference file, bad input, and properties."""

from __future__ import annotations

from datetime import timezone
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pywats_converters import ConversionError, Report, Step
from pywats_converters.standard import WSTF_COLUMNS, WstfConverter, WstfError, parse_wstf

WSTF = "olreppe-pyWATS/virinco-examples/WatsStandardTextFormat.txt"


def _step(report: Report, name: str) -> Step:
    assert report.root is not None
    return next(s for s in report.root.walk() if s.name == name)


@pytest.mark.reference_files("olreppe-pyWATS/virinco-examples/*.txt")
def test_every_wstf_file_converts_to_valid_reports(
    reference_file: Path, convert, assert_valid
) -> None:
    assert_valid(convert(WstfConverter, reference_file))


def test_wstf_header(reference_dir: Path, convert) -> None:
    (report,) = convert(WstfConverter, reference_dir / WSTF)
    assert (report.sn, report.pn, report.rev) == ("423664753", "100200", "A")
    assert (report.process_code, report.process_name) == (10, "SW Debug")  # OperationTypeName
    assert report.result is not None
    assert report.result.value == "F"
    assert report.start_utc is not None
    assert report.start_utc.startswith("2014-07-04T12:09:04")  # UTCStartDateTime is UTC
    assert report.machine_name == "VIC-WS-ML"
    uut = report.uut
    assert uut is not None
    assert (uut.user, uut.batch_sn, uut.fixture_id, uut.exec_time) == (
        "Martin Lentz",
        "B888",
        "543A",
        10.0,
    )
    assert uut.comment is not None
    assert uut.comment.startswith("This is a comment to this UUT.")
    assert [(s.part_type, s.pn, s.sn, s.rev) for s in report.sub_units or []] == [
        ("Main board", "Partno 1", "SN 6654433", "Rev 1"),
        ("Controller Card", "Partno 2", "SN 5555", "Rev B"),
    ]
    assert [(m.description, m.text) for m in report.misc_infos or []] == [("uCSwVer", "1.0")]
    assert report.root is not None
    assert report.root.seq_call is not None
    assert (report.root.seq_call.name, report.root.seq_call.version) == ("c:\\test.seq", "1.0.0.0")


def test_wstf_steps_and_continuation_rows(reference_dir: Path, convert) -> None:
    (report,) = convert(WstfConverter, reference_dir / WSTF)
    assert report.root is not None
    # 22 step rows: 3 EndSequenceCall, 5 continuation rows, 14 steps
    assert len(report.root.walk()) - 1 == 14
    test3 = _step(report, "Test3")
    assert test3.numeric_meas is not None
    assert [
        (m.name, m.value, m.comp_op.value, m.low_limit, m.status.value) for m in test3.numeric_meas
    ] == [  # type: ignore[union-attr]
        ("meas1", 8.0, "EQ", 10.0, "F"),
        ("meas2", 6.0, "EQ", 5.0, "F"),
        ("meas3", 10.0, "EQ", 10.0, "P"),
    ]
    assert test3.status is not None
    assert test3.status.value == "F"
    assert test3.caused_seq_failure is True
    test5 = _step(report, "test5")
    assert [(m.name, m.status.value) for m in test5.boolean_meas or []] == [  # type: ignore[union-attr]
        ("meas1", "F"),
        ("meas2", "P"),
        ("meas3", "P"),
        ("meas4", "F"),
    ]
    sub1 = _step(report, "SubSeq1")
    assert [c.name for c in sub1.children] == ["test1.1", "test1.2"]
    first = sub1.children[0].numeric_meas
    assert first is not None
    assert (first[0].value, first[0].low_limit, first[0].high_limit, first[0].unit) == (
        7.0,
        7.0,
        10.0,
        "Volt",
    )
    text = _step(report, "Test6").string_meas
    assert text is not None
    assert (text[0].value, text[0].limit, text[0].status.value) == (  # type: ignore[union-attr]
        "The quick brown fox jump over lazy dogs",
        "the quick brown fox jump over lazy dogs",
        "F",
    )
    same = [s for s in report.root.walk() if s.name == "SameStepName"]
    assert len(same) == 2  # a repeated step name is a new step; only a blank one continues


@pytest.mark.parametrize(
    ("written", "utc"),
    [
        ("2014-07-04T12:09:04", "2014-07-04T12:09:04"),
        ("2014-07-04T12:09:04Z", "2014-07-04T12:09:04"),
        ("2014-07-04T07:09:04-05:00", "2014-07-04T12:09:04"),
        ("2014-07-04T14:09:04+02:00", "2014-07-04T12:09:04"),
    ],
)
def test_utc_start_times(written: str, utc: str) -> None:
    text = _render("SN-1", [("PassFailTest", "P", [1.0])])
    text = text.replace("SerialNumber\tSN-1", f"SerialNumber\tSN-1\nUTCStartDateTime\t{written}")
    (unit,) = parse_wstf(text)
    assert unit.header.start is not None
    assert unit.header.start.astimezone(timezone.utc).isoformat().startswith(utc)


def test_several_uuts_in_one_file(
    reference_dir: Path, tmp_path: Path, convert, assert_valid
) -> None:
    text = (reference_dir / WSTF).read_text(encoding="utf-8")
    path = tmp_path / "two.txt"
    path.write_text(text + "\n" + text.replace("423664753", "423664754"), encoding="utf-8")
    reports = convert(WstfConverter, path)
    assert_valid(reports)
    assert [r.sn for r in reports] == ["423664753", "423664754"]
    assert reports[0].id != reports[1].id
    again = convert(WstfConverter, path)
    assert [r.id for r in again] == [r.id for r in reports]  # stable ids on reconversion


def test_a_truncated_wstf_file_is_refused(reference_dir: Path, tmp_path: Path, convert) -> None:
    text = (reference_dir / WSTF).read_text(encoding="utf-8")
    path = tmp_path / "cut.txt"
    path.write_text(text[: text.index("--Step-Data-End--")], encoding="utf-8")
    with pytest.raises(
        ConversionError,
        match=r"^cut\.txt: line \d+: the file ends inside the UUT that starts on line 1",
    ):
        convert(WstfConverter, path)


def test_a_wstf_file_in_the_wrong_encoding_is_refused(
    reference_dir: Path, tmp_path: Path, convert
) -> None:
    text = (
        (reference_dir / WSTF).read_text(encoding="utf-8").replace("Martin Lentz", "Mårtin Lentz")
    )
    path = tmp_path / "latin1.txt"
    path.write_bytes(text.encode("latin-1"))
    with pytest.raises(ConversionError, match=r"^latin1\.txt: not valid text in utf-8 \(byte \d+"):
        convert(WstfConverter, path, {"encodings": ["utf-8"]})
    (report,) = convert(WstfConverter, path)  # the default tries code page 1252 next
    assert report.uut is not None
    assert report.uut.user == "Mårtin Lentz"


def test_a_wstf_file_without_a_serial_number_is_refused(
    reference_dir: Path, tmp_path: Path, convert
) -> None:
    text = (reference_dir / WSTF).read_text(encoding="utf-8")
    path = tmp_path / "nosn.txt"
    path.write_text(text.replace("SerialNumber\t423664753", "SerialNumber\t"), encoding="utf-8")
    with pytest.raises(ConversionError, match=r"^nosn\.txt: no serial number"):
        convert(WstfConverter, path)


def test_a_continuation_row_without_a_step_names_the_line(
    reference_dir: Path, tmp_path: Path, convert
) -> None:
    lines = (reference_dir / WSTF).read_text(encoding="utf-8").split("\n")
    first_step = next(i for i, line in enumerate(lines) if line.startswith("SequenceCall\tSubSeq1"))
    lines.insert(first_step, "NumericLimitTest\t\tmeas9\t1\t0\t2\tGELE\tV\tPassed")
    path = tmp_path / "orphan.txt"
    path.write_text("\n".join(lines), encoding="utf-8")
    with pytest.raises(
        ConversionError,
        match=rf"^orphan\.txt: line {first_step + 1}: a row without a StepName must continue",
    ):
        convert(WstfConverter, path)


def test_decimal_commas(tmp_path: Path, convert, assert_valid) -> None:
    path = tmp_path / "comma.txt"
    path.write_text(
        _render("SN-1", [("NumericLimitTest", "Volt", [1.25])]).replace("1.25", "1,25"),
        encoding="utf-8",
    )
    (report,) = convert(WstfConverter, path, {"decimal_separator": ",", "default_part_number": "P"})
    assert_valid([report])
    assert _step(report, "Volt").numeric_meas[0].value == 1.25  # type: ignore[index]


# ------------------------------------------------------------------------ properties


def _render(sn: str, steps: list[tuple[str, str, list[float]]]) -> str:
    """A WSTF document with one UUT; each step is (type, name, values)."""
    rows = [
        "--Header-Start--",
        f"SerialNumber\t{sn}",
        "--Step-Data-Start--",
        "\t".join(WSTF_COLUMNS),
    ]
    for step_type, name, values in steps:
        for index, value in enumerate(values):
            shown = name if index == 0 else ""
            if step_type == "PassFailTest":
                cell = "TRUE" if value >= 0 else "FALSE"
            elif step_type == "StringValueTest":
                cell = f"s{value!r}"
            else:
                cell = repr(value)
            rows.append(f"{step_type}\t{shown}\tm{index}\t{cell}\t\t\t\t\t\t\t\t\t\t")
    rows += ["--Step-Data-End--", "-- UUT-End--", ""]
    return "\n".join(rows)


_names = st.text(
    alphabet=st.characters(blacklist_categories=("Cs", "Cc", "Zl", "Zp")), min_size=1, max_size=20
).filter(lambda s: s.strip() == s and not s.startswith("--"))
_values = st.floats(allow_nan=False, allow_infinity=False, width=64)
_steps = st.lists(
    st.tuples(
        st.sampled_from(["NumericLimitTest", "PassFailTest", "StringValueTest"]),
        _names,
        st.lists(_values, min_size=1, max_size=4),
    ),
    min_size=1,
    max_size=8,
)


@settings(max_examples=150, deadline=None)
@given(steps=_steps)
def test_parsed_step_tables_keep_every_step_and_measurement(
    steps: list[tuple[str, str, list[float]]],
) -> None:
    (unit,) = parse_wstf(_render("SN-1", steps))
    assert [(n.step_type, n.name) for n in unit.steps] == [(t, name) for t, name, _ in steps]
    for node, (step_type, _, values) in zip(unit.steps, steps, strict=True):
        assert len(node.measurements) == len(values)
        for meas, value in zip(node.measurements, values, strict=True):
            if step_type == "NumericLimitTest":
                assert meas.value == value
            elif step_type == "PassFailTest":
                assert meas.passed is (value >= 0)
            else:
                assert meas.value == f"s{value!r}"


_fragments = st.sampled_from(
    [
        "--Header-Start--",
        "--Step-Data-Start--",
        "--Step-Data-End--",
        "-- UUT-End--",
        "SerialNumber\tX",
        "UTCStartDateTime\t2020-13-45T99:00:00",
        "\t".join(WSTF_COLUMNS),
        "SequenceCall\tS",
        "EndSequenceCall",
        "NumericLimitTest\tN\t\t1e400\t\t\tGELE",
        "NumericLimitTest\t\tm\tabc",
        "PassFailTest\tP\t\tmaybe",
        "StringValueTest\tS\t\tv\tl\t\tGT",
        "UUTStatus\tWeird",
        "ExecutionTime\tlong",
        "",
    ]
)


@settings(max_examples=300, deadline=None)
@given(document=st.lists(st.one_of(_fragments, st.text(max_size=30)), max_size=20).map("\n".join))
def test_any_text_parses_or_fails_with_a_line_number(document: str) -> None:
    outcome: list[object] | WstfError
    try:
        outcome = list(parse_wstf(document))
    except WstfError as exc:
        outcome = exc
    if isinstance(outcome, WstfError):
        assert 1 <= outcome.line <= document.count("\n") + 2
        assert str(outcome).startswith(f"line {outcome.line}: ")
        return
    assert outcome  # a document that parses holds at least one UUT
