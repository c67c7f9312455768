"""``doover invoke MODULE:HANDLER``: run a processor's Lambda handler once, as Lambda would.

It prepares a Doover emulator (an in-process one, or ``--emulator URL``): the app's
deployment config, a processor subscription (or schedule) registered through the Data API,
and, for channel ops, the triggering message or aggregate update written for real. It then
builds the event Lambda would receive (SNS-wrapped for subscriptions, direct for schedules,
with an initial token the emulator honours), calls ``HANDLER(event, context)`` in a fresh
Python process with ``DOOVER_DATA_ENDPOINT`` pointing at the emulator, and prints the JSON
log lines, the handler's result and the invocation summary the processor published.
"""

import argparse
import json
import os
import subprocess
import sys
import tempfile
import uuid
from typing import Any, Dict, Optional, Tuple

from ..exceptions import DooverError

__all__ = ["configure", "run"]

OPS = ("on_message_create", "on_aggregate_update", "on_schedule", "on_deployment",
       "on_manual_invoke", "on_ingestion_endpoint")

_CHILD = r"""
import importlib, json, os, sys
sys.path.insert(0, os.getcwd())
target, event_path, result_path, request_id = sys.argv[1:5]
module_name, _, attr = target.partition(":")
handler = getattr(importlib.import_module(module_name), attr or "handler")

class Context:
    aws_request_id = request_id
    function_name = module_name
    function_version = "$LATEST"
    invoked_function_arn = "arn:aws:lambda:local:000000000000:function:" + module_name
    memory_limit_in_mb = "128"
    log_group_name = "/aws/lambda/" + module_name
    log_stream_name = "local"
    def get_remaining_time_in_millis(self):
        return 900000

with open(event_path) as f:
    event = json.load(f)
result = handler(event, Context())
with open(result_path, "w") as f:
    json.dump(result, f)
"""


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("target", metavar="MODULE:HANDLER", help="the Lambda handler, e.g. my_app:handler")
    parser.add_argument("--op", choices=OPS, default="on_message_create")
    parser.add_argument("--channel", default="sensors", help="channel of the message / aggregate update")
    parser.add_argument("--data", default="{}", help="JSON: message data, aggregate patch or invoke payload")
    parser.add_argument("--agent", type=int, default=1, help="the processor's agent id (default 1)")
    parser.add_argument("--app-key", default="local_app", help="the app key (default local_app)")
    parser.add_argument("--config", default="{}", help="JSON: the app's deployment config")
    parser.add_argument("--emulator", metavar="URL", help="a running emulator (http://host:port); default: in-process")
    parser.add_argument("--token", help="with --emulator: a token that may write to the agent")
    parser.add_argument("--timeout", type=float, default=900.0, help="seconds before the handler is killed")


def _json_arg(text: str, name: str) -> Any:
    try:
        return json.loads(text)
    except ValueError as exc:
        raise DooverError("--{}: expected JSON, got {!r}".format(name, text)) from exc


def _client(base_url: str, token: str) -> Any:
    from ..processor._client import ProcessorDataClient

    return ProcessorDataClient(base_url=base_url, token=token)


def build_event(args: argparse.Namespace, base_url: str, token: str, mint: Any = None) -> Tuple[Dict[str, Any], str]:
    """Prepare the emulator and return ``(lambda_event, subscription_or_schedule_id)``.

    ``mint(arn)`` makes the subscription's initial token (in-process emulator); without it
    ``token`` is used, which the emulator's info endpoint accepts for its agent.
    """
    data = _json_arg(args.data, "data")
    config = _json_arg(args.config, "config")
    if not isinstance(config, dict):
        raise DooverError("--config: expected a JSON object")
    api = _client(base_url, token)
    agent = args.agent
    api.update_channel_aggregate("deployment_config", {"applications": {args.app_key: config}}, agent_id=agent)
    if args.op == "on_schedule":
        schedule_id = "local-schedule-" + uuid.uuid4().hex[:8]
        answer = api.request("PUT", "/agents/{}/processors/schedules/{}".format(agent, schedule_id),
                             json_body={"app_key": args.app_key, "permissions": []})
        body = {"op": "on_schedule", "token": answer["token"], "d": {"schedule_id": schedule_id}}
        return body, schedule_id
    arn = "arn:aws:sns:local:000000000000:proc-ch-{}-{}-{}:{}".format(
        agent, args.channel, args.op.replace("_", ""), uuid.uuid4())
    api.request("PUT", "/agents/{}/processors/subscriptions/{}".format(agent, arn),
                json_body={"subscription_arn": arn, "app_key": args.app_key, "permissions": []})
    info = api.fetch_subscription_info(arn)
    org = info.get("organisation_id")
    channel = {"agent_id": str(agent), "name": args.channel}
    if args.op == "on_message_create":
        message = api.create_message(args.channel, data, agent_id=agent).to_dict()
        d = {"organisation_id": org, "channel": channel, "message": message}
    elif args.op == "on_aggregate_update":
        api.update_channel_aggregate(args.channel, data, agent_id=agent)
        aggregate = api.fetch_channel_aggregate(args.channel, agent_id=agent)
        d = {"author_id": str(agent), "organisation_id": org, "channel": channel,
             "aggregate": {"data": aggregate.data}, "request_data": {"data": data}}
    elif args.op == "on_deployment":
        d = {"organisation_id": org, "agent_id": str(agent), "app_id": info["deployment_config"].get("APP_ID"),
             "app_install_id": info["deployment_config"].get("APP_ID"), "app_key": args.app_key,
             "app_display_name": info["deployment_config"].get("APP_DISPLAY_NAME")}
    elif args.op == "on_manual_invoke":
        d = {"organisation_id": org, "payload": data}
    else:
        import base64

        body = {"op": args.op, "token": api.token, "d": {
            "ingestion_id": "local-ingestion", "agent_id": str(agent), "organisation_id": org,
            "payload": base64.b64encode(json.dumps(data).encode()).decode(), "upgrade": info}}
        return body, "local-ingestion"
    body = {"op": args.op, "token": mint(arn) if mint is not None else token, "d": d}

    return {"Records": [{"EventSource": "aws:sns", "EventVersion": "1.0", "EventSubscriptionArn": arn,
                         "Sns": {"Type": "Notification", "MessageId": str(uuid.uuid4()),
                                 "Message": json.dumps(body)}}]}, arn


def call_handler(target: str, event: Dict[str, Any], base_url: str, timeout: float) -> Tuple[int, str, str, Any]:
    """Run ``target`` on ``event`` in a fresh process: ``(returncode, stdout, stderr, result)``."""
    request_id = str(uuid.uuid4())
    with tempfile.TemporaryDirectory(prefix="doover-invoke-") as tmp:
        event_path = os.path.join(tmp, "event.json")
        result_path = os.path.join(tmp, "result.json")
        with open(event_path, "w") as f:
            json.dump(event, f)
        env = dict(os.environ, DOOVER_DATA_ENDPOINT=base_url, AWS_LAMBDA_FUNCTION_NAME=target.partition(":")[0])
        try:
            proc = subprocess.run(
                [sys.executable, "-c", _CHILD, target, event_path, result_path, request_id],
                capture_output=True, text=True, env=env, timeout=timeout,
            )
        except subprocess.TimeoutExpired as exc:
            raise DooverError("handler {} did not finish within --timeout {}s".format(target, timeout)) from exc
        result = None
        if os.path.exists(result_path):
            with open(result_path) as f:
                result = json.load(f)
        return proc.returncode, proc.stdout, proc.stderr, result


def _summary(base_url: str, token: str, agent: int, ident: str, op: str) -> Optional[Dict[str, Any]]:
    api = _client(base_url, token)
    path = "/processors/schedules/" if op == "on_schedule" else "/processors/subscriptions/"
    if op == "on_ingestion_endpoint":
        return None
    info = api.request("GET", path + ident)
    app_id = (info.get("deployment_config") or {}).get("APP_ID")
    messages = api.list_messages("dv-proc-inv-{}".format(app_id), limit=1, agent_id=agent)
    return messages[0].data if messages else None


def run(args: argparse.Namespace) -> int:
    emulator = None
    if args.emulator:
        if not args.token:
            raise DooverError("--token: required with --emulator (a token that may write to agent {})".format(args.agent))
        base_url, token = args.emulator.rstrip("/") + "/api", args.token
    else:
        from ..emulator import Emulator

        emulator = Emulator().start()
        base_url, token = emulator.base_url, emulator.token_for(args.agent)
    try:
        event, ident = build_event(args, base_url, token,
                                   mint=emulator.initial_token if emulator is not None else None)
        code, out, err, result = call_handler(args.target, event, base_url, args.timeout)
        print("== logs")
        for line in out.splitlines():
            print(line)
        if err.strip():
            print("== stderr")
            print(err.rstrip())
        if code != 0:
            print("== handler failed (exit status {})".format(code))
            return 1
        print("== result")
        print(json.dumps(result))
        summary = _summary(base_url, token, args.agent, ident, args.op)
        print("== summary")
        print(json.dumps(summary))
        return 0
    finally:
        if emulator is not None:
            emulator.close()
