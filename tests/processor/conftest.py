"""Fixtures for processor tests: a recorded fake of the Doover cloud (``responses``), event builders,
and ``make_app`` which turns one generator body into a sync or an async app.

A body is a generator method: each ``yield x`` hands back ``x`` (sync app) or ``await x``
(async app, where ``x`` is awaitable), so one body serves both flavours.
"""

import gzip
import inspect
import json
import os
import re
import sys

import pytest
import responses

from doover.processor import Application

# wire_fuzz.py importable from the tests here (pytest runs with --import-mode=importlib)
_HERE = os.path.dirname(os.path.abspath(__file__))
if _HERE not in sys.path:
    sys.path.insert(0, _HERE)

BASE = "http://cloud.test/api"
ARN = "arn:aws:sns:ap-southeast-2:123:proc-ch-111-sensors:uuid-1"


def info(app_key="my_app", agent_id="111", org="7", app_id="app-uuid-1", tag_values=None,
         dv_proc_config=None, connection=None, extra_config=None):
    config = {"APP_KEY": app_key, "APP_ID": app_id, "APP_DISPLAY_NAME": "My App"}
    if dv_proc_config is not None:
        config["dv_proc_config"] = dv_proc_config
    config.update(extra_config or {})
    return {
        "agent_id": agent_id,
        "organisation_id": org,
        "app_key": app_key,
        "token": "full-token",
        "deployment_config": config,
        "ui_state": None,
        "ui_cmds": {app_key: {"button": 1}},
        "tag_values": {app_key: {"counter": 1}, "other_app": {"x": 1}} if tag_values is None else tag_values,
        "connection_data": connection,
    }


def message_d(channel="sensors", data=None, agent_id="111", msg_id="164885485443898671"):
    ch = {"agent_id": agent_id, "name": channel}
    return {"organisation_id": "7", "channel": ch,
            "message": {"id": msg_id, "author_id": "5", "channel": ch,
                        "data": {"t": 41} if data is None else data, "attachments": []}}


def aggregate_d(channel="sensors", patch=None):
    return {"author_id": "5", "organisation_id": "7", "channel": {"agent_id": "111", "name": channel},
            "aggregate": {"data": patch or {"a": 1}, "attachments": [], "last_updated": 1775001139307},
            "request_data": {"data": patch or {"a": 1}}}


def payload(op, d, token="initial-token"):
    body = {"op": op, "d": d}
    if token is not None:
        body["token"] = token
    return body


def sns(body, arn=ARN):
    return {"Records": [{"EventSource": "aws:sns", "EventSubscriptionArn": arn,
                         "Sns": {"Message": json.dumps(body)}}]}


class Context:
    aws_request_id = "req-1"
    function_name = "my-processor"
    function_version = "$LATEST"


def event_for(op, upgrade=None):
    """A valid event for every op (SNS for channel ops, direct otherwise)."""
    if op == "on_message_create":
        return sns(payload(op, message_d()))
    if op == "on_aggregate_update":
        return sns(payload(op, aggregate_d()))
    if op == "on_schedule":
        return payload(op, {"schedule_id": "sched-1", "organisation_id": "7"})
    if op == "on_deployment":
        return sns(payload(op, {"organisation_id": 7, "agent_id": "111", "app_id": "123",
                                "app_install_id": "456", "app_key": "my_app", "app_display_name": "My App"}))
    if op == "on_ingestion_endpoint":
        return payload(op, {"ingestion_id": "999", "agent_id": "111", "organisation_id": "7",
                            "payload": "eyJ0ZW1wIjogM30=", "upgrade": upgrade or info()})
    if op == "on_manual_invoke":
        return payload(op, {"organisation_id": "7", "payload": {"report_id": 123},
                            "upgrade": upgrade or info()})
    raise AssertionError(op)


ALL_OPS = ["on_message_create", "on_aggregate_update", "on_schedule", "on_deployment",
           "on_ingestion_endpoint", "on_manual_invoke"]


class Cloud:
    """A recorded fake of the Doover Data API (the cloud is the one thing we mock)."""

    def __init__(self, rsps, sub_info):
        self.rsps = rsps
        self.info = sub_info
        self.info_status = 200
        self.calls = []
        self._ids = iter(range(1000, 100000))
        rsps.add_callback(responses.GET, re.compile(re.escape(BASE) + r"/processors/(subscriptions|schedules)/.*"),
                          callback=self._info)
        rsps.add_callback(responses.POST, BASE + "/agents/messages", callback=self._batch)
        rsps.add_callback(responses.POST, re.compile(re.escape(BASE) + r"/agents/\d+/channels/[^/]+/messages"),
                          callback=self._ok)
        for method in (responses.PATCH, responses.PUT):
            rsps.add_callback(method, re.compile(re.escape(BASE) + r"/agents/\d+/channels/.*"), callback=self._ok)
        rsps.add_callback(responses.GET, re.compile(re.escape(BASE) + r"/agents/\d+/channels/[^/?]+(\?.*)?$"),
                          callback=self._channel)

    @staticmethod
    def _body(request):
        # DataClient gzips JSON bodies of 50 bytes or more (Content-Encoding: gzip)
        body = request.body
        if isinstance(body, str):
            body = body.encode()
        if body and request.headers.get("Content-Encoding") == "gzip":
            body = gzip.decompress(body)
        return body.decode() if body else body

    def _record(self, request):
        body = self._body(request)
        self.calls.append({
            "method": request.method,
            "path": request.path_url[len("/api"):],
            "auth": request.headers.get("Authorization"),
            "org": request.headers.get("X-Doover-Organisation"),
            "body": json.loads(body) if body else None,
        })

    def _info(self, request):
        self._record(request)
        if self.info_status != 200:
            return self.info_status, {}, "bad token"
        return 200, {}, json.dumps(self.info)

    def _ok(self, request):
        self._record(request)
        body = self.calls[-1]["body"]
        parts = request.path_url.split("?")[0].split("/")  # /api/agents/{id}/channels/{name}/...
        if "aggregate" in parts:
            if "suppress_response=true" in request.path_url:
                return 200, {}, ""
            return 200, {}, json.dumps({"data": body, "attachments": []})
        channel = {"agent_id": parts[3], "name": parts[5]}
        return 200, {}, json.dumps({"id": str(next(self._ids)), "author_id": "5", "channel": channel,
                                    "data": (body or {}).get("data")})

    def _channel(self, request):
        self._record(request)
        return 200, {}, json.dumps({"name": "x", "owner_id": "111", "aggregate": {"data": {"v": 1}}})

    def _batch(self, request):
        self._record(request)
        items = json.loads(self._body(request))["items"]
        return 200, {}, json.dumps({"items": [dict(agent_id=i["agent_id"], channel_name=i["channel_name"],
                                                   success=True, message_id=str(next(self._ids))) for i in items],
                                    "count": len(items), "succeeded": len(items), "failed": 0})

    def summaries(self):
        out = []
        for call in self.calls:
            if call["path"] == "/agents/messages":
                out += [i["data"] for i in call["body"]["items"] if i["channel_name"].startswith("dv-proc-inv-")]
        return out

    def lines(self):
        return ["{} {}".format(c["method"], c["path"]) for c in self.calls]


@pytest.fixture
def cloud(monkeypatch):
    monkeypatch.setenv("DOOVER_DATA_ENDPOINT", BASE)
    with responses.RequestsMock(assert_all_requests_are_fired=False) as rsps:
        yield Cloud(rsps, info())


def _drive_sync(gen):
    if not inspect.isgenerator(gen):
        return gen
    value = None
    while True:
        try:
            value = gen.send(value)
        except StopIteration as stop:
            return stop.value


async def _drive_async(gen):
    if not inspect.isgenerator(gen):
        return gen
    value, error = None, None
    while True:
        try:
            value = gen.throw(error) if error is not None else gen.send(value)
        except StopIteration as stop:
            return stop.value
        error = None
        if inspect.isawaitable(value):
            try:
                value = await value
            except Exception as exc:  # hand it back into the body, like a sync call would raise
                value, error = None, exc


def make_app(kind, base=Application, **bodies):
    """An Application subclass whose hooks run ``bodies`` as ``def`` (sync) or ``async def``."""
    attrs = {}
    for name, body in bodies.items():
        if name.endswith("_cls") or not callable(body):
            attrs[name] = body
            continue
        if kind == "sync":
            def hook(self, *args, _body=body):
                return _drive_sync(_body(self, *args))
        else:
            async def hook(self, *args, _body=body):
                return await _drive_async(_body(self, *args))
        hook.__name__ = name
        attrs[name] = hook
    if kind == "async" and not any(not n.endswith("_cls") and callable(b) for n, b in bodies.items()):
        async def close(self):
            return None
        attrs["close"] = close
    return type("App_" + kind, (base,), attrs)


@pytest.fixture(params=["sync", "async"])
def kind(request):
    return request.param


@pytest.fixture(autouse=True)
def _restore_streams():
    out, err = sys.stdout, sys.stderr
    yield
    assert sys.stdout is out and sys.stderr is err


@pytest.fixture
def h():
    """These helpers (``h.sns``, ``h.payload``, ``h.info``, ``h.make_app``, ...)."""
    return sys.modules[__name__]


@pytest.fixture
def jsonlog():
    """The JSON log handler writing into a StringIO; ``jsonlog.records()`` parses the lines."""
    import io
    import logging

    from doover.processor._logging import install_logging

    stream = io.StringIO()
    root = logging.getLogger()
    saved = list(root.handlers)
    root.handlers = []
    handler = install_logging(stream)

    class Log:
        def records(self):
            return [json.loads(line) for line in stream.getvalue().splitlines() if line.strip()]

        def text(self):
            return stream.getvalue()

    yield Log()
    root.handlers = saved
    assert handler not in root.handlers
