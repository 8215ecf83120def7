#!/usr/bin/env python3
"""Writes the fuzz targets' seed corpus (fuzz/seeds/TARGET/) from the golden vectors and the
examples. The seeds are committed; run this again when the vectors change. The corpus the fuzzers
grow (fuzz/corpus/) is not committed."""
import json, os, hashlib, pathlib

root = pathlib.Path(__file__).resolve().parent.parent
seeds = root / "fuzz" / "seeds"
OPS = ["metrics", "leaderboard", "allocateQuota", "rollupQuota", "breakDownQuota", "paceQuota",
       "designPlan", "balanceTerritories", "transactionsFromCsv"]

def merge(target, patch):
    if not isinstance(patch, dict):
        return patch
    if not isinstance(target, dict):
        target = {}
    for k, v in patch.items():
        if v is None:
            target.pop(k, None)
        else:
            target[k] = merge(target.get(k), v)
    return target

def put(target, data):
    if isinstance(data, str):
        data = data.encode()
    d = seeds / target
    d.mkdir(parents=True, exist_ok=True)
    (d / hashlib.sha1(data).hexdigest()[:16]).write_bytes(data)

vectors = root / "tests" / "vectors"
sample_inputs = []
for p in sorted(vectors.glob("*.json")):
    v = json.loads(p.read_text())
    if "op" in v:
        put("ops", bytes([OPS.index(v["op"])]) + json.dumps(v["request"]).encode())
        if v["op"] == "transactionsFromCsv":
            put("csv_import", v["request"].get("map", "") + "\n" + v["request"]["csv"])
        continue
    plan = json.loads((vectors / "bases" / f'{v["base"]}.json').read_text()) if "base" in v else {}
    plan = merge(plan, v.get("plan", {}))
    put("plan_evaluate", json.dumps(plan, indent=1))
    inputs = v.get("inputs", {})
    put("inputs", json.dumps(inputs))
    sample_inputs.append(inputs)
for p in sorted((root / "examples" / "plans").glob("*.json")):
    put("plan_evaluate", p.read_text())
# a few mutation scripts for the sample plan
for i, b in enumerate([b"\x00\x02\x05", b"\x10\x01\x20\x30\x0a\x01", b"\x07\x11\x03\x44\x21\x09\x02\x00\x01",
                       b"\xff\x09\x10", b"\x22\x02\x40\x23\x02\x41"]):
    put("plan_mutate", b)
# CSV: the example export's first rows, with and without a map
csv = (root / "examples" / "data" / "deals-2025.csv").read_text().splitlines(keepends=True)
put("csv_import", "\n" + "".join(csv[:12]))
put("csv_import", "id=id,owner=owner\n" + "".join(csv[:5]))
# sessions of the sample plan
txn = '{"id": "S-1", "owner": "ae-ana", "amount": "75000", "closeDate": "2025-02-03", "product": "Platform", "type": "new"}'
ana = json.dumps({"transactions": [
    {"id": "D-1", "owner": "ae-ana", "amount": "150000", "closeDate": "2025-01-20", "product": "Platform", "type": "new"},
    {"id": "D-2", "owner": "ae-ben", "amount": "100000", "closeDate": "2025-02-20",
     "splits": [{"payee": "ae-ben", "percent": "50"}, {"payee": "ae-ana", "percent": "50"}]}]})
for k in [1, 2, 6, 10, 0]:
    put("session", bytes([k]) + ana.encode() + b"\0" + txn.encode() + b"\0" + txn.replace("S-1", "S-2").encode() + b"\0D-1")

# the compact form of a JavaScript TransactionTable (TransactionColumns::from_wire), which the
# inputs target also reads with references of absent strings
# (the ids and the amounts end to end, with the lengths the target's references give them)
put("inputs", json.dumps({"strings": ["ae-ana", "2025-01-20", "Platform", "new", "ae-ben"], "ids": "W1W2",
                          "amounts": "150000-20.5", "splits": [[1, 0, "60"], [1, 4, "40"]], "whole": []}))
put("inputs", json.dumps({"strings": ["ae-ana", "2025-01-20", "EUR"], "ids": "W1W1", "amounts": "13",
                          "whole": [[1, {"id": "W2", "amount": "2", "quantity": "3", "owner": "ae-chen", "closeDate": "2025-02-01"}]]}))
