"""Validate the deployment manifests `witpipe deploy` writes against the targets' own
schemas (../shared/schemas: wadm's OAM JSON Schema and SpinKube's SpinApp CRD), and
check that a capability a target cannot provide is refused, not dropped.

Run from the repository root after `cargo build`: python3 tests/check-manifests.py
"""
import json
import pathlib
import subprocess
import sys

import jsonschema
import yaml

root = pathlib.Path(__file__).resolve().parent.parent
candidates = [root.parent / "shared" / "schemas", pathlib.Path("/work/shared/schemas"),
              root / "tests" / "deploy-schemas"]
schemas = next(p for p in candidates if (p / "wadm-oam.schema.json").is_file())
print(f"schemas from {schemas}")
witpipe = root / "target" / "debug" / "witpipe"

wadm = json.loads((schemas / "wadm-oam.schema.json").read_text())
crd = yaml.safe_load((schemas / "spinkube-spinapp-crd.yaml").read_text())
spinapp = next(v for v in crd["spec"]["versions"] if v["name"] == "v1alpha1")["schema"][
    "openAPIV3Schema"
]
validators = {
    "wasmcloud": jsonschema.Draft7Validator(wadm),
    "spinkube": jsonschema.Draft7Validator(spinapp),
}

passed = failed = 0


def deploy(pipeline, target, *extra):
    cmd = [str(witpipe), "deploy", str(root / pipeline), "--target", target,
           "--image", "127.0.0.1:5000/witpipe/test:0.1.0", *extra]
    return subprocess.run(cmd, capture_output=True, text=True)


def check(name, ok, detail=""):
    global passed, failed
    if ok:
        passed += 1
    else:
        failed += 1
        print(f"FAIL {name}: {detail}")


spread = ["--replicas", "2", "--spread", "zone=a@127.0.0.1:8081", "--spread", "zone=b@127.0.0.1:8082"]
for pipeline, target, extra in [
    ("tests/lattice/pipeline.yaml", "wasmcloud", spread),
    ("tests/lattice/pipeline.yaml", "wasmcloud", []),
    ("tests/lattice/pipeline.yaml", "spinkube", ["--replicas", "3"]),
    ("pipelines/wordfreq/pipeline.yaml", "wasmcloud", []),
    ("pipelines/shout/pipeline.yaml", "wasmcloud", []),
]:
    r = deploy(pipeline, target, *extra)
    name = f"{pipeline} -> {target} {' '.join(extra)}"
    if r.returncode != 0:
        check(name, False, r.stderr)
        continue
    doc = yaml.safe_load(r.stdout)
    errors = list(validators[target].iter_errors(doc))
    check(name, not errors, errors[0].message if errors else "")
    if target == "wasmcloud":
        comps = {c["name"]: c for c in doc["spec"]["components"]}
        main = next(c for c in doc["spec"]["components"] if c["type"] == "component")
        scaler = next(t for t in main["traits"] if t["type"] == "spreadscaler")
        want = 2 if "--replicas" in extra else 1
        check(f"{name}: replicas", scaler["properties"]["instances"] == want, str(scaler))
        if "lattice" in pipeline:
            servers = sorted(n for n in comps if n.startswith("httpserver"))
            addresses = sorted(
                t["properties"]["source"]["config"][0]["properties"]["address"]
                for n in servers for t in comps[n]["traits"] if t["type"] == "link")
            if extra:
                check(f"{name}: one HTTP server per spread group", servers == ["httpserver-zone-a", "httpserver-zone-b"], str(servers))
                check(f"{name}: each on its own address", addresses == ["127.0.0.1:8081", "127.0.0.1:8082"], str(addresses))
                groups = [g["requirements"] for g in scaler["properties"]["spread"]]
                check(f"{name}: instances spread over the groups", groups == [{"zone": "a"}, {"zone": "b"}], str(groups))
            else:
                check(f"{name}: one HTTP server on every host", servers == ["httpserver"] and addresses == ["0.0.0.0:8080"], str(servers))
                daemon = [t for t in comps["httpserver"]["traits"] if t["type"] == "daemonscaler"]
                check(f"{name}: the HTTP server is a daemon", len(daemon) == 1, str(comps["httpserver"]))
            check(f"{name}: outgoing HTTP linked to the built-in client", comps["httpclient"]["properties"]["image"] == "wasmcloud+builtin://http-client", str(comps.keys()))
            version = doc["metadata"]["annotations"]["version"]
            check(f"{name}: version from the output's digest", version.startswith("witpipe-") and len(version) == 20, version)
    else:
        check(f"{name}: replicas", doc["spec"]["replicas"] == 3, str(doc["spec"]))

# Refused, with the imports named: versions a target does not serve, a filesystem grant
# on wasmCloud, and a command (no HTTP export) on SpinKube.
import tempfile

scratch = pathlib.Path(tempfile.mkdtemp())
(scratch / "data").mkdir()
(scratch / "fs.yaml").write_text(f"""version: 1
components:
  probe:
    path: {root}/tests/guests/components/probe.wasm
    grants:
      fs: [{{ host: ./data, guest: /data }}]
""")
for pipeline, target, want in [
    # wasmCloud 0.27 serves wasi:config 0.2.0-draft, not the counter's 0.2.0-rc.1.
    ("pipelines/counter/pipeline.yaml", "wasmcloud", "wasi:config/store@0.2.0-rc.1"),
    # Spin 3 serves wasi:keyvalue 0.2.0-draft2, not the counter's 0.2.0-draft.
    ("pipelines/counter/pipeline.yaml", "spinkube", "wasi:keyvalue/store@0.2.0-draft"),
    (str(scratch / "fs.yaml"), "wasmcloud", "wasi:filesystem/"),
    ("pipelines/wordfreq/pipeline.yaml", "spinkube", "no wasi:http/incoming-handler export"),
]:
    r = deploy(pipeline, target)
    check(f"{pipeline} -> {target} refused", r.returncode == 1 and want in r.stderr and r.stdout == "", r.stderr)

print(f"{passed} passed, {failed} failed")
sys.exit(1 if failed else 0)
