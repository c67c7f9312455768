"""Wire-level value types shared by the models.

``Id`` marks a snowflake id field: a decimal string (or a JSON number) on the wire, an ``int``
in Python. The converter (``_converter.py``) gives it its hooks; this module only names it so
the model modules do not import cattrs.
"""

from typing import NewType

__all__ = ["Id", "WireValueError"]

#: A Doover snowflake id. Structured from ``"123"`` or ``123``; unstructured to ``"123"``.
Id = NewType("Id", int)
Id.__doc__ = "A Doover snowflake id: a decimal string (or JSON number) on the wire, an int in Python."


class WireValueError(ValueError):
    """A single wire value is wrong; the converter reports it with its path."""
