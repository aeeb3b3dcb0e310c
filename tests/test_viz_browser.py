"""The browser app end to end: served on loopback, driven in headless Chromium, with no request
leaving the machine. Writes timings to results/browser/app.json and the README's screenshot."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
from browser import (SOLARA_OFFLINE_ENV, assert_stayed_offline, free_port, guard_network, launch_chromium,
                     screenshot_on_failure, serve_solara)
from playwright.sync_api import expect, sync_playwright

from ydabm.geography import build_geography
from ydabm.params import DEFAULTS
from ydabm.viz.assets import missing_solara_assets
from ydabm.viz.charts import SECTOR_COLOURS
from ydabm.viz.cli import APP
from ydabm.viz.maps import PROVINCE_EDGE

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "results" / "browser"
SCREENSHOT = RESULTS / "app.png"
COMPARE_SCREENSHOT = RESULTS / "app_compare.png"
EXAMPLE = ROOT / "results" / "examples" / "app_screenshot.png"
VIEWPORT = {"width": 1600, "height": 1350}
# Vega draws each chart into a <canvas class="marks"> inside the wrapper the app gives it
CHARTS = {"map": ".ydabm-map .vega-embed canvas.marks", "city": ".ydabm-city .vega-embed canvas.marks",
          "indicators": ".ydabm-indicators .vega-embed canvas.marks"}
# Read the tooltip vega-embed shows for the item under the pointer ("" when hidden)
TOOLTIP = """() => { const t = document.getElementById("vg-tooltip-element");
  return t && t.classList.contains("visible") ? t.innerText : ""; }"""
FIRST_RENDER_TIMEOUT_MS = 90_000
STEP_TIMEOUT_MS = 20_000
# The goal is a step and redraw within about 1 s on 2 cores; the assertion leaves room for a CI
# runner shared with other jobs. The measured times are written to results/browser/app.json.
STEP_GOAL_S = 1.0
STEP_LIMIT_S = 3.0

# Records, for each chart, the time of the last DOM change in its wrapper since the call (vega-embed
# replaces the canvas when Solara sends a new spec), and when the step counter changed.
WATCH_REDRAWS = """(charts) => {
  window.__redraw = {};
  const start = performance.now();
  for (const [name, selector] of Object.entries(charts)) {
    const wrapper = document.querySelector(selector).closest(".vega-embed").parentElement;
    new MutationObserver(() => { window.__redraw[name] = (performance.now() - start) / 1000; })
      .observe(wrapper, {childList: true, subtree: true, attributes: true});
  }
}"""
# How many pixels of a canvas are within a small distance of each given colour, and how many are not white.
COUNT_COLOURS = """([canvas, colours]) => {
  const {data} = canvas.getContext("2d").getImageData(0, 0, canvas.width, canvas.height);
  const targets = colours.map(hex => [1, 3, 5].map(i => parseInt(hex.slice(i, i + 2), 16)));
  const counts = targets.map(() => 0);
  let inked = 0;
  for (let p = 0; p < data.length; p += 4) {
    if (data[p + 3] > 0 && (data[p] < 250 || data[p + 1] < 250 || data[p + 2] < 250)) inked++;
    targets.forEach((t, k) => {
      if (Math.abs(data[p] - t[0]) + Math.abs(data[p + 1] - t[1]) + Math.abs(data[p + 2] - t[2]) < 40) counts[k]++;
    });
  }
  return {counts, inked, size: data.length / 4};
}"""


@pytest.fixture(scope="module")
def assets_cached():
    missing = missing_solara_assets()
    if missing:
        pytest.fail(f"Solara's CDN cache lacks {len(missing)} files (e.g. {missing[0]}): run "
                    "scripts/fetch_solara_assets.sh", pytrace=False)


@pytest.mark.browser
@pytest.mark.slow
def test_app_explores_a_run_offline(assets_cached):
    with serve_solara(APP) as server, sync_playwright() as playwright:
        browser = launch_chromium(playwright)
        page = browser.new_page(viewport=VIEWPORT)
        network = guard_network(page.context)
        try:
            with screenshot_on_failure(page, RESULTS / "app_failure.png"):
                timings = _explore(page, server.url)
                chromium = browser.version
        finally:
            browser.close()
        output = server.output()

    assert_stayed_offline(network)
    # browsed as localhost, Solara sets its session cookie without warning (docs/app.md)
    assert "samesite" not in output.lower() and "Traceback" not in output, output
    if os.environ.get("YDABM_UPDATE_EXAMPLES") == "1":
        # a maintainer refreshes the README's screenshot on purpose; a test run leaves the tree clean
        shutil.copyfile(SCREENSHOT, EXAMPLE)
    load = os.getloadavg()[0]
    (RESULTS / "app.json").write_text(json.dumps(
        {**timings, "step_goal_s": STEP_GOAL_S, "cpus": os.cpu_count(), "load_average_1min": round(load, 2),
         "chromium": chromium}, indent=2))
    print(f"app in browser: {timings} (1-min load average {load:.1f} on {os.cpu_count()} CPUs)")
    assert timings["step_and_redraw_median_s"] < STEP_LIMIT_S


def _explore(page, url: str) -> dict:
    """Drive the app; return the measured timings (seconds)."""
    started = time.monotonic()
    page.goto(url)
    for name in ("Reset", "▶", "Step"):
        expect(page.get_by_role("button", name=name, exact=True)).to_be_visible(timeout=FIRST_RENDER_TIMEOUT_MS)
    # every slider shows its value; Mesa's playback sliders are left out, the buttons explained
    scale = f"People per agent: {DEFAULTS['people_per_agent']:,.0f}"       # the declared default, as the app labels it
    for text in ("Barrier: 0.50", "Specialization: 0.50", scale, "Seed: 1"):
        expect(page.locator(".v-input__slider", has_text=text)).to_be_visible()
    expect(page.get_by_text("Play Interval")).to_have_count(0)
    expect(page.get_by_text("Use Threads")).to_have_count(0)
    expect(page.locator(".ydabm-playback-help")).to_contain_text("Reset: a new run")
    expect(page.locator(".v-select", has_text="Scenario")).to_contain_text("baseline")
    for selector in CHARTS.values():
        expect(page.locator(selector)).to_be_visible(timeout=FIRST_RENDER_TIMEOUT_MS)
    _wait_until_drawn(page)
    first_render_s = time.monotonic() - started

    # the map: city areas filled in sector colours (areas, not dots) under the province outlines
    map_pixels = page.locator(CHARTS["map"]).evaluate(f"c => ({COUNT_COLOURS})([c, {json.dumps([*SECTOR_COLOURS, PROVINCE_EDGE])}])")
    assert map_pixels["size"] > 500 * 500
    areas = sorted(map_pixels["counts"][:-1], reverse=True)
    assert areas[4] > 2000, map_pixels  # at least five sectors lead somewhere, each over a sizeable area
    assert sum(areas) > 0.2 * map_pixels["size"], map_pixels
    assert map_pixels["counts"][-1] > 1000, map_pixels  # province outlines

    # hovering the map names the city under the pointer
    cities = _hover_cities(page)
    assert len(cities) >= 10, cities
    assert cities <= set(build_geography().names), cities

    counter = page.get_by_text(re.compile(r"^Time: "))
    summary = page.locator(".ydabm-summary")
    expect(counter).to_have_text("Time: 0.0")
    expect(summary).to_contain_text("barrier 0.50 (set 0.50)")

    # a changed control shows its value at once and takes effect on Reset
    barrier = page.get_by_role("slider", name="Barrier")
    barrier.focus()
    for _ in range(5):
        barrier.press("ArrowRight")
    expect(barrier).to_have_attribute("aria-valuenow", "0.55")
    expect(page.locator(".v-input__slider", has_text="Barrier: 0.55")).to_be_visible()
    _wait_until_drawn(page)
    initial = _fingerprints(page)
    page.get_by_role("button", name="Step", exact=True).click()
    expect(counter).to_have_text("Time: 1.0", timeout=STEP_TIMEOUT_MS)
    _wait_until_changed(page, initial)
    stepped = _fingerprints(page)
    page.get_by_role("button", name="Reset", exact=True).click()
    expect(counter).to_have_text("Time: 0.0", timeout=STEP_TIMEOUT_MS)
    expect(summary).to_contain_text("barrier 0.55 (set 0.55)", timeout=STEP_TIMEOUT_MS)
    expect(summary).to_contain_text("(step 0)")
    # the charts show the reset run before the steps below are fingerprinted: the counter can say 0
    # while the canvases still show step 1, and a fingerprint taken then can equal step 1 of the new run
    # (one quarter at barrier 0.55 instead of 0.50 may leave the map's pixels unchanged). Without this
    # wait the map was "not redrawn" in 2 of 19 runs (never, even after 120 s); with it 12 of 12 passed
    _wait_until_changed(page, stepped)
    _wait_until_drawn(page)

    # step: the counter and every chart change; time click -> counter and click -> last chart redrawn
    counter_s, redraw_s = _steps(page, counter, range(1, 5))
    expect(summary).to_contain_text("(step 4)")

    # the city panel follows the City select (Vuetify lists the first 20 options until the menu scrolls)
    before = _fingerprints(page)["city"]
    page.locator(".v-select", has_text="City").click()
    page.get_by_role("option", name="Hangzhou", exact=True).click()
    expect(page.locator(".v-select", has_text="City")).to_contain_text("Hangzhou")
    _wait_until_changed(page, {"city": before})
    RESULTS.mkdir(parents=True, exist_ok=True)
    page.mouse.move(0, 0)
    page.screenshot(path=SCREENSHOT)

    # the map's colour follows the chosen metric
    before = _fingerprints(page)["map"]
    page.locator(".v-select", has_text="Colour cities by").click()
    page.get_by_role("option", name="Wage (yuan / yr)").click()
    _wait_until_changed(page, {"map": before})

    # compare mode: a baseline run beside this one, its difference on the map, dashed in the charts
    before = _fingerprints(page)
    page.get_by_text("Compare with the baseline run", exact=True).click()  # Vuetify's ripple covers the input
    expect(page.get_by_role("switch", name="Compare with the baseline run")).to_be_checked()
    expect(page.locator(".ydabm-baseline")).to_contain_text("barrier 0.50", timeout=STEP_TIMEOUT_MS)
    _wait_until_changed(page, before)
    compare_counter_s, compare_redraw_s = _steps(page, counter, range(5, 7))
    tooltip = _hover_tooltip(page, "Wage (yuan / yr), baseline")
    assert "this run" in tooltip and "this run − baseline" in tooltip, tooltip
    page.mouse.move(0, 0)
    page.screenshot(path=COMPARE_SCREENSHOT)

    # play runs on by itself until paused
    page.get_by_role("button", name="▶", exact=True).click()
    expect(counter).not_to_have_text(re.compile(r"^Time: [0-8]\.0$"), timeout=60_000)
    page.get_by_role("button", name="❚❚", exact=True).click()
    expect(page.get_by_role("button", name="Step", exact=True)).to_be_enabled(timeout=STEP_TIMEOUT_MS)

    return {
        "first_render_s": round(first_render_s, 2),
        "step_counter_s": [round(t, 2) for t in counter_s],
        "step_and_redraw_s": [round(t, 2) for t in redraw_s],
        "step_and_redraw_median_s": round(sorted(redraw_s)[len(redraw_s) // 2], 2),
        "compare_step_and_redraw_s": [round(t, 2) for t in compare_redraw_s],
    }


def _steps(page, counter, steps) -> tuple[list[float], list[float]]:
    """Click Step once per expected counter value; return click -> counter and click -> last redraw times."""
    counter_s, redraw_s = [], []
    for step in steps:
        before = _fingerprints(page)
        page.evaluate(WATCH_REDRAWS, CHARTS)
        clicked = time.monotonic()
        page.get_by_role("button", name="Step", exact=True).click()
        expect(counter).to_have_text(f"Time: {step}.0", timeout=STEP_TIMEOUT_MS)
        counter_s.append(time.monotonic() - clicked)
        _wait_until_changed(page, before)
        page.wait_for_timeout(300)  # let the last redraw finish before reading its time
        redraw_s.append(max(page.evaluate("window.__redraw").values()))
    return counter_s, redraw_s


def _hover_cities(page, grid: int = 9) -> set[str]:
    """The city names the map's tooltip shows while the pointer visits a grid of points over it."""
    box = page.locator(CHARTS["map"]).bounding_box()
    names = set()
    for i in range(1, grid):
        for j in range(1, grid):
            page.mouse.move(box["x"] + box["width"] * 0.7 * i / grid, box["y"] + box["height"] * j / grid, steps=2)
            page.wait_for_timeout(60)
            found = re.search(r"^City\s+(\S+)", page.evaluate(TOOLTIP), re.MULTILINE)
            if found:
                names.add(found.group(1))
    return names


def _hover_tooltip(page, containing: str, grid: int = 6) -> str:
    """The first map tooltip that contains ``containing`` while the pointer visits a grid of points."""
    box = page.locator(CHARTS["map"]).bounding_box()
    for i in range(1, grid):
        for j in range(1, grid):
            page.mouse.move(box["x"] + box["width"] * 0.7 * i / grid, box["y"] + box["height"] * j / grid, steps=2)
            page.wait_for_timeout(100)
            text = page.evaluate(TOOLTIP)
            if containing in text:
                return text
    pytest.fail(f"no map tooltip contains {containing!r}")


def _fingerprints(page) -> dict[str, str]:
    return {name: page.locator(selector).evaluate("c => c.toDataURL()") for name, selector in CHARTS.items()}


def _wait_until_drawn(page, timeout_s: float = 60) -> None:
    """Wait until every chart's canvas holds ink (vega-embed first inserts an empty canvas)."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        inked = [page.locator(s).evaluate(f"c => ({COUNT_COLOURS})([c, []]).inked") for s in CHARTS.values()]
        if all(count > 1000 for count in inked):
            return
        page.wait_for_timeout(200)
    pytest.fail(f"charts not drawn within {timeout_s} s: ink {dict(zip(CHARTS, inked, strict=True))}")


def _wait_until_changed(page, before: dict[str, str], timeout_s: float = 20) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        after = {name: page.locator(CHARTS[name]).evaluate("c => c.toDataURL()") for name in before}
        if all(after[name] != before[name] for name in before):
            return
        page.wait_for_timeout(200)
    pytest.fail(f"charts not redrawn: {[name for name in before if after[name] == before[name]]}")


@pytest.mark.slow
def test_ydabm_viz_serves_the_app_on_loopback():
    port = free_port()
    env = {**os.environ, **SOLARA_OFFLINE_ENV}
    command = [sys.executable, "-m", "ydabm.cli", "viz", "--port", str(port)]
    server = subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        announced = ""
        while "serving" not in announced:
            line = server.stdout.readline()
            assert line, f"`ydabm viz` exited before announcing its address: {announced}"
            announced += line
        assert f"serving http://localhost:{port}/" in announced
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/readyz", timeout=2) as response:
                    assert response.status == 200
                    break
            except OSError:
                assert server.poll() is None, "the server exited"
                assert time.monotonic() < deadline, "the server did not answer within 60 s"
                time.sleep(0.2)
        # the announced address gets the page and a SameSite=None; Secure session cookie, no warning
        with urllib.request.urlopen(f"http://localhost:{port}/", timeout=30) as response:
            assert "solara" in response.read().decode().lower()
            assert "SameSite=none; Secure" in response.headers["set-cookie"]
    finally:
        server.terminate()  # `ydabm viz` became the Solara server (exec), so this stops the server
        try:
            output, _ = server.communicate(timeout=10)
        except subprocess.TimeoutExpired:
            server.kill()
            output, _ = server.communicate()
    assert "samesite" not in output.lower(), output
