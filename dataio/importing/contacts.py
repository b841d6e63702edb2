"""Writing contacts.csv: a million rows in bounded memory, ref-less rows as a multiset."""

import hashlib
from collections import defaultdict

from django.db import connection, reset_queries
from django.db.models import Count

from contacts.models import Contact

from .specs import writes
from .sync import chunks, set_changed


def stored_duration(row):
    """A session that did not happen lasted no time: a duration on a did-not-attend or
    cancelled row is not stored (the fingerprint still reads the row as written, so a file
    imported before this rule imports again unchanged)."""
    return row.get("duration_minutes") if row["attendance"] == "attended" else None


def contact_key(row):
    """Fingerprint of a normalised contact row (stored in Contact.import_key)."""
    parts = (
        row["case_ref"],
        row["date"].isoformat(),
        row.get("mentor_ref") or "",
        row["mode"],
        row["attendance"],
        str(row.get("duration_minutes") or ""),
        row.get("location") or "",
        ";".join(row.get("activities") or ()),
        row.get("notes") or "",
    )
    return hashlib.sha256("\x1f".join(parts).encode()).hexdigest()


def short_hash(key):
    return int(key[:16], 16)



class ContactWriting:
    """Importer methods writing contacts.csv."""

    @writes("contacts.csv")
    def write_contacts(self, spec, path, result):
        writer = ContactWriter(self)
        seen_duplicates = {}  # key -> [occurrences so far, records before the import]
        for batch in self._batches(spec, path):
            result.rows += len(batch)
            self.write_contacts_by_ref([row for row in batch if row.get("contact_ref")], writer, result)
            batch = [row for row in batch if not row.get("contact_ref")]
            keys = [contact_key(row) for row in batch]
            unknown = {k for k in keys if k not in seen_duplicates}
            before = {}
            for chunk in chunks(unknown):
                # Rows without a ref pair with records without one: a ref'd record answers to its ref.
                before.update(
                    Contact.objects.filter(import_key__in=chunk, contact_ref__isnull=True)
                    .values("import_key").annotate(n=Count("pk")).values_list("import_key", "n")
                )
            local = {}
            new_rows = []
            for row, key in zip(batch, keys, strict=True):
                state = seen_duplicates.get(key) or local.get(key)
                if state is None:
                    state = [0, before.get(key, 0)]
                    if short_hash(key) in self.contact_duplicates:
                        seen_duplicates[key] = state
                    else:
                        local[key] = state
                state[0] += 1
                if state[0] <= state[1]:
                    result.count("unchanged")
                    continue
                result.count("created")
                new_rows.append((row, key))
            writer.write(new_rows)
            reset_queries()  # DEBUG keeps every query; a million rows must not

    def write_contacts_by_ref(self, rows, writer, result):
        """Rows with a contact_ref: create, or update the contact with that ref.

        A ref not yet held first claims a contact without one that the same row made before
        (same fingerprint), so adding refs to a file already imported adds no contact.
        """
        if not rows:
            return
        keys = {row["contact_ref"]: contact_key(row) for row in rows}
        existing, unclaimed, links = _contacts_for_refs(keys)
        activity_ids = self.codes["activity"]
        new_rows, changed, fields, relink = [], [], {"contact_ref", "import_key"}, {}
        for row in rows:
            ref, key = row["contact_ref"], keys[row["contact_ref"]]
            contact = existing.get(ref)
            if contact is None and unclaimed.get(key):
                contact = unclaimed[key].pop(0)  # its values are the row's: the fingerprint says so
                contact.contact_ref = ref
                changed.append(contact)
                result.count("updated")
                continue
            if contact is None:
                new_rows.append((row, key))
                result.count("created")
                continue
            wanted = self._wanted_contact_values(row, key)
            diff = set_changed(contact, wanted)
            new_links = {activity_ids[c] for c in row.get("activities") or ()} if "activities" in row else None
            if new_links is not None and new_links != links[contact.pk]:
                relink[contact.pk] = new_links
            if diff or contact.pk in relink:
                changed.append(contact)
                fields.update(diff)
                result.count("updated")
            else:
                result.count("unchanged")
        writer.write(new_rows)
        self._bulk_update(Contact, changed, fields)
        if relink:
            _relink_activities(relink)

    def _wanted_contact_values(self, row, key):
        """The field values a row with a contact_ref asks its contact to hold (only the columns it has)."""
        wanted = {"case_id": self.db["case"][row["case_ref"]], "date": row["date"], "mode": row["mode"],
                  "attendance": row["attendance"], "import_key": key}
        if "mentor_ref" in row:
            wanted["mentor_id"] = self.db["mentor"][row["mentor_ref"]] if row["mentor_ref"] else None
        if "duration_minutes" in row or row["attendance"] != "attended":
            wanted["duration_minutes"] = stored_duration(row)
        for name in ("location", "notes"):
            if name in row:
                wanted[name] = row[name] or ""
        return wanted


def _contacts_for_refs(keys):
    """For {contact_ref: fingerprint}: the contacts already holding those refs ({ref: contact}),
    the contacts without a ref each unheld ref's fingerprint could claim ({fingerprint: [contact]},
    oldest first), and the activity ids linked to the held ones ({contact id: {activity id}})."""
    existing = {}
    for chunk in chunks(keys):
        existing.update((c.contact_ref, c) for c in Contact.objects.filter(contact_ref__in=chunk))
    unclaimed = defaultdict(list)
    for chunk in chunks({key for ref, key in keys.items() if ref not in existing}):
        for contact in Contact.objects.filter(import_key__in=chunk, contact_ref__isnull=True).order_by("pk"):
            unclaimed[contact.import_key].append(contact)
    through = Contact.activities.through
    links = defaultdict(set)
    for chunk in chunks([c.pk for c in existing.values()]):
        for contact_id, activity_id in through.objects.filter(contact_id__in=chunk).values_list("contact_id", "activity_id"):
            links[contact_id].add(activity_id)
    return existing, unclaimed, links


def _relink_activities(relink):
    """Replace the activities of each contact in {contact id: {activity id}}."""
    through = Contact.activities.through
    through.objects.filter(contact_id__in=list(relink)).delete()
    through.objects.bulk_create(
        [through(contact_id=contact_id, activity_id=a) for contact_id, ids in relink.items() for a in ids], batch_size=5000
    )


class ContactWriter:
    """Insert contacts and their activities fast: multi-row INSERT ... RETURNING id.

    Building a million model instances and letting bulk_create compile them costs most of the
    import's time; this writes the same columns (every concrete field, with the model's own
    defaults for those the file does not fill) straight through a cursor that does not log.
    PostgreSQL and SQLite 3.35+ both return the new ids in the order of the VALUES rows.
    """

    def __init__(self, importer):
        self.importer = importer
        self.ops = connection.ops
        fields = [f for f in Contact._meta.concrete_fields if not f.primary_key]
        template = Contact(created_at=importer.now)
        self.defaults = [f.get_db_prep_save(f.pre_save(template, add=True), connection) for f in fields]
        self.index = {f.attname: i for i, f in enumerate(fields)}
        quote = self.ops.quote_name
        self.rows_per_insert = max(1, min(1000, 30000 // len(fields)))
        # Table and column names come from the model, quoted; every value is a query parameter.
        table, columns = quote(Contact._meta.db_table), ", ".join(quote(f.column) for f in fields)
        self.insert = f"INSERT INTO {table} ({columns}) VALUES "  # noqa: S608
        self.row_sql = "(" + ", ".join(["%s"] * len(fields)) + ")"
        self.returning = f" RETURNING {quote(Contact._meta.pk.column)}"
        through = Contact.activities.through
        table = quote(through._meta.db_table)
        columns = f"{quote(through._meta.get_field('contact').column)}, {quote(through._meta.get_field('activity').column)}"
        self.link_insert = f"INSERT INTO {table} ({columns}) VALUES "  # noqa: S608
        self.fast = connection.features.can_return_rows_from_bulk_insert

    def values(self, row, key):
        db, i = self.importer.db, self.index
        values = list(self.defaults)
        values[i["case_id"]] = db["case"][row["case_ref"]]
        values[i["mentor_id"]] = db["mentor"][row["mentor_ref"]] if row.get("mentor_ref") else None
        values[i["date"]] = self.ops.adapt_datefield_value(row["date"])
        values[i["mode"]] = row["mode"]
        values[i["attendance"]] = row["attendance"]
        values[i["duration_minutes"]] = stored_duration(row)
        values[i["location"]] = row.get("location") or ""
        values[i["notes"]] = row.get("notes") or ""
        values[i["import_key"]] = key
        if row.get("contact_ref"):
            values[i["contact_ref"]] = row["contact_ref"]
        return values

    def write(self, rows):
        if not rows:
            return
        activity_ids = self.importer.codes["activity"]
        if not self.fast:  # a backend without INSERT ... RETURNING: the ORM's way
            contacts = [Contact(**{name: value for name, value in zip(self.index, self.values(row, key), strict=True)})
                        for row, key in rows]
            Contact.objects.bulk_create(contacts, batch_size=1000)
            ids = [contact.pk for contact in contacts]
        else:
            ids = []
            connection.ensure_connection()
            with connection.make_cursor(connection.create_cursor()) as cursor:  # no query log
                for start in range(0, len(rows), self.rows_per_insert):
                    chunk = rows[start:start + self.rows_per_insert]
                    params = [value for row, key in chunk for value in self.values(row, key)]
                    cursor.execute(self.insert + ", ".join([self.row_sql] * len(chunk)) + self.returning, params)
                    ids += [found[0] for found in cursor.fetchall()]
        if len(ids) != len(rows):
            raise RuntimeError("The database did not return the new contacts' ids.")
        links = [(contact_id, activity_ids[c]) for contact_id, (row, _) in zip(ids, rows, strict=True)
                 for c in row.get("activities") or ()]
        if links:
            connection.ensure_connection()
            with connection.make_cursor(connection.create_cursor()) as cursor:
                for start in range(0, len(links), 5000):
                    chunk = links[start:start + 5000]
                    cursor.execute(self.link_insert + ", ".join(["(%s, %s)"] * len(chunk)), [v for pair in chunk for v in pair])


