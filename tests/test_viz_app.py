"""The browser app without a browser: controls from the declarations, the model factory, the chart
specs on hand-made inputs, the components rendered with ``solara.render``, and the ``ydabm viz`` command."""

from __future__ import annotations

import inspect
import json
import math

import ipyvuetify as v
import matplotlib.colors
import numpy as np
import pandas as pd
import pytest
import solara
from solara.widgets import VegaLite

from ydabm import YRDModel
from ydabm.cli import main
from ydabm.geography import build_geography
from ydabm.model import MODEL_METRICS
from ydabm.params import BY_NAME, QUICK_SCALE, ParameterError
from ydabm.policies import BarrierPath
from ydabm.scenarios import list_scenarios
from ydabm.viz import charts
from ydabm.viz import cli as viz_cli
from ydabm.viz.app import (SCALE_RANGE, AppModel, Page, baseline_of, catch_up, model_params, readout,
                           slider, yrd_scenarios)

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
        slider(BY_NAME["people_per_agent"], low=5000.0)  # would exclude the default 1000


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


def test_sector_colours_are_distinct_to_the_eye():
    """Every pair of the 12 sector colours differs by at least 15 in CIEDE2000 (about 6 just-noticeable
    differences; the earlier pair of browns #9c755f / #8c6d31 differed by 13.5)."""
    assert len(charts.SECTOR_COLOURS) >= 12 and len(set(charts.SECTOR_COLOURS)) == len(charts.SECTOR_COLOURS)
    lab = {c: _lab(c) for c in charts.SECTOR_COLOURS}
    closest = min((_ciede2000(lab[a], lab[b]), a, b) for i, a in enumerate(lab) for b in list(lab)[:i])
    assert closest[0] >= 15, closest
    assert _ciede2000(_lab("#9c755f"), _lab("#8c6d31")) < 15


def test_ciede2000_matches_the_published_test_data():
    # Sharma, Wu & Dalal (2005), Color Res. Appl. 30(1), table 1, pairs 1, 7 and 17
    assert _ciede2000((50.0, 2.6772, -79.7751), (50.0, 0.0, -82.7485)) == pytest.approx(2.0425, abs=1e-4)
    assert _ciede2000((50.0, 0.0, 0.0), (50.0, -1.0, 2.0)) == pytest.approx(2.3669, abs=1e-4)
    assert _ciede2000((50.0, 2.5, 0.0), (73.0, 25.0, -18.0)) == pytest.approx(27.1492, abs=1e-4)


def test_map_frame_puts_the_region_in_its_pixels():
    lonlat = np.array([[115.0, 27.0], [123.0, 35.0]])
    frame = charts.MapFrame.around(lonlat, height=500, margin=0.0)
    assert frame.lat0 == 31.0
    assert frame.pixels(lonlat) == pytest.approx(np.array([[0.0, 500.0], [frame.width, 0.0]]), abs=1.0)
    # a degree east is cos(31 degrees) of a degree north
    assert frame.width == pytest.approx(500 * np.cos(np.deg2rad(31.0)), abs=1.0)
    # Vega-Lite's identity projection with reflectY draws planar (x, y) at (s x + tx, -s y + ty)
    projection = frame.projection()
    (tx, ty), s = projection["translate"], projection["scale"]
    x, y = frame.planar(lonlat).T
    assert np.column_stack([s * x + tx, -s * y + ty]) == pytest.approx(frame.pixels(lonlat))


def test_node_colours_against_a_baseline():
    run = charts.NodeColours("Wage", np.array([3.0, 5.0]))
    difference = run.against(charts.NodeColours("Wage", np.array([4.0, 1.0])))
    assert difference.values.tolist() == [-1.0, 4.0] and difference.diverging
    sectors = charts.NodeColours("Leading sector", np.array([0, 2, 1]), ("a", "b", "c"))
    changed = sectors.against(charts.NodeColours("Leading sector", np.array([0, 1, 1]), ("a", "b", "c")))
    assert changed.values.tolist() == [3, 2, 3]
    assert changed.categories[3] == charts.UNCHANGED[0] and changed.palette[3] == charts.UNCHANGED[1]
    assert changed.palette[2] == charts.SECTOR_COLOURS[2]


def test_map_spec_colours_every_city_area_and_marks_cross_province_links(yrd_geography):
    geo = yrd_geography
    colours = charts.NodeColours("Wage", np.arange(geo.count, dtype=float))
    priority = np.argsort(-geo.population).tolist()
    spec = charts.map_spec(geo.graph, geo.names, geo.provinces, geo.positions, colours, priority, selected=4)
    areas = _values(_layer(spec, "cities"))
    assert [a["properties"]["city"] for a in areas] == geo.names
    assert all(a["geometry"]["type"] == "MultiPolygon" for a in areas)
    # the colour reaches each area through a lookup of the city's row
    rows = _lookup_rows(spec)
    assert [rows[name]["colour"] for name in geo.names] == list(range(geo.count))
    assert _layer(spec, "cities")["encoding"]["color"]["field"] == "colour"
    outline = next(layer for layer in spec["layer"] if layer["mark"].get("stroke") == "black")
    assert [f["properties"]["city"] for f in _values(outline)] == [geo.names[4]]
    links = next(_values(layer) for layer in spec["layer"] if layer["mark"]["type"] == "rule")
    assert len(links) == geo.graph.number_of_edges()
    crossing = sum(geo.province_index[a] != geo.province_index[b] for a, b in geo.graph.edges)
    assert sum(link["link"] == "across provinces" for link in links) == crossing > 0
    json.dumps(spec, allow_nan=False)


def test_map_labels_fit_without_overlap_and_the_selected_city_always_gets_one(yrd_geography):
    geo = yrd_geography
    frame = charts.MapFrame.around(geo.positions, height=600)
    priority = np.argsort(-geo.population).tolist()
    labels = charts.map_labels(frame, geo.names, priority)
    assert len(labels) >= 30 and int(np.argmax(geo.population)) in labels
    size = 11
    boxes = {}
    for k, (x, y) in labels.items():
        px = frame.scale * (x - frame.left), frame.scale * (frame.top - y)
        half = (0.6 * size * len(geo.names[k].split("_")[0]) + 4) / 2, (size + 2) / 2
        boxes[k] = (px[0] - half[0], px[1] - half[1], px[0] + half[0], px[1] + half[1])
    for a in boxes:
        for b in boxes:
            if a < b:
                ba, bb = boxes[a], boxes[b]
                assert ba[2] <= bb[0] or bb[2] <= ba[0] or ba[3] <= bb[1] or bb[3] <= ba[1], (geo.names[a], geo.names[b])
    missing = next(k for k in range(geo.count) if k not in labels)
    assert missing in charts.map_labels(frame, geo.names, [missing, *priority])


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


def test_specs_set_a_baseline_run_beside_the_run_dashed():
    history = pd.DataFrame({column: [0.5, 0.25] for column in MODEL_METRICS})
    baseline = pd.DataFrame({column: [0.5, 0.75] for column in MODEL_METRICS})
    spec = charts.indicators_spec(history, np.array([2020.0, 2020.25]), baseline=baseline)
    rows = json.loads(spec["data"]["values"])
    assert {row["run"] for row in rows} == set(charts.RUNS)
    assert len(rows) == 2 * 2 * sum(len(panel.series) for panel in charts.INDICATORS)
    assert spec["concat"][1]["title"]["text"] == "Capacity utilisation (%): 25 (baseline 75)"
    assert spec["concat"][1]["encoding"]["strokeDash"]["scale"]["range"] == list(charts.RUNS.values())
    city = pd.DataFrame({"population": [1e6, 1.1e6], "wage": [9e4, 9.5e4]})
    spec = charts.city_spec("A", "P", ["x"], np.array([1.0]), np.array([1.0]), np.array([False]), city,
                            np.array([2020.0, 2020.25]), baseline=city * 2)
    assert spec["vconcat"][1]["title"]["text"] == "Population (million): 1.1 (baseline 2.2)"
    values = json.loads(spec["vconcat"][1]["data"]["values"])
    assert [v["value"] for v in values if v["run"] == "baseline"] == [2.0, 2.2]


def test_readout_shows_the_digits_the_step_needs():
    params = model_params()
    assert readout(0.55, params["barrier"]) == "0.55"
    assert readout(2000.0, params["people_per_agent"]) == "2,000"
    assert readout(7, params["seed"]) == "7"
    assert readout("baseline", params["scenario_name"]) == "baseline"


def test_the_baseline_run_has_the_same_seed_and_scale_and_keeps_step():
    model = AppModel(scenario_name="integration", seed=5, barrier=0.8, **SMALL)
    baseline = baseline_of(model)
    assert (baseline.scenario_name, baseline.seed) == ("baseline", 5)
    assert baseline.params.people_per_agent == SMALL["people_per_agent"]
    assert baseline.params.barrier == BY_NAME["barrier"].default
    for _ in range(3):
        model.step()
    catch_up(baseline, model)
    assert baseline.steps == model.steps == 3
    twin = baseline_of(model)
    model.baseline_run = twin  # attached (compare mode): it catches up and then steps with the model
    model.step()
    assert twin.steps == baseline.steps + 1 == model.steps == 4
    baseline.step()
    assert twin.metrics == baseline.metrics  # same seed: the same baseline


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
    # each slider shows its value; Mesa's play interval, render interval and threads are left out
    labels = sorted(widget.label for widget in app.find(v.Slider).widgets)
    assert labels == ["Barrier: 0.50", "People per agent: 750", "Seed: 1", "Specialization: 0.50"]
    assert not app.find(v.Checkbox, label="Use Threads").widgets
    assert "▶" in app.find(class_="ydabm-playback-help").widget.children[0]
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
    _slider(app, "Barrier").v_model = 0.7
    assert _slider(app, "Barrier").label == "Barrier: 0.70"
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
    outline = next(layer for layer in _specs(app)[0]["layer"] if layer["mark"].get("stroke") == "black")
    assert [f["properties"]["city"] for f in _values(outline)] == ["Wuxi"]


def test_city_colour_follows_the_chosen_metric(app):
    app.find(v.Select, label="Colour cities by").widget.v_model = "Net migration (persons / quarter)"
    colour = _layer(_specs(app)[0], "cities")["encoding"]["color"]
    assert colour["type"] == "quantitative" and colour["scale"]["domainMid"] == 0
    app.find(v.Select, label="Colour cities by").widget.v_model = "Wage (yuan / yr)"
    rows = _lookup_rows(_specs(app)[0]).values()
    assert all(row["colour"] == row["Wage (yuan / yr)"] > 0 for row in rows)  # the tooltip's wage column
    app.find(v.Select, label="Colour cities by").widget.v_model = "Population (persons)"
    rows = _lookup_rows(_specs(app)[0])
    assert all(row["colour"] == row["Population (persons)"] for row in rows.values())
    assert max(rows, key=lambda city: rows[city]["colour"]) == "Shanghai"


def test_compare_mode_sets_the_run_beside_a_baseline_run(app):
    _slider(app, "Barrier").v_model = 0.8
    app.find(v.Btn, children=["Reset"]).widget.click()
    app.find(v.Select, label="Colour cities by").widget.v_model = "Wage (yuan / yr)"
    app.find(v.Switch, label="Compare with the baseline run").widget.v_model = True
    for _ in range(2):
        app.find(v.Btn, children=["Step"]).widget.click()
    map_spec, city_spec, indicators = _specs(app)
    assert "this run − baseline" in map_spec["title"]["text"]
    assert _layer(map_spec, "cities")["encoding"]["color"]["scale"]["domainMid"] == 0
    rows = _lookup_rows(map_spec)
    run, base = "Wage (yuan / yr), this run", "Wage (yuan / yr), baseline"
    assert all(row["colour"] == pytest.approx(row[run] - row[base], abs=1e-3) for row in rows.values())
    assert any(abs(row["colour"]) > 1 for row in rows.values())  # barrier 0.8 against 0.5 changes wages
    assert {row["run"] for row in json.loads(indicators["data"]["values"])} == {"this run", "baseline"}
    assert "(baseline " in city_spec["vconcat"][1]["title"]["text"]
    (note,) = app.find(class_="ydabm-baseline").widgets
    assert "barrier 0.50" in note.children[0] and "same seed" in note.children[0]
    app.find(v.Switch, label="Compare with the baseline run").widget.v_model = False
    assert "baseline" not in _specs(app)[0]["title"]["text"]
    assert not app.find(class_="ydabm-baseline").widgets


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
    assert execve.command[execve.command.index("--host") + 1] == "localhost"
    assert execve.command[execve.command.index("--port") + 1] == "8765"
    assert execve.env["SOLARA_TELEMETRY_MIXPANEL_ENABLE"] == "False"
    assert execve.env["SOLARA_ASSETS_PROXY"] == "True"
    # browsed as localhost, so that Solara sets its session cookie without its samesite warning
    assert "serving http://localhost:8765/" in capsys.readouterr().out


def test_viz_command_passes_host_and_port_and_rejects_a_bad_port(monkeypatch, capsys):
    monkeypatch.setattr("ydabm.viz.assets.ensure_solara_assets", lambda verbose: False)
    monkeypatch.setattr(viz_cli.os, "execve", lambda path, command, env: None)
    assert main(["viz", "--host", "::1", "--port", "9000"]) == 0
    assert "http://localhost:9000/" in capsys.readouterr().out
    assert main(["viz", "--host", "fe80::1", "--port", "9000"]) == 0
    assert "http://[fe80::1]:9000/" in capsys.readouterr().out
    assert main(["viz", "--host", "0.0.0.0"]) == 0
    assert "http://0.0.0.0:8765/" in capsys.readouterr().out
    assert main(["viz", "--port", "70000"]) == 2
    assert "--port" in capsys.readouterr().err


# ------------------------------------------------------------------------------ helpers
def _area(polygon: np.ndarray) -> float:
    x, y = polygon.T
    return 0.5 * abs(np.dot(x, np.roll(y, -1)) - np.dot(y, np.roll(x, -1)))


def _values(layer: dict) -> list[dict]:
    return json.loads(layer["data"]["values"])


def _lookup_rows(map_spec: dict) -> dict[str, dict]:
    """The per-city rows the map's areas look their colour and tooltips up in, by city."""
    (lookup,) = [t for t in _layer(map_spec, "cities")["transform"] if "lookup" in t]
    return {row["city"]: row for row in json.loads(lookup["from"]["data"]["values"])}


def _slider(rc, label: str):
    """The slider whose label starts with ``label`` (the label goes on with the value)."""
    (widget,) = [w for w in rc.find(v.Slider).widgets if w.label.split(":")[0] == label]
    return widget


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



def _lab(colour: str) -> tuple[float, float, float]:
    """sRGB hex -> CIELAB (D65)."""
    rgb = np.array(matplotlib.colors.to_rgb(colour))
    linear = np.where(rgb <= 0.04045, rgb / 12.92, ((rgb + 0.055) / 1.055) ** 2.4)
    xyz = np.array([[0.4124, 0.3576, 0.1805], [0.2126, 0.7152, 0.0722], [0.0193, 0.1192, 0.9505]]) @ linear
    f = np.cbrt(xyz / [0.95047, 1.0, 1.08883])
    f = np.where(xyz / [0.95047, 1.0, 1.08883] > (6 / 29) ** 3, f, xyz / [0.95047, 1.0, 1.08883] / (3 * (6 / 29) ** 2) + 4 / 29)
    return 116 * f[1] - 16, 500 * (f[0] - f[1]), 200 * (f[1] - f[2])


def _ciede2000(lab1, lab2) -> float:
    """CIEDE2000 colour difference (Sharma, Wu & Dalal 2005)."""
    (l1, a1, b1), (l2, a2, b2) = lab1, lab2
    mean_c = (math.hypot(a1, b1) + math.hypot(a2, b2)) / 2
    g = 0.5 * (1 - math.sqrt(mean_c**7 / (mean_c**7 + 25**7)))
    c1, c2 = math.hypot((1 + g) * a1, b1), math.hypot((1 + g) * a2, b2)
    h1 = math.degrees(math.atan2(b1, (1 + g) * a1)) % 360 if c1 else 0.0
    h2 = math.degrees(math.atan2(b2, (1 + g) * a2)) % 360 if c2 else 0.0
    dh = 0.0 if c1 * c2 == 0 else (h2 - h1 + 180) % 360 - 180
    big_dh = 2 * math.sqrt(c1 * c2) * math.sin(math.radians(dh / 2))
    mean_l, mean_cp = (l1 + l2) / 2, (c1 + c2) / 2
    if c1 * c2 == 0:
        mean_h = h1 + h2
    elif abs(h1 - h2) <= 180:
        mean_h = (h1 + h2) / 2
    else:
        mean_h = (h1 + h2 + 360) / 2 if h1 + h2 < 360 else (h1 + h2 - 360) / 2
    t = (1 - 0.17 * math.cos(math.radians(mean_h - 30)) + 0.24 * math.cos(math.radians(2 * mean_h))
         + 0.32 * math.cos(math.radians(3 * mean_h + 6)) - 0.20 * math.cos(math.radians(4 * mean_h - 63)))
    s_l = 1 + 0.015 * (mean_l - 50) ** 2 / math.sqrt(20 + (mean_l - 50) ** 2)
    s_c, s_h = 1 + 0.045 * mean_cp, 1 + 0.015 * mean_cp * t
    r_t = (-2 * math.sqrt(mean_cp**7 / (mean_cp**7 + 25**7))
           * math.sin(math.radians(60 * math.exp(-(((mean_h - 275) / 25) ** 2)))))
    dl, dc, dhh = (l2 - l1) / s_l, (c2 - c1) / s_c, big_dh / s_h
    return math.sqrt(dl**2 + dc**2 + dhh**2 + r_t * dc * dhh)



def test_compare_tooltip_names_the_colouring_metric_once():
    from ydabm.viz.components import map_tooltips
    model = YRDModel(rng=1, people_per_agent=20000.0)
    baseline = YRDModel(rng=1, people_per_agent=20000.0)
    compared = map_tooltips(model, "Wage (yuan / yr)", baseline)
    assert sorted(label for label in compared if label.startswith("Wage")) == [
        "Wage (yuan / yr), baseline", "Wage (yuan / yr), this run"]
    alone = map_tooltips(model, "Wage (yuan / yr)")
    assert [label for label in alone if label.startswith("Wage")] == ["Wage (yuan / yr)"]
