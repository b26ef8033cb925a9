//! `witpipe deploy FILE --target wasmcloud|wasmcloud-v2|spinkube --image REF`: the
//! deployment manifest for the composed, policy-wrapped pipeline.

use crate::diagnostics::{report_plain, Reported};
use std::path::PathBuf;
use witpipe_deploy::{Options, Target};

/// Write the deployment manifest (a wasmCloud v1 application, a wasmCloud v2
/// WorkloadDeployment or a SpinKube SpinApp) for the component a pipeline composes to.
/// Push the component to `--image` first.
#[derive(clap::Args)]
pub struct Args {
    /// The pipeline file.
    file: PathBuf,
    /// Where it runs.
    #[arg(long, value_enum)]
    target: TargetArg,
    /// The OCI reference of the composed component.
    #[arg(long, value_name = "REF")]
    image: String,
    /// Instances to run.
    #[arg(long, default_value_t = 1)]
    replicas: u32,
    /// Application name (default: the pipeline's `name:`, else the file's stem).
    #[arg(long)]
    name: Option<String>,
    /// wasmCloud: the address the built-in HTTP server listens on.
    #[arg(long, default_value = "0.0.0.0:8080")]
    http_address: String,
    /// wasmCloud v2: the `Host` header the host's HTTP server routes to the component
    /// (default: the application's name).
    #[arg(long, value_name = "HOST")]
    http_host: Option<String>,
    /// wasmCloud: the image of the provider that serves `wasi:keyvalue`.
    #[arg(long, value_name = "REF")]
    keyvalue_provider: Option<String>,
    /// wasmCloud: spread instances over the hosts labelled LABEL=VALUE, with that group's
    /// HTTP server on ADDRESS (default --http-address). Repeat for each group. wasmCloud
    /// v2: the one label the hosts must have (`hostSelector`).
    #[arg(long, value_name = "LABEL=VALUE[@ADDRESS]")]
    spread: Vec<witpipe_deploy::Spread>,
    /// wasmCloud: hand the manifest to wadm (v1) or start it on a host (v2) and wait
    /// until it is deployed.
    #[arg(long, requires = "lattice")]
    apply: bool,
    /// wasmCloud v2: stop the workload `--apply` started (the same output, the same id).
    #[arg(long, requires = "lattice", conflicts_with = "apply")]
    stop: bool,
    /// wasmCloud: the NATS server, for --apply (v1: the lattice's; v2: the hosts'
    /// scheduler NATS).
    #[arg(long, value_name = "URL")]
    lattice: Option<String>,
    /// wasmCloud v2: the host to start on (default: the first whose heartbeat matches
    /// the manifest's hostSelector).
    #[arg(long, value_name = "ID")]
    host_id: Option<String>,
    /// wasmCloud: the lattice's name.
    #[arg(long, default_value = "default")]
    lattice_name: String,
    /// How many seconds --apply waits for the application to be deployed.
    #[arg(long, default_value_t = 120)]
    wait: u64,
    /// Write the manifest here instead of standard output.
    #[arg(short, long)]
    output: Option<PathBuf>,
}

#[derive(Clone, Copy, clap::ValueEnum)]
enum TargetArg {
    /// A wadm application for a wasmCloud v1 lattice.
    Wasmcloud,
    /// A WorkloadDeployment for wasmCloud v2 (its operator, or `kubectl apply`).
    #[value(name = "wasmcloud-v2")]
    WasmcloudV2,
    /// A SpinApp resource for SpinKube.
    Spinkube,
}

impl Args {
    /// Runs the command.
    pub fn exec(self) -> Result<(), Reported> {
        let composition = super::compose_pipeline(&self.file)?;
        let p = &composition.pipeline;
        let name = self.name.clone().unwrap_or_else(|| p.output_name());
        let v2 = matches!(self.target, TargetArg::WasmcloudV2);
        if self.apply && matches!(self.target, TargetArg::Spinkube) {
            return Err(report_plain(
                "--apply deploys to wasmCloud; for SpinKube, `kubectl apply -f` the manifest",
            ));
        }
        if self.stop && !v2 {
            return Err(report_plain(
                "--stop stops a workload on a wasmCloud v2 host; for wasmCloud v1 use `wash app undeploy`",
            ));
        }
        let options = Options {
            target: match self.target {
                TargetArg::Wasmcloud => Target::WasmCloud,
                TargetArg::WasmcloudV2 => Target::WasmCloudV2,
                TargetArg::Spinkube => Target::SpinKube,
            },
            name,
            image: self.image,
            replicas: self.replicas,
            http_address: self.http_address,
            http_host: self.http_host,
            keyvalue_provider: self.keyvalue_provider,
            spread: self.spread,
            version: witpipe_deploy::version_of(&composition.bytes),
        };
        let fail =
            |e: witpipe_deploy::DeployError| report_plain(format!("{}: {e}", self.file.display()));
        let manifest = witpipe_deploy::manifest(&composition.contract, &options).map_err(fail)?;
        for line in &manifest.mapping {
            eprintln!("witpipe deploy: {line}");
        }
        let yaml = manifest.yaml();
        if self.output.is_some() || !(self.apply || self.stop) {
            super::print_or_write(self.output.as_deref(), &yaml, |out| {
                eprintln!("wrote {}", out.display())
            })?;
        }
        let say = &mut |line: &str| eprintln!("witpipe deploy: {line}");
        if let (true, Some(nats_url)) = (v2 && (self.apply || self.stop), &self.lattice) {
            let host = witpipe_deploy::V2Host {
                nats_url: nats_url.clone(),
                host_id: self.host_id.clone(),
                wait: std::time::Duration::from_secs(self.wait),
            };
            let id = witpipe_deploy::workload_id(&options.name, &options.version);
            if self.stop {
                let state = witpipe_deploy::stop_on_v2_host(&manifest.doc, &id, &host, say)
                    .map_err(fail)?;
                eprintln!("witpipe deploy: workload {id} stopped ({state})");
            } else {
                let on = witpipe_deploy::start_on_v2_host(&manifest.doc, &id, &host, say)
                    .map_err(fail)?;
                eprintln!("witpipe deploy: workload {id} is running on host {on}");
            }
            return Ok(());
        }
        if let Some(nats_url) = self.lattice.clone().filter(|_| self.apply) {
            let lattice = witpipe_deploy::Lattice {
                nats_url,
                lattice: self.lattice_name,
                wait: std::time::Duration::from_secs(self.wait),
            };
            witpipe_deploy::apply(&yaml, &options.name, &lattice, say).map_err(fail)?;
            eprintln!("witpipe deploy: {} is deployed", options.name);
        }
        Ok(())
    }
}
