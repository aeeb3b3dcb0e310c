"""Mesa's SolaraViz renders and runs with no access to the internet (assets from Solara's CDN cache)."""

from __future__ import annotations

import json
import re
import time
from pathlib import Path

import pytest
from browser import assert_stayed_offline, guard_network, launch_chromium, screenshot_on_failure, serve_solara
from playwright.sync_api import expect, sync_playwright

from ydabm.viz.assets import SOLARA_ASSETS, missing_solara_assets

RESULTS = Path(__file__).resolve().parents[1] / "results" / "browser"
SCREENSHOT = RESULTS / "offline_smoke.png"

# A throwaway model and page: five agents save a random 1-3 coins per step; the page has Mesa's
# controls, a model-parameter slider, the same series drawn by both plot backends, and a Markdown
# note (which makes Solara load KaTeX and Mermaid).
APP_SOURCE = '''
import mesa
import solara
from mesa.visualization import Slider, SolaraViz, make_plot_component


class Saver(mesa.Agent):
    def __init__(self, model):
        super().__init__(model)
        self.wealth = 0

    def step(self):
        self.wealth += int(self.model.rng.integers(1, 4))


class SavingsModel(mesa.Model):
    def __init__(self, n_agents=5, rng=None):
        super().__init__(rng=rng)
        Saver.create_agents(self, n_agents)
        self.datacollector = mesa.DataCollector(model_reporters={"Total wealth": "total_wealth"})
        self.datacollector.collect(self)

    @property
    def total_wealth(self):
        return sum(self.agents.get("wealth"))

    def step(self):
        self.agents.do("step")
        self.datacollector.collect(self)


def AgentCount(model):
    return solara.Markdown(f"{len(model.agents)} agents; wealth $w_t$ in coins")


page = SolaraViz(
    SavingsModel(n_agents=5, rng=42),
    components=[
        make_plot_component("Total wealth", backend="altair"),
        make_plot_component("Total wealth", backend="matplotlib"),
        AgentCount,
    ],
    model_params={"n_agents": Slider("Number of agents", value=5, min=1, max=20, step=1), "rng": 42},
    name="Offline smoke",
)
'''

# Selectors for Mesa 3.5.1's SolaraViz on Solara 1.64.1 (Vue 2 / Vuetify 2); see docs/viz_offline.md.
# The role="slider" element (read aria-valuenow, press arrow keys) is Vuetify's thumb container,
# which Playwright reports hidden (zero size); check the visibility of the whole input instead.
SLIDER = ".v-input__slider"
ALTAIR_CHART = ".vega-embed .marks"  # a <canvas class="marks"> (or <svg> with the svg renderer)
MATPLOTLIB_CHART = "img.widget-image"  # a PNG as a blob: URL, replaced on every redraw
MARKDOWN_MATH = ".solara-markdown .katex"
LOADING_SPLASH = "#loader-container"
FIRST_RENDER_TIMEOUT_MS = 60_000


def _requested_specs(text: str) -> set[str]:
    """``<package>@<version>`` of every CDN URL with a literal version in a Solara source text."""
    prefix = r"(?:\{\{cdn\}\}|\$\{this\.getCdn\(\)\})/"
    return set(re.findall(prefix + r"((?:@[\w.-]+/)?[\w.-]+@[\w.-]+)/", text))


def test_asset_list_matches_what_solara_requests():
    import solara
    import solara.server.settings

    root = Path(solara.__file__).parent
    sources = ["server/templates/solara.html.j2", "widgets/vue/gridlayout.vue", "widgets/vue/vegalite.vue"]
    sources.append("components/markdown.py")
    requested = set().union(*(_requested_specs((root / source).read_text()) for source in sources))
    requested.discard("@widgetti/solara-vuetify3-app@5.2.0")  # the Vue 3 page; ipyvue<2 gives Vue 2
    requested.add(solara.server.settings.assets.fontawesome_path.split("/")[1])

    assert requested == {asset.spec for asset in SOLARA_ASSETS}


@pytest.mark.browser
@pytest.mark.slow
def test_solara_viz_renders_and_steps_offline(tmp_path):
    missing = missing_solara_assets()
    if missing:
        pytest.fail(
            f"Solara's CDN cache lacks {len(missing)} files (e.g. {missing[0]}): run scripts/fetch_solara_assets.sh",
            pytrace=False,
        )
    app = tmp_path / "app.py"
    app.write_text(APP_SOURCE)

    with serve_solara(app) as server, sync_playwright() as playwright:
        browser = launch_chromium(playwright)
        page = browser.new_page(viewport={"width": 1400, "height": 900})
        network = guard_network(page.context)
        try:
            with screenshot_on_failure(page, RESULTS / "offline_smoke_failure.png"):
                started = time.monotonic()
                page.goto(server.url)
                step = page.get_by_role("button", name="Step")
                for element in (
                    step,
                    page.get_by_role("button", name="Reset"),
                    page.get_by_role("button", name="▶"),
                    page.locator(SLIDER, has_text="Number of agents"),
                    page.locator(ALTAIR_CHART),
                    page.locator(MATPLOTLIB_CHART),
                    page.locator(MARKDOWN_MATH),
                ):
                    expect(element).to_be_visible(timeout=FIRST_RENDER_TIMEOUT_MS)
                first_render_s = time.monotonic() - started
                expect(page.locator(LOADING_SPLASH)).to_have_count(0)

                counter = page.get_by_text(re.compile(r"^Time: "))
                expect(counter).to_have_text("Time: 0.0")
                charts_before = _chart_fingerprints(page)
                clicked = time.monotonic()
                step.click()
                expect(counter).to_have_text("Time: 1.0", timeout=15_000)
                step_s = time.monotonic() - clicked
                for expected in ("Time: 2.0", "Time: 3.0"):
                    step.click()
                    expect(counter).to_have_text(expected, timeout=15_000)
                _expect_charts_redrawn(page, charts_before)
                RESULTS.mkdir(parents=True, exist_ok=True)
                page.screenshot(path=SCREENSHOT)

                slider = page.get_by_role("slider", name="Number of agents")
                slider.focus()
                slider.press("ArrowRight")
                expect(slider).to_have_attribute("aria-valuenow", "6")
                page.get_by_role("button", name="Reset").click()
                expect(counter).to_have_text("Time: 0.0", timeout=15_000)
                expect(page.locator(".solara-markdown")).to_contain_text("6 agents", timeout=15_000)
                chromium_version = browser.version
        finally:
            browser.close()

    assert_stayed_offline(network)
    timings = {"first_render_s": round(first_render_s, 2), "step_round_trip_s": round(step_s, 2)}
    (RESULTS / "offline_smoke.json").write_text(json.dumps({**timings, "chromium": chromium_version}, indent=2))
    print(f"offline smoke: {timings}")


def _chart_fingerprints(page) -> tuple[str, str]:
    """The matplotlib image's blob URL and the Vega chart's pixels (or SVG markup)."""
    vega = page.locator(ALTAIR_CHART).evaluate("m => m.toDataURL ? m.toDataURL() : m.outerHTML")
    return page.locator(MATPLOTLIB_CHART).get_attribute("src"), vega


def _expect_charts_redrawn(page, before: tuple[str, str], timeout_s: float = 15) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        after = _chart_fingerprints(page)
        if all(a != b for a, b in zip(after, before, strict=True)):
            return
        page.wait_for_timeout(200)
    unchanged = [name for name, a, b in zip(("matplotlib", "altair"), after, before, strict=True) if a == b]
    pytest.fail(f"charts not redrawn after stepping: {unchanged}")
