"""Checking a referral against its programme's eligibility rules, rule by rule.

Each check is met, failed or not known, with the words the referral page shows. Nothing here
decides for the lead: a referral that fails a rule may still be accepted, with a reason.
"""

import re
from dataclasses import dataclass

from clients.postcodes import tidy_postcode

from .models import ProgrammeEligibility, Referral

MET, FAILED, UNKNOWN = "met", "failed", "unknown"
POSTCODE_DISTRICT = re.compile(r"^[A-Z]{1,2}[0-9][A-Z0-9]?$")


@dataclass(frozen=True)
class Check:
    rule: str
    status: str
    detail: str = ""

    @property
    def words(self):
        return {MET: "Met", FAILED: "Not met", UNKNOWN: "Not known"}[self.status]


def rules_of(programme):
    """The programme's rules, or None when it has none (it takes everyone referred)."""
    try:
        return programme.eligibility
    except ProgrammeEligibility.DoesNotExist:
        return None


def age_on(born, day):
    return day.year - born.year - ((day.month, day.day) < (born.month, born.day))


def _age_check(rules, client, on):
    if rules.min_age is None and rules.max_age is None:
        return None
    span = (f"{rules.min_age} to {rules.max_age}" if rules.min_age is not None and rules.max_age is not None
            else f"{rules.min_age} or older" if rules.min_age is not None else f"{rules.max_age} or younger")
    rule = f"Aged {span} when referred"
    if client.date_of_birth is None:
        return Check(rule, UNKNOWN, "No date of birth recorded.")
    age = age_on(client.date_of_birth, on)
    too_young = rules.min_age is not None and age < rules.min_age
    too_old = rules.max_age is not None and age > rules.max_age
    return Check(rule, FAILED if too_young or too_old else MET, f"{age} on {on:%-d %b %Y}.")


def district_of(postcode):
    """'LE4 6AB' -> 'LE4'; '' or something that is not a UK postcode -> ''."""
    tidy = tidy_postcode(postcode)
    outward = tidy.split(" ")[0] if " " in tidy else ""
    return outward if POSTCODE_DISTRICT.match(outward) else ""


def _area_check(rules, client):
    if not rules.areas:
        return None
    rule = f"Lives in {', '.join(rules.areas)}"
    district = district_of(client.postcode)
    wanted = {area.strip().casefold() for area in rules.areas}
    if not district and not client.area.strip():
        return Check(rule, UNKNOWN, "No postcode or area recorded.")
    where = ", ".join(part for part in (client.postcode.strip(), client.area.strip()) if part)
    inside = district.casefold() in wanted or client.area.strip().casefold() in wanted
    return Check(rule, MET if inside else FAILED, f"{where}.")


def _readiness_check(referral):
    status = {Referral.Readiness.READY: MET, Referral.Readiness.NOT_READY: FAILED}.get(referral.readiness, UNKNOWN)
    return Check("Motivated and ready to engage", status, referral.get_readiness_display() + ".")


def checks(referral, found=None):
    """Every check of `referral`: the programme's age, area and criteria, and readiness.

    `found` maps criterion ids to True (met) or False (not met), as the lead records them when
    deciding; by default what is stored. A criterion not in it is not known.
    """
    rules = rules_of(referral.programme)
    results = [_readiness_check(referral)]
    if rules is None:
        return results
    if found is None:
        found = dict(referral.criteria_found.values_list("criterion_id", "met"))
    for check in (_age_check(rules, referral.client, referral.received_on), _area_check(rules, referral.client)):
        if check is not None:
            results.append(check)
    for criterion in rules.criteria.filter(active=True):
        status = UNKNOWN if found.get(criterion.pk) is None else MET if found[criterion.pk] else FAILED
        results.append(Check(criterion.name, status))
    return results


def failed(results):
    return [check.rule for check in results if check.status == FAILED]
