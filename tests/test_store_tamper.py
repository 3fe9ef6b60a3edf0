"""The annotation store stays append-only against raw SQL from any connection (sqlite3 CLI, a script, a notebook):
UPDATE, DELETE, REPLACE INTO, INSERT OR REPLACE, UPDATE OR REPLACE and UPSERT on every table, with SQLite's
`recursive_triggers` off (the default) or on. Stores written before these triggers existed get them on open.
"""

from __future__ import annotations

import logging
import sqlite3

import pytest

from verifiers.human import Annotation, AnnotationStore
from verifiers.human.store import TRIGGERS, AlreadyImported

ROW = ("e1", "attributes", "partial", "ana", "2026-11-20T00:00:00.000000Z", "navy", "a.jsonl:1")

# (table, statements that would change or remove an existing row). `seq 1`, import `1` and meta `schema_version`
# exist after the setup below.
TAMPER = {
    "annotations": [
        "UPDATE annotations SET value = 'match' WHERE seq = 1",
        "DELETE FROM annotations WHERE seq = 1",
        "DELETE FROM annotations",  # no WHERE: SQLite's truncate shortcut is off while a DELETE trigger exists
        "REPLACE INTO annotations (seq, example_id, field, value, annotator, annotated_at, import_id) "
        "VALUES (1, 'e1', 'attributes', 'match', 'ana', '2026-11-20T00:00:00.000000Z', 1)",
        "INSERT OR REPLACE INTO annotations (seq, example_id, field, value, annotator, annotated_at, import_id) "
        "VALUES (1, 'e1', 'attributes', 'match', 'ana', '2026-11-20T00:00:00.000000Z', 1)",
        "INSERT OR REPLACE INTO annotations (rowid, example_id, field, value, annotator, annotated_at, import_id) "
        "VALUES (1, 'e1', 'attributes', 'match', 'ana', '2026-11-20T00:00:00.000000Z', 1)",  # rowid is seq
        "UPDATE OR REPLACE annotations SET seq = 1 WHERE seq = 2",
        "INSERT INTO annotations (seq, example_id, field, value, annotator, annotated_at, import_id) "
        "VALUES (1, 'e1', 'attributes', 'match', 'ana', 'x', 1) ON CONFLICT(seq) DO UPDATE SET value = 'match'",
    ],
    "imports": [
        "UPDATE imports SET sha256 = 'other' WHERE id = 1",
        "DELETE FROM imports WHERE id = 1",
        "REPLACE INTO imports (id, file, sha256, records, imported_at) VALUES (1, 'f', 'other', 0, 'now')",
        "INSERT OR REPLACE INTO imports (id, file, sha256, records, imported_at) VALUES (1, 'f', NULL, 0, 'now')",
        "INSERT INTO imports (id, file, records, imported_at) VALUES (1, 'f', 0, 'now') "
        "ON CONFLICT(id) DO UPDATE SET sha256 = NULL",
    ],
    "meta": [
        "UPDATE meta SET value = '2' WHERE key = 'schema_version'",
        "DELETE FROM meta WHERE key = 'schema_version'",
        "REPLACE INTO meta VALUES ('schema_version', '2')",
        "INSERT OR REPLACE INTO meta VALUES ('schema_version', '2')",
        "INSERT INTO meta VALUES ('schema_version', '2') ON CONFLICT(key) DO UPDATE SET value = '2'",
    ],
}
CASES = [(table, sql) for table, statements in TAMPER.items() for sql in statements]


def _snapshot(path) -> dict[str, list]:
    with sqlite3.connect(path) as conn:
        return {t: conn.execute(f"SELECT * FROM {t} ORDER BY 1").fetchall() for t in TAMPER}


@pytest.fixture
def db(tmp_path):
    path = tmp_path / "a.db"
    with AnnotationStore(path) as store:
        store.add([Annotation(*ROW)], file="a.jsonl", sha256="abc")
        store.add([Annotation(*ROW[:2], "match", *ROW[3:])], file="b.jsonl", sha256="def")
    return path


@pytest.mark.parametrize("recursive", [False, True], ids=["plain", "recursive_triggers"])
@pytest.mark.parametrize("table, sql", CASES, ids=[f"{t}:{s.split(' (')[0][:40]}" for t, s in CASES])
def test_raw_sql_cannot_change_or_remove_a_row(db, table, sql, recursive):
    before = _snapshot(db)
    raw = sqlite3.connect(db, isolation_level=None)  # a plain connection: none of the store's pragmas
    raw.execute(f"PRAGMA recursive_triggers = {'ON' if recursive else 'OFF'}")
    with pytest.raises(sqlite3.IntegrityError, match=f"{table} (are|is) append-only"):
        raw.execute(sql)
    raw.close()
    assert _snapshot(db) == before


def test_appending_still_works_from_a_raw_connection(db):
    # Append-only means append: a new row is fine (and a new meta key, for a later schema's migration).
    raw = sqlite3.connect(db, isolation_level=None)
    raw.execute("INSERT INTO annotations (example_id, field, value, annotator, annotated_at, import_id) "
                "VALUES ('e2', 'category', 'match', 'bob', '2026-11-21T00:00:00.000000Z', 1)")
    raw.execute("INSERT INTO meta VALUES ('note', 'hi')")
    raw.close()
    with AnnotationStore(db) as store:
        assert store.count() == 3


def test_an_imported_file_stays_imported(db):
    # Deleting or rewriting its imports row was the way to import the same content twice.
    for sql in TAMPER["imports"]:
        with sqlite3.connect(db, isolation_level=None) as raw, pytest.raises(sqlite3.IntegrityError):
            raw.execute(sql)
    with AnnotationStore(db) as store, pytest.raises(AlreadyImported, match="batch 1"):
        store.add([Annotation(*ROW)], file="a.jsonl", sha256="abc")


# The schema as shelfwise wrote it before REPLACE and imports/meta were protected (schema version 1 throughout).
V1_SCHEMA = """
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE imports (id INTEGER PRIMARY KEY AUTOINCREMENT, file TEXT NOT NULL, sha256 TEXT, rules TEXT,
    records INTEGER NOT NULL, imported_at TEXT NOT NULL);
CREATE TABLE annotations (seq INTEGER PRIMARY KEY AUTOINCREMENT, example_id TEXT NOT NULL, field TEXT NOT NULL,
    value TEXT NOT NULL, annotator TEXT NOT NULL, annotated_at TEXT NOT NULL, reason TEXT, source TEXT,
    import_id INTEGER NOT NULL REFERENCES imports(id));
CREATE INDEX annotations_lookup ON annotations (example_id, field, annotator, annotated_at);
CREATE INDEX imports_sha ON imports (sha256);
CREATE TRIGGER annotations_no_update BEFORE UPDATE ON annotations
BEGIN SELECT RAISE(ABORT, 'annotations are append-only: add a new row instead of editing one'); END;
CREATE TRIGGER annotations_no_delete BEFORE DELETE ON annotations
BEGIN SELECT RAISE(ABORT, 'annotations are append-only: history is never deleted'); END;
INSERT INTO meta VALUES ('schema_version', '1'), ('created_at', '2026-01-01T00:00:00.000000Z'),
    ('created_by', 'shelfwise');
INSERT INTO imports VALUES (1, 'old.jsonl', 'abc', 'ecommerce', 1, '2026-01-01T00:00:00.000000Z');
INSERT INTO annotations VALUES (1, 'e1', 'attributes', 'partial', 'ana', '2026-11-20T00:00:00.000000Z', 'navy',
    'old.jsonl:1', 1), (2, 'e1', 'attributes', 'match', 'ana', '2026-11-21T00:00:00.000000Z', NULL, 'old.jsonl:2', 1);
"""


def _v1_store(path):
    conn = sqlite3.connect(path)
    conn.executescript(V1_SCHEMA)
    conn.close()
    return path


def test_a_store_written_before_is_upgraded_on_open(tmp_path, caplog):
    path = _v1_store(tmp_path / "v1.db")
    raw = sqlite3.connect(path, isolation_level=None)
    raw.execute("REPLACE INTO meta VALUES ('created_by', 'someone')")  # the hole, before the upgrade
    raw.close()
    before = _snapshot(path)
    with caplog.at_level(logging.INFO, logger="verifiers.human.store"), AnnotationStore(path) as store:
        assert [a.value for a in store.history()] == ["partial", "match"]
    assert "added the append-only triggers" in caplog.text and "were dropped" not in caplog.text
    assert _snapshot(path) == before  # the upgrade adds triggers, nothing else
    with sqlite3.connect(path) as conn:
        names = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'trigger'")}
    assert set(TRIGGERS) <= names
    for table, sql in CASES:
        with sqlite3.connect(path, isolation_level=None) as raw, pytest.raises(sqlite3.IntegrityError):
            raw.execute(sql)
    assert _snapshot(path) == before


def test_two_processes_upgrading_at_once(tmp_path):
    # Both see triggers missing; the second to get the write lock finds them added and adds nothing.
    import threading

    path = _v1_store(tmp_path / "v1.db")
    errors: list = []

    def open_it():
        try:
            AnnotationStore(path, timeout=30).close()
        except Exception as err:  # noqa: BLE001 - reported by the assertion below
            errors.append(err)

    threads = [threading.Thread(target=open_it) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert errors == []
    with sqlite3.connect(path) as conn:
        assert set(TRIGGERS) <= {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'trigger'")}


def test_dropped_triggers_are_put_back_with_a_warning(db, caplog):
    with sqlite3.connect(db, isolation_level=None) as raw:
        raw.execute("DROP TRIGGER annotations_no_update")  # SQLite cannot forbid this; shelfwise notices it
        raw.execute("DROP TRIGGER meta_no_replace")
    with caplog.at_level(logging.WARNING, logger="verifiers.human.store"), AnnotationStore(db):
        pass
    assert "annotations_no_update, meta_no_replace" in caplog.text and "were dropped" in caplog.text
    with sqlite3.connect(db, isolation_level=None) as raw, pytest.raises(sqlite3.IntegrityError):
        raw.execute("UPDATE annotations SET value = 'x'")
