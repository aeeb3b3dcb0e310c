"""Supply-chain figures of docs/validation.md ("Supply chains"): the baseline with input-output
linkages, the input origins at 2020 Q2 and the external supply shock.

    PYTHONPATH=src OMP_NUM_THREADS=1 python scripts/supply_chain_baseline.py [--seeds 1 2 3]
        [--quarters 40] [--series SECTOR] [--setup-orders | --orders-at-realised] [--set NAME=VALUE]
        [--json]

Per seed, ``YRDModel(rng=seed, input_output=1)`` for ``--quarters`` quarters (no shock): unemployment
at quarter 0, its lowest value (and quarter) and largest |change|, the firm mass after the run
relative to quarter 0, the largest exits of a quarter over their mean, the range of the share of
their orders steel and petrochemicals serve (revenue-weighted over supplier cities), the largest
move of manufacturing similarity, the largest market residual and unmet input share. With
``--series SECTOR`` the first seed's quarter-by-quarter series of that sector (issue 12's cycle):
spending on it and the input orders in it, posted over markup price, notional orders and expected
demand over revenue, capacity utilisation, staff room over capacity, served share, and its buyers'
stocks over their target and orders over use. Seed 1 again with ``tfp_growth_scale = 0`` (no trend
growth). At 2020 Q2 (seed 1) the region's input origins (within the city, province, other YRD
provinces, outside the region) and the range over cities of the shares bought within the city and
outside the region. The
``external_supply_shock`` scenario against the supply-chain baseline of the same seed: the region's
real GDP deviation in 2022 Q1-Q4 and the largest unmet input share.

Per seed also the first quarter's goods-market spending relative to the set-up's (and its input
orders in goods, which are stored, and in services), and at the set-up
the output made over the output planned (firms at their staff limit make less) and the
revenue-weighted premium of posted over markup prices. Counterfactuals of the diagnosis of the
supply-chain unemployment band (tests/test_stationarity.py, issue 10 item 2), applied to the baseline
runs only:

- ``--setup-orders``: the set-up's goods market is cleared again with the orders the first
  quarter's rule places (:class:`SetupOrders`: goods from the inventories' steady state, every input
  at the listed prices), until its input orders change by less than 1e-9; the firms' expectations
  stay the calibrated demand. This makes the set-up's input spending the order rule's.
- ``--orders-at-realised``: buyers order at last quarter's realised input price index (the scarcity
  premiums included) instead of the listed prices (:class:`RealisedOrders`): a change of the step,
  to size the premium that listed prices leave out.
- ``--set NAME=VALUE`` (repeatable): a model parameter of the baseline runs, e.g.
  ``workers_per_firm=94`` (firm agents four times as large: less of their output is lost at a
  whole-worker staff limit).
"""

from __future__ import annotations

import argparse
import json
import time

import numpy as np

from ydabm import YRDModel
from ydabm.mechanisms import supply_chain
from ydabm.observation import city_sourcing
from ydabm.params import ParameterError, parse_assignment
from ydabm.scenarios import load_scenario

ORIGINS = ("inputs_within_city", "inputs_within_province", "inputs_other_provinces", "inputs_outside_region")


#: sectors whose served share the baseline reports (the heavily rationed input sectors of issue 12)
RATIONED = ("steel_metals", "petrochemicals")


class Observed(YRDModel):
    """The model, keeping each quarter's markup prices and the set-up's (the firms' posted prices
    replace them in the goods market) so that the series can show the premium of posted over markup
    prices."""

    def plan_production(self):
        plan = super().plan_production()
        self.markup = plan.price
        return plan

    def _steady_stock(self, markup: np.ndarray) -> np.ndarray:
        # called once in the set-up, with the set-up firms' markup prices (the first rows)
        self.markup_setup = self.firms.price.copy()
        self.markup_setup[:markup.size] = markup
        return super()._steady_stock(markup)


class SetupOrders(Observed):
    """The model whose set-up places the input orders of the first quarter's rule (``--setup-orders``).

    The set-up clears its goods market with orders for the calibrated output at stocks at their target,
    each at the 2020 input-price base (the set-up's realised index), then starts the stocks at the
    order rule's steady state. Here the market is cleared again with the orders the step places from
    that steady stock at the listed prices (each supplier firm at its markup price, serving last
    quarter's share of its orders), the base, deliveries and steady stock taken again, until the
    orders settle. The firms keep the calibrated demand as their expectations, as the set-up writes it.
    """

    #: most rounds of the set-up's fixed point, and its tolerance on the region's input orders
    ROUNDS, TOLERANCE = 100, 1e-9

    def _steady_stock(self, markup: np.ndarray) -> np.ndarray:
        stock = super()._steady_stock(markup)
        rows = np.arange(markup.size)
        calibrated = self.firms.notional_sales[rows].copy()
        spent = self.goods.spending.sum()                 # the set-up's market as the model clears it
        for rounds in range(1, self.ROUNDS + 1):
            self.stock = stock
            full = self.firms.price.copy()
            full[rows] = markup
            listed = self.listed_input_prices(full)
            orders = supply_chain.plan_orders(self.cell_labour(self.planned_output), sum(self.requirements),
                                              self._origin_shares(self.requirements), stock, self.inventory_weeks,
                                              self.params.inventory_restock, np.ones_like(listed),
                                              self.abroad_supply(), listed)
            before = self.input_orders.sum()
            self.orders, self.input_price = orders, listed
            self.input_orders = np.einsum("jsk,jk->jk", orders.region, listed)
            self.region_purchases = orders.region * listed[:, None, :]
            self.purchases = self.input_purchases()
            self.paid_unit_cost = self.unit_input_cost()
            self.firms.price[rows] = markup
            self.sourcing = None                    # the set-up's clearing: buyers at their CES shares
            self.firms.apply_sales(self.clear_goods_market())
            self.firms.notional_sales[rows] = calibrated
            self.input_price0 = self.input_index.copy()
            self.apply_deliveries(self.deliver_inputs())
            stock = super()._steady_stock(markup)
            if abs(self.input_orders.sum() / before - 1.0) < self.TOLERANCE:
                break
        self.setup_rounds = rounds
        self.setup_spending_change = float(self.goods.spending.sum() / spent - 1.0)
        return stock


class RealisedOrders(Observed):
    """The model whose buyers order at last quarter's realised input price index, the scarcity premiums
    of suppliers at their staff limit included (``--orders-at-realised``; the model orders at listed
    prices, which leave them out)."""

    def listed_input_prices(self, price: np.ndarray | None = None) -> np.ndarray:
        return self.input_price.copy()


COUNTERFACTUALS = {"setup_orders": SetupOrders, "orders_at_realised": RealisedOrders}


def setup_state(model: YRDModel) -> dict:
    """At the set-up: the output made over the output planned and the revenue-weighted premium of
    posted over markup prices (the set-up's markup prices are its calibrated ones); with
    :class:`SetupOrders` also its market's spending relative to the model's set-up and the rounds."""
    f = model.firms
    live = f.alive
    markup = model.markup_setup[live]
    state = {"made_over_planned": float(f.output[live].sum() / model.planned_output[live].sum()),
             "premium": float(np.average(f.price[live] / markup, weights=f.revenue[live]))}
    if isinstance(model, SetupOrders):
        state["setup_spending_change"] = model.setup_spending_change
        state["setup_rounds"] = model.setup_rounds
    return state


def served(model: YRDModel, sector: int) -> float:
    """Share of its orders a sector serves, weighted over supplier cities by their sales."""
    sold = model.goods.flows[sector].sum(axis=1)
    return float((model.usual_service[:, sector] * sold).sum() / sold.sum())


def sector_quarter(model: Observed, sector: int) -> dict:
    """One quarter of a sector's cycle (see the module docstring)."""
    f = model.firms
    rows = np.flatnonzero(f.alive & (f.sector == sector))
    revenue = f.revenue[rows].sum()
    working = f.staff()[rows] * (1.0 - model.levers.absent[f.city[rows]])
    staff_room = np.maximum(working - f.overhead[rows], 0.0) * model.effective_productivity()[rows]
    use = model.orders.use[:, :, sector].sum()
    ordered = (model.orders.region + model.orders.outside + model.orders.abroad)[:, :, sector].sum()
    weeks = model.inventory_weeks[sector]
    return {"spending": float(model.goods.spending[:, sector].sum()),
            "input_orders": float(model.input_orders[:, sector].sum()),
            "premium": float(np.average(f.price[rows] / model.markup[rows], weights=f.revenue[rows])),
            "notional_over_revenue": float(f.notional_sales[rows].sum() / revenue),
            "expected_over_revenue": float(f.expected_sales[rows].sum() / revenue),
            "utilisation": float(f.output[rows].sum() / f.capacity[rows].sum()),
            "staff_room_over_capacity": float(staff_room.sum() / f.capacity[rows].sum()),
            "served": served(model, sector),
            "buyers_stock_over_target": float(model.stock[:, :, sector].sum() / (use * weeks / supply_chain.WEEKS)),
            "buyers_orders_over_use": float(ordered / use)}


def baseline(seed: int, quarters: int, series: int | None = None, model_class: type = Observed, **params) -> dict:
    model = model_class(rng=seed, input_output=1, **params)
    rationed = [model.sectors.names.index(name) for name in RATIONED]
    setup = {**setup_state(model), "first_quarter_spending": float("nan"),
             "first_quarter_orders": {"goods": float("nan"), "services": float("nan")}}
    stored = np.isfinite(model.inventory_weeks)

    def spending() -> tuple[float, float, float]:
        """The goods market's spending and the input orders in goods (stored) and services, yuan."""
        return (model.goods.spending.sum(), model.input_orders[:, stored].sum(), model.input_orders[:, ~stored].sum())

    before = spending()
    shares, rows = [], []
    for q in range(quarters):
        model.step()
        if q == 0:
            after = spending()
            setup["first_quarter_spending"] = float(after[0] / before[0] - 1)
            setup["first_quarter_orders"] = {"goods": float(after[1] / before[1] - 1),
                                             "services": float(after[2] / before[2] - 1)}
        shares.append([served(model, k) for k in rationed])
        if series is not None:
            rows.append(sector_quarter(model, series))
    frame = model.datacollector.get_model_vars_dataframe()
    shares = np.array(shares)
    exits = frame["exits"].iloc[1:]
    rate = frame["unemployment_rate"]
    sim = frame["similarity_manufacturing"]
    return {"seed": seed, "params": params, "counterfactual": model_class.__name__, **setup,
            "unemployment_t0": float(rate.iloc[0]), "unemployment_min": float(rate.min()),
            "unemployment_min_quarter": int(np.argmin(rate.to_numpy())),
            "unemployment_end": float(rate.iloc[-1]),
            "unemployment_max_pp": float(100 * (rate - rate.iloc[0]).abs().max()),
            "firms_change": float(frame["firms"].iloc[-1] / frame["firms"].iloc[0] - 1),
            "exits_peak_over_mean": float(exits.max() / exits.mean()),
            "served": {name: [float(shares[:, i].min()), float(shares[:, i].max())] for i, name in enumerate(RATIONED)},
            "series": rows,
            "similarity_manufacturing_max": float((sim - sim.iloc[0]).abs().max()),
            "market_residual_max": float(frame["market_residual"].max()),
            "unmet_input_share_max": float(frame["unmet_input_share"].max())}


def origins(seed: int) -> dict:
    model = YRDModel(rng=seed, input_output=1)
    model.step()                                    # 2020 Q2
    frame = model.datacollector.get_model_vars_dataframe()
    by_city = city_sourcing(model)
    names = model.geography.names
    out = {m: float(frame[m].iloc[-1]) for m in ORIGINS}
    for key in ("inputs_within_city", "inputs_outside_region"):
        values = np.asarray(by_city[key])
        out[key + "_by_city"] = {"min": float(values.min()), "min_city": names[int(values.argmin())],
                                 "max": float(values.max()), "max_city": names[int(values.argmax())]}
    return out


def external_shock(seed: int, quarters: int = 12) -> dict:
    scenario = load_scenario("external_supply_shock")
    params = scenario.params()
    shocked = YRDModel(rng=seed, policies=scenario.policies(params), **params)
    matched = YRDModel(rng=seed, input_output=1)
    for _ in range(quarters):
        shocked.step()
        matched.step()
    a = shocked.datacollector.get_model_vars_dataframe()
    b = matched.datacollector.get_model_vars_dataframe()
    deviation = (a["real_gdp"] / b["real_gdp"] - 1).to_numpy()
    # row 0 is 2020 Q1, so 2022 Q1..Q4 are rows 8..11
    return {"seed": seed, "deviation_2022": deviation[8:12].tolist(),
            "unmet_input_share_max": float(a["unmet_input_share"].max())}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, nargs="+", default=[1, 2, 3])
    parser.add_argument("--quarters", type=int, default=40)
    parser.add_argument("--series", default=None, help="a sector name: print the first seed's quarterly series")
    parser.add_argument("--json", action="store_true")
    counterfactual = parser.add_mutually_exclusive_group()
    counterfactual.add_argument("--setup-orders", action="store_true",
                                help="the set-up's market cleared with the first quarter's orders (SetupOrders)")
    counterfactual.add_argument("--orders-at-realised", action="store_true",
                                help="buyers order at last quarter's realised input prices (RealisedOrders)")
    parser.add_argument("--set", action="append", default=[], metavar="NAME=VALUE",
                        help="a model parameter of the baseline runs (repeatable), e.g. workers_per_firm=94")
    args = parser.parse_args()
    params = {}
    for item in args.set:
        try:
            name, value = parse_assignment(item)
        except ParameterError as error:
            parser.error(str(error))
        if name == "input_output":
            parser.error("--set input_output: the supply-chain baseline runs with input_output=1")
        params[name] = value
    model_class = next((c for flag, c in COUNTERFACTUALS.items() if getattr(args, flag)), Observed)
    start = time.perf_counter()
    sector = None
    if args.series is not None:
        names = YRDModel(rng=args.seeds[0], input_output=1).sectors.names
        if args.series not in names:
            parser.error(f"--series {args.series!r}: not a sector; allowed: {', '.join(names)}")
        sector = names.index(args.series)
    result = {"baseline": [baseline(s, args.quarters, sector if i == 0 else None, model_class, **params)
                           for i, s in enumerate(args.seeds)],
              "no_trend": baseline(args.seeds[0], args.quarters, None, model_class, **{**params, "tfp_growth_scale": 0.0}),
              "origins": origins(args.seeds[0]),
              "external_supply_shock": external_shock(args.seeds[0])}
    result["seconds"] = time.perf_counter() - start
    if args.json:
        print(json.dumps(result))
        return
    if model_class is not Observed:
        print(f"counterfactual: {model_class.__name__}")
    for r in result["baseline"] + [result["no_trend"]]:
        print(f"seed {r['seed']} {r['params'] or ''}: set-up made/planned {r['made_over_planned']:.4f}, premium "
              f"{r['premium']:.4f}; first-quarter spending {100 * r['first_quarter_spending']:+.3f} % (input "
              f"orders: goods {100 * r['first_quarter_orders']['goods']:+.3f} %, services "
              f"{100 * r['first_quarter_orders']['services']:+.3f} %)"
              + (f"; set-up spending {100 * r['setup_spending_change']:+.3f} % ({r['setup_rounds']} rounds)"
                 if "setup_spending_change" in r else ""))
        print(f"    unemployment {100 * r['unemployment_t0']:.2f} % -> min "
              f"{100 * r['unemployment_min']:.2f} % (q{r['unemployment_min_quarter']}), end "
              f"{100 * r['unemployment_end']:.2f} %, max |d| {r['unemployment_max_pp']:.2f} pp; firm mass "
              f"{100 * r['firms_change']:+.2f} %; exits peak/mean {r['exits_peak_over_mean']:.2f}; served "
              + ", ".join(f"{k} {lo:.3f}-{hi:.3f}" for k, (lo, hi) in r["served"].items())
              + f"; manufacturing similarity {r['similarity_manufacturing_max']:.4f}; "
              f"residual {r['market_residual_max']:.2g}; unmet {r['unmet_input_share_max']:.2g}")
    if sector is not None:
        print(f"seed {args.seeds[0]}, {args.series}: q spending input_orders (1e9 yuan) premium notional/rev "
              "expected/rev utilisation staff_room/capacity served buyers' stock/target orders/use")
        for q, row in enumerate(result["baseline"][0]["series"], start=1):
            print(f"q{q:2d} {row['spending'] / 1e9:8.1f} {row['input_orders'] / 1e9:8.1f} {row['premium']:.3f} "
                  f"{row['notional_over_revenue']:6.2f} {row['expected_over_revenue']:6.2f} {row['utilisation']:.3f} "
                  f"{row['staff_room_over_capacity']:.3f} {row['served']:.3f} {row['buyers_stock_over_target']:.2f} "
                  f"{row['buyers_orders_over_use']:.3f}")
    o = result["origins"]
    print("origins 2020 Q2: " + ", ".join(f"{m} {100 * o[m]:.1f} %" for m in ORIGINS))
    for key in ("inputs_within_city_by_city", "inputs_outside_region_by_city"):
        c = o[key]
        print(f"{key}: {100 * c['min']:.1f} % ({c['min_city']}) to {100 * c['max']:.1f} % ({c['max_city']})")
    e = result["external_supply_shock"]
    print("external_supply_shock, 2022 Q1-Q4: " + ", ".join(f"{100 * d:+.2f} %" for d in e["deviation_2022"])
          + f"; unmet max {e['unmet_input_share_max']:.2g}")
    print(f"{result['seconds']:.0f} s")


if __name__ == "__main__":
    main()
