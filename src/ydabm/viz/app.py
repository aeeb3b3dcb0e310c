"""The browser app: explore one run of YRDModel, beside a baseline run if asked.

Serve it with ``ydabm viz`` (loopback, offline assets) or ``solara run src/ydabm/viz/app.py``
(also ``solara run ydabm.viz.app``). The sidebar holds Mesa's model controller (Reset, Play, Step),
the step counter and the model's controls, each showing its value; the main panel is `Dashboard`:
the city map, a city's panel and the indicator charts (:mod:`ydabm.viz.components`).

The controls are derived from the parameter declarations in :data:`ydabm.params.PARAMS` (defaults,
bounds, labels), so the app cannot drift from the model. A changed control takes effect on Reset,
when Mesa's controller rebuilds the model as ``AppModel(**controls)``. Nothing in the model imports this.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import solara
from mesa.visualization.solara_viz import ModelController, ShowSteps
from mesa.visualization.utils import update_counter

# absolute imports: `solara run app.py` executes this file as a script, outside its package
from ydabm.model import YRDModel
from ydabm.params import BY_NAME, DEFAULTS, Param
from ydabm.scenarios import list_scenarios, load_scenario
from ydabm.viz.components import DEFAULT_COLOURING, COLOURINGS, CityMap, CityPanel, IndicatorCharts, quarter_label

TITLE = "YRD: homogeneous competition among 41 cities"
LEVERS = ("barrier", "specialization")
SCALE = "people_per_agent"
# The app narrows the declared scale range [1, 75000] to what an interactive run can carry: 500 people
# per agent is about 3.0e5 worker agents (about 0.3 s a step), 20000 about 7.6e3 (a handful per
# city-sector). The default, from PARAMS, gives about 2.0e5 (750 people per agent: the steps of 250
# put it on the slider's grid).
SCALE_RANGE = (500.0, 20_000.0, 250.0)
DEFAULT_SCENARIO = "baseline"
DEFAULT_SEED = 1
SEED_RANGE = (0, 999)
SLIDER_STEPS = 100  # a float lever moves in steps of 1/100 of its declared range
BASELINE_SCENARIO = "baseline"
# Mesa's controller waits this long between two steps while playing; each step also redraws the
# page (about 0.4 s in the browser), which sets the pace. SolaraViz would add sliders for this
# interval, for steps per redraw and for a model thread; the app leaves them out (docs/app.md).
PLAY_INTERVAL_MS = 100


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


def readout(value: float, control: dict[str, Any]) -> str:
    """A control's value as shown beside its label, with the digits its step needs: ``0.55``, ``2,000``."""
    if control["type"] == "Select":
        return str(value)
    digits = max(0, -int(np.floor(np.log10(control["step"])))) if control["type"] == "SliderFloat" else 0
    return f"{value:,.{digits}f}"


def defaults() -> dict[str, Any]:
    """The controls' starting values."""
    return {name: control["value"] for name, control in model_params().items()}


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
        self.baseline_run: AppModel | None = None  # a run kept at this one's step (compare mode)

    def step(self) -> None:
        """One quarter; then the baseline run set beside this one, if any, makes its quarter too."""
        super().step()
        if self.baseline_run is not None:
            catch_up(self.baseline_run, self)  # Mesa counts a step (model.steps) before running it


def baseline_of(model: AppModel) -> AppModel:
    """The baseline run to set beside ``model``: the baseline scenario at the declared lever values,
    with the same seed and scale, at step 0."""
    return AppModel(scenario_name=BASELINE_SCENARIO, seed=model.seed, people_per_agent=getattr(model.params, SCALE))


def catch_up(baseline: YRDModel, model: YRDModel) -> None:
    """Step the baseline run until it has made as many steps as the model."""
    while baseline.steps < model.steps:
        baseline.step()


@solara.component
def RunSummary(model: AppModel, baseline: AppModel | None = None):
    """What is running: scenario, quarter, levers, seed and scale; and the baseline it is set beside."""
    update_counter.get()
    params = model.params
    levers = model.levers
    spread = "" if np.ptp(levers.barrier) == 0 else "mean over provinces, "
    solara.Text(f"Scenario {model.scenario_name}: {model.scenario_description}", style={"font-weight": "600"})
    solara.Text(
        f"{quarter_label(model)} (step {model.steps}) · barrier {levers.mean_barrier:.2f} ({spread}set {params.barrier:.2f}) · "
        f"specialization {levers.specialization:.2f}"
        + ("" if levers.specialization == params.specialization else f" (set {params.specialization:.2f})")
        + f" · seed {model.seed} · "
        f"{getattr(params, SCALE):,.0f} people per agent: {model.workers.count:,} worker agents, "
        f"{model.firms.count:,} firm agents ({model.metrics['firms']:,.0f} founding-size)",
        classes=["ydabm-summary"],
    )
    if baseline is not None:
        same = baseline.params == model.params and not model.policies
        solara.Text(
            f"Compared with the baseline run (dashed in the charts; the map shows this run minus it): scenario "
            f"{baseline.scenario_name}, barrier {baseline.params.barrier:.2f}, specialization "
            f"{baseline.params.specialization:.2f}, same seed and scale"
            + (". This run has the baseline's settings, so every difference is zero." if same else "."),
            classes=["ydabm-baseline"],
        )


@solara.component
def Controls(values: solara.Reactive[dict[str, Any]]):
    """The model's controls, each showing its current value; they take effect on Reset."""
    for name, control in model_params().items():
        value = values.value.get(name, control["value"])

        def set_value(new, name=name):
            values.set({**values.value, name: new})

        if control["type"] == "Select":
            solara.Select(control["label"], values=control["values"], value=value, on_value=set_value)
            continue
        widget = solara.SliderInt if control["type"] == "SliderInt" else solara.SliderFloat
        widget(f"{control['label']}: {readout(value, control)}", value=value, min=control["min"], max=control["max"],
               step=control["step"], on_value=set_value, thumb_label=False)


@solara.component
def PlaybackHelp():
    """What Reset, Play and Step do."""
    solara.Text("Step: one quarter. ▶: quarter after quarter, the page redrawn after each, until ❚❚. "
                "Reset: a new run from 2020 with the controls below; a changed control takes effect only then.",
                classes=["ydabm-playback-help"], style={"font-size": "0.85em", "color": "#555", "display": "block"})


@solara.component
def ControlsHelp():
    """The meaning, unit and bounds of each control, from the parameter declarations."""
    with solara.Details(summary="What the controls mean (changes take effect on Reset)"):
        for name in (*LEVERS, SCALE):
            param = BY_NAME[name]
            solara.Text(f"{name} [{param.low:g}, {param.high:g}] ({param.unit}), default {param.default:g}: "
                        f"{param.meaning}.", style={"display": "block"})
        solara.Text(f"scenario: parameter overrides and policies from configs/scenarios; seed: the run's "
                    f"generator ({SEED_RANGE[0]}-{SEED_RANGE[1]}). Compare with the baseline: a second run of "
                    f"the {BASELINE_SCENARIO} scenario at the declared barrier and specialization, with the same "
                    f"seed and scale, kept at the same step.", style={"display": "block"})


@solara.component
def Dashboard(model: AppModel):
    """The main panel: run summary, the city map beside a city's panel, indicator charts below;
    with "Compare with the baseline run" on, each set beside a baseline run that steps with the model."""
    colouring = solara.use_reactive(DEFAULT_COLOURING)
    compare = solara.use_reactive(False)
    names = list(model.geography.names)
    city = solara.use_reactive(names[0])

    def compared() -> AppModel | None:
        run = baseline_of(model) if compare.value else None
        if run is not None:
            catch_up(run, model)
        model.baseline_run = run  # attached only once caught up: a playing model's steps take it on from here
        return run

    baseline = solara.use_memo(compared, [model, compare.value])
    with solara.Column(gap="8px", style={"padding": "4px 12px"}):
        RunSummary(model, baseline)
        with solara.Row(gap="24px", style={"flex-wrap": "wrap", "align-items": "flex-start"}):
            with solara.Column(gap="0px"):
                with solara.Row(gap="24px", style={"align-items": "center"}):
                    solara.Select("Colour cities by", values=list(COLOURINGS), value=colouring, dense=True,
                                  style={"max-width": "320px"})
                    solara.Switch(label="Compare with the baseline run", value=compare)
                CityMap(model, colouring.value, city.value, on_select=city.set, baseline=baseline)
            with solara.Column(gap="0px"):
                solara.Select("City", values=names, value=city, dense=True, style={"max-width": "320px"})
                CityPanel(model, city.value, baseline=baseline)
        IndicatorCharts(model, baseline=baseline)
        ControlsHelp()


@solara.component
def Page():
    """The app: Mesa's model controller and the controls in the sidebar, the dashboard beside them."""
    initial = solara.use_memo(AppModel, [])
    model = solara.use_reactive(initial)
    values = solara.use_reactive(solara.use_memo(defaults, []))
    # Mesa 3.5's ModelController types these int | Reactive[int] but reads .value unconditionally: pass reactives
    play_interval, render_interval, use_threads = (solara.use_reactive(PLAY_INTERVAL_MS), solara.use_reactive(1),
                                                   solara.use_reactive(False))
    with solara.AppBar():
        solara.AppBarTitle(TITLE)
    with solara.Sidebar(), solara.Column():
        with solara.Card("Run"):
            ModelController(model, model_parameters=values, play_interval=play_interval,
                            render_interval=render_interval, use_threads=use_threads)
            ShowSteps(model.value)
            PlaybackHelp()
        with solara.Card("Model parameters"):
            Controls(values)
    Dashboard(model.value)
