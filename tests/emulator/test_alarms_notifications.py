import pytest

AL = "/agents/1/channels/c/alarms"
N = "/agents/1/notifications"


def _alarm(**over):
    body = {"name": "high temp", "key": "temperature", "operator": "gt", "value": 30, "description": "", "enabled": True}
    body.update(over)
    return body


def test_create_alarm_returns_full_alarm_with_nodata_state(api):
    resp = api.post(AL, json=_alarm(expiry_mins=10))
    assert resp.status_code == 201
    alarm = resp.json()
    assert alarm["id"].isdigit()
    assert {k: alarm[k] for k in ("name", "description", "enabled", "key", "operator", "value", "state", "expiry_mins")} == {
        "name": "high temp",
        "description": "",
        "enabled": True,
        "key": "temperature",
        "operator": "gt",
        "value": 30,
        "state": "NoData",
        "expiry_mins": 10,
    }
    assert isinstance(alarm["entered_state_ts"], int)
    assert api.get(AL).json() == [alarm]
    assert api.get(AL + "/" + alarm["id"]).json() == alarm


def test_alarm_state_follows_aggregate_updates(api):
    alarm_id = api.post(AL, json=_alarm()).json()["id"]
    api.patch("/agents/1/channels/c/aggregate", json={"temperature": 35})
    first = api.get(AL + "/" + alarm_id).json()
    assert first["state"] == "Alarm"
    api.patch("/agents/1/channels/c/aggregate", json={"temperature": 20})
    second = api.get(AL + "/" + alarm_id).json()
    assert second["state"] == "OK"
    assert second["entered_state_ts"] >= first["entered_state_ts"]
    api.patch("/agents/1/channels/c/aggregate", json={"temperature": None})
    assert api.get(AL + "/" + alarm_id).json()["state"] == "NoData"


def test_alarm_on_existing_aggregate_is_evaluated_at_create_and_on_dotted_key(api):
    api.patch("/agents/1/channels/c/aggregate", json={"tank": {"level": 3}})
    alarm = api.post(AL, json=_alarm(key="tank.level", operator="le", value=5)).json()
    assert alarm["state"] == "Alarm"


def test_patch_alarm_changes_only_given_fields_and_null_clears_expiry(api):
    alarm = api.post(AL, json=_alarm(expiry_mins=10)).json()
    resp = api.patch(AL + "/" + alarm["id"], json={"description": "d", "expiry_mins": None})
    assert resp.status_code == 200
    body = resp.json()
    assert (body["description"], body["expiry_mins"], body["name"], body["value"]) == ("d", None, "high temp", 30)


def test_put_alarm_replaces_and_resets_optional_fields(api):
    alarm = api.post(AL, json=_alarm(description="x", expiry_mins=5)).json()
    body = api.put(AL + "/" + alarm["id"], json={"name": "n", "key": "k", "operator": "eq", "value": "on"}).json()
    assert (body["name"], body["key"], body["operator"], body["value"], body["description"], body["expiry_mins"]) == (
        "n", "k", "eq", "on", "", None)


def test_delete_alarm_then_404(api):
    alarm = api.post(AL, json=_alarm()).json()
    assert api.delete(AL + "/" + alarm["id"]).status_code == 204
    assert api.get(AL).json() == []
    assert api.get(AL + "/" + alarm["id"]).status_code == 404
    assert api.delete(AL + "/" + alarm["id"]).status_code == 404


@pytest.mark.parametrize(
    "body,message",
    [
        ({"key": "k", "operator": "gt", "value": 1}, "name: required"),
        (_alarm(operator=">"), "operator: expected one of eq, ge, gt, le, lt, got '>'"),
        (_alarm(value=None), "value: expected a JSON value to compare against, got null"),
        (_alarm(enabled="yes"), "enabled: expected true or false, got 'yes'"),
        (_alarm(expiry_mins="ten"), "expiry_mins: expected a number, got 'ten'"),
    ],
)
def test_bad_alarm_is_400_naming_field(api, body, message):
    resp = api.post(AL, json=body)
    assert (resp.status_code, resp.json()) == (400, {"message": message})


# ------------------------------------------------------------------ notifications


def test_notification_message_is_recorded_with_severity_name(api, emu):
    body = {"data": {"message": "Pump stopped", "title": "Site 4", "severity": 6, "topic": "pumps"}}
    resp = api.post("/agents/1/channels/notifications/messages", json=body)
    assert resp.status_code == 201
    (record,) = emu.notifications(1)
    assert record == {
        "message_id": resp.json()["id"],
        "agent_id": "1",
        "valid": True,
        "message": "Pump stopped",
        "title": "Site 4",
        "severity": "Warn",
        "topic": "pumps",
        "delivered_to": [],
    }


@pytest.mark.parametrize("given,name", [(3, "Trace"), ("critical", "Critical"), ("Info", "Info"), ("warning", "Warn"), (None, "Info")])
def test_notification_severity_accepted_as_int_or_name(api, emu, given, name):
    data = {"message": "m"}
    if given is not None:
        data["severity"] = given
    api.post("/agents/1/channels/notifications/messages", json={"data": data})
    assert emu.notifications(1)[0]["severity"] == name


def test_notification_title_defaults_to_agent_display_name(api, emu):
    emu.add_agent(1, display_name="Pump House")
    api.post("/agents/1/channels/notifications/messages", json={"data": {"message": "m"}})
    assert emu.notifications(1)[0]["title"] == "Pump House"


def test_undecodable_notification_is_stored_with_raw_json_message(api, emu):
    api.post("/agents/1/channels/notifications/messages", json={"data": {"text": "no message key"}})
    record = emu.notifications(1)[0]
    assert (record["valid"], record["message"], record["severity"]) == (False, '{"text": "no message key"}', "Info")


def test_endpoint_crud(api):
    created = api.post(
        N + "/endpoints",
        json={"name": "e", "type": "Email", "extra_data": {"email": "a@b"}, "default": True, "priority": 1},
    )
    assert created.status_code == 201
    eid = created.json()["id"]
    listing = api.get(N + "/endpoints").json()
    assert listing == {
        "endpoints": [
            {"id": eid, "agent_id": "1", "type": "Email", "name": "e", "default": True, "extra_data": {"email": "a@b"}, "priority": 1}
        ]
    }
    assert api.patch(N + "/endpoints/" + eid, json={"name": "renamed", "priority": None}).status_code == 204
    updated = api.get(N + "/endpoints", params={"name": "renamed"}).json()["endpoints"][0]
    assert (updated["name"], updated["priority"], updated["extra_data"]) == ("renamed", None, {"email": "a@b"})
    assert api.get(N + "/endpoints", params={"name": "e"}).json() == {"endpoints": []}
    assert api.post(N + "/endpoints/" + eid + "/test").json() == {"success": True}
    assert api.delete(N + "/endpoints/" + eid).status_code == 204
    assert api.post(N + "/endpoints/" + eid + "/test").status_code == 404


def test_endpoint_type_must_be_a_name(api):
    resp = api.post(N + "/endpoints", json={"name": "e", "type": 1, "extra_data": {}, "default": False})
    assert resp.status_code == 400
    assert resp.json()["message"].startswith("type: expected one of Email, Sms")


def test_subscription_crud_default_and_fan_out(make_api, emu):
    me = make_api(emu.token_for([1, 5]))
    sms = me.post(N + "/endpoints", json={"name": "phone", "type": "Sms", "extra_data": {"number": "+61"}, "default": True}).json()["id"]
    explicit = me.post(N + "/subscriptions", json={"subscribe_to": "5", "severity": 6, "topic_filter": ["pumps"], "endpoint_id": sms})
    assert explicit.status_code == 201
    (first,) = explicit.json()["subscriptions"]
    assert first["endpoint_id"] == sms
    default = me.post(N + "/subscriptions", json={"subscribe_to": "5", "severity": 5, "topic_filter": ["*"]}).json()
    assert [s["endpoint_id"] for s in default["subscriptions"]] == [sms]
    subs = me.get(N + "/subscriptions", params={"subscribed_to": "5"}).json()["subscriptions"]
    assert [(s["severity"], s["topic_filter"]) for s in subs] == [("Warn", ["pumps"]), ("Info", ["*"])]
    assert subs[0]["endpoints"] == [{"id": sms, "name": "phone", "default": True}]
    assert subs[0]["subscriber"] == "1" and subs[0]["subscribed_to"] == "5"
    defaults = me.get(N + "/subscriptions/default").json()["subscriptions"]
    assert [s["id"] for s in defaults] == [default["subscriptions"][0]["id"]]
    subscribers = me.get("/agents/5/notifications/subscribers").json()["subscribers"]
    assert len(subscribers) == 2
    overview = me.get(N).json()
    assert (len(overview["subscriptions"]), overview["subscribers"], len(overview["endpoints"])) == (2, [], 1)

    me.post("/agents/5/channels/notifications/messages", json={"data": {"message": "hi", "severity": 5, "topic": "pumps"}})
    assert [d["subscription_id"] for d in emu.notifications(5)[0]["delivered_to"]] == [default["subscriptions"][0]["id"]]
    me.post("/agents/5/channels/notifications/messages", json={"data": {"message": "hot", "severity": 7, "topic": "pumps"}})
    assert len(emu.notifications(5)[1]["delivered_to"]) == 2

    assert me.patch(N + "/subscriptions/" + first["id"], json={"severity": 3, "topic_filter": ["x"]}).status_code == 204
    changed = me.get(N + "/subscriptions").json()["subscriptions"][0]
    assert (changed["severity"], changed["topic_filter"]) == ("Trace", ["x"])
    assert me.delete(N + "/subscriptions/default/5").status_code == 204
    assert me.delete(N + "/subscriptions/default/5").status_code == 404
    assert me.delete(N + "/subscriptions/" + first["id"]).status_code == 204
    assert me.get(N + "/subscriptions").json() == {"subscriptions": []}


def test_subscription_to_unknown_endpoint_is_404(api):
    resp = api.post(N + "/subscriptions", json={"subscribe_to": "5", "severity": 5, "topic_filter": [], "endpoint_id": "44"})
    assert resp.status_code == 404


def test_web_push_update_uses_the_tokens_own_agent(api, admin):
    body = {"old_endpoint": "o", "endpoint": "n", "key_p256dh": "p", "key_auth": "a", "expires_at": 123}
    assert api.post("/agents/me/notifications/update_web_push", json=body).status_code == 204
    resp = admin.post("/agents/me/notifications/update_web_push", json=body)
    assert resp.status_code == 400
    resp = api.post("/agents/me/notifications/update_web_push", json={"endpoint": "n"})
    assert resp.json() == {"message": "key_p256dh: required"}
