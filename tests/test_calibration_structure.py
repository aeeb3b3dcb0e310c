"""The initial city-sector structure (ODD section 5, step 1; ``calibration.sector_structure``):
national input-output weights, measured splits, the measured pillar location quotient, identities,
and the t = 0 pattern against the published similarity coefficients and target lists."""

import dataclasses
from collections import Counter

import numpy as np
import pytest

from ydabm import YRDModel, calibration
from ydabm.params import ParameterError
from ydabm.paths import configs_dir
from ydabm.sectors import load_sectors

#: the nine G60 Science and Technology Innovation Corridor cities that named one list of seven
#: priority industries in 2019 (data/evidence/target_industry_homogeneity_evidence.csv)
G60 = ("Shanghai", "Jiaxing", "Huzhou", "Hangzhou", "Jinhua", "Suzhou_JS", "Xuancheng", "Wuhu", "Hefei")


@pytest.fixture(scope="module")
def model():
    return YRDModel(rng=1)


def _province(model, a, b):
    geo = model.geography
    table = calibration.province_similarity(model.fundamentals.revenue, geo.province_index, model.sectors.manufacturing)
    index = {name: int(geo.province_index[geo.provinces.index(name)]) for name in set(geo.provinces)}
    return table[index[a], index[b]]


def test_province_similarity_sums_cities_then_takes_the_cosine():
    values = np.array([[1.0, 0.0, 5.0], [1.0, 2.0, 7.0], [3.0, 1.0, 9.0]])
    mask = np.array([True, True, False])
    table = calibration.province_similarity(values, np.array([0, 0, 1]), mask)
    # province 0: (2, 2), province 1: (3, 1): (6 + 2) / (sqrt(8) sqrt(10)) = 0.894427
    assert table[0, 1] == pytest.approx(8 / np.sqrt(80))
    assert np.diag(table) == pytest.approx([1.0, 1.0])


def test_weights_are_the_national_value_added_shares_of_the_2020_table():
    sectors = load_sectors()
    weights = calibration.national_weights(sectors)
    assert np.abs(weights - sectors.weight).max() < 5e-5            # stated to 4 decimals
    # by hand for agriculture (the only primary sector) and electronics vs machinery: gross output x
    # value-added rate of IO sectors 20 + 21 and 16 + 17 + 18 + 23 (summary file), same denominator
    assert weights[sectors.index("agriculture")] == 1.0
    electronics = 109135.9 * 0.1524 + 9716.3 * 0.2568
    machinery = 53291.1 * 0.2328 + 38735.1 * 0.2529 + 86247.1 * 0.2061 + 2069.7 * 0.2286
    ratio = weights[sectors.index("electronics_ic")] / weights[sectors.index("machinery")]
    assert ratio == pytest.approx(electronics / machinery, rel=2e-3)   # the summary's rounded rates


def test_pillar_location_quotient_on_a_hand_case():
    sectors = load_sectors()
    gross = np.where(sectors.manufacturing, 0.1, 0.0)
    q = np.zeros(sectors.count)
    q[[sectors.index("electronics_ic"), sectors.index("machinery"), sectors.index("steel_metals")]] = [0.2, 0.3, 0.05]
    listed = dataclasses.replace(sectors, pillars={"X": ("electronics_ic", "finance_business")})
    # pillars measured: electronics LQ 2; others measured: machinery 3, steel 0.5 (services not measured)
    lam = calibration.pillar_location_quotient({"X": q}, gross, listed)
    assert lam == pytest.approx(np.exp(np.log(2.0) - (np.log(3.0) + np.log(0.5)) / 2))
    assert calibration.pillar_location_quotient({}, gross, listed) == 1.0


def test_shipped_lambda_is_the_one_the_config_states():
    sectors = load_sectors()
    gross, _ = calibration.national_output(sectors)
    lam = calibration.pillar_location_quotient(calibration.measured_shares(sectors), gross, sectors)
    assert round(lam, 2) == 3.34
    assert "3.34 on Shanghai alone" in (configs_dir() / "sectors.toml").read_text()


def test_measured_city_takes_its_measured_split(model):
    s, geo = model.sectors, model.geography
    gross, rate = calibration.national_output(s)
    total = 31111.36
    q = np.zeros(s.count)
    for name, value in [("electronics_ic", 5774.37), ("machinery", 6042.17 + 4019.89), ("petrochemicals", 3144.33),
                        ("steel_metals", 1004.06), ("biomedicine", 1263.13)]:
        q[s.index(name)] = value / total
    rest = 1.0 - q.sum()
    value_added = np.where(s.manufacturing, rate * (q + rest * gross), 0.0)
    structure = calibration.sector_structure(geo, s)
    shanghai = geo.names.index("Shanghai")
    inside = structure[shanghai, s.manufacturing] / structure[shanghai, s.manufacturing].sum()
    # equal up to the weights' rounding to 4 decimals (at most 0.25 % on the smallest, biomedicine)
    assert inside == pytest.approx(value_added[s.manufacturing] / value_added.sum(), rel=3e-3)


def test_unmeasured_city_splits_by_weight_times_lambda_on_its_pillars(model):
    s, geo = model.sectors, model.geography
    gross, _ = calibration.national_output(s)
    lam = calibration.pillar_location_quotient(calibration.measured_shares(s), gross, s)
    structure = calibration.sector_structure(geo, s)
    c = geo.names.index("Maanshan")                                # pillars: steel_metals
    steel, textiles = s.index("steel_metals"), s.index("textiles")
    assert structure[c, steel] / structure[c, textiles] == pytest.approx(lam * s.weight[steel] / s.weight[textiles])


def test_structure_and_calibration_reproduce_broad_shares_and_gdp_exactly(model):
    s, geo, fund = model.sectors, model.geography, model.fundamentals
    structure = calibration.sector_structure(geo, s)
    broad = geo.broad_shares / geo.broad_shares.sum(axis=1, keepdims=True)
    for b in range(3):
        assert structure[:, s.broad == b].sum(axis=1) == pytest.approx(broad[:, b], rel=1e-12, abs=1e-15)
    assert fund.revenue.sum(axis=1) == pytest.approx(geo.gdp / 4.0, rel=1e-12)
    assert fund.revenue == pytest.approx(structure * (geo.gdp / 4.0)[:, None], rel=1e-12)


def test_bad_measured_file_names_the_field(tmp_path):
    sectors = load_sectors()
    unknown = tmp_path / "unknown.csv"
    unknown.write_text("city,model_sector,gross_output_100m_yuan\nX,semiconductors,1\nX,total,10\n")
    with pytest.raises(ParameterError, match=r"\[structure\] measured.*unknown sector 'semiconductors'"):
        calibration.measured_shares(dataclasses.replace(sectors, measured_structure=str(unknown)))
    no_total = tmp_path / "no_total.csv"
    no_total.write_text("city,model_sector,gross_output_100m_yuan\nX,machinery,1\n")
    with pytest.raises(ParameterError, match=r"\[structure\] measured.*one positive `total` row"):
        calibration.measured_shares(dataclasses.replace(sectors, measured_structure=str(no_total)))
    over = tmp_path / "over.csv"
    over.write_text("city,model_sector,gross_output_100m_yuan\nX,machinery,8\nX,textiles,4\nX,total,10\n")
    with pytest.raises(ParameterError, match="exceed its total"):
        calibration.measured_shares(dataclasses.replace(sectors, measured_structure=str(over)))


def test_the_old_pillar_multiplier_is_refused(tmp_path):
    text = (configs_dir() / "sectors.toml").read_text().replace("[pillars]\n", "[pillars]\nmultiplier = 3.0\n")
    path = tmp_path / "sectors.toml"
    path.write_text(text)
    with pytest.raises(ParameterError, match=r"\[pillars\] multiplier is not read"):
        load_sectors(str(path))


def test_t0_jiangsu_zhejiang_more_alike_than_shanghai_and_either(model):
    """The ordering of the published coefficients (Chen 2004: Zhejiang-Jiangsu 0.91 > Zhejiang-Shanghai
    0.70) holds at t = 0 on manufacturing value added by province."""
    js_zj = _province(model, "Jiangsu", "Zhejiang")
    assert js_zj > _province(model, "Shanghai", "Jiangsu") + 0.05
    assert js_zj > _province(model, "Shanghai", "Zhejiang") + 0.05


@pytest.mark.xfail(strict=True, reason=(
    "issue 11 (item 6): on the best shippable evidence (national IO weights, Shanghai's measured split, "
    "pillar lists at the measured location quotient) t = 0 gives Jiangsu-Zhejiang 0.98 and "
    "Shanghai-Jiangsu 0.88, above the published levels; no province table of output by industry is "
    "shipped to measure the provinces' structures"))
def test_t0_levels_match_the_published_coefficients(model):
    """Tolerances: Jiangsu-Zhejiang within 0.05 of 0.91 (Chen 2004, 2002 data; 'about 0.9');
    Shanghai with Jiangsu and with Zhejiang in [0.68, 0.84] (0.70, Chen 2004; 0.76-0.82 widely quoted)."""
    assert _province(model, "Jiangsu", "Zhejiang") == pytest.approx(0.91, abs=0.05)
    assert 0.68 <= _province(model, "Shanghai", "Zhejiang") <= 0.84
    assert 0.68 <= _province(model, "Shanghai", "Jiangsu") <= 0.84


def _top_lists(model):
    k = model.params.targets_per_city
    return [tuple(sorted(np.argsort(-row, kind="stable")[:k])) for row in model.targets]


@pytest.mark.xfail(strict=True, reason=(
    "issue 11 (item 6): with the support budget counted in the city's mean tradable sector (employment), "
    "the largest group of cities sharing one top-3 list (machinery, electronics, biomedicine) has 8 cities "
    "(9 with the budget counted in sectors, at the margin; 8 also at the old sharpness 7): Fuyang's third "
    "choice moved from biomedicine to digital economy and Hangzhou's list changed too. The ranking follows "
    "the scores, whose imitation term is the peers' mean support, and that now falls where a sector is large "
    "(seed 1)"))
def test_baseline_targets_form_a_cluster_of_identical_lists(model):
    """At baseline specialization at least nine cities (the size of the G60 group) support the same
    top list of sectors.

    Holds at the margin since worker agents are the working-age residents (issue 10 item 6): the
    largest group sharing one top-3 list (machinery + electronics + biomedicine) has 9 cities, 8 when
    every resident was a worker (Fuyang joined); they are not the G60 cities (see the next test)."""
    assert Counter(_top_lists(model)).most_common(1)[0][1] >= len(G60)


@pytest.mark.xfail(strict=True, reason=(
    "issue 11 (item 6): the nine G60 cities do not cluster at t = 0: their mean pairwise cosine of support "
    "intensities is 0.69 against 0.78 over all pairs; they spread over six of the twelve top-3 lists (the "
    "largest, machinery + electronics + biomedicine, holds 9 cities). Their identical 2019 list came "
    "from the corridor's joint meeting, an institution the model does not have"))
def test_g60_cities_target_more_alike_than_the_average_pair(model):
    from ydabm import metrics
    names = model.geography.names
    similarity = metrics.similarity_matrix(model.targets)
    upper = np.triu_indices(len(names), 1)
    g60 = np.array([names.index(c) for c in G60])
    within = similarity[np.ix_(g60, g60)][np.triu_indices(len(g60), 1)]
    assert within.mean() > similarity[upper].mean()


def test_strategic_prestige_out_of_range_names_the_field(tmp_path):
    text = (configs_dir() / "sectors.toml").read_text().replace("strategic = 0.5", "strategic = 2.0", 1)
    path = tmp_path / "sectors.toml"
    path.write_text(text)
    with pytest.raises(ParameterError, match=r"sector 'new_energy' field strategic = 2.0; allowed true, false or a prestige in \[0, 1\]"):
        load_sectors(str(path))


def test_strategic_prestige_is_the_share_of_the_two_published_lists():
    sectors = load_sectors()
    prestige = dict(zip(sectors.names, sectors.strategic))
    assert {n for n, v in prestige.items() if v == 1.0} == {"machinery", "electronics_ic", "biomedicine", "digital_economy"}
    assert prestige["new_energy"] == 0.5
    assert sum(v == 0.0 for v in prestige.values()) == 7


def test_employment_structure_on_a_hand_case():
    from types import SimpleNamespace
    sectors = SimpleNamespace(elasticity=np.array([5.0, 3.0]), fixed_cost=np.array([0.05, 0.1]))
    fund = SimpleNamespace(revenue=np.array([[100.0, 60.0]]), wages=np.array([[1.0, 2.0, 4.0]]),
                           skill_mix=np.array([[0.0, 1.0, 0.0], [0.0, 0.5, 0.5]]))
    # labour cost shares 4/5 + 0.05 = 0.85 and 2/3 + 0.1; one worker costs 2 and 0.5 x 2 + 0.5 x 4 = 3
    assert calibration.employment_structure(fund, sectors) == pytest.approx(np.array([[42.5, 60 * (2 / 3 + 0.1) / 3]]))


def test_2020_support_is_the_yearly_choice_on_the_2020_employment(model):
    # governments read comparative advantage from employment; the 2020 support is the fixed point of that
    # choice on the calibrated employment, which the t = 0 firms staff up to rounding to agents
    structure = calibration.employment_structure(model.fundamentals, model.sectors)
    assert np.abs(model.choose_targets(structure) - model.targets).max() < 1e-6
    staffed = model.employment_by_sector().astype(float)
    shares = staffed / staffed.sum(axis=1, keepdims=True) - structure / structure.sum(axis=1, keepdims=True)
    assert np.abs(shares).max() < 0.005                       # measured 0.0027 (seed 1)
    # the first yearly choice repeats it up to the rounding of the smallest cells (mean |change| measured
    # 0.004, largest 0.09; on the value-added structure it was 0.024 and 0.60, and targets drifted)
    assert np.abs(model.choose_targets(staffed) - model.targets).mean() < 0.01
