//! Developer tasks.
//!
//! `cargo run -p xtask -- build-guests [--check]` builds every guest component of the
//! example pipelines from source (`pipelines/<example>/<stage>/`) into
//! `pipelines/<example>/components/<stage>.wasm`. Library stages build for
//! `wasm32-unknown-unknown` and become components with wit-component (no WASI
//! imports); command stages (`src/main.rs`) build for `wasm32-wasip2`. Paths are
//! remapped so the bytes do not depend on where the checkout lives. `--check`
//! rebuilds and fails if a committed `.wasm` differs. Naming guest workspaces
//! (`build-guests policy/wrappers`) builds only those.

use anyhow::{bail, Context, Result};
use std::path::{Path, PathBuf};
use std::process::Command;

/// Guest workspaces: the example pipelines' stages and the capability wrappers.
const GUEST_WORKSPACES: &[&str] = &[
    "pipelines",
    "policy/wrappers",
    "compose/plumbing",
    "tests/guests",
    "benches/throughput",
];

struct Guest {
    /// `wordfreq/tokenize`
    member: String,
    name: String,
    command: bool,
}

fn main() -> Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match args.first().map(String::as_str) {
        Some("build-guests") => {
            let only: Vec<&str> = args[1..]
                .iter()
                .map(String::as_str)
                .filter(|a| !a.starts_with("--"))
                .collect();
            if let Some(unknown) = only.iter().find(|w| !GUEST_WORKSPACES.contains(w)) {
                bail!("`{unknown}` is not a guest workspace; they are: {GUEST_WORKSPACES:?}");
            }
            build_guests(args.iter().any(|a| a == "--check"), &only)
        }
        _ => bail!("usage: cargo run -p xtask -- build-guests [--check] [WORKSPACE...]"),
    }
}

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .unwrap()
        .to_path_buf()
}

/// The parts of a guest workspace's `Cargo.toml` read here.
#[derive(serde::Deserialize)]
struct WorkspaceManifest {
    workspace: WorkspaceTable,
}

#[derive(serde::Deserialize)]
struct WorkspaceTable {
    members: Vec<String>,
}

/// The parts of a guest's own `Cargo.toml` read here:
/// `[package.metadata.witpipe] target = "wasm32-wasip2"`.
#[derive(serde::Deserialize)]
struct MemberManifest {
    package: Package,
}

#[derive(serde::Deserialize)]
struct Package {
    #[serde(default)]
    metadata: Metadata,
}

#[derive(serde::Deserialize, Default)]
struct Metadata {
    #[serde(default)]
    witpipe: Witpipe,
}

#[derive(serde::Deserialize, Default)]
struct Witpipe {
    target: Option<String>,
}

/// A TOML file, read and parsed, errors naming it.
fn read_toml<T: serde::de::DeserializeOwned>(path: &Path) -> Result<T> {
    let text =
        std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))?;
    toml::from_str(&text).with_context(|| format!("parsing {}", path.display()))
}

fn guests(workspace: &Path) -> Result<Vec<Guest>> {
    let manifest: WorkspaceManifest = read_toml(&workspace.join("Cargo.toml"))?;
    let mut out = Vec::new();
    for member in manifest.workspace.members {
        let name = member.rsplit('/').next().unwrap_or(&member).to_string();
        // Commands, and crates whose manifest asks for it, build for wasm32-wasip2
        // (Rust std's WASI); the rest for wasm32-unknown-unknown (no WASI imports).
        let own: MemberManifest = read_toml(&workspace.join(&member).join("Cargo.toml"))?;
        let command = workspace.join(&member).join("src/main.rs").exists()
            || own.package.metadata.witpipe.target.as_deref() == Some("wasm32-wasip2");
        out.push(Guest {
            member,
            name,
            command,
        });
    }
    Ok(out)
}

fn cargo_build(workspace: &Path, target: &str, packages: &[&Guest]) -> Result<()> {
    if packages.is_empty() {
        return Ok(());
    }
    let root = root();
    let cargo_home = std::env::var("CARGO_HOME")
        .map(PathBuf::from)
        .unwrap_or_else(|_| {
            PathBuf::from(std::env::var("HOME").unwrap_or_default()).join(".cargo")
        });
    let mut rustflags = format!(
        "--remap-path-prefix={}=/witpipe --remap-path-prefix={}=/cargo",
        root.display(),
        cargo_home.display()
    );
    // The examples use wasm SIMD (memchr's search in `grep` and `wc`, 1.5× the bytes/s
    // of the command pipe in BENCHMARKS.md); every engine witpipe targets runs it. The
    // wrappers and test guests keep the baseline feature set.
    if workspace.ends_with("pipelines") {
        rustflags.push_str(" -C target-feature=+simd128");
    }
    let mut cmd = Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".into()));
    cmd.current_dir(workspace)
        .args(["build", "--release", "--locked", "--target", target])
        .env("RUSTFLAGS", rustflags)
        .env_remove("CARGO_ENCODED_RUSTFLAGS");
    for p in packages {
        cmd.args(["-p", &p.name]);
    }
    let status = cmd.status().context("running cargo")?;
    if !status.success() {
        bail!("building guests for {target} failed (is the target installed? `rustup target add {target}`)");
    }
    Ok(())
}

fn build_guests(check: bool, only: &[&str]) -> Result<()> {
    let mut stale = Vec::new();
    let mut count = 0;
    let chosen = GUEST_WORKSPACES
        .iter()
        .filter(|w| only.is_empty() || only.contains(w));
    for ws in chosen {
        count += build_workspace(&root().join(ws), check, &mut stale)?;
    }
    if !stale.is_empty() {
        bail!(
            "committed guest components differ from a fresh build of their sources:\n  {}\nrun `cargo run -p xtask -- build-guests` and commit the result",
            stale.join("\n  ")
        );
    }
    if check {
        println!("guest components match their sources ({count} checked)");
    }
    Ok(())
}

/// Builds one guest workspace into `<member's folder>/components/<name>.wasm`;
/// returns how many components it has.
fn build_workspace(workspace: &Path, check: bool, stale: &mut Vec<String>) -> Result<usize> {
    let guests = guests(workspace)?;
    let libs: Vec<&Guest> = guests.iter().filter(|g| !g.command).collect();
    let cmds: Vec<&Guest> = guests.iter().filter(|g| g.command).collect();
    cargo_build(workspace, "wasm32-unknown-unknown", &libs)?;
    cargo_build(workspace, "wasm32-wasip2", &cmds)?;
    for g in &guests {
        // Binaries keep their name; libraries' artifacts use underscores.
        let artifact = if workspace.join(&g.member).join("src/main.rs").exists() {
            g.name.clone()
        } else {
            g.name.replace('-', "_")
        };
        let bytes = if g.command {
            std::fs::read(workspace.join(format!("target/wasm32-wasip2/release/{artifact}.wasm")))?
        } else {
            let module = std::fs::read(workspace.join(format!(
                "target/wasm32-unknown-unknown/release/{artifact}.wasm"
            )))?;
            wit_component::ComponentEncoder::default()
                .module(&module)?
                .validate(true)
                .encode()
                .with_context(|| format!("making a component of {}", g.name))?
        };
        let folder = g.member.rsplit_once('/').map(|(e, _)| e).unwrap_or(".");
        let out = if folder == "." {
            workspace.to_path_buf()
        } else {
            workspace.join(folder)
        }
        .join("components")
        .join(format!("{}.wasm", g.name));
        let same = std::fs::read(&out).map(|old| old == bytes).unwrap_or(false);
        if check {
            if !same {
                stale.push(out.display().to_string());
            }
        } else if !same {
            std::fs::create_dir_all(out.parent().unwrap())?;
            std::fs::write(&out, &bytes)?;
            println!("wrote {} ({} bytes)", out.display(), bytes.len());
        }
    }
    Ok(guests.len())
}
