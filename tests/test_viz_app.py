"""The browser app without a browser: controls from the declarations, the model factory, the chart
specs on hand-made inputs, the components rendered with ``solara.render``, and the ``ydabm viz`` command."""

from __future__ import annotations

import inspect
import json
import math

import ipyvuetify as v
import numpy as np
import pandas as pd
import pytest
import solara
from solara.widgets import VegaLite

from ydabm.cli import main
from ydabm.geography import build_geography
from ydabm.model import MODEL_METRICS
from ydabm.params import BY_NAME, QUICK_SCALE, ParameterError
from ydabm.policies import BarrierPath
from ydabm.scenarios import list_scenarios
from ydabm.viz import charts
from ydabm.viz import cli as viz_cli
from ydabm.viz.app import SCALE_RANGE, AppModel, Page, model_params, slider, yrd_scenarios

SMALL = dict(QUICK_SCALE)


@pytest.fixture(scope="module")
def yrd_geography():
    return build_geography()


# ------------------------------------------------------------------------------ controls and model factory
def test_sliders_take_defaults_and_bounds_from_the_parameter_declarations():
    params = model_params()
    for name in ("barrier", "specialization"):
        declared = BY_NAME[name]
        assert params[name]["type"] == "SliderFloat"
        assert (params[name]["value"], params[name]["min"], params[name]["max"]) == (declared.default, declared.low, declared.high)
    scale = params["people_per_agent"]
    assert scale["value"] == BY_NAME["people_per_agent"].default
    assert BY_NAME["people_per_agent"].low <= scale["min"] < scale["value"] < scale["max"] <= BY_NAME["people_per_agent"].high
    assert (scale["min"], scale["max"], scale["step"]) == SCALE_RANGE
    # the seed is an integer slider, never free text (a typed seed arrives as a string)
    assert params["seed"]["type"] == "SliderInt" and isinstance(params["seed"]["value"], int)
    assert params["scenario_name"]["type"] == "Select"
    assert params["scenario_name"]["value"] in params["scenario_name"]["values"]


def test_scenario_choices_are_the_yrd_scenarios():
    names = yrd_scenarios()
    assert "baseline" in names
    assert {"core_periphery", "racetrack"}.isdisjoint(names)
    assert set(names) == {s.name for s in list_scenarios() if s.params()["world"] == "yrd"}


def test_slider_refuses_a_range_outside_the_declaration():
    with pytest.raises(ValueError, match="barrier"):
        slider(BY_NAME["barrier"], low=-0.5)
    with pytest.raises(ValueError, match="people_per_agent"):
        slider(BY_NAME["people_per_agent"], low=5000.0)  # would exclude the default 2000


def test_every_control_is_a_keyword_of_the_app_model():
    signature = inspect.signature(AppModel.__init__).parameters
    assert set(model_params()) == set(signature) - {"self"}
    # SolaraViz hands a mesa Scenario object to a constructor that accepts `scenario` or **kwargs
    assert "scenario" not in signature
    assert all(p.kind is p.KEYWORD_ONLY for name, p in signature.items() if name != "self")


def test_app_model_defaults_are_the_declared_defaults():
    model = AppModel(**SMALL)
    for name in ("barrier", "specialization"):
        assert getattr(model.params, name) == BY_NAME[name].default
    assert model.scenario_name == "baseline" and model.policies == []


def test_app_model_applies_scenario_seed_and_controls():
    model = AppModel(scenario_name="integration", seed=7, barrier=0.8, specialization=0.2, **SMALL)
    assert (model.params.barrier, model.params.specialization) == (0.8, 0.2)
    assert model.params.people_per_agent == SMALL["people_per_agent"]
    assert [type(p) for p in model.policies] == [BarrierPath]
    assert model.seed == 7
    same = AppModel(scenario_name="integration", seed=7, barrier=0.8, specialization=0.2, **SMALL)
    other = AppModel(scenario_name="integration", seed=8, barrier=0.8, specialization=0.2, **SMALL)
    for m in (model, same, other):
        m.step()
    assert model.metrics == same.metrics
    assert model.metrics != other.metrics


def test_app_model_rejects_values_outside_the_declared_bounds():
    with pytest.raises(ParameterError, match="barrier"):
        AppModel(barrier=1.5, **SMALL)


# ------------------------------------------------------------------------------ pure chart functions
def test_leading_sector_is_the_largest_location_quotient():
    employment = np.array([[50.0, 50.0, 0.0], [90.0, 5.0, 5.0], [10.0, 10.0, 80.0]])
    # region shares 0.5, 0.2167, 0.2833: city 0 is over-represented in sector 1 (0.5 / 0.2167)
    assert charts.leading_sector(employment).tolist() == [1, 0, 2]
    assert charts.largest_sector(employment).tolist() == [0, 0, 2]
    assert charts.largest_sector(employment, np.array([False, True, True])).tolist() == [1, 1, 2]


def test_clip_convex_intersects_two_squares():
    square = np.array([[0.0, 0.0], [2.0, 0.0], [2.0, 2.0], [0.0, 2.0]])
    clipped = charts.clip_convex(square, square + 1.0)
    assert _area(clipped) == pytest.approx(1.0)
    assert charts.clip_convex(square, square + 5.0).shape == (0, 2)


def test_clip_segment_to_disc():
    segment = charts.clip_segment_to_disc(np.array([-2.0, 0.0]), np.array([2.0, 0.0]), np.zeros(2), 1.0)
    assert segment.tolist() == [[-1.0, 0.0], [1.0, 0.0]]
    assert charts.clip_segment_to_disc(np.array([-2.0, 3.0]), np.array([2.0, 3.0]), np.zeros(2), 1.0) is None


def test_province_areas_of_two_cities_meet_on_their_bisector():
    points = np.array([[0.0, 0.0], [1.0, 0.0], [0.0, 1.0]])
    cells, borders = charts.province_areas(points, np.array([0, 1, 0]), reach=0.8)
    assert len(cells) == 3
    for point, cell in zip(points, cells, strict=True):
        assert _area(cell) <= math.pi * 0.8**2
        assert np.all(np.linalg.norm(cell - point, axis=1) <= 0.8 + 1e-9)
    # borders of city 1 (province 1) with each of the others, none between cities 0 and 2; both end
    # at the cells' common corner (0.5, 0.5) and at the edge of city 1's disc
    assert len(borders) == 2
    with_0 = next(b for b in borders if np.allclose(b[:, 0], 0.5))
    assert sorted(with_0[:, 1]) == pytest.approx([-math.sqrt(0.8**2 - 0.5**2), 0.5])
    with_2 = next(b for b in borders if np.allclose(b[:, 0], b[:, 1]))
    assert sorted(with_2[:, 0]) == pytest.approx([0.5, 0.5 + math.sqrt(0.25 - 0.18)])


def test_a_label_moves_left_of_its_city_when_a_labelled_neighbour_sits_east():
    points = np.array([[0.0, 0.0], [1.0, 0.1], [0.0, 3.0]])
    assert charts.label_sides(points, [0, 1, 2]) == {0: "left", 1: "right", 2: "right"}
    assert charts.label_sides(points, [0, 2]) == {0: "right", 2: "right"}


def test_network_spec_draws_every_city_and_marks_cross_province_links(yrd_geography):
    geo = yrd_geography
    population = geo.population
    colours = charts.NodeColours("Leading sector", np.arange(geo.count) % 3, ("a", "b", "c"))
    spec = charts.network_spec(geo.graph, geo.positions, geo.names, geo.provinces, geo.province_index,
                               population, colours, population.max(), selected=4)
    layers = {layer.get("name", k): layer for k, layer in enumerate(spec["layer"])}
    nodes = _values(layers["cities"])
    assert [n["city"] for n in nodes] == geo.names
    largest = int(np.argmax(population))
    assert nodes[largest]["area"] == charts.LARGEST_NODE
    assert nodes[1]["area"] == pytest.approx(charts.LARGEST_NODE * population[1] / population.max(), abs=0.1)
    assert [n["city"] for n in nodes if n["selected"]] == [geo.names[4]]
    links = [link for layer in spec["layer"] if layer["mark"]["type"] == "rule" and "color" in layer["encoding"]
             for link in _values(layer)]
    assert len(links) == geo.graph.number_of_edges()
    crossing = sum(geo.province_index[a] != geo.province_index[b] for a, b in geo.graph.edges)
    assert sum(link["link"].startswith("across") for link in links) == crossing > 0
    areas = _values(spec["layer"][0])
    assert {a["properties"]["province"] for a in areas} == set(geo.provinces)
    assert len(areas) == geo.count
    json.dumps(spec, allow_nan=False)


def test_indicators_spec_has_a_chart_per_panel_with_the_latest_value():
    assert {column for panel in charts.INDICATORS for column, _ in panel.series} <= set(MODEL_METRICS)
    history = pd.DataFrame({column: [0.5, 0.25] for column in MODEL_METRICS})
    spec = charts.indicators_spec(history, np.array([2020.0, 2020.25]))
    assert len(spec["concat"]) == len(charts.INDICATORS)
    titles = [chart["title"]["text"] for chart in spec["concat"]]
    assert titles[1] == "Capacity utilisation (%): 25"
    rows = json.loads(spec["data"]["values"])
    assert len(rows) == 2 * sum(len(panel.series) for panel in charts.INDICATORS)


def test_city_spec_shows_shares_in_percent_and_targets():
    history = pd.DataFrame({"population": [1e6, 1.1e6], "wage": [9e4, 9.5e4]})
    spec = charts.city_spec("A", "P", ["x_y", "z"], np.array([0.25, 0.75]), np.array([0.5, 0.5]),
                            np.array([True, False]), history, np.array([2020.0, 2020.25]))
    mix = json.loads(spec["vconcat"][0]["data"]["values"])
    assert [(m["sector"], m["share"], m["target"]) for m in mix] == [("x y", 25.0, True), ("z", 75.0, False)]
    assert spec["vconcat"][1]["title"]["text"] == "Population (million): 1.1"


# ------------------------------------------------------------------------------ components, no browser
@pytest.fixture
def app():
    """The whole page (Mesa's SolaraViz sidebar in an AppLayout, and the dashboard)."""
    box, rc = solara.render(solara.AppLayout(children=[Page()]), handle_error=False)
    yield rc
    rc.close()


def test_page_renders_network_charts_and_city_panel(app):
    map_spec, city_spec, indicators = _specs(app)
    assert len(_values(_layer(map_spec, "cities"))) == 41
    assert "Shanghai" in city_spec["vconcat"][0]["title"]["text"]
    assert len(indicators["concat"]) == len(charts.INDICATORS)
    for label in ("Reset", "Step", "▶"):
        app.find(v.Btn, children=[label]).assert_single()
    for label in ("Barrier", "Specialization", "People per agent", "Seed"):
        app.find(v.Slider, label=label).assert_single()
    app.find(v.Select, label="Scenario").assert_single()
    app.find(children=["Time: 0.0"]).assert_single()


def test_step_advances_the_counter_and_redraws_every_chart(app):
    before = _specs(app)
    for _ in range(2):
        app.find(v.Btn, children=["Step"]).widget.click()
    app.find(children=["Time: 2.0"]).assert_single()
    after = _specs(app)
    assert all(a != b for a, b in zip(after, before, strict=True))
    assert len(json.loads(after[2]["data"]["values"])) == 3 * len(json.loads(before[2]["data"]["values"]))
    assert "(step 2)" in _summary(app)


def test_reset_rebuilds_the_model_with_the_changed_controls(app):
    app.find(v.Slider, label="Barrier").widget.v_model = 0.7
    app.find(v.Select, label="Scenario").widget.v_model = "integration"
    app.find(v.Btn, children=["Step"]).widget.click()
    app.find(v.Btn, children=["Reset"]).widget.click()
    app.find(children=["Time: 0.0"]).assert_single()
    assert "barrier 0.70 (set 0.70)" in _summary(app)
    app.find(children=["Scenario integration: " + _description("integration")]).assert_single()


def test_choosing_a_city_or_clicking_it_on_the_map_fills_the_city_panel(app):
    app.find(v.Select, label="City").widget.v_model = "Hefei"
    assert _specs(app)[1]["vconcat"][0]["title"]["text"].startswith("Hefei (Anhui)")
    map_widget = app.find(class_="ydabm-map").find(VegaLite).widget
    map_widget.vue_altair_click({"city": "Ningbo", "province": "Zhejiang"})
    assert _specs(app)[1]["vconcat"][0]["title"]["text"].startswith("Ningbo (Zhejiang)")
    map_widget.vue_altair_click({"type": "Feature", "properties": {"city": "Wuxi", "province": "Jiangsu"}})
    assert _specs(app)[1]["vconcat"][0]["title"]["text"].startswith("Wuxi (Jiangsu)")
    assert [n["city"] for n in _values(_layer(_specs(app)[0], "cities")) if n["selected"]] == ["Wuxi"]


def test_node_colour_follows_the_chosen_metric(app):
    app.find(v.Select, label="Colour cities by").widget.v_model = "Net migration (persons / quarter)"
    colour = _layer(_specs(app)[0], "cities")["encoding"]["color"]
    assert colour["type"] == "quantitative" and colour["scale"]["domainMid"] == 0


# ------------------------------------------------------------------------------ the ydabm viz command
def test_viz_command_fills_the_asset_cache_then_runs_solara_on_loopback(monkeypatch, capsys):
    calls = []
    monkeypatch.setattr("ydabm.viz.assets.ensure_solara_assets", lambda verbose: calls.append("assets") or False)

    def execve(path, command, env):
        calls.append("server")
        execve.path, execve.command, execve.env = path, command, env

    monkeypatch.setattr(viz_cli.os, "execve", execve)
    assert main(["viz"]) == 0
    assert calls == ["assets", "server"]
    assert execve.path == execve.command[0]
    assert execve.command[1:4] == ["-m", "solara", "run"] and execve.command[4] == str(viz_cli.APP)
    assert viz_cli.APP.is_file()
    for flag in ("--production", "--no-open", "--no-check-version"):
        assert flag in execve.command
    assert execve.command[execve.command.index("--host") + 1] == "127.0.0.1"
    assert execve.command[execve.command.index("--port") + 1] == "8765"
    assert execve.env["SOLARA_TELEMETRY_MIXPANEL_ENABLE"] == "False"
    assert execve.env["SOLARA_ASSETS_PROXY"] == "True"
    assert "serving http://127.0.0.1:8765/" in capsys.readouterr().out


def test_viz_command_passes_host_and_port_and_rejects_a_bad_port(monkeypatch, capsys):
    monkeypatch.setattr("ydabm.viz.assets.ensure_solara_assets", lambda verbose: False)
    monkeypatch.setattr(viz_cli.os, "execve", lambda path, command, env: None)
    assert main(["viz", "--host", "::1", "--port", "9000"]) == 0
    assert "http://[::1]:9000/" in capsys.readouterr().out
    assert main(["viz", "--port", "70000"]) == 2
    assert "--port" in capsys.readouterr().err


# ------------------------------------------------------------------------------ helpers
def _area(polygon: np.ndarray) -> float:
    x, y = polygon.T
    return 0.5 * abs(np.dot(x, np.roll(y, -1)) - np.dot(y, np.roll(x, -1)))


def _values(layer: dict) -> list[dict]:
    return json.loads(layer["data"]["values"])


def _layer(spec: dict, name: str) -> dict:
    return next(layer for layer in spec["layer"] if layer.get("name") == name)


def _specs(rc) -> tuple[dict, dict, dict]:
    """The map, city-panel and indicator specs, found by their wrappers' classes."""
    return tuple(rc.find(class_=css).find(VegaLite).widget.spec for css in ("ydabm-map", "ydabm-city", "ydabm-indicators"))


def _summary(rc) -> str:
    (summary,) = rc.find(class_="ydabm-summary").widgets
    return summary.children[0]


def _description(name: str) -> str:
    return next(s.description for s in list_scenarios() if s.name == name)

