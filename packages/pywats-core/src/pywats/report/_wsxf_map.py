"""The WSXF <-> model mapping, declared once; ``_wsxf`` reads and writes by this table.

From the server's WSXF export and Virinco's WSXF example (docs/wire-facts.md "WSXF").
Each ``Element`` names its tag, its model, its attributes (XML name, Python field, codec) in
the order they are written, the field carried as the element's own text, and its children
in the order they are written. The UUR part of WSXF has no reference file; its element names
follow WRML (``ReportUnitHierarchy Idx ParentIDX``) and are documented as ours
(docs/report-model.md).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from enum import Enum
from functools import cached_property
from typing import Any, Literal

from . import _models as models
from . import _step_models as steps
from ._model_base import WsjfModel

__all__ = [
    "NAMESPACE",
    "QUALIFIED",
    "REPORT",
    "SELF",
    "STEP",
    "Attr",
    "Codec",
    "Element",
    "Flat",
    "Nested",
    "TextChild",
    "write_float",
]

NAMESPACE = "http://wats.virinco.com/schemas/WATS/Report/wsxf"
#: ElementTree's spelling of a name in the WSXF namespace: QUALIFIED + "Step"
QUALIFIED = "{" + NAMESPACE + "}"


# ----------------------------------------------------------------------------- codecs


@dataclass(frozen=True)
class Codec:
    """How one attribute's text becomes a field value and back.

    ``read`` raises ``ValueError`` whose message completes "Name 'text' ..." (e.g. "is not
    an integer"). ``keeps_spelling`` tells which input spellings the writer must not
    normalise (Virinco writes booleans as ``0``/``1``).
    """

    read: Callable[[str], Any]
    write: Callable[[Any], str]
    keeps_spelling: Callable[[str], bool] | None = None


def _read_text(text: str) -> str:
    return text


def _write_text(value: Any) -> str:
    return str(value.value) if isinstance(value, Enum) else str(value)


_SPECIAL_FLOATS = {"NAN": math.nan, "INFINITY": math.inf, "-INFINITY": -math.inf, "INF": math.inf}


def _read_float(text: str) -> float:
    stripped = text.strip()
    special = _SPECIAL_FLOATS.get(stripped.upper())
    if special is not None:
        return special
    try:
        return float(stripped)
    except ValueError:
        raise ValueError("is not a number") from None


def write_float(value: float) -> str:
    if math.isnan(value):
        return "NaN"
    if math.isinf(value):
        return "Infinity" if value > 0 else "-Infinity"
    if value.is_integer() and abs(value) < 1e15:
        return str(int(value))
    return repr(value)


def _read_int(text: str) -> int:
    try:
        return int(text.strip())
    except ValueError:
        pass
    try:
        as_float = float(text)
    except ValueError:
        raise ValueError("is not an integer") from None
    if as_float.is_integer():
        return int(as_float)
    raise ValueError("is not an integer")


def _read_bool(text: str) -> bool:
    lowered = text.strip().lower()
    if lowered in ("true", "1"):
        return True
    if lowered in ("false", "0"):
        return False
    raise ValueError("is not a boolean")


def _words(words: dict[str, str]) -> Codec:
    """A one-letter enum written as a word (``P`` <-> ``Passed``); either is read."""
    letters = {word.upper(): letter for letter, word in words.items()}
    letters.update({letter: letter for letter in words})
    choices = ", ".join(sorted(set(letters)))

    def read(text: str) -> str:
        letter = letters.get(text.strip().upper())
        if letter is None:
            raise ValueError(f"is not one of {choices}")
        return letter

    return Codec(read, lambda value: words[_write_text(value)])


TEXT = Codec(_read_text, _write_text)
INT = Codec(_read_int, str)
FLOAT = Codec(_read_float, write_float)
BOOL = Codec(
    _read_bool,
    lambda value: "true" if value else "false",
    keeps_spelling=lambda text: text not in ("true", "false"),
)
# GUIDs are read in lower case (as WSJF has them) and written in upper case (as the server)
GUID = Codec(str.lower, lambda value: str(value).upper())
STATUS = _words(
    {
        "P": "Passed",
        "F": "Failed",
        "D": "Done",
        "S": "Skipped",
        "E": "Error",
        "T": "Terminated",
        "U": "Unknown",
    }
)
RESULT = _words({"P": "Passed", "F": "Failed", "E": "Error", "T": "Terminated"})
GROUP = _words({"S": "Setup", "M": "Main", "C": "Cleanup"})
REPORT_TYPE = _words({"T": "UUT", "R": "UUR"})


# ---------------------------------------------------------------------------- shapes


@dataclass(frozen=True)
class Attr:
    """An attribute carrying the model field ``field``."""

    xml: str
    field: str
    codec: Codec = TEXT


@dataclass(frozen=True)
class TextChild:
    """``<tag>text</tag>`` carrying the parent's field ``field``."""

    tag: str
    field: str


@dataclass(frozen=True)
class Flat:
    """A child element whose attributes carry fields of the parent (``<Process Code Name/>``)."""

    tag: str
    attrs: tuple[Attr, ...]


@dataclass(frozen=True)
class Nested:
    """Child element(s) ``element`` carrying the sub-model (``many``: a list) ``field``."""

    field: str
    element: Element | Literal["self"]
    many: bool = False


#: ``Nested(..., SELF)``: the element nests itself (steps in steps)
SELF: Literal["self"] = "self"
Child = TextChild | Flat | Nested


@dataclass(frozen=True)
class Element:
    tag: str
    model: type[WsjfModel]
    attrs: tuple[Attr, ...] = ()
    children: tuple[Child, ...] = ()
    #: the field carried as the element's own text
    text: str | None = None
    #: "raw": the text as is (also ""); "data": stripped, and only when not blank (base64)
    text_kind: Literal["raw", "data"] = "raw"
    required: tuple[str, ...] = ()

    # lookups derived from the above (computed once, on first use)

    @cached_property
    def qualified_tag(self) -> str:
        return QUALIFIED + self.tag

    @cached_property
    def attrs_by_name(self) -> dict[str, Attr]:
        return {attr.xml: attr for attr in self.attrs}

    @cached_property
    def children_by_tag(self) -> dict[str, Child]:
        """Children by the qualified tag the reader sees (``{namespace}Step``)."""
        return {QUALIFIED + _tag_of(child, self): child for child in self.children}

    @cached_property
    def text_children(self) -> tuple[str, ...]:
        return tuple(child.tag for child in self.children if isinstance(child, TextChild))


def _tag_of(child: Child, parent: Element) -> str:
    if isinstance(child, Nested):
        return child.element.tag if isinstance(child.element, Element) else parent.tag
    return child.tag


# ------------------------------------------------------------------------ the mapping


def _process(code: str, name: str) -> Flat:
    return Flat("Process", (Attr("Code", code, INT), Attr("Name", name)))


_LOOP = Element(
    "Loop",
    steps.LoopInfo,
    (
        Attr("index", "idx", INT),
        Attr("num", "num", INT),
        Attr("passed", "passed", INT),
        Attr("failed", "failed", INT),
        Attr("ending_index", "ending_index", INT),
    ),
)
_SEQUENCE_CALL = Element(
    "SequenceCall",
    steps.SequenceCall,
    (Attr("Name", "name"), Attr("Version", "version"), Attr("Filepath", "path")),
)
_NUMERIC = Element(
    "NumericLimit",
    steps.NumericMeasurement,
    (
        Attr("Name", "name"),
        Attr("NumericValue", "value", FLOAT),
        Attr("Units", "unit"),
        Attr("CompOperator", "comp_op"),
        Attr("LowLimit", "low_limit", FLOAT),
        Attr("HighLimit", "high_limit", FLOAT),
        Attr("Status", "status", STATUS),
    ),
)
_STRING = Element(
    "StringValue",
    steps.StringMeasurement,
    (
        Attr("Name", "name"),
        Attr("CompOperator", "comp_op"),
        Attr("StringLimit", "limit"),
        Attr("StringValue", "value"),
        Attr("Status", "status", STATUS),
    ),
)
_PASS_FAIL = Element(
    "PassFail", steps.BooleanMeasurement, (Attr("Name", "name"), Attr("Status", "status", STATUS))
)
_SERIES = Element(
    "Series",
    steps.ChartSeries,
    (Attr("Name", "name"), Attr("DataType", "data_type")),
    (TextChild("ydata", "ydata"), TextChild("xdata", "xdata")),
)
_CHART = Element(
    "Chart",
    steps.Chart,
    (
        Attr("ChartType", "chart_type"),
        Attr("Label", "label"),
        Attr("XLabel", "x_label"),
        Attr("XUnit", "x_unit"),
        Attr("YLabel", "y_label"),
        Attr("YUnit", "y_unit"),
    ),
    (Nested("series", _SERIES, many=True),),
)
_POPUP = Element(
    "MessagePopup",
    steps.MessagePopup,
    (Attr("Button", "button", INT), Attr("Response", "response")),
)
_CALL_EXE = Element("Callexe", steps.CallExe, (Attr("ExitCode", "exit_code", FLOAT),))
# the server exports only Name ContentType Size; the data as text is our choice
_ATTACHMENT = Element(
    "Attachment",
    steps.Attachment,
    (Attr("Name", "name"), Attr("ContentType", "content_type")),
    text="data",
    text_kind="data",
)
STEP = Element(
    "Step",
    steps.Step,
    (
        Attr("Id", "id", INT),
        Attr("Group", "group", GROUP),
        Attr("Name", "name"),
        Attr("StepType", "step_type"),
        Attr("Status", "status", STATUS),
        Attr("Start", "start"),
        Attr("total_time", "tot_time", FLOAT),
        Attr("StepErrorCode", "error_code", INT),
        Attr("StepErrorMessage", "error_message"),
        Attr("TSGuid", "ts_guid"),
        Attr("InteractiveExeNum", "interactive_exe_num", INT),
        Attr("StepCausedUUTFailure", "caused_uut_failure", BOOL),
        Attr("StepCausedSequenceFailure", "caused_seq_failure", BOOL),
    ),
    (
        Nested("loop", _LOOP),
        TextChild("ReportText", "report_text"),
        Nested("seq_call", _SEQUENCE_CALL),
        Nested("numeric_meas", _NUMERIC, many=True),
        Nested("string_meas", _STRING, many=True),
        Nested("boolean_meas", _PASS_FAIL, many=True),
        Nested("chart", _CHART),
        Nested("message_popup", _POPUP),
        Nested("call_exe", _CALL_EXE),
        Nested("attachment", _ATTACHMENT),
        Nested("steps", SELF, many=True),
    ),
)

_BINARY_ATTRS = (Attr("Name", "name"), Attr("ContentType", "content_type"), Attr("Id", "id", GUID))
_FAILURE = Element(
    "Failure",
    models.Failure,
    (
        Attr("Category", "category"),
        Attr("Code", "code"),
        Attr("CompRef", "com_ref"),
        Attr("FuncBlock", "func_block"),
        Attr("RefStepId", "ref_step_id", INT),
        Attr("RefStepName", "ref_step_name"),
        Attr("ArtNumber", "art_number"),
        Attr("ArtRev", "art_rev"),
        Attr("ArtVendor", "art_vendor"),
        Attr("ArtDescription", "art_description"),
    ),
    (
        TextChild("Comment", "comment"),
        Nested(
            "attachments",
            Element("Attachment", models.BinaryData, _BINARY_ATTRS, text="data", text_kind="data"),
            many=True,
        ),
    ),
)
REPORT = Element(
    "Report",
    models.Report,
    (
        Attr("type", "type", REPORT_TYPE),
        Attr("ID", "id", GUID),
        Attr("Start", "start"),
        Attr("Start_utc", "start_utc"),
        Attr("Result", "result", RESULT),
        Attr("SN", "sn"),
        Attr("PN", "pn"),
        Attr("Rev", "rev"),
        Attr("origin", "origin"),
        Attr("MachineName", "machine_name"),
        Attr("Location", "location"),
        Attr("Purpose", "purpose"),
        Attr("ProductName", "product_name"),
    ),
    (
        Nested(
            "uut",
            Element(
                "UUT",
                models.UUTInfo,
                (
                    Attr("UserLoginName", "user"),
                    Attr("BatchSN", "batch_sn"),
                    Attr("TestSocketIndex", "test_socket_index", INT),
                    Attr("ExecutionTime", "exec_time", FLOAT),
                    Attr("FixtureId", "fixture_id"),
                    Attr("ErrorCode", "error_code", INT),
                    Attr("ErrorMessage", "error_message"),
                    Attr("BatchFailCount", "batch_fail_count", INT),
                    Attr("BatchLoopIndex", "batch_loop_index", INT),
                    Attr("StepIdCausedUUTFailure", "step_id_caused_uut_failure", INT),
                ),
                (TextChild("Comment", "comment"),),
            ),
        ),
        Nested(
            "uur",
            Element(
                "UUR",
                models.UURInfo,
                (
                    Attr("UserLoginName", "user"),
                    Attr("ExecutionTime", "exec_time", FLOAT),
                    Attr("RefUUT", "ref_uut", GUID),
                    Attr("ConfirmDate", "confirm_date"),
                    Attr("FinalizeDate", "finalize_date"),
                    Attr("Parent", "parent", GUID),
                ),
                (TextChild("Comment", "comment"), _process("process_code", "process_name")),
            ),
        ),
        _process("process_code", "process_name"),
        Nested(
            "misc_infos",
            Element(
                "MiscInfo",
                models.MiscInfo,
                (
                    Attr("Typedef", "typedef"),
                    Attr("Description", "description"),
                    Attr("Numeric", "numeric", INT),
                    Attr("Id", "id", GUID),
                ),
                text="text",
            ),
            many=True,
        ),
        Nested(
            "sub_units",
            Element(
                "ReportUnitHierarchy",
                models.SubUnit,
                (
                    Attr("PartType", "part_type"),
                    Attr("PN", "pn"),
                    Attr("SN", "sn"),
                    Attr("Rev", "rev"),
                    Attr("Position", "position", INT),
                    Attr("Idx", "idx", INT),
                    Attr("ParentIDX", "parent_idx", INT),
                    Attr("ReplacedIDX", "replaced_idx", INT),
                ),
                (Nested("failures", _FAILURE, many=True),),
            ),
            many=True,
        ),
        Nested(
            "binary_data",
            Element("BinaryData", models.BinaryData, _BINARY_ATTRS, text="data", text_kind="data"),
            many=True,
        ),
        Nested(
            "assets",
            Element(
                "Asset",
                models.Asset,
                (Attr("AssetSN", "asset_sn"), Attr("UsageCount", "usage_count", INT)),
            ),
            many=True,
        ),
        Nested("root", STEP),
    ),
    required=("type", "ID"),
)
