"""doover.api and doover.models carry the API error names of pydoover.api / pydoover.models."""

import json

import pytest
import responses

import doover.api
import doover.exceptions
import doover.models
from doover.api import DataClient
from doover.emulator import Emulator
from doover.exceptions import DecodeError

ERRORS = ["DooverAPIError", "HTTPError", "BadRequestError", "UnauthorizedError", "ForbiddenError",
          "NotFoundError", "TokenRefreshError"]


@pytest.mark.parametrize("module", [doover.api, doover.models])
def test_api_error_names_are_the_classes_of_doover_exceptions_and_in_all(module):
    for name in ERRORS:
        assert getattr(module, name) is getattr(doover.exceptions, name)
        assert name in module.__all__


def test_a_missing_message_raises_doover_api_not_found_error_with_status_404():
    with Emulator() as emu:
        with DataClient(emu.base_url, token=emu.token_for(1), agent_id=1) as client:
            client.create_message("pumps", {"on": True})
            with pytest.raises(doover.api.NotFoundError) as caught:
                client.fetch_message("pumps", 123456789)
    assert isinstance(caught.value, doover.models.HTTPError)
    assert isinstance(caught.value, doover.api.DooverAPIError)
    assert caught.value.status == 404


def test_a_bad_token_raises_doover_api_unauthorized_error():
    with Emulator() as emu:
        with DataClient(emu.base_url, token="not-a-token", agent_id=1) as client:
            with pytest.raises(doover.api.UnauthorizedError) as caught:
                client.create_message("pumps", {"on": True})
    assert caught.value.status == 401


def test_resource_permission_reads_and_writes_the_wire_item():
    perm = doover.models.ResourcePermission.from_dict(
        {"permission_id": "ag:12", "permission": "1099511627774", "extra": 1}
    )
    assert perm.permission_id == "ag:12"
    assert perm.permission == "1099511627774"
    assert perm.to_dict() == {"permission_id": "ag:12", "permission": "1099511627774"}
    assert perm == doover.models.ResourcePermission(permission_id="ag:12", permission="1099511627774")


def test_resource_permission_without_permission_raises_decode_error_naming_the_field():
    with pytest.raises(DecodeError) as caught:
        doover.models.ResourcePermission.from_dict({"permission_id": "ag:12"})
    assert "permission" in str(caught.value)


@responses.activate
def test_resource_permission_to_dict_is_the_permissions_item_put_schedule_sends():
    responses.add(responses.PUT, "https://api.test/agents/7/processors/schedules/99",
                  json={"id": "99", "token": "t", "token_id": "5"})
    perm = doover.models.ResourcePermission(permission_id="ag:7", permission="3")
    with DataClient("https://api.test", token="tok", agent_id=7, compress=False) as client:
        client.put_schedule(7, 99, "pump_ctl", [perm.to_dict()])
    body = json.loads(responses.calls[0].request.body)
    assert body == {"app_key": "pump_ctl", "permissions": [{"permission_id": "ag:7", "permission": "3"}]}
