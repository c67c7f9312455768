"""Preset elements the platform understands: resource pickers, app placement, tag references."""

from typing import Any, Optional

from ._containers import Array, Object
from ._scalars import Boolean, Integer, String

__all__ = [
    "Application",
    "ApplicationInstall",
    "Device",
    "Group",
    "DevicesConfig",
    "GroupsConfig",
    "ApplicationPosition",
    "ApplicationDefaultOpen",
    "ApplicationInterpreterHidden",
    "ApplicationFullWidth",
    "ApplicationCockpitVisible",
    "LLMAPIKey",
    "TagRef",
]


class Application(String):
    """An application picked from the platform (``format: doover-resource-application``)."""

    def __init__(self, display_name: str = "Application", *, description: Optional[str] = "Application",
                 **kwargs: Any) -> None:
        super().__init__(display_name, description=description, format="doover-resource-application", **kwargs)


class ApplicationInstall(String):
    """An installed application picked from the platform (``format: doover-application``)."""

    def __init__(self, display_name: str = "ApplicationInstall", *,
                 description: Optional[str] = "Application Installation", **kwargs: Any) -> None:
        super().__init__(display_name, description=description, format="doover-application", **kwargs)


class Device(String):
    """A device (agent) id: digits, ``format: doover-resource-device``."""

    def __init__(self, display_name: str = "Device", *, description: Optional[str] = "Device ID",
                 **kwargs: Any) -> None:
        super().__init__(display_name, description=description, pattern=r"\d+",
                         format="doover-resource-device", **kwargs)


class Group(String):
    """A device group id: digits, ``format: doover-resource-group``."""

    def __init__(self, display_name: str = "Group", *, description: Optional[str] = "Group ID",
                 **kwargs: Any) -> None:
        super().__init__(display_name, description=description, pattern=r"\d+",
                         format="doover-resource-group", **kwargs)


class DevicesConfig(Array):
    """A list of :class:`Device` ids."""

    def __init__(self, display_name: str = "Devices", *,
                 description: Optional[str] = "List of devices to grant permissions to.", **kwargs: Any) -> None:
        super().__init__(display_name, element=Device(), description=description, **kwargs)


class GroupsConfig(Array):
    """A list of :class:`Group` ids."""

    def __init__(self, display_name: str = "Groups", *,
                 description: Optional[str] = "List of groups to grant permissions to.", **kwargs: Any) -> None:
        super().__init__(display_name, element=Group(), description=description, **kwargs)


class ApplicationPosition(Integer):
    """Where the app sits in the UI (key ``dv_app_position``, hidden, >= 0, default 100)."""

    def __init__(self, display_name: str = "Position", *,
                 description: Optional[str] = "Order of this application in the UI; smaller comes first.",
                 default: Any = 100, **kwargs: Any) -> None:
        super().__init__(display_name, description=description, default=default, minimum=0,
                         name="dv_app_position", hidden=True, **kwargs)


class ApplicationDefaultOpen(Boolean):
    """Whether the app starts expanded in the UI (key ``dv_app_default_open``, hidden, default None)."""

    def __init__(self, display_name: str = "Default Open", *,
                 description: Optional[str] = (
                     "Whether this application starts expanded in the UI. Unset lets the UI decide."
                 ),
                 default: Any = None, **kwargs: Any) -> None:
        super().__init__(display_name, description=description, default=default,
                         name="dv_app_default_open", hidden=True, **kwargs)


class ApplicationInterpreterHidden(Boolean):
    """Hide the app in the interpreter view (key ``interpreter_hidden``, advanced, default False)."""

    def __init__(self, display_name: str = "Interpreter Hidden", *,
                 description: Optional[str] = "Hide this application in the interpreter view.",
                 default: Any = False, **kwargs: Any) -> None:
        super().__init__(display_name, description=description, default=default,
                         name="interpreter_hidden", advanced=True, **kwargs)


class ApplicationFullWidth(Boolean):
    """Show the app full width (key ``interpreter_full_width``, advanced, default False)."""

    def __init__(self, display_name: str = "Full Width", *,
                 description: Optional[str] = "Show this application across the full width of the interpreter.",
                 default: Any = False, **kwargs: Any) -> None:
        super().__init__(display_name, description=description, default=default,
                         name="interpreter_full_width", advanced=True, **kwargs)


class ApplicationCockpitVisible(Boolean):
    """Show the app's widgets in a Cockpit tab (key ``cockpit_visible``, advanced, default False)."""

    def __init__(self, display_name: str = "Cockpit Visible", *,
                 description: Optional[str] = "Show this application's widgets in a Cockpit tab.",
                 default: Any = False, **kwargs: Any) -> None:
        super().__init__(display_name, description=description, default=default,
                         name="cockpit_visible", advanced=True, **kwargs)


class LLMAPIKey(String):
    """An LLM service API key the platform fills in (key always ``dv-llm-api-key``, hidden)."""

    def __init__(self, display_name: str = "LLM API Key", *,
                 description: Optional[str] = "API key of the LLM service.", **kwargs: Any) -> None:
        super().__init__(display_name, description=description, hidden=True, default="placeholder", **kwargs)
        self._name = "dv-llm-api-key"


class TagRef(Object):
    """A reference to a tag published by another application (``format: doover-tag-reference``).

    Children: ``reference_name`` (the handle a ``RemoteTag`` declares), ``agent_id``
    (optional; blank means this agent), ``app_name`` and ``tag_name``. Make it optional with
    ``TagRef("Ref", default=None, required=False)``.
    """

    reference_name = String(
        "Reference Name", name="reference_name",
        description="Handle for this tag; use the same name in the matching RemoteTag.",
    )
    agent_id = Device(
        "Agent", name="agent_id", default=None,
        description="Agent that owns the tag. Leave blank for this agent.",
    )
    app_name = ApplicationInstall(
        "Application", name="app_name", description="Application that publishes the tag.",
    )
    tag_name = String("Tag Name", name="tag_name", description="Name of the tag in that application.")

    def __init__(self, display_name: str = "Tag Reference", *,
                 description: Optional[str] = "Reference to a tag in another application.", **kwargs: Any) -> None:
        super().__init__(display_name, description=description, format="doover-tag-reference", **kwargs)
