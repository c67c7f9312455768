"""Paginating iterators of DataClient: one channel (``iter_messages``) and many agents.

Both fetch a page only when the previous one is used up, expose ``next_page()`` (the async
client fetches pages through it in its thread pool) and ``collect()``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Dict, Iterator, List, Optional, Sequence

if TYPE_CHECKING:  # pragma: no cover
    from ..models import Message
    from ._client import DataClient

__all__ = ["MessageIterator", "MultiAgentMessageIterator", "TWO_DAYS_SNOWFLAKE"]

#: Two days as a snowflake span (172 800 000 ms << 22): the multi-agent endpoint's widest window.
TWO_DAYS_SNOWFLAKE = 172_800_000 << 22


class _PageIterator:
    def __init__(self) -> None:
        self._buffer: List[Message] = []
        self._done = False

    def next_page(self) -> Optional[List[Message]]:  # pragma: no cover - overridden
        raise NotImplementedError

    def __iter__(self) -> Iterator[Message]:
        return self

    def __next__(self) -> Message:
        while not self._buffer:
            page = self.next_page()
            if page is None:
                raise StopIteration
            self._buffer = list(page)
        return self._buffer.pop(0)

    def collect(self) -> List[Message]:
        """Every remaining message, as a list."""
        return list(self)


class MessageIterator(_PageIterator):
    """Messages of one channel, newest to oldest, walking a ``before`` cursor.

    Each page is ``list_messages(before=cursor, after=after, limit=page_size)``; the cursor moves
    to the oldest id of the page; a short page ends the walk. ``after`` never changes.
    """

    def __init__(
        self,
        client: "DataClient",
        channel_name: str,
        *,
        agent_id: int,
        before: Optional[int] = None,
        after: Optional[int] = None,
        field_names: Optional[Sequence[str]] = None,
        page_size: int = 50,
        organisation_id: Optional[int] = None,
    ) -> None:
        super().__init__()
        if page_size < 1:
            raise ValueError("page_size: expected >= 1, got {}".format(page_size))
        self._client = client
        self.channel_name = channel_name
        self.agent_id = agent_id
        self.before = before
        self.after = after
        self.field_names = list(field_names) if field_names else None
        self.page_size = page_size
        self.organisation_id = organisation_id

    def next_page(self) -> Optional[List[Message]]:
        """Fetch the next page (newest first); None when the range is exhausted."""
        if self._done:
            return None
        page = self._client.list_messages(
            self.channel_name,
            before=self.before,
            after=self.after,
            limit=self.page_size,
            field_names=self.field_names,
            agent_id=self.agent_id,
            organisation_id=self.organisation_id,
        )
        if len(page) < self.page_size:
            self._done = True
        if self.before is not None:
            page = [m for m in page if m.id < self.before]
        if self.after is not None:
            page = [m for m in page if m.id > self.after]
        if not page:
            self._done = True
            return None
        page.sort(key=lambda m: m.id, reverse=True)
        oldest = page[-1].id
        if self.before is not None and oldest >= self.before:  # pragma: no cover - defensive
            self._done = True
        self.before = oldest
        return page


class MultiAgentMessageIterator(_PageIterator):
    """Messages of one channel across several agents, newest to oldest, each exactly once.

    With both bounds the range is walked in 2-day windows (the endpoint's limit), newest window
    first. Inside a window a ``before`` cursor moves down; a page can stop short of the true
    boundary when the page or an agent's ``agent_message_limit`` is full, so the cursor moves
    only to the highest point below which something may be missing, and messages below it are
    left for the next request. Nothing is skipped or repeated whatever the per-agent caps.
    """

    def __init__(
        self,
        client: "DataClient",
        channel_name: str,
        agent_ids: Sequence[int],
        *,
        before: Optional[int] = None,
        after: Optional[int] = None,
        agent_message_limit: Optional[int] = None,
        field_names: Optional[Sequence[str]] = None,
        page_size: int = 50,
        organisation_id: Optional[int] = None,
    ) -> None:
        super().__init__()
        if page_size < 1:
            raise ValueError("page_size: expected >= 1, got {}".format(page_size))
        self._client = client
        self.channel_name = channel_name
        self.agent_ids = [int(a) for a in agent_ids]
        self.after = after
        self.agent_message_limit = agent_message_limit
        self.field_names = list(field_names) if field_names else None
        self.page_size = page_size
        self.organisation_id = organisation_id
        self._cursor = before  # exclusive upper bound of what is still to fetch
        self._window_start = self._start_for(before)

    def _start_for(self, upper: Optional[int]) -> Optional[int]:
        if upper is None or self.after is None:
            return self.after
        return max(self.after, upper - TWO_DAYS_SNOWFLAKE)

    def next_page(self) -> Optional[List[Message]]:
        """Fetch until some messages are final; None when the range is exhausted."""
        while not self._done:
            response = self._client.fetch_multi_agent_messages(
                self.channel_name,
                self.agent_ids,
                before=self._cursor,
                after=self._window_start,
                limit=self.page_size,
                agent_message_limit=self.agent_message_limit,
                field_names=self.field_names,
                organisation_id=self.organisation_id,
            )
            results = [
                m
                for m in response.results
                if (self._cursor is None or m.id < self._cursor)
                and (self._window_start is None or m.id > self._window_start)
            ]
            floor = self._floor(response.results, results)
            if floor is None:  # the window is complete
                ready = results
                self._next_window()
            else:
                ready = [m for m in results if m.id >= floor]
                self._cursor = floor
            if ready:
                ready.sort(key=lambda m: m.id, reverse=True)
                return ready
        return None

    def _floor(self, raw: List[Message], results: List[Message]) -> Optional[int]:
        """The lowest id below which this page may be incomplete, or None if it is complete."""
        candidates = []
        if len(raw) >= self.page_size and results:
            candidates.append(min(m.id for m in results))
        if self.agent_message_limit:
            per_agent: Dict[int, List[int]] = {}
            for m in results:
                per_agent.setdefault(m.channel.agent_id, []).append(m.id)
            for ids in per_agent.values():
                if len(ids) >= self.agent_message_limit:
                    candidates.append(min(ids))
        return max(candidates) if candidates else None

    def _next_window(self) -> None:
        if self._window_start is None or self.after is None or self._window_start <= self.after:
            self._done = True
            return
        self._cursor = self._window_start + 1  # exclusive bound: keep the message at the edge
        self._window_start = self._start_for(self._cursor)
        if self._cursor is not None and self._window_start is not None and self._cursor <= self._window_start:
            self._done = True
