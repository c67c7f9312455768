"""A test helper: feeds emulator listener events to an RPC dispatch function on one thread.

Shared by tests/rpc and tests/compat_names (their conftest.py puts this directory on sys.path).
"""

import queue
import threading

from doover.models import MessageCreateEvent, MessageUpdateEvent


class EventPump:
    """Feeds emulator events of the given ops, in order, to ``dispatch`` on its own thread;
    exceptions it raises are kept in ``errors`` for the test to check."""

    def __init__(self, emu, dispatch, ops=("on_message_create",)):
        self.events = queue.Queue()
        self.dispatch = dispatch
        self.errors = []
        self.ops = ops
        self.emu = emu
        self.listener = emu.add_listener(self._listen)
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()

    def _listen(self, event):
        if event["op"] in self.ops:
            self.events.put(event)

    def _run(self):
        while True:
            event = self.events.get()
            if event is None:
                return
            try:
                model = MessageCreateEvent if event["op"] == "on_message_create" else MessageUpdateEvent
                self.dispatch(model.from_dict(event["d"]))
            except Exception as exc:  # noqa: BLE001 - reported by the test
                self.errors.append(exc)

    def close(self):
        self.emu.remove_listener(self.listener)
        self.events.put(None)
        self.thread.join(30)
        assert not self.thread.is_alive()
