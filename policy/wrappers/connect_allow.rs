//! The TCP allow-list of the socket guards of both WASI lines: `connect=` settings,
//! `ADDRESS[/PREFIX]:PORT` (`[v6]:PORT` for IPv6, `*` for any address or port), read
//! with the checker's own grammar (`policy/src/grammar/connect_rule.rs`).

use crate::settings;
use std::net::IpAddr;

#[path = "../src/grammar/connect_rule.rs"]
mod connect_rule;
use connect_rule::ConnectRule;

thread_local! {
    static RULES: Vec<ConnectRule> = settings::Settings::parse(&crate::witpipe::policy::settings::get())
        .all(settings::keys::CONNECT)
        .filter_map(|text| ConnectRule::parse(text).ok())
        .collect();
}

/// Whether the settings allow a connection to `ip`, `port`.
pub fn allowed(ip: IpAddr, port: u16) -> bool {
    RULES.with(|rules| rules.iter().any(|r| r.allows(ip, port)))
}

/// Whether the settings allow a connection to a WASI `ip-socket-address` (either
/// line's bindings: `$ty` is its Rust type).
macro_rules! allowed_address {
    ($addr:expr, $ty:ident) => {{
        let (ip, port) = match $addr {
            $ty::Ipv4(a) => {
                let (x, y, z, w) = a.address;
                (std::net::IpAddr::from([x, y, z, w]), a.port)
            }
            $ty::Ipv6(a) => {
                let (p0, p1, p2, p3, p4, p5, p6, p7) = a.address;
                (
                    std::net::IpAddr::from([p0, p1, p2, p3, p4, p5, p6, p7]),
                    a.port,
                )
            }
        };
        $crate::connect_allow::allowed(ip, port)
    }};
}
pub(crate) use allowed_address;
