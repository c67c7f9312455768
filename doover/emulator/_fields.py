"""Input validation: every check names the field and says what was expected.

IDs are snowflakes: the emulator accepts them as JSON numbers or decimal strings (and as
decimal path/query segments) and always answers with decimal strings (data-api.md §1.9).
"""

from typing import Any, Dict, List, Optional

from ._http import ApiError

__all__ = [
    "MAX_ID",
    "json_type",
    "parse_id",
    "parse_bound",
    "as_object",
    "as_str",
    "as_bool",
    "as_number",
    "as_int",
    "as_str_list",
    "path_agent",
    "path_id",
    "path_channel",
    "query_fields",
]

#: Snowflakes are stored in SQLite's signed 64-bit integers.
MAX_ID = (1 << 63) - 1


def json_type(value: Any) -> str:
    """The JSON name of a Python value's type, for error messages."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, (int, float)):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list):
        return "array"
    if isinstance(value, dict):
        return "object"
    return type(value).__name__


def _bad(field: str, expected: str, value: Any) -> ApiError:
    shown = repr(value) if isinstance(value, str) and len(value) <= 40 else json_type(value)
    return ApiError(400, "{}: expected {}, got {}".format(field, expected, shown))


def parse_id(value: Any, field: str) -> int:
    """A snowflake id from a JSON number, a decimal string or a path segment."""
    if isinstance(value, bool):
        raise _bad(field, "a snowflake id (decimal string or integer)", value)
    if isinstance(value, int):
        number = value
    elif isinstance(value, str) and value and all("0" <= c <= "9" for c in value):
        number = int(value)
    else:
        raise _bad(field, "a snowflake id (decimal string or integer)", value)
    if not 0 < number <= MAX_ID:
        raise ApiError(400, "{}: snowflake id {} is out of range (1 to 2^63-1)".format(field, number))
    return number


def parse_bound(value: Optional[str], field: str) -> Optional[int]:
    """A ``before``/``after`` query bound: a signed decimal snowflake (negative = before 2025)."""
    if value is None or value == "":
        return None
    text = value[1:] if value[:1] == "-" else value
    if not text or not all("0" <= c <= "9" for c in text):
        raise ApiError(400, "{}: expected a snowflake id bound (decimal integer), got {!r}".format(field, value))
    return int(value)


def as_object(value: Any, field: str) -> Dict[str, Any]:
    if not isinstance(value, dict):
        raise _bad(field, "a JSON object", value)
    return value


def as_str(value: Any, field: str, allow_empty: bool = True) -> str:
    if not isinstance(value, str):
        raise _bad(field, "a string", value)
    if not allow_empty and not value:
        raise ApiError(400, "{}: expected a non-empty string".format(field))
    return value


def as_bool(value: Any, field: str) -> bool:
    if not isinstance(value, bool):
        raise _bad(field, "true or false", value)
    return value


def as_number(value: Any, field: str) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise _bad(field, "a number", value)
    return value


def as_int(value: Any, field: str, minimum: Optional[int] = None, maximum: Optional[int] = None) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        else:
            raise _bad(field, "an integer", value)
    if minimum is not None and value < minimum:
        raise ApiError(400, "{}: expected an integer >= {}, got {}".format(field, minimum, value))
    if maximum is not None and value > maximum:
        raise ApiError(400, "{}: expected an integer <= {}, got {}".format(field, maximum, value))
    return value


def as_str_list(value: Any, field: str) -> List[str]:
    if not isinstance(value, list):
        raise _bad(field, "an array of strings", value)
    for index, item in enumerate(value):
        as_str(item, "{}[{}]".format(field, index))
    return list(value)


def path_agent(req: Any, name: str = "agent_id") -> int:
    """The agent id path parameter, checked against the token's agents (403)."""
    agent_id = parse_id(req.params[name], name)
    req.principal.check_agent(agent_id)
    return agent_id


def path_id(req: Any, name: str) -> int:
    return parse_id(req.params[name], name)


def path_channel(req: Any, name: str = "channel") -> str:
    channel = req.params[name]
    if not channel or len(channel) > 255:
        raise ApiError(400, "{}: expected a channel name of 1 to 255 characters".format(name))
    return channel


def query_fields(req: Any, name: str = "field_name") -> List[str]:
    """Repeated ``field_name`` values: dotted paths into message data."""
    fields = req.query_list(name)
    for value in fields:
        if not value or any(not part for part in value.split(".")):
            raise ApiError(400, "{}: expected a dotted field path, got {!r}".format(name, value))
    return fields
