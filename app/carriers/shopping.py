"""Rate shopping: which of the offered rates to buy, by rules, with the choice explained."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from app.carriers.base import CarrierError, Rate


@dataclass(frozen=True, slots=True)
class ShoppingRules:
    """``max_transit_days`` per service level (``{"express": 1, "standard": 5}``); a level not listed
    has no limit. ``preferred_carrier_by_channel`` / ``_by_service_level`` restrict the choice to that
    carrier when it offers an eligible rate (the service level wins over the channel).
    ``excluded_services`` holds ``"carrier:service"`` keys, or ``"carrier:*"`` for a whole carrier."""

    max_transit_days: Mapping[str, int] = field(default_factory=dict)
    preferred_carrier_by_channel: Mapping[str, str] = field(default_factory=dict)
    preferred_carrier_by_service_level: Mapping[str, str] = field(default_factory=dict)
    excluded_services: frozenset[str] = frozenset()


@dataclass(frozen=True, slots=True)
class RateChoice:
    rate: Rate
    reason: str
    rejected: tuple[tuple[Rate, str], ...] = ()


def choose_rate(
    rates: Sequence[Rate], rules: ShoppingRules, *, channel: str = "", service_level: str = "standard"
) -> RateChoice:
    """The cheapest eligible rate (ties: fewer transit days, then carrier and service name).

    Raises ``CarrierError`` with every rate's rejection when none is eligible.
    """
    rejected: list[tuple[Rate, str]] = []
    limit = rules.max_transit_days.get(service_level)
    eligible: list[Rate] = []
    for rate in rates:
        if rate.key in rules.excluded_services or f"{rate.carrier}:*" in rules.excluded_services:
            rejected.append((rate, "excluded service"))
        elif limit is not None and rate.transit_days is None:
            rejected.append((rate, f"transit time unknown, {service_level} needs at most {limit} day(s)"))
        elif limit is not None and rate.transit_days is not None and rate.transit_days > limit:
            rejected.append((rate, f"{rate.transit_days} day(s) is over the {limit}-day {service_level} limit"))
        else:
            eligible.append(rate)
    if not eligible:
        detail = "; ".join(f"{r.key}: {why}" for r, why in rejected) or "no carrier offered a rate"
        raise CarrierError(f"no eligible rate ({detail})")
    preferred = rules.preferred_carrier_by_service_level.get(service_level)
    why_pref = f"preferred carrier for {service_level}"
    if preferred is None and channel:
        preferred = rules.preferred_carrier_by_channel.get(channel)
        why_pref = f"preferred carrier for channel {channel}"
    pool = eligible
    notes: list[str] = []
    if preferred is not None:
        theirs = [r for r in eligible if r.carrier == preferred]
        if theirs:
            pool = theirs
            notes.append(f"{why_pref} is {preferred}")
            rejected += [(r, f"not the {why_pref}") for r in eligible if r.carrier != preferred]
        else:
            notes.append(f"{why_pref} {preferred} has no eligible rate, so any carrier")
    pool = sorted(pool, key=lambda r: (r.amount.amount_minor, r.transit_days or 99, r.carrier, r.service))
    chosen = pool[0]
    cheapest = f"cheapest of {len(pool)} eligible rate(s)" if len(pool) > 1 else "the only eligible rate"
    if limit is not None:
        cheapest += f" within {limit} transit day(s)"
    if len(pool) > 1:
        cheapest += f", next {pool[1].describe()}"
    rejected += [(r, "dearer") for r in pool[1:]]
    reason = f"{chosen.describe()}: " + "; ".join([cheapest, *notes])
    excluded = [f"{r.key} {why}" for r, why in rejected if why != "dearer" and not why.startswith("not the")]
    if excluded:
        reason += " (ruled out: " + "; ".join(excluded) + ")"
    return RateChoice(chosen, reason, tuple(rejected))
