"""The one error tree of doover, rooted at :class:`DooverError`.

Every failure doover raises on purpose is a ``DooverError`` subclass, raised ``from`` the
original exception where there is one. Where a builtin fits the meaning, it is mixed in
(``ConfigError`` is also a ``ValueError``) so that existing ``except`` clauses keep working.

The tree::

    DooverError
    ├── DooverAPIError                 anything that went wrong talking to the Data API
    │   ├── HTTPError                  the server answered with a non-2xx status
    │   │   ├── BadRequestError        400
    │   │   ├── UnauthorizedError      401
    │   │   ├── ForbiddenError         403
    │   │   ├── NotFoundError          404
    │   │   ├── ConflictError          409
    │   │   ├── RateLimitError         429 (retried by default)
    │   │   └── ServerError            5xx (retried by default)
    │   ├── APIConnectionError         no answer: refused, reset, DNS (retried by default)
    │   │   └── APITimeoutError        connect or read timeout (retried by default)
    │   ├── DecodeError                a 2xx body that is not the JSON we expected
    │   └── TokenRefreshError          a token could not be obtained or refreshed
    ├── ConfigError                    deployment config does not match its schema
    ├── ConfigSchemaError              a config schema declaration itself is invalid
    ├── NotSupportedError              the backend in use cannot do what was asked
    ├── InvalidArgumentError           a bad argument, rejected before sending (also ValueError, TypeError)
    ├── TagError                       a tag declared, named or written wrongly
    ├── UIError                        a UI element or UI declaration is invalid
    ├── PayloadError                   an edge payload is not a JSON object with valid keys
    ├── RPCError                       an RPC / UI command failed (code, message)
    │   └── RPCTimeoutError            no reply to an RPC call within its timeout
    ├── InvalidEventError              a processor invocation event is malformed (also ValueError)
    ├── InvokingChannelError           a processor write to its invoking channel (also RuntimeError)
    └── ModbusError                    a Modbus transaction failed
        ├── ModbusArgumentError        bad arguments, rejected before anything is sent
        ├── SerialPortError            the serial port is missing, busy or vanished
        ├── ModbusTimeoutError         the device did not answer
        ├── ModbusFrameError           the answer was corrupt (CRC/LRC, framing, length)
        └── ModbusDeviceError          the device answered with a Modbus exception code

Tokens never appear in any message built here: the classes only ever see URLs, methods,
statuses and response bodies.
"""

from typing import Any, List, Optional, Sequence

__all__ = [
    "DooverError",
    "DooverAPIError",
    "HTTPError",
    "BadRequestError",
    "UnauthorizedError",
    "ForbiddenError",
    "NotFoundError",
    "ConflictError",
    "RateLimitError",
    "ServerError",
    "APIConnectionError",
    "APITimeoutError",
    "DecodeError",
    "TokenRefreshError",
    "ConfigError",
    "ConfigSchemaError",
    "NotSupportedError",
    "InvalidArgumentError",
    "TagError",
    "UIError",
    "PayloadError",
    "RPCError",
    "RPCTimeoutError",
    "InvalidEventError",
    "InvokingChannelError",
    "ModbusError",
    "ModbusArgumentError",
    "SerialPortError",
    "ModbusTimeoutError",
    "ModbusFrameError",
    "ModbusDeviceError",
    "error_for_status",
]


class DooverError(Exception):
    """Base class of every error doover raises on purpose."""


# --------------------------------------------------------------------------- Data API


class DooverAPIError(DooverError):
    """Something went wrong talking to the Doover Data API.

    The name is the one the platform's SDK uses, so ``except DooverAPIError`` keeps working.
    """


class HTTPError(DooverAPIError):
    """The server answered with a non-2xx status.

    Attributes:
        status: the HTTP status code.
        url: the full URL of the request (never carries a token).
        method: the HTTP method.
        message: the server's message: the ``message`` field of a JSON error body, else the
            raw body text (truncated), else the reason phrase.
        body: the raw response body as text (may be empty).
    """

    #: Whether the default retry policy retries this class of error.
    retryable = False

    def __init__(
        self,
        status: int,
        url: str = "",
        method: str = "",
        message: str = "",
        body: str = "",
    ) -> None:
        self.status = status
        self.url = url
        self.method = method
        self.message = message
        self.body = body
        super().__init__(self._render())

    def _render(self) -> str:
        where = " ".join(part for part in (self.method, self.url) if part)
        text = "HTTP {}".format(self.status)
        if where:
            text += " on {}".format(where)
        if self.message:
            text += ": {}".format(self.message)
        return text

    def __reduce__(self):  # keep pickling (multiprocessing, awslambdaric) faithful
        return (type(self), (self.status, self.url, self.method, self.message, self.body))


class BadRequestError(HTTPError):
    """400: the server rejected the request as malformed. Fix the request; do not retry."""


class UnauthorizedError(HTTPError):
    """401: the token is missing, malformed, expired or revoked."""


class ForbiddenError(HTTPError):
    """403: the token is valid but may not touch this agent, channel or organisation."""


class NotFoundError(HTTPError):
    """404: the agent, channel, message, alarm or route does not exist."""


class ConflictError(HTTPError):
    """409: the request conflicts with the current state (e.g. an id that already exists)."""


class RateLimitError(HTTPError):
    """429: too many requests. ``retry_after`` holds the server's wait in seconds, if given.

    Safe to retry after waiting; the default retry policy does so.
    """

    retryable = True

    def __init__(self, *args: Any, retry_after: Optional[float] = None, **kwargs: Any) -> None:
        self.retry_after = retry_after
        super().__init__(*args, **kwargs)

    def __reduce__(self):
        return (_rebuild_rate_limit, (self.status, self.url, self.method, self.message, self.body, self.retry_after))


def _rebuild_rate_limit(status, url, method, message, body, retry_after):
    return RateLimitError(status, url, method, message, body, retry_after=retry_after)


class ServerError(HTTPError):
    """5xx: the server failed. 502, 503 and 504 are retried by the default policy."""

    retryable = True


class APIConnectionError(DooverAPIError):
    """No HTTP answer at all: connection refused or reset, DNS failure, TLS failure.

    A request that fails this way may or may not have reached the server; the default
    retry policy retries it only when the request is idempotent.
    """

    def __init__(self, message: str, url: str = "", method: str = "") -> None:
        self.url = url
        self.method = method
        self.message = message
        where = " ".join(part for part in (method, url) if part)
        super().__init__("{}{}".format(message, " ({})".format(where) if where else ""))

    def __reduce__(self):
        return (type(self), (self.message, self.url, self.method))


class APITimeoutError(APIConnectionError):
    """The server did not accept the connection or did not answer within the timeout."""


class DecodeError(DooverAPIError, ValueError):
    """A successful response could not be turned into the expected model.

    ``path`` names where in the payload the problem is (``$.results[2].message_id``), and
    ``problems`` lists every problem found when there is more than one.
    """

    def __init__(self, message: str, path: str = "$", problems: Sequence[str] = ()) -> None:
        self.path = path
        self.problems: List[str] = list(problems) or ["{} @ {}".format(message, path)]
        super().__init__("{} @ {}".format(message, path) if path else message)

    def __reduce__(self):
        return (_rebuild_decode, (self.args[0], self.path, self.problems))


def _rebuild_decode(rendered, path, problems):
    err = DecodeError.__new__(DecodeError)
    Exception.__init__(err, rendered)
    err.path = path
    err.problems = list(problems)
    return err


class TokenRefreshError(DooverAPIError):
    """A token could not be obtained or refreshed (bad client credentials, no credentials)."""


# --------------------------------------------------------------------------- config


class ConfigError(DooverError, ValueError):
    """A deployment config does not match its schema.

    ``errors`` lists every problem found, each naming its path
    (``alarms[2].threshold: expected number, got "high"``); ``str()`` shows them all.
    """

    def __init__(self, errors: Sequence[str], message: Optional[str] = None) -> None:
        self.errors: List[str] = list(errors)
        if message is None:
            if len(self.errors) == 1:
                message = "invalid config: {}".format(self.errors[0])
            else:
                message = "invalid config ({} problems):\n  {}".format(
                    len(self.errors), "\n  ".join(self.errors)
                )
        super().__init__(message)

    def __reduce__(self):
        return (type(self), (self.errors, self.args[0] if self.args else None))


class ConfigSchemaError(DooverError, ValueError):
    """A config schema *declaration* is invalid (the developer's code, not the deployment).

    Raised while a ``config.Schema`` / ``config.Object`` class or an element is being built
    or exported: a reserved attribute name, a duplicate key, a default of the wrong type,
    a condition naming an unknown element. The message names the element.
    """


class NotSupportedError(DooverError, NotImplementedError):
    """The backend in use cannot serve this call; the message names the backend."""


class InvalidArgumentError(DooverError, ValueError, TypeError):
    """An argument passed to doover is missing, out of range or of the wrong type.

    Raised before anything is sent. The message names the argument and what was expected
    (``severity: expected a NotificationSeverity, an int 3..7 or a name, got 'loud'``). It is
    also a ``ValueError`` and a ``TypeError``, the types the platform's SDK raises for these.
    """


# --------------------------------------------------------------------------- processors


class InvalidEventError(DooverError, ValueError):
    """A processor invocation event is malformed; the message names the field and what was expected."""


class InvokingChannelError(DooverError, RuntimeError):
    """A processor tried to write to the channel that invoked it (or to another app's tags).

    It is also a ``RuntimeError``, the type the platform's SDK raises, so existing ``except``
    clauses keep working. Pass ``allow_invoking_channel=True`` to write anyway.
    """


# --------------------------------------------------------------------------- tags, UI, RPC


class TagError(DooverError, ValueError):
    """A tag was declared, named or written wrongly.

    Examples: an unknown tag name, a key that is not a string, a string written to a
    ``Number`` tag, ``increment`` on an unset or non-numeric tag, a write without a
    tag manager. The message names the tag and what was expected.
    """


class UIError(DooverError, ValueError):
    """A UI element or UI declaration is invalid (bad name, unknown element, bad option)."""


class PayloadError(DooverError, ValueError):
    """A message or aggregate payload breaks the platform's rules: not a JSON object at the top
    level, a key outside ``^[a-zA-Z0-9_-]+$``, or a value that is not JSON-serialisable.
    The message names the key path."""


class RPCError(DooverError):
    """An RPC or UI command failed.

    A handler raises ``RPCError(code, message)`` to reply with an error status; a caller
    gets one when the remote handler replied with an error. ``code`` is a short string
    (``"INVALID_VALUE"``, ``"INTERNAL_ERROR"``...), ``message`` a text or JSON value.
    """

    def __init__(self, code: str, message: Any = "") -> None:
        self.code = code
        self.message = message
        super().__init__("{}: {}".format(code, message))

    def __reduce__(self):
        return (type(self), (self.code, self.message))


class RPCTimeoutError(RPCError, TimeoutError):
    """No success or error reply arrived for an RPC call within its timeout."""

    def __init__(self, method: str, timeout: float) -> None:
        self.method = method
        self.timeout = timeout
        RPCError.__init__(self, "TIMEOUT", "RPC call {!r} timed out after {}s".format(method, timeout))

    def __reduce__(self):
        return (type(self), (self.method, self.timeout))


# --------------------------------------------------------------------------- Modbus


class ModbusError(DooverError):
    """A Modbus transaction failed. Subclasses say who detected the fault."""


class ModbusArgumentError(ModbusError, ValueError):
    """The arguments are out of range (address, count, slave id, register type, values).

    Raised before anything is sent on the bus.
    """


class SerialPortError(ModbusError, OSError):
    """The serial port (or TCP endpoint) could not be opened, is busy, or vanished."""


class ModbusTimeoutError(ModbusError, TimeoutError):
    """The device did not answer within the timeout (no response at all)."""


class ModbusFrameError(ModbusError):
    """An answer arrived but was corrupt: bad CRC/LRC, wrong length, wrong slave or function."""


#: Modbus exception codes and their names (Modbus Application Protocol v1.1b3, §7).
MODBUS_EXCEPTION_NAMES = {
    1: "ILLEGAL FUNCTION",
    2: "ILLEGAL DATA ADDRESS",
    3: "ILLEGAL DATA VALUE",
    4: "SLAVE DEVICE FAILURE",
    5: "ACKNOWLEDGE",
    6: "SLAVE DEVICE BUSY",
    7: "NEGATIVE ACKNOWLEDGE",
    8: "MEMORY PARITY ERROR",
    10: "GATEWAY PATH UNAVAILABLE",
    11: "GATEWAY TARGET DEVICE FAILED TO RESPOND",
}


class ModbusDeviceError(ModbusError):
    """The device answered with a Modbus exception response.

    ``code`` is the Modbus exception code and ``code_name`` its name (``ILLEGAL DATA ADDRESS``).
    """

    def __init__(self, code: int, message: str = "") -> None:
        self.code = code
        self.code_name = MODBUS_EXCEPTION_NAMES.get(code, "UNKNOWN EXCEPTION")
        text = "device exception {} ({})".format(code, self.code_name)
        if message:
            text = "{}: {}".format(message, text)
        super().__init__(text)

    def __reduce__(self):
        return (_rebuild_device_error, (self.code, self.args[0]))


def _rebuild_device_error(code, rendered):
    err = ModbusDeviceError.__new__(ModbusDeviceError)
    Exception.__init__(err, rendered)
    err.code = code
    err.code_name = MODBUS_EXCEPTION_NAMES.get(code, "UNKNOWN EXCEPTION")
    return err


# --------------------------------------------------------------------------- mapping

_STATUS_CLASSES = {
    400: BadRequestError,
    401: UnauthorizedError,
    403: ForbiddenError,
    404: NotFoundError,
    409: ConflictError,
    429: RateLimitError,
}


def error_for_status(
    status: int,
    url: str = "",
    method: str = "",
    message: str = "",
    body: str = "",
    retry_after: Optional[float] = None,
) -> HTTPError:
    """Build the :class:`HTTPError` subclass that matches ``status``."""
    if status >= 500:
        return ServerError(status, url, method, message, body)
    cls = _STATUS_CLASSES.get(status, HTTPError)
    if cls is RateLimitError:
        return RateLimitError(status, url, method, message, body, retry_after=retry_after)
    return cls(status, url, method, message, body)
