import os
import sys

# tests/rpc/rpc_pump.py (shared with tests/rpc) importable from the tests here
_RPC_TESTS = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "rpc")
if _RPC_TESTS not in sys.path:
    sys.path.insert(0, _RPC_TESTS)
