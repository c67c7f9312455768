"""``run_app``: the one entry point for every Lambda event a processor receives.

Order of one invocation (``docs/processor.md`` has the full story):

1. unwrap the envelope (SNS record, EventBridge ``detail``, or the direct payload);
2. build the typed event; no-handler check; ``pre_hook_filter`` (no network, no ``requests``);
3. setup: token upgrade (``d.upgrade``, else the subscription or schedule info endpoint),
   identity, config injection, tags, log levels from ``dv_proc_config``;
4. self-loop guard, user ``setup``, ``post_setup_filter``;
5. UI / RPC managers, then the handler (an exception is recorded, not swallowed);
6. tag commit (also after a handler error), user ``close``;
7. invocation summary, whenever the upgrade succeeded (also after failures). The tag log
   message and the summaries go out in ONE ``POST /agents/messages`` batch.

The return value is JSON: ``{"status", "result", "skip_reason", "error"}``.
"""

import copy
import json
import logging
import time
from typing import Any, Dict, List, Optional, Tuple

from ..exceptions import ConfigError, DooverError, InvalidEventError
from ._app import Application, call_hook
from ._events import build_event
from ._logging import (
    LOG_CONTEXT,
    LevelScope,
    StreamCapture,
    ensure_context_filter,
    env_level,
    install_logging,
)
from ._skip import ProcessorSkipped, SkipReason

__all__ = ["run_app", "unwrap_event"]

log = logging.getLogger("doover.processor")

_DEFAULT_TARGETS = [(None, "dv-proc-inv-$app_id")]
_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")


def _summary_targets(proc_config: Any) -> List[Tuple[Optional[str], str]]:
    """``(agent_id, channel)`` of each summary target; the default one when the processor
    config never loaded (an early failure, or an invalid ``dv_proc_config``)."""
    if proc_config is None:
        return list(_DEFAULT_TARGETS)
    return [(target.agent_id.value, target.channel.value or "") for target in proc_config.inv_targets.value or []]


def unwrap_event(event: Any) -> Tuple[Dict[str, Any], Optional[str]]:
    """``(payload, subscription_arn)`` from a Lambda event; bad envelopes raise InvalidEventError."""
    if isinstance(event, (str, bytes)):
        try:
            event = json.loads(event)
        except ValueError as exc:
            raise InvalidEventError("event: expected a JSON object, got malformed JSON") from exc
    if not isinstance(event, dict):
        raise InvalidEventError("event: expected a JSON object, got {}".format(type(event).__name__))
    records = event.get("Records")
    if records is not None:
        if not isinstance(records, list) or not records or not isinstance(records[0], dict):
            raise InvalidEventError("Records: expected a non-empty list of SNS records")
        record = records[0]
        source = record.get("EventSource")
        if source != "aws:sns":
            raise InvalidEventError(
                "Records[0].EventSource: expected 'aws:sns', got {!r}{}".format(
                    source if source is not None else record.get("eventSource"),
                    " (SQS-style records are not a processor event)" if "eventSource" in record else "",
                )
            )
        try:
            message = record["Sns"]["Message"]
            payload = json.loads(message)
        except (KeyError, TypeError) as exc:
            raise InvalidEventError("Records[0].Sns.Message: required field is missing") from exc
        except ValueError as exc:
            raise InvalidEventError("Records[0].Sns.Message: expected JSON, got malformed JSON") from exc
        if not isinstance(payload, dict):
            raise InvalidEventError("Records[0].Sns.Message: expected a JSON object")
        return payload, record.get("EventSubscriptionArn")
    if "detail" in event and "op" not in event and isinstance(event["detail"], dict):
        return event["detail"], None  # an EventBridge envelope
    return event, None


_RPC_CLASSES: Dict[Any, bool] = {}


def has_rpc_handlers(cls: type, marker: str = "_doover_rpc") -> bool:
    """True if ``cls`` has methods decorated with ``doover.rpc.handler`` (or, with
    ``marker="_doover_ui"``, ``doover.ui.handler``), checked statically."""
    key = (cls, marker)
    found = _RPC_CLASSES.get(key)
    if found is None:
        found = any(
            callable(value) and hasattr(value, marker)
            for klass in cls.__mro__
            for value in vars(klass).values()
        )
        _RPC_CLASSES[key] = found
    return found


def _ctx(context: Any, name: str) -> Any:
    if isinstance(context, dict):
        return context.get(name)
    return getattr(context, name, None)


def _json_safe(value: Any) -> Any:
    try:
        json.dumps(value)
        return value
    except (TypeError, ValueError):
        log.warning("Handler result %r is not JSON-serialisable; returning null", value)
        return None


class _Invocation:
    def __init__(self, app: Application, context: Any, levels: LevelScope) -> None:
        self.app = app
        self.levels = levels
        self.started = time.time()
        self.payload: Dict[str, Any] = {}
        self.d: Dict[str, Any] = {}
        self.subscription_id: Optional[str] = None
        self.upgraded = False
        self.deferred_messages: List[Dict[str, Any]] = []
        self.handler_error: Optional[BaseException] = None
        app._reset_invocation()
        if getattr(app, "_rpc_owned", False):
            app.rpc, app._rpc_owned = None, False
        if getattr(app, "_ui_owned", False):
            app.ui_manager, app._ui_owned = None, False
        app.lambda_request_id = _ctx(context, "aws_request_id")
        app.lambda_function_name = _ctx(context, "function_name")
        app.lambda_function_version = _ctx(context, "function_version")

    # -------------------------------------------------------------- pipeline

    def run(self, event: Any) -> Dict[str, Any]:
        status, skip_reason, error, result = "success", None, None, None
        failure: Optional[BaseException] = None
        try:
            self.payload, self.subscription_id = unwrap_event(event)
            result = self.dispatch()
            if self.handler_error is not None:
                raise self.handler_error
        except ProcessorSkipped as skip:
            status, skip_reason = "skipped", skip.reason.value
            log.info("Invocation skipped: %s", skip_reason)
        except Exception as exc:
            status, failure = "error", exc
            error = {"type": type(exc).__name__, "message": str(exc)}
            if exc is not self.handler_error:
                log.error("Unhandled error in invocation", exc_info=exc)
            if not self.upgraded:
                self.try_upgrade_for_summary()
        finally:
            self.publish_summary(status, skip_reason, error)
        if failure is not None and self.app.raise_on_error:
            raise failure
        return {
            "status": status,
            "result": _json_safe(result) if status == "success" else None,
            "skip_reason": skip_reason,
            "error": error,
        }

    def dispatch(self) -> Any:
        app, payload = self.app, self.payload
        op = payload.get("op")
        app.event_type = op
        LOG_CONTEXT["event_type"] = op
        d = payload.get("d")
        self.d = d if isinstance(d, dict) else {}
        app.schedule_id = self.d.get("schedule_id")
        app.ingestion_id = self.d.get("ingestion_id")
        app.organisation_id = self.d.get("organisation_id")
        app.subscription_id = self.subscription_id
        if "token" not in payload or not payload.get("token"):
            raise InvalidEventError("token: the invocation event carries no initial token")
        event = build_event(op, d, app.parse_ingestion_event_payload)
        # an alarm fires from an aggregate update of its channel: writing back there re-fires it
        if op in ("on_message_create", "on_aggregate_update", "on_alarm_trigger"):
            invoking = event.channel.name
        else:
            invoking = None
        self.check_handler(op)
        app._payload = event
        if not call_hook(app.pre_hook_filter, event):
            raise ProcessorSkipped(SkipReason.pre_hook_filter)

        self.setup(invoking)
        self.self_loop_guard(event)
        try:
            call_hook(app.setup)
        except Exception as exc:
            self.handler_error = exc
            log.error("Error in user setup", exc_info=exc)
        if self.handler_error is None and not call_hook(app.post_setup_filter, event):
            raise ProcessorSkipped(SkipReason.post_setup_filter)
        if op == "on_deployment" and app.ui_manager is not None:
            write = app.ui_manager.initial_publish()
            if write is not None:
                log.info("Publishing ui_state schema on deployment.")
                write.execute(app._client)
        result = None
        if self.handler_error is None:
            if op == "on_message_create":
                for manager in (app.ui_manager, app.rpc):
                    if manager is not None:
                        try:
                            call_hook(manager.handle_event, event, app._client)
                        except Exception as exc:
                            log.error("Error handling UI/RPC event", exc_info=exc)
            try:
                result = call_hook(getattr(app, op), event)
            except Exception as exc:
                self.handler_error = exc
                log.error("Error attempting to process event: %s", exc, exc_info=exc)
        if app.ui_manager is not None:
            app.ui_manager.publish(app._client)
        self.commit_tags()
        try:
            call_hook(app.close)
        except Exception as exc:
            log.error("Error in user close", exc_info=exc)
        return result

    def check_handler(self, op: str) -> None:
        """Skip before any network call when the app has nothing to run for ``op``.

        ``on_deployment`` always runs (framework work); ``on_message_create`` runs when the app
        has UI or RPC managers, so RPC/UI-only processors keep working.
        """
        app = self.app
        if getattr(type(app), op) is not getattr(Application, op):
            return
        if op == "on_deployment":
            return
        if op == "on_message_create" and (
            app.ui_manager is not None or app.rpc is not None or app.ui_cls is not None
            or has_rpc_handlers(type(app)) or has_rpc_handlers(type(app), "_doover_ui")
        ):
            return
        raise ProcessorSkipped(SkipReason.no_handler)

    # -------------------------------------------------------------- setup

    def upgrade(self) -> Dict[str, Any]:
        from ._client import ProcessorDataClient

        app = self.app
        client = ProcessorDataClient(token=self.payload.get("token"), session=app._http_session)
        app._client = client
        upgrade = self.d.get("upgrade")
        if isinstance(upgrade, dict):
            info = upgrade
        elif self.subscription_id:
            info = client.fetch_subscription_info(self.subscription_id)
        elif app.schedule_id is not None:
            info = client.fetch_schedule_info(app.schedule_id)
        else:
            raise InvalidEventError(
                "d.upgrade: no upgrade info, SNS subscription or d.schedule_id in the event"
            )
        app._http_session = client.http_session
        if not isinstance(info, dict) or not info.get("token") or not info.get("agent_id"):
            raise InvalidEventError("upgrade info: expected an object with token and agent_id")
        try:
            app.agent_id = int(info["agent_id"])
        except (TypeError, ValueError) as exc:
            raise InvalidEventError(
                "upgrade info.agent_id: expected an integer, got {!r}".format(info["agent_id"])
            ) from exc
        client.agent_id = app.agent_id
        client.set_token(info["token"])
        org = info.get("organisation_id") or self.d.get("organisation_id")
        client.organisation_id = int(org) if org else None
        app.app_key = info.get("app_key")
        client.app_key = app.app_key
        deployment = info.get("deployment_config")
        app.received_deployment_config = copy.deepcopy(deployment) if isinstance(deployment, dict) else {}
        app.app_id = app.received_deployment_config.get("APP_ID")
        app.display_name = app.received_deployment_config.get("APP_DISPLAY_NAME")
        self.upgraded = True
        LOG_CONTEXT["app_id"] = app.app_id
        LOG_CONTEXT["agent_id"] = str(app.agent_id)
        return info

    def try_upgrade_for_summary(self) -> None:
        if not self.payload.get("token"):
            return
        try:
            self.upgrade()
        except Exception as exc:
            log.warning("No invocation summary: the token upgrade failed too (%s)", exc)

    def setup(self, invoking: Optional[str]) -> None:
        from ..tags import ProcessorTagManager, Tags

        app = self.app
        info = self.upgrade()
        app._client.invoking_channel = invoking
        app.proc_config = self.load_proc_config(app.received_deployment_config)
        self.apply_log_levels(app.proc_config)
        connection = info.get("connection_data") if isinstance(info.get("connection_data"), dict) else {}
        app.connection_config = copy.deepcopy(connection.get("config")) if isinstance(connection.get("config"), dict) else None
        app.connection_status = copy.deepcopy(connection.get("status")) if isinstance(connection.get("status"), dict) else None
        ui_cmds = info.get("ui_cmds")
        app.ui_cmds = copy.deepcopy(ui_cmds.get(app.app_key)) if isinstance(ui_cmds, dict) else None
        app.config = self.load_config(app.received_deployment_config)
        app.tag_manager = ProcessorTagManager(
            app.app_key, None, app.agent_id, copy.deepcopy(info.get("tag_values")),
            record_tag_update=app._record_tag_update,
        )
        app.tags = (app.tags_cls or Tags)(app.app_key, app.tag_manager, app.config)
        call_hook(app.tags.setup)
        if app.notifications_cls is not None:
            app.notifications = app.notifications_cls(app.app_key, app)
            call_hook(app.notifications.setup)
        if has_rpc_handlers(type(app)):
            from ..rpc import RPCManager

            manager = RPCManager(app._client, app.app_key, processor=True)
            manager.register_handlers(app)
            app.rpc = manager
            app._rpc_owned = True
        if app.ui_cls is not None or has_rpc_handlers(type(app), "_doover_ui"):
            from ..ui import UI, UIManager

            app.ui = (app.ui_cls or UI)(app.config, app.tags, app.app_key)
            call_hook(app.ui.setup)
            manager = UIManager(app._client, app.app_key, processor=True)
            manager.set_ui(app.ui)
            manager.seed_values(info.get("ui_cmds"))
            manager.seed_published(info.get("ui_state"))
            manager.register_handlers(app)
            app.ui_manager = manager
            app._ui_owned = True

    def load_config(self, deployment: Dict[str, Any]) -> Any:
        """A fresh ``config_cls`` instance loaded (and validated) from the deployment config.

        Without a ``config_cls`` the app gets a read-only :class:`DeploymentConfig` view.
        """
        cls = self.app.config_cls
        if cls is None:
            from ._rawconfig import DeploymentConfig

            return DeploymentConfig(deployment)
        schema = cls()
        schema._inject_deployment_config(deployment)
        return schema

    @staticmethod
    def load_proc_config(deployment: Dict[str, Any]) -> Any:
        """A fresh :class:`~doover.processor.config.ProcessorConfig` from ``dv_proc_config``
        (absent or null: all defaults; invalid: ConfigError naming ``dv_proc_config.<path>``)."""
        from .config import ProcessorConfig

        return ProcessorConfig.from_deployment(deployment.get("dv_proc_config"))

    def apply_log_levels(self, proc: Any) -> None:
        self.levels.set(None, proc.log_level.value)
        overrides = proc.log_overrides.value or {}
        problems = []
        for name, value in overrides.items():
            level = value.upper() if isinstance(value, str) else value
            if level not in _LEVELS:
                problems.append("dv_proc_config.log_overrides.{}: expected one of {}, got {!r}".format(
                    name, ", ".join(_LEVELS), value))
                continue
            self.levels.set(name, level)
        if problems:
            raise ConfigError(problems)

    def self_loop_guard(self, event: Any) -> None:
        key = self.app.app_key
        if self.app.event_type == "on_aggregate_update":
            data = event.request_data.data
        elif self.app.event_type == "on_message_create":
            data = event.message.data
        else:
            return
        if event.channel.name == "tag_values" and isinstance(data, dict) and key in data:
            raise ProcessorSkipped(SkipReason.tag_values_self_loop)

    # -------------------------------------------------------------- end

    def commit_tags(self) -> None:
        store = self.app.tag_manager
        if store is None:
            return
        plan = store.build_commit()
        if not plan:
            return
        client = self.app._client
        if plan.aggregate_patch:
            client.update_channel_aggregate(plan.channel_name, plan.aggregate_patch, suppress_response=True)
        if plan.log_message:
            client.check_write(plan.channel_name, plan.log_message, False)
            self.deferred_messages.append({"channel_name": plan.channel_name, "data": plan.log_message})

    def publish_summary(self, status: str, skip_reason: Optional[str], error: Any) -> None:
        app = self.app
        if not self.upgraded:
            if self.deferred_messages:
                log.error("Tag log message not sent: no upgraded client")
            return
        summary = {
            "app_key": app.app_key,
            "app_id": app.app_id,
            "agent_id": str(app.agent_id) if app.agent_id is not None else None,
            "event_type": app.event_type,
            "subscription_id": app.subscription_id,
            "schedule_id": app.schedule_id,
            "ingestion_id": app.ingestion_id,
            "started_at": int(self.started * 1000),
            "duration_ms": int((time.time() - self.started) * 1000),
            "status": status,
            "skip_reason": skip_reason,
            "error": error,
            "requestId": app.lambda_request_id,
            "function_name": app.lambda_function_name,
            "function_version": app.lambda_function_version,
        }
        items = list(self.deferred_messages)
        client = app._client
        for agent_id, channel in _summary_targets(app._proc_config):
            if "$app_id" in channel:
                if app.app_id is None:
                    log.warning("Summary target %r needs APP_ID, which is not known", channel)
                    continue
                channel = channel.replace("$app_id", str(app.app_id))
            item = {"channel_name": channel, "data": summary, "agent_id": agent_id or None}
            try:
                client.check_write(channel, summary, False)
            except DooverError as exc:
                log.error("Failed to post invocation summary to %s: %s", channel, exc)
                continue
            items.append(item)
        if not items:
            return
        try:
            response = client.batch_create_messages(items)
        except Exception as exc:
            log.error("Failed to publish invocation summary: %s", exc)
            return
        for entry in response.items:
            if not entry.success:
                log.error("Batch item to %s failed: %s", entry.channel_name, entry.error)


def run_app(app: Application, event: Any, context: Any = None, setup_logging: bool = True) -> Dict[str, Any]:
    """Run one Lambda invocation of ``app`` and return ``{"status", "result", "skip_reason", "error"}``.

    ``context`` may be Lambda's context object, a dict or None. With ``setup_logging`` the JSON
    log handler is installed (once) on the root logger.
    """
    levels = LevelScope()
    if setup_logging:
        install_logging()
        levels.set(None, env_level())
    else:
        ensure_context_filter()
    LOG_CONTEXT.clear()
    request_id = _ctx(context, "aws_request_id")
    if request_id is not None:
        LOG_CONTEXT["requestId"] = request_id
    capture = StreamCapture()
    try:
        return _Invocation(app, context, levels).run(event)
    finally:
        capture.restore()
        levels.restore()
        LOG_CONTEXT.clear()
