"""The pieces of RPC that are not the manager: the ``@handler`` marker, handler records,
request bodies and reading ids/data off a created message (dict or model)."""

import datetime as _dt
import re
from typing import Any, Callable, Dict, Optional, Pattern, Union

from ..exceptions import RPCError

__all__ = ["handler", "NOT_GIVEN", "build_request", "Method"]

class _NotGiven:
    def __repr__(self) -> str:
        return "NOT_GIVEN"


#: Marks "argument not given" where ``None`` is a meaningful value (``old_value``).
NOT_GIVEN = _NotGiven()

Method = Union[str, Pattern[str]]
_PATTERN = type(re.compile(""))


def handler(method: Method, channel: Optional[str] = None, parser: Optional[Callable[..., Any]] = None) -> Callable[..., Any]:
    """Mark a method (``def`` or ``async def``) as the handler of RPC ``method``.

    ``method`` is an exact name or a compiled regex. ``channel`` restricts it to requests on
    that channel; ``None`` accepts requests on any channel the runtime delivers (and makes
    the runtime listen on ``dv-rpc``). ``parser(request)`` (sync or async) transforms the
    request before the handler gets it. The handler is called as ``handler(ctx, request)``
    and its return value is the response (``None`` becomes ``{}``).
    """
    _check_method(method)

    def decorate(func: Callable[..., Any]) -> Callable[..., Any]:
        func._doover_rpc = (method, channel, parser)  # type: ignore[attr-defined]
        return func

    return decorate


def _check_method(method: Any) -> None:
    if isinstance(method, str):
        if not method:
            raise RPCError("INVALID_HANDLER", "handler method name must not be empty")
        return
    if not isinstance(method, _PATTERN):
        raise RPCError("INVALID_HANDLER", "handler method must be a str or a compiled regex, got {!r}".format(method))


def build_request(
    method: str,
    params: Any = None,
    app_key: Optional[str] = None,
    actor: Any = None,
    reason: Optional[str] = None,
    old_value: Any = NOT_GIVEN,
    expires_after: Any = None,
    retry_of: Optional[str] = None,
) -> Dict[str, Any]:
    """The message data of an RPC request (``params=None`` is sent as ``{}``)."""
    data: Dict[str, Any] = {
        "type": "rpc",
        "method": method,
        "request": {} if params is None else params,
        "status": {"code": "sent"},
        "response": {},
    }
    if app_key:
        data["app_key"] = app_key
    if actor is not None:
        data["actor"] = actor
    if reason is not None:
        data["reason"] = reason
    if old_value is not NOT_GIVEN:
        data["old_value"] = old_value
    if expires_after is not None:
        if isinstance(expires_after, _dt.timedelta):
            expires_after = expires_after.total_seconds() * 1000
        data["expires_after"] = int(expires_after)
    if retry_of is not None:
        data["retry_of"] = str(retry_of)
    return data


def _message_id(created: Any) -> int:
    if isinstance(created, dict):
        created = created.get("id")
    else:
        created = getattr(created, "id", created)
    return int(created)


def _message_data(message: Any) -> Any:
    if isinstance(message, dict):
        return message.get("data")
    return getattr(message, "data", None)


class _Handler:
    __slots__ = ("method", "channel", "parser", "func", "extra")

    def __init__(self, method: Method, channel: Optional[str], parser: Any, func: Any, extra: Any = None) -> None:
        self.method = method
        self.channel = channel
        self.parser = parser
        self.func = func
        self.extra = extra

    def matches(self, method: str) -> bool:
        if isinstance(self.method, str):
            return self.method == method
        return self.method.match(method) is not None
