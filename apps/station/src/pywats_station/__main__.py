"""``python -m pywats_station``."""

import sys

from pywats_station._cli import main

sys.exit(main())
