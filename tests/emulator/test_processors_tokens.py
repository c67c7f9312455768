import base64
import time

import pytest

from doover.emulator import decode_unverified

INFO_KEYS = {
    "agent_id",
    "organisation_id",
    "app_key",
    "token",
    "deployment_config",
    "ui_state",
    "ui_cmds",
    "tag_values",
    "connection_data",
}


@pytest.fixture
def seeded(emu):
    emu.add_agent(111, organisation_id=7)
    emu.set_deployment_config(111, "my_app", {"threshold": 40}, display_name="My App", app_id="190979385044550663")
    emu.update_aggregate(111, "tag_values", {"my_app": {"counter": 1}, "other_app": {"x": 1}})
    emu.update_aggregate(111, "ui_cmds", {"my_app": {"some_interaction": 3}})
    emu.update_aggregate(111, "doover_connection", {"config": {"connection_type": "Periodic", "offline_after": 120}})
    return emu


def test_subscription_info_by_raw_arn_is_complete_and_its_token_works(seeded, make_api):
    arn = seeded.add_subscription(111, "sensors", "my_app")
    assert arn.startswith("arn:aws:sns:")
    initial = make_api(seeded.initial_token(arn))
    resp = initial.get("/processors/subscriptions/" + arn)
    assert resp.status_code == 200
    info = resp.json()
    assert set(info) == INFO_KEYS
    assert (info["agent_id"], info["organisation_id"], info["app_key"]) == ("111", "7", "my_app")
    assert info["deployment_config"] == {
        "APP_KEY": "my_app",
        "APP_ID": "190979385044550663",
        "APP_DISPLAY_NAME": "My App",
        "AGENT_ID": 111,
        "threshold": 40,
    }
    assert info["tag_values"] == {"my_app": {"counter": 1}, "other_app": {"x": 1}}
    assert info["ui_cmds"] == {"my_app": {"some_interaction": 3}}
    assert info["ui_state"] == {}
    assert info["connection_data"] == {"config": {"connection_type": "Periodic", "offline_after": 120}}
    claims = decode_unverified(info["token"])
    assert claims["exp"] > time.time() + 60 and claims["agents"] == ["111"] and claims["org"] == "7"
    full = make_api(info["token"])
    written = full.post("/agents/111/channels/x/messages", json={"data": {}}, headers={"X-Doover-Organisation": "7"})
    assert written.status_code == 201


def test_subscription_info_without_deployment_config_still_has_app_keys(emu, make_api):
    arn = emu.add_subscription(3, "c", "bare")
    info = make_api(emu.initial_token(arn)).get("/processors/subscriptions/" + arn).json()
    dc = info["deployment_config"]
    assert (dc["APP_KEY"], dc["APP_DISPLAY_NAME"]) == ("bare", "bare")
    assert dc["APP_ID"].isdigit()
    assert info["organisation_id"] == str(emu.default_organisation_id)
    again = make_api(emu.initial_token(arn)).get("/processors/subscriptions/" + arn + "/info").json()
    assert again["deployment_config"]["APP_ID"] == dc["APP_ID"]


def test_schedule_info(seeded, make_api):
    schedule_id = seeded.add_schedule(111, "my_app")
    info = make_api(seeded.initial_token(schedule_id=schedule_id)).get("/processors/schedules/" + schedule_id).json()
    assert set(info) == INFO_KEYS
    assert info["app_key"] == "my_app"


def test_initial_token_may_only_call_its_own_info_endpoint(seeded, make_api):
    arn = seeded.add_subscription(111, "sensors", "my_app")
    other = seeded.add_subscription(111, "other", "my_app")
    initial = make_api(seeded.initial_token(arn))
    resp = initial.get("/agents/111/channels/sensors/aggregate")
    assert resp.status_code == 403
    assert resp.json()["message"].startswith("an initial processor token may only call")
    assert initial.get("/processors/subscriptions/" + other).status_code == 403


def test_unknown_subscription_is_404_and_foreign_agent_token_is_403(seeded, make_api):
    assert make_api(seeded.admin_token()).get("/processors/subscriptions/arn:aws:sns:x:1:t:u").status_code == 404
    arn = seeded.add_subscription(111, "sensors", "my_app")
    assert make_api(seeded.token_for(2)).get("/processors/subscriptions/" + arn).status_code == 403
    assert make_api(seeded.token_for(111)).get("/processors/subscriptions/" + arn).status_code == 200


def test_put_schedule_returns_token_response_usable_for_info(emu, api, make_api):
    resp = api.put(
        "/agents/1/processors/schedules/sched-1",
        json={"app_key": "app", "permissions": [{"permission_id": "ag:1", "permission": "1099511627774"}], "is_org": False},
    )
    numeric = api.put("/agents/1/processors/schedules/251043179032218976", json={"app_key": "app", "permissions": []})
    assert numeric.json()["id"] == "251043179032218976"
    assert resp.status_code == 200
    body = resp.json()
    assert set(body) == {"id", "token", "token_id"} and body["id"].isdigit() and body["token_id"].isdigit()
    assert decode_unverified(body["token"])["kind"] == "initial"
    info = make_api(body["token"]).get("/processors/schedules/sched-1")
    assert (info.status_code, info.json()["app_key"]) == (200, "app")
    org = emu.default_organisation_id
    assert emu.schedules(1) == [
        {"schedule_id": "251043179032218976", "agent_id": 1, "app_key": "app", "organisation_id": org},
        {"schedule_id": "sched-1", "agent_id": 1, "app_key": "app", "organisation_id": org},
    ]


def test_put_schedule_bad_permission_is_400(api):
    resp = api.put("/agents/1/processors/schedules/s", json={"app_key": "a", "permissions": [{"permission_id": "ag:1", "permission": "all"}]})
    assert resp.json() == {"message": "permissions[0].permission: expected a decimal bitmask string, got 'all'"}


def test_put_subscription_registers_arn_for_info(emu, api, make_api):
    body = {"subscription_arn": "arn:x:1", "app_key": "app", "permissions": [], "is_org": True, "subscribed_to_agent": 8}
    resp = api.put("/agents/1/processors/subscriptions/55", json=body)
    assert (resp.status_code, resp.content) == (204, b"")
    assert emu.subscriptions(1) == [
        {"subscription_arn": "arn:x:1", "agent_id": 1, "channel": None, "app_key": "app", "organisation_id": emu.default_organisation_id}
    ]
    assert make_api(emu.initial_token("arn:x:1")).get("/processors/subscriptions/arn:x:1").status_code == 200


def test_ingestion_put_and_delete(api, make_api, emu):
    body = {
        "lambda_arn": "arn:lambda",
        "cidr_ranges": ["1.2.3.4/32"],
        "throttle_limit": 10,
        "app_key": "app",
        "permissions": [],
        "never_replace_token": True,
        "mini_token": False,
        "signing_key": "k",
    }
    first = api.put("/agents/1/processors/ingestions/ing-1", json=body).json()
    second = api.put("/agents/1/processors/ingestions/ing-1", json=body).json()
    assert first == second  # never_replace_token keeps the token
    assert decode_unverified(first["token"])["tgt"] == {"type": "ingestion", "id": "ing-1"}
    body["throttle_limit"] = 31
    assert api.put("/agents/1/processors/ingestions/ing-1", json=body).json() == {
        "message": "throttle_limit: expected an integer <= 30, got 31"
    }
    assert api.delete("/agents/1/processors/ingestions/ing-1").status_code == 204
    assert api.delete("/agents/1/processors/ingestions/ing-1").status_code == 404


def test_emulator_subscription_info_builds_upgrade_payload(seeded):
    info = seeded.subscription_info(111, "my_app")
    assert set(info) == INFO_KEYS and info["organisation_id"] == "7"


# ------------------------------------------------------------------ tokens


def _basic(client_id, secret):
    return "Basic " + base64.b64encode("{}:{}".format(client_id, secret).encode()).decode()


def test_oauth2_client_credentials_returns_jwt_with_exp_and_expires_in(emu, api, make_api):
    emu.add_client_credentials("svc", "s3cret", agent_ids=[1, 2], organisation_id=7)
    resp = api.post(
        "/oauth2/token",
        token="",
        data="grant_type=client_credentials&scope=",
        headers={"Authorization": _basic("svc", "s3cret"), "Content-Type": "application/x-www-form-urlencoded"},
    )
    assert resp.status_code == 200
    body = resp.json()
    assert (body["token_type"], body["expires_in"]) == ("Bearer", 3600)
    claims = decode_unverified(body["access_token"])
    assert abs(claims["exp"] - (time.time() + 3600)) < 60
    assert (claims["agents"], claims["org"]) == (["1", "2"], "7")
    client = make_api(body["access_token"])
    assert client.get("/agents/2/channels").status_code == 200
    assert client.get("/agents/3/channels").status_code == 403


def test_oauth2_wrong_secret_is_401_invalid_client(emu, api):
    emu.add_client_credentials("svc", "s3cret")
    resp = api.post("/oauth2/token", token="", data={"grant_type": "client_credentials"}, headers={"Authorization": _basic("svc", "no")})
    assert resp.status_code == 401
    assert resp.json() == {"message": "unknown client_id or wrong client_secret", "error": "invalid_client"}


def test_oauth2_wrong_grant_is_400(emu, api):
    emu.add_client_credentials("svc", "s3cret")
    resp = api.post("/oauth2/token", token="", data={"grant_type": "password"}, headers={"Authorization": _basic("svc", "s3cret")})
    assert (resp.status_code, resp.json()["error"]) == (400, "unsupported_grant_type")


def test_oauth2_credentials_in_form_body_work_too(emu, api):
    emu.add_client_credentials("svc", "s3cret")
    resp = api.post("/oauth2/token", token="", data={"grant_type": "client_credentials", "client_id": "svc", "client_secret": "s3cret"})
    assert decode_unverified(resp.json()["access_token"])["agents"] == "*"


def test_turn_token(api):
    resp = api.post("/turn/token", json={"role": "device", "camera_name": "cam", "device_id": "1"})
    body = resp.json()
    assert set(body) == {"username", "credential", "ttl", "expires_at", "uris"}
    assert body["ttl"] == 3600 and abs(body["expires_at"] - (time.time() + 3600)) < 60
    assert body["username"] == "{}:cam".format(body["expires_at"])
    assert body["uris"] == ["turn:127.0.0.1:3478?transport=udp"]
    assert api.post("/turn/token", json={"role": "admin", "camera_name": "c"}).json() == {
        "message": "role: expected 'client' or 'device', got 'admin'"
    }


def test_device_token_rotation_and_confirm_revokes_older_tokens(emu, make_api):
    old = make_api(emu.token_for(1))
    rotated = old.post("/agents/1/token/rotate")
    assert rotated.status_code == 200
    body = rotated.json()
    assert abs(body["issued_at_ms"] - time.time() * 1000) < 60000
    assert old.get("/agents/1/channels").status_code == 200  # still valid before confirm
    new = make_api(body["token"])
    confirmed = new.post("/agents/1/token/confirm")
    assert confirmed.status_code == 200
    assert confirmed.json()["tokens_valid_from"] == body["issued_at_ms"]
    assert new.post("/agents/1/token/confirm").json() == confirmed.json()  # idempotent
    revoked = old.get("/agents/1/channels")
    assert (revoked.status_code, revoked.json()) == (401, {"message": "bearer token revoked: agent 1 confirmed a newer token"})
    assert new.get("/agents/1/channels").status_code == 200
    assert make_api(emu.admin_token()).get("/agents/1/channels").status_code == 200


def test_rotation_needs_the_policy(emu, make_api):
    emu.set_token_self_rotation(1, False)
    resp = make_api(emu.token_for(1)).post("/agents/1/token/rotate")
    assert (resp.status_code, resp.json()) == (403, {"message": "agent 1 does not have the token_self_rotation policy"})


def test_confirm_with_someone_elses_token_is_403(emu, make_api):
    assert make_api(emu.admin_token()).post("/agents/1/token/confirm").status_code == 403


def test_processor_token_scope_can_be_widened(emu, make_api):
    narrow = make_api(emu.processor_token(5))
    wide = make_api(emu.processor_token(5, agents=[6]))
    org_wide = make_api(emu.processor_token(5, agents="*"))
    assert [c.get("/agents/6/channels").status_code for c in (narrow, wide, org_wide)] == [403, 200, 200]
    assert org_wide.get("/agents/99/channels").status_code == 200
    assert decode_unverified(wide.token)["agents"] == ["5", "6"]


def test_token_for_accepts_int_str_and_lists(emu):
    assert decode_unverified(emu.token_for("12"))["agents"] == ["12"]
    assert decode_unverified(emu.token_for([3, 1]))["agents"] == ["1", "3"]
    assert decode_unverified(emu.token_for([3, 1]))["sub"] == "3"


@pytest.mark.parametrize("config, reachable, refused", [
    ({"dv_proc_extended_permissions": {"devices": ["222"], "all_devices": False}}, [111, 222], [333]),
    ({"DEVICE_LIST": [333, "222"]}, [111, 222, 333], [444]),
    ({"dv_proc_extended_permissions": {"devices": [], "all_devices": True}}, [111, 222, 333, 444], []),
    ({"dv_proc_extended_permissions": {"devices": ["x", True, None], "all_devices": "yes"}}, [111], [222]),
])
def test_upgraded_token_reaches_the_agents_the_extended_permissions_grant(emu, make_api, config, reachable, refused):
    for agent in (111, 222, 333, 444):
        emu.add_agent(agent, organisation_id=7)
    emu.set_deployment_config(111, "report", config)
    arn = emu.add_subscription(111, "c", "report")
    token = make_api(emu.initial_token(arn)).get("/processors/subscriptions/" + arn).json()["token"]
    full = make_api(token)
    got = {agent: full.get("/agents/{}/channels/c/aggregate".format(agent)).status_code
           for agent in reachable + refused}
    assert got == dict([(a, 200) for a in reachable] + [(a, 403) for a in refused])
