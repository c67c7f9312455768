"""The no-op base hooks work under both spellings an app may use when it calls them:
``super().setup()`` in a ``def`` hook and ``await super().setup()`` in an ``async def`` one
(the platform SDK's bases are ``async def``). A sync app still never creates an event loop."""

import asyncio

import pytest

from doover._done import Done
from doover._hooks import call_hook
from doover.docker import Application as EdgeApplication
from doover.notifications import Notifications
from doover.processor import Application as ProcessorApplication
from doover.tags import Tags
from doover.ui import UI

PROCESSOR_HOOKS = [("setup", ()), ("close", ()), ("pre_hook_filter", (None,)), ("post_setup_filter", (None,)),
                   ("on_message_create", (None,)), ("on_aggregate_update", (None,)), ("on_schedule", (None,)),
                   ("on_deployment", (None,)), ("on_ingestion_endpoint", (None,)), ("on_manual_invoke", (None,)),
                   ("on_alarm_trigger", (None,))]
EDGE_HOOKS = [("setup", ()), ("main_loop", ()), ("check_can_shutdown", ()), ("on_shutdown_at", (None,)),
              ("close", ()), ("on_message_create", (None,)), ("on_aggregate_update", (None,)),
              ("on_channel_sync", (None,))]
EXPECTED = {"pre_hook_filter": True, "post_setup_filter": True, "check_can_shutdown": True}


def _cases():
    for name, args in PROCESSOR_HOOKS:
        yield pytest.param(ProcessorApplication, name, args, id="processor." + name)
    for name, args in EDGE_HOOKS:
        yield pytest.param(lambda: EdgeApplication(app_key="app"), name, args, id="edge." + name)
    for cls in (Tags, UI, Notifications):
        yield pytest.param(cls, "setup", (), id=cls.__module__ + "." + cls.__name__ + ".setup")


@pytest.mark.parametrize("make, name, args", list(_cases()))
def test_base_hook_gives_its_value_in_sync_code_and_is_awaitable_in_a_coroutine(make, name, args):
    obj = make()
    expected = EXPECTED.get(name)
    assert getattr(obj, name)(*args) is expected  # a plain value outside a coroutine

    async def subclass_hook():
        return await getattr(obj, name)(*args)  # what ``await super().<hook>(...)`` does

    assert asyncio.new_event_loop().run_until_complete(subclass_hook()) is expected
    # the framework's own call of a base hook (from blocking code, or inside a running loop) unwraps it
    assert call_hook(lambda: Done(expected)) is expected


def test_async_processor_awaiting_its_base_hooks_runs_end_to_end():
    from doover.processor import run_app

    seen = []

    class App(ProcessorApplication):
        async def pre_hook_filter(self, event):
            return await super().pre_hook_filter(event) and event.schedule_id == 9

        async def on_schedule(self, event):
            seen.append(await super().on_schedule(event))
            return "done"

    out = run_app(App(), {"op": "on_schedule", "token": "t", "d": {"schedule_id": "8"}}, None, setup_logging=False)
    assert (out["status"], out["skip_reason"]) == ("skipped", "pre_hook_filter")
    assert seen == []
