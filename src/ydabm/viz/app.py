"""The browser app: explore one run of YRDModel in Mesa's SolaraViz.

Serve it with ``ydabm viz`` (loopback, offline assets) or ``solara run src/ydabm/viz/app.py``
(also ``solara run ydabm.viz.app``). Mesa's SolaraViz supplies the sidebar: Reset, Play and Step,
the model controls and the step counter. The main panel is `Dashboard`: the network map, a city's
panel and the indicator charts (:mod:`ydabm.viz.components`).

The controls are derived from the parameter declarations in :data:`ydabm.params.PARAMS` (defaults,
bounds, labels), so the app cannot drift from the model. A changed control takes effect on Reset,
when SolaraViz rebuilds the model as ``AppModel(**controls)``. Nothing in the model imports this.
"""

from __future__ import annotations

from typing import Any

import solara
from mesa.visualization import SolaraViz
from mesa.visualization.utils import update_counter

# absolute imports: `solara run app.py` executes this file as a script, outside its package
from ydabm.model import YRDModel
from ydabm.params import BY_NAME, DEFAULTS, Param
from ydabm.scenarios import list_scenarios, load_scenario
from ydabm.viz.components import DEFAULT_COLOURING, COLOURINGS, CityPanel, IndicatorCharts, NetworkMap, quarter_label

TITLE = "YRD: homogeneous competition among 41 cities"
LEVERS = ("barrier", "specialization")
SCALE = "people_per_agent"
# The app narrows the declared scale range [1, 1e7] to what an interactive run can carry: 500 people
# per agent is about 4.7e5 worker agents (about 0.3 s a step), 20000 about 1.2e4 (a handful per
# city-sector). The default, from PARAMS, gives about 1.2e5.
SCALE_RANGE = (500.0, 20_000.0, 500.0)
DEFAULT_SCENARIO = "baseline"
DEFAULT_SEED = 1
SEED_RANGE = (0, 999)
SLIDER_STEPS = 100  # a float lever moves in steps of 1/100 of its declared range


def yrd_scenarios() -> list[str]:
    """Names of the scenarios set in the 41 YRD cities (the synthetic geographies have no map)."""
    return [s.name for s in list_scenarios() if s.params()["world"] == "yrd"]


def slider(param: Param, low: float | None = None, high: float | None = None, step: float | None = None) -> dict[str, Any]:
    """A SolaraViz slider for a declared parameter: its default, its bounds (or a narrower range).

    Args:
        param: the declaration.
        low, high: a narrower range for the app, within the declared bounds.
        step: the slider's step; by default 1 for integers and 1/`SLIDER_STEPS` of the range for floats.

    Raises:
        ValueError: the narrower range leaves the declared bounds or excludes the default.
    """
    low = param.low if low is None else low
    high = param.high if high is None else high
    if not (param.low <= low <= param.default <= high <= param.high):
        raise ValueError(f"{param.name}: app range [{low}, {high}] must lie within [{param.low}, {param.high}] "
                         f"and contain the default {param.default}")
    integer = param.type is int
    if step is None:
        step = 1 if integer else (high - low) / SLIDER_STEPS
    return {"type": "SliderInt" if integer else "SliderFloat", "value": param.default, "min": low, "max": high,
            "step": step, "label": param.name.replace("_", " ").capitalize()}


def model_params() -> dict[str, dict[str, Any]]:
    """SolaraViz's ``model_params``: the scenario, the seed, the two levers and the scale."""
    return {
        "scenario_name": {"type": "Select", "value": DEFAULT_SCENARIO, "values": yrd_scenarios(), "label": "Scenario"},
        "seed": {"type": "SliderInt", "value": DEFAULT_SEED, "min": SEED_RANGE[0], "max": SEED_RANGE[1], "step": 1,
                 "label": "Seed"},
        **{name: slider(BY_NAME[name]) for name in LEVERS},
        SCALE: slider(BY_NAME[SCALE], *SCALE_RANGE),
    }


class AppModel(YRDModel):
    """YRDModel built from the app's controls: a scenario by name, a seed, the levers and the scale.

    SolaraViz rebuilds the model on Reset by calling this class with the controls' values as keywords.
    The scenario contributes its parameter overrides and its policies; the levers and the scale
    set here override the scenario's. (The keyword is ``scenario_name``, not ``scenario``: Mesa's
    SolaraViz passes a ``mesa.experimental.scenarios.Scenario`` to any model constructor that
    accepts ``scenario`` or ``**kwargs``.)

    Args:
        scenario_name: a scenario in ``configs/scenarios``.
        seed: seed of the run's generator.
        barrier, specialization: the two headline levers (see :data:`ydabm.params.PARAMS`).
        people_per_agent: people one worker agent stands for.
    """

    def __init__(self, *, scenario_name: str = DEFAULT_SCENARIO, seed: int = DEFAULT_SEED,
                 barrier: float = DEFAULTS["barrier"], specialization: float = DEFAULTS["specialization"],
                 people_per_agent: float = DEFAULTS[SCALE]):
        scenario = load_scenario(scenario_name)
        params = scenario.params({"barrier": barrier, "specialization": specialization, SCALE: people_per_agent})
        super().__init__(rng=int(seed), policies=scenario.policies(), **params)
        self.scenario_name = scenario.name
        self.scenario_description = scenario.description
        self.seed = int(seed)


@solara.component
def RunSummary(model: AppModel):
    """What is running: scenario, quarter, levers, seed and scale."""
    update_counter.get()
    params = model.params
    solara.Text(f"Scenario {model.scenario_name}: {model.scenario_description}", style={"font-weight": "600"})
    solara.Text(
        f"{quarter_label(model)} (step {model.steps}) · barrier {model.levers.barrier:.2f} (set {params.barrier:.2f}) · "
        f"specialization {params.specialization:.2f} · seed {model.seed} · "
        f"{getattr(params, SCALE):,.0f} people per agent: {model.workers.count:,} worker agents, "
        f"{model.firms.count:,} firms",
        classes=["ydabm-summary"],
    )


@solara.component
def ControlsHelp():
    """The meaning, unit and bounds of each control, from the parameter declarations."""
    with solara.Details(summary="What the controls mean (changes take effect on Reset)"):
        for name in (*LEVERS, SCALE):
            param = BY_NAME[name]
            solara.Text(f"{name} [{param.low:g}, {param.high:g}] ({param.unit}), default {param.default:g}: "
                        f"{param.meaning}.", style={"display": "block"})
        solara.Text(f"scenario: parameter overrides and policies from configs/scenarios; seed: the run's "
                    f"generator ({SEED_RANGE[0]}-{SEED_RANGE[1]}).", style={"display": "block"})


@solara.component
def Dashboard(model: AppModel):
    """The main panel: run summary, network map beside a city's panel, indicator charts below."""
    colouring = solara.use_reactive(DEFAULT_COLOURING)
    names = list(model.geography.names)
    city = solara.use_reactive(names[0])
    with solara.Column(gap="8px", style={"padding": "4px 12px"}):
        RunSummary(model)
        with solara.Row(gap="24px", style={"flex-wrap": "wrap", "align-items": "flex-start"}):
            with solara.Column(gap="0px"):
                solara.Select("Colour cities by", values=list(COLOURINGS), value=colouring, dense=True,
                              style={"max-width": "320px"})
                NetworkMap(model, colouring.value, city.value, on_select=city.set)
            with solara.Column(gap="0px"):
                solara.Select("City", values=names, value=city, dense=True, style={"max-width": "320px"})
                CityPanel(model, city.value)
        IndicatorCharts(model)
        ControlsHelp()


@solara.component
def Page():
    """The app: Mesa's SolaraViz (controls, Reset/Play/Step, step counter) and the dashboard."""
    initial = solara.use_memo(AppModel, [])
    model = solara.use_reactive(initial)
    params = solara.use_memo(model_params, [])
    SolaraViz(model, components=[], model_params=params, name=TITLE)
    Dashboard(model.value)
