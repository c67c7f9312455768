"""The tag managers under the module name the platform SDK uses (``pydoover.tags.manager``).

Apps moved from the platform SDK import ``TagsManagerProcessor`` / ``TagsManagerDocker``
from here; they are :class:`~doover.tags.ProcessorTagManager` and
:class:`~doover.tags.EdgeTagManager`. New code imports from :mod:`doover.tags`.
"""

from ._core import LogMode, TagManager
from ._edge import EdgeTagManager
from ._plan import TAG_CHANNEL
from ._presence import UI_SUB_CHANNEL
from ._processor import ProcessorTagManager

__all__ = [
    "LogMode",
    "TagsManager",
    "TagsManagerProcessor",
    "TagsManagerDocker",
    "TAG_CHANNEL_NAME",
    "UI_SUB_CHANNEL_NAME",
]

#: The base tag manager (:class:`doover.tags.TagManager`).
TagsManager = TagManager
#: The processor tag manager (:class:`doover.tags.ProcessorTagManager`).
TagsManagerProcessor = ProcessorTagManager
#: The edge tag manager (:class:`doover.tags.EdgeTagManager`).
TagsManagerDocker = EdgeTagManager
#: The channel tag values live in: ``"tag_values"``.
TAG_CHANNEL_NAME = TAG_CHANNEL
#: The channel UI viewers announce themselves on: ``"dv-ui-sub"``.
UI_SUB_CHANNEL_NAME = UI_SUB_CHANNEL
