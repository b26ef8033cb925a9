"""Validate pipeline files against schema/pipeline.schema.json.

Every example pipeline and every passing golden case must be accepted by the schema,
and the golden cases whose errors are about the file's shape must be rejected, so the
schema editors use cannot drift from what witpipe reads.
"""
import json
import pathlib
import sys

import jsonschema
import yaml

root = pathlib.Path(__file__).resolve().parent.parent
schema = json.loads((root / "schema/pipeline.schema.json").read_text())
jsonschema.Draft7Validator.check_schema(schema)
validator = jsonschema.Draft7Validator(schema)

accept = sorted(root.glob("pipelines/*/pipeline.yaml")) + sorted(
    p for p in root.glob("tests/golden/ok-*/pipeline.yaml")
)
# Shape errors the schema itself can see.
reject = [
    root / f"tests/golden/{case}/pipeline.yaml"
    for case in [
        "err-unknown-top-key",
        "err-unknown-link-key",
        "err-wrong-type-version",
        "err-wrong-type-pipe",
        "err-missing-version",
        "err-unsupported-version",
        "err-bad-instance-name",
        "err-short-pipe",
        "err-grants-bad-value",
        "err-grants-unknown-key",
        "err-grants-http-pattern",
    ]
]

passed = failed = 0
for path in accept:
    errors = list(validator.iter_errors(yaml.safe_load(path.read_text())))
    if errors:
        failed += 1
        print(f"FAIL {path.relative_to(root)} should be valid: {errors[0].message}")
    else:
        passed += 1
for path in reject:
    if validator.is_valid(yaml.safe_load(path.read_text())):
        failed += 1
        print(f"FAIL {path.relative_to(root)} should be rejected by the schema")
    else:
        passed += 1

# `check --json` output: every golden transcript of it must match its schema.
output_schema = json.loads((root / "schema/check-output.schema.json").read_text())
jsonschema.Draft7Validator.check_schema(output_schema)
output_validator = jsonschema.Draft7Validator(output_schema)
transcripts = 0
for cmd in sorted(root.glob("tests/golden/*/cmd")):
    if "check --json" not in cmd.read_text():
        continue
    case = cmd.parent
    text = next(
        (case / name).read_text()
        for name in ["expected.txt", "error.txt"]
        if (case / name).exists()
    )
    lines = text.splitlines()
    # `$ witpipe check --json …`, the document, `[exit N]`.
    document = json.loads("\n".join(lines[1:-1]))
    transcripts += 1
    errors = list(output_validator.iter_errors(document))
    if errors:
        failed += 1
        print(f"FAIL {case.relative_to(root)}: check --json output: {errors[0].message}")
    else:
        passed += 1
if transcripts < 2:
    failed += 1
    print("FAIL no `check --json` golden transcripts found to validate")
# The policy section outputs carry (`inspect --policy --json`): every example's must
# match its schema. Needs the witpipe binary the tests built.
import subprocess
import tempfile

section_schema = json.loads((root / "schema/policy-section.schema.json").read_text())
jsonschema.Draft7Validator.check_schema(section_schema)
section_validator = jsonschema.Draft7Validator(section_schema)
witpipe = root / "target/debug/witpipe"
if not witpipe.exists():
    failed += 1
    print("FAIL target/debug/witpipe is not built: run `cargo build` first")
else:
    with tempfile.TemporaryDirectory() as work:
        for pipeline in sorted(root.glob("pipelines/*/pipeline.yaml")):
            out = pathlib.Path(work) / "out.wasm"
            subprocess.run([str(witpipe), "compose", str(pipeline), "-o", str(out)],
                           check=True, capture_output=True)
            shown = subprocess.run([str(witpipe), "inspect", "--policy", "--json", str(out)],
                                   check=True, capture_output=True, text=True).stdout
            errors = list(section_validator.iter_errors(json.loads(shown)))
            if errors:
                failed += 1
                print(f"FAIL {pipeline.relative_to(root)}: policy section: {errors[0].message}")
            else:
                passed += 1
print(f"{passed} passed, {failed} failed")
sys.exit(1 if failed else 0)
