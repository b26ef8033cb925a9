//! One node of a wasmCloud lattice on loopback, for witpipe's deployment test.
//!
//! `lattice-node host NATS_URL LATTICE NAME INSECURE_REGISTRY` runs a wasmCloud host (the real
//! engine, from the `wasmcloud-host` library) with the built-in HTTP server and client enabled and plain-HTTP
//! pulls allowed from the given registry; `lattice-node wadm NATS_URL` runs wadm, the deployment
//! manager. Each runs until SIGINT/SIGTERM. `lattice-node par BINARY OUT.par.gz` packs a
//! capability provider (here `keyvalue-nats`) into a provider archive hosts can start.

use std::collections::HashMap;

use anyhow::{bail, Context as _};
use tokio::signal::unix::{signal, SignalKind};
use wasmcloud_host::wasmbus::Features;
use wasmcloud_host::{url::Url, OciConfig, WasmbusHost, WasmbusHostConfig};

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| "info,cranelift_codegen=warn,wasmtime=warn".into()),
        )
        .with_writer(std::io::stderr)
        .init();
    let args: Vec<String> = std::env::args().skip(1).collect();
    match args.iter().map(String::as_str).collect::<Vec<_>>().as_slice() {
        ["host", nats, lattice, name, registry] => host(nats, lattice, name, registry).await,
        ["wadm", nats] => wadm(nats).await,
        ["par", binary, out] => par(binary, out).await,
        _ => bail!(
            "usage: lattice-node host NATS_URL LATTICE NAME INSECURE_REGISTRY | lattice-node wadm NATS_URL | lattice-node par PROVIDER_BINARY OUT.par.gz"
        ),
    }
}

/// Runs a wasmCloud host until a termination signal, then stops it cleanly.
async fn host(nats: &str, lattice: &str, name: &str, registry: &str) -> anyhow::Result<()> {
    let nats = Url::parse(nats).context("NATS URL")?;
    let config = WasmbusHostConfig {
        ctl_nats_url: nats.clone(),
        rpc_nats_url: nats,
        lattice: lattice.into(),
        labels: HashMap::from([("witpipe.node".to_string(), name.to_string())]),
        oci_opts: OciConfig {
            allowed_insecure: vec![registry.to_string()],
            ..OciConfig::default()
        },
        allow_file_load: true,
        experimental_features: Features::new()
            .enable_builtin_http_server()
            .enable_builtin_http_client(),
        ..WasmbusHostConfig::default()
    };
    let (host, shutdown) = WasmbusHost::new(config)
        .await
        .context("starting the host")?;
    eprintln!("lattice-node: host {name} up");
    terminated().await?;
    drop(host);
    shutdown.await.context("stopping the host")?;
    eprintln!("lattice-node: host {name} stopped");
    Ok(())
}

/// Runs wadm against the lattice's NATS until a termination signal.
async fn wadm(nats: &str) -> anyhow::Result<()> {
    let server = nats.trim_start_matches("nats://").to_string();
    let config = wadm::config::WadmConfig {
        nats_server: server,
        ..Default::default()
    };
    let mut tasks = wadm::start_wadm(config).await.context("starting wadm")?;
    eprintln!("lattice-node: wadm up");
    tokio::select! {
        signal = terminated() => signal?,
        Some(ended) = tasks.join_next() => bail!("a wadm task ended: {:?}", ended?),
    }
    tasks.shutdown().await;
    Ok(())
}

/// Packs a provider binary for this machine into a provider archive, signed with fresh
/// keys, that a host loads from `file://OUT`.
async fn par(binary: &str, out: &str) -> anyhow::Result<()> {
    use std::env::consts::{ARCH, OS};
    let bytes = std::fs::read(binary).with_context(|| format!("reading {binary}"))?;
    let mut archive =
        provider_archive::ProviderArchive::new("witpipe-keyvalue-nats", "witpipe", None, None);
    archive
        .add_library(&format!("{ARCH}-{OS}"), &bytes)
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    let issuer = nkeys::KeyPair::new_account();
    let subject = nkeys::KeyPair::new_service();
    archive
        .write(out, &issuer, &subject, true)
        .await
        .map_err(|e| anyhow::anyhow!("writing {out}: {e}"))?;
    eprintln!("lattice-node: wrote {out}");
    Ok(())
}

async fn terminated() -> anyhow::Result<()> {
    let mut term = signal(SignalKind::terminate())?;
    tokio::select! {
        _ = term.recv() => {}
        result = tokio::signal::ctrl_c() => result?,
    }
    Ok(())
}
