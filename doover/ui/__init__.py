"""The UI an app shows in the Doover portal, and the commands the portal sends back.

Declare a :class:`UI` subclass with elements as class attributes; bind display values to
tags (``NumericVariable("Level", value=MyTags.level)``); handle interactions with
``@ui.handler("name")`` methods on the app. The runtime publishes the schema to the
``ui_state`` channel (dynamic UIs), re-publishes changes as merge patches, and feeds
``ui_cmds`` events to the app's :class:`UIManager`.
"""

from ..exceptions import RPCError, UIError
from ..tags import NotSet
from ._containers import Application, CameraHistory, CameraLiveView, Container, RemoteComponent, Submodule, TabContainer
from ._element import ConnectionInfo, ConnectionType, Element, Multiplot
from ._helpers import (
    ApplicationVariant,
    AuditConfig,
    Colour,
    ConfirmDialog,
    Option,
    Range,
    RangeView,
    Series,
    Threshold,
    Widget,
    duration_ms,
)
from ._interactions import (
    BooleanParameter,
    Button,
    DatetimeInput,
    FloatInput,
    Interaction,
    Parameter,
    Select,
    Slider,
    Switch,
    TextInput,
    TimeInput,
    WarningIndicator,
)
from ._legacy import Action, NumericParameter, StateCommand
from ._lookups import TagBinding, bind_tag, resolve_config_refs, tag_ref
from ._manager import UI_CMDS, UI_STATE, AggregateWrite, InteractionContext, UICommandsManager, UIManager, handler
from ._ui import UI
from ._variables import BooleanVariable, DateTimeVariable, NumericVariable, TextVariable, Timestamp, Variable

__all__ = [
    "UI",
    "Element",
    "Variable",
    "NumericVariable",
    "TextVariable",
    "BooleanVariable",
    "DateTimeVariable",
    "Timestamp",
    "Interaction",
    "Button",
    "Select",
    "Slider",
    "Switch",
    "WarningIndicator",
    "Parameter",
    "FloatInput",
    "TextInput",
    "DatetimeInput",
    "TimeInput",
    "BooleanParameter",
    "Container",
    "Submodule",
    "Application",
    "RemoteComponent",
    "TabContainer",
    "Multiplot",
    "ConnectionInfo",
    "ConnectionType",
    "CameraLiveView",
    "CameraHistory",
    "Colour",
    "Widget",
    "RangeView",
    "ApplicationVariant",
    "Range",
    "Threshold",
    "Option",
    "Series",
    "ConfirmDialog",
    "AuditConfig",
    "duration_ms",
    "TagBinding",
    "tag_ref",
    "bind_tag",
    "resolve_config_refs",
    "NotSet",
    "handler",
    "UIManager",
    "UICommandsManager",
    "InteractionContext",
    "AggregateWrite",
    "UI_CMDS",
    "UI_STATE",
    "Action",
    "StateCommand",
    "NumericParameter",
    "RPCError",
    "UIError",
]
