//! The NATS request/reply both wasmCloud control planes speak: wadm's API (v1) and a v2
//! host's workload API, each with JSON bodies.

use crate::DeployError;
use async_nats::{Client, ConnectOptions};
use serde_json::Value;
use std::time::Duration;

/// How long one request waits for its answer.
const ANSWER_WITHIN: Duration = Duration::from_secs(10);

/// A current-thread runtime for one command's network calls.
pub(crate) fn runtime() -> Result<tokio::runtime::Runtime, DeployError> {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| fail(format!("cannot start the network client: {e}")))
}

/// Connects to the NATS server at `url`; `hint` says what should be running there.
pub(crate) async fn connect(url: &str, hint: &str) -> Result<Client, DeployError> {
    ConnectOptions::new()
        .name("witpipe deploy")
        .connection_timeout(Duration::from_secs(5))
        .connect(url)
        .await
        .map_err(|e| {
            fail(format!(
                "cannot reach NATS at {url}: {e}; is {hint} running?"
            ))
        })
}

/// One request to `who` on `subject`; its JSON answer.
pub(crate) async fn request(
    client: &Client,
    subject: String,
    body: Vec<u8>,
    who: &str,
) -> Result<Value, DeployError> {
    let reply = tokio::time::timeout(ANSWER_WITHIN, client.request(subject.clone(), body.into()))
        .await
        .map_err(|_| {
            fail(format!(
                "{who} did not answer on {subject} within {} s",
                ANSWER_WITHIN.as_secs()
            ))
        })?
        .map_err(|e| fail(format!("no answer from {who} on {subject}: {e}")))?;
    serde_json::from_slice(&reply.payload)
        .map_err(|e| fail(format!("{who}'s answer on {subject} is not JSON: {e}")))
}

pub(crate) fn fail(message: String) -> DeployError {
    DeployError::Lattice(message)
}
