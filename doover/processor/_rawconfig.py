"""``DeploymentConfig``: the deployment config of an app that declares no ``config_cls``."""

from typing import Any, Dict, Iterator, Mapping

__all__ = ["DeploymentConfig"]


class DeploymentConfig(Mapping):
    """Read-only view of the raw deployment config: ``config["key"]`` or ``config.key``."""

    def __init__(self, values: Dict[str, Any]) -> None:
        self._values = dict(values)

    def __getitem__(self, key: str) -> Any:
        return self._values[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self._values)

    def __len__(self) -> int:
        return len(self._values)

    def __getattr__(self, name: str) -> Any:
        values = self.__dict__.get("_values", {})
        if name in values:
            return values[name]
        raise AttributeError("deployment config has no key {!r}".format(name))

    def __repr__(self) -> str:
        return "DeploymentConfig({!r})".format(self._values)
