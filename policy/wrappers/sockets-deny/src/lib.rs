//! No network: `create-tcp-socket`, `create-udp-socket` and `resolve-addresses` fail
//! with `access-denied`; the socket resources cannot be constructed, so none of
//! their methods can ever run. `instance-network` hands out a network handle that
//! grants nothing. Nothing of the host's network is imported.

wit_bindgen::generate!({
    path: "../../wit",
    world: "witpipe:policy/sockets-deny",
    generate_all,
});

use exports::wasi::sockets::{
    instance_network, ip_name_lookup, network, tcp, tcp_create_socket, udp, udp_create_socket,
};
use network::{ErrorCode, IpAddress, IpAddressFamily, IpSocketAddress};
use wasi::io::poll::Pollable;
use wasi::io::streams::{InputStream, OutputStream};

/// A resource that cannot exist.
pub enum Never {}

/// A network handle that grants nothing.
pub struct NoNetwork;

type R<T> = Result<T, ErrorCode>;

struct SocketsDeny;

/// The name the shared UDP stubs implement their traits for.
use SocketsDeny as Wrapper;

/// How the UDP stubs take a network handle: this wrapper's own.
type NetRef<'a> = network::NetworkBorrow<'a>;

#[path = "../../udp_deny.rs"]
mod udp_deny;

impl network::Guest for SocketsDeny {
    type Network = NoNetwork;
}
impl network::GuestNetwork for NoNetwork {}

impl instance_network::Guest for SocketsDeny {
    fn instance_network() -> network::Network {
        network::Network::new(NoNetwork)
    }
}

impl ip_name_lookup::Guest for SocketsDeny {
    type ResolveAddressStream = Never;
    fn resolve_addresses(
        _: network::NetworkBorrow<'_>,
        _: String,
    ) -> R<ip_name_lookup::ResolveAddressStream> {
        Err(ErrorCode::AccessDenied)
    }
}
impl ip_name_lookup::GuestResolveAddressStream for Never {
    fn resolve_next_address(&self) -> R<Option<IpAddress>> {
        match *self {}
    }
    fn subscribe(&self) -> Pollable {
        match *self {}
    }
}

impl tcp_create_socket::Guest for SocketsDeny {
    fn create_tcp_socket(_: IpAddressFamily) -> R<tcp::TcpSocket> {
        Err(ErrorCode::AccessDenied)
    }
}

impl tcp::Guest for SocketsDeny {
    type TcpSocket = Never;
}

impl tcp::GuestTcpSocket for Never {
    fn start_bind(&self, _: network::NetworkBorrow<'_>, _: IpSocketAddress) -> R<()> {
        match *self {}
    }
    fn finish_bind(&self) -> R<()> {
        match *self {}
    }
    fn start_connect(&self, _: network::NetworkBorrow<'_>, _: IpSocketAddress) -> R<()> {
        match *self {}
    }
    fn finish_connect(&self) -> R<(InputStream, OutputStream)> {
        match *self {}
    }
    fn start_listen(&self) -> R<()> {
        match *self {}
    }
    fn finish_listen(&self) -> R<()> {
        match *self {}
    }
    fn accept(&self) -> R<(tcp::TcpSocket, InputStream, OutputStream)> {
        match *self {}
    }
    fn local_address(&self) -> R<IpSocketAddress> {
        match *self {}
    }
    fn remote_address(&self) -> R<IpSocketAddress> {
        match *self {}
    }
    fn is_listening(&self) -> bool {
        match *self {}
    }
    fn address_family(&self) -> IpAddressFamily {
        match *self {}
    }
    fn set_listen_backlog_size(&self, _: u64) -> R<()> {
        match *self {}
    }
    fn keep_alive_enabled(&self) -> R<bool> {
        match *self {}
    }
    fn set_keep_alive_enabled(&self, _: bool) -> R<()> {
        match *self {}
    }
    fn keep_alive_idle_time(&self) -> R<u64> {
        match *self {}
    }
    fn set_keep_alive_idle_time(&self, _: u64) -> R<()> {
        match *self {}
    }
    fn keep_alive_interval(&self) -> R<u64> {
        match *self {}
    }
    fn set_keep_alive_interval(&self, _: u64) -> R<()> {
        match *self {}
    }
    fn keep_alive_count(&self) -> R<u32> {
        match *self {}
    }
    fn set_keep_alive_count(&self, _: u32) -> R<()> {
        match *self {}
    }
    fn hop_limit(&self) -> R<u8> {
        match *self {}
    }
    fn set_hop_limit(&self, _: u8) -> R<()> {
        match *self {}
    }
    fn receive_buffer_size(&self) -> R<u64> {
        match *self {}
    }
    fn set_receive_buffer_size(&self, _: u64) -> R<()> {
        match *self {}
    }
    fn send_buffer_size(&self) -> R<u64> {
        match *self {}
    }
    fn set_send_buffer_size(&self, _: u64) -> R<()> {
        match *self {}
    }
    fn subscribe(&self) -> Pollable {
        match *self {}
    }
    fn shutdown(&self, _: tcp::ShutdownType) -> R<()> {
        match *self {}
    }
}

export!(SocketsDeny);
