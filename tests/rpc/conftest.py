import os
import sys

# rpc_pump.py importable from the tests here and in tests/compat_names (pytest runs with
# --import-mode=importlib, which does not put test directories on sys.path)
_HERE = os.path.dirname(os.path.abspath(__file__))
if _HERE not in sys.path:
    sys.path.insert(0, _HERE)
