"""State machines with state timeouts for apps: :class:`StateMachine`.

Built on the ``transitions`` library, which is an optional extra::

    pip install "doover-sync[state]"

``StateMachine`` is blocking or awaitable (see its docstring); :class:`SyncStateMachine`
and :class:`AsyncStateMachine` name the two kinds explicitly.
"""

try:
    import transitions  # noqa: F401
except ImportError as exc:  # pragma: no cover - exercised in a subprocess test
    raise ImportError(
        "doover.state needs the optional 'transitions' package; install the extra: "
        "pip install 'doover-sync[state]'"
    ) from exc

from ._machine import AsyncStateMachine, StateMachine, SyncStateMachine

__all__ = ["StateMachine", "SyncStateMachine", "AsyncStateMachine"]
