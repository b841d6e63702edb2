"""The SQL builders of the report: day numbers, flags, ages, portable aggregates and medians,
and the one statement that aggregates per-case derived tables joined to the cohort."""


from django.db import connection
from django.db.models import Case as SqlCase  # SQL CASE, not clients.Case
from django.db.models import (
    ExpressionWrapper,
    Func,
    IntegerField,
    Q,
    Value,
    When,
)
from django.db.models.functions import ExtractDay, ExtractMonth, ExtractYear

from outcomes.models import (
    Assessment,
    Score,
)

from .definitions import AGE_BANDS, UNFLATTEN_LIMIT


class DayNumber(Func):
    """A date as an integer day number, so windows and spans are integer arithmetic."""

    output_field = IntegerField()
    arity = 1

    def as_sqlite(self, compiler, connection, **extra):
        return self.as_sql(compiler, connection, template="CAST(julianday(%(expressions)s) AS INTEGER)", **extra)

    def as_postgresql(self, compiler, connection, **extra):
        return self.as_sql(compiler, connection, template="(%(expressions)s - DATE '1970-01-01')", **extra)

    def as_sql(self, compiler, connection, template=None, **extra):
        if template is None:  # other backends: days since an epoch via the same idea as SQLite
            template = "CAST(julianday(%(expressions)s) AS INTEGER)"
        return super().as_sql(compiler, connection, template=template, **extra)


def flag(condition):
    """A boolean condition as 1 or 0, so an aggregate over the annotated rows can filter on it."""
    return SqlCase(When(condition, then=Value(1)), default=Value(0), output_field=IntegerField())


def age_expression(birth_field, on_field):
    """Whole years between a date of birth and another date, both columns (or expressions)."""
    return ExpressionWrapper(
        ExtractYear(on_field) - ExtractYear(birth_field)
        - SqlCase(
            When(
                Q(**{f"{on_field}__month__lt": ExtractMonth(birth_field)})
                | Q(**{f"{on_field}__month": ExtractMonth(birth_field), f"{on_field}__day__lt": ExtractDay(birth_field)}),
                then=Value(1),
            ),
            default=Value(0),
            output_field=IntegerField(),
        ),
        output_field=IntegerField(),
    )


def age_band_q(band, field_name="age"):
    for code, _label, low, high in AGE_BANDS:
        if code == band:
            q = Q()
            if low is not None:
                q &= Q(**{f"{field_name}__gte": low})
            if high is not None:
                q &= Q(**{f"{field_name}__lte": high})
            return q
    raise ValueError(f"Unknown age band {band!r}")



def _count_if(condition):
    """Portable SQL: the rows for which `condition` (SQL text of our own, no user input) holds."""
    return f"COALESCE(SUM(CASE WHEN {condition} THEN 1 ELSE 0 END), 0)"


def _compiled(queryset):
    sql, params = queryset.query.get_compiler(using=queryset.db).as_sql()
    return sql, list(params)


def _flag_sql(condition):
    return f"CASE WHEN {condition} THEN 1 ELSE 0 END"


def _median_sql(column, vendor=None):
    """The median of a per-case column (NULLs left out) as an aggregate over `per_case`.

    PostgreSQL: `percentile_cont(0.5)`. SQLite has no percentile function: the mean of the
    middle one (odd count) or two (even count) values ranked by ROW_NUMBER(), which is the same
    number; it reads `per_case` again, so on SQLite `per_case` is a common table expression.
    """
    if (vendor or connection.vendor) == "postgresql":
        return f"percentile_cont(0.5) WITHIN GROUP (ORDER BY {column})"
    # Our own column name and constant SQL: no value of anyone's.
    return (f"(SELECT AVG(m.{column}) FROM (SELECT {column}, ROW_NUMBER() OVER (ORDER BY {column}) AS rn, "  # noqa: S608
            f"COUNT(*) OVER () AS cnt FROM per_case WHERE {column} IS NOT NULL) m "
            "WHERE m.rn IN ((m.cnt + 1) / 2, (m.cnt + 2) / 2))")


def _aggregate_joined(columns, per_case, joins, *, fractional=()):
    """One row of `columns` (SQL aggregates) over `per_case` values of derived tables joined on case_id.

    `joins` is [(alias, queryset, join kind)], the first being the cohort (one row per case),
    each other one grouped by case_id. Each queryset is compiled by the ORM with its own
    parameters, so the statement is parameterised on every backend; the derived tables are
    computed once each instead of once per case. The per-case select is kept a derived table
    (a LIMIT far above any row count stops it being merged into the aggregate), so each value
    is computed once per case however many aggregates use it. Columns named in `fractional`
    keep their fractions; every other one is an integer.
    """
    parts, params = [], []
    for alias, queryset, kind in joins:
        sql, part_params = _compiled(queryset)
        params += part_params
        if kind is None:
            parts.append(f"({sql}) {alias}")
        else:
            parts.append(f"{kind} JOIN ({sql}) {alias} ON {alias}.case_id = c.case_id")
    quote = connection.ops.quote_name
    inner = ", ".join(f"{expression} AS {name}" for name, expression in per_case.items())
    names = list(columns)
    select = ", ".join(f"{columns[name]} AS {quote(name)}" for name in names)
    # Built from compiled querysets and our own constant SQL; every value is a parameter.
    rows = f"SELECT {inner} FROM {' '.join(parts)} LIMIT {UNFLATTEN_LIMIT}"  # noqa: S608
    if connection.vendor == "postgresql":
        statement = f"SELECT {select} FROM ({rows}) per_case"  # noqa: S608
    else:  # SQLite's median reads per_case twice (see _median_sql)
        statement = f"WITH per_case AS ({rows}) SELECT {select} FROM per_case"  # noqa: S608
    with connection.cursor() as cursor:
        cursor.execute(statement, params)
        row = cursor.fetchone()
    return {name: None if value is None else (float(value) if name in fractional else int(value))
            for name, value in zip(names, row, strict=True)}


def _domain_changes(followup_rows, template):
    """{domain id: (latest scores, their sum, first scores, their sum, improved)} over the
    follow-up cases of `followup_rows` (case_id, first_on, latest_on per case)."""
    sql, params = _compiled(followup_rows)
    quote = connection.ops.quote_name
    assessment, score = (quote(m._meta.db_table) for m in (Assessment, Score))
    # Built from a compiled queryset and table names; every value is a parameter.
    statement = f"""
        SELECT l.domain_id, COUNT(l.score), SUM(l.score), SUM(f.score), COUNT(f.score),
               SUM(CASE WHEN l.score > f.score THEN 1 ELSE 0 END)
        FROM ({sql}) pc
        JOIN {assessment} la ON la.case_id = pc.case_id AND la.template_id = %s AND la.assessed_on = pc.latest_on
        JOIN {score} l ON l.assessment_id = la.id
        JOIN {assessment} fa ON fa.case_id = pc.case_id AND fa.template_id = %s AND fa.assessed_on = pc.first_on
        LEFT JOIN {score} f ON f.assessment_id = fa.id AND f.domain_id = l.domain_id
        GROUP BY l.domain_id"""  # noqa: S608
    with connection.cursor() as cursor:
        cursor.execute(statement, [*params, template.pk, template.pk])
        return {domain_id: (int(n or 0), int(latest or 0), int(first or 0), int(n_first or 0), int(improved or 0))
                for domain_id, n, latest, first, n_first, improved in cursor.fetchall()}
