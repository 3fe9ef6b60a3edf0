"""The step-annotation page in a real headless browser (Debian's chromium driven by Playwright), and its server.

    pytest -q tests/test_annotate_page.py
    SHELFWISE_SCREENSHOTS=docs/img pytest -q tests/test_annotate_page.py -k keyboard   # regenerates the README's

Each test starts `python -m verifiers.human serve` on 127.0.0.1 (a free port) over a fresh store and stops it by
its PID. The browser tests skip, saying why, when /usr/bin/chromium or playwright is missing (CI installs both).
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

import pytest

from verifiers.human import LABEL, AnnotationStore

ROOT = Path(__file__).resolve().parents[1]
RULES = str(ROOT / "rules/catalog/ecommerce.yaml")
EXAMPLES = str(ROOT / "data/synthetic/eval_balanced.jsonl")
CHROMIUM = "/usr/bin/chromium"
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync"]
N = 6  # candidates served: the bundled file's first six (its fourth does not parse)


@pytest.fixture
def candidates(tmp_path) -> Path:
    lines = (ROOT / "data/annotate/candidates.jsonl").read_text().splitlines()[:N]
    path = tmp_path / "cands.jsonl"
    path.write_text("\n".join(lines) + "\n")
    return path


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    def __init__(self, db: Path, candidates: Path, *extra: str, rules: str = RULES):
        self.port, self.db = free_port(), db
        self.url = f"http://127.0.0.1:{self.port}"
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "verifiers.human", "serve", "--db", str(db), "--rules", rules, "--examples",
             EXAMPLES, "--candidates", str(candidates), "--port", str(self.port), *extra],
            cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"serve exited {self.proc.returncode}: {self.proc.stdout.read()}")
            try:
                urllib.request.urlopen(self.url + "/static/annotate.css", timeout=2).read()
                return
            except OSError:
                time.sleep(0.2)
        self.stop()
        raise RuntimeError("serve did not answer within 60 s")

    def stop(self) -> None:
        self.proc.terminate()
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()


@pytest.fixture
def server(tmp_path, candidates):
    started = Server(tmp_path / "annotations.db", candidates)
    yield started
    started.stop()


def post(url: str, fields: dict[str, str], name: str) -> int:
    """A form POST as a signed-in annotator; the status (redirects are not followed)."""
    class NoRedirect(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *args, **kwargs):
            return None
    request = urllib.request.Request(url, urllib.parse.urlencode(fields).encode(),
                                     headers={"Cookie": f"shelfwise_annotator={urllib.parse.quote(name)}"})
    try:
        with urllib.request.build_opener(NoRedirect).open(request, timeout=30) as response:
            return response.status
    except urllib.error.HTTPError as err:
        return err.code


def rows(db: Path, annotator: str | None = None):
    with AnnotationStore(db, create=False) as store:
        return [r for r in store.history() if annotator is None or r.annotator == annotator]


# ------------------------------------------------------------------------------------------------ in the browser

@pytest.fixture(scope="module")
def browser():
    if not Path(CHROMIUM).exists():
        pytest.skip(f"{CHROMIUM} is missing: apt-get install -y chromium (.ci/run does)")
    sync_api = pytest.importorskip("playwright.sync_api", reason="playwright is missing: pip install -e '.[test]'")
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS, headless=True)
        yield browser
        browser.close()


def sign_in(browser, server: Server, name: str):
    page = browser.new_context(viewport={"width": 1280, "height": 900}).new_page()
    page.goto(server.url + "/")
    page.fill("#name", name)
    page.keyboard.press("Enter")
    page.wait_for_selector("#item")
    return page


def shot(page, name: str, full_page: bool = False) -> None:
    """With SHELFWISE_SCREENSHOTS=DIR, the README's screenshot NAME (PNG, 256 colours to keep it small)."""
    folder = os.environ.get("SHELFWISE_SCREENSHOTS")
    if not folder:
        return
    path = Path(folder) / name
    page.screenshot(path=str(path), full_page=full_page)
    from PIL import Image

    with Image.open(path) as image:
        image.convert("RGB").quantize(256).save(path, optimize=True)


def progress(page) -> str:
    return page.inner_text("#progress-text")


def key_of(page) -> str:
    return page.get_attribute("#item", "data-key")


def save(page, before: str) -> None:
    """Enter saves; wait for the next item (a new key) to load."""
    page.keyboard.press("Enter")
    page.wait_for_function("k => document.querySelector('#item') && document.querySelector('#item').dataset.key "
                           "!== k || document.querySelector('#done')", arg=before)


def test_keyboard_annotation_back_and_edit_progress_provenance_second_annotator(browser, server):
    ana = sign_in(browser, server, "ana")
    first = key_of(ana)
    assert first == "cands.jsonl:1" and progress(ana) == f"0 / {N}"
    ana.keyboard.press("a")  # every step as the model said it
    ana.keyboard.press("c")  # the label row has the focus now: the model's label
    save(ana, first)
    second = key_of(ana)
    assert second == "cands.jsonl:2" and progress(ana) == f"1 / {N}"
    # Item 2: query correct, product wrong (two verdicts: the other one), category wrong -> a verdict by digit, a
    # reason typed after r, the rest correct, label 4 (the first label chip).
    category = ana.locator(".row[data-step=category]")
    verdicts = category.get_attribute("data-verdicts").split()
    other = next(i for i, v in enumerate(verdicts, 1) if v != category.get_attribute("data-model"))
    ana.keyboard.press("c")
    ana.keyboard.press("w")
    ana.keyboard.press("w")
    ana.keyboard.press(str(other))
    ana.keyboard.press("k")
    ana.keyboard.press("r")
    ana.keyboard.type("the listing says otherwise")
    ana.keyboard.press("Escape")
    ana.keyboard.press("a")
    ana.keyboard.press("1")
    shot(ana, "annotate_item.png", full_page=True)
    save(ana, second)
    third = key_of(ana)
    assert progress(ana) == f"2 / {N}" and ana.get_attribute("#progress-fill", "style") != "width: 0.0%"
    # Back, change the label of item 2 (the keys move the focus to the label row), save again.
    ana.keyboard.press("b")
    ana.wait_for_function("k => document.querySelector('#item').dataset.key === k", arg=second)
    assert ana.is_checked(".row[data-step=category] input[value=wrong]")
    assert ana.input_value("input[name='reason.category']") == "the listing says otherwise"
    for _ in range(6):
        ana.keyboard.press("j")
    ana.keyboard.press("3")  # 2 Mismatch
    save(ana, second)
    assert key_of(ana) == third and progress(ana) == f"2 / {N}"
    mine = rows(server.db, "ana")
    assert {r.source for r in mine} == {"cands.jsonl:1", "cands.jsonl:2"}
    labels = [r.value for r in mine if r.field == LABEL and r.source == "cands.jsonl:2"]
    assert labels == ["4", "2"]  # the edit is a new row; the first value stays in the history
    changed = [r for r in mine if r.field == "category" and r.source == "cands.jsonl:2"]
    assert changed[0].value == verdicts[other - 1] and changed[0].reason == "the listing says otherwise"
    assert all(r.time.endswith("Z") and r.example_id.startswith("eval_balanced-") for r in mine)
    assert len({r.field for r in mine if r.source == "cands.jsonl:1"}) == 7  # six steps and the label
    # A second annotator gets other items: not the two ana saved, not the one ana has open.
    bob = sign_in(browser, server, "bob")
    assert key_of(bob) not in {first, second, third} and progress(bob) == f"0 / {N - 2}"
    # Back twice walks two items back (a revisit keeps its place in the annotator's trail).
    ana.keyboard.press("b")
    ana.wait_for_function("k => document.querySelector('#item').dataset.key === k", arg=second)
    ana.keyboard.press("b")
    ana.wait_for_function("k => document.querySelector('#item').dataset.key === k", arg=first)
    assert ana.locator("#back").count() == 0  # nothing before the first item


def test_double_share_both_annotators_get_the_items_and_stats_show_agreement(browser, tmp_path, candidates):
    server = Server(tmp_path / "double.db", candidates, "--double", "1")
    try:
        ana, bob = sign_in(browser, server, "ana"), sign_in(browser, server, "bob")
        assert key_of(ana) == key_of(bob) == "cands.jsonl:1"  # every item wants two annotators
        for i in range(4):
            before = key_of(bob)
            assert key_of(ana) == before
            if i % 2 == 0 and bob.locator(".row[data-step=product]").count():
                bob.keyboard.press("j")
                bob.keyboard.press("w")  # product: two verdicts, "wrong" picks the other
            for page in (ana, bob):
                page.keyboard.press("a")
                page.keyboard.press("c")
            save(ana, before)
            save(bob, before)
        assert progress(ana) == progress(bob) == f"4 / {N}"
        ana.goto(server.url + "/stats")
        product = ana.inner_text("#fields tr[data-field=product]").split()
        assert product[:4] == ["product", "3", "75%", "3"]  # 3 of the 4 items parse, each done by both
        assert product[4] != "1.00"  # bob disagreed on product twice
        label = ana.inner_text("#fields tr[data-field=label]").split()
        assert label[3] == "4" and label[4] == "1.00"  # both took the model's label on all four
        shot(ana, "annotate_stats.png")
        ana.keyboard.press("n")  # back to the queue from the stats page
        ana.wait_for_selector("#item")
        assert key_of(ana) == "cands.jsonl:5"
    finally:
        server.stop()


def test_unparseable_completion_shown_raw_and_annotated_at_label_level(browser, server):
    page = sign_in(browser, server, "cara")
    page.goto(server.url + "/item/3")  # line 4 of the file: cut before its steps
    assert "does not parse" in page.inner_text("#parse-error")
    assert "The product looks fine to me." in page.inner_text("#raw")
    assert page.locator(".row").count() == 1  # the label row only
    assert "model: 2 Mismatch" in page.inner_text(".label-row")  # its label line still reads
    shot(page, "annotate_unparsed.png")
    page.keyboard.press("4")  # 1 Irrelevant
    save(page, "cands.jsonl:4")
    [row] = rows(server.db, "cara")
    assert (row.field, row.value, row.source) == (LABEL, "1", "cands.jsonl:4")


def test_wrong_without_a_verdict_is_refused_and_nothing_typed_is_lost(browser, server):
    page = sign_in(browser, server, "dan")
    page.keyboard.press("c")
    page.keyboard.press("c")
    page.keyboard.press("w")  # category: four verdicts, none picked
    page.keyboard.press("r")
    page.keyboard.type("unsure which")
    page.keyboard.press("Enter")
    page.wait_for_selector("#problems")
    assert "category: marked wrong; pick the right verdict" in page.inner_text("#problems")
    assert page.input_value("input[name='reason.category']") == "unsure which"
    assert rows(server.db) == []


# ------------------------------------------------------------------------------------------------ the server alone

def test_two_annotators_saving_the_same_item_at_once_both_kept(server):
    for name in ("ana", "bob"):
        urllib.request.urlopen(urllib.request.Request(server.url + "/item/0", headers={
            "Cookie": f"shelfwise_annotator={name}"}), timeout=30).read()
    barrier, statuses = threading.Barrier(8), []

    def save_as(name: str, label: str) -> None:
        barrier.wait()
        statuses.append(post(server.url + "/item/0", {"mark.query": "correct", "label": label}, name))

    threads = [threading.Thread(target=save_as, args=(f"user{i}", str(1 + i % 4))) for i in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert statuses == [303] * 8
    saved = rows(server.db)
    assert len(saved) == 16 and {r.annotator for r in saved} == {f"user{i}" for i in range(8)}
    assert {(r.annotator, r.value) for r in saved if r.field == LABEL} == {(f"user{i}", str(1 + i % 4))
                                                                           for i in range(8)}


def test_malformed_candidate_file_fails_before_serving_naming_each_line(tmp_path):
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"id": "eval_balanced-00000", "completion": "Label: 4"}\n{"id": "eval_balanced-0000", '
                   '"completion": "x"}\nnot json\n{"id": "eval_balanced-00001"}\n'
                   '{"id": "eval_balanced-00002", "completion": "x", "score": 1}\n')
    run = subprocess.run([sys.executable, "-m", "verifiers.human", "serve", "--db", str(tmp_path / "a.db"), "--rules",
                          RULES, "--examples", EXAMPLES, "--candidates", str(bad), "--port", str(free_port())],
                         cwd=ROOT, capture_output=True, text=True, timeout=60, check=False)
    assert run.returncode == 1 and run.stdout == "", run.stdout
    errors = run.stderr.splitlines()
    assert all(line.startswith("error: ") for line in errors)
    assert "bad.jsonl:2" in errors[0] and "did you mean 'eval_balanced-000" in errors[0]
    assert "bad.jsonl:3" in errors[1] and "bad.jsonl:4" in errors[2] and "completion" in errors[2]
    assert "bad.jsonl:5" in errors[3] and "score" in errors[3] and "4 bad lines" in errors[4]
    assert not (tmp_path / "a.db").exists()  # nothing was opened, nothing listened


def test_rule_file_not_matching_the_annotations_is_shown_not_changed(tmp_path, candidates):
    db = tmp_path / "annotations.db"
    with AnnotationStore(db) as store:
        from verifiers.human import Annotation
        store.add([Annotation("eval_balanced-00000", "fit", "tight", "ana", "2026-11-20T09:30:00.000000Z", None,
                              "cands.jsonl:1"),
                   Annotation("eval_balanced-00000", "category", "match", "ana", "2026-11-20T09:30:00.000000Z", None,
                              "cands.jsonl:1")], rules="apparel")
    server = Server(db, candidates)
    try:
        page = urllib.request.urlopen(urllib.request.Request(server.url + "/item/0", headers={
            "Cookie": "shelfwise_annotator=ana"}), timeout=30).read().decode()
        assert "rule set(s) apparel" in page and "not in this rule file" in page and "fit=tight" in page
        assert 'name="mark.category" value="correct" checked' in page  # what it knows is prefilled
        stats = urllib.request.urlopen(server.url + "/stats", timeout=30).read().decode()
        assert "fit (not in ecommerce)" in stats
    finally:
        server.stop()
    assert len(rows(db)) == 2  # nothing rewritten


def test_bad_names_and_unknown_items_get_readable_pages(server):
    assert post(server.url + "/", {"name": "  "}, "") == 400
    assert post(server.url + "/", {"name": "x" * 65}, "") == 400
    assert post(server.url + "/item/0", {}, "ana") == 400  # nothing to save
    assert post(server.url + "/item/0", {"label": "9"}, "ana") == 400
    assert post(server.url + "/item/0", {"action": "skip"}, "ana") == 303
    with pytest.raises(urllib.error.HTTPError) as err:
        urllib.request.urlopen(urllib.request.Request(server.url + "/item/99", headers={
            "Cookie": "shelfwise_annotator=ana"}), timeout=30)
    assert err.value.code == 404 and f"0 to {N - 1}" in err.value.read().decode()
    assert rows(server.db) == []


def test_serve_module_assets_ship_in_the_package():
    web = ROOT / "verifiers/human/web"
    shipped = {p.name for p in (web / "templates").iterdir()} | {p.name for p in (web / "static").iterdir()}
    assert {"item.html", "stats.html", "annotate.css", "annotate.js"} <= shipped
    text = "".join(p.read_text() for p in (web / "templates").iterdir()) + (web / "static/annotate.css").read_text()
    assert "http://" not in text and "https://" not in text  # no CDN, nothing fetched from elsewhere
    data = (ROOT / "pyproject.toml").read_text()
    assert '"human/web/templates/*.html", "human/web/static/*"' in data  # installed with the package


def test_fixed_annotator_needs_no_sign_in(tmp_path, candidates):
    server = Server(tmp_path / "one.db", candidates, "--annotator", "solo")
    try:
        page = urllib.request.urlopen(server.url + "/", timeout=30).read().decode()  # redirected to an item
        assert 'id="annotator">solo<' in page and "sign out" not in page
        assert post(server.url + "/item/0", {"label": "4"}, "someone else") == 303
    finally:
        server.stop()
    assert [(r.annotator, r.value) for r in rows(tmp_path / "one.db")] == [("solo", "4")]
