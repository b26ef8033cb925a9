"""Check a Spin application `witpipe push --spin` wrote, as pulled back from the registry,
against the format `spin registry push` writes and Spin (and SpinKube's shim) read:
spin `crates/oci/src/client.rs` (layers, config, label) and `crates/locked-app/src/
locked.rs` (the locked application). Every field is checked; nothing is taken on trust.

python3 tests/check-spin-artifact.py REGISTRY REPOSITORY TAG COMPOSED.wasm STATIC-DIR
"""
import base64
import hashlib
import json
import pathlib
import sys
import urllib.request

registry, repository, tag, composed, static = sys.argv[1:6]
base = f"http://{registry}/v2/{repository}"
passed = failed = 0


def check(name, ok, detail=""):
    global passed, failed
    if ok:
        passed += 1
        print(f"ok: {name}")
    else:
        failed += 1
        print(f"FAIL {name}: {detail}")


content_types = {}


def get(url, accept=None):
    request = urllib.request.Request(url, headers={"Accept": accept} if accept else {})
    with urllib.request.urlopen(request) as r:
        content_types[url] = r.headers.get("Content-Type")
        return r.read()


def sha(data):
    return "sha256:" + hashlib.sha256(data).hexdigest()


def blob(digest):
    data = get(f"{base}/blobs/{digest}")
    if sha(data) != digest:
        raise SystemExit(f"blob {digest} does not match its digest")
    return data


manifest = json.loads(get(f"{base}/manifests/{tag}", "application/vnd.oci.image.manifest.v1+json"))
# The body carries no `mediaType` (neither does Spin's: both build it with oci-client);
# the registry serves it as an OCI image manifest.
check("an OCI image manifest", manifest.get("schemaVersion") == 2
      and content_types[f"{base}/manifests/{tag}"] == "application/vnd.oci.image.manifest.v1+json"
      and manifest.get("mediaType") in (None, "application/vnd.oci.image.manifest.v1+json"), manifest)
check("its config is an OCI image config", manifest["config"]["mediaType"] == "application/vnd.oci.image.config.v1+json", manifest["config"])
config = json.loads(blob(manifest["config"]["digest"]))
check("config: architecture wasm, os Wasip1", (config.get("architecture"), config.get("os")) == ("wasm", "Wasip1"), config)

layers = manifest["layers"]
types = [l["mediaType"] for l in layers]
check("first layer: the component (application/vnd.wasm.content.layer.v1+wasm)", types[0] == "application/vnd.wasm.content.layer.v1+wasm", types)
check("last layer: the locked application", types[-1] == "application/vnd.fermyon.spin.application.v1+config", types)
check("the others: static files (…+data)", all(t == "application/vnd.wasm.content.layer.v1+data" for t in types[1:-1]), types)
wasm = blob(layers[0]["digest"])
check("the component layer is the composed output, byte for byte", wasm == pathlib.Path(composed).read_bytes(),
      f"{len(wasm)} vs {pathlib.Path(composed).stat().st_size} bytes")
locked_bytes = blob(layers[-1]["digest"])
label = config.get("config", {}).get("Labels", {}).get("com.fermyon.spin.lockedAppDigest")
check("the lockedAppDigest label names the locked application's layer", label == layers[-1]["digest"], label)
for l in layers:
    if l["size"] != len(blob(l["digest"])):
        check(f"layer {l['digest']} size", False, l)

locked = json.loads(locked_bytes)
check("spin_lock_version 0", locked.get("spin_lock_version") == 0, locked.get("spin_lock_version"))
check("locked app: only the fields Spin knows", set(locked) <= {"spin_lock_version", "must_understand", "metadata", "host_requirements", "variables", "triggers", "components"}, set(locked))
meta = locked.get("metadata", {})
check("metadata: name, version, the http trigger type", meta.get("name") == "spin-test" and meta.get("version", "").startswith("witpipe-")
      and meta.get("trigger") == {"type": "http"} and meta.get("triggers") == {"http": {}}, meta)
(component,) = locked["components"]
(trigger,) = locked["triggers"]
check("one http trigger for the component, route /...", trigger == {
    "id": "trigger-spin-test", "trigger_type": "http",
    "trigger_config": {"component": component["id"], "route": "/..."}}, trigger)
check("component: only the fields Spin knows", set(component) <= {"id", "metadata", "source", "env", "files", "config", "dependencies", "trigger_dependencies", "host_requirements"}, set(component))
check("component source: application/wasm, the component layer's digest",
      component["source"] == {"content_type": "application/wasm", "digest": layers[0]["digest"]}, component["source"])
check("allowed_outbound_hosts: the http grants", component.get("metadata") == {"allowed_outbound_hosts": ["http://127.0.0.1:18962"]}, component.get("metadata"))

# Static files: every file under the granted directory, at its guest path; small ones
# inlined (base64), larger ones a data layer of their own.
want = {}
for f in sorted(pathlib.Path(static).rglob("*")):
    if f.is_file():
        want["static/" + f.relative_to(static).as_posix()] = f.read_bytes()
files = {e["path"]: e for e in component.get("files", [])}
check("files: every file of the granted directory, at its guest path", sorted(files) == sorted(want), sorted(files))
data_digests = {l["digest"] for l in layers[1:-1]}
for path, data in want.items():
    e = files.get(path, {})
    ok = e.get("digest") == sha(data)
    if len(data) <= 128:
        ok = ok and base64.b64decode(e.get("inline", "")) == data and sha(data) not in data_digests
        check(f"{path} ({len(data)} bytes) is inlined", ok, e)
    else:
        ok = ok and "inline" not in e and sha(data) in data_digests
        check(f"{path} ({len(data)} bytes) is a data layer", ok, e)
check("no other data layers", len(data_digests) == sum(len(d) > 128 for d in want.values()), data_digests)
check("annotations: title, version", manifest.get("annotations", {}).get("org.opencontainers.image.title") == "spin-test", manifest.get("annotations"))

print(f"{passed} passed, {failed} failed")
sys.exit(1 if failed else 0)
