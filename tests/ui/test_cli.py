import json
import subprocess
import sys
import textwrap

from doover.cli import main

APP_UI = textwrap.dedent(
    """
    from doover import ui

    class PumpUI(ui.UI, display_name="Pump"):
        level = ui.NumericVariable("Level", value=ui.tag_ref("level", "number", 0))
        start = ui.Button("Start")

    class LiveUI(PumpUI):
        def setup(self):
            pass
    """
)


def test_doover_ui_export_writes_the_schema_in_a_real_subprocess(tmp_path):
    (tmp_path / "app_ui.py").write_text(APP_UI)
    target = tmp_path / "doover_config.json"
    target.write_text(json.dumps({"pump": {"type": "DEV"}}))
    result = subprocess.run(
        [sys.executable, "-m", "doover", "ui", "export", "app_ui:PumpUI", "--app-key", "pump", "--file", str(target)],
        cwd=str(tmp_path), capture_output=True, text=True, timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout == "wrote pump.ui_schema to {}\n".format(target)
    data = json.loads(target.read_text())
    assert data["pump"]["type"] == "DEV"
    schema = data["pump"]["ui_schema"]
    assert schema["displayString"] == "Pump" and schema["name"] == "$config.app().APP_KEY"
    assert schema["children"]["level"]["currentValue"] == "$tag.app().level:number:0"
    assert schema["children"]["start"]["position"] == 52


def test_doover_ui_export_of_a_file_path_to_stdout_and_dynamic_note(tmp_path, capsys):
    (tmp_path / "ui_file.py").write_text(APP_UI)
    assert main(["ui", "export", str(tmp_path / "ui_file.py") + ":PumpUI", "--app-key", "x", "--stdout"]) == 0
    assert json.loads(capsys.readouterr().out)["type"] == "uiApplication"
    out_file = tmp_path / "out.json"
    assert main(["ui", "export", str(tmp_path / "ui_file.py") + ":LiveUI", "--app-key", "x", "--file", str(out_file)]) == 0
    assert "LiveUI overrides setup(), so the app also publishes it at runtime" in capsys.readouterr().out


def test_doover_ui_export_reports_bad_targets(tmp_path, capsys):
    (tmp_path / "not_ui.py").write_text("class Thing:\n    pass\n")
    assert main(["ui", "export", str(tmp_path / "not_ui.py") + ":Thing", "--app-key", "x"]) == 2
    assert "is not a doover.ui.UI subclass" in capsys.readouterr().err
    assert main(["ui", "export", "no_colon_here", "--app-key", "x"]) == 2
    assert "expected MODULE:UIClass, got 'no_colon_here'" in capsys.readouterr().err
    assert main(["ui", "export", str(tmp_path / "missing.py") + ":X", "--app-key", "x"]) == 2
    assert "no such file" in capsys.readouterr().err
