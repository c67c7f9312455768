"""Tags: small named values an app keeps in the ``tag_values`` channel.

Declare them on a :class:`Tags` subclass, read and write them through the instance the
runtime builds (``app.tags``). Writes are buffered by a tag manager and committed once
per processor invocation (:class:`ProcessorTagManager`) or once per edge loop iteration
(:class:`EdgeTagManager`), as the smallest merge patch that stores the new values.

The managers do no I/O on their own: ``build_commit()`` returns a :class:`CommitPlan`
that the runtime sends (``commit(client)`` sends it through any channel client).

For apps moved from the platform SDK: ``doover.tags.manager`` is the managers' module under
its old name, and ``doover.tags.Schema`` is :class:`doover.config.Schema` (loaded on first
access, so ``import doover.tags`` does not import ``doover.config``).
"""

from typing import Any

from ._bound import BoundTag
from ._core import LogMode, TagManager
from ._declarations import (
    TAG_TYPES,
    Array,
    Boolean,
    Float,
    Integer,
    NotSet,
    Number,
    Object,
    RemoteTag,
    String,
    Tag,
)
from ._done import Done
from ._edge import EdgeTagManager
from ._plan import TAG_CHANNEL, CommitPlan
from ._presence import UI_SUB_CHANNEL, UIPresence
from ._processor import ProcessorTagManager
from ._tags import Tags
from ._triggers import AnyChange, Cross, Delta, Enter, Exit, Fall, LogTrigger, Rise

#: The reference SDK's names for the managers.
TagsManager = TagManager
TagsManagerProcessor = ProcessorTagManager
TagsManagerDocker = EdgeTagManager

__all__ = [
    "Tags",
    "Tag",
    "Number",
    "Integer",
    "Float",
    "String",
    "Boolean",
    "Object",
    "Array",
    "RemoteTag",
    "NotSet",
    "TAG_TYPES",
    "BoundTag",
    "LogTrigger",
    "Cross",
    "Rise",
    "Fall",
    "Delta",
    "AnyChange",
    "Enter",
    "Exit",
    "LogMode",
    "TagManager",
    "ProcessorTagManager",
    "EdgeTagManager",
    "TagsManager",
    "TagsManagerProcessor",
    "TagsManagerDocker",
    "CommitPlan",
    "TAG_CHANNEL",
    "UIPresence",
    "UI_SUB_CHANNEL",
    "Done",
    "Schema",
]


def __getattr__(name: str) -> Any:
    # The platform SDK's tags module has the config Schema in its namespace; keep the
    # config package out of ``import doover.tags`` until someone asks for it.
    if name == "Schema":
        from ..config import Schema

        return Schema
    if name == "manager":  # ``tags.manager.TagsManagerDocker`` without importing the submodule
        import importlib

        return importlib.import_module(__name__ + ".manager")
    raise AttributeError("module {!r} has no attribute {!r}".format(__name__, name))

