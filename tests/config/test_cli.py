"""``doover config export`` / ``doover config validate`` run as real subprocesses."""

import json
import os
import subprocess
import sys
import textwrap

import pytest

APP_MODULE = textwrap.dedent(
    """
    from doover import config

    class Cfg(config.Schema, name="CLI Demo"):
        count = config.Integer("Item Count", default=3)
        label = config.String("Label")

    NOT_A_SCHEMA = 5
    """
)


def run(tmp_path, *args):
    env = dict(os.environ)
    env.pop("PYTHONPATH", None)
    return subprocess.run([sys.executable, "-m", "doover", "config"] + list(args), cwd=str(tmp_path),
                          stdout=subprocess.PIPE, stderr=subprocess.PIPE, universal_newlines=True, timeout=120,
                          env=env)


@pytest.fixture
def app_dir(tmp_path):
    (tmp_path / "my_app_config.py").write_text(APP_MODULE, encoding="utf-8")
    return tmp_path


def expected_schema():
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema", "$id": "", "title": "CLI Demo", "type": "object",
        "properties": {
            "item_count": {"title": "Item Count", "x-name": "item_count", "x-hidden": False,
                           "type": ["integer", "null"], "x-required": False, "default": 3, "x-position": 0},
            "label": {"title": "Label", "x-name": "label", "x-hidden": False, "type": "string",
                      "x-required": True, "x-position": 1},
        },
        "additionalElements": True, "required": ["label"],
    }


def test_export_by_module_name_writes_the_app_entry(app_dir):
    (app_dir / "doover_config.json").write_text('{"my_app": {"type": "DEV"}, "other": {"x": 1}}', encoding="utf-8")
    result = run(app_dir, "export", "my_app_config:Cfg", "--app-key", "my_app")
    assert (result.returncode, result.stderr) == (0, "")
    assert result.stdout == "wrote my_app.config_schema (2 top-level fields) to doover_config.json\n"
    text = (app_dir / "doover_config.json").read_text(encoding="utf-8")
    assert text == json.dumps({"my_app": {"type": "DEV", "config_schema": expected_schema()},
                               "other": {"x": 1}}, indent=4) + "\n"


def test_export_by_file_path_to_another_file(app_dir):
    result = run(app_dir, "export", "my_app_config.py:Cfg", "--app-key", "k", "--file", "out/cfg.json")
    assert (result.returncode, result.stderr) == (
        2, "doover config: error: cannot write out/cfg.json: No such file or directory\n")
    (app_dir / "out").mkdir()
    result = run(app_dir, "export", str(app_dir / "my_app_config.py") + ":Cfg", "--app-key", "k",
                 "--file", "out/cfg.json")
    assert (result.returncode, result.stderr) == (0, "")
    assert json.loads((app_dir / "out" / "cfg.json").read_text(encoding="utf-8")) == {
        "k": {"config_schema": expected_schema()}}


def test_export_to_stdout_does_not_write(app_dir):
    result = run(app_dir, "export", "my_app_config:Cfg", "--app-key", "k", "--stdout")
    assert result.returncode == 0
    assert json.loads(result.stdout) == expected_schema()
    assert not (app_dir / "doover_config.json").exists()


@pytest.mark.parametrize(
    "target, message",
    [
        ("missing_module:Cfg", "doover config: error: cannot import missing_module:Cfg: No module named 'missing_module'"),
        ("my_app_config:Nope", "doover config: error: my_app_config has no attribute 'Nope'"),
        ("my_app_config:NOT_A_SCHEMA", "doover config: error: my_app_config:NOT_A_SCHEMA is not a doover.config.Schema subclass"),
        ("my_app_config", "doover config: error: expected MODULE:SchemaClass, got 'my_app_config'"),
    ],
)
def test_export_with_a_bad_target_exits_2_with_a_message(app_dir, target, message):
    result = run(app_dir, "export", target, "--app-key", "k")
    assert (result.returncode, result.stdout, result.stderr) == (2, "", message + "\n")


def test_validate_accepts_exported_schemas_and_names_the_checker(app_dir):
    assert run(app_dir, "export", "my_app_config:Cfg", "--app-key", "a").returncode == 0
    assert run(app_dir, "export", "my_app_config:Cfg", "--app-key", "b").returncode == 0
    result = run(app_dir, "validate")
    assert result.returncode == 0
    lines = result.stdout.splitlines()
    assert lines[:2] == ["a: config_schema OK", "b: config_schema OK"]
    assert lines[2].startswith("checked 2 config_schema(s) in doover_config.json with jsonschema ")
    assert lines[2].endswith(" (draft 2020-12 meta-schema) and structural check")
    structural = run(app_dir, "validate", "--structural")
    assert structural.stdout.splitlines()[-1] == "checked 2 config_schema(s) in doover_config.json with structural check"


@pytest.mark.parametrize("flag", [[], ["--structural"]])
def test_validate_reports_invalid_schemas_and_exits_1(tmp_path, flag):
    document = {
        "ok": {"type": "DEV", "config_schema": {"type": "object", "properties": {}}},
        "legacy": {"type": "DEV", "config_schema": {
            "type": "object",
            "properties": {"arr": {"type": "array", "items": {"title": "unknown", "type": "unknown"}},
                           "n": {"type": "integer", "minimum": "0"}},
            "required": "n"}},
        "no_schema": {"type": "PRO"},
    }
    (tmp_path / "doover_config.json").write_text(json.dumps(document), encoding="utf-8")
    result = run(tmp_path, "validate", *flag)
    assert result.returncode == 1
    lines = result.stdout.splitlines()
    assert lines[0] == "ok: config_schema OK"
    assert lines[1] == "legacy: config_schema INVALID"
    problems = "\n".join(lines[2:-1])
    assert "/properties/arr/items/type" in problems
    assert "/properties/n/minimum" in problems
    assert "/required" in problems


def test_export_into_a_broken_file_fails_without_touching_it(app_dir):
    (app_dir / "doover_config.json").write_text("[1]", encoding="utf-8")
    result = run(app_dir, "export", "my_app_config:Cfg", "--app-key", "k")
    assert (result.returncode, result.stderr) == (
        1, "doover: error: doover_config.json: expected a JSON object at the top level\n")
    assert (app_dir / "doover_config.json").read_text(encoding="utf-8") == "[1]"


def test_validate_without_file_or_schemas(tmp_path):
    missing = run(tmp_path, "validate")
    assert (missing.returncode, missing.stderr) == (2, "doover config: error: doover_config.json not found\n")
    (tmp_path / "doover_config.json").write_text('{"app": {"type": "DEV"}}', encoding="utf-8")
    empty = run(tmp_path, "validate")
    assert (empty.returncode, empty.stderr) == (
        1, "doover config: error: doover_config.json: no app entry has a config_schema\n")
    (tmp_path / "doover_config.json").write_text("{", encoding="utf-8")
    broken = run(tmp_path, "validate")
    assert broken.returncode == 2 and broken.stderr.startswith("doover config: error: doover_config.json is not valid JSON")


def test_config_command_is_listed_in_doover_help(tmp_path):
    result = subprocess.run([sys.executable, "-m", "doover", "--help"], stdout=subprocess.PIPE,
                            universal_newlines=True, timeout=120)
    assert "export or validate app config schemas (doover_config.json)" in result.stdout
