"""Writing helpers of the import: create or update records in batches, by ref or as a multiset."""

from collections import defaultdict

from django.db import connection
from django.db.models import F

IN_CHUNK = 2000  # values per `__in` lookup (well under SQLite's parameter limit)


def chunks(items, size=IN_CHUNK):
    items = list(items)
    for start in range(0, len(items), size):
        yield items[start:start + size]


def set_changed(obj, values):
    """Set on `obj` each of `values` ({field: value}) it does not already hold; returns the fields set."""
    diff = [name for name, value in values.items() if getattr(obj, name) != value]
    for name in diff:
        setattr(obj, name, values[name])
    return diff


def note_change(obj, diff, changed, fields, result):
    """Count `obj` updated (and queue it and its changed fields for the bulk update) or unchanged."""
    if diff:
        changed.append(obj)
        fields.update(diff)
        result.count("updated")
    else:
        result.count("unchanged")


class Syncing:
    """Importer helpers shared by the writers of every file."""

    def _sync_file(self, spec, path, result, model, key_field, kind, values, after=None):
        """Read a file in batches and create or update one record per row (see _sync_keyed)."""
        for batch in self._batches(spec, path):
            result.rows += len(batch)
            self._sync_keyed(result, model, key_field, kind, batch, values, after)

    def _sync_keyed(self, result, model, key_field, kind, batch, values, after=None):
        """Create or update one record per row, found by its ref; counts go into `result`."""
        keys = [row[key_field] for row in batch]
        existing = {}
        for chunk in chunks(keys):
            existing.update((getattr(o, key_field), o) for o in model.objects.filter(**{f"{key_field}__in": chunk}))
        created, changed, fields, status, objects = [], [], set(), {}, {}
        for row in batch:
            key = row[key_field]
            obj = existing.get(key)
            wanted = values(row, obj)
            if obj is None:
                obj = model(**{key_field: key}, **wanted)
                created.append(obj)
                status[key] = "created"
            else:
                diff = set_changed(obj, wanted)
                if diff:
                    changed.append(obj)
                    fields.update(diff)
                status[key] = "updated" if diff else "unchanged"
            objects[key] = obj
        model.objects.bulk_create(created, batch_size=1000)
        if any(obj.pk is None for obj in created):  # a backend that cannot return ids
            ids = {}
            for chunk in chunks([getattr(o, key_field) for o in created]):
                ids.update(model.objects.filter(**{f"{key_field}__in": chunk}).values_list(key_field, "pk"))
            for obj in created:
                obj.pk = ids[getattr(obj, key_field)]
        self._bulk_update(model, changed, fields)
        if after:
            after(batch, objects, status)
        for key, obj in objects.items():
            self.db[kind][key] = obj.pk
            result.count(status[key])

    @staticmethod
    def _mark_updated(status, key):
        if status[key] == "unchanged":
            status[key] = "updated"

    def _sync_multiset(self, result, model, owner_field, rows, identity_fields, value_fields, *, ref_field=None):
        """Rows without a ref: pair the k-th file row of an identity with the k-th record
        (of those without a ref, when the model has one: a ref'd record answers to its ref)."""
        wanted = defaultdict(list)
        for row in rows:
            wanted[tuple(row[f] for f in identity_fields)].append({f: row[f] for f in value_fields if f in row})
        owners = {identity[0] for identity in wanted}
        existing = defaultdict(list)
        unreffed = {f"{ref_field}__isnull": True} if ref_field else {}
        for chunk in chunks(owners):
            for obj in model.objects.filter(**{f"{owner_field}__in": chunk}, **unreffed).order_by("pk"):
                existing[tuple(getattr(obj, f) for f in identity_fields)].append(obj)
        created, changed, fields = [], [], set()
        for identity, value_list in wanted.items():
            have = existing.get(identity, [])
            for position, values in enumerate(value_list):
                if position < len(have):
                    obj = have[position]
                    note_change(obj, set_changed(obj, values), changed, fields, result)
                else:
                    created.append(model(**dict(zip(identity_fields, identity, strict=True)), **values))
                    result.count("created")
        model.objects.bulk_create(created, batch_size=1000)
        self._bulk_update(model, changed, fields)

    def _all_rows(self, spec, path, result):
        rows = []
        for _, row in self._rows(spec, path, checking=False):
            rows.append(row)
        result.rows = len(rows)
        return rows

    def _bulk_update(self, model, objects, fields):
        """Write `fields` of changed records; also stamp updated_at and bump an optimistic-lock
        version, so an edit form opened before the import refuses to overwrite what it wrote."""
        if not objects:
            return
        names = {f.name for f in model._meta.concrete_fields}
        fields = set(fields) - {"version"}
        if "updated_at" in names:
            for obj in objects:
                obj.updated_at = self.now
            fields.add("updated_at")
        bump = "version" in names
        if connection.vendor == "postgresql":
            _update_from_values(model, objects, sorted(fields), bump=bump)
            return
        if bump:
            for obj in objects:
                obj.version = F("version") + 1
            fields.add("version")
        model.objects.bulk_update(objects, sorted(fields), batch_size=1000)

    def _sync_by_ref(self, result, model, ref_field, items, identity_fields):
        """Rows with a ref: create, or update the record with that ref. A ref not yet held first
        claims a record without one of the same identity, made by the same row before it had a ref."""
        if not items:
            return
        existing = {}
        for chunk in chunks([ref for ref, _ in items]):
            existing.update((getattr(o, ref_field), o) for o in model.objects.filter(**{f"{ref_field}__in": chunk}))
        unclaimed = defaultdict(list)
        owners = {item[identity_fields[0]] for ref, item in items if ref not in existing}
        for chunk in chunks(owners):
            for obj in model.objects.filter(**{f"{identity_fields[0]}__in": chunk, f"{ref_field}__isnull": True}).order_by("pk"):
                unclaimed[tuple(getattr(obj, f) for f in identity_fields)].append(obj)
        created, changed, fields = [], [], set()
        for ref, item in items:
            obj = existing.get(ref)
            if obj is None:
                candidates = unclaimed.get(tuple(item[f] for f in identity_fields))
                if not candidates:
                    created.append(model(**{ref_field: ref}, **item))
                    result.count("created")
                    continue
                obj = candidates.pop(0)
                setattr(obj, ref_field, ref)
                fields.add(ref_field)
                diff = [ref_field]
            else:
                diff = []
            diff += set_changed(obj, item)  # item holds no ref: the ref was set above
            note_change(obj, diff, changed, fields, result)
        model.objects.bulk_create(created, batch_size=1000)
        self._bulk_update(model, changed, fields)

    def _sync_items(self, result, model, parent_field, item_field, value_field, wanted):
        """Scores of assessments, answers of questionnaires: one per (parent, item), updated."""
        have = {}
        for chunk in chunks(wanted):
            for obj in model.objects.filter(**{f"{parent_field}__in": chunk}):
                have[(getattr(obj, parent_field), getattr(obj, item_field))] = obj
        new, changed = [], []
        for parent_id, items in wanted.items():
            for item_id, value in items.items():
                obj = have.get((parent_id, item_id))
                if obj is None:
                    new.append(model(**{parent_field: parent_id, item_field: item_id, value_field: value}))
                    result.count("created")
                elif getattr(obj, value_field) != value:
                    setattr(obj, value_field, value)
                    changed.append(obj)
                    result.count("updated")
                else:
                    result.count("unchanged")
        model.objects.bulk_create(new, batch_size=1000)
        model.objects.bulk_update(changed, [value_field], batch_size=1000)


def _update_from_values(model, objects, fields, *, bump):
    """PostgreSQL's UPDATE ... FROM (VALUES ...): one statement per thousand records.

    Django's bulk_update builds a CASE of a thousand WHENs per column, which costs minutes of
    Python for a few hundred thousand contacts (adding refs to a whole set updates every one).
    """
    quote = connection.ops.quote_name
    meta = model._meta
    pk = meta.pk
    columns = [meta.get_field(name) for name in fields]
    table = quote(meta.db_table)
    assignments = [f"{quote(f.column)} = v.{quote(f.column)}" for f in columns]
    if bump:
        assignments.append(f"{quote('version')} = t.{quote('version')} + 1")
    names = ", ".join(quote(f.column) for f in [pk, *columns])
    # Each value cast to its column's type: VALUES alone would guess text (or fail on NULLs).
    row_sql = "(" + ", ".join(f"%s::{f.db_type(connection)}" for f in [pk, *columns]) + ")"
    # Table and column names come from the model, quoted; every value is a query parameter.
    head = f"UPDATE {table} AS t SET {', '.join(assignments)} FROM (VALUES "  # noqa: S608
    tail = f") AS v({names}) WHERE t.{quote(pk.column)} = v.{quote(pk.column)}"
    connection.ensure_connection()
    with connection.make_cursor(connection.create_cursor()) as cursor:  # no query log
        for start in range(0, len(objects), 1000):
            chunk = objects[start:start + 1000]
            params = [f.get_db_prep_save(getattr(obj, f.attname), connection) for obj in chunk for f in [pk, *columns]]
            cursor.execute(head + ", ".join([row_sql] * len(chunk)) + tail, params)

