//! TCP connections to allowed addresses only.
//!
//! Settings: `connect=` lines (`../connect_allow.rs`). Every socket the component
//! creates wraps a host socket; `start-connect` to an address off the list, and any
//! `start-bind` or `start-listen`, fail with `access-denied` before the host acts.
//! UDP is denied outright. The network handle and the address types are the host's,
//! shared with the component.

#[path = "../../connect_allow.rs"]
mod connect_allow;
#[path = "../../settings.rs"]
mod settings;

wit_bindgen::generate!({
    path: "../../wit",
    world: "witpipe:policy/sockets-guard",
    generate_all,
});

use exports::wasi::sockets::{tcp, tcp_create_socket, udp, udp_create_socket};
use wasi::io::poll::Pollable;
use wasi::io::streams::{InputStream, OutputStream};
use wasi::sockets::network::{ErrorCode, IpAddressFamily, IpSocketAddress, Network};
use wasi::sockets::tcp as host;

type R<T> = Result<T, ErrorCode>;

fn allowed(addr: &IpSocketAddress) -> bool {
    connect_allow::allowed_address!(addr, IpSocketAddress)
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
