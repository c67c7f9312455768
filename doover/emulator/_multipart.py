"""``multipart/form-data`` bodies: the ``json_payload`` part plus attachments.

The Data API takes uploads as one ``json_payload`` part holding what the JSON body would
have held, and any number of file parts. Part names vary between clients (``attachment-1``
in pydoover, ``attachment-0`` in doover-js), so every part other than ``json_payload`` is an
attachment, whatever its name (data-api.md §1.4).
"""

from typing import Any, Dict, List, Tuple

from ._http import ApiError, UploadedFile, loads

__all__ = ["parse_multipart", "boundary_of"]


def _header_params(value: str) -> Tuple[str, Dict[str, str]]:
    """Split ``form-data; name="a"; filename="b"`` into the main value and its params."""
    parts = _split_semicolons(value)
    main = parts[0].strip().lower() if parts else ""
    params = {}  # type: Dict[str, str]
    for part in parts[1:]:
        if "=" not in part:
            continue
        key, _, raw = part.partition("=")
        raw = raw.strip()
        if len(raw) >= 2 and raw[0] == raw[-1] == '"':
            raw = raw[1:-1].replace('\\"', '"').replace("\\\\", "\\")
        params[key.strip().lower()] = raw
    return main, params


def _split_semicolons(value: str) -> List[str]:
    parts = []
    current = []
    quoted = False
    escaped = False
    for char in value:
        if escaped:
            current.append(char)
            escaped = False
        elif char == "\\" and quoted:
            current.append(char)
            escaped = True
        elif char == '"':
            quoted = not quoted
            current.append(char)
        elif char == ";" and not quoted:
            parts.append("".join(current))
            current = []
        else:
            current.append(char)
    parts.append("".join(current))
    return parts


def boundary_of(content_type: str) -> str:
    main, params = _header_params(content_type)
    boundary = params.get("boundary")
    if not main.startswith("multipart/") or not boundary:
        raise ApiError(400, "Content-Type: expected multipart/form-data with a boundary parameter")
    return boundary


def parse_multipart(content_type: str, body: bytes) -> Tuple[Any, List[UploadedFile]]:
    """Parse a multipart body into ``(json_payload value or None, [UploadedFile])``."""
    delimiter = b"--" + boundary_of(content_type).encode("latin-1")
    chunks = body.split(delimiter)
    if len(chunks) < 3 or not chunks[-1].startswith(b"--"):
        raise ApiError(400, "body: malformed multipart body (missing boundary or closing delimiter)")
    payload = None  # type: Optional[Any]
    files = []  # type: List[UploadedFile]
    for index, chunk in enumerate(chunks[1:-1], start=1):
        # each part: CRLF headers CRLF CRLF content CRLF
        if chunk.startswith(b"\r\n"):
            chunk = chunk[2:]
        elif chunk.startswith(b"\n"):
            chunk = chunk[1:]
        head, sep, content = chunk.partition(b"\r\n\r\n")
        if not sep:
            head, sep, content = chunk.partition(b"\n\n")
            if not sep:
                raise ApiError(400, "body: malformed multipart part {} (no blank line after headers)".format(index))
        if content.endswith(b"\r\n"):
            content = content[:-2]
        elif content.endswith(b"\n"):
            content = content[:-1]
        headers = {}  # type: Dict[str, str]
        for line in head.decode("utf-8", "replace").splitlines():
            if ":" in line:
                key, _, value = line.partition(":")
                headers[key.strip().lower()] = value.strip()
        disposition, params = _header_params(headers.get("content-disposition", ""))
        name = params.get("name")
        if disposition != "form-data" or name is None:
            raise ApiError(400, "body: multipart part {} has no Content-Disposition form-data name".format(index))
        if name == "json_payload":
            if payload is not None:
                raise ApiError(400, "json_payload: sent more than once")
            payload = loads(content, "json_payload")
            continue
        files.append(
            UploadedFile(
                field_name=name,
                filename=params.get("filename") or name,
                content_type=headers.get("content-type"),
                data=content,
            )
        )
    return payload, files
