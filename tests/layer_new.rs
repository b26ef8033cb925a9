//! `witpipe layer new`: the crates it writes build for `wasm32-wasip2` as written,
//! pass `check` on an edge, and forward every call unchanged (the same answers as
//! without the layer); and its mistakes are refused with what to do.

use std::path::{Path, PathBuf};
use std::process::Command;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

#[path = "support/witpipe.rs"]
mod support_witpipe;
use support_witpipe::{run, witpipe};

/// Writes layer `name` for `interfaces` (from `wit`, or witpipe's WASI WIT) into `dir`
/// and builds it as its folder says; the built component's path.
fn new_layer(dir: &Path, name: &str, interfaces: &[&str], wit: Option<&Path>) -> PathBuf {
    let folder = dir.join(name);
    let mut cmd = witpipe();
    cmd.args(["layer", "new", name, "--dir"]).arg(&folder);
    for interface in interfaces {
        cmd.args(["--interface", interface]);
    }
    if let Some(wit) = wit {
        cmd.arg("--wit").arg(wit);
    }
    let (code, out, err) = run(&mut cmd);
    assert_eq!(code, 0, "{out}{err}");
    assert!(
        out.contains("cargo build --release --target wasm32-wasip2"),
        "{out}"
    );
    // One target folder for every layer of the suite: wit-bindgen is built once.
    let target = Path::new(env!("CARGO_TARGET_TMPDIR")).join("layers");
    let status = Command::new(env!("CARGO"))
        .args(["build", "--release", "--target", "wasm32-wasip2"])
        .current_dir(&folder)
        .env("CARGO_TARGET_DIR", &target)
        .env_remove("RUSTFLAGS")
        .env_remove("CARGO_ENCODED_RUSTFLAGS")
        .status()
        .unwrap();
    assert!(
        status.success(),
        "the layer {name} does not build as written"
    );
    target.join(format!(
        "wasm32-wasip2/release/{}.wasm",
        name.replace('-', "_")
    ))
}

/// A layer for an interface of records, variants, enums, flags, lists, options,
/// results and tuples (tests/guests/values), read from the component that exports it:
/// between a caller and the component, every call gives what the component gives.
#[test]
fn a_generated_layer_forwards_every_kind_of_value() {
    let dir = tempfile::tempdir().unwrap();
    let values = root().join("tests/guests/components/values.wasm");
    let layer = new_layer(
        dir.path(),
        "values-pass",
        &["witpipe:probe/values"],
        Some(&values),
    );
    let pipeline = dir.path().join("pipeline.yaml");
    std::fs::write(
        &pipeline,
        format!(
            "version: 1\ncomponents:\n  values: {}\n  pass: {}\nlinks:\n  - from: values\n    to: pass\nexports: pass\n",
            values.display(),
            layer.display()
        ),
    )
    .unwrap();
    let direct = root().join("tests/e2e/values.yaml");
    let calls = [
        "classify(-5)",
        "classify(0)",
        "divide(7, 2)",
        "divide(1, 0)",
        "area(rect((2.0, 3.5)))",
        "area(circle(1.0))",
        "area(dot)",
        "first([])",
        "first([4, 5])",
        "granted({read, exec})",
        "granted({})",
        "mirror({x: 1, y: 2})",
    ];
    for call in calls {
        let call = format!("witpipe:probe/values@0.1.0#{call}");
        let through = run(witpipe().arg("call").arg(&pipeline).arg(&call));
        let without = run(witpipe().arg("call").arg(&direct).arg(&call));
        assert_eq!(through.0, 0, "{call}: {}", through.2);
        assert_eq!(through.1, without.1, "{call}");
    }
}

/// A layer for `wasi:keyvalue/store` and `atomics` (a resource, its methods, a variant
/// error, a record, and a borrow of the store's resource in the other interface), on
/// the store probe's `wasi:keyvalue/*` edge: the probe sees the bucket as without it.
#[test]
fn a_generated_layer_passes_resource_interfaces_on() {
    let dir = tempfile::tempdir().unwrap();
    let layer = new_layer(
        dir.path(),
        "kv-pass",
        &["wasi:keyvalue/store", "wasi:keyvalue/atomics"],
        None,
    );
    let probe = root().join("tests/guests/components/store-probe.wasm");
    let pipeline = |layered: bool| {
        let path = dir.path().join(format!("store-{layered}.yaml"));
        let mut text = format!(
            "version: 1\ncomponents:\n  probe:\n    path: {}\n    grants:\n      keyvalue: {{ bucket: counter }}\n      config: {{}}\n      inside: [config]\n",
            probe.display()
        );
        if layered {
            text.push_str(&format!(
                "  kv-pass: {}\nlayers:\n  - import: wasi:keyvalue/*\n    chain: [kv-pass]\n",
                layer.display()
            ));
        }
        std::fs::write(&path, text).unwrap();
        path
    };
    let (layered, bare) = (pipeline(true), pipeline(false));
    let (code, out, err) = run(witpipe().arg("check").arg(&layered));
    assert_eq!(code, 0, "{out}{err}");
    assert!(
        out.contains("import wasi:keyvalue/store@0.2.0-draft: probe → kv-pass(probe)"),
        "{out}"
    );
    for mode in [
        "incr counter hits",
        "get counter hits",
        "list counter",
        "get other hits",
    ] {
        let call = format!("run(\"{mode}\")");
        let through = run(witpipe().arg("call").arg(&layered).arg(&call));
        let without = run(witpipe().arg("call").arg(&bare).arg(&call));
        assert_eq!(through.0, 0, "{mode}: {}", through.2);
        assert_eq!(through.1, without.1, "{mode}");
    }
}

/// A WASI 0.3 layer (async functions, a request resource of another interface) builds
/// and takes its place on the gateway's client edge in place of `http-log`.
#[test]
fn a_generated_wasi_0_3_layer_builds_and_checks() {
    let dir = tempfile::tempdir().unwrap();
    let layer = new_layer(dir.path(), "client-pass", &["wasi:http/client@0.3.2"], None);
    let text = std::fs::read_to_string(root().join("pipelines/gateway/pipeline.yaml"))
        .unwrap()
        .replace(
            "components/proxy.wasm",
            &root()
                .join("pipelines/gateway/components/proxy.wasm")
                .display()
                .to_string(),
        )
        .replace("components/http-log.wasm", &layer.display().to_string());
    let pipeline = dir.path().join("gateway.yaml");
    std::fs::write(&pipeline, text).unwrap();
    let (code, out, err) = run(witpipe().arg("check").arg(&pipeline));
    assert_eq!(code, 0, "{out}{err}");
    assert!(
        out.contains("proxy → http-log(proxy) → the capability"),
        "{out}"
    );
}

/// What `layer new` refuses, each with what to do.
#[test]
fn layer_new_refuses_what_it_cannot_write() {
    let dir = tempfile::tempdir().unwrap();
    let new = |args: &[&str]| {
        let mut cmd = witpipe();
        cmd.args(["layer", "new"])
            .args(args)
            .current_dir(dir.path());
        run(&mut cmd)
    };
    let cases: [(&[&str], &str); 5] = [
        (
            &["Bad_Name", "--interface", "wasi:cli/environment@0.2.12"],
            "`Bad_Name` cannot name a layer: expected lowercase words joined by `-`",
        ),
        (
            &["env", "--interface", "wasi:cli/environment"],
            "at several versions: 0.2.12, 0.3.2\n  help: name one: `--interface wasi:cli/environment@0.2.12`",
        ),
        (
            &["env", "--interface", "wasi:cli/enviroment"],
            "no interface `wasi:cli/enviroment` in witpipe's WASI WIT",
        ),
        (
            &["fs", "--interface", "wasi:filesystem/types@0.3.2"],
            "cannot forward `[method]descriptor.read-via-stream`: it takes or gives a stream or future of the interface's own types",
        ),
        (
            &["env", "--interface", "x:y/z", "--wit", "missing.wit"],
            "cannot read WIT from missing.wit",
        ),
    ];
    for (args, message) in cases {
        let (code, out, err) = new(args);
        assert_eq!(code, 1, "{args:?}: {out}");
        assert!(err.contains(message), "{args:?}: {err}");
    }
    assert!(
        std::fs::read_dir(dir.path()).unwrap().next().is_none(),
        "a refused layer left files"
    );
    // The folder is never overwritten.
    std::fs::create_dir(dir.path().join("env")).unwrap();
    let (code, _, err) = new(&["env", "--interface", "wasi:cli/environment@0.2.12"]);
    assert_eq!(code, 1);
    assert!(err.contains("env already exists"), "{err}");
}
