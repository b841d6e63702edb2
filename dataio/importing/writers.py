"""One writer per import file (contacts aside: contacts.py), each registered on its FileSpec."""

from collections import defaultdict

from django.db.models import Q
from django.utils import timezone

from clients.models import Case, Client, Gender, RiskFlag, RiskLevel
from clients.names import folded_names
from clients.postcodes import tidy_postcode
from mentoring.models import Funder, Programme
from mentors.models import Allocation, Mentor
from outcomes.models import (
    Achievement,
    Answer,
    Assessment,
    AssessmentTemplate,
    CustodyPeriod,
    Offence,
    Questionnaire,
    Score,
)
from referrals.models import Referral

from .specs import writes
from .sync import chunks


class Writers:
    """Importer methods writing one file each, all rows already checked."""

    @writes("programmes.csv")
    def write_programmes(self, spec, path, result):
        funders = {}

        def funder_id(name):
            if not name:
                return None
            if name not in funders:
                funders[name] = Funder.objects.get_or_create(name=name)[0].pk
            return funders[name]

        def values(row, obj):
            wanted = {"name": row["name"]}
            if "funder" in row:
                wanted["funder_id"] = funder_id(row["funder"])
            for name in ("starts_on", "ends_on", "target_clients"):
                if name in row:
                    wanted[name] = row[name]
            if "engagement_min_contacts" in row:
                wanted["engagement_min_contacts"] = row["engagement_min_contacts"] or 2
            return wanted

        self._sync_file(spec, path, result, Programme, "code", "programme", values, self._programme_templates)

    def _programme_templates(self, batch, objects, status):
        """The assessment templates each row names become the programme's own; a blank cell
        means "not known": the programme's templates stay as they are."""
        rows = [row for row in batch if row.get("assessment_templates")]
        wanted = {objects[row["code"]].pk: {self.codes["template"][code] for code in row["assessment_templates"]}
                  for row in rows}
        refs = {objects[row["code"]].pk: row["code"] for row in rows}
        changed = _set_links(AssessmentTemplate.programmes.through, "programme_id", "assessmenttemplate_id", wanted)
        for programme_id in changed:
            self._mark_updated(status, refs[programme_id])

    @writes("mentors.csv")
    def write_mentors(self, spec, path, result):
        def values(row, obj):
            wanted = {"first_name": row["first_name"], "last_name": row["last_name"], "mentor_type": row["mentor_type"]}
            if "email" in row:
                wanted["email"] = row["email"] or ""
            return wanted

        def after(batch, objects, status):
            # A blank list means "not known": the mentor's programmes stay as they are.
            rows = [row for row in batch if row.get("programmes")]
            wanted = {objects[row["mentor_ref"]].pk: {self.db["programme"][code] for code in row["programmes"]}
                      for row in rows}
            refs = {objects[row["mentor_ref"]].pk: row["mentor_ref"] for row in rows}
            for mentor_id in _set_links(Mentor.programmes.through, "mentor_id", "programme_id", wanted):
                self._mark_updated(status, refs[mentor_id])

        self._sync_file(spec, path, result, Mentor, "mentor_ref", "mentor", values, after)

    @writes("clients.csv")
    def write_clients(self, spec, path, result):
        def values(row, obj):
            wanted = {"first_name": row["first_name"], "last_name": row["last_name"], "date_of_birth": row["date_of_birth"]}
            if "gender" in row:
                wanted["gender"] = row["gender"] or Gender.NOT_KNOWN
            for name in ("ethnicity", "postcode", "area", "risk_level"):
                if name in row:
                    wanted[name] = row[name] or ""
            if "postcode" in wanted:
                wanted["postcode"] = tidy_postcode(wanted["postcode"])
            for name in ("care_experienced", "parent_in_prison"):
                if name in row:
                    wanted[name] = row[name]
            # Bulk writes skip Client.save(): the folded names search and the duplicate check use.
            wanted.update(folded_names(row["first_name"], row["last_name"], obj.preferred_name if obj else ""))
            return wanted

        def after(batch, objects, status):
            rows = [row for row in batch if row.get("risk_to_others") is not None]
            if not rows:
                return
            ids = [objects[row["client_ref"]].pk for row in rows]
            flags = {}
            for chunk in chunks(ids):
                flags.update(
                    (flag.client_id, flag)
                    for flag in RiskFlag.objects.filter(client_id__in=chunk, kind=RiskFlag.Kind.TO_OTHERS, active=True)
                )
            new, changed = [], []
            for row in rows:
                client = objects[row["client_ref"]]
                flag = flags.get(client.pk)
                if row["risk_to_others"]:
                    level = row.get("risk_level") or (flag.level if flag and "risk_level" not in row else RiskLevel.MEDIUM)
                    if flag is None:
                        new.append(RiskFlag(client_id=client.pk, kind=RiskFlag.Kind.TO_OTHERS, level=level,
                                            raised_on=timezone.localdate()))
                    elif flag.level != level:
                        flag.level = level
                        changed.append(flag)
                    else:
                        continue
                elif flag is not None:
                    flag.active = False
                    changed.append(flag)
                else:
                    continue
                self._mark_updated(status, row["client_ref"])
            RiskFlag.objects.bulk_create(new)
            RiskFlag.objects.bulk_update(changed, ["level", "active"])

        self._sync_file(spec, path, result, Client, "client_ref", "client", values, after)

    @writes("referrals.csv")
    def write_referrals(self, spec, path, result):
        def values(row, obj):
            wanted = {
                "client_id": self.db["client"][row["client_ref"]],
                "programme_id": self.db["programme"][row["programme"]],
                "received_on": row["received_on"],
                "source_id": self.codes["source"][row["source"]],
            }
            for name in ("referrer_name", "referrer_organisation"):
                if name in row:
                    wanted[name] = row[name] or ""
            if "decision" in row:
                wanted["decision"] = row["decision"] or Referral.Decision.PENDING
            if "decided_on" in row:
                wanted["decided_on"] = row["decided_on"]
            if "reason" in row:
                wanted["decision_reason"] = row["reason"] or ""
            return wanted

        self._sync_file(spec, path, result, Referral, "referral_ref", "referral", values)

    @writes("cases.csv")
    def write_cases(self, spec, path, result):
        Status = Case.Status

        def values(row, obj):
            wanted = {
                "client_id": self.db["client"][row["client_ref"]],
                "programme_id": self.db["programme"][row["programme"]],
                "started_on": row["started_on"],
            }
            if "ended_on" in row:
                wanted["ended_on"] = row["ended_on"]
            if "closure_reason" in row:
                reason = row["closure_reason"]
                wanted["closure_reason_id"] = self.codes["closure_reason"][reason] if reason else None
            ended = wanted["ended_on"] if "ended_on" in wanted else (obj.ended_on if obj else None)
            if ended:
                status = Status.CLOSED
            elif "mentor_ref" in row:
                status = Status.ACTIVE if row["mentor_ref"] else Status.TO_ALLOCATE
            else:
                status = obj.status if obj and obj.status != Status.CLOSED else Status.TO_ALLOCATE
            if obj is not None and obj.status == Status.PAUSED and status == Status.ACTIVE:
                status = Status.PAUSED  # the file knows nothing of a pause recorded here
            wanted["status"] = status
            return wanted

        def after(batch, objects, status):
            self._link_referrals(batch, objects, status)
            self._lead_allocations(batch, objects, status)

        self._sync_file(spec, path, result, Case, "case_ref", "case", values, after)

    def _link_referrals(self, batch, objects, status):
        links = {self.db["referral"][row["referral_ref"]]: row["case_ref"] for row in batch if row.get("referral_ref")}
        if not links:
            return
        current = {}
        for chunk in chunks(links):
            current.update(Referral.objects.filter(pk__in=chunk).values_list("pk", "case_id"))
        for referral_id, case_ref in links.items():
            case_id = objects[case_ref].pk
            if current.get(referral_id) == case_id:
                continue
            # One referral per case: whichever referral pointed at this case lets go of it.
            Referral.objects.filter(case_id=case_id).exclude(pk=referral_id).update(case=None)
            Referral.objects.filter(pk=referral_id).update(case_id=case_id)
            self._mark_updated(status, case_ref)

    def _lead_allocations(self, batch, objects, status):
        rows = [row for row in batch if row.get("mentor_ref")]
        if not rows:
            return
        leads = defaultdict(list)
        for chunk in chunks([objects[row["case_ref"]].pk for row in rows]):
            for allocation in Allocation.objects.filter(case_id__in=chunk, role=Allocation.Role.LEAD).order_by("-started_on", "-pk"):
                leads[allocation.case_id].append(allocation)
        new, changed = [], []
        for row in rows:
            case = objects[row["case_ref"]]
            mentor_id = self.db["mentor"][row["mentor_ref"]]
            wanted = {"mentor_id": mentor_id, "started_on": case.started_on, "ended_on": case.ended_on}
            existing = leads.get(case.pk, [])
            allocation = next((a for a in existing if a.mentor_id == mentor_id), existing[0] if existing else None)
            if allocation is None:
                new.append(Allocation(case_id=case.pk, role=Allocation.Role.LEAD, **wanted))
            else:
                diff = [name for name, value in wanted.items() if getattr(allocation, name) != value]
                if not diff:
                    continue
                for name in diff:
                    setattr(allocation, name, wanted[name])
                changed.append(allocation)
            self._mark_updated(status, row["case_ref"])
        Allocation.objects.bulk_create(new)
        Allocation.objects.bulk_update(changed, ["mentor_id", "started_on", "ended_on"])

    @writes("achievements.csv")
    def write_achievements(self, spec, path, result):
        rows, by_ref = [], []
        for row in self._all_rows(spec, path, result):
            item = {"case_id": self.db["case"][row["case_ref"]], "type_id": self.codes["achievement_type"][row["type"]],
                    "achieved_on": row["achieved_on"]}
            if "notes" in row:
                item["notes"] = row["notes"] or ""
            if row.get("achievement_ref"):
                by_ref.append((row["achievement_ref"], item))
            else:
                rows.append(item)
        self._sync_by_ref(result, Achievement, "achievement_ref", by_ref, ("case_id", "type_id", "achieved_on"))
        self._sync_multiset(result, Achievement, "case_id", rows, ("case_id", "type_id", "achieved_on"), ("notes",),
                            ref_field="achievement_ref")

    @writes("offences.csv")
    def write_offences(self, spec, path, result):
        rows = []
        for row in self._all_rows(spec, path, result):
            item = {"client_id": self.db["client"][row["client_ref"]], "offence_date": row["offence_date"],
                    "category_id": self.codes["offence_category"][row["category"]]}
            if "conviction_date" in row:
                item["conviction_date"] = row["conviction_date"]
            if "description" in row:
                item["description"] = row["description"] or ""
            rows.append(item)
        self._sync_multiset(result, Offence, "client_id", rows, ("client_id", "offence_date", "category_id"),
                            ("conviction_date", "description"))

    @writes("custody.csv")
    def write_custody(self, spec, path, result):
        rows = []
        for row in self._all_rows(spec, path, result):
            item = {"client_id": self.db["client"][row["client_ref"]], "started_on": row["started_on"]}
            if "ended_on" in row:
                item["ended_on"] = row["ended_on"]
            if "reason" in row:
                item["reason"] = row["reason"] or ""
            rows.append(item)
        self._sync_multiset(result, CustodyPeriod, "client_id", rows, ("client_id", "started_on"), ("ended_on", "reason"))

    @writes("assessments.csv")
    def write_assessments(self, spec, path, result):
        groups = defaultdict(dict)  # (case_id, template_id, assessed_on) -> {domain_id: score}
        for row in self._all_rows(spec, path, result):
            template = self.templates[row["template"]]
            groups[(self.db["case"][row["case_ref"]], template.id, row["assessed_on"])][template.domains[row["domain"].lower()]] = row["score"]
        existing, first_dates, with_initial = {}, {}, set()
        for chunk in chunks({case_id for case_id, _, _ in groups}):
            for assessment in Assessment.objects.filter(case_id__in=chunk):
                existing[(assessment.case_id, assessment.template_id, assessment.assessed_on)] = assessment
                if assessment.stage == Assessment.Stage.INITIAL:
                    with_initial.add((assessment.case_id, assessment.template_id))
        for case_id, template_id, day in list(existing) + list(groups):
            pair = (case_id, template_id)
            first_dates[pair] = min(day, first_dates.get(pair, day))

        def new_assessment(identity):
            case_id, template_id, day = identity
            # The first by date is the initial one, unless the case already has an initial
            # wheel of the template (one_initial_assessment): an earlier row arriving later
            # is then a review, and the one already recorded stays as it is.
            first = day == first_dates[(case_id, template_id)] and (case_id, template_id) not in with_initial
            stage = Assessment.Stage.INITIAL if first else Assessment.Stage.REVIEW
            return Assessment(case_id=case_id, template_id=template_id, assessed_on=day, stage=stage)

        _create_missing(result, Assessment, "assessment", groups, existing, new_assessment)
        self._sync_items(result, Score, "assessment_id", "domain_id", "score",
                         {existing[identity].pk: items for identity, items in groups.items()})

    @writes("questionnaires.csv")
    def write_questionnaires(self, spec, path, result):
        groups = defaultdict(dict)  # (case_id, completed_on) -> {question_id: answer}
        for row in self._all_rows(spec, path, result):
            groups[(self.db["case"][row["case_ref"]], row["completed_on"])][self.codes["question"][row["question"]]] = row["answer"]
        existing = {}
        for chunk in chunks({case_id for case_id, _ in groups}):
            for questionnaire in Questionnaire.objects.filter(case_id__in=chunk):
                existing[(questionnaire.case_id, questionnaire.completed_on)] = questionnaire
        _create_missing(result, Questionnaire, "questionnaire", groups, existing,
                        lambda identity: Questionnaire(case_id=identity[0], completed_on=identity[1]))
        self._sync_items(result, Answer, "questionnaire_id", "question_id", "answer",
                         {existing[identity].pk: items for identity, items in groups.items()})


def _set_links(through, owner, target, wanted):
    """Make each owner's many-to-many links (rows of `through`) exactly `wanted[owner id]`, in
    a fixed number of queries per chunk of owners; returns the owner ids whose links changed."""
    current = defaultdict(set)
    for chunk in chunks(list(wanted)):
        for owner_id, target_id in through.objects.filter(**{f"{owner}__in": chunk}).values_list(owner, target):
            current[owner_id].add(target_id)
    add, remove, changed = [], [], []
    for owner_id, targets in wanted.items():
        have = current[owner_id]
        add += [through(**{owner: owner_id, target: t}) for t in targets - have]
        remove += [(owner_id, t) for t in have - targets]
        if targets != have:
            changed.append(owner_id)
    through.objects.bulk_create(add)
    if remove:
        gone = Q()
        for owner_id, target_id in remove:
            gone |= Q(**{owner: owner_id, target: target_id})
        through.objects.filter(gone).delete()
    return changed


def _create_missing(result, model, noun, groups, existing, build):
    """Create (`build(identity)`) the record of each identity of `groups` that `existing` lacks,
    adding it to `existing`, and note how many `noun`s were created."""
    new = []
    for identity in groups:
        if identity not in existing:
            record = build(identity)
            new.append(record)
            existing[identity] = record
    model.objects.bulk_create(new, batch_size=1000)
    if new:
        result.notes.append(f"{len(new)} {noun}{'s' if len(new) != 1 else ''} created")
