//! TCP connections to allowed addresses only.
//!
//! Settings: `connect=ADDRESS[/PREFIX]:PORT` lines (`[v6]:PORT` for IPv6, `*` for any
//! port). Every socket the component creates wraps a host socket; `start-connect`
//! to an address off the list, and any `start-bind` or `start-listen`, fail with
//! `access-denied` before the host acts. UDP is denied outright. The network handle
//! and the address types are the host's, shared with the component.

#[path = "../../settings.rs"]
mod settings;

wit_bindgen::generate!({
    path: "../../wit",
    world: "witpipe:policy/sockets-guard",
    generate_all,
});

use exports::wasi::sockets::{tcp, tcp_create_socket, udp, udp_create_socket};
use std::net::IpAddr;
use wasi::io::poll::Pollable;
use wasi::io::streams::{InputStream, OutputStream};
use wasi::sockets::network::{ErrorCode, IpAddressFamily, IpSocketAddress, Network};
use wasi::sockets::tcp as host;

type R<T> = Result<T, ErrorCode>;

/// `address/prefix:port` or `*:port` / `address:*`.
struct Rule {
    net: Option<(IpAddr, u8)>,
    port: Option<u16>,
}

impl Rule {
    fn parse(text: &str) -> Option<Rule> {
        let (addr, port) = if let Some(rest) = text.strip_prefix('[') {
            let (a, p) = rest.split_once("]:")?;
            (a, p)
        } else {
            text.rsplit_once(':')?
        };
        let port = if port == "*" {
            None
        } else {
            Some(port.parse().ok()?)
        };
        let net = if addr == "*" {
            None
        } else {
            let (ip, prefix) = match addr.split_once('/') {
                Some((ip, p)) => (ip.parse::<IpAddr>().ok()?, p.parse().ok()?),
                None => {
                    let ip: IpAddr = addr.parse().ok()?;
                    (ip, if ip.is_ipv4() { 32 } else { 128 })
                }
            };
            Some((ip, prefix))
        };
        Some(Rule { net, port })
    }

    fn allows(&self, ip: IpAddr, port: u16) -> bool {
        let port_ok = self.port.is_none_or(|p| p == port);
        let net_ok = match self.net {
            None => true,
            Some((IpAddr::V4(n), prefix)) => match ip {
                IpAddr::V4(a) => prefix_match(&n.octets(), &a.octets(), prefix),
                IpAddr::V6(_) => false,
            },
            Some((IpAddr::V6(n), prefix)) => match ip {
                IpAddr::V6(a) => prefix_match(&n.octets(), &a.octets(), prefix),
                IpAddr::V4(_) => false,
            },
        };
        port_ok && net_ok
    }
}

/// Whether the first `prefix` bits of `a` and `b` agree.
fn prefix_match(a: &[u8], b: &[u8], prefix: u8) -> bool {
    let mut bits = prefix as usize;
    for (x, y) in a.iter().zip(b) {
        if bits == 0 {
            return true;
        }
        let take = bits.min(8);
        let mask = (0xffu16 << (8 - take)) as u8;
        if x & mask != y & mask {
            return false;
        }
        bits -= take;
    }
    true
}

thread_local! {
    static RULES: Vec<Rule> = settings::Settings::parse(&witpipe::policy::settings::get())
        .all(settings::keys::CONNECT)
        .filter_map(Rule::parse)
        .collect();
}

fn allowed(addr: &IpSocketAddress) -> bool {
    let (ip, port) = match addr {
        IpSocketAddress::Ipv4(a) => {
            let (x, y, z, w) = a.address;
            (IpAddr::from([x, y, z, w]), a.port)
        }
        IpSocketAddress::Ipv6(a) => {
            let (p0, p1, p2, p3, p4, p5, p6, p7) = a.address;
            (IpAddr::from([p0, p1, p2, p3, p4, p5, p6, p7]), a.port)
        }
    };
    RULES.with(|rules| rules.iter().any(|r| r.allows(ip, port)))
}

/// A host socket, connect-checked.
pub struct Socket(host::TcpSocket);

fn shutdown(t: tcp::ShutdownType) -> host::ShutdownType {
    match t {
        tcp::ShutdownType::Receive => host::ShutdownType::Receive,
        tcp::ShutdownType::Send => host::ShutdownType::Send,
        tcp::ShutdownType::Both => host::ShutdownType::Both,
    }
}

struct Guard;

impl tcp_create_socket::Guest for Guard {
    fn create_tcp_socket(family: IpAddressFamily) -> R<tcp::TcpSocket> {
        wasi::sockets::tcp_create_socket::create_tcp_socket(family)
            .map(|s| tcp::TcpSocket::new(Socket(s)))
    }
}

impl tcp::Guest for Guard {
    type TcpSocket = Socket;
}

impl tcp::GuestTcpSocket for Socket {
    fn start_bind(&self, _: &Network, _: IpSocketAddress) -> R<()> {
        Err(ErrorCode::AccessDenied)
    }
    fn finish_bind(&self) -> R<()> {
        self.0.finish_bind()
    }
    fn start_connect(&self, network: &Network, remote: IpSocketAddress) -> R<()> {
        if !allowed(&remote) {
            return Err(ErrorCode::AccessDenied);
        }
        self.0.start_connect(network, remote)
    }
    fn finish_connect(&self) -> R<(InputStream, OutputStream)> {
        self.0.finish_connect()
    }
    fn start_listen(&self) -> R<()> {
        Err(ErrorCode::AccessDenied)
    }
    fn finish_listen(&self) -> R<()> {
        self.0.finish_listen()
    }
    fn accept(&self) -> R<(tcp::TcpSocket, InputStream, OutputStream)> {
        self.0
            .accept()
            .map(|(s, i, o)| (tcp::TcpSocket::new(Socket(s)), i, o))
    }
    fn local_address(&self) -> R<IpSocketAddress> {
        self.0.local_address()
    }
    fn remote_address(&self) -> R<IpSocketAddress> {
        self.0.remote_address()
    }
    fn is_listening(&self) -> bool {
        self.0.is_listening()
    }
    fn address_family(&self) -> IpAddressFamily {
        self.0.address_family()
    }
    fn set_listen_backlog_size(&self, v: u64) -> R<()> {
        self.0.set_listen_backlog_size(v)
    }
    fn keep_alive_enabled(&self) -> R<bool> {
        self.0.keep_alive_enabled()
    }
    fn set_keep_alive_enabled(&self, v: bool) -> R<()> {
        self.0.set_keep_alive_enabled(v)
    }
    fn keep_alive_idle_time(&self) -> R<u64> {
        self.0.keep_alive_idle_time()
    }
    fn set_keep_alive_idle_time(&self, v: u64) -> R<()> {
        self.0.set_keep_alive_idle_time(v)
    }
    fn keep_alive_interval(&self) -> R<u64> {
        self.0.keep_alive_interval()
    }
    fn set_keep_alive_interval(&self, v: u64) -> R<()> {
        self.0.set_keep_alive_interval(v)
    }
    fn keep_alive_count(&self) -> R<u32> {
        self.0.keep_alive_count()
    }
    fn set_keep_alive_count(&self, v: u32) -> R<()> {
        self.0.set_keep_alive_count(v)
    }
    fn hop_limit(&self) -> R<u8> {
        self.0.hop_limit()
    }
    fn set_hop_limit(&self, v: u8) -> R<()> {
        self.0.set_hop_limit(v)
    }
    fn receive_buffer_size(&self) -> R<u64> {
        self.0.receive_buffer_size()
    }
    fn set_receive_buffer_size(&self, v: u64) -> R<()> {
        self.0.set_receive_buffer_size(v)
    }
    fn send_buffer_size(&self) -> R<u64> {
        self.0.send_buffer_size()
    }
    fn set_send_buffer_size(&self, v: u64) -> R<()> {
        self.0.set_send_buffer_size(v)
    }
    fn subscribe(&self) -> Pollable {
        self.0.subscribe()
    }
    fn shutdown(&self, t: tcp::ShutdownType) -> R<()> {
        self.0.shutdown(shutdown(t))
    }
}

/// A UDP socket that cannot exist.
pub enum Never {}

/// The name the shared UDP stubs implement their traits for.
use Guard as Wrapper;

/// How the UDP stubs take a network handle: the host's.
type NetRef<'a> = &'a Network;

#[path = "../../udp_deny.rs"]
mod udp_deny;

export!(Guard);
