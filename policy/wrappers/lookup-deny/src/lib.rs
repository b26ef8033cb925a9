//! No name lookup: `resolve-addresses` fails with `access-denied`, and no address
//! stream can exist. The network type is the host's, shared with the component.

wit_bindgen::generate!({
    path: "../../wit",
    world: "witpipe:policy/lookup-deny",
    generate_all,
});

use exports::wasi::sockets::ip_name_lookup::{
    Guest, GuestResolveAddressStream, ResolveAddressStream,
};
use wasi::io::poll::Pollable;
use wasi::sockets::network::{ErrorCode, IpAddress, Network};

/// A resource that cannot exist.
pub enum Never {}

struct LookupDeny;

impl Guest for LookupDeny {
    type ResolveAddressStream = Never;
    fn resolve_addresses(_: &Network, _: String) -> Result<ResolveAddressStream, ErrorCode> {
        Err(ErrorCode::AccessDenied)
    }
}

impl GuestResolveAddressStream for Never {
    fn resolve_next_address(&self) -> Result<Option<IpAddress>, ErrorCode> {
        match *self {}
    }
    fn subscribe(&self) -> Pollable {
        match *self {}
    }
}

export!(LookupDeny);
