"""docs/reference/cli.md documents every command, subcommand, option and argument of ``doover``.

The commands come from ``doover.cli.COMMANDS`` and the options from the argparse parsers the
CLI builds, so a command or flag added later fails here until the page describes it.
"""

import argparse
import pathlib
import re

import doover.cli

PAGE = pathlib.Path(__file__).resolve().parents[2] / "docs" / "reference" / "cli.md"


def _walk(parser, path):
    """``{("doover", "config", "export"): {"options": {...}, "positionals": {...}}}`` for a parser tree."""
    found = {}
    options, positionals = set(), set()
    for action in parser._actions:
        if isinstance(action, argparse._HelpAction):
            continue
        if isinstance(action, argparse._SubParsersAction):
            for name, sub in action.choices.items():
                found.update(_walk(sub, path + (name,)))
        elif action.option_strings:
            options.update(action.option_strings)
        else:
            positionals.add(action.metavar or action.dest)
    found[path] = {"options": options, "positionals": positionals}
    return found


def _parsers():
    """Every command path with its options; each command's own parser fully configured."""
    tree = {}
    for name in doover.cli.COMMANDS:
        root = doover.cli._build_parser(name)
        commands = next(a for a in root._actions if isinstance(a, argparse._SubParsersAction))
        tree.update(_walk(commands.choices[name], ("doover", name)))
        root_options = {s for a in root._actions if not isinstance(a, argparse._HelpAction) for s in a.option_strings}
    tree[("doover",)] = {"options": root_options, "positionals": set()}
    return tree


def _page():
    """The same shape, read from the page: a heading per command, a table row per option."""
    sections = {}
    current = None
    for line in PAGE.read_text(encoding="utf-8").splitlines():
        heading = re.match(r"^#{2,4} `(doover(?: [\w-]+)*)`$", line)
        if heading:
            current = tuple(heading.group(1).split())
            assert current not in sections, "two sections for {}".format(" ".join(current))
            sections[current] = {"options": set(), "positionals": set()}
            continue
        row = re.match(r"^\| (`[^|]*`) \|", line)
        if current and row and not row.group(1).startswith("`option"):
            names = [cell.strip("`").split()[0] for cell in row.group(1).split(", ")]
            for name in names:
                key = "options" if name.startswith("-") else "positionals"
                sections[current][key].add(name)
    return sections


def test_every_command_in_doover_cli_commands_has_a_section():
    page = _page()
    missing = [name for name in doover.cli.COMMANDS if ("doover", name) not in page]
    assert missing == []


def test_every_command_and_subcommand_of_the_parsers_is_documented_and_nothing_else():
    assert sorted(_page()) == sorted(_parsers())


def test_every_option_and_argument_of_each_command_is_documented_and_nothing_else():
    page, parsers = _page(), _parsers()
    for path in sorted(parsers):
        assert page.get(path) == parsers[path], " ".join(path)


def test_the_parser_walk_sees_nested_subcommands_and_short_options():
    parsers = _parsers()
    assert parsers[("doover",)]["options"] == {"--version"}
    assert "--structural" in parsers[("doover", "config", "validate")]["options"]
    assert parsers[("doover", "config", "export")]["positionals"] == {"MODULE:SchemaClass"}
    assert {"-o", "--output"} <= parsers[("doover", "package")]["options"]
