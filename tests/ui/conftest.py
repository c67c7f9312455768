import copy

import pytest

from doover._merge import apply_update
from doover._snowflake import generate_snowflake
from doover.models import AggregateUpdateEvent, MessageCreateEvent, MessageUpdateEvent, OneShotMessage

NOW_MS = 1_790_000_000_000
AGENT = 12345


class RecordingChannelClient:
    """Records every channel-client call; keeps aggregates merged like the platform."""

    def __init__(self):
        self.calls = []
        self.aggregates = {}
        self._next = 0

    def update_channel_aggregate(self, channel_name, data, replace_data=False, **kwargs):
        self.calls.append(("update_channel_aggregate", channel_name, copy.deepcopy(data), dict(kwargs)))
        self.aggregates[channel_name] = apply_update(
            self.aggregates.get(channel_name, {}), data, replace=kwargs.get("replace_keys") or (), replace_data=replace_data
        )

    def create_message(self, channel_name, data, **kwargs):
        self.calls.append(("create_message", channel_name, copy.deepcopy(data), dict(kwargs)))
        self._next += 1
        return self._next

    def update_message(self, channel_name, message_id, data, **kwargs):
        self.calls.append(("update_message", channel_name, message_id, copy.deepcopy(data), dict(kwargs)))


@pytest.fixture
def client():
    return RecordingChannelClient()


def message_id(age_ms=1000):
    """A snowflake created ``age_ms`` before NOW_MS."""
    return generate_snowflake(NOW_MS - age_ms)


def create_event(data, channel="ui_cmds", mid=None, oneshot=False):
    body = {"id": str(mid or message_id()), "author_id": "1", "channel": {"agent_id": str(AGENT), "name": channel},
            "data": data, "attachments": []}
    return (OneShotMessage if oneshot else MessageCreateEvent).from_dict(body)


def update_event(mid, data, channel="dv-rpc"):
    message = {"id": mid, "author_id": 1, "channel": {"agent_id": AGENT, "name": channel}, "data": data}
    return MessageUpdateEvent.from_dict({"channel": message["channel"], "message": message, "request_data": {}})


def aggregate_event(data, channel="ui_cmds"):
    return AggregateUpdateEvent.from_dict(
        {"channel": {"agent_id": AGENT, "name": channel}, "aggregate": {"data": data}, "request_data": {"data": {}}}
    )


def command(method, request, **extra):
    data = {"type": "rpc", "method": method, "request": request, "app_key": "pump_ctl_1", "status": {"code": "sent"}, "response": {}}
    data.update(extra)
    return data


# test modules import these helpers as ``ui_testkit`` (conftest itself is not importable
# under --import-mode=importlib)
import sys as _sys  # noqa: E402

_sys.modules.setdefault("ui_testkit", _sys.modules[__name__])
