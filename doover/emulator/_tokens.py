"""Token endpoints: OAuth2 client credentials (A), TURN credentials (#58), device token
rotation (#59, #60).

* ``POST /oauth2/token``: ``grant_type=client_credentials`` as a form body, the client id
  and secret in ``Authorization: Basic`` (or as ``client_id``/``client_secret`` form
  fields). Answers ``{"access_token", "token_type": "Bearer", "expires_in"}``; the token is
  a JWT with ``exp``. Errors follow RFC 6749 (``{"error": "invalid_client", ...}``, 401) and
  carry a ``message`` too.
* ``POST /turn/token``: coturn "REST API" style credentials (username
  ``<expiry>:<camera_name>``, credential = base64 HMAC-SHA1 of the username). The emulator
  runs no TURN server; the URI points at the emulator's host on port 3478.
* ``POST /agents/{id}/token/rotate`` mints a new device token (the old one stays valid);
  ``POST /agents/{id}/token/confirm``, called with the new token, raises the agent's
  revocation floor to that token's issue time so every older token of the agent gets 401.
  Rotation needs the agent's ``token_self_rotation`` policy (on by default;
  :meth:`Emulator.set_token_self_rotation` turns it off, and rotate then answers 403).
"""

import base64
import hashlib
import hmac
import time
from urllib.parse import parse_qs

from ._agents import self_rotation_enabled, set_revocation_floor
from ._auth import REVOCABLE_KINDS, hash_secret, parse_basic
from ._fields import as_object, as_str, parse_id, path_agent
from ._http import ApiError, Request, Response
from ._store import load_json

__all__ = ["ROUTES"]


def _oauth_error(status: int, code: str, message: str) -> ApiError:
    return ApiError(status, message, headers=[("WWW-Authenticate", 'Basic realm="doover-emulator"')] if status == 401 else (), error=code)


def oauth2_token(req: Request) -> Response:
    content_type = req.content_type.lower()
    if req.body and not content_type.startswith("application/x-www-form-urlencoded"):
        raise _oauth_error(400, "invalid_request", "Content-Type: expected application/x-www-form-urlencoded")
    try:
        form = parse_qs(req.body.decode("utf-8"), keep_blank_values=True)
    except UnicodeDecodeError:
        raise _oauth_error(400, "invalid_request", "body: expected UTF-8 form data") from None
    grant = (form.get("grant_type") or [None])[0]
    if grant != "client_credentials":
        raise _oauth_error(400, "unsupported_grant_type", "grant_type: expected client_credentials, got {!r}".format(grant))
    creds = parse_basic(req.header("Authorization"))
    if creds is None:
        client_id = (form.get("client_id") or [None])[0]
        client_secret = (form.get("client_secret") or [None])[0]
        if not client_id or client_secret is None:
            raise _oauth_error(401, "invalid_client", "client credentials required (Authorization: Basic)")
        creds = (client_id, client_secret)
    with req.app.store.read() as conn:
        row = conn.execute(
            "SELECT secret_hash, subject, agents, organisation_id FROM client_credentials WHERE client_id = ?",
            (creds[0],),
        ).fetchone()
    if row is None or not hmac.compare_digest(row[0], hash_secret(creds[1])):
        raise _oauth_error(401, "invalid_client", "unknown client_id or wrong client_secret")
    agents = load_json(row[2])
    lifetime = req.app.client_token_lifetime
    token = req.app._mint(row[1], "client", "*" if agents is None else agents, row[3], lifetime)
    return Response.json({"access_token": token, "token_type": "Bearer", "expires_in": int(lifetime)})


def turn_token(req: Request) -> Response:
    body = as_object(req.json(), "body")
    role = body.get("role")
    if role not in ("client", "device"):
        raise ApiError(400, "role: expected 'client' or 'device', got {!r}".format(role))
    if "camera_name" not in body:
        raise ApiError(400, "camera_name: required")
    camera = as_str(body["camera_name"], "camera_name", allow_empty=False)
    if body.get("device_id") is not None:
        parse_id(body["device_id"], "device_id")
    ttl = 3600
    expires_at = int(time.time()) + ttl
    username = "{}:{}".format(expires_at, camera)
    credential = base64.b64encode(
        hmac.new(req.app.turn_secret.encode("utf-8"), username.encode("utf-8"), hashlib.sha1).digest()
    ).decode("ascii")
    host = req.base_url.split("://", 1)[-1].split("/", 1)[0].rsplit(":", 1)[0]
    return Response.json(
        {
            "username": username,
            "credential": credential,
            "ttl": ttl,
            "expires_at": expires_at,
            "uris": ["turn:{}:3478?transport=udp".format(host)],
        }
    )


def rotate_token(req: Request) -> Response:
    agent_id = path_agent(req)
    with req.app.store.read() as conn:
        enabled = self_rotation_enabled(conn, agent_id)
    if not enabled:
        raise ApiError(403, "agent {} does not have the token_self_rotation policy".format(agent_id))
    token, issued_us = req.app._device_token(agent_id)
    return Response.json({"token": token, "issued_at_ms": issued_us // 1000})


def confirm_token(req: Request) -> Response:
    agent_id = path_agent(req)
    principal = req.principal
    if principal.kind not in REVOCABLE_KINDS or principal.subject != agent_id:
        raise ApiError(403, "token/confirm must be called with agent {}'s own (new) token".format(agent_id))
    with req.app.store.write() as tx:
        floor_us = set_revocation_floor(tx, agent_id, principal.issued_us)
    return Response.json({"tokens_valid_from": floor_us // 1000})


ROUTES = [
    ("POST", "/oauth2/token", oauth2_token, "none"),
    ("POST", "/turn/token", turn_token),
    ("POST", "/agents/{agent_id}/token/rotate", rotate_token),
    ("POST", "/agents/{agent_id}/token/confirm", confirm_token),
]  # type: List[Any]
