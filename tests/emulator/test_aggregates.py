import itertools
import time

import pytest
import requests
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from doover.emulator import Emulator

A = "/agents/1/channels/c/aggregate"


def test_get_of_never_written_aggregate_is_the_empty_aggregate(api):
    resp = api.get(A)
    assert resp.status_code == 200
    assert resp.json() == {"data": {}, "attachments": [], "last_updated": None}


def test_patch_merges_bare_body_and_returns_full_aggregate(api):
    before = int(time.time() * 1000)
    api.patch(A, json={"my_app": {"pump_on": True, "level": 1}})
    resp = api.patch(A, json={"my_app": {"level": 42.1}, "other": [1, 2]})
    assert resp.status_code == 200
    body = resp.json()
    assert body["data"] == {"my_app": {"pump_on": True, "level": 42.1}, "other": [1, 2]}
    assert body["attachments"] == []
    assert before - 5 <= body["last_updated"] <= int(time.time() * 1000) + 5
    assert api.get(A).json() == body


def test_patch_null_deletes_nested_key_and_missing_key_is_noop(api):
    api.patch(A, json={"x": {"y": 1, "z": 2}, "k": 1})
    body = api.patch(A, json={"x": {"y": None}, "gone": None}).json()
    assert body["data"] == {"x": {"z": 2}, "k": 1}


def test_patch_replaces_arrays_whole_and_objects_over_scalars(api):
    api.patch(A, json={"list": [1, 2, 3], "s": 5})
    body = api.patch(A, json={"list": [9], "s": {"a": 1, "b": None}}).json()
    assert body["data"] == {"list": [9], "s": {"a": 1}}


def test_put_replaces_the_data_entirely(api):
    api.patch(A, json={"a": 1, "b": {"c": 2}})
    resp = api.put(A, json={"z": 26})
    assert resp.json()["data"] == {"z": 26}
    assert api.get(A).json()["data"] == {"z": 26}


def test_replace_path_swaps_subtree_instead_of_merging(api):
    api.patch(A, json={"state": {"children": {"app": {"old": 1, "keep?": 2}, "other": {"y": 2}}}, "top": 1})
    resp = api.patch(
        A,
        params={"replace": "state.children.app"},
        json={"state": {"children": {"app": {"new": 3}}}, "top": 2},
    )
    assert resp.json()["data"] == {"state": {"children": {"app": {"new": 3}, "other": {"y": 2}}}, "top": 2}


def test_replace_path_absent_from_body_removes_that_subtree(api):
    api.patch(A, json={"a": {"b": {"c": 1}, "d": 2}})
    body = api.patch(A, params={"replace": "a.b"}, json={"e": 3}).json()
    assert body["data"] == {"a": {"d": 2}, "e": 3}


def test_several_replace_paths_apply_together(api):
    api.patch(A, json={"a": {"x": 1}, "b": {"y": 2}, "c": 3})
    body = api.patch(A, params=[("replace", "a"), ("replace", "b")], json={"a": {"z": 9}}).json()
    assert body["data"] == {"a": {"z": 9}, "c": 3}


@pytest.mark.parametrize("path", ["a..b", "", ".a"])
def test_malformed_replace_path_is_400_naming_replace(api, path):
    resp = api.patch(A, params={"replace": path}, json={"a": 1})
    assert resp.status_code == 400
    assert resp.json()["message"].startswith("replace: ")


def test_suppress_response_answers_204_with_content_length_0(api):
    resp = api.patch(A, params={"suppress_response": "true"}, json={"a": 1})
    assert (resp.status_code, resp.headers["Content-Length"], resp.content) == (204, "0", b"")
    assert api.get(A).json()["data"] == {"a": 1}


def test_log_update_also_records_the_patch_as_a_message(api, emu):
    api.patch(A, json={"a": 1})
    api.patch(A, params={"log_update": "true"}, json={"b": {"c": None, "d": 2}})
    assert [m["data"] for m in emu.messages(1, "c")] == [{"b": {"c": None, "d": 2}}]


@pytest.mark.parametrize("body", [[1, 2], "text", 5])
def test_non_object_body_is_400(api, body):
    resp = api.patch(A, json=body)
    assert resp.status_code == 400
    assert resp.json()["message"].startswith("body: expected a JSON object")


def test_empty_body_is_400(api):
    resp = api.patch(A, data=b"")
    assert resp.status_code == 400
    assert resp.json() == {"message": "body: expected a JSON body"}


def test_aggregate_write_creates_channel(api, emu):
    api.patch("/agents/1/channels/fresh/aggregate", json={"a": 1})
    assert emu.channels(1) == ["fresh"]
    assert emu.aggregate(1, "fresh")["data"] == {"a": 1}


# ------------------------------------------------------------------ RFC 7396 properties


def rfc7396(target, patch):
    """The pseudo-code of RFC 7396 section 2, transcribed."""
    if isinstance(patch, dict):
        if not isinstance(target, dict):
            target = {}
        else:
            target = dict(target)
        for name, value in patch.items():
            if value is None:
                target.pop(name, None)
            else:
                target[name] = rfc7396(target.get(name), value)
        return target
    return patch


keys = st.sampled_from(["a", "b", "c", "d"])
scalars = st.one_of(st.integers(-5, 5), st.booleans(), st.text(alphabet="xyz", max_size=2))
values = st.recursive(
    st.one_of(scalars, st.none()),
    lambda inner: st.one_of(st.lists(inner, max_size=2), st.dictionaries(keys, inner, max_size=3)),
    max_leaves=8,
)
documents = st.dictionaries(keys, values.filter(lambda v: v is not None), max_size=4).map(
    lambda d: rfc7396({}, d)
)
patches = st.dictionaries(keys, values, max_size=4)


@pytest.fixture(scope="module")
def shared():
    with Emulator() as emulator:
        session = requests.Session()
        session.headers["Authorization"] = "Bearer " + emulator.admin_token()
        yield emulator, session, itertools.count()
        session.close()


PROPERTY = settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


@PROPERTY
@given(target=documents, patch=patches)
def test_patch_through_http_follows_rfc7396(shared, target, patch):
    emu, session, counter = shared
    url = "{}/agents/9/channels/p{}/aggregate".format(emu.base_url, next(counter))
    assert session.put(url, json=target).json()["data"] == target
    resp = session.patch(url, json=patch)
    assert resp.status_code == 200
    assert resp.json()["data"] == rfc7396(target, patch)
    assert session.get(url).json()["data"] == rfc7396(target, patch)


@PROPERTY
@given(target=documents, first=patches, second=patches)
def test_two_patches_compose_like_sequential_rfc7396(shared, target, first, second):
    emu, session, counter = shared
    url = "{}/agents/9/channels/q{}/aggregate".format(emu.base_url, next(counter))
    session.put(url, json=target)
    session.patch(url, json=first)
    data = session.patch(url, json=second).json()["data"]
    assert data == rfc7396(rfc7396(target, first), second)


@PROPERTY
@given(target=documents, patch=patches)
def test_message_patch_follows_rfc7396_on_data(shared, target, patch):
    emu, session, counter = shared
    url = "{}/agents/9/channels/m{}/messages".format(emu.base_url, next(counter))
    mid = session.post(url, json={"data": target}).json()["id"]
    data = session.patch(url + "/" + mid, json={"data": patch}).json()["data"]
    assert data == rfc7396(target, patch)
