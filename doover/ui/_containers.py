"""Elements that hold other elements, and the camera views."""

import copy
from collections import OrderedDict
from typing import Any, Dict, Iterator, List, Optional

from ..exceptions import UIError
from ..tags import NotSet
from ._element import Element
from ._lookups import to_json

__all__ = ["Container", "Submodule", "Application", "RemoteComponent", "TabContainer", "CameraLiveView", "CameraHistory"]

#: children whose position is 0 are numbered from here, per container
FIRST_CHILD_POSITION = 101


class Container(Element):
    """An element with children (``uiContainer``): ``children`` is keyed by child name.

    Children come from ``children=[...]`` and from ``Element`` class attributes of a
    subclass (in declaration order, each instance getting its own copies). Children are
    reachable as attributes (``container.pump_speed``). A child given ``position=0`` is
    numbered from 101 within the container.
    """

    type = "uiContainer"

    def __init__(self, display_name: Any = None, children: Optional[List[Element]] = None, **kwargs: Any) -> None:
        super().__init__(display_name, **kwargs)
        self._children: "OrderedDict[str, Element]" = OrderedDict()
        self._next_child_position = FIRST_CHILD_POSITION
        declared = []
        for klass in reversed(type(self).__mro__):
            for value in vars(klass).values():
                if isinstance(value, Element):
                    declared.append(value)
        self.add_children(*(children or []))
        self.add_children(*[copy.deepcopy(template) for template in declared])

    @property
    def children(self) -> List[Element]:
        """The children, in order."""
        return list(self._children.values())

    def add_children(self, *children: Element) -> "Container":
        """Add child elements (a child with the same name replaces the old one)."""
        for child in children:
            if not isinstance(child, Element):
                raise UIError("{}: add_children expects UI elements, got {!r}".format(self.name, child))
            self._children[child.name] = child
            child.parent = self
            if isinstance(getattr(type(self), child.name, None), Element):
                self.__dict__[child.name] = child  # shadow the class-level template
            if not child._auto_position and not child.position:
                child.position = self._next_child_position
                self._next_child_position += 1
        return self

    def remove_children(self, *children: Any) -> None:
        """Remove children (elements or names), also from nested containers."""
        names = {c if isinstance(c, str) else c.name for c in children}
        for name in names:
            if self._children.pop(name, None) is not None:
                self.__dict__.pop(name, None)
        for child in self._children.values():
            if isinstance(child, Container):
                child.remove_children(*names)

    def clear_children(self) -> None:
        """Remove every child."""
        self._children.clear()

    def iter_tree(self) -> Iterator[Element]:
        yield self
        for child in self._children.values():
            for element in child.iter_tree():
                yield element

    def __getattr__(self, name: str) -> Any:
        if not name.startswith("_"):
            children = self.__dict__.get("_children")
            if children is not None and name in children:
                return children[name]
        raise AttributeError("{} has no attribute or child {!r}".format(type(self).__name__, name))

    def to_dict(self) -> Dict[str, Any]:
        data = self._base_dict()
        data["children"] = {name: child.to_dict() for name, child in self._children.items()}
        return to_json(data)


class Submodule(Container):
    """A collapsible group (``uiSubmodule``); ``status`` (``statusString``), ``default_open``
    (``defaultOpen``; may be a tag binding) or ``is_collapsed`` (its inverse)."""

    type = "uiSubmodule"

    def __init__(self, display_name: Any = None, children: Optional[List[Element]] = None, status: Any = NotSet,
                 is_collapsed: Any = NotSet, default_open: Any = NotSet, **kwargs: Any) -> None:
        super().__init__(display_name, children, **kwargs)
        self.status = status
        self.is_collapsed = is_collapsed
        self.default_open = default_open

    def to_dict(self) -> Dict[str, Any]:
        data = super().to_dict()
        if self.status is not NotSet:
            data["statusString"] = self.status
        if self.default_open is not NotSet:
            data["defaultOpen"] = self.default_open
        elif self.is_collapsed is not NotSet:
            data["defaultOpen"] = not self.is_collapsed
        return to_json(data)


class Application(Container):
    """An application container (``uiApplication``); ``variant``, ``full_width`` (``fullWidth``)."""

    type = "uiApplication"

    def __init__(self, display_name: Any = None, children: Optional[List[Element]] = None, variant: Any = NotSet,
                 full_width: Any = NotSet, **kwargs: Any) -> None:
        super().__init__(display_name, children, **kwargs)
        self.variant = variant
        self.full_width = full_width

    def to_dict(self) -> Dict[str, Any]:
        data = super().to_dict()
        if self.variant is not NotSet:
            data["variant"] = self.variant
        if self.full_width is not NotSet:
            data["fullWidth"] = self.full_width
        return to_json(data)


_ELEMENT_KEYWORDS = frozenset((
    "is_available", "help_str", "verbose_str", "show_activity", "form", "graphic", "layout", "position",
    "conditions", "hidden", "units", "icon", "colour", "name",
))


class RemoteComponent(Container):
    """A component loaded from ``component_url`` (``uiRemoteComponent``).

    Extra keywords (other than the common element fields) are copied verbatim into the JSON,
    for the component to read.
    """

    type = "uiRemoteComponent"

    def __init__(self, display_name: Any = None, component_url: Any = NotSet, children: Optional[List[Element]] = None,
                 **kwargs: Any) -> None:
        self.extra = {k: v for k, v in kwargs.items() if k not in _ELEMENT_KEYWORDS}
        super().__init__(display_name, children, component_url=component_url, **kwargs)

    def to_dict(self) -> Dict[str, Any]:
        data = super().to_dict()
        data.update(self.extra)
        return to_json(data)


class TabContainer(Container):
    """Children shown as tabs (``uiTabs``); ``default_page`` is the 0-based open tab."""

    type = "uiTabs"

    def __init__(self, display_name: Any = None, children: Optional[List[Element]] = None, default_page: Any = NotSet,
                 **kwargs: Any) -> None:
        super().__init__(display_name, children, **kwargs)
        self.default_page = default_page

    def to_dict(self) -> Dict[str, Any]:
        data = super().to_dict()
        if self.default_page is not NotSet:
            data["defaultPage"] = self.default_page
        return to_json(data)


class CameraLiveView(Element):
    """A live camera stream (``uiCameraLiveView``)."""

    type = "uiCameraLiveView"

    def __init__(self, camera_name: str, stream_name: str, allow_ptz_control: bool, display_name: str = "Live View",
                 **kwargs: Any) -> None:
        super().__init__(display_name, **kwargs)
        self.camera_name = camera_name
        self.stream_name = stream_name
        self.allow_ptz_control = allow_ptz_control
        self.presets: List[Any] = []
        self.active_preset: Any = None

    def to_dict(self) -> Dict[str, Any]:
        data = self._base_dict()
        data["cameraName"] = self.camera_name
        data["streamName"] = self.stream_name
        data["ptzControl"] = self.allow_ptz_control
        data["presets"] = self.presets
        data["activePreset"] = self.active_preset
        return to_json(data)


class CameraHistory(Element):
    """A camera's recorded history (``uiCameraHistory``)."""

    type = "uiCameraHistory"

    def __init__(self, camera_name: str, display_name: str = "History", **kwargs: Any) -> None:
        super().__init__(display_name, **kwargs)
        self.camera_name = camera_name
        self.presets: List[Any] = []
        self.active_preset: Any = None

    def to_dict(self) -> Dict[str, Any]:
        data = self._base_dict()
        data["cameraName"] = self.camera_name
        data["ptzControl"] = True
        data["presets"] = self.presets
        data["activePreset"] = self.active_preset
        return to_json(data)
