"""The local Lambda Runtime API: exact bytes over real HTTP, and a real awslambdaric runtime against it."""

import http.client
import importlib.util
import json
import os
import subprocess
import sys
import textwrap
import threading
import time

import pytest

from doover.emulator._runtime_api import MAX_RESPONSE_BYTES, RuntimeAPI

HAS_RIC = importlib.util.find_spec("awslambdaric") is not None
needs_ric = pytest.mark.skipif(not HAS_RIC, reason="awslambdaric is not importable in this interpreter")

NEXT = "/2018-06-01/runtime/invocation/next"


@pytest.fixture
def api():
    with RuntimeAPI("my-processor") as server:
        yield server


def connect(api):
    return http.client.HTTPConnection("127.0.0.1", api.port, timeout=30)


def get_next(conn):
    conn.request("GET", NEXT)
    response = conn.getresponse()
    return response, response.read()


def post(conn, path, body, headers=None):
    conn.request("POST", path, body, headers or {})
    response = conn.getresponse()
    return response.status, json.loads(response.read())


def test_next_blocks_until_an_event_is_queued_then_answers_the_event_and_lambda_headers(api):
    conn = connect(api)
    got = {}
    reader = threading.Thread(target=lambda: got.update(zip(("response", "body"), get_next(conn))))
    reader.start()
    reader.join(0.3)
    assert reader.is_alive()  # nothing queued yet: /next is still waiting
    before = time.time()
    invocation = api.submit({"op": "on_schedule", "d": {"n": 1}}, timeout=30, request_id="req-1")
    reader.join(30)
    response = got["response"]
    assert response.status == 200 and response.version == 11
    assert got["body"] == b'{"op": "on_schedule", "d": {"n": 1}}'
    headers = dict(response.getheaders())
    assert headers["Lambda-Runtime-Aws-Request-Id"] == "req-1"
    assert headers["Lambda-Runtime-Invoked-Function-Arn"] == "arn:aws:lambda:local:000000000000:function:my-processor"
    assert headers["Content-Type"] == "application/json"
    assert headers["Content-Length"] == str(len(got["body"]))
    assert headers["Lambda-Runtime-Trace-Id"].startswith("Root=1-") and ";Parent=" in headers["Lambda-Runtime-Trace-Id"]
    deadline = int(headers["Lambda-Runtime-Deadline-Ms"])
    assert deadline == invocation.deadline_ms
    assert int(before * 1000) + 30000 <= deadline <= int(time.time() * 1000) + 30000
    assert invocation.delivered.is_set() and not invocation.done.is_set()
    conn.close()


def test_response_is_accepted_with_202_and_decoded_on_the_invocation(api):
    invocation = api.submit({"x": 1}, timeout=30)
    conn = connect(api)
    response, _ = get_next(conn)
    request_id = response.getheader("Lambda-Runtime-Aws-Request-Id")
    # the same keep-alive connection carries the answer, as the runtime client does
    status, body = post(conn, "/2018-06-01/runtime/invocation/{}/response".format(request_id),
                        b'{"status": "success", "n": 2}', {"Content-Type": "application/json"})
    assert (status, body) == (202, {"status": "OK"})
    assert invocation.done.is_set() and invocation.status == "success"
    assert invocation.result() == {"status": "success", "n": 2}
    assert invocation.content_type == "application/json"
    # a second answer for the same invocation is a state error; an unknown id a bad request
    assert post(conn, "/2018-06-01/runtime/invocation/{}/error".format(request_id), b"{}") == (403, {
        "errorMessage": "State transition from success to error failed: invocation {} is already finished".format(
            request_id), "errorType": "InvalidStateTransition"})
    assert post(conn, "/2018-06-01/runtime/invocation/nope/response", b"{}") == (
        400, {"errorMessage": "Invalid request ID", "errorType": "InvalidRequestID"})
    conn.close()


def test_an_answer_before_the_event_was_handed_out_is_an_invalid_request_id(api):
    invocation = api.submit({}, timeout=30, request_id="queued")
    conn = connect(api)
    assert post(conn, "/2018-06-01/runtime/invocation/queued/response", b"{}") == (
        400, {"errorMessage": "Invalid request ID", "errorType": "InvalidRequestID"})
    assert not invocation.done.is_set()
    conn.close()


def test_error_is_recorded_with_its_document_and_error_type_header(api):
    invocation = api.submit({}, timeout=30)
    conn = connect(api)
    response, _ = get_next(conn)
    request_id = response.getheader("Lambda-Runtime-Aws-Request-Id")
    document = {"errorMessage": "boom", "errorType": "ValueError", "requestId": request_id, "stackTrace": ["x"]}
    status, body = post(conn, "/2018-06-01/runtime/invocation/{}/error".format(request_id),
                        json.dumps(document).encode(), {"Lambda-Runtime-Function-Error-Type": "Unhandled"})
    assert (status, body) == (202, {"status": "OK"})
    assert invocation.status == "error" and invocation.error == document and invocation.error_type == "Unhandled"
    conn.close()


def test_error_without_a_type_header_takes_the_documents_type_and_a_non_json_body_is_kept_as_text(api):
    first, second = api.submit({}, timeout=30), api.submit({}, timeout=30)
    conn = connect(api)
    for invocation, body in ((first, b'{"errorMessage": "m", "errorType": "KeyError"}'), (second, b"plain words")):
        response, _ = get_next(conn)
        post(conn, "/2018-06-01/runtime/invocation/{}/error".format(
            response.getheader("Lambda-Runtime-Aws-Request-Id")), body)
    assert first.error_type == "KeyError"
    assert second.error == {"errorMessage": "plain words", "errorType": "Runtime.Unknown"}
    conn.close()


def test_oversized_response_is_refused_with_413_and_fails_the_invocation(api):
    invocation = api.submit({}, timeout=30)
    conn = connect(api)
    response, _ = get_next(conn)
    request_id = response.getheader("Lambda-Runtime-Aws-Request-Id")
    status, body = post(conn, "/2018-06-01/runtime/invocation/{}/response".format(request_id),
                        b'"' + b"x" * MAX_RESPONSE_BYTES + b'"')
    assert status == 413 and body == {"errorMessage": "Exceeded maximum allowed payload size (6291456 bytes).",
                                      "errorType": "RequestEntityTooLarge"}
    assert invocation.status == "error" and invocation.error["errorType"] == "Function.ResponseSizeTooLarge"
    conn.close()


def test_chunked_request_bodies_are_read(api):
    invocation = api.submit({}, timeout=30)
    conn = connect(api)
    response, _ = get_next(conn)
    request_id = response.getheader("Lambda-Runtime-Aws-Request-Id")
    conn.request("POST", "/2018-06-01/runtime/invocation/{}/response".format(request_id),
                 body=iter([b'{"a": ', b"[1, 2]}"]), encode_chunked=True)
    answer = conn.getresponse()
    assert answer.status == 202 and json.loads(answer.read()) == {"status": "OK"}
    assert invocation.result() == {"a": [1, 2]}
    conn.close()


def test_init_error_is_accepted_and_fails_the_queued_invocations_with_it(api):
    waiting = api.submit({}, timeout=30)
    conn = connect(api)
    document = {"errorMessage": "Unable to import module 'x': No module named 'x'",
                "errorType": "Runtime.ImportModuleError", "stackTrace": []}
    status, body = post(conn, "/2018-06-01/runtime/init/error", json.dumps(document).encode(),
                        {"Lambda-Runtime-Function-Error-Type": "Runtime.ImportModuleError"})
    assert (status, body) == (202, {"status": "OK"})
    assert api.init_error == document and api.init_error_type == "Runtime.ImportModuleError"
    assert waiting.done.is_set() and waiting.status == "error" and waiting.error == document
    conn.close()


@pytest.mark.parametrize("method, path, status, body", [
    ("GET", "/2018-06-01/runtime/invocation/abc/response", 405,
     {"errorMessage": "GET /2018-06-01/runtime/invocation/abc/response: method not allowed (use POST)",
      "errorType": "MethodNotAllowed"}),
    ("POST", NEXT, 405, {"errorMessage": "POST {}: method not allowed (use GET)".format(NEXT),
                         "errorType": "MethodNotAllowed"}),
    ("GET", "/2018-06-01/runtime/nothing", 404,
     {"errorMessage": "Unknown Runtime API path /2018-06-01/runtime/nothing", "errorType": "NotFound"}),
    ("PUT", NEXT, 404, {"errorMessage": "Unknown Runtime API path {}".format(NEXT), "errorType": "NotFound"}),
])
def test_other_paths_and_methods_get_json_4xx(api, method, path, status, body):
    conn = connect(api)
    conn.request(method, path, b"" if method != "GET" else None)
    response = conn.getresponse()
    assert response.status == status and json.loads(response.read()) == body
    assert response.getheader("Content-Type") == "application/json"
    conn.close()


def test_reset_drops_a_waiting_next_call_and_the_queue(api):
    conn = connect(api)
    errors = []

    def wait():
        try:
            get_next(conn)
        except (http.client.HTTPException, OSError) as exc:
            errors.append(exc)

    reader = threading.Thread(target=wait)
    reader.start()
    reader.join(0.3)
    delivered = api.submit({}, timeout=30)
    assert delivered.delivered.wait(30)
    reader.join(30)
    # the next /next is waiting when the runtime is declared gone
    reader = threading.Thread(target=wait)
    reader.start()
    reader.join(0.3)
    assert api.reset() == [delivered]
    reader.join(30)
    assert not reader.is_alive() and len(errors) == 1  # connection closed without an answer
    conn.close()


# ---------------------------------------------------------------------- a real awslambdaric runtime

HANDLER = """
import os, time

def handler(event, context):
    if event.get("raise"):
        raise KeyError(event["raise"])
    if event.get("sleep"):
        time.sleep(event["sleep"])
    return {"pid": os.getpid(), "request_id": context.aws_request_id, "function_name": context.function_name,
            "version": context.function_version, "memory": context.memory_limit_in_mb,
            "arn": context.invoked_function_arn, "remaining": context.get_remaining_time_in_millis(),
            "log_group": context.log_group_name, "event": event}
"""


@needs_ric
def test_a_real_awslambdaric_runtime_serves_many_invocations_from_one_process(tmp_path):
    (tmp_path / "ric_app.py").write_text(textwrap.dedent(HANDLER))
    with RuntimeAPI("ric-fn") as api:
        env = dict(os.environ, AWS_LAMBDA_RUNTIME_API=api.address, AWS_LAMBDA_FUNCTION_NAME="ric-fn",
                   AWS_LAMBDA_FUNCTION_VERSION="$LATEST", AWS_LAMBDA_FUNCTION_MEMORY_SIZE="256",
                   AWS_LAMBDA_LOG_GROUP_NAME="/aws/lambda/ric-fn", _HANDLER="ric_app.handler",
                   LAMBDA_TASK_ROOT=str(tmp_path))
        proc = subprocess.Popen([sys.executable, "-m", "awslambdaric", "ric_app.handler"], cwd=str(tmp_path),
                                env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
        try:
            results = []
            for n in range(3):
                invocation = api.submit({"n": n}, timeout=60, request_id="req-{}".format(n))
                assert invocation.done.wait(60), proc.poll()
                assert invocation.status == "success"
                results.append(invocation.result())
            failing = api.submit({"raise": "token"}, timeout=60)
            assert failing.done.wait(60)
            after = api.submit({"n": 3}, timeout=60)
            assert after.done.wait(60)
        finally:
            proc.kill()
            output = proc.communicate(timeout=30)[0].decode("utf-8", "replace")
            api.reset()
    assert [r["request_id"] for r in results] == ["req-0", "req-1", "req-2"]
    assert [r["event"] for r in results] == [{"n": 0}, {"n": 1}, {"n": 2}]
    assert {r["pid"] for r in results} == {proc.pid} == {after.result()["pid"]}
    first = results[0]
    assert (first["function_name"], first["version"], first["memory"], first["log_group"]) == (
        "ric-fn", "$LATEST", "256", "/aws/lambda/ric-fn")
    assert first["arn"] == "arn:aws:lambda:local:000000000000:function:ric-fn"
    assert 0 < first["remaining"] <= 60000
    assert failing.status == "error"
    assert failing.error["errorType"] == "KeyError" and failing.error["errorMessage"] == "'token'"
    assert failing.error["requestId"] == failing.request_id
    assert "[ERROR] KeyError: 'token'" in output


@needs_ric
def test_a_handler_that_cannot_be_imported_posts_an_init_error(tmp_path):
    with RuntimeAPI("ric-fn") as api:
        waiting = api.submit({}, timeout=60)
        proc = subprocess.Popen([sys.executable, "-m", "awslambdaric", "missing_module.handler"], cwd=str(tmp_path),
                                env=dict(os.environ, AWS_LAMBDA_RUNTIME_API=api.address),
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            assert waiting.done.wait(60)
            assert proc.wait(timeout=60) == 1
        finally:
            if proc.poll() is None:
                proc.kill()
                proc.wait(timeout=30)
    assert waiting.status == "error" and api.init_error_type == "Runtime.ImportModuleError"
    assert api.init_error["errorMessage"].startswith("Unable to import module 'missing_module'")
