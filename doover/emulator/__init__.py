"""A local Doover: the Data API on loopback, for development, demos and tests.

``Emulator`` is a real HTTP server (stdlib ``ThreadingHTTPServer``, HTTP/1.1 keep-alive)
that speaks the Data API of the platform (channels, messages, aggregates, attachments,
timeseries, batches, alarms, notifications, processor info, tokens) with SQLite storage,
in memory or in a file::

    from doover.emulator import Emulator

    with Emulator() as emu:
        token = emu.token_for(1)
        ...  # point any Data API client at emu.base_url with that token

See ``docs/emulator.md`` for the endpoint coverage and the decisions it makes where the
platform's behaviour is unspecified.
"""

from ._auth import Principal, decode_unverified
from ._emulator import Emulator
from ._faults import Fault
from ._server import RequestRecord

__all__ = ["Emulator", "Fault", "Principal", "RequestRecord", "decode_unverified"]
