"""Supply chains in the engine: the 2020 closure, orders and inventories (ARIO rules), t = 0
identities and accounting with intermediate inputs (issue 12)."""

from __future__ import annotations

import numpy as np
import pytest
from invariants import Start, assert_goods, assert_invariants, assert_money, assert_people

from ydabm import YRDModel
from ydabm.markets import goods
from ydabm.mechanisms import supply_chain


def test_closure_balances_trade_by_hand():
    # two sectors, x = (100, 40), A = [[0.2, 0.4], [0.1, 0.1]], E = 60 at shares (0.5, 0.5)
    domestic = np.array([[0.2, 0.4], [0.1, 0.1]])
    closed = supply_chain.closure(np.array([100.0, 40.0]), 60.0, domestic, np.array([0.5, 0.5]))
    # demand: n = A x = (36, 14), final (30, 30): sector 1 has a surplus of 34, sector 2 a deficit of 4
    np.testing.assert_allclose(closed.outside_share, [0.0, 4.0 / 44.0])
    np.testing.assert_allclose(closed.export_mix, [1.0, 0.0])
    assert closed.exports == pytest.approx(34.0)
    # balanced trade: exports = imports abroad (x - A x - E = 140 - 50 - 60 = 30) + the deficit (4)
    assert closed.exports == pytest.approx(140.0 - 50.0 - 60.0 + 4.0)


def test_orders_room_and_deliveries_by_hand():
    # one city, one sector using two inputs: a goods input (stored 13 weeks = one quarter) and a service
    labour = np.array([[2.0]])
    requirement = np.array([[[3.0, 1.0]]])                     # per unit of labour
    origin = np.array([[[1.0, 1.0]], [[0.0, 0.0]], [[0.0, 0.0]]])   # all from the region
    weeks = np.array([13.0, np.inf])
    stock = np.array([[[4.0, 0.0]]])                           # target 6 for the goods input
    orders = supply_chain.plan_orders(labour, requirement, origin, stock, weeks, 0.5, np.ones((1, 2)), np.ones(2))
    # use (6, 2); goods order 6 + 0.5 (6 - 4) = 7, service order = use
    np.testing.assert_allclose(orders.region, [[[7.0, 2.0]]])
    # room: (stock 4 + 7 expected) / 6 for the goods input; the service never binds
    np.testing.assert_allclose(orders.room, [[11.0 / 6.0]])
    # the supplier city can deliver half: room (4 + 3.5) / 6
    half = supply_chain.plan_orders(labour, requirement, origin, stock, weeks, 0.5, np.full((1, 2), 0.5), np.ones(2))
    np.testing.assert_allclose(half.room, [[7.5 / 6.0]])
    # deliveries: 80 % of the region orders arrive; production used 2.5 units of labour
    done = supply_chain.deliver(orders, stock, np.full((1, 2), 0.8), np.ones(2), np.array([[2.5]]), requirement, weeks)
    # goods input: 4 + 5.6 arrive, 7.5 used, 2.1 left; the service is used as it arrives
    np.testing.assert_allclose(done.stock, [[[2.1, 0.0]]])
    np.testing.assert_allclose(done.used, [[[7.5, 2.5]]])
    np.testing.assert_allclose(done.unmet, 0.0)
    # with too little arriving the shortfall is unmet, never a negative stock
    short = supply_chain.deliver(orders, stock, np.full((1, 2), 0.0), np.ones(2), np.array([[2.5]]), requirement, weeks)
    np.testing.assert_allclose(short.stock, [[[0.0, 0.0]]])
    np.testing.assert_allclose(short.unmet, [[[3.5, 0.0]]])


def test_services_are_ordered_for_the_output_the_staff_can_make():
    # the case above with staff for 1.5 of the 2 units of planned labour: goods are ordered for the plan
    # (use 6, order 6 + 0.5 (6 - 4) = 7; what is not used stays in stock), the service for what the
    # staff can make (1 x 1.5 = 1.5: a service bought for an open vacancy would be lost)
    labour, requirement = np.array([[2.0]]), np.array([[[3.0, 1.0]]])
    origin = np.array([[[0.5, 0.5]], [[0.25, 0.25]], [[0.25, 0.25]]])
    weeks, stock = np.array([13.0, np.inf]), np.array([[[4.0, 0.0]]])
    orders = supply_chain.plan_orders(labour, requirement, origin, stock, weeks, 0.5, np.ones((1, 2)), np.ones(2),
                                      staffed=np.array([[1.5]]))
    np.testing.assert_allclose(orders.region, [[[3.5, 0.75]]])
    np.testing.assert_allclose(orders.outside + orders.abroad, [[[3.5, 0.75]]])
    np.testing.assert_allclose(orders.use, [[[6.0, 2.0]]])
    np.testing.assert_allclose(orders.room, [[11.0 / 6.0]])       # the goods input's, as before
    # no staff: no service is bought, the goods order stands
    idle = supply_chain.plan_orders(labour, requirement, origin, stock, weeks, 0.5, np.ones((1, 2)), np.ones(2),
                                    staffed=np.array([[0.0]]))
    np.testing.assert_allclose(idle.region + idle.outside + idle.abroad, [[[7.0, 0.0]]])


def test_book_cost_by_hand():
    # one city, one sector; a goods input: 4 units in stock at book value 4.4 (1.1 a unit), 6 arrive
    # paid 12 (2 a unit, a quarter of dear freight), 7 used, 3 left; a service: 2 arrive paid 3, all used
    value = np.array([[[4.4, 0.0]]])
    stock = np.array([[[4.0, 0.0]]])
    arrived = np.array([[[6.0, 2.0]]])
    paid = np.array([[[12.0, 3.0]]])
    left = np.array([[[3.0, 0.0]]])
    cost, after = supply_chain.book_cost(value, stock, arrived, paid, left)
    # average unit cost (4.4 + 12) / (4 + 6) = 1.64: 3 left at 4.92, 7 used at 11.48 (at this quarter's
    # price of 2 they would cost 14); the service costs what was paid
    np.testing.assert_allclose(after, [[[4.92, 0.0]]])
    np.testing.assert_allclose(cost, [[[11.48, 3.0]]])
    # nothing used: the whole pool is kept; nothing on hand (a payment with no delivery): all of it is cost
    kept = supply_chain.book_cost(value, stock, arrived, paid, np.array([[[10.0, 0.0]]]))
    np.testing.assert_allclose(kept[0], [[[0.0, 3.0]]])
    np.testing.assert_allclose(kept[1], [[[16.4, 0.0]]])
    empty = supply_chain.book_cost(np.zeros((1, 1, 2)), np.zeros((1, 1, 2)), np.zeros((1, 1, 2)), paid,
                                   np.zeros((1, 1, 2)))
    np.testing.assert_allclose(empty[0], paid)
    np.testing.assert_allclose(empty[1], 0.0)


def test_expected_book_cost_by_hand():
    # a goods input: stock 4 at book value 4.4, last quarter's use 6, expected price 2: the quarter's
    # use is expected to be booked at (4.4 + 2 x 6) / (4 + 6) = 1.64 a unit; a service (no stock) at
    # its price; a stock of nothing used is booked at its own average, an empty one at the price
    price = np.array([[[2.0, 3.0, 2.0, 2.0]]])
    value = np.array([[[4.4, 0.0, 5.0, 0.0]]])
    stock = np.array([[[4.0, 0.0, 5.0, 0.0]]])
    use = np.array([[[6.0, 1.0, 0.0, 1.0]]])
    np.testing.assert_allclose(supply_chain.expected_book_cost(price, value, stock, use), [[[1.64, 3.0, 1.0, 2.0]]])
    # unit_input_cost with the book: requirements 1 of each input from the region, priced per city
    region = np.ones((1, 1, 4))
    none = np.zeros((1, 1, 4))
    cost = supply_chain.unit_input_cost(region, none, none, price[0], np.zeros(4), book=(value, stock, use))
    np.testing.assert_allclose(cost, [[1.64 + 3.0 + 1.0 + 2.0]])
    # at a stock valued at the prices (the set-up's), the book is the prices
    at_price = supply_chain.unit_input_cost(region, none, none, price[0], np.zeros(4), book=(stock * price, stock, use))
    np.testing.assert_allclose(at_price, supply_chain.unit_input_cost(region, none, none, price[0], np.zeros(4)))


def test_steady_stock_by_hand():
    # one city, one sector, a goods input stored 13 weeks (target = a quarter's planned use) and a service
    planned = np.array([[[6.0, 2.0]]])
    used = np.array([[[4.5, 1.8]]])                 # it makes less than it plans (open vacancies)
    arrival = np.array([[[0.9, 0.9]]])              # an order's money buys 90 % (a rationed supplier)
    weeks = np.array([13.0, np.inf])
    stock = supply_chain.steady_stock(planned, used, arrival, weeks, 0.5)
    # target 6; orders o must deliver the use: 0.9 o = 4.5, o = 5 = 6 + 0.5 (6 - s): s = 8; no service stock
    np.testing.assert_allclose(stock, [[[8.0, 0.0]]])
    # the order rule at that stock replaces exactly what is used: the stock stays
    origin = np.array([[[1.0, 1.0]], [[0.0, 0.0]], [[0.0, 0.0]]])
    orders = supply_chain.plan_orders(np.array([[2.0]]), np.array([[[3.0, 1.0]]]), origin, stock, weeks, 0.5,
                                      np.ones((1, 2)), np.ones(2))
    np.testing.assert_allclose(orders.region, [[[5.0, 2.0]]])
    done = supply_chain.deliver(orders, stock, np.full((1, 2), 0.9), np.ones(2), np.array([[1.5]]),
                                np.array([[[3.0, 1.0]]]), weeks)
    np.testing.assert_allclose(done.stock, stock)
    # the calibrated state (all planned is made, all ordered arrives) is the target; with full
    # deliveries and more made than planned the gap is negative: 6 + (6 - 7) / 0.5 = 4
    np.testing.assert_allclose(supply_chain.steady_stock(planned, planned, np.ones((1, 1, 2)), weeks, 0.5),
                               [[[6.0, 0.0]]])
    np.testing.assert_allclose(supply_chain.steady_stock(planned, np.array([[[7.0, 2.0]]]), np.ones((1, 1, 2)),
                                                         weeks, 0.5), [[[4.0, 0.0]]])
    # never negative; without restocking orders ignore the stock, which stays at its target
    np.testing.assert_allclose(supply_chain.steady_stock(planned, np.array([[[12.0, 2.0]]]), np.ones((1, 1, 2)),
                                                         weeks, 0.5), [[[0.0, 0.0]]])
    np.testing.assert_allclose(supply_chain.steady_stock(planned, used, arrival, weeks, 0.0), [[[6.0, 0.0]]])


def test_supplier_shortfall_weights_last_quarters_sources():
    # buyer 0 bought sector 0 from city 0 (30) and city 1 (10); city 1 can deliver 40 % of its plan
    flows = np.zeros((1, 2, 2))
    flows[0, 0, 0], flows[0, 1, 0] = 30.0, 10.0
    share = supply_chain.supplier_shortfall(flows, np.array([[1.0], [0.4]]))
    np.testing.assert_allclose(share[0], [(30 + 4) / 40])
    assert share[1, 0] == 1.0                                  # buyer 1 bought nothing


@pytest.fixture(scope="module")
def chained():
    return YRDModel(rng=3, input_output=1, people_per_agent=8000)


def test_t0_identities_city_by_city(chained):
    m = chained
    fl = m.flows
    gross = m.fundamentals.revenue / (1.0 - m.input_share)[None, :]
    # gross output = intermediate inputs + value added in every city; sales add up to calibrated gross output
    inputs_used = fl["revenue"] - fl["value_added"]
    np.testing.assert_allclose(inputs_used, np.bincount(m.firms.city, m.firm_input_cost(), minlength=m.geography.count))
    assert fl["revenue"].sum() == pytest.approx(gross.sum(), rel=1e-9)
    # the inputs are the table's share of each city-sector's output at its markup price
    np.testing.assert_allclose(inputs_used.sum() / fl["revenue"].sum(), (gross * m.input_share).sum() / gross.sum(),
                               rtol=0.01)
    # the region's coefficients (inputs used over gross output at 2020 prices) are the table's
    f = m.firms
    real_gross = np.bincount(f.sector[f.alive], m.real_gross_output()[f.alive], minlength=m.sectors.count)
    coefficients = m.used_inputs.sum(axis=0).T / real_gross[None, :]
    np.testing.assert_allclose(coefficients, m.io.domestic + m.io.imported, atol=1e-3)
    # outside purchases are the external sector's balance, spent next quarter
    assert m.external == pytest.approx(m.fundamentals.closure.exports, rel=1e-9)


def test_accounts_hold_every_quarter_with_inputs():
    model = YRDModel(rng=5, input_output=1, people_per_agent=8000)
    start = Start.of(model)
    for _ in range(6):
        model.step()
        assert_invariants(model, start)
        assert model.unmet_inputs == pytest.approx(0.0, abs=1e-6 * model.flows["inputs"].sum())


def test_leontief_limit_to_1e_6():
    from ydabm.sectors import load_sectors
    from ydabm.supply import load_io_table
    from ydabm.validation.leontief import leontief_limit
    sectors = load_sectors("sectors")
    table = load_io_table("io_concordance", sectors.names)
    hours = np.array([[0.0, 2.0, 3.0], [2.0, 0.0, 1.5], [3.0, 1.5, 0.0]])
    iceberg = goods.iceberg_costs(hours, sectors.trade_cost_per_hour * 1.7, np.zeros((3, 3)), 0.0)
    final = np.random.default_rng(0).uniform(1.0, 2.0, (3, sectors.count))
    change = np.zeros_like(final)
    change[0, sectors.index("machinery")], change[2, sectors.index("local_services")] = 0.3, -0.2
    check = leontief_limit(final, change, table.domestic, iceberg, sectors.elasticity, quarters=250)
    assert check.residual <= 1e-6
    # the response is the inverse's, not the direct change: output moves in every city and sector
    assert check.simulated.sum() > 1.5 * change.sum() > 0
    assert (np.abs(check.simulated) > 1e-6).all()


def test_input_sourcing_by_hand():
    from ydabm.metrics import input_sourcing
    # three cities: 0 and 1 in one province, 2 in another; one input sector, one buying sector
    flows = np.zeros((1, 3, 3))
    flows[0, :, 0] = [6.0, 3.0, 1.0]                          # city 0 buys 60 % locally, 30 % in-province
    flows[0, :, 2] = [0.0, 1.0, 1.0]                          # city 2: half local, half other province
    region = np.zeros((3, 1, 1))
    region[0, 0, 0], region[2, 0, 0] = 10.0, 4.0
    rest, abroad = np.array([[2.0], [0.0], [0.0]]), np.array([[1.0], [0.0], [0.0]])
    sourcing = input_sourcing(region, rest, abroad, flows, np.array([0, 0, 1]))
    np.testing.assert_allclose(sourcing[:, 0], [6.0 + 2.0, 3.0, 1.0 + 2.0, 2.0, 1.0])


def test_baseline_autonomy_metrics_add_up(chained):
    m = chained
    shares = [m.metrics[k] for k in ("inputs_within_city", "inputs_within_province", "inputs_other_provinces",
                                     "inputs_outside_region")]
    assert sum(shares) == pytest.approx(1.0)
    assert m.metrics["unmet_input_share"] == 0.0
    report = m.governments[0].report
    assert report["value_added"] == pytest.approx(report["gdp"])
    assert report["gross_output"] > report["value_added"] > 0


@pytest.mark.slow
def test_shanghai_lockdown_calibrated_to_shanghai_alone():
    from ydabm.validation import lockdown
    result = lockdown.run(0.145, seeds=(1, 2, 3))
    shanghai = result.cities.index("Shanghai")
    # the fitted share reproduces the target; before the lockdown the matched runs are identical
    assert result.loss("Q2")[shanghai] == pytest.approx(lockdown.TARGET_LOSS, abs=0.005)
    np.testing.assert_array_equal(result.shocked[:7], result.matched[:7])


def test_the_lockdown_target_follows_from_shanghais_shipped_figures():
    # 2022 Q2 real GDP -13.7 % y/y against a trend of +3 to +5 %: a loss of 0.162-0.178, 0.170 at +4 %
    import pandas as pd

    from ydabm.geography.world import DATA_DIR
    from ydabm.validation import lockdown
    table = pd.read_csv(DATA_DIR / "shanghai_2022.csv")
    q2 = table.loc[(table["period"] == "2022Q2") & (table["metric"] == "real GDP y/y"), "value_pct"].item() / 100
    assert q2 == pytest.approx(-0.137)
    assert 1 - (1 + q2) / 1.03 < lockdown.TARGET_LOSS < 1 - (1 + q2) / 1.05
    assert lockdown.TARGET_LOSS == pytest.approx(1 - (1 + q2) / 1.04, abs=5e-4)


def test_outside_shares_armington_by_hand():
    # o = 0.2 at 2020; the region's input 10 % dearer with sigma = 5: 0.2 * 1.1^4 / (0.2 * 1.1^4 + 0.8)
    shares = supply_chain.outside_shares(np.array([0.2, 0.0]), np.array([[1.1, 1.1], [1.0, np.inf]]), np.array([5.0, 5.0]))
    tilt = 0.2 * 1.1 ** 4
    np.testing.assert_allclose(shares, [[tilt / (tilt + 0.8), 0.0], [0.2, 0.0]])


def test_chain_policies_set_roles(chained):
    from ydabm.policies import ChainAutonomy, ComplementaryChain, import_reliance
    m = chained
    reliance = import_reliance(m)
    assert ((reliance >= 0) & (reliance <= 1)).all()
    saved = m.levers.roles
    try:
        ChainAutonomy(start_year=2020, inputs=2).on_step(m)
        favoured = np.flatnonzero(m.levers.roles[0])
        eligible = np.where(m.sectors.targetable, reliance, -np.inf)
        assert set(favoured) == set(np.argsort(-eligible)[:2])
        m.levers.roles = None
        ComplementaryChain(start_year=2020).on_step(m)
        assert m.levers.roles.shape == m.targets.shape and m.levers.roles.max() <= 1.0
    finally:
        m.levers.roles = saved


def test_peer_comparison_with_boario():
    pytest.importorskip("boario")
    from ydabm.validation import peer
    ours, theirs = peer.ydabm_losses(), peer.boario_losses()
    # the same shock: the same direct loss (a quarter of 30 % of A's manufacturing)
    assert ours.direct == pytest.approx(theirs.direct, rel=0.01)
    # ARIO with fixed prices and no substitution: the shock spreads, total loss above the direct one
    assert theirs.total > theirs.direct
    # ydabm: buyers switch to B's manufacturing at the price, which makes up most of the loss;
    # without substitution (sigma near 1) the total loss is of BoARIO's order
    assert ours.by_industry[2] < 0 < ours.by_industry[0]
    assert ours.total < theirs.total < 2 * peer.ydabm_losses(elasticity=1.0001).total


def test_common_input_base_by_hand():
    # two buyer cities; input 0 (sigma = 2) at indices 0.9 and 1.1: mean of P^(1 - sigma) = (1/0.9 +
    # 1/1.1) / 2 = 1 / 0.99, base 0.99; input 1 (sigma = 5) at 1 in both: base 1
    base = supply_chain.common_input_base(np.array([[0.9, 1.0], [1.1, 1.0]]), np.array([2.0, 5.0]))
    np.testing.assert_allclose(base, [[0.99, 1.0], [0.99, 1.0]])


def test_a_synthetic_world_keeps_mu_and_one_input_base():
    from ydabm.validation import vertical
    m = vertical._model("core_periphery", 1, 1, initial_core_share=0.6, trade_cost=1.7)
    # households spend at the configured (1 - mu, mu), not the national final-demand mix (0.04, 0.96)
    np.testing.assert_allclose(m.fundamentals.closure.final_share, [0.6, 0.4])
    np.testing.assert_allclose(m.fundamentals.expenditure_share, [0.6, 0.4])
    # one base for both buyer cities: the core, with 60 % of the manufacturers, buys its
    # manufactured inputs below it, the periphery above it, for the same real inputs
    np.testing.assert_allclose(m.input_price0[0], m.input_price0[1])
    np.testing.assert_allclose(m.domestic_requirement[0], m.domestic_requirement[1])
    relative = m.input_index[:, 1] / m.input_price0[:, 1]
    assert relative[0] < 1.0 < relative[1]
    # people, goods and money still add up (the metrics' range check is left out: the two-city
    # world's between-province Theil, one group, comes out at -1.1e-16 in quarter 2, a rounding of 0)
    start = Start.of(m)
    for _ in range(3):
        m.step()
        assert_people(m, start)
        assert_goods(m, 1e-10)
        assert_money(m, start, 1e-10)
        assert m.metrics["theil_between_provinces"] == pytest.approx(0.0, abs=1e-12)


def test_venables_short_run_nests_krugman_and_its_calibrated_state():
    from ydabm.validation import core_periphery, vertical
    # without linkages the closure is Krugman's short run: the same real-wage gap
    for share, trade_cost in ((0.6, 1.7), (0.8, 1.3), (0.55, 2.0)):
        krugman = core_periphery.short_run_equilibrium(share, trade_cost, 5.0, 0.4)["real_wage"]
        ours = vertical.short_run_equilibrium(share, trade_cost, 5.0, 0.4, linked=0)
        assert ours["gap"] == pytest.approx(np.log(krugman[0] / krugman[1]), abs=1e-9)
    # with linkages, at lambda = 1/2 every price is its 2020 level (the closure balances the market)
    even = vertical.short_run_equilibrium(0.5, 1.7, 5.0, 0.4)
    np.testing.assert_allclose(even["price"], 1.0, atol=1e-10)
    assert even["gap"] == pytest.approx(0.0, abs=1e-12)
    # without trade costs every city sees the same market: no gap at any lambda
    assert vertical.short_run_equilibrium(0.8, 1.0, 5.0, 0.4)["gap"] == pytest.approx(0.0, abs=1e-10)


@pytest.fixture(scope="module")
def two_cities():
    from ydabm.validation import vertical
    # 60 % of the mobile workers in the core city, held there; T = 1.7; firm counts held (short run)
    return vertical.two_city(0), vertical.two_city(1)


def test_vertical_linkages_raise_the_cores_share_with_labour_immobile(two_cities):
    # measured: the core's manufacturing sales share 0.587 without linkages, 0.594 with
    without, linked = two_cities
    assert linked["core_sales_share"] > without["core_sales_share"] > 0.5


def test_linkages_raise_the_cores_real_income_as_venables_predicts(two_cities):
    # Venables (1996) with labour immobile, built from the model's markets (vertical.short_run_equilibrium):
    # at T = 1.7, lambda = 0.6 the core's real wage is 0.54 log points below the periphery's without
    # linkages (Krugman's dispersing side) and 10.1 above with them; measured 0.55 below and 10.06 above
    without, linked = two_cities
    assert without["theory_gap"] < 0 < linked["theory_gap"]
    for run in two_cities:
        assert run["income_gap"] == pytest.approx(run["theory_gap"], abs=0.005)


@pytest.mark.parametrize("share, trade_cost", [(0.75, 1.3), (0.75, 2.0)])
def test_linked_short_run_follows_venables_across_the_grid(share, trade_cost):
    from ydabm.validation import vertical
    # measured (ABM / theory, log points): +25.40 / +25.29 at (0.75, 1.3), +19.57 / +19.46 at (0.75, 2.0)
    run = vertical.two_city(1, core_share=share, trade_cost=trade_cost)
    assert run["income_gap"] == pytest.approx(run["theory_gap"], abs=0.005)


def _sticky_by_hand(room):
    """Two cities, one sector (sigma = 2, no trade costs), one firm each at prices 1 and 0.5; buyer 0
    spends 10 on inputs, last quarter's shares theta = (0.8, 0.2), adjustment time 2 quarters."""
    sourcing = np.array([[[0.8, 0.5], [0.2, 0.5]]])                  # (S, C supplier, C buyer)
    inputs = np.array([[10.0], [0.0]])
    weights = np.ones((1, 2, 2))
    selling = (room > 0)[:, None]
    market = supply_chain.sticky_market(sourcing, inputs, inputs.copy(), selling, 0.5, weights, None)
    outcome = goods.clear_goods_market(np.array([1.0, 0.5]), room, np.array([0, 1]), np.array([2.0]),
                                       market.weights, market.spending, mass=np.ones(2))
    folded, varieties = supply_chain.fold_outcome(outcome, market)
    flows, shares = supply_chain.adjust_sourcing(market.committed, outcome.flows[:, :2, :2], outcome.spending[:2],
                                                 inputs, sourcing)
    return market, folded, varieties, flows, shares


def test_sourcing_adjusts_one_step_by_hand():
    market, folded, varieties, flows, shares = _sticky_by_hand(np.array([1e9, 1e9]))
    # committed: (1 - 1/2) x 10 x (0.8, 0.2) = (4, 1); flexible 5 at the CES shares p^(1 - sigma) / sum:
    # (1, 2) / 3; flows (4 + 5/3, 1 + 10/3); theta' = theta / 2 + pi* / 2 = (17/30, 13/30)
    np.testing.assert_allclose(market.committed[0, :, 0], [4.0, 1.0])
    np.testing.assert_allclose(flows[0, :, 0], [17.0 / 3.0, 13.0 / 3.0])
    np.testing.assert_allclose(shares[0, :, 0], [17.0 / 30.0, 13.0 / 30.0])
    assert shares[0, :, 1] == pytest.approx([0.5, 0.5])            # buyer 1 bought nothing: kept
    # the firms' revenue is the money spent on them (no price rises: ample room); goods outcome folded
    np.testing.assert_allclose(folded.revenue, [17.0 / 3.0, 13.0 / 3.0])
    np.testing.assert_allclose(folded.flows[0, :, 0], [17.0 / 3.0, 13.0 / 3.0])
    assert folded.spending.sum() == pytest.approx(folded.flows.sum()) == pytest.approx(10.0)
    np.testing.assert_allclose(varieties[:, 0], [1.0, 2.0])          # A_i = p^(1 - sigma)
    # input price index: Q^(1/2) = sqrt(17/3) x 1^(1/2) + sqrt(13/3) x 2^(1/2); P = 10 / Q, dearer than
    # the CES-optimal index Phi^(1 / (1 - sigma)) = 1/3 the flexible buyers pay
    index = supply_chain.input_price_index(flows, varieties, np.ones((1, 2, 2)), np.array([2.0]))
    quantity = (np.sqrt(17.0 / 3.0) + np.sqrt(13.0 / 3.0) * np.sqrt(2.0)) ** 2
    assert index[0, 0] == pytest.approx(10.0 / quantity)
    assert index[0, 0] > folded.price_index[0, 0] == pytest.approx(1.0 / 3.0)
    assert index[1, 0] == np.inf


def test_sourcing_at_the_ces_optimum_is_the_markets_index():
    # shares already optimal: nothing moves, and the input index is the CES index
    optimal = np.array([[[1.0 / 3.0], [2.0 / 3.0]]])
    market = supply_chain.sticky_market(np.concatenate([optimal, optimal], axis=2), np.array([[9.0], [0.0]]),
                                        np.array([[9.0], [0.0]]), np.ones((2, 1), bool), 0.25, np.ones((1, 2, 2)), None)
    outcome = goods.clear_goods_market(np.array([1.0, 0.5]), np.array([1e9, 1e9]), np.array([0, 1]), np.array([2.0]),
                                       market.weights, market.spending)
    folded, varieties = supply_chain.fold_outcome(outcome, market)
    flows, shares = supply_chain.adjust_sourcing(market.committed, outcome.flows[:, :2, :2], outcome.spending[:2],
                                                 np.array([[9.0], [0.0]]), market.committed * 0 + optimal)
    np.testing.assert_allclose(shares[0, :, 0], optimal[0, :, 0])
    index = supply_chain.input_price_index(flows, varieties, np.ones((1, 2, 2)), np.array([2.0]))
    assert index[0, 0] == pytest.approx(folded.price_index[0, 0])


def test_a_rationing_supplier_delivers_what_it_is_paid_for():
    # one supplier firm (m = 1, posted price p = 1, sigma = 2, rho = 1/2) whose enterprises serve a
    # quarter of their orders: its weight at the virtual price is A = p^(1 - sigma) r = 1/4, the
    # virtual price 1 / A = 4. The buyer spends 4 and receives 4 / p = 4 units: B = p^(1 - sigma) r^rho
    # = 1/2, Q = (4^(1/2) A^(-1/2) B)^2 = (2 x 2 x 1/2)^2 = 4, index 1 = the posted price (at the
    # virtual price, 4, three of the four units shipped would vanish on the way)
    flows = np.array([[[4.0]]])
    index = supply_chain.input_price_index(flows, np.array([[0.25]]), np.ones((1, 1, 1)), np.array([2.0]),
                                           np.array([[0.5]]))
    assert index[0, 0] == pytest.approx(1.0)
    virtual = supply_chain.input_price_index(flows, np.array([[0.25]]), np.ones((1, 1, 1)), np.array([2.0]))
    assert virtual[0, 0] == pytest.approx(4.0)


def test_listed_varieties_by_hand():
    # sigma = 2 (rho = 1/2); city 0: two firms with m p^(1 - sigma) = 1 and 0.5 at their listed prices
    # that served 1/4 and all of their orders last quarter; city 1: one firm, weight 2, served 0.64
    weight = np.array([1.0, 0.5, 2.0])
    served = np.array([0.25, 1.0, 0.64])
    varieties, delivered = supply_chain.listed_varieties(weight, served, np.array([0, 0, 1]), np.full(3, 2.0), (2, 1))
    # A = sum w r: 0.25 + 0.5 and 1.28; B = sum w r^(1/2): 0.5 + 0.5 and 2 x 0.8
    np.testing.assert_allclose(varieties[:, 0], [0.75, 1.28])
    np.testing.assert_allclose(delivered[:, 0], [1.0, 1.6])
    # a lone supplier listed at p = 1 that served a quarter of its orders (as in the rationing test
    # above): the buyer expects to pay its listed price, 1 a unit
    a, b = supply_chain.listed_varieties(np.array([1.0]), np.array([0.25]), np.array([0]), np.array([2.0]), (1, 1))
    index = supply_chain.input_price_index(np.array([[[4.0]]]), a, np.ones((1, 1, 1)), np.array([2.0]), b)
    assert index[0, 0] == pytest.approx(1.0)


def test_orders_are_placed_at_the_listed_prices(chained):
    m = chained
    # at t = 0 the listed prices are the prices the 2020 market posted and every firm serves what it
    # served then: the orders' price is the input price index buyers paid (1 relative to 2020)
    listed = m.listed_input_prices()
    bought = m.input_orders > 0
    np.testing.assert_allclose(listed[bought], 1.0, rtol=1e-9)
    # a supplier city-sector that lists 10 % dearer raises its buyers' order prices by at most 10 %,
    # and only in its sector; its served share is last quarter's (no premium is expected)
    f = m.firms
    cell = f.cell[np.flatnonzero(f.alive & (f.sector == m.sectors.index("steel_metals")))[0]]
    rows = f.alive & (f.cell == cell)
    saved = f.price.copy()
    try:
        f.price[rows] *= 1.1
        dearer = m.listed_input_prices()
    finally:
        f.price[:] = saved
    steel = m.sectors.index("steel_metals")
    others = np.arange(m.sectors.count) != steel
    assert (dearer[:, steel] > 1.0 + 1e-6).all() and (dearer[:, steel] <= 1.1 + 1e-9).all()
    np.testing.assert_allclose(dearer[:, others][bought[:, others]], 1.0, rtol=1e-9)


def test_orders_are_for_expected_sales_with_absent_workers_away(chained):
    m = chained
    f = m.firms
    plan = m.plan_production()
    live = f.alive
    # no lockdown: each firm orders for its expected sales, which the staff it plans for can make
    np.testing.assert_allclose(m.planned_output_of(plan)[live], plan.expected_output[live])
    # half of Shanghai's workers kept away: half of every Shanghai cohort's enterprises closed, so a
    # Shanghai firm plans half what its planned staff make after overhead within its capacity (never
    # more than its expected sales); the other cities are unaffected
    city = m.geography.names.index("Shanghai")
    saved = m.levers.absent.copy()
    try:
        m.levers.absent[:] = 0.0
        m.levers.absent[city] = 0.5
        planned = m.planned_output_of(plan)
    finally:
        m.levers.absent[:] = saved
    here = live & (f.city == city)
    staff = plan.desired_staff.sum(axis=1)
    can = 0.5 * np.minimum(f.capacity, np.maximum(staff - f.overhead, 0.0) * m.effective_productivity())
    np.testing.assert_allclose(planned[here], np.minimum(plan.expected_output, can)[here])
    assert (planned[here] < plan.expected_output[here]).all()
    np.testing.assert_allclose(planned[live & ~here], plan.expected_output[live & ~here])


def test_a_supplier_that_cannot_sell_loses_its_committed_share():
    # city 1's firm can produce nothing: its committed 1 goes to the flexible part, all bought in city 0
    market, folded, _, flows, shares = _sticky_by_hand(np.array([1e9, 0.0]))
    np.testing.assert_allclose(market.committed[0, :, 0], [4.0, 0.0])
    np.testing.assert_allclose(flows[0, :, 0], [10.0, 0.0])
    np.testing.assert_allclose(shares[0, :, 0], [1.0, 0.0])
    assert folded.revenue.sum() == pytest.approx(10.0)


def test_bad_adjustment_speed_is_refused():
    with pytest.raises(ValueError, match="adjustment speed"):
        supply_chain.sticky_market(np.ones((1, 1, 1)), np.ones((1, 1)), np.ones((1, 1)), np.ones((1, 1), bool), 0.0,
                                   np.ones((1, 1, 1)), None)


def test_sourcing_starts_at_the_calibrated_shares(chained):
    m = chained
    # at t = 0 every buyer's input shares are the CES shares of the calibrated market (its flows)
    with np.errstate(divide="ignore", invalid="ignore"):
        ces = m.goods.flows / m.goods.flows.sum(axis=1, keepdims=True)
    bought = m.input_orders.T > 0
    np.testing.assert_allclose(np.where(bought[:, None, :], m.sourcing, 0.0), np.where(bought[:, None, :], ces, 0.0),
                               atol=1e-12)
    np.testing.assert_allclose(m.sourcing.sum(axis=1)[bought], 1.0)
    # the input index values deliveries at the posted prices suppliers ship at: at most the market's
    # (virtual-price) index, and it is the 2020 reference of input prices
    assert (m.input_index <= m.goods.price_index * (1 + 1e-12)).all()
    np.testing.assert_allclose(m.input_price0, m.input_index)


def test_one_quarter_adjustment_is_the_flexible_market():
    # tau = 1 quarter: no committed spending, the model is the one where buyers switch within the quarter
    import copy
    a = YRDModel(rng=4, input_output=1, people_per_agent=8000, supplier_adjustment=1.0)
    b = copy.deepcopy(a)
    a.step()
    b.sourcing = None                       # the market without committed spending at all
    b.step()
    np.testing.assert_allclose(a.firms.revenue, b.firms.revenue, rtol=1e-9)


def test_lockdown_accounts_and_gradual_switching():
    from ydabm.policies import CityLockdown
    lockdown = CityLockdown(start_year=2020, start_quarter=3)
    model = YRDModel(rng=5, input_output=1, people_per_agent=8000, policies=(lockdown,))
    start = Start.of(model)
    shanghai = model.geography.names.index("Shanghai")
    model.step()
    assert_invariants(model, start)
    before, income = model.sourcing.copy(), model.flows["income"][shanghai]
    model.step()                                                     # 2020 Q3: the lockdown
    assert_invariants(model, start)
    # shops shut: the share demand_drop of last quarter's household income is saved in the lockdown's
    # quarter; half of it is released in its accounts (spent in Q4), the rest a quarter later. The
    # banks lend Shanghai's locked firms their losses out of the savings (relief) and profits repay them
    lent, repaid = model.flows["relief_lent"][shanghai], 0.0
    assert lent > 0
    assert model.savings[shanghai] + lent == pytest.approx(0.5 * lockdown.demand_drop[0] * income, rel=1e-9)
    # buyers elsewhere move away from Shanghai's dearer goods, but only part of the way this quarter
    others = np.arange(model.geography.count) != shanghai
    share = model.sourcing[:, shanghai, others]
    assert (share <= before[:, shanghai, others] + 1e-12).all() and (share < before[:, shanghai, others]).any()
    np.testing.assert_allclose(model.sourcing.sum(axis=1)[model.input_orders.T > 0], 1.0)
    def owed():
        return model.firms.relief[model.firms.alive & (model.firms.city == shanghai)].sum()

    for quarter in range(3):                                         # recovery: savings spent, accounts hold
        model.step()
        assert_invariants(model, start)
        repaid += model.flows["relief_repaid"][shanghai]
        if quarter == 0:
            # the release ends: the deposits (the savings and the relief loans lent out of them) are spent
            assert model.savings[shanghai] + owed() == pytest.approx(0.0, abs=1e-6 * income)
    # profits repay the loans into the savings; what leaving enterprises owed is written off (the savings
    # lent for it stay spent)
    assert 0 < repaid and 0 < owed() < lent - repaid
    assert -(lent - repaid - owed()) <= model.savings[shanghai] + owed() <= 1e-6 * income


def test_inputs_are_costed_at_what_they_were_bought_for():
    # a lockdown of Shanghai in 2020 Q3 (its default freight: 10 % dearer through Shanghai). Every
    # quarter the stocks' book value moves by what was paid less the cost of what was used, and in the
    # lockdown Shanghai's goods inputs on hand are carried between what they cost before it and what
    # its deliveries cost: its stock from before is not charged the dearer freight
    from ydabm.policies import CityLockdown
    model = YRDModel(rng=5, input_output=1, people_per_agent=8000,
                     policies=(CityLockdown(start_year=2020, start_quarter=3),))
    shanghai = model.geography.names.index("Shanghai")
    stored = np.isfinite(model.inventory_weeks)
    for quarter in range(4):
        value = model.stock_value.sum()
        unit = model.stock_value[shanghai][:, stored].sum() / model.stock[shanghai][:, stored].sum()
        model.step()
        paid = sum(part.sum() for part in model.purchases)
        cost = (model.flows["revenue"] - model.flows["value_added"]).sum()
        assert model.stock_value.sum() == pytest.approx(value + paid - cost, rel=1e-12)
        assert (model.stock_value >= 0).all() and (model.stock_value[:, :, ~stored] == 0).all()
        after = model.stock_value[shanghai][:, stored].sum() / model.stock[shanghai][:, stored].sum()
        if quarter == 1:                                             # the lockdown's quarter
            bought = model.input_payments()
            delivered_price = model.input_index[shanghai] / model.input_price0[shanghai]
            assert unit < after < float(np.average(delivered_price, weights=bought[0][shanghai].sum(axis=0)))


def test_growth_augments_value_added_not_inputs():
    import copy
    m = copy.deepcopy(YRDModel(rng=3, input_output=1, people_per_agent=8000))
    f = m.firms
    np.testing.assert_allclose(m.input_intensity(f.output), 1.0)            # 2020: the table's inputs
    # a city-sector 25 % more productive: its labour per unit of output falls by 1 / 1.25, its inputs
    # per unit of labour rise by 1.25, so inputs per unit of output are the table's
    cell = f.cell[np.flatnonzero(f.alive)[0]]
    j, s = divmod(int(cell), m.sectors.count)
    m.tfp[j, s] *= 1.25
    intensity = m.input_intensity(f.output)
    assert intensity[j, s] == pytest.approx(1.25)
    others = np.ones_like(intensity, dtype=bool)
    others[j, s] = False
    np.testing.assert_allclose(intensity[others], 1.0)
    # outside prices: the Leontief dual p = A^T p + v / tfp; a uniform trend T gives p = 1 / T in every
    # sector (at 2020, (I - A^T)^-1 v = 1)
    m.sector_trend = np.full(m.sectors.count, 1.1)
    np.testing.assert_allclose(m.outside_price(), 1.0 / 1.1)


def test_firms_expect_the_quarters_freight_conditions():
    import copy
    m = copy.deepcopy(YRDModel(rng=3, input_output=1, people_per_agent=8000))
    # the stored flows and supplier varieties give back the calibrated (virtual-price) index at t = 0;
    # valued at what suppliers ship at their posted prices it is lower, and it is the firms' index
    virtual = supply_chain.input_price_index(m.input_flows, m.input_varieties, m.frictions.iceberg,
                                             m.sectors.elasticity)
    np.testing.assert_allclose(virtual, m.goods.price_index, rtol=1e-9)
    bought = np.isfinite(virtual)
    assert (m._input_index(None)[bought] <= virtual[bought] * (1 + 1e-12)).all()
    np.testing.assert_allclose(m._input_index(None)[bought], m.input_index[bought], rtol=1e-12)
    before = m.input_price.copy()
    m.expect_input_prices()                                      # nothing changed: nothing moves
    np.testing.assert_array_equal(m.input_price, before)
    # freight through Shanghai 10 % dearer: everything Shanghai buys bears the factor 1.1, so its
    # expected index of the same purchases is 1.1 times higher; other buyers' rise by less
    shanghai = m.geography.names.index("Shanghai")
    m.levers.freight_delay = np.where(np.arange(m.geography.count) == shanghai, 0.1, 0.0)
    m.expect_input_prices()
    bought = np.isfinite(m._input_index(None)[shanghai])
    np.testing.assert_allclose(m.input_price[shanghai][bought], 1.1 * before[shanghai][bought], rtol=1e-9)
    others = np.arange(m.geography.count) != shanghai
    assert (m.input_price[others] >= before[others] - 1e-12).all()
    assert (m.input_price[others] < 1.1 * before[others]).all()
    m.levers.freight_delay = np.zeros(m.geography.count)        # lifted: back to last quarter's index
    m.expect_input_prices()
    np.testing.assert_allclose(m.input_price, before, rtol=1e-9)


def test_a_buyer_that_bought_nothing_expects_the_freight_on_its_usual_suppliers():
    # a buyer that bought none of a sector in the region last quarter (its orders all gone to the rest
    # of China in a lockdown) expects the index at its sourcing shares: the index depends on the split
    # of the flows, not on their sum, so it is the index of its last purchases, and a freight delay
    # known at the start of the quarter raises it (before, it was none, and the buyer expected last
    # quarter's prices free of the freight: seed 304's draw 80 of scripts/lockdown_search.py)
    import copy
    m = copy.deepcopy(YRDModel(rng=3, input_output=1, people_per_agent=8000))
    shanghai = m.geography.names.index("Shanghai")
    k = list(m.sectors.names).index("machinery")
    own = m._input_index(None)[shanghai, k]
    assert np.isfinite(own)
    m.input_flows = m.input_flows.copy()
    m.input_flows[k, :, shanghai] = 0.0                          # bought nothing of it in the region
    assert np.isinf(m._input_index(None)[shanghai, k])
    np.testing.assert_allclose(m._input_index(None, expected=True)[shanghai, k], own, rtol=1e-12)
    others = np.ones(m.input_flows.shape[:1] + m.input_flows.shape[2:], bool)
    others[k, shanghai] = False
    np.testing.assert_array_equal(m._input_index(None, expected=True).T[others], m._input_index(None).T[others])
    before = m.input_price.copy()
    m.levers.freight_delay = np.where(np.arange(m.geography.count) == shanghai, 0.1, 0.0)
    m.expect_input_prices()                                      # every purchase of Shanghai's bears 1.1
    np.testing.assert_allclose(m.input_price[shanghai, k], 1.1 * before[shanghai, k], rtol=1e-9)
    listed = m.listed_input_prices()
    np.testing.assert_allclose(listed[shanghai, k], 1.1 * m._input_index(None, expected=True)[shanghai, k]
                               / m.input_price0[shanghai, k], rtol=1e-9)


class _Absent:
    """A test's shock: the share ``absent`` of each city's labour force away in quarter ``clock``
    only (every quarter starts with no shock in force)."""

    def __init__(self, absent: np.ndarray, clock: int):
        self.absent, self.clock = np.array(absent, dtype=float), clock

    def on_step(self, model) -> None:
        if model.clock == self.clock:
            model.levers.absent = self.absent.copy()


def test_a_lockdowns_market_is_learnt_while_it_lasts_and_forgotten_when_it_ends():
    import copy
    # a quarter with half of every city's workers absent: the market clears above the list prices and
    # firms learn it as any quarter's; in the quarter after it they expect again what they expected
    # before it (input prices, the shares suppliers served), moved by a freight change as that changes
    # the last market's index (exactly 1.1 for everything Shanghai buys at a freight factor of 1.1)
    m = YRDModel(rng=3, input_output=1, people_per_agent=8000)
    m.step()
    price, served, usual = m.input_price.copy(), m._firm_served_on_rows(), m.usual_service.copy()
    m.policies.append(_Absent(np.full(m.geography.count, 0.5), m.clock + 1))   # a lockdown quarter
    m.step()
    paid = m.input_index / m.input_price0
    bought = np.isfinite(paid) & (paid > 0)
    np.testing.assert_array_equal(m.input_price[bought], paid[bought])   # learnt while it lasts
    assert np.median(paid[bought] / price[bought]) > 1.2       # above what firms expected before (1.35)
    assert m.lockdown_memory is not None
    # the lockdown lifted: what was expected before it, as it was; with freight through Shanghai 10 %
    # dearer, moved
    m.levers.absent = np.zeros(m.geography.count)
    plain = copy.deepcopy(m)
    plain.expect_input_prices()
    np.testing.assert_array_equal(plain.input_price, price)
    shanghai = m.geography.names.index("Shanghai")
    m.levers.freight_delay = np.where(np.arange(m.geography.count) == shanghai, 0.1, 0.0)
    m.expect_input_prices()
    assert m.lockdown_memory is None
    others = np.arange(m.geography.count) != shanghai
    # (the others buy some of their inputs in Shanghai: their indices rise, by less)
    assert (m.input_price[others] >= price[others] * (1 - 1e-12)).all()
    assert (m.input_price[others] < 1.1 * price[others]).all()
    own = np.isfinite(m._input_index(None)[shanghai])
    np.testing.assert_allclose(m.input_price[shanghai][own], 1.1 * price[shanghai][own], rtol=1e-9)
    np.testing.assert_array_equal(m.usual_service, usual)
    # the cohorts alive before it serve as they did before it; a row that changed hands has no record
    # (ages count quarters ended: those cohorts are at least 3 now, an entrant since at most 2)
    old = np.isfinite(served) & (m.firms.age[:served.size] >= 3)
    assert old.sum() > 100
    np.testing.assert_array_equal(m._firm_served_on_rows()[:served.size][old], served[old])
    assert np.isnan(m._firm_served_on_rows()[m.firms.age <= 2]).all()


def test_a_lockdowns_market_is_forgotten_when_it_eases_towards_its_end():
    # a lockdown's schedule is known: of the two markets firms have seen they expect the one whose
    # absences are nearer this quarter's (largest difference over the cities). Half of every city's
    # workers absent again, or 40 %: last quarter's market; 1 %, or the same half in other cities
    # only (as near no lockdown as last quarter's): what they expected before it, and the memory is
    # kept for the lockdown's later quarters; it is dropped when the lockdown ends
    import copy
    m = YRDModel(rng=3, input_output=1, people_per_agent=8000)
    m.step()
    price, usual = m.input_price.copy(), m.usual_service.copy()
    half = np.full(m.geography.count, 0.5)
    m.policies.append(_Absent(half, m.clock + 1))               # a lockdown quarter
    m.step()
    learnt = m.input_price.copy()
    assert np.median(learnt / price) > 1.2                      # its scarcity, learnt (1.35)
    for absent in (half, np.full(m.geography.count, 0.4)):
        same = copy.deepcopy(m)
        same.levers.absent = absent.copy()
        same.expect_input_prices()                              # about as it was: as learnt
        np.testing.assert_array_equal(same.input_price, learnt)
        assert same.lockdown_memory is not None
    for absent in (np.full(m.geography.count, 0.01), np.where(np.arange(m.geography.count) < 20, 0.5, 0.0)):
        eased = copy.deepcopy(m)
        eased.levers.absent = absent
        eased.expect_input_prices()
        np.testing.assert_array_equal(eased.input_price, price)    # what was expected before it
        np.testing.assert_array_equal(eased.usual_service, usual)
        assert eased.lockdown_memory is not None                 # kept for the lockdown's later quarters
    eased.policies.append(_Absent(absent, eased.clock + 1))
    eased.step()                                                 # a quarter of the eased lockdown
    eased.levers.absent = np.zeros(m.geography.count)
    eased.expect_input_prices()                                  # ended: before it again, memory dropped
    np.testing.assert_array_equal(eased.input_price, price)
    assert eased.lockdown_memory is None


def _freight_lockdown(freight: float):
    """Every city, one quarter (2020 Q4) with 10 % of the labour force absent and freight ``freight``
    dearer on every link (CityLockdown), nothing unspent."""
    from ydabm.policies import CityLockdown
    names = list(YRDModel(rng=0, people_per_agent=20000).geography.names)
    return CityLockdown(cities=names, start_year=2020, start_quarter=4, absent=[0.1], demand_drop=[0.0],
                        freight_delay=[freight])


def test_entrants_expect_the_market_before_a_lockdown():
    # during a lockdown and in the quarter after it entrants expect the last market before it, as the
    # incumbents expect the demand they expected before it; from the next quarter, last quarter's again
    m = YRDModel(rng=0, input_output=1, start_year=2020, people_per_agent=8000, policies=(_freight_lockdown(0.3),))
    m.step()
    m.step()
    before = m.goods
    m.step()                                            # 2020 Q4, the lockdown: last quarter's is the one before
    assert m.entrants_market is None and m.market_before_lockdown is before
    lockdown = m.goods
    m.step()                                            # 2021 Q1, the quarter after
    assert m.entrants_market is before and m.market_before_lockdown is None
    assert m.expected_market() is before
    # the lockdown's market, read instead, promises entrants a larger margin (its prices were higher)
    m.entrants_market = lockdown
    read_lockdown = m.expected_margin()
    m.entrants_market = before
    assert (read_lockdown > m.expected_margin() + 1e-3).mean() > 0.5
    m.step()
    assert m.entrants_market is None and m.expected_market() is m.goods


@pytest.mark.parametrize("relief", [0.0, 1.0])
def test_a_lockdown_with_dear_freight_leaves_no_exit_cascade(relief):
    """Every city locked for one quarter with freight 30 % dearer (default scale, seed 0, 16 quarters):
    after the lockdown's quarter unemployment never exceeds that quarter's, and the firms' mass ends
    within 2 % of a matched run without the lockdown. Observed with owners carrying the lockdown's
    losses (relief 0): 14.0 % in the lockdown's quarter, at most 12.9 % after it, and the mass 0.13 %
    above the matched run's (6 Dec 2026). While entrants read the lockdown's market, the quarter after
    it they expected 12 times a usual quarter's entrants' sales per enterprise and added 31 % to all
    firms' expected sales; capacity stood idle, whole sectors lost for quarters, and an exit cascade
    took unemployment to 34.7 % in 2023 Q4 with 5,054 firm agents left (6,467 now). With the losses
    lent (relief 1, the default since 7 Dec 2026) the banks lent every losing firm its gross loss, 0.293
    of a quarter's household income, though the same cities' owners gained most of it back at the firms
    the scarcity enriched; the boom turned into a bust and the mass ended 2.6 % below (a strict expected
    failure, issue 10 item 7). Since they lend the owners' net loss (46th session): 0.096, real GDP at
    most 2.0-2.1 % above the matched path and the mass 0.16-0.21 % above it at quarter 16 (seeds 0-4)."""
    import dataclasses
    runs = {}
    for name, policies in (("locked", (dataclasses.replace(_freight_lockdown(0.3), relief=relief),)),
                           ("matched", ())):
        m = YRDModel(rng=0, input_output=1, start_year=2020, policies=policies)
        for _ in range(16):
            m.step()
        runs[name] = (m.datacollector.get_model_vars_dataframe(), float(m.firms.mass[m.firms.alive].sum()))
    path = runs["locked"][0]["unemployment_rate"].to_numpy()
    assert path[3] > 0.10                               # the lockdown's quarter (2020 Q4; row 0 is t = 0)
    assert path[4:].max() <= path[3], path
    assert runs["locked"][1] == pytest.approx(runs["matched"][1], rel=0.02)


def _committed_to_a_capped_supplier(room_0: float):
    """Buyer city 0 spends 10 on inputs, last quarter all from city 0; tau = 2: 5 committed to city 0,
    5 flexible. Only committed buyers reach city 0 (no flexible weight), whose one firm (mass 1,
    price 1) has capacity 2 under lognormal demand shocks (s = 0.5) and room ``room_0``; city 1's firm
    (price 1, no capacity limit) is the flexible buyers' only supplier."""
    sourcing = np.zeros((1, 2, 2))
    sourcing[0, 0, 0] = 1.0
    inputs = np.array([[10.0], [0.0]])
    weights = np.array([[[0.0, 0.0], [1.0, 1.0]]])
    market = supply_chain.sticky_market(sourcing, inputs, inputs, np.ones((2, 1), bool), 0.5, weights, None)
    args = (np.array([1.0, 1.0]), np.array([room_0, 1e12]), np.array([0, 1]), np.array([5.0]),
            market.weights, market.spending)
    extra = dict(mass=np.ones(2), capacity=np.array([2.0, np.inf]), dispersion=0.5)
    return market, args, extra


def test_committed_orders_a_supplier_turns_away_are_spent_flexibly():
    """Regression (io merge): committed spending above what the supplier's enterprises can sell at
    their posted price had no fixed point (virtual prices and market access overflowed, NaN output)."""
    market, args, extra = _committed_to_a_capped_supplier(2.0)
    # staff cover capacity: the firm posts its markup price 1; orders 5 / 1 on capacity 2, x = 2.5; it
    # sells 2 G(2.5), its committed buyer gets that share of its orders and spends the rest (5 - 2 G)
    # with city 1's firm, as do the flexible buyers their 5
    sold = 2.0 * goods.capped_sales(np.array(2.5), 0.5)
    outcome = goods.clear_goods_market(*args, **extra, spillover=market.spillover)
    assert outcome.residual <= goods.CLEARING_TOLERANCE
    np.testing.assert_allclose(outcome.price, [1.0, 1.0])
    np.testing.assert_allclose(outcome.quantity, [sold, 10.0 - sold], rtol=1e-9)
    np.testing.assert_allclose(outcome.revenue, [sold, 10.0 - sold], rtol=1e-9)
    served = supply_chain.served_commitments(outcome, market)
    np.testing.assert_allclose(served[0, :, 0], [sold, 0.0], rtol=1e-9)
    folded, _ = supply_chain.fold_outcome(outcome, market)
    np.testing.assert_allclose(folded.flows[0, :, 0], [sold, 10.0 - sold], rtol=1e-9)
    assert folded.spending.sum() == pytest.approx(10.0)
    flows, shares = supply_chain.adjust_sourcing(served, outcome.flows[:, :2, :2], outcome.spending[:2],
                                                 market.inputs, market.committed * 0)
    np.testing.assert_allclose(shares[0, :, 0], [sold / 10.0, 1.0 - sold / 10.0], rtol=1e-9)
    # notional orders at the markup price: the committed 5 and nothing from the flexible buyers
    assert outcome.notional[0] == pytest.approx(5.0)
    # without passing on the turned-away orders the committed 5 cannot be sold at price 1 (at most 2):
    # the market had no fixed point until a cohort short of capacity priced up (issue 10 item 8); now the
    # supplier sells its capacity (to the clearing tolerance) for the whole 5, at 2.5 (1 + 1e-9)
    dear = goods.clear_goods_market(*args, **extra, max_rounds=300)
    assert dear.residual <= goods.CLEARING_TOLERANCE
    assert dear.price[0] == pytest.approx(2.5, rel=2e-9) and dear.revenue[0] == pytest.approx(5.0, rel=1e-12)


def test_committed_buyers_order_for_the_share_they_usually_get_served():
    sourcing = np.zeros((1, 2, 2))
    sourcing[0, 0, 0] = 1.0
    inputs = np.array([[10.0], [0.0]])
    usual = np.array([[0.5], [1.0]])
    market = supply_chain.sticky_market(sourcing, inputs, inputs, np.ones((2, 1), bool), 0.5,
                                        np.array([[[0.0, 0.0], [1.0, 1.0]]]), None, usual)
    np.testing.assert_allclose(market.usual[:, 0], [1.0, 1.0, 0.5, 1.0])
    _, args, extra = _committed_to_a_capped_supplier(2.0)
    # expecting half its orders served, the committed buyer orders 5 / 0.5 = 10 at price 1 from
    # capacity 2: x = 5, it is served 2 G(5) (< 5: the rest, 5 - 2 G(5), is spent with city 1)
    # the supplier's enterprises serve half their orders at its planned capacity (planned_served 0.5), the
    # share the buyer expects: in the notional market it places its 5 in full at the weight 0.5, and its
    # orders at the markup price are 5 / 0.5 = 10
    outcome = goods.clear_goods_market(*args[:4], market.weights, market.spending, **extra,
                                       spillover=market.spillover, usual=market.usual,
                                       planned_served=np.array([0.5, 1.0]))
    sold = 2.0 * goods.capped_sales(np.array(5.0), 0.5)
    np.testing.assert_allclose(outcome.revenue, [sold, 10.0 - sold], rtol=1e-9)
    assert outcome.notional[0] == pytest.approx(10.0, rel=1e-12)      # its orders at the markup price
    # a supplier that serves at least the usual share gets the commitment in full (here with ample
    # capacity: x = 5 / 1e3 at usual 1, served share G(x) / x close to one but below it)
    _, args, extra = _committed_to_a_capped_supplier(2.0)
    extra["capacity"] = np.array([1e3, np.inf])
    share = goods.sales_share(np.array(1e3 / 5.0), 0.5)
    market = supply_chain.sticky_market(sourcing, inputs, inputs, np.ones((2, 1), bool), 0.5,
                                        np.array([[[0.0, 0.0], [1.0, 1.0]]]), None,
                                        np.array([[share * 0.999], [1.0]]))
    outcome = goods.clear_goods_market(*args[:4], market.weights, market.spending, **extra,
                                       spillover=market.spillover, usual=market.usual)
    assert outcome.revenue[0] == pytest.approx(5.0)
    # the served share of a supplier city-sector: A at virtual over A at posted prices
    np.testing.assert_allclose(supply_chain.served_share(np.array([[0.4, 0.0]]), np.array([[0.8, 0.0]])),
                               [[0.5, 1.0]])


def test_committed_orders_to_a_supplier_short_of_staff_by_hand():
    market, args, extra = _committed_to_a_capped_supplier(1.0)
    # staff allow half of capacity: the firm prices up to the largest load x* with 2 G(x*) = 1, sells
    # 1 and serves the share G(x*) / x* of its orders 5 / p = 2 x*: p = 5 / (2 x*)
    most = goods._load_for_sales(np.array([0.5]), 0.5)[0]
    outcome = goods.clear_goods_market(*args, **extra, spillover=market.spillover)
    assert outcome.residual <= goods.CLEARING_TOLERANCE
    assert outcome.price[0] == pytest.approx(5.0 / (2.0 * most), rel=1e-9)
    assert outcome.quantity[0] == pytest.approx(1.0, rel=1e-9)
    assert outcome.revenue.sum() == pytest.approx(10.0)


def test_committed_spending_on_a_lone_entrant_keeps_the_market_finite():
    """Regression (io merge): at 1 / 20000 scale, seed 1, a supplier city-sector's incumbent exits
    and a small entrant (mass 0.12) is left with committed orders worth three times what it can make:
    quarter 5's goods market overflowed and every quantity was NaN."""
    model = YRDModel(rng=1, input_output=1, people_per_agent=20000)
    start = Start.of(model)
    for _ in range(5):
        model.step()
        live = model.firms.alive
        assert np.isfinite(model.firms.output[live]).all() and np.isfinite(model.firms.price[live]).all()
        assert model.goods.residual <= 1e-6
        assert_invariants(model, start)


def test_supply_chain_baseline_does_not_spiral_in_six_years():
    # seed 1 with supply chains: when the input index valued deliveries at rationed suppliers' virtual
    # prices, input prices spiralled through unit costs and capacity utilisation fell from 0.74 to
    # 0.085 by quarter 24 (consumer prices 3.4 x); valued at the posted prices suppliers ship at, the
    # baseline stays near its start over six years
    model = YRDModel(rng=1, input_output=1)
    for _ in range(24):
        model.step()
    frame = model.datacollector.get_model_vars_dataframe()
    utilisation, cpi = frame["capacity_utilization"], frame["cpi"]
    assert (utilisation - utilisation.iloc[0]).abs().max() <= 0.03
    assert (cpi / cpi.iloc[0]).max() <= 1.05
    assert abs(frame["firms"].iloc[-1] / frame["firms"].iloc[0] - 1) <= 0.03
