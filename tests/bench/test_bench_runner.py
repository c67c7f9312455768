"""``python -m bench``: the runner lists the benchmarks, runs one in quick mode for real and
prints every row in one table. Only the shape is asserted (speed is for bench/, not tests)."""

import importlib.util
import json
import os
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def _run_module():
    spec = importlib.util.spec_from_file_location("doover_bench_run", os.path.join(ROOT, "bench", "run.py"))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _bench(*args):
    return subprocess.run([sys.executable, "-m", "bench"] + list(args), cwd=ROOT, stdout=subprocess.PIPE,
                          stderr=subprocess.PIPE, universal_newlines=True, timeout=600)


def test_list_names_every_benchmark_module():
    proc = _bench("--list")
    assert proc.returncode == 0, proc.stderr
    names = [line.split()[0] for line in proc.stdout.splitlines()]
    assert names == ["api", "processor", "emulator", "modbus", "edge", "package"]
    for line in proc.stdout.splitlines():
        module = line.split()[1].rstrip(":")
        assert os.path.isfile(os.path.join(ROOT, module)), module


def test_quick_modbus_run_prints_one_table_and_writes_json_rows(tmp_path):
    out = tmp_path / "rows.json"
    proc = _bench("--quick", "--only", "modbus", "--json", str(out))
    assert proc.returncode == 0, proc.stderr
    rows = json.loads(out.read_text())["rows"]
    assert [row["benchmark"] for row in rows] == [
        "modbus {} baud: {}".format(baud, name) for baud in (9600, 115200)
        for name in ("doover ModbusInterface", "minimalmodbus direct", "pymodbus sync client")]
    assert {row["unit"] for row in rows} == {"reads/s"}
    assert all(row["value"] > 0 for row in rows)
    assert ["vs_direct" in row for row in rows] == [True, False, True] * 2
    lines = proc.stdout.splitlines()
    assert lines[0].startswith("doover benchmarks: Python {}".format(sys.version.split()[0]))
    assert lines[1].split() == ["benchmark", "value", "unit", "vs", "bare", "vs", "requests", "vs", "pydoover", "vs",
                                "direct", "note"]
    assert len(lines) == 3 + len(rows)


def test_table_aligns_values_and_ratios_and_reports_a_failed_benchmark():
    run = _run_module()
    table = run.format_table([
        {"benchmark": "cold start: x", "value": 123.456, "unit": "ms", "vs_bare": 2.5, "vs_ref": 0.5, "note": "n"},
        {"benchmark": "y", "value": 4, "unit": "requests"},
        {"benchmark": "edge", "error": "RuntimeError: boom"},
    ])
    assert table.splitlines() == [
        "benchmark      value  unit      vs bare  vs requests  vs pydoover  vs direct  note",
        "-------------  -----  --------  -------  -----------  -----------  ---------  --------------------------",
        "cold start: x    123  ms          2.50x                     0.50x             n",
        "y                  4  requests",
        "edge               -  -                                                       failed: RuntimeError: boom",
    ]


def test_benchmarks_page_describes_every_benchmark_and_has_only_shell_blocks():
    run = _run_module()
    page = open(os.path.join(ROOT, "docs", "benchmarks.md"), encoding="utf-8").read()
    for module, _ in run.BENCHMARKS.values():
        assert "`bench/{}.py`".format(module) in page, module
    fences = [line.strip() for line in page.splitlines() if line.strip().startswith("```")]
    assert set(fences) == {"```console", "```"}
    assert "python -m bench --quick" in page
