"""Schema.export: read-modify-write of doover_config.json."""

import json
import os
import stat

import pytest

from doover import config
from doover.exceptions import ConfigSchemaError


class Cfg(config.Schema, name="Demo"):
    count = config.Integer("Item Count", default=3, description="Température — °C")


def test_export_creates_the_file_with_four_space_indent_ascii_escapes_and_a_trailing_newline(tmp_path):
    target = tmp_path / "doover_config.json"
    Cfg.export(target, "demo")
    text = target.read_text(encoding="utf-8")
    assert text == json.dumps({"demo": {"config_schema": Cfg.to_schema()}}, indent=4) + "\n"
    assert "Temp\\u00e9rature \\u2014 \\u00b0C" in text
    assert text.startswith('{\n    "demo": {\n        "config_schema": {\n            "$schema"')


def test_export_keeps_other_apps_and_other_keys_of_the_entry_in_order(tmp_path):
    target = tmp_path / "doover_config.json"
    original = {
        "deployment_package_dir": "pkg/",
        "demo": {"key": "uuid", "name": "demo", "type": "DEV", "config_schema": {"old": True}, "ui_schema": {"u": 1}},
        "other": {"type": "PRO", "config_schema": {"title": "other"}},
    }
    target.write_text(json.dumps(original), encoding="utf-8")
    Cfg().export(str(target), "demo")  # works on an instance and with a str path
    data = json.loads(target.read_text(encoding="utf-8"))
    assert list(data) == ["deployment_package_dir", "demo", "other"]
    assert list(data["demo"]) == ["key", "name", "type", "config_schema", "ui_schema"]
    assert data["demo"]["config_schema"] == Cfg.to_schema()
    assert data["other"] == original["other"] and data["demo"]["ui_schema"] == {"u": 1}


def test_export_adds_a_new_app_entry_at_the_end(tmp_path):
    target = tmp_path / "doover_config.json"
    target.write_text('{"first": {"type": "DEV"}}', encoding="utf-8")
    Cfg.export(target, "second")
    assert json.loads(target.read_text(encoding="utf-8")) == {
        "first": {"type": "DEV"}, "second": {"config_schema": Cfg.to_schema()}}


def test_export_replaces_a_non_dict_entry_and_leaves_no_temporary_files(tmp_path):
    target = tmp_path / "doover_config.json"
    target.write_text('{"demo": "legacy"}', encoding="utf-8")
    os.chmod(target, 0o640)
    Cfg.export(target, "demo")
    assert json.loads(target.read_text(encoding="utf-8")) == {"demo": {"config_schema": Cfg.to_schema()}}
    assert sorted(os.listdir(tmp_path)) == ["doover_config.json"]
    assert stat.S_IMODE(os.stat(target).st_mode) == 0o640


@pytest.mark.parametrize("content, message", [("{nope", "not valid JSON"), ("[1]", "expected a JSON object")])
def test_export_refuses_to_overwrite_a_broken_file(tmp_path, content, message):
    target = tmp_path / "doover_config.json"
    target.write_text(content, encoding="utf-8")
    with pytest.raises(ConfigSchemaError, match=message):
        Cfg.export(target, "demo")
    assert target.read_text(encoding="utf-8") == content
