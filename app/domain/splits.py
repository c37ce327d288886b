"""When an order that no single location can fill may ship in parts: a merchant's split policy.

``allow``: split at once. ``never``: the order waits (held) until one location has every unit.
``after_days``: it waits up to N days from when it was placed, then splits. The hub keeps one
policy per channel (a channel is a merchant's store) with a default for the others.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from app.domain.errors import DomainError

WAITING_FOR_STOCK = "waiting for stock"


class SplitMode(enum.StrEnum):
    ALLOW = "allow"
    NEVER = "never"
    AFTER_DAYS = "after_days"


@dataclass(frozen=True, slots=True)
class SplitPolicy:
    mode: SplitMode = SplitMode.NEVER
    days: int = 0

    def __post_init__(self) -> None:
        if self.mode == SplitMode.AFTER_DAYS and self.days < 1:
            raise DomainError("after_days needs a number of days of at least 1")

    def may_split(self, placed_at: datetime | None, at: datetime) -> bool:
        if self.mode == SplitMode.ALLOW:
            return True
        if self.mode == SplitMode.NEVER or placed_at is None:
            return False
        return at - placed_at >= timedelta(days=self.days)

    def splits_on(self, placed_at: datetime) -> datetime | None:
        """When an order placed at ``placed_at`` may split (None: never)."""
        return placed_at + timedelta(days=self.days) if self.mode == SplitMode.AFTER_DAYS else None

    def describe(self) -> str:
        return f"after_days:{self.days}" if self.mode == SplitMode.AFTER_DAYS else self.mode.value

    @classmethod
    def parse(cls, text: str) -> SplitPolicy:
        """``allow``, ``never`` or ``after_days:N``."""
        word, _, days = text.strip().partition(":")
        try:
            mode = SplitMode(word.strip())
        except ValueError:
            raise DomainError(f"split policy {text!r}: expected allow, never or after_days:N") from None
        if mode != SplitMode.AFTER_DAYS:
            if days:
                raise DomainError(f"split policy {text!r}: only after_days takes a number")
            return cls(mode)
        if not days.strip().isdigit():
            raise DomainError(f"split policy {text!r}: after_days needs a number of days (after_days:3)")
        return cls(mode, int(days))


@dataclass(frozen=True, slots=True)
class SplitPolicies:
    """One policy per channel, ``default`` for channels not named."""

    by_channel: Mapping[str, SplitPolicy] = field(default_factory=dict)
    default: SplitPolicy = field(default_factory=SplitPolicy)

    def for_channel(self, channel: str) -> SplitPolicy:
        return self.by_channel.get(channel, self.default)

    @classmethod
    def parse(cls, text: str) -> SplitPolicies:
        """``shopify=allow,woocommerce=after_days:2,*=never`` (``*`` or a bare policy: the default)."""
        by: dict[str, SplitPolicy] = {}
        default = SplitPolicy()
        for part in (p.strip() for p in text.split(",")):
            if not part:
                continue
            channel, sep, policy = part.partition("=")
            if not sep:
                default = SplitPolicy.parse(channel)
            elif channel.strip() == "*":
                default = SplitPolicy.parse(policy)
            else:
                by[channel.strip()] = SplitPolicy.parse(policy)
        return cls(by, default)


def fulfilment_number(order_number: str, n: int) -> str:
    """The number of part ``n`` (from 1) of a split order: ``PB0000012-1``."""
    return f"{order_number}-{n}"
