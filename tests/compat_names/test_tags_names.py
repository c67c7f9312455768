"""doover.tags.Schema and doover.tags.manager, the platform SDK's names in its tags package."""

import subprocess
import sys

import doover.config
import doover.tags
from doover.tags import EdgeTagManager, LogMode, Number, ProcessorTagManager, TagManager, Tags


def test_tags_schema_is_the_config_schema():
    assert doover.tags.Schema is doover.config.Schema
    assert "Schema" in doover.tags.__all__


def test_importing_doover_tags_does_not_import_doover_config():
    code = ("import sys, doover.tags; assert 'doover.config' not in sys.modules; "
            "doover.tags.Schema; assert 'doover.config' in sys.modules; print('ok')")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "ok"


def test_manager_module_has_the_sdk_manager_names():
    from doover.tags.manager import (
        TAG_CHANNEL_NAME,
        UI_SUB_CHANNEL_NAME,
        TagsManager,
        TagsManagerDocker,
        TagsManagerProcessor,
    )
    from doover.tags.manager import LogMode as ManagerLogMode

    assert TagsManager is TagManager
    assert TagsManagerProcessor is ProcessorTagManager
    assert TagsManagerDocker is EdgeTagManager
    assert ManagerLogMode is LogMode
    assert TAG_CHANNEL_NAME == "tag_values"
    assert UI_SUB_CHANNEL_NAME == "dv-ui-sub"


def test_manager_is_reachable_as_an_attribute_of_doover_tags():
    assert doover.tags.manager.TagsManagerProcessor is ProcessorTagManager


def test_a_processor_manager_from_the_manager_module_commits_tag_values():
    from doover.tags.manager import TagsManagerProcessor

    class PumpTags(Tags):
        level = Number(default=0)

    manager = TagsManagerProcessor("pump_ctl", tag_values={})
    tags = PumpTags("pump_ctl", manager)
    tags.level.set(42)
    plan = manager.build_commit()
    assert plan.aggregate_patch == {"pump_ctl": {"level": 42}}
