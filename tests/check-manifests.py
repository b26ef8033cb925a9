"""Validate the deployment manifests `witpipe deploy` writes against the targets' own
schemas (../shared/schemas: wadm's OAM JSON Schema, wasmCloud v2's WorkloadDeployment
CRD, SpinKube's SpinApp CRD), and check that a capability a target cannot provide is
refused, not dropped. CRDs are checked as `kubectl apply` with strict field validation
does: unknown fields are errors, and every `x-kubernetes-validations` CEL rule of the
CRD is evaluated with a CEL library (cel-python), on the value it is attached to, with
property names escaped as the API server escapes them (`namespace` is `__namespace__`).

Run from the repository root after `cargo build`: python3 tests/check-manifests.py
"""
import json
import pathlib
import subprocess
import sys

import celpy
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


def strict(schema):
    """The schema with unknown fields refused: every object that lists its properties
    and neither allows other ones nor preserves unknown fields gets
    `additionalProperties: false` (what the API server's strict validation does)."""
    if isinstance(schema, dict):
        out = {k: strict(v) for k, v in schema.items()}
        if ("properties" in out and "additionalProperties" not in out
                and not out.get("x-kubernetes-preserve-unknown-fields")):
            out["additionalProperties"] = False
        return out
    if isinstance(schema, list):
        return [strict(v) for v in schema]
    return schema


v2_crds = [d for d in yaml.safe_load_all((schemas / "wasmcloud-v2-workload-crds.yaml").read_text()) if d]
v2_crd = next(d for d in v2_crds if d["spec"]["names"]["kind"] == "WorkloadDeployment")
v2_version = next(v for v in v2_crd["spec"]["versions"] if v["name"] == "v1alpha1")
workload_deployment = strict(v2_version["schema"]["openAPIV3Schema"])
v2_cel = [r["rule"] for r in workload_deployment["properties"]["spec"]["properties"]["template"]
          ["properties"]["spec"]["properties"]["hostInterfaces"]["x-kubernetes-validations"]]
assert len(v2_cel) == 2, f"the CRD's hostInterfaces rules changed: {v2_cel}"

# CEL's reserved words, which the API server escapes in property names as `__word__`.
CEL_RESERVED = {"true", "false", "null", "in", "as", "break", "const", "continue", "else",
                "for", "function", "if", "import", "let", "loop", "package", "namespace",
                "return", "var", "void", "while"}


def cel_name(name):
    """A property name as Kubernetes CEL expressions see it."""
    if name in CEL_RESERVED:
        return f"__{name}__"
    for raw, escaped in (("__", "__underscores__"), (".", "__dot__"), ("-", "__dash__"), ("/", "__slash__")):
        name = name.replace(raw, escaped)
    return name


def cel_value(value):
    """A document value as CEL sees it: every property name escaped."""
    if isinstance(value, dict):
        return {cel_name(k): cel_value(v) for k, v in value.items()}
    if isinstance(value, list):
        return [cel_value(v) for v in value]
    return value


cel_env = celpy.Environment()
cel_programs = {}


def cel_errors(schema, value, path="spec"):
    """The messages of the CRD's CEL rules that `value` breaks, wherever in `schema`
    they are attached (objects' properties and arrays' items are walked)."""
    errors = []
    for validation in schema.get("x-kubernetes-validations", []):
        rule = validation["rule"]
        if rule not in cel_programs:
            cel_programs[rule] = cel_env.program(cel_env.compile(rule))
        result = cel_programs[rule].evaluate({"self": celpy.json_to_cel(cel_value(value))})
        # A rule holds only when it evaluates to true (an evaluation error breaks it).
        if not (isinstance(result, celpy.celtypes.BoolType) and bool(result)):
            errors.append(f"CEL at {path}: {validation.get('message', rule)}")
    if isinstance(value, dict):
        for key, sub in schema.get("properties", {}).items():
            if key in value:
                errors += cel_errors(sub, value[key], f"{path}.{key}")
    if isinstance(value, list) and isinstance(schema.get("items"), dict):
        for i, item in enumerate(value):
            errors += cel_errors(schema["items"], item, f"{path}[{i}]")
    return errors


def v2_errors(doc):
    """Everything wrong with a WorkloadDeployment: the strict schema, the object's
    metadata as the API server checks it, and the two CEL rules on hostInterfaces."""
    errors = [e.message for e in jsonschema.Draft7Validator(workload_deployment).iter_errors(doc)]
    if doc.get("apiVersion") != f"{v2_crd['spec']['group']}/v1alpha1" or doc.get("kind") != "WorkloadDeployment":
        errors.append(f"apiVersion/kind: {doc.get('apiVersion')} {doc.get('kind')}")
    meta = doc.get("metadata", {})
    import re
    if not re.fullmatch(r"[a-z0-9]([-a-z0-9.]*[a-z0-9])?", meta.get("name", "")) or len(meta.get("name", "")) > 253:
        errors.append(f"metadata.name {meta.get('name')!r} is not a DNS-1123 subdomain")
    for key in ("annotations", "labels"):
        if not all(isinstance(v, str) for v in meta.get(key, {}).values()):
            errors.append(f"metadata.{key} values must be strings")
    unknown = set(meta) - {"name", "namespace", "annotations", "labels"}
    if unknown:
        errors.append(f"metadata fields witpipe does not write: {unknown}")
    errors += cel_errors(workload_deployment["properties"]["spec"], doc.get("spec", {}))
    return errors


class V2Validator:
    def iter_errors(self, doc):
        return [type("E", (), {"message": m}) for m in v2_errors(doc)]


validators = {
    "wasmcloud": jsonschema.Draft7Validator(wadm),
    "wasmcloud-v2": V2Validator(),
    "spinkube": jsonschema.Draft7Validator(spinapp),
}

# The checks themselves can fail: an unknown field, a duplicate and a second unnamed
# host interface are each refused.
sample = {"apiVersion": "runtime.wasmcloud.dev/v1alpha1", "kind": "WorkloadDeployment",
          "metadata": {"name": "x"},
          "spec": {"template": {"spec": {"service": {"image": "r/x:1"}, "hostInterfaces": [
              {"namespace": "wasi", "package": "config", "interfaces": ["store"]}]}}}}
assert v2_errors(sample) == [], v2_errors(sample)
import copy
bad = copy.deepcopy(sample); bad["spec"]["template"]["spec"]["service"]["imagee"] = "typo"
assert any("imagee" in e for e in v2_errors(bad)), v2_errors(bad)
bad = copy.deepcopy(sample); bad["spec"]["template"]["spec"]["hostInterfaces"] *= 2
assert len(v2_errors(bad)) == 2, v2_errors(bad)
bad = copy.deepcopy(sample); bad["spec"]["template"]["spec"]["hostInterfaces"].append(
    {"namespace": "wasi", "package": "config", "interfaces": ["store"], "version": "0.2.0"})
assert [e for e in v2_errors(bad) if "at most one unnamed" in e], v2_errors(bad)
bad["spec"]["template"]["spec"]["hostInterfaces"][1]["name"] = "second"
assert v2_errors(bad) == [], v2_errors(bad)

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
    ("tests/lattice/pipeline.yaml", "wasmcloud-v2", ["--replicas", "2", "--spread", "zone=a"]),
    ("pipelines/counter/pipeline.yaml", "wasmcloud-v2", ["--http-host", "counter.example"]),
    ("tests/e2e/counter-host-config.yaml", "wasmcloud-v2", []),
    ("pipelines/counter/pipeline.yaml", "wasmcloud", ["--keyvalue-provider", "file:///kv.par.gz"]),
    ("pipelines/wordfreq/pipeline.yaml", "wasmcloud-v2", []),
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
    elif target == "wasmcloud-v2":
        spec = doc["spec"]["template"]["spec"]
        hosts = {(h["package"]): h for h in spec.get("hostInterfaces", [])}
        if "lattice" in pipeline:
            check(f"{name}: replicas", doc["spec"]["replicas"] == 2, str(doc["spec"]))
            check(f"{name}: host selector", spec.get("hostSelector") == {"zone": "a"}, str(spec))
            comp = spec["components"][0]
            check(f"{name}: allowedHosts from the http grant", comp["localResources"]["allowedHosts"] == ["http://127.0.0.1:18962"], str(comp))
            check(f"{name}: routed by Host", hosts["http"]["config"] == {"host": "witpipe-lattice"} and hosts["http"]["interfaces"] == ["incoming-handler"], str(hosts))
        elif "host-config" in pipeline:
            check(f"{name}: config values through the host's plugin", hosts["config"]["version"] == "0.2.0-rc.1" and hosts["config"]["interfaces"] == ["store"] and hosts["config"].get("config"), str(hosts))
        elif "counter" in pipeline:
            check(f"{name}: configuration inside the output, none from the host", "config" not in hosts, str(hosts))
            check(f"{name}: key-value through the host's plugin", hosts["keyvalue"]["version"] == "0.2.0-draft" and hosts["keyvalue"]["interfaces"] == ["atomics", "store"], str(hosts))
            check(f"{name}: --http-host", hosts["http"]["config"] == {"host": "counter.example"}, str(hosts))
        else:
            check(f"{name}: a command is a service", "service" in spec and "components" not in spec, str(spec))
    else:
        check(f"{name}: replicas", doc["spec"]["replicas"] == 3, str(doc["spec"]))

# A filesystem grant on wasmCloud v2: a hostPath volume, mounted read-only.

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
    # wasmCloud 0.27 serves wasi:config 0.2.0-draft, not the 0.2.0-rc.1 `render`
    # imports, when the host is to serve it (the counter serves it inside).
    ("tests/e2e/counter-host-config.yaml", "wasmcloud", "wasi:config/store@0.2.0-rc.1"),
    # Spin 3 serves wasi:keyvalue 0.2.0-draft2, not the counter's 0.2.0-draft.
    ("pipelines/counter/pipeline.yaml", "spinkube", "wasi:keyvalue/store@0.2.0-draft"),
    (str(scratch / "fs.yaml"), "wasmcloud", "wasi:filesystem/"),
    ("pipelines/wordfreq/pipeline.yaml", "spinkube", "no wasi:http/incoming-handler export"),
    # The v2 host serves WASI 0.2 (and wasi:http/handler@0.3.0): a 0.3 command pipe is refused.
    ("pipelines/cmdpipe/pipeline.yaml", "wasmcloud-v2", "wasi:cli/stdin@0.3"),
]:
    r = deploy(pipeline, target)
    check(f"{pipeline} -> {target} refused", r.returncode == 1 and want in r.stderr and r.stdout == "", r.stderr)

# (The lattice test's front and probe, the probe holding the directory.)
(scratch / "fs-http.yaml").write_text(f"""version: 1
name: fs-http
components:
  front: {root}/tests/guests/components/lattice-front.wasm
  probe:
    path: {root}/tests/guests/components/probe.wasm
    grants:
      fs: [{{ host: ./data, guest: /data, mode: ro }}]
pipe: [front, probe]
exports: front
""")
r = deploy(str(scratch / "fs-http.yaml"), "wasmcloud-v2")
if r.returncode != 0:
    check("fs grant -> wasmcloud-v2", False, r.stderr)
else:
    doc = yaml.safe_load(r.stdout)
    errors = v2_errors(doc)
    check("fs grant -> wasmcloud-v2 validates", not errors, str(errors))
    spec = doc["spec"]["template"]["spec"]
    mounts = spec["components"][0]["localResources"]["volumeMounts"]
    check("fs grant -> wasmcloud-v2: mounted read-only where granted so",
          mounts == [{"name": "dir-0", "mountPath": "/data", "readOnly": True}]
          and spec["volumes"] == [{"name": "dir-0", "hostPath": {"path": str(scratch / "data")}}],
          f"{mounts} {spec.get('volumes')}")
r = deploy("tests/lattice/pipeline.yaml", "wasmcloud-v2", "--spread", "zone=a", "--spread", "zone=b")
check("two spread groups -> wasmcloud-v2 refused", r.returncode == 1 and "one label" in r.stderr and r.stdout == "", r.stderr)

print(f"{passed} passed, {failed} failed")
sys.exit(1 if failed else 0)
