"""The manager's home shows the report's own figures: cases worked with this financial year,
the target and the progress towards it, to one decimal place as in the report."""

import re
from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from mentoring.tests.factories import ProgrammeFactory
from reports.forms import financial_year_start
from reports.metrics import pct, round_half_up

from .factories import make_case

INTERNAL = {"suppress": "off", "internal_use": "on"}


@pytest.fixture
def this_year(programme, other_programme):
    """`programme` (target 40): 3 cases open this financial year, one ended before it; another
    programme with no target and 2 cases."""
    today = timezone.localdate()
    fy_start = financial_year_start(today)
    for _ in range(2):
        make_case(programme, fy_start)
    make_case(programme, fy_start - timedelta(days=200))  # started last year, still open
    make_case(programme, fy_start - timedelta(days=400), ended_on=fy_start - timedelta(days=1), closure="completed")
    untargeted = ProgrammeFactory(code="untargeted", name="No target yet", target_clients=None)
    for _ in range(2):
        make_case(untargeted, today)
    programme.target_clients = 40
    programme.save()
    return fy_start, today, [programme, untargeted]


def home_cell(home, programme):
    row = re.search(rf"<th scope=\"row\">{re.escape(programme.name)}</th>(.*?)</tr>", home, re.S).group(1)
    cell = re.search(r'<td class="programme-target"[^>]*>(.*?)<progress|<td class="programme-target"[^>]*>(.*?)<a class="small', row, re.S)
    return " ".join(re.sub(r"<[^>]+>", "", cell.group(1) or cell.group(2)).split())


@pytest.mark.django_db
def test_manager_home_and_report_agree_on_every_figure_they_both_show(client, manager, this_year):
    fy_start, today, (targeted, untargeted) = this_year
    client.force_login(manager)
    home = client.get(reverse("home")).content.decode()
    for programme in (targeted, untargeted):
        report = client.get(reverse("reports:report"), {"programmes": [programme.pk], "start": fy_start.isoformat(),
                                                        "end": today.isoformat(), **INTERNAL})
        tile = {tile["id"]: tile for tile in report.context["tiles"]}["cases_worked_with"]
        if programme.target_clients:
            target, progress = re.fullmatch(r"Target (\S+) \((\S+)\)", tile["base"]).groups()
            assert home_cell(home, programme) == f"{tile['value']} of {target}, {progress}"
        else:
            assert tile["base"] == "No target set"
            assert home_cell(home, programme) == f"{tile['value']} (no target set)"
    assert home_cell(home, targeted) == "3 of 40, 7.5%"  # the report's one decimal place, not "8%"


@pytest.mark.django_db
def test_manager_home_programme_panel_takes_the_same_queries_for_more_programmes(client, manager, this_year):
    from reports.dashboard import programme_summary

    request = client.get(reverse("home")).wsgi_request
    request.user = manager
    programme_summary(request)  # the user's roles, then cached for the request
    with CaptureQueriesContext(connection) as few:
        shown = len(programme_summary(request)["rows"])
    for n in range(5):
        make_case(ProgrammeFactory(code=f"more{n}"), timezone.localdate())
    with CaptureQueriesContext(connection) as more:
        rows = programme_summary(request)["rows"]
    assert len(rows) == shown + 5
    # the programmes with their open cases and referrals; the cohort counted per programme
    assert len(more) == len(few) == 2


def home_links(home, programme):
    """The (figure, href) of every linked figure in the programme's row of the manager's home."""
    row = re.search(rf"<th scope=\"row\">{re.escape(programme.name)}</th>(.*?)</tr>", home, re.S).group(1)
    return {
        label: (" ".join(text.split()), href.replace("&amp;", "&"))
        for label, href, text in re.findall(r'data-label="([^"]+)"[^>]*>\s*(?:[^<]*)<a href="([^"]+)"[^>]*>([^<]*)</a>', row)
    }


@pytest.mark.django_db
def test_manager_home_links_each_figure_to_the_report_or_list_that_shows_the_same_figure(client, manager, this_year):
    from referrals.models import Referral
    from referrals.tests.factories import ReferralFactory

    fy_start, today, (targeted, _untargeted) = this_year
    for _ in range(2):
        ReferralFactory(programme=targeted, received_on=today)
    ReferralFactory(programme=targeted, received_on=today).accept()
    Referral.objects.filter(programme=targeted).exclude(received_on=today).update(received_on=today)
    client.force_login(manager)
    links = home_links(client.get(reverse("home")).content.decode(), targeted)
    assert set(links) == {"Referrals this month", "Pending referrals", "Cases worked with this year"}

    shown, href = links["Referrals this month"]
    report = client.get(f"{href}&suppress=off&internal_use=on")
    assert report.context["result"].shown(suppress=False).figures["referrals_received"] == int(shown) == 3
    assert "Referrals received" in report.content.decode()

    shown, href = links["Pending referrals"]
    queue = client.get(href)
    assert queue.status_code == 200 and int(shown) == 2
    assert f"{shown} referrals." in queue.content.decode()
    assert {r.programme_id for r in queue.context["table"].page.object_list.data} == {targeted.pk}

    shown, href = links["Cases worked with this year"]
    report = client.get(f"{href}&suppress=off&internal_use=on")
    tile = {t["id"]: t for t in report.context["tiles"]}["cases_worked_with"]
    assert shown.startswith(f"{tile['value']} of 40")


@pytest.mark.django_db
def test_manager_home_shows_each_target_this_financial_year_as_the_report_does(client, manager, programme,
                                                                              other_programme):
    from reports.models import Target

    from .factories import achievement, contact

    today = timezone.localdate()
    fy_start = financial_year_start(today)
    fy_end = fy_start.replace(year=fy_start.year + 1) - timedelta(days=1)
    cases = [make_case(programme, fy_start) for _ in range(4)]
    for case in cases[:3]:
        contact(case, fy_start)
        contact(case, fy_start)
        achievement(case, "employment_full_time", fy_start)
    Target.objects.create(programme=programme, figure="engagement_rate", value=60, starts_on=fy_start, ends_on=fy_end)
    Target.objects.create(programme=programme, figure="clients_with_ete_outcome", value=365,
                          starts_on=fy_start, ends_on=fy_end)
    client.force_login(manager)
    home = client.get(reverse("home")).content.decode()
    panel = home.split('id="panel-programme-targets"')[1].split("</section>")[0]
    lines = [" ".join(re.sub(r"<[^>]+>", " ", line).split())
             for line in re.findall(r'<tr class="programme-target-line">(.*?)</tr>', panel, re.S)]
    # 3 of 4 cases engaged: 75.0% against 60 (a rate: not pro rata), 125.0% met.
    assert lines[0] == "Bridge 18-25 Engagement rate 75.0% 60.0% 125.0%"
    # 365 for the year (of 365 or 366 days) is about 1 a day: pro rata to today, 365 x the days
    # so far / the days of the year; 3 cases of it met (on 3 Dec 2026: 247.0, 1.2%).
    days, year = (today - fy_start).days + 1, (fy_end - fy_start).days + 1
    target = round_half_up(Decimal(365 * days) / year)
    share = pct(3, Decimal(str(target)))
    assert lines[1] == f"Bridge 18-25 Cases with an ETE outcome 3 {target:,.1f} (pro rata) {share:.1f}%"
    report = client.get(reverse("reports:report"), {"programmes": [programme.pk], "start": fy_start.isoformat(),
                                                    "end": today.isoformat(), **INTERNAL})
    assert [row["share_met"] for row in report.context["result"].targets_json()] == [
        125.0, share]
    assert other_programme.name not in panel  # no target: not in the panel


@pytest.mark.django_db
def test_manager_home_has_no_targets_panel_without_targets(client, manager, this_year):
    client.force_login(manager)
    assert 'id="panel-programme-targets"' not in client.get(reverse("home")).content.decode()
