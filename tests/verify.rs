//! The policy an output carries (`witpipe-policy` section), `inspect --policy` and
//! `verify`: an untouched output verifies, with its pipeline too; an import the
//! section does not name, a section edited, two sections, none, or a changed input
//! is caught, each with what failed.

use std::path::{Path, PathBuf};
use witpipe_compose::policy_section::{PolicySection, SECTION};

#[path = "support/witpipe.rs"]
mod support_witpipe;
use support_witpipe::{run, witpipe};

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// Composes the example `pipeline` into `dir`; the output's path.
fn compose(pipeline: &Path, dir: &Path) -> PathBuf {
    let out = dir.join("out.wasm");
    let (code, o, e) = run(witpipe().arg("compose").arg(pipeline).arg("-o").arg(&out));
    assert_eq!(code, 0, "{o}{e}");
    out
}

/// `bytes` without the policy section witpipe appends last.
fn without_section(bytes: &[u8], section: &PolicySection) -> Vec<u8> {
    let encoded = section.append_to(&[]);
    assert!(
        bytes.ends_with(&encoded),
        "the section is not the last thing"
    );
    bytes[..bytes.len() - encoded.len()].to_vec()
}

#[test]
fn an_output_carries_its_policy_and_verifies() {
    let dir = tempfile::tempdir().unwrap();
    let pipeline = root().join("pipelines/counter-guarded/pipeline.yaml");
    let out = compose(&pipeline, dir.path());
    let bytes = std::fs::read(&out).unwrap();
    let section = PolicySection::read(&bytes).unwrap();
    assert_eq!(section.format, 1);
    let names: Vec<&str> = section
        .components
        .iter()
        .map(|c| c.instance.as_str())
        .collect();
    assert_eq!(
        names,
        ["service", "render", "auth", "limit", "prefix(service)"]
    );
    let auth = &section.components[2];
    let digest = witpipe_compose::cache::sha256_hex(
        &std::fs::read(root().join("pipelines/counter/components/auth.wasm")).unwrap(),
    );
    assert_eq!(auth.sha256.as_deref(), Some(digest.as_str()));
    assert!(auth
        .wrapped
        .contains(&("wasi:config/store@0.2.0-rc.1".into(), "config-store".into())));
    assert_eq!(section.layers.len(), 3, "{:?}", section.layers);
    // The JSON of `inspect --policy` is the section.
    let (code, json, err) = run(witpipe().args(["inspect", "--policy", "--json"]).arg(&out));
    assert_eq!(code, 0, "{err}");
    let shown: PolicySection = serde_json::from_str(&json).unwrap();
    assert_eq!(shown, section);
    let (code, text, _) = run(witpipe().args(["inspect", "--policy"]).arg(&out));
    assert_eq!(code, 0);
    assert!(
        text.contains("auth: sha256 ") && text.contains("layers (3):"),
        "{text}"
    );
    // Verified alone, and against its pipeline (the build is reproducible).
    let (code, said, err) = run(witpipe().arg("verify").arg(&out));
    assert_eq!(code, 0, "{err}");
    assert!(
        said.contains("its imports and exports agree with it"),
        "{said}"
    );
    let (code, said, err) = run(witpipe().arg("verify").arg(&out).arg(&pipeline));
    assert_eq!(code, 0, "{err}");
    assert!(
        said.contains("again gives the same bytes (sha256 "),
        "{said}"
    );
}

#[test]
fn verify_catches_each_kind_of_tampering() {
    let dir = tempfile::tempdir().unwrap();
    let pipeline = root().join("pipelines/counter/pipeline.yaml");
    let out = compose(&pipeline, dir.path());
    let bytes = std::fs::read(&out).unwrap();
    let section = PolicySection::read(&bytes).unwrap();
    let bare = without_section(&bytes, &section);
    assert!(PolicySection::read(&bare).is_err());
    let verify = |bytes: &[u8], pipeline: Option<&Path>| {
        let file = dir.path().join("tampered.wasm");
        std::fs::write(&file, bytes).unwrap();
        let mut cmd = witpipe();
        cmd.arg("verify").arg(&file);
        if let Some(p) = pipeline {
            cmd.arg(p);
        }
        let (code, _, err) = run(&mut cmd);
        assert_eq!(code, 1, "verified: {err}");
        err
    };
    // A section that leaves out an import the output has (as if the import were added
    // after composing, or the section edited to look narrower).
    let mut narrower = section.clone();
    let dropped = narrower.contract.imports.remove(0).name;
    let err = verify(&narrower.append_to(&bare), None);
    assert!(
        err.contains(&format!(
            "the output imports `{dropped}`, which its policy section does not name"
        )),
        "{err}"
    );
    // A section that claims an export the output lacks.
    let mut wider = section.clone();
    wider.contract.exports.push("my:fake/export@1.0.0".into());
    let err = verify(&wider.append_to(&bare), None);
    assert!(
        err.contains("names exports `my:fake/export@1.0.0`, which the output does not have"),
        "{err}"
    );
    // A section edited where imports cannot show it (a wrapper taken out): only the
    // pipeline tells, by composing again.
    let mut edited = section.clone();
    edited.components[0].wrapped.clear();
    let err = verify(&edited.append_to(&bare), Some(&pipeline));
    assert!(
        err.contains("its policy section differs from the one the pipeline gives"),
        "{err}"
    );
    // Two sections, and none.
    let err = verify(&section.append_to(&bytes), None);
    assert!(err.contains("carries 2 `witpipe-policy` sections"), "{err}");
    let err = verify(&bare, None);
    assert!(err.contains("carries no `witpipe-policy` section"), "{err}");
    // The rest of the output changed, the section kept: composing again tells.
    let mut flipped = bare.clone();
    let at = flipped.len() / 2;
    // A byte inside a data segment or name keeps the component valid often enough;
    // the comparison does not depend on validity.
    flipped[at] ^= 0x01;
    let err = verify(&section.append_to(&flipped), Some(&pipeline));
    assert!(
        err.contains("composing") && err.contains("again gives other bytes"),
        "{err}"
    );
    // A section of a future format is refused by name.
    let mut value = serde_json::to_value(&section).unwrap();
    value["format"] = serde_json::json!(2);
    let mut custom = Vec::new();
    let json = serde_json::to_vec(&value).unwrap();
    let body_len = 1 + SECTION.len() + json.len();
    custom.push(0u8);
    let mut n = body_len;
    loop {
        let byte = (n & 0x7f) as u8;
        n >>= 7;
        custom.push(if n == 0 { byte } else { byte | 0x80 });
        if n == 0 {
            break;
        }
    }
    custom.push(SECTION.len() as u8);
    custom.extend_from_slice(SECTION.as_bytes());
    custom.extend_from_slice(&json);
    let future = [bare.as_slice(), custom.as_slice()].concat();
    let err = verify(&future, None);
    assert!(
        err.contains("is format 2; this witpipe reads format 1"),
        "{err}"
    );
}
