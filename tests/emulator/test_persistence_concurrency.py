import http.client
import json
import threading

import pytest
import requests

from doover.emulator import Emulator


def test_file_database_survives_restart_with_tokens_and_data(tmp_path):
    db = str(tmp_path / "doover.db")
    with Emulator(db=db) as first:
        token = first.token_for(1, organisation_id=7)
        admin = first.admin_token()
        headers = {"Authorization": "Bearer " + token}
        files = [("json_payload", (None, b'{"data": {"n": 0}}', "application/json")), ("a", ("f.txt", b"bytes", "text/plain"))]
        created = requests.post(first.base_url + "/agents/1/channels/c/messages", files=files, headers=headers).json()
        requests.patch(first.base_url + "/agents/1/channels/c/aggregate", json={"a": {"b": 1}}, headers=headers)
        arn = first.add_subscription(1, "c", "app")
        org = first.default_organisation_id
    with Emulator(db=db) as second:
        headers = {"Authorization": "Bearer " + token}
        assert requests.get(second.base_url + "/agents/1/channels/c/aggregate", headers=headers).json()["data"] == {"a": {"b": 1}}
        listed = requests.get(second.base_url + "/agents/1/channels/c/messages", headers=headers).json()
        assert [m["id"] for m in listed] == [created["id"]]
        # attachment URLs follow the new port; the bytes are still there
        url = listed[0]["attachments"][0]["url"]
        assert url.startswith(second.base_url)
        assert requests.get(url, headers=headers).content == b"bytes"
        assert requests.get(second.base_url + "/agents/2/channels", headers={"Authorization": "Bearer " + admin}).status_code == 200
        assert second.default_organisation_id == org
        assert second.subscriptions(1)[0]["subscription_arn"] == arn
        info = requests.get(
            second.base_url + "/processors/subscriptions/" + arn, headers={"Authorization": "Bearer " + second.initial_token(arn)}
        ).json()
        assert info["organisation_id"] == "7"


def test_revocation_survives_restart(tmp_path):
    db = str(tmp_path / "doover.db")
    with Emulator(db=db) as first:
        old = first.token_for(1)
        new = requests.post(first.base_url + "/agents/1/token/rotate", headers={"Authorization": "Bearer " + old}).json()["token"]
        requests.post(first.base_url + "/agents/1/token/confirm", headers={"Authorization": "Bearer " + new})
    with Emulator(db=db) as second:
        url = second.base_url + "/agents/1/channels"
        assert requests.get(url, headers={"Authorization": "Bearer " + old}).status_code == 401
        assert requests.get(url, headers={"Authorization": "Bearer " + new}).status_code == 200


def test_stop_then_start_serves_the_same_port_and_memory_data(emu, api):
    api.patch("/agents/1/channels/c/aggregate", json={"a": 1})
    port = emu.port
    emu.stop()
    assert not emu.running
    try:
        requests.get(emu.base_url + "/agents/1/channels/c/aggregate", timeout=5)
        raise AssertionError("the stopped emulator answered")
    except requests.ConnectionError:
        pass
    emu.start()
    assert emu.port == port
    assert api.get("/agents/1/channels/c/aggregate").json()["data"] == {"a": 1}


def _merge_writers(emu, writers, merges):
    """``writers`` threads, each with its own keep-alive connection, PATCH ``merges`` times."""
    token = emu.admin_token()
    errors = []
    start = threading.Barrier(writers)

    def write(writer):
        conn = http.client.HTTPConnection(emu.host, emu.port, timeout=60)
        headers = {"Authorization": "Bearer " + token, "Content-Type": "application/json"}
        path = "/api/agents/1/channels/shared/aggregate?suppress_response=true"
        try:
            start.wait()
            for n in range(merges):
                body = json.dumps({"w{}".format(writer): {"k{}".format(n): n}})
                conn.request("PATCH", path, body=body, headers=headers)
                resp = conn.getresponse()
                resp.read()
                if resp.status != 204:
                    errors.append(resp.status)
        except Exception as exc:  # surfaced below
            errors.append(repr(exc))
        finally:
            conn.close()

    threads = [threading.Thread(target=write, args=(w,)) for w in range(writers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(300)
    assert not any(t.is_alive() for t in threads)
    return errors


@pytest.mark.slow
def test_16_writers_x_500_merges_into_one_aggregate_lose_nothing(emu):
    errors = _merge_writers(emu, 16, 500)
    assert errors == []
    data = emu.aggregate(1, "shared")["data"]
    assert sorted(data) == sorted("w{}".format(w) for w in range(16))
    for w in range(16):
        assert data["w{}".format(w)] == {"k{}".format(n): n for n in range(500)}


def test_concurrent_merges_on_a_file_database_lose_nothing(tmp_path):
    with Emulator(db=str(tmp_path / "c.db")) as emu:
        assert _merge_writers(emu, 8, 100) == []
        data = emu.aggregate(1, "shared")["data"]
        assert sum(len(v) for v in data.values()) == 800


def test_closing_leaves_no_threads_or_listening_socket_behind():
    import socket as _socket

    before = set(threading.enumerate())
    with Emulator() as emu:
        sessions = [requests.Session() for _ in range(4)]
        headers = {"Authorization": "Bearer " + emu.token_for(1)}
        for session in sessions:  # four idle keep-alive connections, four handler threads
            assert session.get(emu.base_url + "/agents/1/channels", headers=headers).status_code == 200
        port = emu.port
    leftover = [t for t in threading.enumerate() if t not in before and t.is_alive()]
    assert leftover == []
    for session in sessions:
        session.close()
    probe = _socket.socket()
    try:
        assert probe.connect_ex(("127.0.0.1", port)) != 0
    finally:
        probe.close()


def test_public_names_have_docstrings():
    import doover.emulator

    for name in doover.emulator.__all__:
        assert getattr(doover.emulator, name).__doc__, name
