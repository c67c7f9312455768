"""Wire encoding for the Data API client: paths, query strings, JSON/gzip and multipart bodies.

Pure functions, stdlib only: nothing here imports requests.
"""

import datetime as _dt
import gzip
import json
import os
import platform
from typing import Any, Dict, Iterable, List, Optional, Sequence, Tuple
from urllib.parse import quote, urlencode

from .._snowflake import to_snowflake_bound
from .._version import __version__

__all__ = [
    "GZIP_THRESHOLD",
    "path",
    "build_query",
    "encode_json",
    "encode_multipart",
    "user_agent",
    "snowflake_param",
]

#: JSON bodies of this many bytes or more are gzip-compressed (when compression is on).
GZIP_THRESHOLD = 50

# RFC 3986 pchar minus the characters that would change the URL's structure.
_SEGMENT_SAFE = ":@!$&'()*+,;=-._~"


def path(*segments: Any) -> str:
    """``/a/b/c`` from segments, each percent-encoded as one path segment (``/`` -> ``%2F``).

    Colons stay as they are, so an SNS subscription ARN goes into the path unchanged.
    """
    return "".join("/" + quote(str(seg), safe=_SEGMENT_SAFE) for seg in segments)


def snowflake_param(value: Any) -> Optional[int]:
    """A ``before``/``after`` bound: datetimes become snowflakes, ints pass through."""
    return to_snowflake_bound(value)


def _query_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, _dt.datetime):
        return str(to_snowflake_bound(value))
    return str(value)


def build_query(params: Optional[Iterable[Tuple[str, Any]]]) -> str:
    """Encode ``(name, value)`` pairs: None dropped, bools lowercase, lists repeated.

    Returns ``""`` or ``"?..."`` (never a bare ``?``).
    """
    if not params:
        return ""
    pairs: List[Tuple[str, str]] = []
    for name, value in params:
        if value is None:
            continue
        if isinstance(value, (list, tuple, set, frozenset)):
            pairs.extend((name, _query_value(v)) for v in value if v is not None)
        else:
            pairs.append((name, _query_value(value)))
    return "?" + urlencode(pairs) if pairs else ""


def dumps(payload: Any) -> bytes:
    """Compact JSON bytes (UTF-8, no ASCII escaping)."""
    return json.dumps(payload, separators=(",", ":"), ensure_ascii=False).encode("utf-8")


def encode_json(payload: Any, compress: bool = True, level: int = 6) -> Tuple[bytes, Dict[str, str]]:
    """Body bytes and headers for a JSON payload; gzip when ``compress`` and >= 50 bytes."""
    raw = dumps(payload)
    headers = {"Content-Type": "application/json"}
    if compress and len(raw) >= GZIP_THRESHOLD:
        headers["Content-Encoding"] = "gzip"
        return gzip.compress(raw, compresslevel=level, mtime=0), headers
    return raw, headers


def _quote_param(value: str) -> str:
    return value.replace("\\", "\\\\").replace('"', "%22").replace("\r", "%0D").replace("\n", "%0A")


def encode_multipart(
    payload: Any, files: Sequence[Any], boundary: Optional[str] = None
) -> Tuple[bytes, Dict[str, str]]:
    """A ``multipart/form-data`` body: a ``json_payload`` part, then ``attachment-1..N``.

    Each file is anything with ``filename``, ``content_type`` and ``data`` (a
    :class:`doover.models.File`). Uploads are never compressed.
    """
    boundary = boundary or os.urandom(16).hex()
    dash = b"--" + boundary.encode("ascii")
    chunks: List[bytes] = [
        dash,
        b'\r\nContent-Disposition: form-data; name="json_payload"; filename="json_payload"\r\n'
        b"Content-Type: application/json\r\n\r\n",
        dumps(payload),
        b"\r\n",
    ]
    for index, item in enumerate(files, start=1):
        ctype = getattr(item, "content_type", None) or "application/octet-stream"
        head = 'Content-Disposition: form-data; name="attachment-{}"; filename="{}"\r\nContent-Type: {}\r\n\r\n'.format(
            index, _quote_param(str(item.filename)), ctype
        )
        chunks += [dash, b"\r\n", head.encode("utf-8"), bytes(item.data), b"\r\n"]
    chunks += [dash, b"--\r\n"]
    return b"".join(chunks), {"Content-Type": "multipart/form-data; boundary=" + boundary}


def user_agent(requests_version: str) -> str:
    """``doover-sync/<ver> Python/<ver> requests/<ver>``."""
    return "doover-sync/{} Python/{} requests/{}".format(
        __version__, platform.python_version(), requests_version
    )
