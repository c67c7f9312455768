"""The short story of ``doover demo --quick``: the DataClient against a local Doover.

The story is a list of steps (:data:`STEPS`). Each step is a function ``step(demo)`` that
does one thing with the blocking :class:`doover.api.DataClient` against an in-process
:class:`~doover.emulator.Emulator` and says what happened with ``demo.say(...)``;
:func:`run_demo` runs whatever list it is given. The full story (a Modbus sensor, an edge
app, a processor, an outage) is :mod:`doover.demo._story`.
"""

import datetime as _dt
import sys
import time
from typing import Any, Callable, Optional, Sequence, TextIO

from ..emulator import Emulator

__all__ = ["Demo", "STEPS", "run_demo"]

#: The agent the demo plays.
DEMO_AGENT = 1
DEMO_CHANNEL = "sensor_readings"


class Demo:
    """What a step works with: the emulator, a client for the demo agent, and shared notes."""

    def __init__(self, emulator: Emulator, client: Any, out: TextIO, *, messages: int = 60, page_size: int = 25) -> None:
        self.emulator = emulator
        self.client = client
        self.out = out
        self.agent_id = DEMO_AGENT
        self.channel = DEMO_CHANNEL
        self.messages = messages
        self.page_size = page_size
        #: values steps leave for later steps (ids, timestamps, ...)
        self.notes = {}  # type: Dict[str, Any]
        self._step = 0

    def say(self, text: str) -> None:
        """Print one line of the story."""
        self.out.write(text + "\n")
        self.out.flush()

    def heading(self, text: str) -> None:
        """Start a numbered step."""
        self._step += 1
        self.say("{}. {}".format(self._step, text))


def _hhmm(when: _dt.datetime) -> str:
    return when.strftime("%H:%M")


def step_create_channel(demo: Demo) -> None:
    channel_id = demo.client.create_channel(demo.channel)
    demo.heading("created channel {!r} on agent {} (id {})".format(demo.channel, demo.agent_id, channel_id))


def step_publish(demo: Demo) -> None:
    """One reading a minute for the last ``messages`` minutes, each with its own time."""
    now_ms = int(time.time() * 1000) // 60000 * 60000
    first = last = None
    for n in range(demo.messages):
        ts = now_ms - (demo.messages - 1 - n) * 60000
        temperature = round(20.0 + 3.0 * (n % 12) / 11.0, 2)
        message = demo.client.create_message(demo.channel, {"temperature_c": temperature, "reading": n + 1}, ts=ts)
        first = first or message
        last = message
    demo.notes["first_message"], demo.notes["last_message"] = first, last
    demo.heading(
        "published {} readings, one a minute, {} to {} UTC (message ids carry their time)".format(
            demo.messages, _hhmm(first.timestamp), _hhmm(last.timestamp)
        )
    )


def step_merge_aggregate(demo: Demo) -> None:
    last = demo.notes["last_message"]
    demo.client.update_channel_aggregate(
        demo.channel, {"site": {"name": "North tank", "units": "C"}, "latest": last.data, "calibrating": True}
    )
    aggregate = demo.client.update_channel_aggregate(demo.channel, {"site": {"units": "degC"}, "calibrating": None})
    demo.notes["aggregate"] = aggregate
    demo.heading("merged the aggregate twice (deep merge; null deletes a key): {}".format(_compact(aggregate.data)))


def step_read_back(demo: Demo) -> None:
    newest = demo.client.list_messages(demo.channel, limit=3)
    aggregate = demo.client.fetch_channel_aggregate(demo.channel)
    same = aggregate.data == demo.notes["aggregate"].data
    demo.heading(
        "read back the 3 newest readings: {}; the aggregate {} what was merged".format(
            ", ".join("#{} {} C".format(m.data["reading"], m.data["temperature_c"]) for m in newest),
            "matches" if same else "DIFFERS FROM",
        )
    )
    if not same:
        raise RuntimeError("the aggregate read back differs from the one written")


def step_page_history(demo: Demo) -> None:
    before = demo.emulator.request_count("GET", "/api/agents/{}/channels/{}/messages".format(demo.agent_id, demo.channel))
    readings = [m.data["reading"] for m in demo.client.iter_messages(demo.channel, page_size=demo.page_size)]
    pages = demo.emulator.request_count("GET", "/api/agents/{}/channels/{}/messages".format(demo.agent_id, demo.channel)) - before
    in_order = readings == list(range(demo.messages, 0, -1))
    demo.heading(
        "paged through the history with iter_messages: {} readings in {} pages of up to {}, newest first{}".format(
            len(readings), pages, demo.page_size, "" if in_order else " (OUT OF ORDER)"
        )
    )
    if not in_order:
        raise RuntimeError("history pages came back out of order")


#: The story, in order.
STEPS = [
    step_create_channel,
    step_publish,
    step_merge_aggregate,
    step_read_back,
    step_page_history,
]  # type: List[Callable[[Demo], None]]


def _compact(value: Any) -> str:
    import json

    return json.dumps(value, separators=(", ", ": "), sort_keys=True)


def run_demo(
    out: Optional[TextIO] = None,
    *,
    steps: Optional[Sequence[Callable[[Demo], None]]] = None,
    messages: int = 60,
    page_size: int = 25
) -> int:
    """Run the story on a fresh in-memory emulator; returns 0 (an exception ends it early)."""
    from ..api import DataClient

    out = out or sys.stdout
    started = time.monotonic()
    with Emulator() as emu:
        out.write("doover demo: a local Doover is serving the Data API at {} (in memory)\n".format(emu.base_url))
        with DataClient(base_url=emu.base_url, token=emu.token_for(DEMO_AGENT), agent_id=DEMO_AGENT) as client:
            demo = Demo(emu, client, out, messages=messages, page_size=page_size)
            for step in STEPS if steps is None else steps:
                step(demo)
        requests_made = len(emu.request_log)
    demo.say(
        "done in {:.1f} s: {} HTTP requests to the emulator, every one over real loopback HTTP.".format(
            time.monotonic() - started, requests_made
        )
    )
    return 0
