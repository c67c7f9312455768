"""Fan out over several channels at once with AsyncDataClient and asyncio.gather.

Four simulated tanks each publish five readings on their own channel (``tank_1`` ..
``tank_4``) concurrently, then the program reads every aggregate back concurrently and
counts the stored messages with ``async for``.

Run it on its own (it starts an in-process emulator)::

    python examples/async_fanout.py

or against a running emulator (``doover emulator --agent 1``)::

    DOOVER_DATA_ENDPOINT=http://127.0.0.1:8787/api DOOVER_TOKEN=<agent 1 token> python examples/async_fanout.py
"""

import asyncio
import os
import sys

from doover.api import AsyncDataClient
from doover.emulator import Emulator

AGENT_ID = int(os.environ.get("AGENT_ID", "1"))
TANKS = [1, 2, 3, 4]
READINGS = 5


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


async def publish_tank(client, tank):
    channel = "tank_{}".format(tank)
    for i in range(READINGS):  # one tank's readings stay in order...
        await client.create_message(channel, {"reading": i, "level": 10.0 * tank + i})
    await client.update_channel_aggregate(channel, {"last": READINGS - 1})
    return channel


async def count_messages(client, channel):
    total = 0
    async for _message in client.iter_messages(channel, page_size=2):  # pages fetched in the pool
        total += 1
    return total


async def main(base_url, token):
    async with AsyncDataClient(base_url, token=token, agent_id=AGENT_ID, max_workers=8) as client:
        channels = await asyncio.gather(*(publish_tank(client, tank) for tank in TANKS))  # ...tanks run at once
        aggregates = await asyncio.gather(*(client.fetch_channel_aggregate(c) for c in channels))
        counts = await asyncio.gather(*(count_messages(client, c) for c in channels))
    for channel, aggregate, count in zip(channels, aggregates, counts):
        print("{}: {} messages, aggregate {}".format(channel, count, aggregate.data))
    print("{} messages on {} channels".format(sum(counts), len(channels)))


if __name__ == "__main__":
    BASE_URL, TOKEN, EMULATOR = connect()
    try:
        asyncio.run(main(BASE_URL, TOKEN))
    finally:
        if EMULATOR is not None:
            EMULATOR.close()
