#!/usr/bin/env python3
"""Writes the render tests' sample reports (invented data, schema tosguard.report/1).

report_full.json    a realistic report of a distillation finding over a cluster
report_hostile.json the same report with every string replaced by hostile content
report_minimal.json nulls and empty arrays wherever the schema allows them

Run from anywhere: python3 tests/render/data/make_samples.py
"""
import base64
import copy
import datetime
import hashlib
import json
import os

HERE = os.path.dirname(os.path.abspath(__file__))


def h(text):
    return hashlib.sha256(text.encode()).hexdigest()


def ps(n):
    return "ps-" + h("account %d" % n)[:16]


def full():
    members = [ps(i) for i in range(7)]
    days = []
    start = datetime.date(2025, 2, 2)
    for i in range(64):
        d = start + datetime.timedelta(days=i)
        iso = d.isoformat()
        if iso < "2025-02-20":
            events, outcome = (0 if i % 7 == 3 else 3 + (i * 5) % 11), "compliant"
        elif iso < "2025-03-03":
            events, outcome = 40 + i * 3, "review" if iso >= "2025-02-27" else "compliant"
        elif iso <= "2025-03-29":
            events = 180 + ((i * 37) % 90) + (260 if iso == "2025-03-20" else 0)
            outcome = "violation"
        else:
            events, outcome = 12 - (i % 5), "insufficient_evidence" if i < 60 else "compliant"
        days.append({"day": iso, "events": events, "outcome": outcome})
    items = []
    for n in range(1, 6):
        line = '{"event_id":"e-%06d","ts":"2025-03-20T10:%02d:00Z"}' % (4100 + n, n)
        items.append({
            "n": n, "event": "e-%06d" % (4100 + n),
            "time": "2025-03-20T10:%02d:%02d.%06dZ" % (n * 7, n * 3, n * 125000),
            "account": members[n % 7], "file": "data/events-2025-03.jsonl",
            "file_sha256": h("events-2025-03.jsonl"), "offset": 1048576 * n + 4096 * n,
            "length": 480 + n * 13, "line_sha256": h(line),
            "sort_key": "0.99%d" % (9 - n),
            "shown": [{"name": "model", "value": "acme-large-2", "hidden": False},
                      {"name": "prompt_tokens", "value": str(1800 + n * 41), "hidden": False},
                      {"name": "prompt", "value": None, "hidden": True}],
            "excerpt": None})
    checkpoint_text = ("acme.example/tosguard-evidence\n41\n" +
                       base64.b64encode(bytes.fromhex(h("root 41"))).decode() +
                       "\ntime 2026-12-01T08:59:58Z\n")
    return {
        "schema": "tosguard.report/1",
        "generated_at": "2026-12-01T09:00:00Z",
        "tool": {"name": "tosguard", "version": "0.1.0", "revision": "6cdd395"},
        "examiner": "Acme Trust & Safety, compliance team",
        "options": {"pseudonymised": False, "include_text": False},
        "case": {"finding": "F-3f9a01c27be45d18", "revision": 2, "rule": "distillation_cluster",
                 "title": "Outputs harvested by linked accounts to train a competing model",
                 "severity": "critical", "tags": ["distillation", "cluster", "clause-3.2c"],
                 "scope_kind": "cluster", "scope": members[0], "level": "violation",
                 "first": "2025-03-03", "last": "2025-03-29", "peak": "2025-03-20",
                 "days": 27, "window": "30d", "status": "open"},
        "clause": {"policy": "acme_terms", "policy_title": "Acme AI Terms of Service",
                   "section": "3.2(c)", "since": "2024-01", "until": None,
                   "versions": ["2024-01", "2025-06"],
                   "text": ("The Customer shall not use the Services, or any Output, to develop, "
                            "train or improve any model that competes with Acme's models, nor "
                            "permit a third party to do so.\n\nThis restriction survives the "
                            "termination of the Agreement."),
                   "text_sha256": h("clause 3.2(c)")},
        "acceptances": [
            {"account": members[i], "policy": "acme_terms", "version": "2024-01",
             "accepted_at": "2024-0%d-1%dT10:0%d:00Z" % (2 + i % 3, i, i),
             "method": "clickwrap", "source": "web" if i % 2 == 0 else "api-console",
             "file": "data/acceptances.jsonl", "offset": 1234 + 121 * i, "length": 120}
            for i in range(4)],
        "narrative": [
            "Between 3 March 2025 and 29 March 2025, the 7 linked accounts of this cluster sent "
            "8,412 requests whose outputs the distillation detector scored at or above its "
            "threshold of 0.9; in the 30-day window ending on the peak day, 20 March 2025, they "
            "sent 812 such requests.",
            "The accounts share a payment card fingerprint and a device identifier. Each of the "
            "involved accounts had accepted version 2024-01 of the Acme AI Terms of Service, "
            "whose section 3.2(c) forbids using outputs to train a competing model.",
            "No waiver applied and none of the accounts holds a contract permitting distillation."],
        "facts": [
            {"level": "violation", "fired": True, "condition": "requests >= 100",
             "value": "812", "threshold": "100", "held": "true"},
            {"level": "violation", "fired": True, "condition": "distinct_accounts >= 3",
             "value": "7", "threshold": "3", "held": "true"},
            {"level": "review", "fired": False, "condition": "requests >= 40",
             "value": "812", "threshold": "40", "held": "true"}],
        "metrics": [
            {"name": "requests", "kind": "aggregate", "type": "number", "value": "812"},
            {"name": "distinct_accounts", "kind": "aggregate", "type": "number", "value": "7"},
            {"name": "share_flagged", "kind": "let", "type": "number", "value": "0.9375"}],
        "detectors": [
            {"name": "distill", "description": "Classifier of prompts that harvest outputs for "
             "training (systematic coverage, templated instructions)",
             "versions": ["distill-2.3.0", "distill-2.3.1"], "threshold": 0.9,
             "false_positive_rate": 0.002},
            {"name": "template_reuse", "description": "Near-duplicate prompt templates",
             "versions": ["tpl-1.0.4"], "threshold": None, "false_positive_rate": None}],
        "accounts": {
            "involved": members[:5], "members": members,
            "links": [
                {"identifier": "account.payment_fingerprint", "value": "ps-" + h("card")[:16],
                 "accounts": members[:4]},
                {"identifier": "event.device_id", "value": "ps-" + h("device")[:16],
                 "accounts": members[3:]}]},
        "timeline": days,
        "evidence": {"total": 48113, "shown": 5,
                     "method": "top 5 by signal(\"distill\") desc, ties by event_id",
                     "items": items},
        "waivers": [{"id": "W-2025-007", "rule": "distillation_cluster",
                     "scope": "account:" + members[6], "approver": "M. Rossi, Legal",
                     "basis": "Research agreement RA-17, evaluation traffic only",
                     "from": "2025-01-01T00:00:00Z", "until": "2025-02-28T23:59:59Z"}],
        "exemption": "account.contract has \"distillation_permitted\"",
        "methodology": [
            "tosguard read every line of the inputs listed in section 14 and kept a SHA-256 of "
            "each file; lines that could not be parsed were quarantined and counted.",
            "The rule distillation_cluster counts, for each cluster of accounts linked by a "
            "shared identifier, the requests of the last 30 days that the distill detector "
            "scored at or above 0.9, and fires when at least 100 such requests come from at "
            "least 3 accounts."],
        "limitations": [
            "Detector scores are probabilistic; the stated false-positive rate was measured on "
            "Acme's calibration set of 2024-11 and may differ on this traffic.",
            "Accounts are linked by identifiers they share; a shared payment card can belong "
            "to a reseller rather than to a single actor."],
        "reviews": [
            {"at": "2026-11-28T15:10:00Z", "decision": "needs_more_evidence", "by": "J. Doe",
             "reason": "Ask for the device identifier links."},
            {"at": "2026-12-01T10:00:00Z", "decision": "confirmed", "by": "J. Doe",
             "reason": "Links and acceptances verified against the source lines."}],
        "custody": [
            {"at": "2026-11-27T08:00:00Z", "action": "scan", "what": "run R-20261127-01",
             "by": "tosguard (ci)", "why": "scheduled scan"},
            {"at": "2026-12-01T09:00:00Z", "action": "export",
             "what": "report html F-3f9a01c27be45d18", "by": "A. Smith",
             "why": "handover to outside counsel"}],
        "reproduce": {"run": "R-20261127-01",
                      "command": "tosguard scan --config tosguard.yaml --rules rules/acme/*.tos "
                                 "--out findings.jsonl",
                      "by": "tosguard-audit@audit-01",
                      "config_sha256": h("tosguard.yaml"), "rules_sha256": h("rule pack"),
                      "rules": [{"file": "rules/acme/distillation_cluster.tos",
                                 "sha256": h("distillation_cluster.tos")},
                                {"file": "rules/acme/common.tos", "sha256": h("common.tos")}],
                      "inputs": [{"file": "data/events-2025-03.jsonl",
                                  "sha256": h("events-2025-03.jsonl"), "lines": 2048113},
                                 {"file": "data/acceptances.jsonl",
                                  "sha256": h("acceptances.jsonl"), "lines": 9120}]},
        "revealed": {members[0]: "acct-000017", members[1]: "acct-000018",
                     members[2]: "acct-000311"},
        "integrity": {
            "origin": "acme.example/tosguard-evidence",
            "checkpoint": {"tree_size": 41, "root": h("root 41"),
                           "time": "2026-12-01T08:59:58Z", "text": checkpoint_text,
                           "signature": base64.b64encode(hashlib.sha512(b"sig").digest()).decode(),
                           "key_id": h("key")[:16],
                           "public_key": base64.b64encode(bytes.fromhex(h("pub"))).decode()},
            "leaves": [
                {"kind": "finding", "index": 12,
                 "record": json.dumps({"kind": "finding", "id": "F-3f9a01c27be45d18",
                                       "revision": 2, "rule": "distillation_cluster"},
                                      separators=(",", ":")),
                 "leaf_hash": h("leaf 12"), "proof": [h("p%d" % k) for k in range(6)]},
                {"kind": "evidence", "index": 13,
                 "record": '{"kind":"evidence","finding":"F-3f9a01c27be45d18","n":1}',
                 "leaf_hash": h("leaf 13"), "proof": [h("q%d" % k) for k in range(6)]}]},
    }


PAYLOAD = ("<script>document.title='PWNED'</script><img src=x onerror=alert(1)>"
           "</style><script>document.title='PWNED2'</script>\"><svg onload=alert(1)>"
           "'><iframe src=\"http://{{CANARY}}/iframe\"></iframe>"
           "<link rel=stylesheet href=\"http://{{CANARY}}/css\">"
           "<style>@import url(http://{{CANARY}}/import);</style>"
           "<a href=\"javascript:alert(1)\">click</a> `code` [link](javascript:alert(1)) "
           "![img](http://{{CANARY}}/md.png) <http://{{CANARY}}/auto> www.example.com "
           "| table | \x1b[31mRED\x1b[0m \u202Eevil\u202C \u2066iso\u2069 \x85 "
           "&amp; &lt;b&gt; *em* _em_ ~~del~~ $x$ @someone #12 \r\n# heading\n- item\n"
           "1. item\n    indented\n```\nfence\n> quote\n<!-- comment -->\n===\n")


def hostile_strings(value, path):
    if isinstance(value, str):
        return path + ": " + PAYLOAD
    if isinstance(value, list):
        return [hostile_strings(v, "%s[%d]" % (path, i)) for i, v in enumerate(value)]
    if isinstance(value, dict):
        return {k: hostile_strings(v, path + "." + k if path else k) for k, v in value.items()}
    return value


def hostile():
    r = hostile_strings(full(), "")
    r["schema"] = "tosguard.report/1"
    r["options"] = {"pseudonymised": False, "include_text": True}
    for item in r["evidence"]["items"]:
        item["excerpt"] = "evidence.excerpt: " + PAYLOAD
    # Identifiers that are revealed: the real values are hostile too.
    r["revealed"] = {r["case"]["scope"]: "revealed.scope: " + PAYLOAD,
                     r["evidence"]["items"][0]["account"]: "revealed.account: " + PAYLOAD}
    # The peak and period refer to days of the timeline, as the builder guarantees.
    r["case"]["first"] = r["timeline"][29]["day"]
    r["case"]["last"] = r["timeline"][55]["day"]
    r["case"]["peak"] = r["timeline"][46]["day"]
    return r


def minimal():
    r = full()
    r["options"] = {"pseudonymised": True, "include_text": False}
    r["clause"] = None
    r["exemption"] = None
    r["revealed"] = {}
    for key in ["acceptances", "narrative", "facts", "metrics", "detectors", "timeline",
                "waivers", "methodology", "limitations", "reviews", "custody"]:
        r[key] = []
    r["case"]["tags"] = []
    r["accounts"] = {"involved": [], "members": [], "links": []}
    r["evidence"] = {"total": 0, "shown": 0, "method": "top 20 by ts", "items": []}
    r["reproduce"]["rules"] = []
    r["reproduce"]["inputs"] = []
    del r["reproduce"]["by"]  # a run of an older store names nobody
    r["integrity"]["leaves"] = []
    return r


for name, report in [("report_full.json", full()), ("report_hostile.json", hostile()),
                     ("report_minimal.json", minimal())]:
    with open(os.path.join(HERE, name), "w", encoding="utf-8") as f:
        json.dump(report, f, indent=2, ensure_ascii=False)
        f.write("\n")
