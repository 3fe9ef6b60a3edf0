"""A scripted stand-in teacher: an OpenAI-compatible chat/completions server (stdlib, 127.0.0.1) for the README demo.

    python tests/scripts/scripted_teacher.py --data data/synthetic/eval_balanced.jsonl --port 8011 &
    python -m trainers.teach --teacher http://127.0.0.1:8011/v1 --rules ecommerce \\
        --data data/synthetic/eval_balanced.jsonl --out runs/teach/eval_balanced.jsonl
    kill %1

Not a model. It finds the row by the query in the prompt and answers with the row's bundled guide (the synthetic
generator's fact-based CoT), except, to show every path of the verifier: every 5th row a CoT whose reasoning is each
step's question (rejected: restates_question), every 7th the guide with another label on its label line and conclusion step (wrong_label), every 11th
free text (malformed); every 9th request gets HTTP 500 first (retried by the client).
"""

from __future__ import annotations

import argparse
import json
from openai_stub import JsonHandler, QuietServer, chat_completion

from rules import compile_rules
from rules.data import load_examples


def answer(k: int, example, rules) -> str:
    if k % 11 == 10:
        return "The product looks relevant to me."
    if k % 7 == 6:
        other = next(lab for lab in rules.label_ids if lab != example.label)
        cot = rules.parse(example.guide)
        return rules.render(other, {**cot.verdicts, "verdict": rules.labels[other].name},
                            {s.id: s.reasoning for s in cot.steps})
    if k % 5 == 4:
        return rules.render(example.label, example.gold_steps)  # no reasons: each step's question
    return example.guide


def serve(data: str, port: int) -> None:
    rules = compile_rules("ecommerce")
    rows = {e.query: (k, e) for k, e in enumerate(load_examples(data).examples)}
    seen = {"requests": 0}

    class Handler(JsonHandler):
        def do_GET(self) -> None:
            self.reply(200, {"object": "list", "data": [{"id": "scripted-teacher", "object": "model"}]})

        def do_POST(self) -> None:
            body = self.read_json()
            seen["requests"] += 1
            if seen["requests"] % 9 == 0:
                return self.reply(500, {"error": {"message": "scripted outage"}})
            query = body["messages"][-1]["content"].split("Query: ", 1)[1].split("\n", 1)[0]
            k, example = rows[query]
            text = answer(k, example, rules)
            self.reply(200, chat_completion(body["model"], text, {
                "prompt_tokens": len(json.dumps(body["messages"])) // 4, "completion_tokens": len(text) // 4}))

    QuietServer(("127.0.0.1", port), Handler).serve_forever()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--data", required=True)
    parser.add_argument("--port", type=int, default=8011)
    args = parser.parse_args()
    serve(args.data, args.port)
