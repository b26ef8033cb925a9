//! What the WASI 0.3 socket wrappers share (through `#[path]`): UDP denied outright —
//! `create` fails with `access-denied`, so no UDP socket can exist. The including crate
//! provides `Never` and the bindings' `types` module.

use super::{types, Never};
use types::{ErrorCode, IpAddressFamily, IpSocketAddress, UdpSocket};

type R<T> = Result<T, ErrorCode>;

/// Methods of a resource that cannot exist: each body is `match *self {}`.
macro_rules! unreachable_methods {
    ($($(#[$async:ident])? fn $name:ident($($arg:ty),*) -> $ret:ty;)*) => {
        $(unreachable_methods!(@one $($async)? $name ($($arg),*) $ret);)*
    };
    (@one $name:ident ($($arg:ty),*) $ret:ty) => {
        fn $name(&self, $(_: $arg),*) -> $ret {
            match *self {}
        }
    };
    (@one async $name:ident ($($arg:ty),*) $ret:ty) => {
        async fn $name(&self, $(_: $arg),*) -> $ret {
            match *self {}
        }
    };
}

// The socket denial uses it for TCP too.
#[allow(unused_imports)]
pub(crate) use unreachable_methods;

impl types::GuestUdpSocket for Never {
    fn create(_: IpAddressFamily) -> R<UdpSocket> {
        Err(ErrorCode::AccessDenied)
    }
    unreachable_methods! {
        fn bind(IpSocketAddress) -> R<()>;
        fn connect(IpSocketAddress) -> R<()>;
        fn disconnect() -> R<()>;
        #[async] fn send(Vec<u8>, Option<IpSocketAddress>) -> R<()>;
        #[async] fn receive() -> R<(Vec<u8>, IpSocketAddress)>;
        fn get_local_address() -> R<IpSocketAddress>;
        fn get_remote_address() -> R<IpSocketAddress>;
        fn get_address_family() -> IpAddressFamily;
        fn get_unicast_hop_limit() -> R<u8>;
        fn set_unicast_hop_limit(u8) -> R<()>;
        fn get_receive_buffer_size() -> R<u64>;
        fn set_receive_buffer_size(u64) -> R<()>;
        fn get_send_buffer_size() -> R<u64>;
        fn set_send_buffer_size(u64) -> R<()>;
    }
}
