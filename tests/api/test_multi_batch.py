"""Multi-agent reads (and their iterator) and batch mutations."""

import datetime as dt
import json
from urllib.parse import parse_qs, urlsplit

import pytest

from doover.api._iterators import TWO_DAYS_SNOWFLAKE
from doover.exceptions import InvalidArgumentError
from doover.models import BatchMutationItem

BASE = "http://doover.test/api"


def _msg(mid, agent):
    return {"id": str(mid), "author_id": "1", "channel": {"agent_id": str(agent), "name": "c"}, "data": {"n": mid}}


def test_fetch_multi_agent_messages_query_matches_reference_capture(client, rs, req):
    rs.get(BASE + "/agents/channels/c/messages", json={"results": [_msg(9, 1)], "count": 1, "next": "1935"})
    when = dt.datetime(2025, 6, 1, tzinfo=dt.timezone.utc)
    response = client.fetch_multi_agent_messages("c", [1, 2], before=when, after=1, limit=5, agent_message_limit=2, field_names=["a"])
    assert rs.calls[-1].request.url == (
        BASE + "/agents/channels/c/messages?agent_id=1&agent_id=2&before=54720567705600000&after=1&limit=5"
        "&agent_message_limit=2&field_name=a"
    )
    assert response.count == 1 and response.next == 1935 and response.results[0].channel.agent_id == 1


def test_fetch_multi_agent_aggregates_flattened(client, rs, req):
    rs.get(
        BASE + "/agents/channels/c/aggregates",
        json={"results": [{"agent_id": "1", "data": {"x": 1}, "attachments": [], "last_updated": 1700000000000}], "count": 1},
    )
    response = client.fetch_multi_agent_aggregates("c", [1, 2])
    assert req().query == [("agent_id", "1"), ("agent_id", "2")]
    assert response.results[0].agent_id == 1
    assert response.results[0].aggregate.data == {"x": 1}


def test_multi_agent_calls_need_agents(client, rs):
    with pytest.raises(InvalidArgumentError, match="agent_ids"):
        client.fetch_multi_agent_aggregates("c", [])
    assert len(rs.calls) == 0


class FakeMultiAgentServer:
    """Newest-first across agents, ``limit`` overall and ``agent_message_limit`` per agent,
    exclusive bounds, and a 400 when ``before - after`` exceeds two days."""

    def __init__(self, messages):
        self.messages = sorted(messages, key=lambda m: -m[0])  # (id, agent)
        self.queries = []

    def __call__(self, request):
        q = parse_qs(urlsplit(request.url).query)
        self.queries.append(q)
        agents = {int(a) for a in q["agent_id"]}
        before = int(q["before"][0]) if "before" in q else None
        after = int(q["after"][0]) if "after" in q else None
        if before is not None and after is not None and before - after > TWO_DAYS_SNOWFLAKE:
            return 400, {}, json.dumps({"message": "range too wide"})
        limit = int(q["limit"][0])
        per_agent_cap = int(q["agent_message_limit"][0]) if "agent_message_limit" in q else None
        out, per_agent = [], {}
        for mid, agent in self.messages:
            if agent not in agents or (before is not None and mid >= before) or (after is not None and mid <= after):
                continue
            if per_agent_cap is not None and per_agent.get(agent, 0) >= per_agent_cap:
                continue
            per_agent[agent] = per_agent.get(agent, 0) + 1
            out.append(_msg(mid, agent))
            if len(out) >= limit:
                break
        return 200, {"Content-Type": "application/json"}, json.dumps({"results": out, "count": len(out)})


def test_iter_multi_agent_messages_with_agent_caps_yields_each_message_once_newest_first(client, rs):
    # agent 1 is busy (ids 200..181), agent 2 sparse and older; per-agent cap 3, page 4
    messages = [(i, 1) for i in range(181, 201)] + [(i, 2) for i in (150, 120, 119, 118, 10)]
    server = FakeMultiAgentServer(messages)
    rs.add_callback("GET", BASE + "/agents/channels/c/messages", callback=server)
    got = client.iter_multi_agent_messages("c", [1, 2], agent_message_limit=3, page_size=4).collect()
    assert [m.id for m in got] == sorted((m for m, _ in messages), reverse=True)
    assert len(server.queries) > 3


def test_iter_multi_agent_messages_splits_long_ranges_into_two_day_windows(client, rs):
    day = TWO_DAYS_SNOWFLAKE // 2
    after, before = 1000, 1000 + 5 * day
    messages = [(after + k * day // 2 + 7, 1 + k % 2) for k in range(10)]
    server = FakeMultiAgentServer(messages)
    rs.add_callback("GET", BASE + "/agents/channels/c/messages", callback=server)
    got = [m.id for m in client.iter_multi_agent_messages("c", [1, 2], before=before, after=after, page_size=50)]
    assert got == sorted((m for m, _ in messages), reverse=True)
    windows = [(int(q["after"][0]), int(q["before"][0])) for q in server.queries]
    assert windows[0] == (before - TWO_DAYS_SNOWFLAKE, before)
    assert windows[-1][0] == after
    assert all(b - a <= TWO_DAYS_SNOWFLAKE for a, b in windows)


def _items(n):
    return [BatchMutationItem(1, "c", {"a": i}) for i in range(n)]


def _batch_answer(n):
    return {
        "items": [{"agent_id": "1", "channel_name": "c", "success": True, "message_id": str(9 + i)} for i in range(n)],
        "count": n,
        "succeeded": n,
        "failed": 0,
    }


def test_batch_create_messages_body_matches_reference_capture(client, rs, req):
    rs.post(BASE + "/agents/messages", json=_batch_answer(1))
    item = BatchMutationItem(1, "c", {"a": 1}, message_id=9, timestamp=dt.datetime(2025, 6, 1, tzinfo=dt.timezone.utc), ttl=60)
    response = client.batch_create_messages([item])
    assert req().headers["Content-Encoding"] == "gzip"
    assert req().body == (
        b'{"items":[{"agent_id":"1","channel_name":"c","data":{"a":1},"message_id":"9","ts":1748736000000,"ttl":60}]}'
    )
    assert response.succeeded == 1 and response.items[0].message_id == 9


@pytest.mark.parametrize("count", [0, 51])
@pytest.mark.parametrize("method", ["batch_create_messages", "batch_update_messages", "batch_delete_messages", "batch_update_aggregates"])
def test_batch_calls_enforce_one_to_fifty_items_before_sending(client, rs, method, count):
    with pytest.raises(InvalidArgumentError, match="expected 1 to 50 items, got {}".format(count)):
        getattr(client, method)(_items(count))
    assert len(rs.calls) == 0


def test_batch_accepts_exactly_fifty(client, rs, req):
    rs.post(BASE + "/agents/messages", json=_batch_answer(50))
    assert client.batch_create_messages(_items(50)).count == 50
    assert len(req().json["items"]) == 50


@pytest.mark.parametrize(
    "method, kwargs, http, path",
    [
        ("batch_update_messages", {}, "PATCH", "/agents/messages"),
        ("batch_update_messages", {"replace_data": True}, "PUT", "/agents/messages"),
        ("batch_delete_messages", {}, "DELETE", "/agents/messages"),
        ("batch_update_aggregates", {}, "PATCH", "/agents/aggregates"),
    ],
)
def test_batch_mutations_methods_and_partial_success(client, rs, req, method, kwargs, http, path):
    answer = {
        "items": [
            {"agent_id": "1", "channel_name": "c", "success": True},
            {"agent_id": "2", "channel_name": "c", "success": False, "error": "permission denied"},
        ],
        "count": 2, "succeeded": 1, "failed": 1,
    }
    rs.add(http, BASE + path, json=answer)
    items = [
        BatchMutationItem(1, "c", {"a": 1}, message_id=5, replace=["a.b"], suppress_hooks=True),
        BatchMutationItem("2", "c", message_id="6"),
    ]
    response = getattr(client, method)(items, **kwargs)
    assert req().method == http
    assert req().json == {
        "items": [
            {"agent_id": "1", "channel_name": "c", "data": {"a": 1}, "message_id": "5", "replace": ["a.b"], "suppress_hooks": True},
            {"agent_id": "2", "channel_name": "c", "message_id": "6"},
        ]
    }
    assert [i.success for i in response.items] == [True, False]
    assert response.items[1].error == "permission denied"
