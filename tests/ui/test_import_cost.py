import json
import subprocess
import sys

HEAVY = ["asyncio", "inspect", "requests", "attr", "cattrs", "serial", "minimalmodbus", "doover.emulator", "doover.cli",
         "doover.api", "doover.models", "doover.config"]


def test_importing_tags_ui_and_rpc_pulls_in_no_heavy_modules():
    code = (
        "import sys, json\n"
        "import doover.tags, doover.ui, doover.rpc\n"
        "print(json.dumps(sorted(m for m in {!r} if m in sys.modules)))\n".format(HEAVY)
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout) == []


def test_a_sync_ui_command_and_tag_callback_never_import_asyncio():
    code = (
        "import sys\n"
        "from doover import ui\n"
        "from doover.tags import EdgeTagManager\n"
        "class U(ui.UI):\n"
        "    s = ui.Switch('S')\n"
        "class C:\n"
        "    def update_channel_aggregate(self, *a, **k): pass\n"
        "    def create_message(self, *a, **k): return 1\n"
        "    def update_message(self, *a, **k): pass\n"
        "m = ui.UIManager(C(), 'app', ui=U(None, None, 'app'))\n"
        "m.add_handler('s', lambda ctx, v: ctx.acknowledge())\n"
        "handled = m.handle_event({'message': {'id': 5, 'channel': {'agent_id': 1, 'name': 'ui_cmds'},\n"
        "                          'data': {'type': 'rpc', 'method': 's', 'request': True}}})\n"
        "e = EdgeTagManager(app_key='app')\n"
        "e.subscribe_to_tag('x', lambda k, v: None)\n"
        "e.on_aggregate_update({'app': {'x': 1}})\n"
        "print(handled, 'asyncio' in sys.modules)\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["True", "False"]
