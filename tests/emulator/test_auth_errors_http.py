import gzip
import json
import socket

import pytest

from doover.emulator import Emulator

M = "/agents/1/channels/c/messages"


# ------------------------------------------------------------------ auth


def test_missing_token_is_401_json(api):
    resp = api.get(M, token="")
    assert resp.status_code == 401
    assert resp.headers["Content-Type"] == "application/json"
    assert resp.json() == {"message": "missing Authorization header: expected 'Bearer <token>'"}


@pytest.mark.parametrize(
    "header,message",
    [
        ("Basic abc", "Authorization: expected 'Bearer <token>'"),
        ("Bearer not-a-jwt", "invalid bearer token: expected a JWT (header.payload.signature)"),
        ("Bearer a.b.c", "invalid bearer token: bad signature (not issued by this emulator)"),
    ],
)
def test_malformed_tokens_are_401(api, header, message):
    resp = api.get(M, token="", headers={"Authorization": header})
    assert (resp.status_code, resp.json()) == (401, {"message": message})


def test_expired_token_is_401(emu, make_api):
    resp = make_api(emu.token_for(1, expires_in=-5)).get(M)
    assert resp.status_code == 401
    assert resp.json()["message"].startswith("bearer token expired at ")


def test_token_from_another_emulator_is_401(emu, make_api):
    with Emulator() as other:
        foreign = other.token_for(1)
    resp = make_api(foreign).get(M)
    assert resp.json() == {"message": "invalid bearer token: bad signature (not issued by this emulator)"}


def test_token_for_agent_1_touching_agent_2_is_403(api):
    for method in ("GET", "POST"):
        resp = api.call(method, "/agents/2/channels/c/messages", json={"data": {}})
        assert (resp.status_code, resp.json()) == (403, {"message": "this token may not access agent 2"})


def test_multi_agent_token_and_admin_token_reach_their_agents(emu, make_api):
    both = make_api(emu.token_for([1, 2]))
    assert both.get("/agents/2/channels").status_code == 200
    assert both.get("/agents/3/channels").status_code == 403
    assert make_api(emu.admin_token()).get("/agents/3/channels").status_code == 200


def test_organisation_header_must_match_the_tokens_organisation(emu, make_api):
    client = make_api(emu.token_for(1, organisation_id=7))
    assert client.get(M, headers={"X-Doover-Organisation": "7"}).status_code == 200
    resp = client.get(M, headers={"X-Doover-Organisation": "8"})
    assert (resp.status_code, resp.json()) == (403, {"message": "X-Doover-Organisation: this token belongs to organisation 7, not 8"})
    resp = client.get(M, headers={"X-Doover-Organisation": "seven"})
    assert resp.status_code == 400 and resp.json()["message"].startswith("X-Doover-Organisation: ")


def test_sharing_and_assume_headers_are_ignored(api):
    resp = api.get(M, headers={"X-Doover-Sharing": "2", "X-Doover-Assume": "3"})
    assert (resp.status_code, resp.json()) == (200, [])


def test_author_id_is_the_tokens_subject(emu, make_api):
    admin = make_api(emu.admin_token())
    body = admin.post(M, json={"data": {}}).json()
    assert body["author_id"] == emu.store.meta("admin_user_id")


# ------------------------------------------------------------------ routing and errors


@pytest.mark.parametrize(
    "method,path,message",
    [
        ("GET", "/api/nope", "the emulator does not implement GET /api/nope"),
        ("PATCH", "/api/agents/1/channels", "the emulator does not implement PATCH /api/agents/1/channels (this path supports GET)"),
        ("DELETE", "/api/agents/1/channels/c", "the emulator does not implement DELETE /api/agents/1/channels/c (this path supports GET, POST, PUT)"),
        ("GET", "/elsewhere", "the emulator does not implement GET /elsewhere"),
        ("OPTIONS", "/api/agents/1/channels", "the emulator does not implement OPTIONS /api/agents/1/channels (this path supports GET)"),
        ("BREW", "/api/pot", "the emulator does not implement BREW /api/pot"),
    ],
)
def test_unknown_routes_are_501_naming_method_and_path(api, method, path, message):
    resp = api.session.request(method, api.emu.url + path, headers={"Authorization": "Bearer " + api.token})
    assert resp.status_code == 501
    assert resp.json() == {"message": message}


def test_literal_segments_win_over_ids(api):
    assert api.get("/agents/1/channels/c/messages/timeseries", params={"field_name": "a"}).json() == {"count": 0, "results": []}
    assert api.get("/agents/1/notifications/subscriptions/default").json() == {"subscriptions": []}


@pytest.mark.parametrize(
    "raw,message_start",
    [
        (b"{not json", "body: invalid JSON"),
        (b'{"data": NaN}', "body: invalid JSON"),
        (b"\xff\xfe", "body: expected UTF-8 encoded JSON"),
    ],
)
def test_invalid_json_is_400_and_server_keeps_serving(api, raw, message_start):
    resp = api.post(M, data=raw, headers={"Content-Type": "application/json"})
    assert resp.status_code == 400
    assert resp.json()["message"].startswith(message_start)
    assert api.get(M).status_code == 200


def test_wrong_types_are_400_naming_the_field(api):
    resp = api.post("/agents/messages", json={"items": "all"})
    assert resp.json() == {"message": "items: expected an array of 1 to 50 items"}
    resp = api.get("/agents/abc/channels")
    assert resp.json() == {"message": "agent_id: expected a snowflake id (decimal string or integer), got 'abc'"}


# ------------------------------------------------------------------ gzip on every method


def test_gzip_bodies_are_decoded_on_post_put_patch_and_delete(api, emu):
    created = api.gzip_json("POST", M, {"data": {"long": "x" * 80}})
    assert (created.status_code, created.json()["data"]) == (201, {"long": "x" * 80})
    mid = created.json()["id"]
    assert api.gzip_json("PATCH", M + "/" + mid, {"data": {"p": 1}}).json()["data"] == {"long": "x" * 80, "p": 1}
    assert api.gzip_json("PUT", M + "/" + mid, {"data": {"q": 2}}).json()["data"] == {"q": 2}
    agg = api.gzip_json("PATCH", "/agents/1/channels/c/aggregate", {"a": {"b": 1}})
    assert agg.json()["data"] == {"a": {"b": 1}}
    items = {"items": [{"agent_id": "1", "channel_name": "c", "message_id": mid}]}
    assert api.gzip_json("DELETE", "/agents/messages", items).json()["succeeded"] == 1
    gz = [r.gzip for r in emu.request_log]
    assert gz == [True, True, True, True, True]


def test_invalid_gzip_body_is_400(api):
    resp = api.post(M, data=b"not gzip", headers={"Content-Encoding": "gzip", "Content-Type": "application/json"})
    assert resp.status_code == 400
    assert resp.json()["message"].startswith("body: invalid gzip data")


def test_unsupported_content_encoding_is_415(api):
    resp = api.post(M, data=b"x", headers={"Content-Encoding": "br"})
    assert (resp.status_code, resp.json()) == (415, {"message": "Content-Encoding: only gzip is supported, got 'br'"})


# ------------------------------------------------------------------ raw HTTP/1.1


def _read_response(sock_file):
    status_line = sock_file.readline().decode()
    headers = {}
    while True:
        line = sock_file.readline().decode()
        if line in ("\r\n", ""):
            break
        name, _, value = line.partition(":")
        headers[name.strip().lower()] = value.strip()
    body = sock_file.read(int(headers["content-length"]))
    return int(status_line.split()[1]), headers, body


def _raw(emu, token, requests_bytes):
    with socket.create_connection((emu.host, emu.port), timeout=30) as sock:
        sock.sendall(requests_bytes)
        with sock.makefile("rb") as f:
            return [_read_response(f) for _ in range(requests_bytes.count(b"HTTP/1.1\r\n"))]


def test_keep_alive_serves_several_requests_on_one_connection_with_lengths(emu):
    token = emu.token_for(1).encode()
    body = json.dumps({"data": {"a": 1}}).encode()
    one = b"POST /api/agents/1/channels/c/messages HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " + token
    one += b"\r\nContent-Type: application/json\r\nContent-Length: " + str(len(body)).encode() + b"\r\n\r\n" + body
    two = b"DELETE /api/agents/1/channels/c/messages/1 HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " + token + b"\r\n\r\n"
    three = b"GET /api/agents/1/channels/c/messages HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " + token + b"\r\n\r\n"
    responses = _raw(emu, token, one + two + three)
    assert [r[0] for r in responses] == [201, 404, 200]
    assert all(r[1]["connection"] == "keep-alive" for r in responses)
    assert all(r[1]["content-type"] == "application/json" for r in responses)
    assert json.loads(responses[2][2])[0]["data"] == {"a": 1}
    assert responses[0][1]["content-length"] == str(len(responses[0][2]))


def test_204_answers_carry_content_length_0_and_no_content_type(emu):
    token = emu.token_for(1).encode()
    body = b'{"a":1}'
    req = b"PATCH /api/agents/1/channels/c/aggregate?suppress_response=true HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer "
    req += token + b"\r\nContent-Length: " + str(len(body)).encode() + b"\r\n\r\n" + body
    ((status, headers, payload),) = _raw(emu, token, req)
    assert (status, headers["content-length"], payload) == (204, "0", b"")
    assert "content-type" not in headers


def test_chunked_request_body_is_read(emu):
    token = emu.token_for(1).encode()
    body = gzip.compress(b'{"data": {"chunked": true}}')
    chunks = b"".join(b"%x\r\n%s\r\n" % (len(body[i:i + 7]), body[i:i + 7]) for i in range(0, len(body), 7)) + b"0\r\n\r\n"
    req = b"POST /api/agents/1/channels/c/messages HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " + token
    req += b"\r\nContent-Encoding: gzip\r\nTransfer-Encoding: chunked\r\n\r\n" + chunks
    ((status, _headers, payload),) = _raw(emu, token, req)
    assert (status, json.loads(payload)["data"]) == (201, {"chunked": True})


def test_bad_content_length_is_400_and_closes(emu):
    req = b"POST /api/agents/1/channels/c/messages HTTP/1.1\r\nHost: x\r\nContent-Length: ten\r\n\r\n"
    ((status, headers, payload),) = _raw(emu, b"", req)
    assert (status, headers["connection"]) == (400, "close")
    assert json.loads(payload) == {"message": "Content-Length: expected a non-negative integer, got 'ten'"}


def test_malformed_request_line_is_400_json_and_closes(emu):
    ((status, headers, payload),) = _raw(emu, b"", b"NONSENSE\r\n\r\n" + b"GET / HTTP/1.1\r\n")
    assert (status, headers["connection"]) == (400, "close")
    assert json.loads(payload) == {"message": "malformed request line 'NONSENSE'"}


def test_too_many_headers_is_431(emu):
    req = b"GET /api/agents/1/channels HTTP/1.1\r\n" + b"".join(b"X-H%d: v\r\n" % n for n in range(250)) + b"\r\n"
    ((status, _headers, payload),) = _raw(emu, b"", req)
    assert (status, json.loads(payload)) == (431, {"message": "too many headers"})


def test_headers_are_case_insensitive_and_folded_lines_join(emu):
    token = emu.token_for(1).encode()
    req = b"GET /api/agents/1/channels HTTP/1.1\r\nhost: x\r\nauthorization: Bearer\r\n " + token + b"\r\n\r\n"
    ((status, _headers, payload),) = _raw(emu, token, req)
    assert (status, json.loads(payload)) == (200, [])


def test_http_1_0_request_gets_answer_and_close(emu):
    token = emu.token_for(1).encode()
    req = b"GET /api/agents/1/channels HTTP/1.1\r\nAuthorization: Bearer " + token + b"\r\n\r\n"
    req = req.replace(b"HTTP/1.1", b"HTTP/1.0", 1)
    with socket.create_connection((emu.host, emu.port), timeout=30) as sock:
        sock.sendall(req)
        with sock.makefile("rb") as f:
            status, headers, payload = _read_response(f)
            assert f.read() == b""  # the server closed the connection
    assert (status, headers["connection"], payload) == (200, "close", b"[]")


def test_expect_100_continue_gets_interim_response(emu):
    token = emu.token_for(1).encode()
    body = b'{"data": {"a": 1}}'
    head = b"POST /api/agents/1/channels/c/messages HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " + token
    head += b"\r\nExpect: 100-continue\r\nContent-Length: " + str(len(body)).encode() + b"\r\n\r\n"
    with socket.create_connection((emu.host, emu.port), timeout=30) as sock:
        sock.sendall(head)
        with sock.makefile("rb") as f:
            assert f.readline() == b"HTTP/1.1 100 Continue\r\n"
            assert f.readline() == b"\r\n"
            sock.sendall(body)
            status, _headers, payload = _read_response(f)
    assert (status, json.loads(payload)["data"]) == (201, {"a": 1})
