"""The JSON of every UI element, compared with exact documents.

The expected documents follow edge.md §6.2-§6.4 and were checked, key order included,
against the reference SDK (pydoover 1.18.3) building the same elements in a fresh
process (where its process-wide position counter also starts at 51). The one deliberate
change in this file: the second ConnectionInfo gets ``name="connection_default"`` so that
both fit in one UI.
"""

import datetime

import pytest

from doover import ui
from doover.tags import Boolean, Number, String, Tag, Tags


class T(Tags):
    level = Number(default=0)
    working = Boolean(default=False)
    mode = String(default="idle")
    volts = Tag("number")
    flow = Number(default=1.5, live=True)


utc = datetime.timezone.utc


class CatalogueUI(ui.UI):
    variable = ui.Variable("Var", "float")
    variable_full = ui.Variable(
        "V", "float", value=ui.tag_ref("x", "integer", 3), precision=1, graphable=False,
        default_range_since=datetime.timedelta(hours=1), earliest_data_time=datetime.datetime(2026, 1, 1, tzinfo=utc),
        default_zoom="1d", ranges=[ui.Range("r", 0, 5)], thresholds=[ui.Threshold("t", 1)], default_range_view="line",
        help_str="h", verbose_str="v", is_available=True, graphic="g", layout="l", conditions={"a": 1}, units="V",
        icon="i", colour="red",
    )
    numeric = ui.NumericVariable(
        "Level", value=T.level, precision=2,
        ranges=[ui.Range("Low", 0, 10, ui.Colour.red), ui.Range(None, 10, 20, "#00ff00", False)], form=ui.Widget.radial,
    )
    numeric_empty = ui.NumericVariable("N")
    numeric_live = ui.NumericVariable("Flow", value=T.flow)
    numeric_nodefault = ui.NumericVariable("Volts", value=T.volts)
    text = ui.TextVariable("Mode", value=T.mode)
    boolean = ui.BooleanVariable("We Working?", value=T.working)
    datetime_var = ui.DateTimeVariable("Dt", value=5)
    timestamp = ui.Timestamp("Ts", value=datetime.datetime(2026, 1, 1, tzinfo=utc), absolute_format="HH:mm")
    button = ui.Button(
        "Reset", colour="red", requires_confirm=ui.ConfirmDialog(title="Sure?", audit=ui.AuditConfig(required=True)),
        command_timeout=10,
    )
    button_full = ui.Button(
        "B", default=True, global_interaction=True, direct=True, show_activity=False, command_retry_timeout=5,
        disabled=True, label_string="Go", requires_confirm=True,
    )
    select = ui.Select("Tank Type", options=[ui.Option("Flat Bottom"), ui.Option("Cone (45\u00b0)")], default="Flat Bottom")
    slider = ui.Slider("Sl", default=(30, 95), colours="red,green")
    switch = ui.Switch("Sw", default=False)
    warning = ui.WarningIndicator("Warn", can_cancel=False)
    float_input = ui.FloatInput("Low Voltage Alert", default=10, min_val=0, max_val=20)
    text_input = ui.TextInput("Note", is_text_area=True)
    datetime_input = ui.DatetimeInput(
        "Di", pickers=["date"], direction="past", max_past=60, max_future=datetime.timedelta(days=1)
    )
    time_input = ui.TimeInput("Tm", default=3600)
    submodule = ui.Submodule(
        "Battery Module", children=[ui.FloatInput("X", default=1), ui.BooleanVariable("Ok", value=True, position=0)],
        status="ok", is_collapsed=True,
    )
    submodule_open = ui.Submodule("S2", default_open=ui.tag_ref("open", "bool"))
    tabs = ui.TabContainer("Tabs", default_page=1, children=[ui.Container("C", position=0)])
    container = ui.Container("Cont", children=[ui.TextVariable("Inner", value="x")])
    application = ui.Application("App", variant=ui.ApplicationVariant.stacked, full_width=True)
    remote = ui.RemoteComponent("Rc", "https://x", foo=1, bar={"b": [1, 2]})
    multiplot = ui.Multiplot(
        "Mp",
        series=[
            ui.Series("S 1", value=ui.tag_ref("x"), active=True, colour="red", icon="i", shared_axis=True, units="u",
                      step_labels=["a"], range=(0, "auto"), ranges=[ui.Range("r", 0, 1)], thresholds=[ui.Threshold("t", 1)]),
            ui.Series("Flow", value=T.flow, data_type="number"),
        ],
        default_zoom="z", default_range_view="zone", earliest_data_time=7,
    )
    connection = ui.ConnectionInfo(
        connection_type=ui.ConnectionType.periodic, connection_period=60, next_connection=30, offline_after=120,
        allowed_misses=2,
    )
    connection_default = ui.ConnectionInfo(name="connection_default")
    camera_live = ui.CameraLiveView("cam", "main", True)
    camera_history = ui.CameraHistory("cam")


EXPECTED = {'variable': {'name': 'var',
              'type': 'uiVariable',
              'displayString': 'Var',
              'showActivity': True,
              'position': 51,
              'hidden': False,
              'varType': 'float'},
 'variable_full': {'name': 'v',
                   'type': 'uiVariable',
                   'displayString': 'V',
                   'isAvailable': True,
                   'helpString': 'h',
                   'verboseString': 'v',
                   'showActivity': True,
                   'graphic': 'g',
                   'layout': 'l',
                   'position': 52,
                   'conditions': {'a': 1},
                   'hidden': False,
                   'units': 'V',
                   'icon': 'i',
                   'colour': 'red',
                   'varType': 'float',
                   'currentValue': '$tag.app().x:number:3',
                   'decPrecision': 1,
                   'earliestDataDate': 1767225600,
                   'defaultRangeSince': 3600000,
                   'defaultZoom': '1d',
                   'ranges': [{'min': 0, 'max': 5, 'colour': 'blue', 'show_on_graph': True, 'label': 'r'}],
                   'thresholds': [{'label': 't', 'value': 1, 'colour': 'blue'}],
                   'defaultRangeView': 'line',
                   'notGraphable': True},
 'numeric': {'name': 'level',
             'type': 'uiVariable',
             'displayString': 'Level',
             'showActivity': True,
             'form': 'radialGauge',
             'position': 53,
             'hidden': False,
             'varType': 'float',
             'currentValue': '$tag.app().level:number:0',
             'decPrecision': 2,
             'ranges': [{'min': 0, 'max': 10, 'colour': 'red', 'show_on_graph': True, 'label': 'Low'},
                        {'min': 10, 'max': 20, 'colour': '#00ff00', 'show_on_graph': False}]},
 'numeric_empty': {'name': 'n',
                   'type': 'uiVariable',
                   'displayString': 'N',
                   'showActivity': True,
                   'position': 54,
                   'hidden': False,
                   'varType': 'float',
                   'currentValue': None},
 'numeric_live': {'name': 'flow',
                  'type': 'uiVariable',
                  'displayString': 'Flow',
                  'showActivity': True,
                  'position': 55,
                  'hidden': False,
                  'varType': 'float',
                  'currentValue': '$tag.app().flow:number:1.5',
                  'live': True},
 'numeric_nodefault': {'name': 'volts',
                       'type': 'uiVariable',
                       'displayString': 'Volts',
                       'showActivity': True,
                       'position': 56,
                       'hidden': False,
                       'varType': 'float',
                       'currentValue': '$tag.app().volts:number'},
 'text': {'name': 'mode',
          'type': 'uiVariable',
          'displayString': 'Mode',
          'showActivity': True,
          'position': 57,
          'hidden': False,
          'varType': 'string',
          'currentValue': '$tag.app().mode:string:"idle"'},
 'boolean': {'name': 'we_working',
             'type': 'uiVariable',
             'displayString': 'We Working?',
             'showActivity': True,
             'position': 58,
             'hidden': False,
             'varType': 'bool',
             'currentValue': '$tag.app().working:boolean:false'},
 'datetime': {'name': 'dt',
              'type': 'uiVariable',
              'displayString': 'Dt',
              'showActivity': True,
              'position': 59,
              'hidden': False,
              'varType': 'time',
              'currentValue': 5},
 'timestamp': {'name': 'ts',
               'type': 'uiTimestamp',
               'displayString': 'Ts',
               'showActivity': True,
               'position': 60,
               'hidden': False,
               'varType': 'timestamp',
               'currentValue': 1767225600000,
               'absoluteFormat': 'HH:mm'},
 'button': {'name': 'reset',
            'type': 'uiButton',
            'displayString': 'Reset',
            'position': 61,
            'hidden': False,
            'colour': 'red',
            'currentValue': '$cmds.app().reset',
            'requiresConfirm': {'title': 'Sure?', 'audit': {'required': True}},
            'commandTimeout': 10000},
 'button_full': {'name': 'b',
                 'type': 'uiButton',
                 'displayString': 'B',
                 'showActivity': False,
                 'position': 62,
                 'hidden': False,
                 'currentValue': '$cmds.app().b::True',
                 'requiresConfirm': True,
                 'global': True,
                 'commandRetryTimeout': 5000,
                 'direct': True,
                 'default': True,
                 'disabled': True,
                 'labelString': 'Go'},
 'select': {'name': 'tank_type',
            'type': 'uiSelect',
            'displayString': 'Tank Type',
            'position': 63,
            'hidden': False,
            'currentValue': '$cmds.app().tank_type::Flat Bottom',
            'default': 'Flat Bottom',
            'options': {'flat_bottom': {'name': 'flat_bottom',
                                        'displayString': 'Flat Bottom',
                                        'type': 'uiElement'},
                        'cone_45': {'name': 'cone_45', 'displayString': 'Cone (45\u00b0)', 'type': 'uiElement'}}},
 'slider': {'name': 'sl',
            'type': 'uiSlider',
            'displayString': 'Sl',
            'position': 64,
            'hidden': False,
            'currentValue': '$cmds.app().sl::(30, 95)',
            'default': [30, 95],
            'min': 0,
            'max': 100,
            'stepSize': 0.1,
            'dualSlider': True,
            'isInverted': True,
            'colours': 'red,green'},
 'switch': {'name': 'sw',
            'type': 'uiSwitch',
            'displayString': 'Sw',
            'position': 65,
            'hidden': False,
            'currentValue': '$cmds.app().sw::False',
            'default': False},
 'warning': {'name': 'warn',
             'type': 'uiWarningIndicator',
             'displayString': 'Warn',
             'position': 66,
             'hidden': False,
             'currentValue': '$cmds.app().warn',
             'can_cancel': False},
 'float_input': {'name': 'low_voltage_alert',
                 'type': 'uiFloatInput',
                 'displayString': 'Low Voltage Alert',
                 'position': 67,
                 'hidden': False,
                 'currentValue': '$cmds.app().low_voltage_alert::10',
                 'default': 10,
                 'min': 0,
                 'max': 20},
 'text_input': {'name': 'note',
                'type': 'uiTextInput',
                'displayString': 'Note',
                'position': 68,
                'hidden': False,
                'currentValue': '$cmds.app().note',
                'isTextArea': True},
 'datetime_input': {'name': 'di',
                    'type': 'uiDatetimeInput',
                    'displayString': 'Di',
                    'position': 69,
                    'hidden': False,
                    'currentValue': '$cmds.app().di',
                    'pickers': ['date'],
                    'direction': 'past',
                    'maxPast': 60000,
                    'maxFuture': 86400000},
 'time_input': {'name': 'tm',
                'type': 'uiTimeInput',
                'displayString': 'Tm',
                'position': 70,
                'hidden': False,
                'currentValue': '$cmds.app().tm::3600',
                'default': 3600},
 'submodule': {'name': 'battery_module',
               'type': 'uiSubmodule',
               'displayString': 'Battery Module',
               'showActivity': True,
               'position': 73,
               'hidden': False,
               'children': {'x': {'name': 'x',
                                  'type': 'uiFloatInput',
                                  'displayString': 'X',
                                  'position': 71,
                                  'hidden': False,
                                  'currentValue': '$cmds.app().x::1',
                                  'default': 1},
                            'ok': {'name': 'ok',
                                   'type': 'uiVariable',
                                   'displayString': 'Ok',
                                   'showActivity': True,
                                   'position': 101,
                                   'hidden': False,
                                   'varType': 'bool',
                                   'currentValue': True}},
               'statusString': 'ok',
               'defaultOpen': False},
 'submodule_open': {'name': 's2',
                    'type': 'uiSubmodule',
                    'displayString': 'S2',
                    'showActivity': True,
                    'position': 74,
                    'hidden': False,
                    'children': {},
                    'defaultOpen': '$tag.app().open:boolean'},
 'tabs': {'name': 'tabs',
          'type': 'uiTabs',
          'displayString': 'Tabs',
          'showActivity': True,
          'position': 76,
          'hidden': False,
          'children': {'c': {'name': 'c',
                             'type': 'uiContainer',
                             'displayString': 'C',
                             'showActivity': True,
                             'position': 101,
                             'hidden': False,
                             'children': {}}},
          'defaultPage': 1},
 'container': {'name': 'cont',
               'type': 'uiContainer',
               'displayString': 'Cont',
               'showActivity': True,
               'position': 78,
               'hidden': False,
               'children': {'inner': {'name': 'inner',
                                      'type': 'uiVariable',
                                      'displayString': 'Inner',
                                      'showActivity': True,
                                      'position': 77,
                                      'hidden': False,
                                      'varType': 'string',
                                      'currentValue': 'x'}}},
 'application': {'name': 'app',
                 'type': 'uiApplication',
                 'displayString': 'App',
                 'showActivity': True,
                 'position': 79,
                 'hidden': False,
                 'children': {},
                 'variant': 'stacked',
                 'fullWidth': True},
 'remote': {'name': 'rc',
            'type': 'uiRemoteComponent',
            'displayString': 'Rc',
            'showActivity': True,
            'componentUrl': 'https://x',
            'position': 80,
            'hidden': False,
            'children': {},
            'foo': 1,
            'bar': {'b': [1, 2]}},
 'multiplot': {'name': 'mp',
               'type': 'uiMultiPlot',
               'displayString': 'Mp',
               'showActivity': True,
               'position': 81,
               'hidden': False,
               'series': {'s_1': {'name': 's_1',
                                  'displayString': 'S 1',
                                  'dataType': 'unknown',
                                  'lookup': '$tag.app().x',
                                  'active': True,
                                  'colour': 'red',
                                  'icon': 'i',
                                  'sharedAxis': True,
                                  'units': 'u',
                                  'stepLabels': ['a'],
                                  'range': {'min': 0, 'max': 'auto'},
                                  'ranges': [{'min': 0,
                                              'max': 1,
                                              'colour': 'blue',
                                              'show_on_graph': True,
                                              'label': 'r'}],
                                  'thresholds': [{'label': 't', 'value': 1, 'colour': 'blue'}]},
                          'flow': {'name': 'flow',
                                   'displayString': 'Flow',
                                   'dataType': 'number',
                                   'lookup': '$tag.app().flow:number:1.5',
                                   'live': True}},
               'defaultZoom': 'z',
               'defaultRangeView': 'zone',
               'title': 'Mp',
               'earliestDataDate': 7},
 'connection': {'name': 'connectionInfo',
                'type': 'uiConnectionInfo',
                'connectionType': 'periodic',
                'connectionPeriod': 60,
                'nextConnection': 30,
                'offlineAfter': 120,
                'allowedMisses': 2},
 'connection_default': {'name': 'connection_default',
                        'type': 'uiConnectionInfo',
                        'connectionType': 'constant'},
 'camera_live': {'name': 'live_view',
                 'type': 'uiCameraLiveView',
                 'displayString': 'Live View',
                 'showActivity': True,
                 'position': 84,
                 'hidden': False,
                 'cameraName': 'cam',
                 'streamName': 'main',
                 'ptzControl': True,
                 'presets': [],
                 'activePreset': None},
 'camera_history': {'name': 'history',
                    'type': 'uiCameraHistory',
                    'displayString': 'History',
                    'showActivity': True,
                    'position': 85,
                    'hidden': False,
                    'cameraName': 'cam',
                    'ptzControl': True,
                    'presets': [],
                    'activePreset': None}}


SCHEMA = CatalogueUI(None, None, None).to_schema(resolve_config=False)
NAMES = {attr: CatalogueUI.__ui_declarations__[attr].name for attr in CatalogueUI.__ui_declarations__}
KEY_FOR_ATTR = {"datetime_var": "datetime"}


@pytest.mark.parametrize("attr", list(NAMES))
def test_element_json_matches_the_reference_document_with_key_order(attr):
    expected = EXPECTED[KEY_FOR_ATTR.get(attr, attr)]
    actual = SCHEMA["children"][NAMES[attr]]
    assert actual == expected
    assert list(actual) == list(expected)


def test_the_catalogue_covers_every_element_class():
    covered = {type(CatalogueUI.__ui_declarations__[attr]) for attr in NAMES}
    expected = {
        ui.Variable, ui.NumericVariable, ui.TextVariable, ui.BooleanVariable, ui.DateTimeVariable, ui.Timestamp,
        ui.Button, ui.Select, ui.Slider, ui.Switch, ui.WarningIndicator, ui.FloatInput, ui.TextInput,
        ui.DatetimeInput, ui.TimeInput, ui.Submodule, ui.TabContainer, ui.Container, ui.Application,
        ui.RemoteComponent, ui.Multiplot, ui.ConnectionInfo, ui.CameraLiveView, ui.CameraHistory,
    }
    assert covered == expected
