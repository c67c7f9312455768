"""Property tests: snowflake conversions and model round trips (structure(unstructure(x)) == x)."""

import datetime as dt
import json

from hypothesis import given, settings
from hypothesis import strategies as st

from doover.models import (
    DOOVER_EPOCH_MS,
    Aggregate,
    Alarm,
    AlarmOperator,
    AlarmState,
    Attachment,
    BatchMutationItem,
    Channel,
    ChannelID,
    ConnectionConfig,
    ConnectionDisplay,
    ConnectionStatus,
    ConnectionType,
    DataPoint,
    DooverConnectionStatus,
    Message,
    MessageLogEntry,
    NotificationEndpoint,
    NotificationSeverity,
    NotificationSubscription,
    NotificationType,
    SubscriptionInfo,
    TimeseriesResponse,
    datetime_to_snowflake,
    generate_snowflake,
    ms_to_snowflake,
    snowflake_to_datetime,
    snowflake_to_ms,
    structure,
    unstructure,
)

UTC = dt.timezone.utc
MAX_MS = DOOVER_EPOCH_MS + (1 << 41)

ids = st.integers(min_value=0, max_value=(1 << 63) - 1)
ms = st.integers(min_value=DOOVER_EPOCH_MS, max_value=MAX_MS)
names = st.text(alphabet="abcdefghijklmnopqrstuvwxyz0123456789_-", min_size=1, max_size=20)
json_scalars = st.none() | st.booleans() | st.integers(-(2**53), 2**53) | st.floats(allow_nan=False, allow_infinity=False) | st.text(max_size=10)
json_values = st.recursive(
    json_scalars,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4),
    max_leaves=12,
)
json_objects = st.dictionaries(st.text(max_size=8), json_values, max_size=4)
datetimes_ms = ms.map(lambda v: dt.datetime.fromtimestamp(v // 1000, tz=UTC).replace(microsecond=(v % 1000) * 1000))

channel_ids = st.builds(ChannelID, ids, names)
attachments = st.builds(Attachment, filename=names, size=st.integers(0, 10**9), url=names.map(lambda n: "https://x/" + n),
                        content_type=st.none() | st.just("image/png"))
messages = st.builds(Message, id=ids, author_id=ids, channel=channel_ids, data=json_values, attachments=st.lists(attachments, max_size=2))
aggregates = st.builds(Aggregate, data=json_objects, attachments=st.lists(attachments, max_size=2), last_updated=st.none() | datetimes_ms)
channels = st.builds(Channel, name=names, owner_id=ids, is_private=st.booleans(), aggregate=st.none() | aggregates,
                     aggregate_schema=st.none() | json_objects, alarms_enabled=st.none() | st.booleans(), id=st.none() | ids)
alarms = st.builds(Alarm, id=ids, name=names, key=names, operator=st.sampled_from(AlarmOperator), value=json_scalars,
                   state=st.sampled_from(AlarmState), expiry_mins=st.none() | st.floats(0, 1e6), entered_state_ts=st.none() | ms)
batch_items = st.builds(BatchMutationItem, ids, names, st.none() | json_objects, st.none() | ids, st.none() | ms,
                        st.none() | st.integers(0, 10**6), st.none() | st.lists(names, max_size=3), st.none() | st.booleans())
configs = st.builds(ConnectionConfig, st.none() | st.sampled_from(ConnectionType), st.none() | st.integers(0, 10**6),
                    st.none() | st.integers(0, 10**6), st.none() | st.floats(0, 1e6), st.none() | st.integers(0, 10**6),
                    st.none() | st.sampled_from(ConnectionDisplay))
statuses = st.builds(DooverConnectionStatus, st.sampled_from(ConnectionStatus), st.none() | datetimes_ms, st.none() | datetimes_ms,
                     st.none() | names, st.none() | st.just("1.2.3.4"), st.none() | st.integers(0, 10**5))
endpoints = st.builds(NotificationEndpoint, id=ids, agent_id=ids, type=st.sampled_from(NotificationType), name=names,
                      default=st.booleans(), extra_data=json_objects, priority=st.none() | st.integers(0, 9))
subscriptions = st.builds(NotificationSubscription, id=ids, subscriber=ids, subscribed_to=ids,
                          severity=st.sampled_from(NotificationSeverity), topic_filter=st.lists(names, max_size=3))
infos = st.builds(SubscriptionInfo, agent_id=ids, organisation_id=ids, app_key=names, token=names, deployment_config=json_objects,
                  ui_state=st.none() | json_objects, tag_values=st.none() | json_objects, connection_data=st.none() | json_objects)
timeseries = st.builds(TimeseriesResponse, count=st.integers(0, 100),
                       results=st.lists(st.builds(DataPoint, value=json_values, message_id=ids), max_size=3), next=st.none() | ids)
logs = st.builds(MessageLogEntry, ms, names, st.dictionaries(names.filter(lambda n: n not in ("timestamp", "type")), json_values, max_size=3))

MODELS = st.one_of(messages, aggregates, channels, alarms, batch_items, configs, statuses, endpoints, subscriptions, infos, timeseries, logs)


@settings(max_examples=150, deadline=None)
@given(MODELS)
def test_model_round_trip_through_json(model):
    wire = json.loads(json.dumps(unstructure(model)))
    assert structure(wire, type(model)) == model


@given(ms)
def test_ms_snowflake_round_trip(value):
    assert snowflake_to_ms(ms_to_snowflake(value)) == value


@given(datetimes_ms)
def test_datetime_snowflake_round_trip(when):
    assert snowflake_to_datetime(datetime_to_snowflake(when)) == when


@given(ms, st.integers(0, 11))
def test_generated_snowflake_encodes_time_and_string_form_parses(value, type_id):
    sid = generate_snowflake(ts_ms=value, type_id=type_id)
    assert snowflake_to_ms(sid) == value and snowflake_to_ms(str(sid)) == value
    assert structure(str(sid), Message.__attrs_attrs__.id.type) == sid


@given(st.lists(st.just(None), min_size=2, max_size=50))
def test_generated_snowflakes_are_strictly_increasing(calls):
    minted = [generate_snowflake() for _ in calls]
    assert minted == sorted(set(minted))
