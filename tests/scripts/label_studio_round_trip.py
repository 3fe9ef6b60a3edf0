"""The Label Studio round trip, against a real server: how tests/fixtures/label_studio/ was made.

    pip install label-studio      # in a venv of its own (Python 3.11): it pins its own Django and friends
    label-studio start --no-browser --internal-host 127.0.0.1 -p 8089 --data-dir /tmp/ls-data \\
        --username ana@example.com --password annotate123
    python tests/scripts/label_studio_round_trip.py --url http://127.0.0.1:8089 --out tests/fixtures/label_studio

Signs in with the password (Label Studio 1.23 disables legacy API tokens for new organisations; its session
works for the API with the CSRF header), creates a project with the labeling configuration generated from
rules/catalog/ecommerce.yaml, imports tasks made from the first candidates of data/annotate/candidates.jsonl,
posts annotations (some steps changed from the model's, reasons, lead times; one annotation cancelled), exports the
project as JSON and writes config.xml, tasks.json, export.json, export_edited.json (the same project after one
annotation was edited) and users.json (GET /api/users: the export
names annotators by user id only). Standard library only, so it runs in our venv.
"""

from __future__ import annotations

import argparse
import http.cookiejar
import json
import sys
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from rules import compile_rules
from rules.data.loaders import load_examples
from verifiers.human.candidates import read_candidates
from verifiers.human.labelstudio import labeling_config, tasks


class Client:
    def __init__(self, url: str, email: str, password: str):
        self.url, self.jar = url.rstrip("/"), http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.jar))
        self.opener.open(f"{self.url}/user/login/", timeout=30).read()
        form = urllib.parse.urlencode({"email": email, "password": password,
                                       "csrfmiddlewaretoken": self._csrf()}).encode()
        login = f"{self.url}/user/login/"
        request = urllib.request.Request(login, form, headers={"Referer": login})
        self.opener.open(request, timeout=30).read()
        if not any(c.name == "sessionid" for c in self.jar):
            raise SystemExit("sign-in failed: check --email and --password")

    def _csrf(self) -> str:
        return next(c.value for c in self.jar if c.name == "csrftoken")

    def call(self, method: str, path: str, body=None):
        data = None if body is None else json.dumps(body).encode()
        request = urllib.request.Request(f"{self.url}{path}", data, method=method, headers={
            "Content-Type": "application/json", "X-CSRFToken": self._csrf(), "Referer": self.url + "/"})
        try:
            with self.opener.open(request, timeout=60) as response:
                text = response.read().decode()
        except urllib.error.HTTPError as err:
            raise SystemExit(f"{method} {path}: HTTP {err.code}: {err.read().decode()[:2000]}") from None
        return json.loads(text) if text else None


def choice(name: str, value: str) -> dict:
    return {"from_name": name, "to_name": "completion", "type": "choices", "value": {"choices": [value]}}


def reason(name: str, text: str) -> dict:
    return {"from_name": f"reason_{name}", "to_name": "completion", "type": "textarea", "value": {"text": [text]}}


def annotations_for(made: list[dict]) -> list[dict]:
    """What a person would do: accept most of the model's verdicts, change some, add reasons, skip one."""
    out = []
    for i, task in enumerate(made):
        results = task.get("predictions", [{}])[0].get("result", [])
        predicted = {r["from_name"]: r["value"]["choices"][0] for r in results}
        if i == 2:
            out.append({"was_cancelled": True, "result": [], "lead_time": 3.0})
            continue
        result = [choice(k, v) for k, v in predicted.items()]
        if i == 1:  # a step the annotator corrects, with a reason
            result = [r for r in result if r["from_name"] != "category"]
            result += [choice("category", "adjacent"), reason("category", "a harness is next to collars")]
        if set(predicted) <= {"label"}:  # a completion that does not parse: the label only
            result = [choice("label", "Mismatch"), reason("label", "the completion does not parse; judged by hand")]
        out.append({"result": result, "lead_time": 10.5 + i})
    return out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--url", default="http://127.0.0.1:8089")
    parser.add_argument("--email", default="ana@example.com")
    parser.add_argument("--password", default="annotate123")
    parser.add_argument("--n", type=int, default=5)
    parser.add_argument("--out", default=str(ROOT / "tests/fixtures/label_studio"))
    args = parser.parse_args()
    rules = compile_rules(ROOT / "rules/catalog/ecommerce.yaml")
    examples = {e.id: e for e in load_examples(ROOT / "data/synthetic/eval_balanced.jsonl").examples}
    candidates = read_candidates(ROOT / "data/annotate/candidates.jsonl", examples, rules)
    picked = candidates[:args.n]  # the file's fourth candidate does not parse
    config, made = labeling_config(rules), tasks(rules, picked)
    client = Client(args.url, args.email, args.password)
    project = client.call("POST", "/api/projects", {"title": "shelfwise round trip", "label_config": config})
    client.call("POST", f"/api/projects/{project['id']}/import", made)
    listed = client.call("GET", f"/api/tasks?project={project['id']}&page_size=100")
    server_tasks = sorted(listed["tasks"] if isinstance(listed, dict) else listed, key=lambda t: t["id"])
    for task, annotation in zip(server_tasks, annotations_for(made)):
        client.call("POST", f"/api/tasks/{task['id']}/annotations", annotation)
    export = client.call("GET", f"/api/projects/{project['id']}/export?exportType=JSON")
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    (out / "config.xml").write_text(config, encoding="utf-8")
    (out / "tasks.json").write_text(json.dumps(made, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    # An edit after the first export: the second export carries it (a later updated_at), the rest unchanged.
    first = next(a for t in export for a in t["annotations"] if not a["was_cancelled"])
    edited = [r for r in first["result"] if r["from_name"] != "label"] + [choice("label", "Irrelevant"),
                                                                          reason("label", "second look")]
    client.call("PATCH", f"/api/annotations/{first['id']}", {"result": edited, "lead_time": first["lead_time"] + 4})
    again = client.call("GET", f"/api/projects/{project['id']}/export?exportType=JSON")
    (out / "export_edited.json").write_text(json.dumps(again, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    users = [{k: u.get(k) for k in ("id", "email", "username", "first_name", "last_name")}
             for u in client.call("GET", "/api/users")]
    (out / "users.json").write_text(json.dumps(users, indent=1) + "\n", encoding="utf-8")
    (out / "export.json").write_text(json.dumps(export, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    print(f"project {project['id']}: {len(made)} tasks, {sum(len(t.get('annotations', [])) for t in export)} "
          f"annotations exported to {out / 'export.json'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
