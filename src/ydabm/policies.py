"""Shocks and policies: small objects injected into the model (BeforeIT ``shocks.jl``).

Each has ``on_step(model)``, called at the start of every quarter before any mechanism runs, and
changes only the model's levers (:class:`ydabm.levers.Levers`, through the model's setters where
something derives from them: ``set_barrier``, ``set_province_levers``, ``liberalise``,
``set_geography``). Mechanisms never ask which scenario runs.

Policies combine. A shock sets its levers only in the quarters it lasts (each quarter starts with
none in force: :meth:`ydabm.levers.Levers.clear_shocks`); a path moves its lever until it reaches
its target and then leaves it; a one-off change acts once, in its first quarter; divisions of
labour add their scores and liberalisations their cities. So a run can have COVID in 2020 and a
Shanghai lockdown in 2022, or a barrier cut in 2021 and Anhui's hukou reform in 2025. Two policies
that would set the same lever in the same quarter (for the same province or sector), where one
would undo the other, are refused before the run (:func:`check_combination`).

Every field a scenario file may set is declared once with :func:`declare` (kind, unit, bounds,
meaning). The checks below, ``ydabm scenarios --markdown`` and docs/scenarios.md derive from these
declarations: values are checked when a policy is made (:func:`check_fields`), names of provinces,
cities and sectors against the run's world before it starts (:func:`check_world`).
"""

from __future__ import annotations

import dataclasses
import functools
import numbers
from dataclasses import dataclass, field
from typing import Any, NamedTuple

import numpy as np

from .geography.world import build_geography, upgrade_links
from .mechanisms import targeting
from .params import BY_NAME, ParameterError, did_you_mean
from .sectors import load_sectors

YEARS = (BY_NAME["start_year"].low, BY_NAME["start_year"].high)


@dataclass(frozen=True)
class FieldSpec:
    """How one policy field is written in a scenario file.

    Attributes:
        kind: ``whole`` or ``number`` (one value), ``numbers`` (a list, one per quarter),
            ``provinces`` (a list of province names, or ``["all"]``), ``cities`` (a list of city
            names), ``sectors`` (a list of sector names), ``roles`` (a table of
            province = list of sector names), ``pairs`` (a table of province = table of province =
            number). A field whose default is None is optional: left out, it changes nothing.
        unit: unit of the value (``"1"`` for dimensionless, ``""`` for names).
        meaning: one line.
        low, high: bounds of the numbers (inclusive; ``high`` excluded when ``below_high``).
    """

    kind: str
    unit: str
    meaning: str
    low: float | None = None
    high: float | None = None
    below_high: bool = False

    def allowed(self) -> str:
        """The allowed values as text, e.g. ``whole number in [1, 4]``, ``list of city names``."""
        if self.kind == "provinces":
            return 'list of province names, or ["all"]'
        if self.kind in ("cities", "sectors"):
            return f"list of {'city' if self.kind == 'cities' else 'sector'} names"
        if self.kind == "roles":
            return "table: province name = list of sector names"
        if self.kind == "pairs":
            return f"table: province name = {{ province name = {self.one()} }}"
        return f"list of numbers in {self.bounds()}" if self.kind == "numbers" else self.one()

    def bounds(self) -> str:
        """The bounds of the numbers as text: ``[low, high]``, or ``[low, high)`` when ``below_high``."""
        return f"[{self.low:g}, {self.high:g}{')' if self.below_high else ']'}"

    def one(self) -> str:
        """What one number of the field may be: ``whole number in [1, 4]``, ``number in [0, 3]``
        (an entry of a list or a table of numbers is a number in the bounds)."""
        return f"{'whole number' if self.kind == 'whole' else 'number'} in {self.bounds()}"


def declare(kind: str, unit: str, meaning: str, low: float | None = None, high: float | None = None,
            below_high: bool = False, **default: Any):
    """A dataclass field of a policy, with its :class:`FieldSpec` (``default=`` or
    ``default_factory=`` as for :func:`dataclasses.field`; neither: the field is required)."""
    return field(metadata={"spec": FieldSpec(kind, unit, meaning, low, high, below_high)}, **default)


def year(meaning: str, **default: Any):
    """A calendar-year field (bounds of the ``start_year`` parameter)."""
    return declare("whole", "year", meaning, *YEARS, **default)


#: the largest share of a labour force a lockdown may keep from work. A lockdown closes that share of
#: every cohort's enterprises in every sector alike, utilities, food supply and health care included,
#: which every recorded lockdown kept running; beyond 99 % the model's lockdown describes no lockdown
#: (the worst recorded quarter, Shanghai's 2022 Q2, lost 17 % of its value added). Nearer 1 the few
#: enterprises left open sell a vanishing output at prices that grow without bound, and at 1 - 1e-12
#: float rounding in flows of 1e24 yuan no longer conserves money (7 Dec 2026)
ABSENT_MOST = 0.99


def relief_share():
    """A lockdown's ``relief`` field: the share of a locked firm's loss its banks lend (both lockdown
    policies declare it alike)."""
    return declare("number", "share of a loss",
                   "share of its quarter's loss the banks lend a firm whose workers the lockdown keeps away, up to "
                   "its city's owners' net loss (a loss they gain back at their other firms is not lent), repaid "
                   "out of its later profits (China's relief lending of 2020 and 2022); 0: its owners carry the loss "
                   "that quarter", 0, 1, default=1.0)


class Move(NamedTuple):
    """A lever a policy sets and when: from quarter ``first`` to ``last`` (inclusive; a quarter is
    year * 4 + quarter - 1; ``first`` None: from the run's start), for the provinces or sectors of
    ``scope`` (None: all of them). A ``shock`` acts only in those quarters; a change (a path or a
    one-off) due before the run's first quarter acts in it."""

    lever: str
    first: int | None
    last: int
    scope: frozenset[str] | None = None
    shock: bool = False


#: the levers a lockdown sets (absences, freight, relief credit, savings and their release, the
#: market entrants expect, moves), which two lockdowns cannot share in a quarter
LOCKDOWN = "lockdown"

#: what to tell a user whose two policies set the same lever in the same quarter
_COMBINE = {
    LOCKDOWN: "give the lockdowns quarters that do not overlap (a CovidShock lasts its quarters and its "
              "recovery_quarters, a CityLockdown also the quarter after its own), or lock several cities in one "
              "CityLockdown",
    "network": "one NetworkUpgrade adds every line up to its until_year",
}


def check_combination(policies, start_year: int, label: str = "policies") -> None:
    """Refuse policies of which one would undo another: two that set the same lever in the same
    quarter, for a province or sector both name (:meth:`moves` of each policy; a policy without it,
    such as ``Liberalisation`` or a division of labour, adds to what others do and never conflicts).
    The run's first quarter is ``start_year`` Q2.

    Raises:
        ParameterError: ``policies 1 (CovidShock) and 2 (CityLockdown) both set lockdown in 2022 Q2,
            and one would undo the other; <what to do>`` (one line).
    """
    opening = start_year * 4 + 1
    spans = []
    for number, policy in enumerate(policies, 1):
        for move in getattr(policy, "moves", list)():
            first = opening if move.first is None else max(move.first, opening)
            last = move.last if move.shock else max(move.last, opening)
            if first <= last:
                spans.append((number, policy, move, first, last))
    for i, (n, a, move, first, last) in enumerate(spans):
        for m, b, other, other_first, other_last in spans[i + 1:]:
            if m == n or other.lever != move.lever or other_first > last or first > other_last:
                continue
            if move.scope is not None and other.scope is not None and not move.scope & other.scope:
                continue
            shared = max(first, other_first)
            both = (move.scope & other.scope) if move.scope is not None and other.scope is not None else \
                (move.scope or other.scope or frozenset())
            scope = f" for {', '.join(sorted(both))}" if both else ""
            advice = _COMBINE.get(move.lever, "give them different years, or merge them into one policy")
            raise ParameterError(f"{label} {n} ({type(a).__name__}) and {m} ({type(b).__name__}) both set "
                                 f"{move.lever} in {_when(shared)}{scope}, and one would undo the "
                                 f"other; {advice}")


def _when(quarter: int) -> str:
    return f"{quarter // 4} Q{quarter % 4 + 1}"


def schedule_notes(policies, start_year: int, steps: int) -> list[str]:
    """What of the policies' schedules a run of ``steps`` quarters from ``start_year`` does not see,
    one line each: a shock whose quarters begin before the run's first quarter (``start_year`` Q2:
    Q1 is t = 0, the calibrated economy), so that they, or all of it, never act; a policy that starts
    after the run's last quarter (any with a ``start_year``: the policies that act once, those that
    only add to what others do among them, such as a division of labour or a liberalisation, and the
    paths). Not errors (a sweep over ``start_year`` may mean them): ``ydabm run`` prints them as notes."""
    opening, closing = start_year * 4 + 1, start_year * 4 + steps
    notes = []
    for number, policy in enumerate(policies, 1):
        moves = [move for move in _schedule(policy) if move.first is not None]
        if not moves:
            continue
        first, last = min(move.first for move in moves), max(move.last for move in moves)
        name = f"policy {number} ({type(policy).__name__})"
        if any(move.shock for move in moves) and first < opening:
            if last < opening:
                notes.append(f"{name}: its quarters {_when(first)} to {_when(last)} end before the run's first "
                             f"quarter, {_when(opening)}, so it does not act")
            else:
                notes.append(f"{name}: it starts in {_when(first)}, before the run's first quarter, {_when(opening)} "
                             f"({_when(opening - 1)} is t = 0, the calibrated economy), so its quarters before "
                             f"{_when(opening)} do not act")
        elif first > closing:
            notes.append(f"{name}: it starts in {_when(first)}, after the run's last quarter, {_when(closing)} "
                         f"({steps} step{'' if steps == 1 else 's'}), so it does not act")
    return notes


def _schedule(policy) -> list[Move]:
    """When a policy acts: its :meth:`moves`, or for a policy that acts once without declaring moves
    (one that only adds to what others do and so never conflicts: ``DivisionOfLabor``,
    ``Liberalisation``, ``ChainAutonomy``, ``ComplementaryChain``) the first quarter of its
    ``start_year``."""
    if hasattr(policy, "moves"):
        return policy.moves()
    if isinstance(policy, OnceFrom):
        return [Move("", policy.start_year * 4, policy.start_year * 4)]
    return []


def declared_fields(cls: type) -> list[tuple[dataclasses.Field, FieldSpec]]:
    """The fields a scenario file may set on a policy type, in order, with their declarations."""
    return [(f, f.metadata["spec"]) for f in dataclasses.fields(cls) if "spec" in f.metadata]


def default_of(f: dataclasses.Field) -> Any:
    """A field's default value, or ``dataclasses.MISSING`` for a required field."""
    return f.default_factory() if f.default_factory is not dataclasses.MISSING else f.default


def check_fields(policy: Any) -> None:
    """Check every declared field of ``policy`` against its kind and bounds.

    Raises:
        ParameterError: ``<field>: <what is wrong>; <what is allowed>`` (one line).
    """
    for f, spec in declared_fields(type(policy)):
        value = getattr(policy, f.name)
        if value is None and default_of(f) is None:
            continue                                   # an optional field left out
        if spec.kind in ("whole", "number"):
            _check_number(f.name, spec, value)
        elif spec.kind == "numbers":
            if not isinstance(value, list):
                raise ParameterError(f"{f.name}: expected a {spec.allowed()}, got {value!r}")
            for item in value:
                _check_number(f.name, spec, item)
        elif spec.kind == "provinces":
            if not isinstance(value, list) or not value or not all(isinstance(v, str) for v in value):
                raise ParameterError(f'{f.name}: expected a non-empty list of province names, e.g. ["Anhui"], got {value!r}')
        elif spec.kind in ("cities", "sectors"):
            if not isinstance(value, list) or not value or not all(isinstance(v, str) for v in value):
                raise ParameterError(f"{f.name}: expected a non-empty {spec.allowed()}, got {value!r}")
        elif spec.kind == "roles":
            if not (isinstance(value, dict) and all(isinstance(v, list) and all(isinstance(s, str) for s in v)
                                                    for v in value.values())):
                raise ParameterError(f'{f.name}: expected a table of province = ["sector", ...], got {value!r}')
        elif spec.kind == "pairs":
            if not (isinstance(value, dict) and all(isinstance(v, dict) for v in value.values())):
                raise ParameterError(f"{f.name}: expected a table of province = {{ province = number }}, "
                                     f"e.g. {{ Anhui = {{ Jiangsu = 0.0 }} }}, got {value!r}")
            for first, row in value.items():
                for second, number in row.items():
                    _check_number(f"{f.name}.{first}.{second}", spec, number)


def _check_number(name: str, spec: FieldSpec, value: Any) -> None:
    """Check one number of a field (its value, or an entry of its list or table) against the bounds:
    ``<name>: expected a number in [0, 3], got 'x'`` or ``<name>: 4 is out of range; allowed [0, 3]``."""
    kind = numbers.Integral if spec.kind == "whole" else numbers.Real
    if isinstance(value, bool) or not isinstance(value, kind):
        raise ParameterError(f"{name}: expected a {spec.one()}, got {value!r}")
    if not (spec.low <= value and (value < spec.high if spec.below_high else value <= spec.high)):
        unit = f" ({spec.unit})" if spec.unit not in ("", "1") else ""
        raise ParameterError(f"{name}: {value!r} is out of range; allowed {spec.bounds()}{unit}")


@dataclass(frozen=True)
class World:
    """The names a policy may use: the provinces, cities and sectors of the run's world, and the
    concordance of the input-output table the run reads (``io_concordance``)."""

    name: str
    provinces: tuple[str, ...]
    cities: tuple[str, ...]
    sectors: tuple[str, ...]
    targetable: tuple[str, ...]
    io_concordance: str = "io_concordance"


def world_of(params: dict[str, Any]) -> World:
    """The world that resolved parameters simulate (``world``, ``network_file``, ``racetrack_cities``,
    ``sectors_file``; ``io_concordance`` when ``input_output`` is on), read as the model reads it, so
    that a bad network or sector file is refused here, before any run. With supply chains off the
    input-output table is read only by the policies that use it (``ChainAutonomy``,
    ``ComplementaryChain``): :func:`check_world` checks it for them.

    Raises:
        ParameterError: a network, sector or input-output file (``input_output = 1``) that is
            missing or malformed (one line).
    """
    world = _world(params["world"], params["network_file"], params["racetrack_cities"], params["sectors_file"])
    concordance = params.get("io_concordance", "io_concordance")
    if params.get("input_output"):
        _io_table(concordance, world.sectors)
    return dataclasses.replace(world, io_concordance=concordance)


@functools.lru_cache(maxsize=16)
def _io_table(concordance: str, sectors: tuple[str, ...]):
    from .supply import load_io_table
    return load_io_table(concordance, sectors)


@functools.lru_cache(maxsize=16)
def _world(kind: str, network_file: str, racetrack_cities: int, sectors_file: str) -> World:
    geography = build_geography(kind, network_file, racetrack_cities)
    sectors = load_sectors(sectors_file)
    return World(kind, tuple(dict.fromkeys(geography.provinces)), tuple(geography.names), sectors.names,
                 tuple(name for name, target in zip(sectors.names, sectors.targetable) if target))


def check_world(policy: Any, world: World) -> None:
    """Check the province, city and sector names of ``policy`` against ``world``.

    Raises:
        ParameterError: ``<field>: 'anhui' is not a province of the yrd world (did you mean 'Anhui'?);
            allowed: ...`` (one line).
    """
    for f, spec in declared_fields(type(policy)):
        value = getattr(policy, f.name)
        if spec.kind == "provinces":
            check_names(f.name, value, (*world.provinces, "all"), f"province of the {world.name} world")
        elif spec.kind == "cities":
            check_names(f.name, value, world.cities, f"city of the {world.name} world")
        elif spec.kind == "sectors":
            check_names(f.name, value, world.sectors, "sector")
        elif spec.kind == "roles":
            check_names(f.name, list(value), world.provinces, f"province of the {world.name} world")
            for province, sectors in value.items():
                check_names(f"{f.name}.{province}", sectors, world.sectors, "sector")
                check_names(f"{f.name}.{province}", sectors, world.targetable,
                            "sector governments may target (agriculture and non-tradable services are not)",
                            suggest=False)
        elif spec.kind == "pairs":
            check_names(f.name, list(value), world.provinces, f"province of the {world.name} world")
            for province, row in value.items():
                check_names(f"{f.name}.{province}", list(row), world.provinces, f"province of the {world.name} world")
    if hasattr(policy, "check_against"):
        policy.check_against(world)


def check_names(name: str, values: list[str], known: tuple[str, ...], what: str, suggest: bool = True) -> None:
    """Raise for the first of ``values`` not in ``known``, with a did-you-mean suggestion (``suggest``);
    the allowed names are listed once each (a synthetic world's one province is called ``all``)."""
    for value in values:
        if value not in known:
            hint = did_you_mean(value, known) if suggest else ""
            raise ParameterError(f"{name}: {value!r} is not a {what}{hint}; allowed: {', '.join(dict.fromkeys(known))}")


class LinearPath:
    """A lever that moves linearly from the value it has at ``start_year``'s first quarter to ``target``
    at ``end_year``'s (at once when the two coincide). Subclasses declare the fields and say how the
    lever is read (``current``) and set (``apply``)."""

    start_year: int
    end_year: int
    target: float
    _initial: np.ndarray | float | None
    _reached: bool
    lever = ""

    def __post_init__(self) -> None:
        check_fields(self)
        if self.end_year < self.start_year:
            raise ParameterError(f"end_year: {self.end_year} is before start_year {self.start_year}")

    def on_step(self, model) -> None:
        if model.year < self.start_year or self._reached:
            return
        if self._initial is None:
            self._initial = self.current(model)
        span = self.span()
        done = 1.0 if span == 0 else min(((model.year - self.start_year) * 4 + model.quarter) / span, 1.0)
        self.apply(model, self._initial + (self.target - self._initial) * done)
        # at its target the path leaves the lever, which a later policy may move from there
        self._reached = done >= 1.0

    def span(self) -> int:
        """Quarters from the path's start (``start_year`` Q1) to the quarter it reaches ``target``
        (``end_year`` Q1): 0 when the two years coincide, so that the target holds from that year's
        first quarter."""
        return (self.end_year - self.start_year) * 4

    def moves(self) -> list[Move]:
        start = self.start_year * 4
        return [Move(self.lever, start, start + self.span())]

    def current(self, model):
        raise NotImplementedError

    def apply(self, model, value) -> None:
        raise NotImplementedError


@dataclass
class BarrierPath(LinearPath):
    """Integration: ``barrier`` moves linearly to ``target`` between two calendar years, in every
    province from the barrier it has at the start."""

    start_year: int = year("first year of the change: the barrier starts to move after its first quarter")
    end_year: int = year("year by whose first quarter the barrier reaches target (not before start_year)")
    target: float = declare("number", "1", "the barrier reached at end_year (the parameter barrier before)",
                            BY_NAME["barrier"].low, BY_NAME["barrier"].high, default=0.0)
    _initial: np.ndarray | None = field(default=None, repr=False, compare=False)
    _reached: bool = field(default=False, repr=False, compare=False)
    lever = "barrier"

    def current(self, model) -> np.ndarray:
        return model.levers.barrier.copy()

    def apply(self, model, value: np.ndarray) -> None:
        model.set_barrier(value)


@dataclass
class SpecializationPath(LinearPath):
    """Targeting reform: the weight every government puts on comparative advantage when it chooses its
    targets (``specialization``) moves linearly to ``target`` between two calendar years, from the
    value it has at the start. Governments choose their targets once a year, in the first quarter, so
    the path acts at year starts."""

    start_year: int = year("first year of the change: the weight starts to move after its first quarter")
    end_year: int = year("year by whose first quarter the weight reaches target (not before start_year)")
    target: float = declare("number", "1", "the weight on comparative advantage reached at end_year (the "
                            "parameter specialization before)", BY_NAME["specialization"].low,
                            BY_NAME["specialization"].high, default=1.0)
    _initial: float | None = field(default=None, repr=False, compare=False)
    _reached: bool = field(default=False, repr=False, compare=False)
    lever = "specialization"

    def current(self, model) -> float:
        return float(model.levers.specialization)

    def apply(self, model, value: float) -> None:
        model.levers.specialization = value


@dataclass
class CovidShock:
    """A COVID-style shock to supply and demand, quarter by quarter from ``start_year``
    Q``start_quarter``.

    In its k-th quarter a share ``absent[k]`` of every city's labour force cannot work: that share of
    every cohort's enterprises is closed (:meth:`ydabm.model.YRDModel.staffed_room`), the employed
    among them stay employed and paid (their firms produce less), the job seekers among them cannot
    be hired (:func:`ydabm.markets.labour.able_seekers`); households save ``demand_drop[k]`` of their
    income (which lowers the next quarter's spending: the money stays out of circulation until it is
    released), and nobody moves while any worker is absent. Firms learn demand from every quarter:
    notional demand is measured at markup prices with each cohort's served share at its planned capacity
    (:func:`ydabm.markets.goods.notional_demand`), so an absence quarter's scarcity prices do not
    inflate it (before they did, by 18 % in the first quarter, and absence quarters were skipped).
    Afterwards the savings are spent evenly over ``recovery_quarters`` quarters. The shares are the
    same in every city: no city-level data on 2020 absences are shipped
    (``geography/data/shanghai_2022.csv`` is the 2022 Shanghai lockdown, another episode). In a quarter
    with workers absent the banks lend each firm a
    share ``relief`` of its loss out of the households' savings, repaid out of its later profits
    (:func:`ydabm.mechanisms.accounts.relief_credit`; China deferred small firms' principal and interest
    and relent 1.8 trillion yuan to firms in 2020); at 0 its owners carry the loss out of that quarter's
    income, as before 7 Dec 2026.

    Defaults: the least-squares fit of ``ydabm.validation.covid.calibrate`` (seeds 1-5, at the default 750
    people per agent, shock from 2022 Q1, refitted on 7 Dec 2026 when absences came to close enterprises
    instead of thinning their staff; before, on 4 Dec 2026, after hours per worker came to absorb whole-worker
    staffing, :func:`ydabm.markets.labour.planned_hours`, and ``demand_dispersion`` was recalibrated
    with them; issue 10 items 3 and 7) of the shock's quarterly deviation from the no-shock
    path to China's 2020 path read as a deviation from its 2019 growth of 6 % (-6.8 %, +3.2 %, +4.9 %,
    +6.5 % y/y), see docs/validation.md. The fit uses only absences (the share of workers who could
    not work falls from 12.2 % in the first quarter to 3.4 % and 1.6 %; 11.3, 3.1 and 1.4 % while
    absences thinned the staff); any saving would lower every
    later quarter. ``ydabm validate covid`` re-runs this path (docs/validation.md, "COVID shock"): Q1-Q3
    match within a few hundredths of a point, Q4 is about 0.7 pp short (China's Q4 was 0.5 % above its
    trend; the model has no such overshoot: docs/ODD.md, "Supply shock").
    """

    start_year: int = year("year in which the shock starts")
    start_quarter: int = declare("whole", "quarter", "quarter of start_year (1-4) in which the shock starts",
                                 1, 4, default=1)
    # calibrated by ydabm.validation.covid.calibrate (see the docstring and docs/validation.md)
    absent: list[float] = declare(
        "numbers", "share of the labour force",
        "k-th entry: share of every city's labour force (employed and job seekers) who cannot work in the "
        "shock's k-th quarter, with the share of every cohort's enterprises closed", 0, ABSENT_MOST,
        default_factory=lambda: [0.122, 0.034, 0.016, 0.0])
    demand_drop: list[float] = declare(
        "numbers", "share of income", "k-th entry: share of their income households save in the shock's k-th quarter",
        0, 1, below_high=True, default_factory=lambda: [0.0, 0.0, 0.0, 0.0])
    recovery_quarters: int = declare("whole", "quarters", "quarters over which the savings are spent after the shock",
                                     0, 40, default=4)
    relief: float = relief_share()

    def __post_init__(self) -> None:
        check_fields(self)

    def quarters(self) -> int:
        """Quarters of absences and saving (the recovery's come after them)."""
        return max(len(self.absent), len(self.demand_drop))

    def moves(self) -> list[Move]:
        start = _start_of(self)
        return [Move(LOCKDOWN, start, start + self.quarters() + self.recovery_quarters - 1, shock=True)]

    def on_step(self, model) -> None:
        elapsed = _quarter_of(self, model)
        quarters = self.quarters()
        if not 0 <= elapsed < quarters + self.recovery_quarters:
            return                                       # no shock in force: the quarter's levers
        active = elapsed < quarters
        absent = self.absent[elapsed] if active and elapsed < len(self.absent) else 0.0
        levers = model.levers
        levers.absent = np.full(model.geography.count, absent)
        levers.relief = np.full(model.geography.count, self.relief if absent > 0 else 0.0)
        levers.saving_rate = self.demand_drop[elapsed] if active and elapsed < len(self.demand_drop) else 0.0
        levers.moves_halted = absent > 0
        recovering = quarters <= elapsed < quarters + self.recovery_quarters
        levers.dissaving_share = 1.0 / (quarters + self.recovery_quarters - elapsed) if recovering else 0.0


def _start_of(policy) -> int:
    """The quarter a shock starts in, year * 4 + quarter - 1 (the numbering of :class:`Move`)."""
    return policy.start_year * 4 + policy.start_quarter - 1


def _quarter_of(policy, model) -> int:
    """Quarters since the policy's start (negative before it)."""
    return model.year * 4 + model.quarter - _start_of(policy)


@dataclass
class CityLockdown:
    """A lockdown of some cities, quarter by quarter from ``start_year`` Q``start_quarter``.

    In its k-th quarter a share ``absent[k]`` of the locked cities' labour force cannot work (the
    employed among them stay employed and paid, their firms produce less; the job seekers among them
    cannot be hired), their households cannot spend
    ``demand_drop[k]`` of their income in that quarter (shops shut: the share of last quarter's
    household income, planned for this quarter's purchases, moves to their savings before the goods
    market; the savings are spent evenly over the ``recovery_quarters`` quarters after the
    lockdown), and goods shipped to, from or within them in the region's goods market bear an extra
    iceberg cost ``freight_delay[k]`` (road passes, port and warehouse closures; what they buy from
    the rest of China and abroad bears none: a simplification, which lets a locked city's buyers
    turn to those suppliers at their usual prices). With supply chains on, their
    firms' suppliers and buyers elsewhere feel it through orders, prices and inventories. Firms
    know a lockdown is temporary: they do not update their demand expectations from its quarters
    (every firm plans the quarter after one on the demand it expected for it), and entrants, during it
    and in the quarter after it, expect the last market before it (:meth:`ydabm.model.YRDModel.expected_market`).
    In a lockdown quarter the locked cities' banks lend each of their firms a share ``relief`` of its
    loss out of the households' savings, repaid out of its later profits
    (:func:`ydabm.mechanisms.accounts.relief_credit`; Shanghai's 2022 relief measures deferred firms'
    loan repayments); at 0 its owners carry the loss out of that quarter's income, as before 7 Dec 2026.

    Defaults: the 2022 Shanghai lockdown (1 April to 1 June, two thirds of 2022 Q2). The share of
    income unspent equals the share absent (people locked in neither work nor shop: an assumption);
    freight through Shanghai costs 10 % more in the quarter (an assumption). The share absent is
    calibrated by :func:`ydabm.validation.lockdown.calibrate` (seed 1, 2000 people per agent, then the default
    scale, supply chains on, buyers adjusting their suppliers over ``supplier_adjustment`` quarters, inputs
    costed at book value, a lockdown closing enterprises: 0.1447 on seeds 1-3 at the default 750 people per agent,
    rounded to 0.145; 0.134 while absences thinned the staff, 0.126 before book value) so that
    Shanghai's Q2 real value added is 17 % below a matched run without the lockdown (its -13.7 %
    y/y against a +3 to +5 % trend; ``geography/data/shanghai_2022.csv``), and to nothing else
    (docs/validation.md).
    """

    cities: list[str] = declare("cities", "", "locked-down cities", default_factory=lambda: ["Shanghai"])
    start_year: int = year("year in which the lockdown starts", default=2022)
    start_quarter: int = declare("whole", "quarter", "quarter of start_year (1-4) in which the lockdown starts",
                                 1, 4, default=2)
    absent: list[float] = declare(
        "numbers", "share of the labour force",
        "k-th entry: share of the locked cities' labour force (employed and job seekers) who cannot work in the "
        "k-th quarter, with the share of every cohort's enterprises closed",
        0, ABSENT_MOST, default_factory=lambda: [0.145])
    demand_drop: list[float] = declare(
        "numbers", "share of income",
        "k-th entry: share of their income the locked cities' households cannot spend in the k-th quarter",
        0, 1, below_high=True, default_factory=lambda: [0.145])
    freight_delay: list[float] = declare(
        "numbers", "1", "k-th entry: extra iceberg cost on goods shipped to, from or within the locked cities "
        "in the region's goods market",
        0, 10, default_factory=lambda: [0.1])
    recovery_quarters: int = declare("whole", "quarters", "quarters over which the savings are spent afterwards",
                                     0, 40, default=2)
    relief: float = relief_share()

    def __post_init__(self) -> None:
        check_fields(self)

    def quarters(self) -> int:
        """Quarters of the lockdown itself."""
        return max(len(self.absent), len(self.demand_drop), len(self.freight_delay))

    def last_quarter(self) -> int:
        """The last quarter (from its start, 0) in which the lockdown moves anything: its savings'
        release (over ``recovery_quarters`` from its last quarter's accounts on) and the quarter after
        it (entrants expect the market before it, firms plan on what they expected)."""
        quarters = self.quarters()
        return max(quarters, quarters - 2 + self.recovery_quarters)

    def moves(self) -> list[Move]:
        start = _start_of(self)
        return [Move(LOCKDOWN, start, start + self.last_quarter(), shock=True)]

    def on_step(self, model) -> None:
        elapsed = _quarter_of(self, model)
        if not 0 <= elapsed <= self.last_quarter():
            return                                       # no shock in force: the quarter's levers
        cities = model.geography.count
        locked = np.isin(np.asarray(model.geography.names), self.cities)
        quarters = self.quarters()
        active = elapsed < quarters

        def now(values):
            return values[elapsed] if active and elapsed < len(values) else 0.0

        levers = model.levers
        levers.absent = np.where(locked, now(self.absent), 0.0)
        levers.freight_delay = np.where(locked, now(self.freight_delay), 0.0)
        levers.relief = np.where(levers.absent > 0, self.relief, 0.0)
        # shops shut: this quarter's purchases (planned last quarter) fall by the share of households'
        # income they cannot spend, which is saved now, so the fall is in the lockdown's quarter
        levers.saving_rate = np.zeros(cities)
        withheld = np.where(locked, now(self.demand_drop), 0.0) * np.clip(model.flows["income"], 0.0, model.spending)
        model.spending = model.spending - withheld
        model.savings = model.savings + withheld
        # the savings are released in the accounts of the lockdown's last quarter and the next ones:
        # spent in the recovery_quarters quarters after it
        last = quarters - 1
        recovering = last <= elapsed < last + self.recovery_quarters
        share = 1.0 / (last + self.recovery_quarters - elapsed) if recovering else 0.0
        levers.dissaving_share = np.where(locked, share, 0.0) if cities else share
        # a lockdown quarter is known to be temporary: firms plan the next quarter on the demand they
        # expected for it, not on what the lockdown left (they do not learn from it). Its scarcity prices no
        # longer inflate notional demand (issue 10 item 3), but its shut shops lower spending, which notional
        # demand answers about 3.5-fold at fixed capacity: learning from it, Shanghai's 2022 loss is 8.4 %
        # instead of 6.6 % (seeds 1-3; Q2 the same, 16.9 %)
        if 1 <= elapsed <= quarters:
            firms = model.firms
            firms.notional_sales = np.where(firms.alive, firms.expected_sales, firms.notional_sales)
        # entrants expect what incumbents expect: during the lockdown and in the quarter after it, the
        # last market before it (its spending, price terms and market access), not the lockdown's. Read
        # from the lockdown's market, the quarter after a one-quarter lockdown of every city with 10 %
        # absent and freight 30 % dearer saw entrants expect 12 times a usual quarter's entrants' sales
        # per enterprise (31 % more sales for all firms), whose capacity then stood idle: an exit cascade
        # took unemployment to 35 % three years later (default scale, seed 0; docs/validation-changes.md,
        # "Since `32d4cf3`: entrants after a lockdown")
        if elapsed == 0:
            model.market_before_lockdown = model.goods
        if 1 <= elapsed <= quarters and model.market_before_lockdown is not None:
            model.entrants_market = model.market_before_lockdown
        if elapsed == quarters:
            model.market_before_lockdown = None


@dataclass
class ExternalSupplyShock:
    """A cut in inputs from abroad: for ``quarters`` quarters from ``start_year`` Q``start_quarter``
    only ``supplied`` of the input orders of ``sectors`` placed abroad arrive (firms pay only for
    what arrives). Default: imported electronic inputs halved for two quarters (issue 12)."""

    sectors: list[str] = declare("sectors", "", "input sectors whose imports are cut",
                                 default_factory=lambda: ["electronics_ic"])
    start_year: int = year("year in which the cut starts", default=2022)
    start_quarter: int = declare("whole", "quarter", "quarter of start_year (1-4) in which the cut starts",
                                 1, 4, default=1)
    quarters: int = declare("whole", "quarters", "quarters the cut lasts", 0, 40, default=2)
    supplied: float = declare("number", "share of orders", "share of the orders placed abroad that arrive",
                              0, 1, default=0.5)

    def __post_init__(self) -> None:
        check_fields(self)

    def moves(self) -> list[Move]:
        start = _start_of(self)
        return [Move("import_supply", start, start + self.quarters - 1, frozenset(self.sectors), shock=True)]

    def on_step(self, model) -> None:
        if not 0 <= _quarter_of(self, model) < self.quarters:
            return                                       # no cut in force: the quarter's levers
        cut = np.isin(np.asarray(model.sectors.names), self.sectors)
        supply = model.levers.import_supply
        model.levers.import_supply = np.where(cut, self.supplied, supply if supply.size else 1.0)


@functools.lru_cache(maxsize=16)
def _line_cities(until_year: int) -> frozenset[str]:
    lines = upgrade_links(until_year)
    return frozenset(lines["city_a"]) | frozenset(lines["city_b"])


@dataclass
class NetworkUpgrade:
    """Network upgrades: rail lines opened after 2020 (configs/network_upgrades.csv) join the
    network in the first quarter of their opening year, up to ``until_year``; in a run that starts
    later (``start_year`` after 2020), the lines opened by its first quarter join in it."""

    until_year: int = year("last opening year of the lines that join the network", default=2024)
    _added: int = field(default=2020, repr=False)

    def __post_init__(self) -> None:
        check_fields(self)

    def moves(self) -> list[Move]:
        return [Move("network", None, self.until_year * 4)]

    def check_against(self, world: World) -> None:
        """The lines must join cities of the run's world (they are YRD rail lines); called by
        :func:`check_world`."""
        missing = sorted(_line_cities(self.until_year) - set(world.cities))
        if missing:
            raise ParameterError(f"until_year: the lines opened by {self.until_year} join {', '.join(missing)}, "
                                 f"which the {world.name} world does not have; network upgrades need world = \"yrd\"")

    def _lines_after(self, year: int):
        """The lines opened after those already added, up to ``year``."""
        links = upgrade_links(year)
        return links[links["opened"] > self._added]

    def knowledge_reach(self, geography):
        """The network with every line this policy adds, and whether it opens the knowledge flows (no):
        what :meth:`ydabm.model.YRDModel._check_rd_at_start` checks R&D's stability against."""
        new = self._lines_after(self.until_year)
        return (geography.with_links(new) if len(new) else geography), False

    def on_step(self, model) -> None:
        # the lines opened by this quarter's year and not yet added: at a year's first quarter those
        # opened in it, in a run's first quarter all those opened since 2020
        year = min(model.year, self.until_year)
        if year > self._added:
            new = self._lines_after(year)
            self._added = year
            if len(new):
                model.set_geography(model.geography.with_links(new))


@dataclass
class OnceFrom:
    """A policy that acts once: in the first quarter of ``start_year`` (or, in a run that starts
    later, in its first quarter), through :meth:`act`. Its fields are checked against their
    declarations when it is made."""

    _done: bool = field(default=False, repr=False, compare=False, kw_only=True)

    def __post_init__(self) -> None:
        check_fields(self)

    def on_step(self, model) -> None:
        if model.year < self.start_year or self._done:
            return
        self._done = True
        self.act(model)

    def act(self, model) -> None:
        """What the policy does, once."""
        raise NotImplementedError


@dataclass
class DigitalIntegration(OnceFrom):
    """Digital integration (seed paper section 4.2): from ``start_year`` governments pay
    ``adoption_subsidy`` of traditional-sector firms' digital adoption cost, so more of their
    enterprises find that adopting pays (:mod:`ydabm.mechanisms.technology`)."""

    start_year: int = year("year from whose first quarter the subsidy applies")
    adoption_subsidy: float = declare("number", "share of adoption cost", "adoption subsidy from start_year (the parameter adoption_subsidy before)",
                                      BY_NAME["adoption_subsidy"].low, BY_NAME["adoption_subsidy"].high, default=0.5)

    def moves(self) -> list[Move]:
        return [Move("adoption_subsidy", self.start_year * 4, self.start_year * 4)]

    def act(self, model) -> None:
        model.levers.adoption_subsidy = self.adoption_subsidy


@dataclass
class InnovationCommunity(OnceFrom):
    """A YRD science and technology community (seed paper section 4.4): from ``start_year``
    knowledge crosses provincial borders without the co-invention friction, and the cities pay
    ``fund_share`` of their GDP into a joint R&D fund that pays one share of every firm's R&D across
    the region (the lever ``rd_fund_share``; :mod:`ydabm.mechanisms.technology`); ``pooled`` = 0 has
    every city fund its own firms from the same share of its own GDP instead. ``rd_fund`` > 0
    instead (or as well) has each city's government pay that share of its own firms' R&D (the
    lever ``rd_subsidy``: per-city funding, the comparison case)."""

    start_year: int = year("year from whose first quarter the community works")
    fund_share: float = declare("number", "share of GDP", "budget of the joint regional R&D fund from start_year (the lever rd_fund_share)",
                                BY_NAME["rd_fund_share"].low, BY_NAME["rd_fund_share"].high, default=0.006)
    pooled: int = declare("whole", "0/1", "1: the fund is one regional pool; 0: each city pays fund_share of its own GDP for its own firms (the lever rd_fund_pooled)",
                          0, 1, default=1)
    rd_fund: float = declare("number", "share of R&D", "share of firms' R&D each city's government pays for its own firms from start_year (0: none)",
                             BY_NAME["rd_subsidy"].low, BY_NAME["rd_subsidy"].high, default=0.0)

    def moves(self) -> list[Move]:
        return [Move("rd_fund", self.start_year * 4, self.start_year * 4)]

    def knowledge_reach(self, geography):
        """The same network, with the knowledge flows opened: what
        :meth:`ydabm.model.YRDModel._check_rd_at_start` checks R&D's stability against."""
        return geography, True

    def act(self, model) -> None:
        model.levers.rd_fund_share = self.fund_share
        model.levers.rd_fund_pooled = self.pooled
        if self.rd_fund > 0:
            model.levers.rd_subsidy = self.rd_fund
        model.open_knowledge_flows()


@dataclass
class DivisionOfLabor(OnceFrom):
    """Provincial division of labour: from ``start_year`` each government's target score gains
    ``weight`` for the sectors of its province's assigned role (seed paper: Shanghai finance and
    headquarters, Zhejiang digital economy, Jiangsu advanced manufacturing, Anhui green industry and
    new energy around Hefei). A province allots each of its role sectors to its cities whose revealed
    comparative advantage in it (Balassa, employment, in the quarter the roles start) is at least
    ``min_advantage``, or to its city with the highest where none is: 0, the default, gives every
    role to every city of the province (the seed paper's roles, named for provinces); 1 to the cities
    that already specialise in the sector more than the region does."""

    start_year: int = year("year from whose first quarter the roles apply")
    roles: dict[str, list[str]] = declare("roles", "", "each province's role: the sectors its governments favour "
                                                       "(provinces left out have none)")
    weight: float = declare("number", "target score", "score added to a role sector (the other terms of a "
                                                      "government's target score lie in [0, 1])", 0, 10, default=1.0)
    min_advantage: float = declare("number", "Balassa index", "least revealed comparative advantage (a city-sector's "
                                                              "employment share of the city over the sector's share of "
                                                              "the region) a city needs in a role sector to take it on; "
                                                              "a province whose cities all fall short gives the sector to "
                                                              "its city with the highest; 0: every city of the province",
                                   0, 10, default=0.0)

    def act(self, model) -> None:
        add_roles(model, role_bonus(self.roles, self.weight, self.min_advantage, model.geography.provinces,
                                    model.sectors.index, targeting.balassa(model.employment_by_sector())))


def role_bonus(roles: dict[str, list[str]], weight: float, min_advantage: float, provinces, sector_index,
               advantage: np.ndarray) -> np.ndarray:
    """(C, S) target scores a division of labour adds: ``weight`` for each role sector of a city's
    province (``roles``: province -> sector names; ``provinces``: (C,) each city's province;
    ``sector_index``: name -> column) where the city's Balassa index in it (``advantage``, (C, S)) is at
    least ``min_advantage``, or where it is the province's highest if no city of it reaches that."""
    bonus = np.zeros(advantage.shape)
    provinces = np.asarray(provinces)
    for province, names in roles.items():
        cities = np.flatnonzero(provinces == province)
        if cities.size == 0:
            continue
        for name in names:
            column = sector_index(name)
            index = advantage[cities, column]
            takes = index >= min_advantage
            if not takes.any():
                takes = index == index.max()
            bonus[cities[takes], column] = weight
    return bonus


def add_roles(model, bonus: np.ndarray) -> None:
    """Add a division of labour's (C, S) target scores to those in force (a second policy of the kind
    adds its own: ``DivisionOfLabor`` from 2021 and ``ChainAutonomy`` from 2025 are both in force
    from 2025)."""
    roles = model.levers.roles
    model.levers.roles = bonus if roles is None else roles + bonus


def _coefficients(model):
    """The model's input coefficients (loaded from its concordance when supply chains are off)."""
    if model.io is not None:
        return model.io
    from .supply import load_io_table
    return load_io_table(model.params.io_concordance, model.sectors.names)


@dataclass
class ChainAutonomy(OnceFrom):
    """Self-reliant supply chains (seed paper section 4.3): from ``start_year`` every government's
    target score gains ``weight`` for the ``inputs`` targetable sectors whose 2020 input supply the
    region bought most from outside (rest of China and abroad), so that its entry and capacity
    subsidies build local supply of them; with supply chains on, cheaper regional inputs draw
    purchases back from the rest of China (imports from abroad are the table's, fixed)."""

    start_year: int = year("year from whose first quarter governments favour the import-reliant inputs")
    inputs: int = declare("whole", "sectors", "number of most import-reliant input sectors favoured", 1, 12, default=2)
    weight: float = declare("number", "target score", "score added to a favoured sector", 0, 10, default=1.0)

    def check_against(self, world: World) -> None:
        """The input-output table it reads (``io_concordance``) must load, with supply chains off too
        (with them on :func:`world_of` loads it); called by :func:`check_world`, before any run."""
        _io_table(world.io_concordance, world.sectors)

    def act(self, model) -> None:
        reliance = import_reliance(model)
        eligible = np.where(model.sectors.targetable, reliance, -np.inf)
        chosen = np.argsort(-eligible, kind="stable")[:self.inputs]
        bonus = np.zeros((model.geography.count, model.sectors.count))
        bonus[:, chosen] = self.weight
        add_roles(model, bonus)


def import_reliance(model) -> np.ndarray:
    """(S,) share of the region's 2020 purchases of each input bought outside the region."""
    table = _coefficients(model)
    gross = (model.fundamentals.revenue / (1.0 - (table.domestic + table.imported).sum(axis=0))[None, :]).sum(axis=0)
    closed = model.fundamentals.closure
    outside = closed.outside_share if closed is not None else np.zeros(model.sectors.count)
    domestic, imported = table.domestic @ gross, table.imported @ gross
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(domestic + imported > 0, (outside * domestic + imported) / (domestic + imported), 0.0)


@dataclass
class ComplementaryChain(OnceFrom):
    """Complementary chains (seed paper section 3.3): from ``start_year`` each government's target
    score gains ``weight`` for the sectors upstream and downstream of its province neighbours'
    targets (linked by the input-output coefficients, a[k, s] + a[s, k], scaled to at most 1) and
    loses ``weight`` times the neighbours' support of the same sector: governments build the chain
    around their neighbours instead of copying them."""

    start_year: int = year("year from whose first quarter governments target along the chain")
    weight: float = declare("number", "target score", "score for chain links (and against copying)", 0, 10, default=1.0)

    def check_against(self, world: World) -> None:
        """The input-output table it reads (``io_concordance``) must load, with supply chains off too;
        called by :func:`check_world`, before any run."""
        _io_table(world.io_concordance, world.sectors)

    def act(self, model) -> None:
        table = _coefficients(model)
        province = model.geography.province_index
        same = (province[:, None] == province[None, :]) & ~np.eye(province.size, dtype=bool)
        count = np.maximum(same.sum(axis=1, keepdims=True), 1)
        neighbours = same @ model.targets / count                       # (C, S) neighbours' support
        linked = neighbours @ (table.domestic + table.domestic.T).T      # (C, K): links to their targets
        top = np.where(model.sectors.targetable[None, :], linked, 0.0).max(axis=1, keepdims=True)
        with np.errstate(divide="ignore", invalid="ignore"):
            linked = np.where(top > 0, linked / top, 0.0)
        add_roles(model, self.weight * (linked - neighbours))


@dataclass
class CoordinatedTargets(OnceFrom):
    """Regional coordination of industrial policy (seed paper section 3.2: "no mechanism for regional
    cooperation"): from ``start_year`` a regional body allocates every city's support along
    comparative advantage (the score's comparative-advantage term alone: no strategic-list prestige,
    no imitation of peers), and the region shares the gains: each city pays ``tax_sharing`` of its
    taxes into a pool that is paid back in proportion to the cities' 2020 taxes, so a city that gives
    up a sector it would have chased does not lose its revenue with it."""

    start_year: int = year("year from whose first quarter the regional body allocates support")
    tax_sharing: float = declare("number", "share of taxes", "share of each city's taxes pooled and paid back by "
                                                             "2020 tax shares", 0, 1, default=0.5)

    def moves(self) -> list[Move]:
        return [Move("tax_sharing", self.start_year * 4, self.start_year * 4)]

    def act(self, model) -> None:
        model.levers.coordinated = True
        model.levers.tax_sharing = self.tax_sharing


@dataclass
class Liberalisation(OnceFrom):
    """Trade liberalisation by some provinces: from ``start_year`` their cities drop local protection
    of their markets (the procurement wedge on other cities' tradable goods). Their exports still face
    the other cities' protection, and trade across provinces still pays the border effect.
    ``provinces = ["all"]`` is joint liberalisation by every province. The unilateral vs joint
    comparison is the prisoner's dilemma of local protection (Barwick, Cao & Li 2021)."""

    start_year: int = year("year from whose first quarter the provinces' cities drop local protection")
    provinces: list[str] = declare("provinces", "", 'provinces that liberalise; ["all"]: every province (joint liberalisation)')

    def act(self, model) -> None:
        names = model.geography.provinces
        check_names("Liberalisation.provinces", self.provinces, (*dict.fromkeys(names), "all"), "province of the model's world")
        # added to the cities that have liberalised already (an earlier Liberalisation's)
        model.liberalise(model.levers.liberalised | np.array([p in self.provinces or "all" in self.provinces for p in names]))


@dataclass
class ProvinceLevers(OnceFrom):
    """Per-province levers: from ``start_year`` the provinces in ``provinces`` take the given
    ``barrier`` and ``hukou_penalty`` (a field left out keeps its value), and ``protection`` scales
    the local-protection wedge that the cities of an importer province put on goods from an exporter
    province (the table's rows are importers: ``protection = { Anhui = { Jiangsu = 0.0 } }`` is Anhui
    dropping its protection against Jiangsu's goods; pairs left out keep theirs).

    How each province's levers act (`ydabm.frictions`): trade between cities of provinces a and b
    pays the border effect at the mean of a's and b's barriers (a border has two sides); a city's
    protection wedge uses its own province's barrier times the multiplier for the exporter's
    province (cities under `Liberalisation` have none); a worker whose hukou is not the destination
    province's pays that province's barrier times its hukou_penalty (the destination decides who
    gets its public services). Amenities stay as the 2020 economy is calibrated: at the default
    barrier, 0.5, whatever the run's `barrier` (every lever is at its default in the calibrated
    economy), and at the parameter `hukou_penalty`, so the new values are a counterfactual on the
    same fundamentals. A `BarrierPath` later in the run moves each province's barrier from where it
    stands."""

    start_year: int = year("year from whose first quarter the new values apply")
    provinces: list[str] = declare("provinces", "", 'provinces whose barrier and hukou_penalty change; ["all"]: every province',
                                   default_factory=lambda: ["all"])
    barrier: float | None = declare("number", "1", "the provinces' barrier from start_year (left out: unchanged)",
                                    BY_NAME["barrier"].low, BY_NAME["barrier"].high, default=None)
    hukou_penalty: float | None = declare(
        "number", "log-utility", "the provinces' hukou penalty at barrier = 1 from start_year: what living there costs "
        "a worker with another province's hukou (left out: unchanged)",
        BY_NAME["hukou_penalty"].low, BY_NAME["hukou_penalty"].high, default=None)
    protection: dict[str, dict[str, float]] = declare(
        "pairs", "1", "importer province = { exporter province = multiplier on the importer's protection wedge "
        "(0 drops it, 1 keeps it) }", 0, 3, default_factory=dict)

    def __post_init__(self) -> None:
        super().__post_init__()
        if self.barrier is None and self.hukou_penalty is None and not self.protection:
            raise ParameterError("barrier, hukou_penalty, protection: none given; give at least one")

    def moves(self) -> list[Move]:
        at = self.start_year * 4
        chosen = None if "all" in self.provinces else frozenset(self.provinces)
        moves = [Move(name, at, at, chosen) for name in ("barrier", "hukou_penalty") if getattr(self, name) is not None]
        if self.protection:
            moves.append(Move("protection", at, at, frozenset(self.protection)))
        return moves

    def act(self, model) -> None:
        names = model.geography.province_names
        where = f"the {len(names)}-province world of the model"
        check_names("ProvinceLevers.provinces", self.provinces, (*names, "all"), f"province of {where}")
        chosen = np.array([name in self.provinces or "all" in self.provinces for name in names])
        levers = model.levers
        protection = None
        if self.protection:
            protection = levers.protection.copy()
            for importer, row in self.protection.items():
                check_names("ProvinceLevers.protection", [importer, *row], tuple(names), f"province of {where}")
                for exporter, multiplier in row.items():
                    protection[names.index(importer), names.index(exporter)] = multiplier
        model.set_province_levers(
            barrier=None if self.barrier is None else np.where(chosen, self.barrier, levers.barrier),
            hukou_penalty=None if self.hukou_penalty is None else np.where(chosen, self.hukou_penalty, levers.hukou_penalty),
            protection=protection)


POLICY_TYPES = {cls.__name__: cls for cls in (BarrierPath, SpecializationPath, CovidShock, NetworkUpgrade, DigitalIntegration,
                                              InnovationCommunity, DivisionOfLabor, CoordinatedTargets, Liberalisation,
                                              ProvinceLevers, CityLockdown, ExternalSupplyShock, ChainAutonomy,
                                              ComplementaryChain)}
