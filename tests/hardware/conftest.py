import os
import sys

# helper modules of this directory (hw_*.py) importable from the tests (pytest runs with
# --import-mode=importlib, which does not put test directories on sys.path)
_HERE = os.path.dirname(os.path.abspath(__file__))
if _HERE not in sys.path:
    sys.path.insert(0, _HERE)
