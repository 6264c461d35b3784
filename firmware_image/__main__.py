"""``python -m firmware_image``: the same as ``shopcrier-image``."""

import sys

from .cli import main

sys.exit(main())
