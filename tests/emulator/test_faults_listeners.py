import socket
import threading
import time

import pytest
import requests

M = "/agents/1/channels/c/messages"


# ------------------------------------------------------------------ fault injection


def test_injected_503s_answer_the_next_n_requests_then_recover(api, emu):
    emu.inject_status(503, times=2, retry_after=1)
    first = api.get(M)
    second = api.get(M)
    third = api.get(M)
    assert [r.status_code for r in (first, second, third)] == [503, 503, 200]
    assert first.headers["Retry-After"] == "1"
    assert first.json() == {"message": "fault injected by the doover emulator: HTTP 503"}
    assert [r.fault for r in emu.request_log] == ["status", "status", None]
    assert emu.request_count("GET", "/api" + M, status=503) == 2


def test_injected_fault_matches_method_and_path_prefix_only(api, emu):
    emu.inject_status(429, times=1, method="POST", path="/agents/1/channels/c/messages", message="slow down")
    assert api.get(M).status_code == 200
    assert api.post("/agents/1/channels/other/messages", json={"data": {}}).status_code == 201
    resp = api.post(M, json={"data": {}})
    assert (resp.status_code, resp.json()) == (429, {"message": "slow down"})
    assert emu.messages(1, "c") == []  # the faulted request never reached the data
    assert api.post(M, json={"data": {}}).status_code == 201


def test_injected_drop_closes_connection_without_answer(api, emu):
    emu.inject_drop(times=1)
    with pytest.raises(requests.ConnectionError):
        api.get(M)
    assert api.get(M).status_code == 200
    assert [(r.status, r.fault) for r in emu.request_log] == [(None, "drop"), (200, None)]


def test_injected_delay_makes_client_timeout_then_serves(api, emu):
    emu.inject_delay(3.0, times=1)
    started = time.monotonic()
    with pytest.raises(requests.ReadTimeout):
        api.get(M, timeout=0.3)
    assert time.monotonic() - started < 2.5
    assert api.get(M, timeout=30).status_code == 200


def test_delay_then_answer_when_client_waits(api, emu):
    emu.inject_delay(0.3, times=1)
    started = time.monotonic()
    assert api.get(M).status_code == 200
    assert time.monotonic() - started >= 0.3


def test_fault_until_cleared(api, emu):
    emu.inject_status(500, times=None)
    assert [api.get(M).status_code for _ in range(3)] == [500, 500, 500]
    emu.clear_faults()
    assert api.get(M).status_code == 200


def test_fault_validation(emu):
    with pytest.raises(ValueError):
        emu.inject_status(42)
    with pytest.raises(ValueError):
        emu.inject_drop(times=0)


def test_admin_fault_route_adds_lists_and_clears(emu, api, admin):
    url = emu.url + "/_emulator/faults"
    headers = {"Authorization": "Bearer " + admin.token}
    resp = requests.post(url, json={"kind": "status", "status": 502, "times": 1, "path": "/agents/1"}, headers=headers)
    assert resp.status_code == 201
    assert requests.get(url, headers=headers).json()["faults"][0]["status"] == 502
    assert api.get(M).status_code == 502
    requests.post(url, json={"kind": "drop", "times": None}, headers=headers)
    assert requests.delete(url, headers=headers).status_code == 204
    assert api.get(M).status_code == 200
    assert requests.post(url, json={"kind": "boom"}, headers=headers).json() == {
        "message": "kind: expected one of status, delay, drop, got 'boom'"
    }
    assert requests.get(url, headers={"Authorization": "Bearer " + api.token}).status_code == 403


def test_stop_severs_idle_keep_alive_connections_and_start_reuses_port(emu, api):
    assert api.get(M).status_code == 200  # a pooled keep-alive connection now exists
    sock = socket.create_connection((emu.host, emu.port), timeout=10)
    sock.sendall(b"GET /api/nope HTTP/1.1\r\nHost: x\r\n\r\n")
    reader = sock.makefile("rb")
    assert reader.readline().startswith(b"HTTP/1.1 501")
    while reader.readline() not in (b"\r\n", b""):
        pass
    reader.read(len(b'{"message":"the emulator does not implement GET /api/nope"}'))
    emu.stop()
    assert reader.read(1) == b""  # the idle keep-alive connection was closed by the server
    reader.close()
    sock.close()
    with pytest.raises(requests.ConnectionError):
        requests.get(emu.base_url + M, timeout=5)
    emu.start()
    assert api.get(M).status_code == 200


def test_stop_during_injected_delay_drops_that_request(emu, api):
    emu.inject_delay(30, times=1)
    errors = []

    def call():
        try:
            api.get(M, timeout=60)
        except requests.RequestException as exc:
            errors.append(exc)

    thread = threading.Thread(target=call)
    thread.start()
    deadline = time.monotonic() + 10
    while not emu.faults.pending() == [] and time.monotonic() < deadline:
        time.sleep(0.02)
    emu.stop()
    thread.join(30)
    assert not thread.is_alive()
    assert len(errors) == 1


# ------------------------------------------------------------------ listeners


def test_listener_gets_message_create_event_shaped_like_processor_payload(emu, api):
    events = []
    emu.add_listener(events.append)
    body = api.post(M, json={"data": {"t": 41}}).json()
    assert events == [
        {
            "op": "on_message_create",
            "agent_id": 1,
            "channel": "c",
            "organisation_id": str(emu.default_organisation_id),
            "d": {
                "organisation_id": str(emu.default_organisation_id),
                "owner_id": "1",
                "channel_name": "c",
                "author_id": "1",
                "channel": {"agent_id": "1", "name": "c"},
                "message": body,
            },
        }
    ]


def test_listener_gets_aggregate_update_with_after_state_and_patch(emu, api):
    api.patch("/agents/1/channels/tag_values/aggregate", json={"app_a": {"odometer_km": 4, "x": 1}})
    events = []
    emu.add_listener(events.append)
    api.patch("/agents/1/channels/tag_values/aggregate", params={"suppress_response": "true"}, json={"app_a": {"odometer_km": 5}})
    (event,) = events
    assert (event["op"], event["agent_id"], event["channel"]) == ("on_aggregate_update", 1, "tag_values")
    d = event["d"]
    assert d["aggregate"]["data"] == {"app_a": {"odometer_km": 5, "x": 1}}
    assert isinstance(d["aggregate"]["last_updated"], int)
    assert d["request_data"] == {"data": {"app_a": {"odometer_km": 5}}}
    assert (d["author_id"], d["channel"], d["replace_data"]) == ("1", {"agent_id": "1", "name": "tag_values"}, False)


def test_listener_gets_message_update_with_request_data(emu, api):
    mid = api.post(M, json={"data": {"a": 1}}).json()["id"]
    events = []
    emu.add_listener(events.append)
    api.patch(M + "/" + mid, json={"data": {"b": 2}})
    (event,) = events
    assert event["op"] == "on_message_update"
    assert event["d"]["message"]["data"] == {"a": 1, "b": 2}
    assert event["d"]["request_data"] == {"data": {"b": 2}}


def test_log_update_emits_aggregate_and_message_events(emu, api):
    events = []
    emu.add_listener(events.append)
    api.patch("/agents/1/channels/c/aggregate", params={"log_update": "true"}, json={"a": 1})
    assert [e["op"] for e in events] == ["on_message_create", "on_aggregate_update"]


def test_failing_listener_is_logged_and_request_still_succeeds(emu, api, caplog):
    seen = []

    def broken(event):
        raise RuntimeError("listener bug")

    emu.add_listener(broken)
    emu.add_listener(seen.append)
    with caplog.at_level("ERROR", logger="doover.emulator"):
        resp = api.post(M, json={"data": {}})
    assert resp.status_code == 201
    assert len(seen) == 1
    assert "listener" in caplog.text and "listener bug" in caplog.text


def test_listeners_get_independent_copies_and_can_be_removed(emu, api):
    first, second = [], []

    def mutate(event):
        event["d"]["message"]["data"]["hacked"] = True
        first.append(event)

    emu.add_listener(mutate)
    emu.add_listener(second.append)
    api.post(M, json={"data": {"a": 1}})
    assert second[0]["d"]["message"]["data"] == {"a": 1}
    emu.remove_listener(mutate)
    api.post(M, json={"data": {"a": 2}})
    assert (len(first), len(second)) == (1, 2)


def test_listener_runs_after_commit_so_it_can_read_the_write_back(emu, api):
    seen = []
    emu.add_listener(lambda event: seen.append(emu.aggregate(1, "c")["data"]))
    api.patch("/agents/1/channels/c/aggregate", json={"a": 1})
    assert seen == [{"a": 1}]


def test_listener_may_write_through_http_without_deadlock(emu, api):
    def echo(event):
        if event["channel"] == "in":
            requests.post(emu.base_url + "/agents/1/channels/out/messages", json={"data": event["d"]["message"]["data"]},
                          headers={"Authorization": "Bearer " + api.token}, timeout=30)

    emu.add_listener(echo)
    api.post("/agents/1/channels/in/messages", json={"data": {"x": 1}})
    assert [m["data"] for m in emu.messages(1, "out")] == [{"x": 1}]


def test_direct_writes_through_the_emulator_fire_listeners_too(emu):
    events = []
    emu.add_listener(events.append)
    emu.publish(1, "c", {"a": 1})
    emu.update_aggregate(1, "c", {"b": 2})
    emu.publish(1, "c", {"quiet": True}, hooks=False)
    assert [e["op"] for e in events] == ["on_message_create", "on_aggregate_update"]


def test_bad_arguments_to_the_emulator_api_are_invalid_argument_errors(emu):
    from doover.exceptions import InvalidArgumentError

    with pytest.raises(InvalidArgumentError, match="status: expected an HTTP status code, got 42"):
        emu.inject_status(42)
    with pytest.raises(InvalidArgumentError, match="app_key: expected a non-empty key without dots"):
        emu.set_deployment_config(1, "a.b", {})
    with pytest.raises(InvalidArgumentError, match="give exactly one of"):
        emu.initial_token()
    with pytest.raises(KeyError):
        emu.initial_token("arn:unknown")
