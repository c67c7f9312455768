"""``python -m doover``: the same as the ``doover`` command."""

import sys

from .cli import main

if __name__ == "__main__":
    sys.exit(main())
