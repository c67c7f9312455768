"""Processor endpoints (#52-#57) and the SubscriptionInfo a processor upgrades its token with.

``GET /processors/subscriptions/{arn}`` and ``GET /processors/schedules/{id}`` (and their
``/info`` aliases) answer a complete SubscriptionInfo (processor.md §1.5): all nine keys,
with ``token`` a fresh full token for the agent, ``deployment_config`` read from the agent's
``deployment_config`` aggregate at ``applications.<app_key>`` (``APP_KEY``, ``APP_ID`` and
``APP_DISPLAY_NAME`` always present; the token also reaches the agents its
``dv_proc_extended_permissions`` / ``DEVICE_LIST`` grant), and ``ui_state``, ``ui_cmds``, ``tag_values`` and
``connection_data`` the current data of those channels' aggregates (``doover_connection``
for the last). They accept the initial token of that very subscription or schedule (an
initial token may call nothing else) or any token that may access the agent.
"""

import sqlite3
from typing import Any, Dict, List, Optional

from .._snowflake import SnowflakeType, generate_snowflake
from ._agents import organisation_of
from ._aggregates import load_data
from ._fields import as_bool, as_int, as_object, as_str, as_str_list, parse_id, path_agent
from ._http import ApiError, Request, Response
from ._store import Tx, dump_json, load_json

__all__ = ["subscription_info", "deployment_config_for", "app_id_for", "granted_agents", "ROUTES"]

_INFO_CHANNELS = (
    ("ui_state", "ui_state"),
    ("ui_cmds", "ui_cmds"),
    ("tag_values", "tag_values"),
    ("connection_data", "doover_connection"),
)


def _aggregate_data(conn: sqlite3.Connection, agent_id: int, channel: str) -> Any:
    return load_data(conn, agent_id, channel)


def app_id_for(tx: Tx, agent_id: int, app_key: str) -> str:
    """A stable APP_ID for an app on an agent (minted once, kept in the database)."""
    row = tx.execute("SELECT app_id FROM app_ids WHERE agent_id = ? AND app_key = ?", (agent_id, app_key)).fetchone()
    if row:
        return row[0]
    app_id = str(generate_snowflake(type_id=SnowflakeType.UNKNOWN))
    tx.execute("INSERT INTO app_ids (agent_id, app_key, app_id) VALUES (?, ?, ?)", (agent_id, app_key, app_id))
    return app_id


def deployment_config_for(tx: Tx, agent_id: int, app_key: str) -> Dict[str, Any]:
    data = _aggregate_data(tx.conn, agent_id, "deployment_config")
    apps = data.get("applications") if isinstance(data, dict) else None
    config = apps.get(app_key) if isinstance(apps, dict) else None
    config = dict(config) if isinstance(config, dict) else {}
    config.setdefault("APP_KEY", app_key)
    if not isinstance(config.get("APP_ID"), str):
        config["APP_ID"] = app_id_for(tx, agent_id, app_key)
    config.setdefault("APP_DISPLAY_NAME", app_key)
    return config


def granted_agents(config: Dict[str, Any]) -> Any:
    """The agents beyond its own that a processor's token may touch, from its deployment
    config: ``"*"`` when ``dv_proc_extended_permissions.all_devices`` is true, else the ids in
    its ``devices`` and in ``DEVICE_LIST`` (the platform's expansion of the permission).
    Device groups and installed-app grants are not modelled by the emulator."""
    perms = config.get("dv_proc_extended_permissions")
    perms = perms if isinstance(perms, dict) else {}
    if perms.get("all_devices") is True:
        return "*"
    granted: List[int] = []
    for source in (perms.get("devices"), config.get("DEVICE_LIST")):
        for item in source if isinstance(source, list) else ():
            text = str(item).strip() if isinstance(item, (int, str)) and not isinstance(item, bool) else ""
            if text.isdigit() and int(text) not in granted:
                granted.append(int(text))
    return granted


def subscription_info(
    app: Any, tx: Tx, agent_id: int, app_key: str, organisation_id: Optional[int] = None
) -> Dict[str, Any]:
    """The complete SubscriptionInfo for ``app_key`` on ``agent_id``, with a fresh full token."""
    org = organisation_id if organisation_id is not None else organisation_of(tx.conn, agent_id)
    config = deployment_config_for(tx, agent_id, app_key)
    info = {
        "agent_id": str(agent_id),
        "organisation_id": str(org),
        "app_key": app_key,
        "token": app.processor_token(agent_id, org, agents=granted_agents(config)),
        "deployment_config": config,
    }  # type: Dict[str, Any]
    for key, channel in _INFO_CHANNELS:
        info[key] = _aggregate_data(tx.conn, agent_id, channel)
    return info


def _authorise_info(req: Request, kind: str, ident: str, agent_id: int) -> None:
    principal = req.principal
    if principal.kind == "initial":
        target = principal.target or {}
        if target.get("type") != kind or target.get("id") != ident:
            raise ApiError(403, "this initial token belongs to another {} and may not read {}".format(
                target.get("type", "invocation"), ident))
        return
    principal.check_agent(agent_id)


def fetch_subscription_info(req: Request) -> Response:
    arn = req.params["subscription_id"]
    with req.app.store.write() as tx:
        row = tx.execute(
            "SELECT agent_id, app_key, organisation_id FROM processor_subscriptions WHERE arn = ?", (arn,)
        ).fetchone()
        if row is None:
            raise ApiError(404, "processor subscription {!r} not found".format(arn))
        _authorise_info(req, "subscription", arn, row[0])
        return Response.json(subscription_info(req.app, tx, row[0], row[1], row[2]))


def fetch_schedule_info(req: Request) -> Response:
    schedule_id = req.params["schedule_id"]
    with req.app.store.write() as tx:
        row = tx.execute(
            "SELECT agent_id, app_key, organisation_id FROM processor_schedules WHERE id = ?", (schedule_id,)
        ).fetchone()
        if row is None:
            raise ApiError(404, "processor schedule {!r} not found".format(schedule_id))
        _authorise_info(req, "schedule", schedule_id, row[0])
        return Response.json(subscription_info(req.app, tx, row[0], row[1], row[2]))


def _permissions(body: Dict[str, Any]) -> List[Dict[str, str]]:
    raw = body.get("permissions", [])
    if not isinstance(raw, list):
        raise ApiError(400, "permissions: expected an array of {permission_id, permission} objects")
    for index, item in enumerate(raw):
        where = "permissions[{}]".format(index)
        as_object(item, where)
        for key in ("permission_id", "permission"):
            if key not in item:
                raise ApiError(400, "{}.{}: required".format(where, key))
        as_str(item["permission_id"], where + ".permission_id", allow_empty=False)
        value = as_str(item["permission"], where + ".permission", allow_empty=False)
        if not value.isdigit():
            raise ApiError(400, "{}.permission: expected a decimal bitmask string, got {!r}".format(where, value))
    return raw


def _common(body: Dict[str, Any]) -> Dict[str, Any]:
    if "app_key" not in body:
        raise ApiError(400, "app_key: required")
    out = {"app_key": as_str(body["app_key"], "app_key", allow_empty=False), "permissions": _permissions(body)}
    if body.get("is_org") is not None:
        out["is_org"] = as_bool(body["is_org"], "is_org")
    return out


def put_schedule(req: Request) -> Response:
    agent_id = path_agent(req)
    schedule_id = req.params["schedule_id"]
    stored = _common(as_object(req.json(), "body"))
    with req.app.store.write() as tx:
        org = organisation_of(tx.conn, agent_id)
        tx.execute(
            "INSERT INTO processor_schedules (id, agent_id, app_key, organisation_id, body) VALUES (?, ?, ?, ?, ?) "
            "ON CONFLICT (id) DO UPDATE SET agent_id = excluded.agent_id, app_key = excluded.app_key, "
            "organisation_id = excluded.organisation_id, body = excluded.body",
            (schedule_id, agent_id, stored["app_key"], org, dump_json(stored)),
        )
    token = req.app.initial_token(schedule_id=schedule_id, expires_in=req.app.schedule_token_lifetime)
    return Response.json(
        {
            "id": _numeric_id(schedule_id, SnowflakeType.PROCESSOR_SCHEDULE),
            "token": token,
            "token_id": str(generate_snowflake(type_id=SnowflakeType.TOKEN)),
        }
    )


def _numeric_id(ident: str, type_id: int) -> str:
    """ProcessorTokenResponse ids are snowflakes: the path id when it is one, else a new id."""
    if ident.isdigit() and 0 < int(ident) < (1 << 63):
        return ident
    return str(generate_snowflake(type_id=type_id))


def put_subscription(req: Request) -> Response:
    agent_id = path_agent(req)
    body = as_object(req.json(), "body")
    stored = _common(body)
    if "subscription_arn" not in body:
        raise ApiError(400, "subscription_arn: required")
    arn = as_str(body["subscription_arn"], "subscription_arn", allow_empty=False)
    stored["subscription_id"] = req.params["subscription_id"]
    if body.get("subscribed_to_agent") is not None:
        stored["subscribed_to_agent"] = str(parse_id(body["subscribed_to_agent"], "subscribed_to_agent"))
    with req.app.store.write() as tx:
        org = organisation_of(tx.conn, agent_id)
        tx.execute(
            "INSERT INTO processor_subscriptions (arn, agent_id, channel, app_key, organisation_id, body) "
            "VALUES (?, ?, NULL, ?, ?, ?) ON CONFLICT (arn) DO UPDATE SET agent_id = excluded.agent_id, "
            "app_key = excluded.app_key, organisation_id = excluded.organisation_id, body = excluded.body",
            (arn, agent_id, stored["app_key"], org, dump_json(stored)),
        )
    return Response.empty()


def put_ingestion(req: Request) -> Response:
    agent_id = path_agent(req)
    ingestion_id = req.params["ingestion_id"]
    body = as_object(req.json(), "body")
    stored = _common(body)
    for key in ("lambda_arn",):
        if key not in body:
            raise ApiError(400, "{}: required".format(key))
        stored[key] = as_str(body[key], key, allow_empty=False)
    stored["cidr_ranges"] = as_str_list(body.get("cidr_ranges", []), "cidr_ranges")
    if body.get("throttle_limit") is not None:
        stored["throttle_limit"] = as_int(body["throttle_limit"], "throttle_limit", minimum=1, maximum=30)
    for key in ("never_replace_token", "mini_token"):
        stored[key] = as_bool(body.get(key, False), key)
    for key in ("signing_key", "signing_key_hash_header", "origin"):
        if body.get(key) is not None:
            stored[key] = as_str(body[key], key)
    with req.app.store.write() as tx:
        row = tx.execute(
            "SELECT body FROM processor_ingestions WHERE agent_id = ? AND id = ?", (agent_id, ingestion_id)
        ).fetchone()
        previous = load_json(row[0]) if row else {}
        stored["id"] = previous.get("id") or _numeric_id(ingestion_id, SnowflakeType.UNKNOWN)
        if stored["never_replace_token"] and previous.get("token"):
            stored["token"], stored["token_id"] = previous["token"], previous["token_id"]
        else:
            stored["token"] = req.app.initial_token(
                ingestion_id=ingestion_id, agent_id=agent_id, expires_in=req.app.schedule_token_lifetime
            )
            stored["token_id"] = str(generate_snowflake(type_id=SnowflakeType.TOKEN))
        tx.execute(
            "INSERT INTO processor_ingestions (agent_id, id, app_key, body) VALUES (?, ?, ?, ?) "
            "ON CONFLICT (agent_id, id) DO UPDATE SET app_key = excluded.app_key, body = excluded.body",
            (agent_id, ingestion_id, stored["app_key"], dump_json(stored)),
        )
    return Response.json({"id": stored["id"], "token": stored["token"], "token_id": stored["token_id"]})


def delete_ingestion(req: Request) -> Response:
    agent_id = path_agent(req)
    ingestion_id = req.params["ingestion_id"]
    with req.app.store.write() as tx:
        cursor = tx.execute("DELETE FROM processor_ingestions WHERE agent_id = ? AND id = ?", (agent_id, ingestion_id))
        if cursor.rowcount == 0:
            raise ApiError(404, "ingestion endpoint {!r} not found on agent {}".format(ingestion_id, agent_id))
    return Response.empty()


ROUTES = [
    ("GET", "/processors/subscriptions/{subscription_id}", fetch_subscription_info, "info"),
    ("GET", "/processors/subscriptions/{subscription_id}/info", fetch_subscription_info, "info"),
    ("GET", "/processors/schedules/{schedule_id}", fetch_schedule_info, "info"),
    ("GET", "/processors/schedules/{schedule_id}/info", fetch_schedule_info, "info"),
    ("PUT", "/agents/{agent_id}/processors/schedules/{schedule_id}", put_schedule),
    ("PUT", "/agents/{agent_id}/processors/subscriptions/{subscription_id}", put_subscription),
    ("PUT", "/agents/{agent_id}/processors/ingestions/{ingestion_id}", put_ingestion),
    ("DELETE", "/agents/{agent_id}/processors/ingestions/{ingestion_id}", delete_ingestion),
]  # type: List[Any]
