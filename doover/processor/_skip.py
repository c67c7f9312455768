"""``ProcessorSkipped`` and its reasons: an invocation that ends on purpose without running."""

import enum

__all__ = ["SkipReason", "ProcessorSkipped"]


class SkipReason(str, enum.Enum):
    """Why an invocation was skipped; the string value goes into the summary's ``skip_reason``."""

    no_handler = "no_handler"
    pre_hook_filter = "pre_hook_filter"
    tag_values_self_loop = "tag_values_self_loop"
    post_setup_filter = "post_setup_filter"


class ProcessorSkipped(Exception):
    """Raise (or let the runtime raise) to end an invocation as ``skipped`` with ``reason``.

    Not a :class:`~doover.exceptions.DooverError`: it is control flow, not a failure.
    """

    def __init__(self, reason: SkipReason) -> None:
        self.reason = SkipReason(reason)
        super().__init__("skipped: " + self.reason.value)
