"""Damaged input (cut anywhere, bytes changed) gives valid reports or a ConversionError, never a
traceback: property-based, over every text converter's reference sample.

Hypothesis picks the damage, the same every run unless ``PYWATS_TEST_SEED`` is set (then
that seed; a failure prints the example to replay). ``PYWATS_TEST_EXAMPLES`` raises the
number of cases per sample (default 25) for a deeper local run.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, seed, settings
from hypothesis import strategies as st

from pywats_converters import ConversionError, Converter, format_problems, validate
from pywats_converters_equipment import (
    XJTAG,
    KlippelQC,
    ListenSoundCheck,
    SakiAOI,
    SigmaQuestUnitReport,
    SpeaICT3030,
    StepWize,
    TakayaFlyingProbe,
    TeradyneGR228X,
    TeradyneSpectrum,
)

PREFIX = "Virinco-WATS-Client-Converter-"
SAMPLES: list[tuple[type[Converter[Any]], str]] = [
    (TeradyneGR228X, "Teradyne-ICT-GR228X/43420_BIO2_Extended.LOG"),
    (TeradyneSpectrum, "Terradyne-ICT-Spectrum/sample_ict_data.txt"),
    (SpeaICT3030, "Spea-ICT-3030/testdata_SN9871234012.csv"),
    (TakayaFlyingProbe, "TAKAYA-Flying-Probe/ATD/V682780_B_BOT-20230301082027.ATD"),
    (TakayaFlyingProbe, "TAKAYA-Flying-Probe/APT94xx_ATD/11111-BV0001 (AT33).ATD"),
    (TakayaFlyingProbe, "TAKAYA-Flying-Probe/ATVG02_43393848.1023824957283_20141227_152724.ATD"),
    (XJTAG, "JTAG/1234_14_25_32_10.08.2018_Pass.xjlog"),
    (SakiAOI, "Saki-XML/SAKI-testdata.xml"),
    (SigmaQuestUnitReport, "SigmaQuest-XML/testdata_SN651658.xml"),
    (StepWize, "StepWize/20250316_133653_CONFIG_AND_RESULTS.XSPC"),
    (ListenSoundCheck, "Listen/US/WATS18 11-2-2020.txt"),
    (ListenSoundCheck, "Listen/EU/Data logging example 12-01-2021.txt"),
]
KLIPPEL = "Klippel/Log/DUT xyz115 2020-05-14 10-01-37-5 UTC+0200"
SEED = int(os.environ.get("PYWATS_TEST_SEED", "0")) or None
EXAMPLES = int(os.environ.get("PYWATS_TEST_EXAMPLES", "25"))
# Large samples are cut to their first ~64 KB first: the damage matters, not the size.
HEAD = 64 * 1024

damage = st.tuples(
    st.floats(min_value=0.0, max_value=1.0),  # where to cut (1.0: keep everything)
    st.lists(  # bytes to overwrite: (relative position, new byte)
        st.tuples(st.floats(min_value=0.0, max_value=1.0), st.integers(0, 255)), max_size=4
    ),
)


def _damaged(data: bytes, change: tuple[float, list[tuple[float, int]]]) -> bytes:
    cut, flips = change
    out = bytearray(data[: max(1, int(len(data) * cut))])
    for where, value in flips:
        out[min(len(out) - 1, int(len(out) * where))] = value
    return bytes(out)


def _check(
    converter: type[Converter[Any]], path: Path, settings: dict[str, Any] | None = None
) -> str:
    """``refused`` or ``converted``; fails the test on anything else."""
    from pywats_converters import ConversionContext, SourceFile, StationInfo

    context = ConversionContext(
        station=StationInfo("ST", location="L", purpose="P"),
        source=SourceFile.from_path(path),
        default_process_code=10,
    )
    refusal = ""
    try:
        reports = converter.configure(settings).convert(context.source, context)
    except ConversionError as exc:
        refusal = str(exc)
    if refusal:
        assert refusal.startswith(path.name + ": "), refusal
        return "refused"
    for report in reports:  # damage the converter accepted must still give valid reports
        problems = validate(report, check_search_characters=False)
        assert not problems, format_problems(problems)
    return "converted"


@pytest.mark.parametrize(("converter", "sample"), SAMPLES, ids=[s for _, s in SAMPLES])
def test_damaged_file_is_converted_or_refused_cleanly(
    converter: type[Converter[Any]], sample: str, reference_dir: Path, tmp_path: Path
) -> None:
    original = (reference_dir / (PREFIX + sample)).read_bytes()
    if len(original) > HEAD and converter is not XJTAG:
        original = original[: original.index(b"\n", HEAD) + 1]
    target = tmp_path / Path(sample).name
    outcomes: list[str] = []

    @seed(SEED or 0)
    @settings(
        max_examples=EXAMPLES,
        deadline=None,
        database=None,
        derandomize=SEED is None,
        suppress_health_check=[HealthCheck.function_scoped_fixture],
    )
    @given(change=damage)
    def run(change: tuple[float, list[tuple[float, int]]]) -> None:
        target.write_bytes(_damaged(original, change))
        outcomes.append(_check(converter, target))

    run()
    assert "refused" in outcomes  # the damage did reach the converter's checks


def test_damaged_klippel_files_are_converted_or_refused_cleanly(
    reference_dir: Path, tmp_path: Path
) -> None:
    source = reference_dir / (PREFIX + KLIPPEL)
    folder = tmp_path / source.name
    shutil.copytree(source, folder)
    log = folder.with_name(folder.name + ".txt")
    original_log = (source.with_name(source.name + ".txt")).read_bytes()
    curve = folder / "Sound Pressure-resp.txt"
    original_curve = curve.read_bytes()
    outcomes: list[str] = []

    @seed(SEED or 0)
    @settings(
        max_examples=EXAMPLES,
        deadline=None,
        database=None,
        derandomize=SEED is None,
        suppress_health_check=[HealthCheck.function_scoped_fixture],
    )
    @given(log_change=damage, curve_change=damage)
    def run(
        log_change: tuple[float, list[tuple[float, int]]],
        curve_change: tuple[float, list[tuple[float, int]]],
    ) -> None:
        log.write_bytes(_damaged(original_log, log_change))
        curve.write_bytes(_damaged(original_curve, curve_change))
        outcomes.append(_check(KlippelQC, folder, {"part_number": "LS-100"}))

    run()
    assert "refused" in outcomes
