//! Applying a wadm application to a wasmCloud lattice: store the manifest, deploy it and
//! wait until wadm reports it deployed, through wadm's NATS API
//! (`wadm.api.{lattice}.model.{put,deploy,status}`).

use crate::nats::{connect, fail, runtime};
use crate::DeployError;
use async_nats::Client;
use serde_json::Value;
use std::time::{Duration, Instant};

/// Where the lattice is and how long to wait for it.
#[derive(Debug, Clone)]
pub struct Lattice {
    /// The NATS server, e.g. `nats://127.0.0.1:4222`.
    pub nats_url: String,
    /// The lattice name (wasmCloud's default is `default`).
    pub lattice: String,
    /// How long to wait for the application to be deployed.
    pub wait: Duration,
}

/// Puts `manifest` (YAML) into wadm on `lattice`, deploys application `name` and waits
/// until wadm reports it deployed. `progress` receives each change of status.
pub fn apply(
    manifest: &str,
    name: &str,
    lattice: &Lattice,
    progress: &mut dyn FnMut(&str),
) -> Result<(), DeployError> {
    runtime()?.block_on(async {
        let client = connect(
            &lattice.nats_url,
            "the lattice (`nats-server -js`, wadm and a wasmCloud host)",
        )
        .await?;
        let api = Api {
            client: &client,
            prefix: format!("wadm.api.{}", lattice.lattice),
            lattice,
        };
        let put = api
            .request("model.put", manifest.as_bytes().to_vec())
            .await?;
        match put["result"].as_str() {
            Some("created" | "newversion") => progress(&format!(
                "stored {name} version {} in wadm",
                put["current_version"].as_str().unwrap_or("?")
            )),
            // The same version again (an unchanged output): deploy what is stored.
            _ if message(&put).contains("already exists") => {
                progress(&format!("{name}: this version is already stored in wadm"))
            }
            _ => {
                return Err(fail(format!(
                    "wadm refused the manifest: {}",
                    message(&put)
                )))
            }
        }
        let deploy = api
            .request(&format!("model.deploy.{name}"), b"{}".to_vec())
            .await?;
        if deploy["result"].as_str() != Some("acknowledged") {
            return Err(fail(format!(
                "wadm did not deploy {name}: {}",
                message(&deploy)
            )));
        }
        progress(&format!("deploying {name} on lattice {}", lattice.lattice));
        api.wait_deployed(name, progress).await
    })
}

struct Api<'a> {
    client: &'a Client,
    prefix: String,
    lattice: &'a Lattice,
}

impl Api<'_> {
    /// One request to wadm; its JSON answer.
    async fn request(&self, operation: &str, body: Vec<u8>) -> Result<Value, DeployError> {
        let who = format!("wadm (lattice `{}`)", self.lattice.lattice);
        let subject = format!("{}.{operation}", self.prefix);
        crate::nats::request(self.client, subject, body, &who).await
    }

    /// Polls the application's status until it is deployed, failed, or time is up.
    async fn wait_deployed(
        &self,
        name: &str,
        progress: &mut dyn FnMut(&str),
    ) -> Result<(), DeployError> {
        let start = Instant::now();
        let mut last = String::new();
        loop {
            let status = self
                .request(&format!("model.status.{name}"), vec![])
                .await?;
            let info = &status["status"]["status"];
            let state = info["type"].as_str().unwrap_or("unknown").to_string();
            let line = describe(&status, &state);
            if line != last {
                progress(&format!("{:>5.1} s  {line}", start.elapsed().as_secs_f64()));
                last = line;
            }
            // wadm keeps reconciling a failed application (a host may still be joining,
            // an image still pulling): only the deadline ends the wait.
            match state.as_str() {
                "deployed" => return Ok(()),
                _ if start.elapsed() > self.lattice.wait => {
                    return Err(fail(format!(
                        "{name} was not deployed within {} s (last status: {last}); check that hosts are running and can pull the image",
                        self.lattice.wait.as_secs()
                    )))
                }
                _ => tokio::time::sleep(Duration::from_millis(500)).await,
            }
        }
    }
}

/// The application's status, then one line per scaler that is not deployed yet.
fn describe(status: &Value, state: &str) -> String {
    let mut line = state.to_string();
    for scaler in status["status"]["scalers"].as_array().into_iter().flatten() {
        let kind = scaler["status"]["type"].as_str().unwrap_or("");
        if kind != "deployed" {
            let msg = scaler["status"]["message"].as_str().unwrap_or("");
            line += &format!(
                "\n           {} {}: {kind}{}",
                scaler["kind"].as_str().unwrap_or("scaler"),
                scaler["name"].as_str().unwrap_or("?"),
                if msg.is_empty() {
                    String::new()
                } else {
                    format!(" ({msg})")
                }
            );
        }
    }
    line
}

fn message(answer: &Value) -> &str {
    answer["message"].as_str().unwrap_or("(no message)")
}
