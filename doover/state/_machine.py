"""``StateMachine``: a ``transitions`` machine with state timeouts, blocking or async.

Two concrete machines share one public name:

* :class:`SyncStateMachine` is a ``transitions`` ``LockedMachine``: triggers run at once
  and return True/False, from any thread; a state's ``timeout`` runs a ``threading.Timer``
  whose ``on_timeout`` callbacks run under the machine's lock.
* :class:`AsyncStateMachine` is an ``AsyncMachine``: triggers return coroutines to
  ``await``; a timeout is an ``asyncio`` task on the running loop, cancelled when the
  state is left. This is what ``pydoover.state.StateMachine`` is.

``StateMachine(...)`` builds one or the other (see :class:`StateMachine`).
"""

import logging
import threading
from typing import Any, Dict, List, Optional, Tuple

from transitions.extensions import LockedMachine
from transitions.extensions.asyncio import AsyncMachine, AsyncTimeout
from transitions.extensions.states import Timeout, add_state_features

from .._hooks import is_async_callable, loop_running
from ..exceptions import InvalidArgumentError

__all__ = ["StateMachine", "SyncStateMachine", "AsyncStateMachine"]

log = logging.getLogger("doover.state")

_MACHINE_CALLBACK_KWARGS = ("before_state_change", "after_state_change", "prepare_event", "finalize_event",
                            "on_exception", "on_final")
_STATE_CALLBACK_KEYS = ("on_enter", "on_exit", "on_timeout")
_TRANSITION_CALLBACK_KEYS = ("before", "after", "prepare", "conditions", "unless")
# positional order of transitions' Machine(...) and of a list-form transition
_MACHINE_POSITIONAL = ("model", "states", "initial", "transitions")
_TRANSITION_POSITIONAL = ("trigger", "source", "dest", "conditions", "unless", "before", "after", "prepare")


class _ThreadTimeout(Timeout):
    """transitions' ``Timeout`` state whose timer callbacks take the machine's lock, are
    skipped when the state was left meanwhile, and log instead of killing the timer thread."""

    def _process_timeout(self, event_data: Any) -> None:
        machine = event_data.machine
        try:
            machine._locked_method(self._fire, event_data)
        except Exception:  # noqa: BLE001 - a timer thread has nobody to raise to
            log.exception("state %r: on_timeout callback failed", self.name)

    def _fire(self, event_data: Any) -> None:
        if event_data.machine.get_model_state(event_data.model) is not self:
            return
        Timeout._process_timeout(self, event_data)


@add_state_features(_ThreadTimeout)
class _SyncBase(LockedMachine):
    pass


@add_state_features(AsyncTimeout)
class _AsyncBase(AsyncMachine):
    pass


def _listify(value: Any) -> List[Any]:
    if value is None:
        return []
    if isinstance(value, (list, tuple)):
        return list(value)
    return [value]


def _state_name(state: Any) -> Optional[str]:
    if isinstance(state, str):
        return state
    if isinstance(state, dict):
        return _state_name(state.get("name"))
    name = getattr(state, "name", None)
    return name if isinstance(name, str) else None


def _callback_refs(states: Any, transitions: Any, machine_kwargs: Dict[str, Any]) -> Tuple[List[Any], List[str]]:
    """Every callback named by the declaration, and the names of the states."""
    refs: List[Any] = []
    names: List[str] = []
    for state in _listify(states):
        name = _state_name(state)
        if name is not None:
            names.append(name)
        if isinstance(state, dict):
            for key in _STATE_CALLBACK_KEYS:
                refs.extend(_listify(state.get(key)))
    for transition in _listify(transitions):
        if isinstance(transition, dict):
            spec = transition
        elif isinstance(transition, (list, tuple)):
            spec = dict(zip(_TRANSITION_POSITIONAL, transition))
        else:
            continue
        for key in _TRANSITION_CALLBACK_KEYS:
            refs.extend(_listify(spec.get(key)))
    for key in _MACHINE_CALLBACK_KWARGS:
        refs.extend(_listify(machine_kwargs.get(key)))
    return refs, names


def _declares_async_callbacks(cls: type, args: Tuple[Any, ...], kwargs: Dict[str, Any]) -> bool:
    if cls is StateMachine:
        spec = dict(zip(_MACHINE_POSITIONAL, args))
        spec.update(kwargs)
    else:  # a subclass with its own __init__: read its class-level declaration
        spec = dict(kwargs)
        spec.setdefault("states", getattr(cls, "states", None))
        spec.setdefault("transitions", getattr(cls, "transitions", None))
    models = [m for m in _listify(spec.get("model", "self")) if m is not None]
    models = [cls if m == "self" else m for m in models]
    refs, state_names = _callback_refs(spec.get("states"), spec.get("transitions"), spec)
    refs.extend("on_enter_" + n for n in state_names)
    refs.extend("on_exit_" + n for n in state_names)
    for ref in refs:
        if isinstance(ref, str):
            if any(is_async_callable(getattr(model, ref, None)) for model in models):
                return True
        elif is_async_callable(ref):
            return True
    return False


_CONCRETE: Dict[Tuple[type, bool], type] = {}
_CONCRETE_LOCK = threading.Lock()


def _concrete(cls: type, use_async: bool) -> type:
    base = AsyncStateMachine if use_async else SyncStateMachine
    if cls is StateMachine:
        return base
    with _CONCRETE_LOCK:
        made = _CONCRETE.get((cls, use_async))
        if made is None:
            made = type(cls.__name__, (cls, base), {"__module__": cls.__module__, "__qualname__": cls.__qualname__,
                                                     "__doc__": cls.__doc__})
            _CONCRETE[(cls, use_async)] = made
        return made


class StateMachine:
    """A state machine over ``transitions``, with ``timeout``/``on_timeout`` on states.

    Takes the arguments of ``transitions.Machine`` (``states``, ``transitions``, ``model``,
    ``initial``, ``queued``, ...) plus ``asynchronous``:

    * ``True``: an :class:`AsyncStateMachine`: triggers are coroutines (``await
      model.start()``), callbacks may be ``async def``, timeouts run on the event loop;
    * ``False``: a :class:`SyncStateMachine`: ``model.start()`` transitions at once and
      returns True/False, timeouts run on timer threads under the machine's lock;
    * ``None`` (default): async when an event loop is running in this thread (built in an
      ``async def setup``) or when any callback the declaration names (``on_enter``,
      ``on_exit``, ``on_timeout``, ``before``, ``after``, ``conditions``, ``on_enter_<state>``,
      ...) is ``async def``; blocking otherwise.

    A state declared as ``{"name": "starting", "timeout": 30, "on_timeout": "give_up"}``
    calls ``give_up`` 30 s after it was entered, unless it was left before. The initial
    state is not "entered", so its timeout starts only when it is entered again.

    Subclasses work as with ``transitions`` (``super().__init__(states=..., ...)``); the
    mode is chosen when the instance is created. :meth:`cancel_timeouts` stops pending
    timeouts (call it when the app shuts down).
    """

    #: True for an :class:`AsyncStateMachine`
    asynchronous = False

    def __new__(cls, *args: Any, **kwargs: Any) -> Any:
        if issubclass(cls, (SyncStateMachine, AsyncStateMachine)):
            return object.__new__(cls)
        flag = kwargs.get("asynchronous")
        if flag is not None and not isinstance(flag, bool):
            raise InvalidArgumentError("StateMachine: asynchronous must be True, False or None, got {!r}".format(flag))
        use_async = flag if flag is not None else (loop_running() or _declares_async_callbacks(cls, args, kwargs))
        return object.__new__(_concrete(cls, use_async))

    def pending_timeouts(self) -> List[str]:
        """Names of the states whose timeout is armed for some model."""
        out = []
        for state in self.states.values():  # type: ignore[attr-defined]
            runner = getattr(state, "runner", None) or {}
            if any(not _finished(timer) for timer in runner.values()):
                out.append(state.name)
        return out

    def cancel_timeouts(self) -> int:
        """Cancel every armed timeout (timer threads are joined); returns how many were armed.

        On an :class:`AsyncStateMachine` call it from the loop's thread.
        """
        cancelled = 0
        for state in self.states.values():  # type: ignore[attr-defined]
            runner = getattr(state, "runner", None)
            if not runner:
                continue
            for timer in list(runner.values()):
                if not _finished(timer):
                    cancelled += 1
                timer.cancel()
                if isinstance(timer, threading.Thread) and timer is not threading.current_thread():
                    timer.join(5)
            runner.clear()
        return cancelled


def _finished(timer: Any) -> bool:
    if isinstance(timer, threading.Thread):
        finished = getattr(timer, "finished", None)  # a cancelled Timer may still be exiting
        return not timer.is_alive() or (finished is not None and finished.is_set())
    return bool(timer.done())


class SyncStateMachine(StateMachine, _SyncBase):
    """A blocking, thread-safe :class:`StateMachine` (``transitions.extensions.LockedMachine``)."""

    asynchronous = False

    def __init__(self, *args: Any, asynchronous: Optional[bool] = None, **kwargs: Any) -> None:
        if asynchronous:
            raise InvalidArgumentError("SyncStateMachine: asynchronous=True asks for an AsyncStateMachine")
        super().__init__(*args, **kwargs)


class AsyncStateMachine(StateMachine, _AsyncBase):
    """An awaitable :class:`StateMachine` (``transitions.extensions.asyncio.AsyncMachine``)."""

    asynchronous = True

    def __init__(self, *args: Any, asynchronous: Optional[bool] = None, **kwargs: Any) -> None:
        if asynchronous is False:
            raise InvalidArgumentError("AsyncStateMachine: asynchronous=False asks for a SyncStateMachine")
        super().__init__(*args, **kwargs)
