"""The step-annotation page: a Starlette app, server-rendered Jinja2 templates, assets shipped in this package.

    python -m verifiers.human serve --db annotations.db --rules rules/catalog/ecommerce.yaml \\
        --examples data/synthetic/eval_balanced.jsonl --candidates data/annotate/candidates.jsonl [--double 0.2]

Routes: `/` (sign in with a name), `/next` (the queue's next item for this annotator), `/item/N` (candidate N of
the file: GET shows it, POST saves, skips or goes back), `/stats` (coverage, agreement, kappa per step), `/static`.
Every save is one `AnnotationStore.add` (all or nothing; provenance: annotator, time, `FILE:LINE` as source).
No passwords, no TLS: it binds 127.0.0.1 unless told otherwise (README: what it does not protect).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote, unquote

from jinja2 import Environment, FileSystemLoader, select_autoescape
from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles

from rules import CompiledRuleSet
from verifiers.human.candidates import Candidate
from verifiers.human.stats import store_stats
from verifiers.human.store import Annotation, AnnotationStore, iso_time
from verifiers.human.web.forms import form_rows, item_view
from verifiers.human.web.queue import AnnotationQueue

logger = logging.getLogger(__name__)

HERE = Path(__file__).parent
COOKIE = "shelfwise_annotator"
MAX_NAME = 64


@dataclass
class Site:
    """What every request reads: the store, the rule file, the candidates and the queue."""

    store: AnnotationStore
    rules: CompiledRuleSet
    candidates: list[Candidate]
    queue: AnnotationQueue
    annotator: str | None = None  # fixed by --annotator: no sign-in
    show_gold: bool = True
    visited: dict[str, list[str]] = field(default_factory=dict)  # annotator -> keys shown, for "back"

    def __post_init__(self):
        self.index = {c.key: i for i, c in enumerate(self.candidates)}
        foreign = sorted({b.rules for b in self.store.imports() if b.rules and b.rules != self.rules.name})
        self.warning = (f"this store also holds annotations checked against rule set(s) {', '.join(foreign)}; this "
                        f"page uses {self.rules.name}: values it does not know are listed, never changed"
                        if foreign else "")

    def done(self) -> dict[str, set[str]]:
        """Candidate key -> annotators who saved something on it (from the store: survives restarts)."""
        out: dict[str, set[str]] = {}
        for row in self.store.history():
            if row.source in self.index:
                out.setdefault(row.source, set()).add(row.annotator)
        return out

    def saved(self, annotator: str, key: str) -> list[Annotation]:
        example = self.candidates[self.index[key]].example.id
        return [r for r in self.store.history([example]) if r.annotator == annotator and r.source == key]

    def progress(self, annotator: str) -> dict[str, int]:
        done = self.done()
        mine = sum(1 for who in done.values() if annotator in who)
        return {"done": mine, "total": mine + self.queue.open_for(annotator, done),
                "complete": self.queue.complete(done), "all": len(self.candidates),
                "double": sum(1 for t in self.queue.target.values() if t > 1)}


def create_app(site: Site) -> Starlette:
    env = Environment(loader=FileSystemLoader(HERE / "templates"), autoescape=select_autoescape(default=True))

    def page(request: Request, template: str, status: int = 200, **context) -> HTMLResponse:
        html = env.get_template(template).render(site=site, me=_annotator(site, request), **context)
        return HTMLResponse(html, status_code=status)

    async def signin(request: Request) -> Response:
        if request.method == "GET":
            if _annotator(site, request):
                return RedirectResponse("/next", 303)
            return page(request, "signin.html")
        name = str((await request.form()).get("name", "")).strip()
        problem = _bad_name(name)
        if problem:
            return page(request, "signin.html", 400, problem=problem, name=name)
        response = RedirectResponse("/next", 303)
        response.set_cookie(COOKIE, quote(name, safe=""), httponly=True, samesite="strict")
        return response

    def next_item(request: Request) -> Response:
        me = _annotator(site, request)
        if not me:
            return RedirectResponse("/", 303)
        key = site.queue.next_for(me, site.done())
        if key is None:
            return page(request, "done.html", progress=site.progress(me))
        return RedirectResponse(f"/item/{site.index[key]}", 303)

    async def item(request: Request) -> Response:
        me = _annotator(site, request)
        if not me:
            return RedirectResponse("/", 303)
        n = request.path_params["n"]
        if not 0 <= n < len(site.candidates):
            return page(request, "error.html", 404, message=f"no item {n}: the candidates file has "
                                                            f"{len(site.candidates)} (0 to {len(site.candidates) - 1})")
        candidate = site.candidates[n]
        if request.method == "POST":
            form = {k: v for k, v in (await request.form()).items() if isinstance(v, str)}
            return await run_in_threadpool(_post_item, site, request, page, me, candidate, form)
        site.queue.claim(me, candidate.key)
        seen = site.visited.setdefault(me, [])
        if candidate.key not in seen:  # a revisit keeps its place, so "back" twice walks two items back
            seen.append(candidate.key)
        view = item_view(site.rules, candidate, site.saved(me, candidate.key))
        return page(request, "item.html", view=view, n=n, progress=site.progress(me), back=_back(site, me, n))

    def stats(request: Request) -> Response:
        done = site.done()
        people = sorted({a for who in done.values() for a in who})
        return page(request, "stats.html", stats=store_stats(site.store, site.rules),
                    people={a: site.progress(a) for a in people})

    routes = [Route("/", signin, methods=["GET", "POST"]), Route("/next", next_item),
              Route("/item/{n:int}", item, methods=["GET", "POST"]), Route("/stats", stats),
              Route("/signout", _signout, methods=["POST"]),
              Mount("/static", StaticFiles(directory=HERE / "static"), name="static")]
    return Starlette(routes=routes)


def _signout(request: Request) -> Response:
    response = RedirectResponse("/", 303)
    response.delete_cookie(COOKIE)
    return response


def _annotator(site: Site, request: Request) -> str | None:
    if site.annotator:
        return site.annotator
    name = unquote(request.cookies.get(COOKIE, "")).strip()
    return name or None


def _bad_name(name: str) -> str:
    if not name:
        return "write your name: it is stored with every value you save"
    if len(name) > MAX_NAME or not name.isprintable():
        return f"a name of at most {MAX_NAME} printable characters, please"
    return ""


def _back(site: Site, me: str, n: int) -> int | None:
    """The item this annotator saw before item n (None at the first)."""
    seen = site.visited.get(me, [])
    key = site.candidates[n].key
    at = seen.index(key) if key in seen else len(seen)
    return site.index[seen[at - 1]] if at > 0 else None


def _post_item(site: Site, request: Request, page, me: str, candidate: Candidate, form: dict[str, str]) -> Response:
    n = site.index[candidate.key]
    action = form.get("action", "save")
    if action == "skip":
        site.queue.skip(me, candidate.key)
        return RedirectResponse("/next", 303)
    view = item_view(site.rules, candidate, site.saved(me, candidate.key))
    rows, problems = form_rows(view, form, me, iso_time())
    if problems:
        _refill(view, form)
        return page(request, "item.html", 400, view=view, n=n, progress=site.progress(me), problems=problems,
                    back=_back(site, me, n))
    site.store.add(rows, file=f"web:{candidate.key.rsplit(':', 1)[0]}", rules=site.rules.name)
    site.queue.release(me, candidate.key)
    logger.info("%s saved %d values on %s (%s)", me, len(rows), candidate.key, candidate.example.id)
    return RedirectResponse("/next", 303)


def _refill(view, form: dict[str, str]) -> None:
    """Show the submitted (rejected) values again, so nothing typed is lost."""
    for step in view.steps:
        step.mark = form.get(f"mark.{step.id}", "")
        step.verdict = form.get(f"verdict.{step.id}", "")
        step.reason = form.get(f"reason.{step.id}", "")
    view.label, view.label_reason = form.get("label", ""), form.get("reason.label", "")
