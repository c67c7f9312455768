"""doover: a synchronous-first, dependency-light SDK and runtime for the Doover IoT platform.

Importing this package is cheap: it imports nothing but the version. Reach the parts
through their subpackages (``doover.api``, ``doover.processor``, ``doover.docker``, ...).
"""

from ._version import __version__

__all__ = ["__version__"]
