"""``doover invoke MODULE:HANDLER``: run a processor's Lambda handler once, as Lambda would.

It prepares a Doover emulator (an in-process one, or ``--emulator URL``): the app's
deployment config, a processor subscription (or schedule) registered through the Data API,
and, for channel ops, the triggering message or aggregate update written for real (for
``on_alarm_trigger``, the ``--alarm`` is created first and the ``--data`` patch must change
its state). It then builds the event Lambda would receive (SNS-wrapped for subscriptions,
direct for schedules, with an initial token the emulator honours), calls
``HANDLER(event, context)`` in a fresh worker process with ``DOOVER_DATA_ENDPOINT`` pointing
at the emulator, and prints the JSON log lines, the handler's result and the invocation
summary the processor published.

The worker is the one the emulator's processor hosting uses (:mod:`doover.emulator._workers`):
by default (``--runtime auto``) the real AWS Lambda runtime interface client,
``python -m awslambdaric MODULE.HANDLER``, against a local Lambda Runtime API, so the context
object and the JSON serialisation of the result are Lambda's; ``--runtime plain`` (or no
awslambdaric) runs a plain worker. A handler that outlives ``--timeout`` is killed and the
summary it could not publish is published for it.
"""

import argparse
import json
import os
import sys
import time
import uuid
from typing import Any, Dict, List, Optional, Tuple

from ..exceptions import DooverError

__all__ = ["configure", "run"]

OPS = ("on_message_create", "on_aggregate_update", "on_schedule", "on_deployment",
       "on_manual_invoke", "on_ingestion_endpoint", "on_alarm_trigger")

def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("target", metavar="MODULE:HANDLER", help="the Lambda handler, e.g. my_app:handler")
    parser.add_argument("--op", choices=OPS, default="on_message_create")
    parser.add_argument("--channel", default="sensors", help="channel of the message / aggregate update")
    parser.add_argument("--data", default="{}", help="JSON: message data, aggregate patch or invoke payload")
    parser.add_argument("--alarm", metavar="JSON", default=None,
                        help='with --op on_alarm_trigger: the alarm to create on --channel, e.g. '
                             '{"name": "hot", "key": "temp", "operator": "gt", "value": 30}; '
                             'the --data patch must change its state')
    parser.add_argument("--agent", type=int, default=1, help="the processor's agent id (default 1)")
    parser.add_argument("--app-key", default="local_app", help="the app key (default local_app)")
    parser.add_argument("--config", default="{}", help="JSON: the app's deployment config")
    parser.add_argument("--emulator", metavar="URL", help="a running emulator (http://host:port); default: in-process")
    parser.add_argument("--token", help="with --emulator: a token that may write to the agent")
    parser.add_argument("--timeout", type=float, default=900.0, help="seconds before the handler is killed")
    parser.add_argument("--runtime", choices=("auto", "awslambdaric", "plain"), default="auto",
                        help="awslambdaric (the AWS Lambda runtime interface client), plain, or auto: "
                             "awslambdaric when importable (default: auto)")


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
    elif args.op == "on_alarm_trigger":
        d = _alarm_trigger_d(api, args, data, org)
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


def _alarm_trigger_d(api: Any, args: argparse.Namespace, data: Any, org: Any) -> Dict[str, Any]:
    """Create ``--alarm`` on the channel, apply the ``--data`` patch, and build the event body
    of the alarm's transition, as the emulator's processor hosting delivers it."""
    from ..emulator._events import alarm_trigger_event

    if args.alarm is None:
        raise DooverError('--alarm: required with --op on_alarm_trigger (JSON such as '
                          '{"name": "hot", "key": "temp", "operator": "gt", "value": 30})')
    alarm = _json_arg(args.alarm, "alarm")
    if not isinstance(alarm, dict):
        raise DooverError("--alarm: expected a JSON object with name, key, operator and value")
    if not isinstance(data, dict):
        raise DooverError("--data: expected a JSON object (the aggregate patch)")
    base = "/agents/{}/channels/{}".format(args.agent, args.channel)
    created = api.request("POST", base + "/alarms", json_body=alarm)
    api.update_channel_aggregate(args.channel, data, agent_id=args.agent)
    after = api.request("GET", "{}/alarms/{}".format(base, created["id"]))
    if after["state"] == created["state"]:
        raise DooverError("--data: the patch left alarm {!r} in state {} ({} {} {!r}); an alarm trigger needs "
                          "a state change".format(after["name"], after["state"], after["key"], after["operator"],
                                                  after["value"]))
    aggregate = api.request("GET", base + "/aggregate")
    event = alarm_trigger_event(args.agent, args.channel, org, dict(after, channel_name=args.channel),
                                created["state"], aggregate, data)
    return event["d"]


def call_handler(target: str, event: Dict[str, Any], base_url: str, timeout: float, *, runtime: str = "auto",
                 cwd: Optional[str] = None, request_id: Optional[str] = None) -> Tuple[Dict[str, Any], List[str], List[str], str]:
    """Run ``target`` on ``event`` once in a fresh worker: ``(answer, stdout_lines, stderr_lines, runtime)``.

    ``answer`` is ``{"result": ...}`` or ``{"error": {"type", "message"}}`` (with ``"fault"``
    when the worker timed out, died or could not load the handler).
    """
    from ..emulator._runtime_api import RuntimeAPI
    from ..emulator._workers import make_worker, resolve_runtime, split_target

    module, _ = split_target(target)
    used = resolve_runtime(runtime, sys.executable)
    lines = {"stdout": [], "stderr": []}  # type: Dict[str, List[str]]
    api = RuntimeAPI(module).start() if used == "awslambdaric" else None
    try:
        worker = make_worker(used, target, cwd=cwd or os.getcwd(), python=sys.executable, base_url=base_url,
                             function_name=module, on_line=lambda stream, line: lines[stream].append(line), api=api)
        worker.start()
        try:
            answer = worker.invoke(request_id or str(uuid.uuid4()), event, timeout)
        finally:
            worker.kill()
    finally:
        if api is not None:
            api.close()
    return answer, lines["stdout"], lines["stderr"], used


def _publish_fault_summary(base_url: str, token: str, args: argparse.Namespace, ident: str, request_id: str,
                           started_at: float, error: Dict[str, Any]) -> None:
    """The worker timed out or died: publish the summary it could not, as the emulator's host does."""
    from ..emulator._hosting import fault_summary, summary_targets

    if args.op == "on_ingestion_endpoint":
        return
    api = _client(base_url, token)
    path = "/processors/schedules/" if args.op == "on_schedule" else "/processors/subscriptions/"
    config = api.request("GET", path + ident).get("deployment_config") or {}
    app_id = config.get("APP_ID")
    if not isinstance(app_id, str):
        return
    summary = fault_summary(
        app_key=args.app_key, app_id=app_id, agent_id=args.agent, op=args.op,
        subscription_id=None if args.op == "on_schedule" else ident,
        schedule_id=ident if args.op == "on_schedule" else None, started_at=started_at, error=error,
        request_id=request_id, function_name=args.target.partition(":")[0])
    for agent, channel in summary_targets(config, app_id, args.agent):
        api.create_message(channel, summary, agent_id=agent)


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
        request_id = str(uuid.uuid4())
        started_at = time.time()
        answer, out, err, _ = call_handler(args.target, event, base_url, args.timeout, runtime=args.runtime,
                                           request_id=request_id)
        print("== logs")
        for line in out:
            print(line)
        if any(line.strip() for line in err):
            print("== stderr")
            print("\n".join(err).rstrip())
        if "error" in answer:
            print("== handler failed ({}: {})".format(answer["error"].get("type"), answer["error"].get("message")))
            if answer.get("fault"):
                _publish_fault_summary(base_url, token, args, ident, request_id, started_at, answer["error"])
                print("== summary")
                print(json.dumps(_summary(base_url, token, args.agent, ident, args.op)))
            return 1
        print("== result")
        print(json.dumps(answer["result"]))
        summary = _summary(base_url, token, args.agent, ident, args.op)
        print("== summary")
        print(json.dumps(summary))
        return 0
    finally:
        if emulator is not None:
            emulator.close()
