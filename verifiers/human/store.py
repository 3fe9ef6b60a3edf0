"""The annotation store: people's verdicts per example and step, on SQLite, append-only, safe for many writers.

    >>> store = AnnotationStore("annotations.db")              # created (WAL mode) if missing
    >>> store.add([Annotation("q1-p7", "attributes", "partial", "ana", "2026-11-20T09:30:00Z", "navy, not blue")])
    >>> store.votes(["q1-p7"])          # each annotator's current value per (example, field)
    >>> store.history(["q1-p7"])        # every value ever written, oldest first

One row per annotated value: (example id, field, value, annotator, time, reason, source). `field` is a step id of
the rule set, or `LABEL` for the final label (stored as the label id in text). An edit is a new row: rows are never
updated, deleted or replaced, nor are the records of imports and the schema version (triggers refuse it, from any
connection, whatever the SQL: see `TRIGGERS`), and an annotator's current value is their latest row by time, then by
insertion order. Who wins between annotators is a policy (`verifiers.human.policy`), applied on read.

Concurrency: WAL journal (readers never block the writer), `busy_timeout` so a writer waits for another instead of
failing with "database is locked", and every write in one `BEGIN IMMEDIATE` transaction, which takes the write lock
up front (a deferred transaction that upgrades from read to write can fail at once in WAL mode, whatever the
timeout).
"""

from __future__ import annotations

import json
import logging
import os
import sqlite3
import threading
import time
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

logger = logging.getLogger(__name__)

SCHEMA_VERSION = 1
LABEL = "@label"  # the field of the final label; "@" cannot start a step id (lower_snake_case), so no clash

_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS imports (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    file TEXT NOT NULL,            -- the file imported, as given; '<api>' for AnnotationStore.add without one
    sha256 TEXT,                   -- of the file's bytes: importing the same content twice is refused
    rules TEXT,                    -- name of the rule set the values were checked against
    records INTEGER NOT NULL,
    imported_at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS annotations (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    example_id TEXT NOT NULL,
    field TEXT NOT NULL,           -- a step id, or '@label'
    value TEXT NOT NULL,           -- the step verdict, or the label id
    annotator TEXT NOT NULL,
    annotated_at TEXT NOT NULL,    -- ISO 8601 UTC, fixed width, so text order is time order
    reason TEXT,
    source TEXT,                   -- where the annotator wrote it (file:line), kept across export and re-import
    import_id INTEGER NOT NULL REFERENCES imports(id)
);
CREATE INDEX IF NOT EXISTS annotations_lookup ON annotations (example_id, field, annotator, annotated_at);
CREATE INDEX IF NOT EXISTS imports_sha ON imports (sha256);
"""

# Every table is append-only, whatever the SQL. UPDATE and DELETE fire their triggers (also inside UPSERT and
# UPDATE OR REPLACE). REPLACE INTO / INSERT OR REPLACE delete the row they collide with *without* firing DELETE
# triggers (SQLite's recursive_triggers is off by default, and a raw connection will not set it), so a BEFORE INSERT
# trigger refuses any insert whose key is already taken. `imports` records what was imported: deleting a batch
# would let its file be imported twice and orphan its annotations. `meta` holds the schema version.
# (table, key column, what the table is, why its rows stay) -> triggers; added to older stores on open.
_PROTECTED = [
    ("annotations", "seq", "annotations are append-only", "add a new row instead"),
    ("imports", "id", "imports are append-only", "the record of each import is kept, so a file is imported once"),
    ("meta", "key", "meta is append-only", "the schema version is written once"),
]
TRIGGERS = {
    f"{table}_no_{action}": (
        f"CREATE TRIGGER IF NOT EXISTS {table}_no_{action} BEFORE {event} ON {table}{when}\n"
        f"BEGIN SELECT RAISE(ABORT, '{what}: {verb}; {fix}'); END"
    )
    for table, key, what, fix in _PROTECTED
    for action, event, when, verb in [
        ("update", "UPDATE", "", "rows are never edited"),
        ("delete", "DELETE", "", "rows are never deleted"),
        ("replace", "INSERT", f" WHEN EXISTS (SELECT 1 FROM {table} WHERE {key} = NEW.{key})",
         "REPLACE would overwrite a row"),
    ]
}

_COLUMNS = "example_id, field, value, annotator, annotated_at, reason, source, seq"
# Each annotator's current value per (example, field): their latest row by time, then by insertion order.
_VOTES = f"""SELECT {_COLUMNS} FROM (
    SELECT {_COLUMNS}, ROW_NUMBER() OVER (PARTITION BY example_id, field, annotator
                                          ORDER BY annotated_at DESC, seq DESC) AS rank
    FROM annotations {{where}}) WHERE rank = 1 ORDER BY example_id, field, annotated_at, seq"""
_IDS = "WHERE example_id IN (SELECT value FROM json_each(?))"  # one bound parameter for any number of ids


class StoreError(Exception):
    """The store cannot be opened or written; the message names the file and what to do."""


class AlreadyImported(StoreError):
    """The same file content was imported before (its batch is in the message)."""


@dataclass(frozen=True, slots=True)
class Annotation:
    example_id: str
    field: str  # a step id, or LABEL
    value: str  # the step verdict, or the label id as text
    annotator: str
    time: str  # ISO 8601 UTC, as `iso_time` writes it
    reason: str | None = None
    source: str | None = None  # file:line where it was first written
    seq: int | None = None  # insertion order; set on rows read from the store


@dataclass(frozen=True, slots=True)
class ImportBatch:
    id: int
    file: str
    sha256: str | None
    rules: str | None
    records: int
    imported_at: str


class AnnotationStore:
    """One SQLite file of annotations. Pickles as its path (reopened in the other process)."""

    def __init__(self, path: str | os.PathLike, *, create: bool = True, timeout: float = 60.0):
        self.path, self.create, self.timeout = str(path), create, timeout
        if not create and not Path(self.path).is_file():
            raise StoreError(f"{self.path}: no annotation store there; create one with "
                             f"`python -m verifiers.human import --db {self.path} --rules RULES FILE`")
        if not Path(self.path).resolve().parent.is_dir():
            raise StoreError(f"{self.path}: the folder {Path(self.path).parent} does not exist; create it first")
        self._lock = threading.Lock()  # one connection, shared by threads (e.g. an async reward's workers)
        self._conn = self._open()

    def __reduce__(self):
        return (_reopen, (self.path, self.create, self.timeout))

    def __enter__(self) -> AnnotationStore:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def close(self) -> None:
        self._conn.close()

    # ------------------------------------------------------------------ opening

    def _open(self) -> sqlite3.Connection:
        # isolation_level=None: no implicit transactions; every write below says BEGIN IMMEDIATE itself.
        conn = sqlite3.connect(self.path, timeout=self.timeout, isolation_level=None, check_same_thread=False)
        try:
            conn.execute(f"PRAGMA busy_timeout = {int(self.timeout * 1000)}")
            self._retry(lambda: conn.execute("PRAGMA journal_mode = WAL").fetchone())
            conn.execute("PRAGMA synchronous = FULL")  # annotations are people's work: survive a power cut too
            conn.execute("PRAGMA foreign_keys = ON")
            conn.execute("PRAGMA recursive_triggers = ON")  # REPLACE fires DELETE triggers too (the triggers suffice)
            self._retry(lambda: self._migrate(conn))
        except sqlite3.DatabaseError as err:
            conn.close()
            raise StoreError(f"{self.path}: not a usable SQLite annotation store ({err}); give another --db path "
                             "or move this file away") from None
        except StoreError:
            conn.close()
            raise
        return conn

    def _retry(self, action):
        """Switching to WAL needs an exclusive moment; when several processes open a new file at once, SQLite may
        answer "locked" without calling the busy handler. Retry until the timeout, like busy_timeout would."""
        deadline = time.monotonic() + self.timeout
        delay = 0.01
        while True:
            try:
                return action()
            except sqlite3.OperationalError as err:
                if ("locked" not in str(err) and "busy" not in str(err)) or time.monotonic() > deadline:
                    raise
                time.sleep(delay)
                delay = min(delay * 2, 0.5)

    def _migrate(self, conn: sqlite3.Connection) -> None:
        """Check the schema version; create the schema in a new file, or add missing triggers to an existing one.

        Only creation and upgrades take the write lock.
        """
        if _version(conn) == str(SCHEMA_VERSION) and not _missing_triggers(conn):
            return
        conn.execute("BEGIN IMMEDIATE")
        try:
            tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
            if "meta" not in tables and tables - {"sqlite_sequence"}:
                raise StoreError(f"{self.path}: an SQLite file, but not an annotation store (tables: "
                                 f"{', '.join(sorted(tables))}); give another --db path")
            if "meta" in tables:
                version = _version(conn)
                if version != str(SCHEMA_VERSION):
                    raise StoreError(f"{self.path}: annotation store schema version {version}; this shelfwise reads "
                                     f"version {SCHEMA_VERSION}. Open it with the shelfwise that wrote it, `export` "
                                     "it there, and `import` the export into a new store")
                self._add_triggers(conn)
            elif not self.create:
                raise StoreError(f"{self.path}: an empty file, not an annotation store; import into it first")
            else:
                for statement in [*_SCHEMA.split(";\n"), *TRIGGERS.values()]:
                    if statement.strip():
                        conn.execute(statement)
                conn.executemany("INSERT INTO meta VALUES (?, ?)", [
                    ("schema_version", str(SCHEMA_VERSION)), ("created_at", _now()), ("created_by", "shelfwise")])
            conn.execute("COMMIT")
        except BaseException:
            conn.execute("ROLLBACK")
            raise

    def _add_triggers(self, conn: sqlite3.Connection) -> None:
        """Stores written before a trigger existed (or whose triggers were dropped) get it, in the open's transaction."""
        missing = _missing_triggers(conn)
        if not missing:
            return  # another process added them while this one waited for the lock
        for name in missing:
            conn.execute(TRIGGERS[name])
        older = {"annotations_no_update", "annotations_no_delete"} & set(missing)
        (logger.warning if older else logger.info)(
            "%s: added the append-only triggers %s%s", self.path, ", ".join(missing),
            " (they were dropped: rows may have been edited outside shelfwise)" if older else "")

    # ------------------------------------------------------------------ writing

    def add(self, annotations: Iterable[Annotation], *, file: str = "<api>", sha256: str | None = None,
            rules: str | None = None, records: int | None = None, force: bool = False) -> int:
        """Append rows in one transaction (all or nothing); returns the import batch id.

        With `sha256`, content already imported raises AlreadyImported unless `force`. The check and the insert
        share the transaction, so two processes importing the same file at once cannot both succeed.
        """
        rows = list(annotations)
        with self._lock:
            conn = self._conn
            self._retry(lambda: conn.execute("BEGIN IMMEDIATE"))
            try:
                if sha256 is not None and not force:
                    seen = conn.execute("SELECT id, file, imported_at FROM imports WHERE sha256 = ? ORDER BY id",
                                        (sha256,)).fetchone()
                    if seen is not None:
                        raise AlreadyImported(f"{file}: the same content was imported as batch {seen[0]} ({seen[1]}, "
                                              f"{seen[2]}); pass --force to import it again")
                batch = conn.execute(
                    "INSERT INTO imports (file, sha256, rules, records, imported_at) VALUES (?, ?, ?, ?, ?)",
                    (file, sha256, rules, len(rows) if records is None else records, _now())).lastrowid
                conn.executemany(
                    "INSERT INTO annotations (example_id, field, value, annotator, annotated_at, reason, source, "
                    "import_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                    [(a.example_id, a.field, a.value, a.annotator, a.time, a.reason, a.source, batch) for a in rows])
                conn.execute("COMMIT")
            except BaseException:
                conn.execute("ROLLBACK")
                raise
        logger.info("%s: added %d annotations from %s (batch %d)", self.path, len(rows), file, batch)
        return batch

    # ------------------------------------------------------------------ reading

    def _select(self, sql: str, ids: Iterable[str] | None) -> list[Annotation]:
        if ids is None:
            query, params = sql.format(where=""), ()
        else:
            # The ids travel as one JSON array parameter: no limit on their number (SQLite caps bound variables).
            query, params = sql.format(where=_IDS), (json.dumps(sorted(set(ids))),)
        with self._lock:
            rows = self._conn.execute(query, params).fetchall()
        return [Annotation(*row[:7], seq=row[7]) for row in rows]

    def votes(self, ids: Iterable[str] | None = None) -> list[Annotation]:
        """Each annotator's current value per (example, field), for these ids (None: all), in one query."""
        return self._select(_VOTES, ids)

    def history(self, ids: Iterable[str] | None = None) -> list[Annotation]:
        """Every row ever written for these ids (None: all), in insertion order."""
        return self._select(f"SELECT {_COLUMNS} FROM annotations {{where}} ORDER BY seq", ids)

    def example_ids(self) -> list[str]:
        with self._lock:
            return [r[0] for r in self._conn.execute("SELECT DISTINCT example_id FROM annotations ORDER BY 1")]

    def imports(self) -> list[ImportBatch]:
        with self._lock:
            rows = self._conn.execute("SELECT id, file, sha256, rules, records, imported_at FROM imports ORDER BY id")
            return [ImportBatch(*row) for row in rows]

    def count(self) -> int:
        with self._lock:
            return self._conn.execute("SELECT COUNT(*) FROM annotations").fetchone()[0]


def _version(conn: sqlite3.Connection) -> str | None:
    try:
        row = conn.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()
    except sqlite3.OperationalError as err:
        if "no such table" in str(err):
            return None
        raise
    return row[0] if row else None


def _missing_triggers(conn: sqlite3.Connection) -> list[str]:
    present = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'trigger'")}
    return [name for name in TRIGGERS if name not in present]


def _reopen(path: str, create: bool, timeout: float) -> AnnotationStore:
    return AnnotationStore(path, create=create, timeout=timeout)


def iso_time(value: str | datetime | None = None) -> str:
    """A time as the store keeps it: UTC, fixed width (text order is time order). None is now.

    Accepts ISO 8601 text ("2026-11-20", "2026-11-20 09:30", "2026-11-20T09:30:00+01:00", "...Z"); a time without a
    zone is taken as UTC. ValueError names the accepted forms.
    """
    if value is None:
        moment = datetime.now(timezone.utc)
    elif isinstance(value, datetime):
        moment = value
    else:
        text = value.strip()
        try:
            moment = datetime.fromisoformat(text[:-1] + "+00:00" if text.endswith(("Z", "z")) else text)
        except ValueError:
            raise ValueError(f"not an ISO 8601 time: {value!r}; write e.g. 2026-11-20 or "
                             "2026-11-20T09:30:00Z") from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    return moment.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def short_time(stored: str) -> str:
    """The stored time without zero microseconds, for people and exports ("2026-11-20T09:30:00Z")."""
    return stored.replace(".000000Z", "Z")


def _now() -> str:
    return iso_time(None)
