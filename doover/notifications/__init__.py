"""Declared notifications: the events an app can notify about, each with its own topic.

Declare them on a :class:`Notifications` subclass, the way tags and config are declared::

    from doover.notifications import Notification, NotificationPolicy, Notifications

    class PumpNotifications(Notifications):
        low_battery = Notification("The battery is low", severity="warn")
        maintenance_due = Notification("Maintenance is due", policy=NotificationPolicy.opt_in)

and point the app at it with ``notifications_cls = PumpNotifications``. The runtime builds
``self.notifications`` with the app key (a processor at setup of each invocation, an edge app
when it is constructed), and each declared notification is sent on its canonical topic
``dev/applications/<policy>/<app_key>/<event>``::

    self.notifications.low_battery.send()                    # the declared message
    self.notifications.low_battery.send("Battery at 10.2 V")  # another message, same topic

In an app with ``async def`` hooks, ``send()`` returns an awaitable (``await`` it), as
``send_notification`` does; a sync app gets the result at once. :meth:`Notifications.export`
writes the declarations into ``doover_config.json`` as ``notification_schema``, from which the
Doover site offers subscribers a per-notification opt-out.
"""

from typing import Any, Dict, Iterator, Optional, Union

from .._done import maybe_awaitable
from ..exceptions import DooverError, InvalidArgumentError
from ..models._enums import NotificationSeverity
from ..models._topics import NotificationPolicy, NotificationTopic, check_topic_segment, coerce_policy

__all__ = [
    "BoundNotification",
    "Notification",
    "NotificationPolicy",
    "NotificationSeverity",
    "Notifications",
]

SeverityLike = Union[NotificationSeverity, int, str]


def _coerce_severity(value: Any) -> NotificationSeverity:
    try:
        if isinstance(value, bool):
            raise ValueError(value)
        return NotificationSeverity(value)
    except (ValueError, TypeError):
        raise InvalidArgumentError(
            "severity: expected a NotificationSeverity, an int 3..7 or one of {} (or warning/error/"
            "err/fatal/crit), got {!r}".format("/".join(m.name for m in NotificationSeverity), value)
        ) from None


def _optional_str(field: str, value: Any) -> Optional[str]:
    if value is not None and not isinstance(value, str):
        raise InvalidArgumentError("{}: expected a str or None, got {}: {!r}".format(field, type(value).__name__, value))
    return value


def _humanise(name: str) -> str:
    return name.replace("_", " ").replace("-", " ").strip().capitalize()


class Notification:
    """One notification an app can send, declared as a class attribute of :class:`Notifications`.

    ``message`` is the default body (a non-empty str). ``display_name`` labels it in the Doover
    site's notification picker (default: the event name, humanised: ``low_battery`` ->
    ``Low battery``); ``description`` says when it fires. ``severity`` (default ``Info``) is
    the enum, an int 3..7 or a name; subscribers whose subscription severity is higher never
    receive it, whatever their topics. ``title`` is the headline (default, server-side: the
    agent's display name). ``policy`` is :class:`NotificationPolicy` ``default`` (broad
    subscriptions include it) or ``opt_in``; it is part of the topic, so changing it on a
    published app changes the topic. ``name`` is the event name, the topic's last segment
    (default: the attribute name). Bad values raise
    :class:`~doover.exceptions.InvalidArgumentError` naming the field.
    """

    def __init__(
        self,
        message: str,
        *,
        display_name: Optional[str] = None,
        description: Optional[str] = None,
        severity: SeverityLike = NotificationSeverity.Info,
        title: Optional[str] = None,
        policy: Union[NotificationPolicy, str] = NotificationPolicy.default,
        name: Optional[str] = None,
    ) -> None:
        if not isinstance(message, str) or not message.strip():
            raise InvalidArgumentError("message: expected a non-empty str, got {!r}".format(message))
        self.message = message
        self.display_name = _optional_str("display_name", display_name)
        self.description = _optional_str("description", description)
        self.severity = _coerce_severity(severity)
        self.title = _optional_str("title", title)
        self.policy = coerce_policy(policy)
        self.name = check_topic_segment("name", name) if name is not None else None
        self._attr_name: Optional[str] = None

    def __repr__(self) -> str:
        return "Notification(name={!r}, severity={}, policy={})".format(
            self.name or self._attr_name, self.severity.name, self.policy.value
        )

    @property
    def event(self) -> Optional[str]:
        """The event name: ``name``, else the attribute it was declared as (None before that)."""
        return self.name or self._attr_name

    def to_schema(self) -> Dict[str, Any]:
        """This notification's ``notification_schema`` entry.

        ``{"event", "display_name", "message", "severity" (the name), "policy"}`` plus
        ``description`` and ``title`` when set. The topic is not in it: it depends on the app
        key of each install.
        """
        event = self.event
        if event is None:
            raise DooverError(
                "Notification({!r}): no event name yet; give name= or declare it on a Notifications "
                "subclass".format(self.message)
            )
        out: Dict[str, Any] = {
            "event": event,
            "display_name": self.display_name or _humanise(event),
            "message": self.message,
            "severity": self.severity.name,
            "policy": self.policy.value,
        }
        if self.description is not None:
            out["description"] = self.description
        if self.title is not None:
            out["title"] = self.title
        return out

    def send(self, *args: Any, **kwargs: Any) -> Any:
        """Always raises: a declaration is a template; send through the app's Notifications."""
        raise DooverError(
            "{}: a declared Notification cannot send by itself; send it through the app's "
            "Notifications instance, e.g. self.notifications.{}.send()".format(
                self.event or "notification", self.event or "<name>"
            )
        )


class BoundNotification:
    """A declared notification bound to a running app's :class:`Notifications` (it can send)."""

    __slots__ = ("_owner", "_attr", "_template")

    def __init__(self, owner: "Notifications", attr: str, template: Notification) -> None:
        self._owner = owner
        self._attr = attr
        self._template = template

    @property
    def template(self) -> Notification:
        """The :class:`Notification` declaration."""
        return self._template

    @property
    def name(self) -> str:
        """The event name (the topic's last segment)."""
        return self._template.name or self._attr

    @property
    def topic(self) -> NotificationTopic:
        """The canonical topic ``dev/applications/<policy>/<app_key>/<event>``."""
        return self._owner.topic_for(self._attr)

    def __repr__(self) -> str:
        return "BoundNotification(name={!r})".format(self.name)

    def send(
        self,
        message: Optional[str] = None,
        *,
        title: Optional[str] = None,
        severity: Optional[SeverityLike] = None,
        **kwargs: Any,
    ) -> Any:
        """Send this notification on its topic; any argument left out comes from the declaration.

        Extra keyword arguments go to the app's ``send_notification`` (a processor's
        ``agent_id=``). Returns what that returns: the created message (processor) or message
        id (edge app), or, in an app with ``async def`` hooks, an awaitable of it.
        """
        for key in ("topic", "event"):
            if key in kwargs:
                raise InvalidArgumentError(
                    "{}: a declared notification is sent on its own topic ({}); use "
                    "send_notification() for another".format(key, self.name)
                )
        template = self._template
        return self._owner._send(
            template.message if message is None else message,
            title=template.title if title is None else title,
            severity=template.severity if severity is None else severity,
            topic=self.topic,
            **kwargs
        )


class _Declared:
    """The class attribute a declaration becomes: the template on the class, bound on instances."""

    def __init__(self, attr: str, template: Notification) -> None:
        self.attr = attr
        self.template = template

    @property
    def event(self) -> str:
        return self.template.name or self.attr

    def __get__(self, instance: Any, owner: Any = None) -> Any:
        if instance is None:
            return self.template
        return BoundNotification(instance, self.attr, self.template)


class _UnknownNotificationError(InvalidArgumentError, KeyError):
    """No notification declared under that name (a KeyError too, for ``notifications[name]``)."""

    __str__ = Exception.__str__


class Notifications:
    """Base class of an app's notification declarations (class attributes of :class:`Notification`).

    Declarations are inherited; two declarations with the same event name raise
    :class:`~doover.exceptions.InvalidArgumentError` when the class is defined, as does an
    attribute name that is not a valid topic segment (``lowBattery``) without ``name=``.

    The runtime builds one per app as ``notifications_cls(app_key, app)``. Attribute access
    gives a :class:`BoundNotification`; so do ``notifications[name]`` and ``get(name)`` (by
    attribute or event name) and iteration, in declaration order.
    """

    _declarations: Dict[str, _Declared] = {}

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)  # type: ignore[call-arg]
        declared: Dict[str, _Declared] = {}
        for base in reversed(cls.__mro__[1:]):
            declared.update(getattr(base, "_declarations", {}))
        for attr, value in list(vars(cls).items()):
            if isinstance(value, Notification):
                if value.name is None:  # the attribute name is the event name: check it now, not in the field
                    check_topic_segment(
                        "{}.{} (the attribute name is the event name; give name= to use another)".format(
                            cls.__name__, attr),
                        attr,
                    )
                value._attr_name = attr
                declared[attr] = _Declared(attr, value)
                setattr(cls, attr, declared[attr])
            elif attr in declared and not isinstance(value, _Declared):
                del declared[attr]  # an inherited declaration overridden by a plain attribute
        seen: Dict[str, str] = {}
        for attr, declaration in declared.items():
            other = seen.setdefault(declaration.event, attr)
            if other != attr:
                raise InvalidArgumentError(
                    "{}: event name {!r} is declared twice, by {!r} and {!r}; give one of them "
                    "another name=".format(cls.__name__, declaration.event, other, attr)
                )
        cls._declarations = declared

    def __init__(self, app_key: Optional[str] = None, application: Any = None) -> None:
        self._app_key = app_key
        self._application = application
        # this instance's own set: setup() may change it without touching the class (a warm
        # Lambda container builds a fresh one per invocation); also under the platform SDK's name
        self._declarations = dict(type(self)._declarations)
        self._notification_declarations = self._declarations

    @property
    def app_key(self) -> Optional[str]:
        """The app key the topics are built from: the one given, else the application's."""
        if self._app_key:
            return self._app_key
        return getattr(self._application, "app_key", None) or None

    @app_key.setter
    def app_key(self, value: Optional[str]) -> None:
        self._app_key = value

    def setup(self) -> Any:
        """Override to adjust the set before use (``def`` or ``async def``); a processor calls it
        at setup of each invocation, before the app's own ``setup``."""
        return maybe_awaitable(None)

    def _find(self, name: str) -> Optional[_Declared]:
        declared = self._declarations
        found = declared.get(name)
        if found is None:
            for declaration in declared.values():
                if declaration.event == name:
                    return declaration
        return found

    def _require(self, name: str) -> _Declared:
        found = self._find(name)
        if found is None:
            raise _UnknownNotificationError(
                "{!r}: no notification declared under that name on {} (declared: {})".format(
                    name, type(self).__name__, ", ".join(sorted(self._declarations)) or "none"
                )
            )
        return found

    def topic_for(self, name: str) -> NotificationTopic:
        """The canonical topic of the notification declared as ``name`` (attribute or event name)."""
        declaration = self._require(name)
        app_key = self.app_key
        if not app_key:
            raise DooverError(
                "{}: the topic needs the app key, which is not set; the runtime gives it to "
                "self.notifications (from the invocation, or app_key= / APP_KEY on an edge app). "
                "Build {}(app_key=...) yourself in tests.".format(declaration.event, type(self).__name__)
            )
        return NotificationTopic.application(app_key, declaration.event, declaration.template.policy)

    def get(self, name: str) -> Optional[BoundNotification]:
        """The bound notification declared as ``name`` (attribute or event name), or None."""
        declaration = self._find(name)
        return None if declaration is None else BoundNotification(self, declaration.attr, declaration.template)

    def __getitem__(self, name: str) -> BoundNotification:
        declaration = self._require(name)
        return BoundNotification(self, declaration.attr, declaration.template)

    def __iter__(self) -> Iterator[BoundNotification]:
        for attr, declaration in list(self._declarations.items()):
            yield BoundNotification(self, attr, declaration.template)

    def __len__(self) -> int:
        return len(self._declarations)

    def __repr__(self) -> str:
        return "{}({})".format(type(self).__name__, list(self._declarations))

    def to_schema(self) -> Dict[str, Any]:
        """``{event name: Notification.to_schema()}`` for every declaration, in declaration order."""
        return {d.event: d.template.to_schema() for d in self._declarations.values()}

    @classmethod
    def export(cls, fp: Any, app_name: str) -> None:
        """Write :meth:`to_schema` into ``doover_config.json`` at ``fp`` as
        ``[app_name]["notification_schema"]``, keeping everything else in the file (created if
        missing; 4-space indent, trailing newline)."""
        from ..config._file import write_app_entry_key

        write_app_entry_key(fp, app_name, "notification_schema", cls().to_schema())

    def _send(self, message: Any, **kwargs: Any) -> Any:
        app = self._application
        if app is None:
            raise DooverError(
                "{}: not attached to an app, so nothing can be sent; use self.notifications inside "
                "the app (the runtime builds it as notifications_cls(app_key, app))".format(type(self).__name__)
            )
        return app.send_notification(message, **kwargs)
