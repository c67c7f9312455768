"""Bearer-token state of the Data API client: static tokens, JWT expiry, client credentials.

No HTTP here: the client fetches new tokens through its request choke point and hands the
answer to :meth:`TokenState.accept`.
"""

import base64
import datetime as _dt
import json
import threading
import time
from typing import Any, Callable, Dict, Optional, Union

__all__ = ["TokenState", "jwt_expiry", "REFRESH_MARGIN_S"]

#: A token is refreshed this many seconds before it expires.
REFRESH_MARGIN_S = 30.0


def jwt_expiry(token: Optional[str]) -> Optional[float]:
    """The ``exp`` claim (epoch seconds) of a JWT, read without checking the signature."""
    if not token or token.count(".") != 2:
        return None
    segment = token.split(".")[1]
    try:
        claims = json.loads(base64.urlsafe_b64decode(segment + "=" * (-len(segment) % 4)))
    except (ValueError, TypeError):
        return None
    exp = claims.get("exp") if isinstance(claims, dict) else None
    if isinstance(exp, bool) or not isinstance(exp, (int, float)):
        return None
    return float(exp)


def _to_epoch(value: Union[None, float, int, _dt.datetime]) -> Optional[float]:
    if value is None:
        return None
    if isinstance(value, _dt.datetime):
        return value.timestamp()
    return float(value)


class TokenState:
    """The current bearer token, when it expires, and how to get a new one.

    Expiry, in priority order: an explicit ``token_expires`` (datetime or epoch seconds), the
    JWT ``exp`` claim, the token endpoint's ``expires_in``. A token with none of these is taken
    as valid until replaced. With ``client_id``/``client_secret`` the client can fetch tokens.
    """

    def __init__(
        self,
        token: Optional[str] = None,
        token_expires: Union[None, float, int, _dt.datetime] = None,
        client_id: Optional[str] = None,
        client_secret: Optional[str] = None,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.client_id = client_id
        self.client_secret = client_secret
        self.clock = clock
        self.lock = threading.Lock()
        self.token: Optional[str] = None
        self.expires_at: Optional[float] = None
        if token:
            self.set(token, _to_epoch(token_expires))

    @property
    def can_refresh(self) -> bool:
        return bool(self.client_id and self.client_secret)

    def set(self, token: Optional[str], expires_at: Optional[float] = None) -> None:
        """Use ``token`` from now on (expiry from ``expires_at``, else its JWT ``exp``)."""
        self.token = token or None
        self.expires_at = expires_at if expires_at is not None else jwt_expiry(token)

    def needs_refresh(self) -> bool:
        if not self.token:
            return True
        return self.expires_at is not None and self.clock() >= self.expires_at - REFRESH_MARGIN_S

    def basic_auth_header(self) -> str:
        raw = "{}:{}".format(self.client_id, self.client_secret).encode("utf-8")
        return "Basic " + base64.b64encode(raw).decode("ascii")

    def accept(self, body: Any) -> str:
        """Take a token-endpoint answer ``{"access_token", "expires_in"?}``; returns the token."""
        if not isinstance(body, dict) or not isinstance(body.get("access_token"), str) or not body["access_token"]:
            raise ValueError("the token endpoint answered without an access_token")
        token = body["access_token"]
        expires_at = jwt_expiry(token)
        if expires_at is None and isinstance(body.get("expires_in"), (int, float)):
            expires_at = self.clock() + float(body["expires_in"])
        self.token = token
        self.expires_at = expires_at
        return token

    def redact(self, text: str) -> str:
        """``text`` with the current token and client secret replaced by ``***``."""
        for secret in (self.token, self.client_secret):
            if secret and len(secret) >= 4 and secret in text:
                text = text.replace(secret, "***")
        return text

    def describe(self) -> Dict[str, Any]:
        """A loggable summary (never the token itself)."""
        return {"has_token": bool(self.token), "expires_at": self.expires_at, "can_refresh": self.can_refresh}
