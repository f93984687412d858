"""``python -m pywats_testing serve ...``"""

import sys

from ._cli import main

sys.exit(main())
