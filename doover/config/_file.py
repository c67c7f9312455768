"""Read-modify-write of ``doover_config.json``."""

import json
import os
from typing import Any, Dict, Union

from ..exceptions import ConfigSchemaError

__all__ = ["write_app_entry_key", "read_doover_config"]

PathLike = Union[str, "os.PathLike[str]"]


def read_doover_config(path: PathLike) -> Dict[str, Any]:
    """Read ``doover_config.json`` (``{}`` if the file does not exist)."""
    try:
        with open(path, "r", encoding="utf-8") as handle:
            text = handle.read()
    except FileNotFoundError:
        return {}
    try:
        data = json.loads(text) if text.strip() else {}
    except ValueError as exc:
        raise ConfigSchemaError("{}: not valid JSON: {}".format(os.fspath(path), exc)) from exc
    if not isinstance(data, dict):
        raise ConfigSchemaError("{}: expected a JSON object at the top level".format(os.fspath(path)))
    return data


def write_app_entry_key(path: PathLike, app_key: str, entry_key: str, value: Any) -> None:
    """Set ``data[app_key][entry_key] = value`` in the file, keeping everything else.

    Written with a 4-space indent, ASCII escapes and a trailing newline, atomically (a
    temporary file in the same directory replaces the old one).
    """
    data = read_doover_config(path)
    entry = data.get(app_key)
    if isinstance(entry, dict):
        entry[entry_key] = value
    else:
        data[app_key] = {entry_key: value}
    text = json.dumps(data, indent=4, ensure_ascii=True) + "\n"
    target = os.fspath(path)
    directory = os.path.dirname(os.path.abspath(target))
    import tempfile  # only needed when writing

    fd, tmp = tempfile.mkstemp(prefix=".doover_config.", suffix=".tmp", dir=directory)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
        if os.path.exists(target):
            try:
                os.chmod(tmp, os.stat(target).st_mode & 0o7777)
            except OSError:
                pass
        else:
            os.chmod(tmp, 0o644)
        os.replace(tmp, target)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise
