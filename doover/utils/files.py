"""The module name the platform SDK keeps ``zip_files`` in (``pydoover.utils.files``).

``from doover.utils.files import zip_files`` is :func:`doover.reports.zip_files`.
"""

from ..reports._files import zip_files

__all__ = ["zip_files"]
