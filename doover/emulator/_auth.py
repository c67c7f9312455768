"""Bearer tokens: JWT-shaped (HS256), minted and checked by the emulator.

A token's claims say who it is (``sub``, which becomes a message's ``author_id``), what kind
of token it is, which agents it may touch (a list, or ``"*"`` for an admin/org token), its
organisation, and when it expires (``exp``, seconds; clients read it to refresh on time).
The signing secret lives in the database, so tokens minted before a restart on the same
``--db`` stay valid.

Kinds:

* ``agent``: from :meth:`Emulator.token_for` (a device or user scoped to agents);
* ``device``: from ``POST /agents/{id}/token/rotate``;
* ``admin``: every agent, every organisation;
* ``client``: from ``POST /oauth2/token`` (client credentials);
* ``processor``: the full token inside a SubscriptionInfo;
* ``initial``: a processor invocation token; it may only call the info endpoint of its own
  subscription, schedule or ingestion.

Tokens whose subject is an agent (``agent``, ``device``) are also checked against that
agent's revocation floor (``token/confirm``).
"""

import base64
import hashlib
import hmac
import json
import secrets
import time
from typing import Any, Dict, Iterable, Optional

from ._http import ApiError

__all__ = ["Principal", "TokenMinter", "b64url", "unb64url", "decode_unverified"]

_HEADER = {"alg": "HS256", "typ": "JWT"}
REVOCABLE_KINDS = ("agent", "device")


def b64url(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode("ascii")


def unb64url(text: str) -> bytes:
    padded = text + "=" * (-len(text) % 4)
    return base64.urlsafe_b64decode(padded.encode("ascii"))


def decode_unverified(token: str) -> Dict[str, Any]:
    """The claims of a JWT without checking its signature (for tests and tooling)."""
    return json.loads(unb64url(token.split(".")[1]))


class Principal:
    """Who a verified token speaks for."""

    __slots__ = ("subject", "kind", "agents", "organisation_id", "target", "issued_us", "claims")

    def __init__(self, claims: Dict[str, Any]) -> None:
        self.claims = claims
        self.subject = int(claims["sub"])
        self.kind = claims.get("kind", "agent")
        agents = claims.get("agents", [])
        self.agents = None if agents == "*" else frozenset(int(a) for a in agents)  # type: Optional[FrozenSet[int]]
        org = claims.get("org")
        self.organisation_id = None if org is None else int(org)  # type: Optional[int]
        self.target = claims.get("tgt")  # type: Optional[Dict[str, str]]
        self.issued_us = int(claims.get("iat_us", 0))

    def can_access(self, agent_id: int) -> bool:
        return self.agents is None or agent_id in self.agents

    def check_agent(self, agent_id: int) -> None:
        """403 unless this token may touch ``agent_id``."""
        if not self.can_access(agent_id):
            raise ApiError(403, "this token may not access agent {}".format(agent_id))

    @property
    def default_agent(self) -> Optional[int]:
        """The one agent of a single-agent token (``/agents/me/...``)."""
        if self.agents is not None and len(self.agents) == 1:
            return next(iter(self.agents))
        return self.subject if self.kind in REVOCABLE_KINDS else None


class TokenMinter:
    """Signs and verifies tokens with the database's secret."""

    def __init__(self, secret: str, now: Any = time.time) -> None:
        self._key = secret.encode("utf-8")
        self._now = now
        # verified tokens -> (principal, exp); skips HMAC and JSON for repeat callers
        self._cache = {}  # type: Dict[str, Any]

    def _sign(self, signing_input: bytes) -> str:
        return b64url(hmac.new(self._key, signing_input, hashlib.sha256).digest())

    def mint(
        self,
        subject: int,
        kind: str,
        agents: Any,
        organisation_id: Optional[int],
        expires_in: float,
        issued_us: int,
        target: Optional[Dict[str, str]] = None,
    ) -> str:
        now = self._now()
        claims = {
            "sub": str(subject),
            "kind": kind,
            "agents": "*" if agents == "*" else [str(a) for a in _sorted(agents)],
            "org": None if organisation_id is None else str(organisation_id),
            "iat": int(now),
            "iat_us": issued_us,
            "exp": int(now + expires_in),
            "jti": secrets.token_hex(8),
        }
        if target is not None:
            claims["tgt"] = target
        header = b64url(json.dumps(_HEADER, separators=(",", ":")).encode())
        payload = b64url(json.dumps(claims, separators=(",", ":")).encode())
        signing_input = "{}.{}".format(header, payload).encode("ascii")
        return "{}.{}.{}".format(header, payload, self._sign(signing_input))

    def verify(self, token: str) -> Principal:
        """Check signature and expiry; a 401 with the reason otherwise."""
        cached = self._cache.get(token)
        if cached is not None:
            principal, exp = cached
        else:
            principal, exp = self._verify_signed(token)
            if len(self._cache) >= 4096:
                self._cache.clear()
            self._cache[token] = (principal, exp)
        if self._now() >= exp:
            raise ApiError(401, "bearer token expired at {}".format(int(exp)))
        return principal

    def _verify_signed(self, token: str) -> Any:
        parts = token.split(".")
        if len(parts) != 3:
            raise ApiError(401, "invalid bearer token: expected a JWT (header.payload.signature)")
        signing_input = "{}.{}".format(parts[0], parts[1]).encode("ascii", "replace")
        if not hmac.compare_digest(self._sign(signing_input), parts[2]):
            raise ApiError(401, "invalid bearer token: bad signature (not issued by this emulator)")
        try:
            claims = json.loads(unb64url(parts[1]))
            principal = Principal(claims)
            exp = float(claims["exp"])
        except (ValueError, KeyError, TypeError) as exc:
            raise ApiError(401, "invalid bearer token: unreadable claims ({})".format(exc)) from exc
        return principal, exp


def _sorted(agents: Iterable[int]) -> Any:
    return sorted(int(a) for a in agents)


def hash_secret(secret: str) -> str:
    return hashlib.sha256(("doover-emulator:" + secret).encode("utf-8")).hexdigest()


def parse_basic(header: Optional[str]) -> Optional[tuple]:
    """``(client_id, client_secret)`` from an ``Authorization: Basic`` header, else None."""
    if not header or not header[:6].lower() == "basic ":
        return None
    try:
        decoded = base64.b64decode(header[6:].strip(), validate=True).decode("utf-8")
    except (ValueError, UnicodeDecodeError):
        raise ApiError(401, "Authorization: malformed Basic credentials") from None
    client_id, sep, client_secret = decoded.partition(":")
    if not sep:
        raise ApiError(401, "Authorization: Basic credentials must be client_id:client_secret")
    return client_id, client_secret


def bearer_of(header: Optional[str]) -> str:
    """The token of an ``Authorization: Bearer`` header; 401 when missing or malformed."""
    if not header:
        raise ApiError(401, "missing Authorization header: expected 'Bearer <token>'")
    scheme, _, token = header.strip().partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise ApiError(401, "Authorization: expected 'Bearer <token>'")
    return token.strip()
