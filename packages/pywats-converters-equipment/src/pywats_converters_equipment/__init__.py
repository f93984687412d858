"""pyWATS converters for test equipment, built on the converter SDK alone.

Each converter registers under the ``pywats.converters`` entry points; the station and
``pywats-convert`` find them by name. See ``docs/equipment/`` for each format's mapping.
"""

from __future__ import annotations

from ._common import EquipmentParameters
from ._gr228x import GR228XParameters, TeradyneGR228X
from ._klippel import KlippelParameters, KlippelQC
from ._listen import ListenParameters, ListenSoundCheck
from ._saki import SakiAOI, SakiParameters
from ._sigmaquest import SigmaQuestParameters, SigmaQuestUnitReport
from ._spea import SpeaICT3030, SpeaParameters
from ._spectrum import SpectrumParameters, TeradyneSpectrum
from ._stepwize import StepWize, StepWizeParameters
from ._takaya import TakayaFlyingProbe, TakayaParameters
from ._version import __version__
from ._xjtag import XJTAG, XJTAGParameters

__all__ = [
    "EquipmentParameters",
    "GR228XParameters",
    "TeradyneGR228X",
    "SpeaICT3030",
    "SpeaParameters",
    "TeradyneSpectrum",
    "SpectrumParameters",
    "TakayaFlyingProbe",
    "TakayaParameters",
    "XJTAG",
    "XJTAGParameters",
    "SakiAOI",
    "SakiParameters",
    "SigmaQuestUnitReport",
    "SigmaQuestParameters",
    "StepWize",
    "StepWizeParameters",
    "ListenSoundCheck",
    "ListenParameters",
    "KlippelQC",
    "KlippelParameters",
    "__version__",
]
