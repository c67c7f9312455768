"""Publish tank readings with DataClient, then read them back: messages, history and the aggregate.

Run it on its own (it starts an in-process emulator and stops it at the end)::

    python examples/publish_and_read.py

or against a running emulator (``doover emulator --agent 1`` prints the URL and the token)::

    DOOVER_DATA_ENDPOINT=http://127.0.0.1:8787/api DOOVER_TOKEN=<agent 1 token> python examples/publish_and_read.py

``AGENT_ID`` (default 1) picks the agent. It writes ten messages and ten aggregate updates
on channel ``tank_readings`` and prints what it reads back.
"""

import os
import sys

from doover.api import DataClient
from doover.emulator import Emulator

AGENT_ID = int(os.environ.get("AGENT_ID", "1"))
CHANNEL = "tank_readings"


def connect():
    """``(base_url, token, emulator)``: the emulator named by the environment, else a new in-process one."""
    base_url = os.environ.get("DOOVER_DATA_ENDPOINT")
    if base_url:
        token = os.environ.get("DOOVER_TOKEN")
        if not token:
            sys.exit("DOOVER_DATA_ENDPOINT is set but DOOVER_TOKEN is not: set both, or neither")
        return base_url, token, None
    emulator = Emulator().start()
    print("started an in-process emulator at", emulator.base_url)
    return emulator.base_url, emulator.token_for(AGENT_ID), emulator


def main():
    base_url, token, emulator = connect()
    try:
        with DataClient(base_url, token=token, agent_id=AGENT_ID) as client:
            for i in range(10):
                level = 40.0 + i
                client.create_message(CHANNEL, {"level": level})
                client.update_channel_aggregate(CHANNEL, {"latest": {"level": level}, "count": i + 1})

            newest = client.list_messages(CHANNEL, limit=3)
            print("newest three:", [m.data["level"] for m in newest])
            history = client.iter_messages(CHANNEL, page_size=4).collect()  # three pages of at most 4
            print("read back {} readings, newest {}".format(len(history), history[0].data["level"]))
            print("first reading at", history[-1].timestamp.isoformat())
            print("aggregate:", client.fetch_channel_aggregate(CHANNEL).data)
    finally:
        if emulator is not None:
            emulator.close()


if __name__ == "__main__":
    main()
