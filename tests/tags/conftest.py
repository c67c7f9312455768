import copy

import pytest

from doover._merge import apply_update


class RecordingChannelClient:
    """A channel client that records every call and keeps merged aggregates in memory."""

    def __init__(self, aggregates=None):
        self.calls = []
        self.aggregates = copy.deepcopy(aggregates or {})
        self.messages = {}
        self._next_id = 1000

    def update_channel_aggregate(self, channel_name, data, replace_data=False, **kwargs):
        self.calls.append(("update_channel_aggregate", channel_name, copy.deepcopy(data), dict(kwargs)))
        replace = kwargs.get("replace") or kwargs.get("replace_keys") or ()
        self.aggregates[channel_name] = apply_update(
            self.aggregates.get(channel_name, {}), data, replace=replace, replace_data=replace_data
        )

    def create_message(self, channel_name, data, **kwargs):
        self.calls.append(("create_message", channel_name, copy.deepcopy(data), dict(kwargs)))
        self._next_id += 1
        self.messages[self._next_id] = (channel_name, copy.deepcopy(data))
        return self._next_id

    def update_message(self, channel_name, message_id, data, **kwargs):
        self.calls.append(("update_message", channel_name, message_id, copy.deepcopy(data), dict(kwargs)))

    def send_oneshot_message(self, channel_name, data, **kwargs):
        self.calls.append(("send_oneshot_message", channel_name, copy.deepcopy(data), dict(kwargs)))
        return True

    def fetch_channel_aggregate(self, channel_name):
        return copy.deepcopy(self.aggregates.get(channel_name, {}))


@pytest.fixture
def client():
    return RecordingChannelClient()
