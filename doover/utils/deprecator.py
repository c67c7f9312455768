"""The module name the platform SDK keeps ``deprecated`` in (``pydoover.utils.deprecator``).

``from doover.utils.deprecator import deprecated`` is :func:`doover.utils.deprecated`.
"""

from ._deprecated import deprecated

__all__ = ["deprecated"]
