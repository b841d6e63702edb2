"""What an import found and did: problems, per-file results and the whole report."""

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Problem:
    file: str
    row: int
    column: str
    message: str

    def __str__(self):
        return f"{self.file}, row {self.row}, {self.column}: {self.message}"


@dataclass
class FileResult:
    """What the import did (or, in a dry run, would do) with one file."""

    file: str
    rows: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    notes: list = field(default_factory=list)

    def count(self, status):
        setattr(self, status, getattr(self, status) + 1)

    @property
    def line(self):
        text = f"{self.file}: {self.created} created, {self.updated} updated, {self.unchanged} unchanged"
        if self.notes:
            text += f" ({'; '.join(self.notes)})"
        return text

    def as_dict(self):
        return {"file": self.file, "rows": self.rows, "created": self.created, "updated": self.updated,
                "unchanged": self.unchanged, "line": self.line}


@dataclass
class ImportReport:
    """What an import found and did. `problems` lists the first MAX_PROBLEMS of them (a broken
    file can have millions); `problem_count` counts them all."""

    directory: str
    dry_run: bool
    problems: list = field(default_factory=list)
    results: list = field(default_factory=list)
    problem_count: int = 0

    @property
    def ok(self):
        return not self.problem_count

    @property
    def more_problems(self):
        """How many problems there are beyond those listed."""
        return self.problem_count - len(self.problems)

    @property
    def lines(self):
        return [result.line for result in self.results]

