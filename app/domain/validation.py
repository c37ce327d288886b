"""Is an order fit to route? Payment, address completeness per country, and configurable risk rules.

``validate_order`` only looks; ``apply_validation`` moves the order to validated, or puts it on hold
with every reason found (an admin releases it). Plain Python: the hub and the channels share it.
"""

from __future__ import annotations

import enum
import re
from dataclasses import dataclass, field

from app.domain.orders import Address, Order, OrderStatus, OrderType


class IssueCode(enum.StrEnum):
    UNPAID = "unpaid"
    ADDRESS_INCOMPLETE = "address_incomplete"
    POSTCODE_INVALID = "postcode_invalid"
    COUNTRY_MISMATCH = "country_mismatch"
    FIRST_ORDER_VALUE = "first_order_value"
    CHANNEL_RISK = "channel_risk"


@dataclass(frozen=True, slots=True)
class ValidationIssue:
    code: IssueCode
    message: str


# Postcode shapes per ISO 3166-1 alpha-2 country, after upper-casing and trimming. Countries not listed
# are not checked for shape, only for presence where POSTCODE_REQUIRED says so.
POSTCODE_PATTERNS: dict[str, re.Pattern[str]] = {
    "US": re.compile(r"^\d{5}(-\d{4})?$"),
    "CA": re.compile(r"^[ABCEGHJ-NPRSTVXY]\d[ABCEGHJ-NPRSTV-Z] ?\d[ABCEGHJ-NPRSTV-Z]\d$"),
    "GB": re.compile(r"^(GIR ?0AA|[A-Z]{1,2}\d[A-Z\d]? ?\d[A-Z]{2})$"),
    "DE": re.compile(r"^\d{5}$"),
    "FR": re.compile(r"^\d{5}$"),
    "ES": re.compile(r"^\d{5}$"),
    "IT": re.compile(r"^\d{5}$"),
    "NL": re.compile(r"^\d{4} ?[A-Z]{2}$"),
    "BE": re.compile(r"^\d{4}$"),
    "AT": re.compile(r"^\d{4}$"),
    "CH": re.compile(r"^\d{4}$"),
    "DK": re.compile(r"^\d{4}$"),
    "AU": re.compile(r"^\d{4}$"),
    "SE": re.compile(r"^\d{3} ?\d{2}$"),
    "PL": re.compile(r"^\d{2}-\d{3}$"),
    "JP": re.compile(r"^\d{3}-?\d{4}$"),
    "IE": re.compile(r"^[AC-FHKNPRTV-Y]\d[\dW] ?[\dAC-FHKNPRTV-Y]{4}$"),
}

# Countries where a delivery address has no postcode at all (a blank one is then complete).
NO_POSTCODE = frozenset({"HK", "AE", "QA", "BS", "AO", "FJ", "GH"})

# Countries whose addresses need a region (state, province) to be deliverable.
REGION_REQUIRED = frozenset({"US", "CA", "AU", "BR", "MX", "IN"})


def normalise_postcode(postcode: str) -> str:
    """Upper case with single spaces and no surrounding blanks: ``" ls1  1aa "`` → ``"LS1 1AA"``."""
    return " ".join(postcode.upper().split())


def postcode_issue(country: str, postcode: str) -> ValidationIssue | None:
    """The problem with a postcode for a country, or None when it is fine (or the country is unchecked)."""
    country = country.upper()
    code = normalise_postcode(postcode)
    if not code:
        if country in NO_POSTCODE:
            return None
        return ValidationIssue(IssueCode.ADDRESS_INCOMPLETE, f"postcode is missing ({country} needs one)")
    pattern = POSTCODE_PATTERNS.get(country)
    if pattern is not None and not pattern.match(code):
        return ValidationIssue(IssueCode.POSTCODE_INVALID, f"postcode {postcode!r} is not a valid {country} one")
    return None


def address_issues(address: Address) -> list[ValidationIssue]:
    """What keeps a carrier from delivering to ``address``: missing fields, a malformed postcode."""
    issues: list[ValidationIssue] = []
    missing = [
        label
        for label, value in (("name", address.name), ("street", address.line1), ("city", address.city))
        if not value.strip()
    ]
    country = address.country.strip().upper()
    if len(country) != 2 or not country.isalpha():
        missing.append("country (2-letter ISO code)")
    elif country in REGION_REQUIRED and not address.region.strip():
        missing.append(f"state/province ({country} needs one)")
    if missing:
        issues.append(ValidationIssue(IssueCode.ADDRESS_INCOMPLETE, "address is missing " + ", ".join(missing)))
    if len(country) == 2:
        issue = postcode_issue(country, address.postcode)
        if issue is not None:
            issues.append(issue)
    return issues


@dataclass(frozen=True, slots=True)
class RiskRules:
    """Configurable checks that hold an order for a person to look at.

    ``first_order_limit_minor``: a customer's first order above this amount (minor units, in the
    order's currency) is held; None turns the rule off. ``trusted_channels`` skip the risk rules
    (a POS sale is paid at the till), not the payment or address checks.
    """

    require_payment: bool = True
    hold_on_country_mismatch: bool = True
    first_order_limit_minor: int | None = None
    hold_on_channel_risk_flag: bool = True
    trusted_channels: frozenset[str] = field(default_factory=frozenset)


@dataclass(frozen=True, slots=True)
class ValidationResult:
    issues: tuple[ValidationIssue, ...]

    @property
    def ok(self) -> bool:
        return not self.issues

    @property
    def hold_reason(self) -> str | None:
        """All the reasons in one line, as an admin reads them on the held order."""
        if not self.issues:
            return None
        return "; ".join(i.message for i in self.issues)


def validate_order(order: Order, rules: RiskRules, *, previous_orders: int = 0) -> ValidationResult:
    """Check ``order``; ``previous_orders`` is how many earlier orders the customer has placed."""
    issues: list[ValidationIssue] = []
    if rules.require_payment and not order.paid:
        issues.append(ValidationIssue(IssueCode.UNPAID, "payment not captured"))
    if order.order_type == OrderType.PICKUP:
        # The customer collects: a name and a way to reach them is all the address the store needs.
        if not order.ship_to.name.strip():
            issues.append(ValidationIssue(IssueCode.ADDRESS_INCOMPLETE, "pickup order has no customer name"))
        if not (order.ship_to.email or order.ship_to.phone or order.customer_email):
            issues.append(ValidationIssue(IssueCode.ADDRESS_INCOMPLETE, "pickup order has no email or phone to notify"))
    else:
        issues.extend(address_issues(order.ship_to))
    if order.channel not in rules.trusted_channels:
        issues.extend(_risk_issues(order, rules, previous_orders))
    return ValidationResult(tuple(issues))


def _risk_issues(order: Order, rules: RiskRules, previous_orders: int) -> list[ValidationIssue]:
    issues: list[ValidationIssue] = []
    ship_country = order.ship_to.country.strip().upper()
    billing = (order.billing_country or "").strip().upper()
    if rules.hold_on_country_mismatch and billing and ship_country and billing != ship_country:
        issues.append(
            ValidationIssue(
                IssueCode.COUNTRY_MISMATCH,
                f"billing country {billing} differs from shipping country {ship_country}",
            )
        )
    limit = rules.first_order_limit_minor
    if limit is not None and previous_orders == 0 and order.total.amount_minor > limit:
        issues.append(
            ValidationIssue(
                IssueCode.FIRST_ORDER_VALUE,
                f"first order from this customer is {_major(order.total.amount_minor, order.total.currency)} "
                f"{order.total.currency}, above the {_major(limit, order.total.currency)} limit",
            )
        )
    if rules.hold_on_channel_risk_flag and order.risk_flag:
        issues.append(ValidationIssue(IssueCode.CHANNEL_RISK, f"{order.channel} flagged the order as risky"))
    return issues


# ISO 4217 currencies without a hundredth as their minor unit (for the messages only).
_EXPONENT = {"JPY": 0, "KRW": 0, "VND": 0, "CLP": 0, "ISK": 0, "BHD": 3, "KWD": 3, "OMR": 3, "JOD": 3, "TND": 3}


def _major(minor: int, currency: str = "USD") -> str:
    exp = _EXPONENT.get(currency.upper(), 2)
    sign = "-" if minor < 0 else ""
    if exp == 0:
        return f"{sign}{abs(minor)}"
    whole, frac = divmod(abs(minor), 10**exp)
    return f"{sign}{whole}.{frac:0{exp}d}"


def apply_validation(order: Order, result: ValidationResult) -> OrderStatus:
    """Move a received order to validated, or hold it with the result's reasons. Returns the new status."""
    if result.ok:
        order.move_to(OrderStatus.VALIDATED, "validation passed")
    else:
        order.hold(result.hold_reason or "validation failed")
    return order.status
