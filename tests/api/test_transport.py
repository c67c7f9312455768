"""The choke point: headers, gzip, errors, retries, auth and token hygiene."""

import datetime as dt
import email.utils
import gzip
import logging
import time

import pytest
import requests

from doover.api import DataClient, RetryPolicy
from doover.api._retry import parse_retry_after
from doover.exceptions import (
    APIConnectionError,
    BadRequestError,
    ConflictError,
    DecodeError,
    ForbiddenError,
    HTTPError,
    NotFoundError,
    RateLimitError,
    ServerError,
    TokenRefreshError,
    UnauthorizedError,
)

BASE = "http://doover.test/api"
TOKEN = "tok-SECRET-abc123"
CHAN = BASE + "/agents/111/channels/c"


def _msg(mid=5):
    return {"id": str(mid), "author_id": "1", "channel": {"agent_id": "111", "name": "c"}, "data": {}}


# ---------------------------------------------------------------- headers and bodies


def test_user_agent_names_doover_python_and_requests(client, rs, req):
    rs.get(CHAN + "/aggregate", json={"data": {}})
    client.fetch_channel_aggregate("c")
    ua = req().headers["User-Agent"]
    assert ua.startswith("doover-sync/") and " Python/" in ua and ua.endswith("requests/" + requests.__version__)


def test_organisation_header_default_and_per_call_override(make_client, rs, req):
    client = make_client(organisation_id=160537971806708483)
    rs.get(CHAN + "/aggregate", json={"data": {}})
    client.fetch_channel_aggregate("c")
    assert req().headers["X-Doover-Organisation"] == "160537971806708483"
    client.fetch_channel_aggregate("c", organisation_id=42)
    assert req().headers["X-Doover-Organisation"] == "42"


def test_organisation_zero_sends_no_header(make_client, rs, req):
    client = make_client(organisation_id=0)
    rs.get(CHAN + "/aggregate", json={"data": {}})
    client.fetch_channel_aggregate("c", organisation_id=0)
    assert "X-Doover-Organisation" not in req().headers


def _body_of_size(n):
    # {"data":{"k":"xxx"}} is 17 bytes + len(x)
    return {"k": "x" * (n - len('{"data":{"k":""}}'))}


def test_gzip_threshold_is_fifty_bytes(client, rs, req):
    rs.post(CHAN + "/messages", json=_msg())
    client.create_message("c", _body_of_size(49))
    assert len(req().raw) == 49 and "Content-Encoding" not in req().headers
    client.create_message("c", _body_of_size(50))
    assert req().headers["Content-Encoding"] == "gzip"
    assert len(gzip.decompress(req().raw)) == 50


def test_gzip_can_be_switched_off(make_client, rs, req):
    client = make_client(compress=False)
    rs.post(CHAN + "/messages", json=_msg())
    client.create_message("c", {"k": "x" * 500})
    assert "Content-Encoding" not in req().headers
    assert req().raw == b'{"data":{"k":"' + b"x" * 500 + b'"}}'


def test_gzip_body_is_deterministic_level_six(client, rs, req):
    rs.post(CHAN + "/messages", json=_msg())
    client.create_message("c", {"k": "y" * 100})
    raw = b'{"data":{"k":"' + b"y" * 100 + b'"}}'
    assert req().raw == gzip.compress(raw, compresslevel=6, mtime=0)


def test_base_url_from_environment_and_trailing_slash(monkeypatch):
    monkeypatch.setenv("DOOVER_DATA_ENDPOINT", "http://emu.local:8080/api/")
    assert DataClient(token="t").base_url == "http://emu.local:8080/api"
    monkeypatch.delenv("DOOVER_DATA_ENDPOINT")
    assert DataClient(token="t").base_url == "https://data.doover.com/api"
    assert DataClient("http://x/api//", token="t").base_url == "http://x/api"


def test_timeout_is_passed_on_every_request(monkeypatch):
    seen = []

    class RecordingSession(requests.Session):
        def request(self, *args, **kwargs):
            seen.append(kwargs["timeout"])
            return super().request(*args, **kwargs)

    import responses

    with responses.RequestsMock() as rs:
        rs.get(CHAN + "/aggregate", json={"data": {}})
        with DataClient(BASE, token="t", agent_id=111, timeout=(3, 7), session_factory=RecordingSession) as client:
            client.fetch_channel_aggregate("c")
        with DataClient(BASE, token="t", agent_id=111, timeout=2.5, session_factory=RecordingSession) as client:
            client.fetch_channel_aggregate("c")
    assert seen == [(3, 7), (2.5, 2.5)]


# ---------------------------------------------------------------- errors


@pytest.mark.parametrize(
    "status, cls",
    [(400, BadRequestError), (401, UnauthorizedError), (403, ForbiddenError), (404, NotFoundError),
     (409, ConflictError), (422, HTTPError), (429, RateLimitError), (500, ServerError), (503, ServerError)],
)
def test_status_maps_to_exception_class_with_server_message(make_client, rs, status, cls):
    client = make_client(retry=False)
    rs.get(CHAN + "/aggregate", status=status, json={"message": "nope {}".format(status)})
    with pytest.raises(cls) as info:
        client.fetch_channel_aggregate("c")
    err = info.value
    assert type(err) is cls
    assert (err.status, err.method, err.message) == (status, "GET", "nope {}".format(status))
    assert str(err) == "HTTP {} on GET {}: nope {}".format(status, CHAN + "/aggregate", status)


def test_non_json_error_body_is_kept_as_text(make_client, rs):
    client = make_client(retry=False)
    rs.get(CHAN + "/aggregate", status=400, body="bad things")
    with pytest.raises(BadRequestError) as info:
        client.fetch_channel_aggregate("c")
    assert info.value.message == "bad things" and info.value.body == "bad things"


def test_non_json_success_body_raises_decode_error(client, rs):
    rs.get(CHAN + "/aggregate", body="<html>")
    with pytest.raises(DecodeError, match="not JSON"):
        client.fetch_channel_aggregate("c")


# ---------------------------------------------------------------- retries


def test_get_retried_after_503_503_then_200(client, rs, sleeps):
    rs.get(CHAN + "/aggregate", status=503)
    rs.get(CHAN + "/aggregate", status=503)
    rs.get(CHAN + "/aggregate", json={"data": {"ok": 1}})
    assert client.fetch_channel_aggregate("c").data == {"ok": 1}
    assert len(rs.calls) == 3
    assert len(sleeps) == 2
    assert 0.5 <= sleeps[0] <= 0.75 and 1.0 <= sleeps[1] <= 1.25  # backoff 0.5, 1.0 plus jitter <= 0.25


def test_retries_give_up_after_total_and_raise_last_error(client, rs, sleeps):
    for _ in range(4):
        rs.get(CHAN + "/aggregate", status=502, json={"message": "bad gateway"})
    with pytest.raises(ServerError) as info:
        client.fetch_channel_aggregate("c")
    assert info.value.status == 502 and len(rs.calls) == 4 and len(sleeps) == 3


def test_429_retry_after_seconds_is_honoured_even_for_post(client, rs, sleeps):
    rs.post(CHAN + "/messages", status=429, headers={"Retry-After": "7"})
    rs.post(CHAN + "/messages", json=_msg())
    assert client.create_message("c", {}).id == 5
    assert sleeps == [7.0] and len(rs.calls) == 2


def test_429_retry_after_http_date(client, rs, sleeps):
    when = email.utils.format_datetime(dt.datetime.now(dt.timezone.utc) + dt.timedelta(seconds=30), usegmt=True)
    rs.get(CHAN + "/aggregate", status=429, headers={"Retry-After": when})
    rs.get(CHAN + "/aggregate", json={"data": {}})
    client.fetch_channel_aggregate("c")
    assert 25 <= sleeps[0] <= 30


def test_429_with_too_long_retry_after_raises_rate_limit_at_once(client, rs, sleeps):
    rs.get(CHAN + "/aggregate", status=429, headers={"Retry-After": "3600"})
    with pytest.raises(RateLimitError) as info:
        client.fetch_channel_aggregate("c")
    assert info.value.retry_after == 3600 and sleeps == [] and len(rs.calls) == 1


def test_post_create_not_retried_after_503(client, rs, sleeps):
    rs.post(CHAN + "/messages", status=503)
    with pytest.raises(ServerError):
        client.create_message("c", {})
    assert len(rs.calls) == 1 and sleeps == []


def test_post_create_not_retried_after_connection_error(client, rs, sleeps):
    rs.post(CHAN + "/messages", body=requests.exceptions.ConnectionError("connection reset by peer"))
    with pytest.raises(APIConnectionError, match="connection reset by peer"):
        client.create_message("c", {})
    assert len(rs.calls) == 1 and sleeps == []


def test_create_with_client_message_id_is_retried_after_503_and_connection_error(client, rs, req, sleeps):
    url = CHAN + "/messages/193588160649819432"
    rs.post(url, status=503)
    rs.post(url, body=requests.exceptions.ConnectionError("reset"))
    rs.post(url, json=_msg(193588160649819432))
    assert client.create_message("c", {"a": "x" * 80}, message_id=193588160649819432).id == 193588160649819432
    assert len(rs.calls) == 3 and len(sleeps) == 2
    assert req(0).raw == req(2).raw  # compressed once, the same bytes resent


def test_patch_not_retried_after_503_but_put_is(client, rs, sleeps):
    rs.patch(CHAN + "/aggregate", status=503)
    with pytest.raises(ServerError):
        client.update_channel_aggregate("c", {"a": 1})
    assert len(rs.calls) == 1
    rs.put(CHAN + "/aggregate", status=504)
    rs.put(CHAN + "/aggregate", json={"data": {"a": 1}})
    assert client.update_channel_aggregate("c", {"a": 1}, replace_data=True).data == {"a": 1}


@pytest.mark.parametrize("status", [400, 401, 403, 404, 409, 422, 500])
def test_other_statuses_are_never_retried(client, rs, sleeps, status):
    rs.get(CHAN + "/aggregate", status=status)
    with pytest.raises(HTTPError):
        client.fetch_channel_aggregate("c")
    assert len(rs.calls) == 1 and sleeps == []


@pytest.mark.parametrize("retry", [False, 0, RetryPolicy(total=0)])
def test_retries_can_be_disabled(make_client, rs, sleeps, retry):
    client = make_client(retry=retry)
    rs.get(CHAN + "/aggregate", status=503)
    with pytest.raises(ServerError):
        client.fetch_channel_aggregate("c")
    assert len(rs.calls) == 1
    assert client.retry == RetryPolicy(total=0)


def test_custom_policy_is_visible_and_used(make_client, rs, sleeps):
    policy = RetryPolicy(total=1, backoff_factor=2, backoff_jitter=0, status_forcelist={500})
    client = make_client(retry=policy)
    assert client.retry is policy
    rs.get(CHAN + "/aggregate", status=500)
    rs.get(CHAN + "/aggregate", json={"data": {}})
    client.fetch_channel_aggregate("c")
    assert sleeps == [2.0]


def test_retry_policy_is_immutable_and_replace_returns_copy():
    policy = RetryPolicy()
    with pytest.raises(Exception):
        policy.total = 9
    assert policy.replace(total=9).total == 9 and policy.total == 3
    assert RetryPolicy(backoff_factor=1, backoff_max=5, backoff_jitter=0).backoff(10) == 5


def test_parse_retry_after_forms():
    assert parse_retry_after("12") == 12.0
    assert parse_retry_after("garbage") is None
    assert parse_retry_after(None) is None
    assert parse_retry_after("Wed, 21 Oct 2015 07:28:00 GMT", now=1445412480.0) == 0.0


# ---------------------------------------------------------------- auth


def test_no_token_and_no_credentials_raises_before_sending(make_client, rs):
    client = make_client(token=None)
    with pytest.raises(TokenRefreshError, match="no token"):
        client.fetch_channel_aggregate("c")
    assert len(rs.calls) == 0


def _jwt(exp):
    import base64
    import json

    seg = lambda d: base64.urlsafe_b64encode(json.dumps(d).encode()).rstrip(b"=").decode()  # noqa: E731
    return "{}.{}.sig".format(seg({"alg": "none"}), seg({"exp": exp}))


def test_client_credentials_fetch_token_with_basic_auth_form(make_client, rs, req):
    client = make_client(token=None, client_id="cid", client_secret="csecret", organisation_id=9)
    first = _jwt(time.time() + 3600)
    rs.post(BASE + "/oauth2/token", json={"access_token": first, "expires_in": 3600, "token_type": "bearer"})
    rs.get(CHAN + "/aggregate", json={"data": {}})
    client.fetch_channel_aggregate("c")
    token_req = req(0)
    assert token_req.path == "/api/oauth2/token"
    assert token_req.headers["Authorization"] == "Basic Y2lkOmNzZWNyZXQ="
    assert token_req.headers["Content-Type"] == "application/x-www-form-urlencoded"
    assert token_req.raw == b"grant_type=client_credentials&scope="
    assert "X-Doover-Organisation" not in token_req.headers
    assert req(1).headers["Authorization"] == "Bearer " + first
    assert client.token == first
    client.fetch_channel_aggregate("c")
    assert len(rs.calls) == 3  # the token is reused while valid


def test_token_refreshed_thirty_seconds_before_jwt_exp(make_client, rs, req):
    client = make_client(token=_jwt(time.time() + 20), client_id="cid", client_secret="cs")
    fresh = "opaque-new-token"
    rs.post(BASE + "/oauth2/token", json={"access_token": fresh, "expires_in": 600})
    rs.get(CHAN + "/aggregate", json={"data": {}})
    client.fetch_channel_aggregate("c")
    assert req(0).path == "/api/oauth2/token"
    assert req(1).headers["Authorization"] == "Bearer " + fresh


def test_token_endpoint_failure_raises_token_refresh_error_without_secret(make_client, rs):
    client = make_client(token=None, client_id="cid", client_secret="csecret-XYZ", retry=False)
    rs.post(BASE + "/oauth2/token", status=401, json={"message": "bad client csecret-XYZ"})
    with pytest.raises(TokenRefreshError) as info:
        client.fetch_channel_aggregate("c")
    assert "401" in str(info.value) and "csecret-XYZ" not in str(info.value)


def test_401_with_credentials_refreshes_once_and_retries(make_client, rs, req):
    client = make_client(token="old-token", client_id="cid", client_secret="cs")
    rs.post(CHAN + "/messages", status=401)
    rs.post(BASE + "/oauth2/token", json={"access_token": "new-token"})
    rs.post(CHAN + "/messages", json=_msg())
    client.create_message("c", {})
    assert [c.request.headers.get("Authorization") for c in rs.calls][::2] == ["Bearer old-token", "Bearer new-token"]


def test_set_token_switches_bearer(client, rs, req):
    rs.get(CHAN + "/aggregate", json={"data": {}})
    client.set_token("another")
    client.fetch_channel_aggregate("c")
    assert req().headers["Authorization"] == "Bearer another"


def test_token_never_in_exception_messages_or_logs(make_client, rs, caplog):
    client = make_client(retry=1)
    caplog.set_level(logging.DEBUG)
    rs.get(CHAN + "/aggregate", status=503, body="token was " + TOKEN)
    rs.get(CHAN + "/aggregate", status=401, json={"message": "token " + TOKEN + " revoked"})
    with pytest.raises(UnauthorizedError) as info:
        client.fetch_channel_aggregate("c")
    assert TOKEN not in str(info.value) and TOKEN not in info.value.body and TOKEN not in info.value.message
    assert "***" in info.value.message
    assert TOKEN not in caplog.text and "retrying GET" in caplog.text
    assert TOKEN not in repr(client)
