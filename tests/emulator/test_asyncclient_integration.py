"""The unmodified AsyncDataClient against the session-scoped emulator over loopback."""

import asyncio
import time

import pytest

from doover.api import AsyncDataClient
from doover.exceptions import APITimeoutError, ForbiddenError, NotFoundError, ServerError
from doover.models import BatchMutationItem, File

T0 = 1748736000000


def run(coro):
    return asyncio.run(coro)


def _client(emu, agent_id, **kwargs):
    kwargs.setdefault("sleep", lambda seconds: None)
    return AsyncDataClient(base_url=emu.base_url, token=emu.token_for(agent_id), agent_id=agent_id, **kwargs)


def test_async_messages_aggregates_and_pagination(session_emu, agent_id):
    async def story():
        async with _client(session_emu, agent_id) as client:
            await client.create_channel("a")
            created = await asyncio.gather(*[client.create_message("a", {"n": n}, ts=T0 + n) for n in range(12)])
            assert sorted(m.data["n"] for m in created) == list(range(12))
            newest = await client.list_messages("a", limit=2)
            assert [m.data["n"] for m in newest] == [11, 10]
            seen = [m.data["n"] async for m in client.iter_messages("a", page_size=5)]
            assert seen == list(range(11, -1, -1))
            assert [m.data["n"] for m in await client.iter_messages("a", page_size=4).collect()] == seen
            await client.update_channel_aggregate("a", {"x": {"y": 1, "z": 2}})
            merged = await client.update_channel_aggregate("a", {"x": {"y": None}})
            assert merged.data == {"x": {"z": 2}}
            fetched = await client.fetch_message("a", created[0].id)
            assert fetched == created[0]
            await client.delete_message("a", created[0].id)
            with pytest.raises(NotFoundError):
                await client.fetch_message("a", created[0].id)

    run(story())
    assert session_emu.aggregate(agent_id, "a")["data"] == {"x": {"z": 2}}


def test_async_attachments_batches_alarms_notifications(session_emu, agent_id):
    async def story():
        async with _client(session_emu, agent_id) as client:
            message = await client.create_message("f", {"r": 1}, files=[File("x.txt", "text/plain", data=b"xyz")])
            assert await client.fetch_message_attachment(message.attachments[0]) == b"xyz"
            batch = await client.batch_create_messages(
                [BatchMutationItem(agent_id=agent_id, channel_name="b", data={"n": n}) for n in range(3)]
            )
            assert batch.succeeded == 3
            alarm = await client.create_alarm(agent_id, "b", "n", "n", "ge", 1)
            assert (await client.fetch_alarm(agent_id, "b", alarm.id)).name == "n"
            await client.send_notification(agent_id, "hello", severity="critical")
            series = await client.fetch_timeseries("b", "n")
            assert series.count == 3

    run(story())
    assert session_emu.notifications(agent_id)[0]["severity"] == "Critical"


def test_async_error_mapping_and_retries(session_emu, agent_id):
    async def story():
        async with _client(session_emu, agent_id) as client:
            with pytest.raises(ForbiddenError):
                await client.list_channels(agent_id=agent_id + 1)
            session_emu.inject_status(503, times=2, path="/agents/{}/".format(agent_id))
            assert (await client.fetch_channel_aggregate("r")).data == {}
            session_emu.inject_status(503, times=None, path="/agents/{}/".format(agent_id))
            with pytest.raises(ServerError):
                await client.fetch_channel_aggregate("r")
            session_emu.clear_faults()

    run(story())
    statuses = [r.status for r in session_emu.request_log if r.path.endswith("/channels/r/aggregate")]
    assert statuses[-7:] == [503, 503, 200, 503, 503, 503, 503]


def test_async_timeout_against_injected_delay(session_emu, agent_id):
    async def story():
        async with _client(session_emu, agent_id, retry=False, timeout=(10, 0.3)) as client:
            session_emu.inject_delay(3, times=1, path="/agents/{}/".format(agent_id))
            started = time.monotonic()
            with pytest.raises(APITimeoutError):
                await client.list_messages("slow")
            assert time.monotonic() - started < 2.5

    run(story())
