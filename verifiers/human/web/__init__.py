"""The step-annotation web page (Starlette + Jinja2, everything it serves ships here; extra `annotate`).

    python -m verifiers.human serve --db annotations.db --rules rules/catalog/ecommerce.yaml \\
        --examples data/synthetic/eval_balanced.jsonl --candidates data/annotate/candidates.jsonl

Modules: `queue` (who gets which item), `forms` (an item on the page and the form back as store rows), `app` (the
routes), `templates/`, `static/`.
"""

from __future__ import annotations

import logging
from pathlib import Path

from rules import CompiledRuleSet

logger = logging.getLogger(__name__)


def build_site(db: str, rules: CompiledRuleSet, examples: str, candidates: str, *, annotator: str | None = None,
               double: float = 0.0, seed: int = 0, lease_s: float = 1800.0, show_gold: bool = True):
    """Read and check every input before anything listens: a bad file fails here with file:line."""
    from rules.data.loaders import load_examples
    from verifiers.human.candidates import read_candidates
    from verifiers.human.store import AnnotationStore
    from verifiers.human.web.app import Site
    from verifiers.human.web.queue import AnnotationQueue

    by_id = {e.id: e for e in load_examples(examples).examples}
    items = read_candidates(candidates, by_id, rules)
    store = AnnotationStore(db)
    queue = AnnotationQueue([c.key for c in items], double=double, seed=seed, lease_s=lease_s)
    return Site(store, rules, items, queue, annotator=annotator, show_gold=show_gold)


def serve(site, host: str = "127.0.0.1", port: int = 8765) -> None:
    import uvicorn

    from verifiers.human.web.app import create_app

    parsed = sum(c.cot is not None for c in site.candidates)
    logger.info("serving %d candidates (%d parse) from %s on http://%s:%d", len(site.candidates), parsed,
                Path(site.store.path).name, host, port)
    uvicorn.run(create_app(site), host=host, port=port, log_level="warning")


__all__ = ["build_site", "serve"]
