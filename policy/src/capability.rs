//! What an import is, by capability family: the vocabulary the families, the host
//! contract and every consumer share.

use serde::{Deserialize, Serialize};

/// What an import of the output is, by capability family. Decided in one place
/// ([`Capability::of`], from the family that owns the interface), never by matching
/// name prefixes elsewhere.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Capability {
    /// `wasi:cli/environment`: variables, arguments, cwd.
    Environment,
    /// `wasi:cli/exit`.
    Exit,
    /// `wasi:cli/stdin`.
    Stdin,
    /// `wasi:cli/stdout`.
    Stdout,
    /// `wasi:cli/stderr`.
    Stderr,
    /// `wasi:cli/terminal-*`.
    Terminal,
    /// `wasi:clocks/{wall,system,monotonic}-clock`.
    Clocks,
    /// `wasi:random/*`.
    Random,
    /// `wasi:filesystem/preopens`: the directories.
    FsPreopens,
    /// `wasi:filesystem/types`: what is done with them.
    FsTypes,
    /// `wasi:http/outgoing-handler` (WASI 0.3: `wasi:http/client`): requests leaving.
    HttpOutgoing,
    /// `wasi:http/types`: building requests, reading responses (no authority).
    HttpTypes,
    /// `wasi:sockets/{network,instance-network}`: a handle, no authority by itself.
    Network,
    /// `wasi:sockets/tcp*`.
    Tcp,
    /// `wasi:sockets/udp*`.
    Udp,
    /// `wasi:sockets/ip-name-lookup`.
    NameLookup,
    /// `wasi:keyvalue/*`.
    KeyValue,
    /// `wasi:config/*`.
    Config,
    /// `wasi:io/*`: streams and polling; WASI 0.3's type-only `wasi:cli/types` and
    /// `wasi:clocks/types` (no authority).
    Io,
    /// Anything else: a non-WASI interface the grants let through.
    Other,
}
