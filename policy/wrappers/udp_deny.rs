//! UDP denied outright: `create-udp-socket` fails with `access-denied` and no UDP
//! socket can exist (shared by the socket wrappers through `#[path]`). The including
//! crate provides `Wrapper`, `Never`, `R`, `NetRef`, the bindings' `udp` modules and
//! the address types.

use super::{
    udp, udp_create_socket, ErrorCode, IpAddressFamily, IpSocketAddress, NetRef, Never, Pollable,
    Wrapper, R,
};

impl udp_create_socket::Guest for Wrapper {
    fn create_udp_socket(_: IpAddressFamily) -> R<udp::UdpSocket> {
        Err(ErrorCode::AccessDenied)
    }
}

impl udp::Guest for Wrapper {
    type UdpSocket = Never;
    type IncomingDatagramStream = Never;
    type OutgoingDatagramStream = Never;
}

impl udp::GuestUdpSocket for Never {
    fn start_bind(&self, _: NetRef<'_>, _: IpSocketAddress) -> R<()> {
        match *self {}
    }
    fn finish_bind(&self) -> R<()> {
        match *self {}
    }
    fn stream(
        &self,
        _: Option<IpSocketAddress>,
    ) -> R<(udp::IncomingDatagramStream, udp::OutgoingDatagramStream)> {
        match *self {}
    }
    fn local_address(&self) -> R<IpSocketAddress> {
        match *self {}
    }
    fn remote_address(&self) -> R<IpSocketAddress> {
        match *self {}
    }
    fn address_family(&self) -> IpAddressFamily {
        match *self {}
    }
    fn unicast_hop_limit(&self) -> R<u8> {
        match *self {}
    }
    fn set_unicast_hop_limit(&self, _: u8) -> R<()> {
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
}

impl udp::GuestIncomingDatagramStream for Never {
    fn receive(&self, _: u64) -> R<Vec<udp::IncomingDatagram>> {
        match *self {}
    }
    fn subscribe(&self) -> Pollable {
        match *self {}
    }
}

impl udp::GuestOutgoingDatagramStream for Never {
    fn check_send(&self) -> R<u64> {
        match *self {}
    }
    fn send(&self, _: Vec<udp::OutgoingDatagram>) -> R<u64> {
        match *self {}
    }
    fn subscribe(&self) -> Pollable {
        match *self {}
    }
}
