//! TCP connections to allowed addresses only, at WASI 0.3.
//!
//! As the 0.2 guard (`../sockets-guard`): settings are `connect=` lines
//! (`../connect_allow.rs`); every TCP socket the component creates wraps a host
//! socket; `connect` to an address off the list, and any `bind` or `listen`, fail
//! with `access-denied` before the host acts; UDP is denied outright.
//!
//! A connected socket's data moves in streams: `send` hands the component's stream
//! to the host and `receive` hands the host's to the component, with their result
//! futures — the wrapper never reads or copies a byte.

#[path = "../../connect_allow.rs"]
mod connect_allow;
#[path = "../../p3_future.rs"]
mod p3_future;
#[path = "../../settings.rs"]
mod settings;

wit_bindgen::generate!({
    path: "../../wit/p3",
    world: "witpipe:policy-p3/sockets-guard",
    generate_all,
});

use exports::wasi::sockets::types;
use types as ex;
use types::IpSocketAddress;
use wasi::sockets::types as host;
use wit_bindgen::{FutureReader, StreamReader};

type R<T> = Result<T, ex::ErrorCode>;
/// The future that ends a stream: the exported copy of its type.
type Done = FutureReader<R<()>>;

fn error_code(e: host::ErrorCode) -> ex::ErrorCode {
    use ex::ErrorCode as E;
    use host::ErrorCode as H;
    match e {
        H::AccessDenied => E::AccessDenied,
        H::NotSupported => E::NotSupported,
        H::InvalidArgument => E::InvalidArgument,
        H::OutOfMemory => E::OutOfMemory,
        H::Timeout => E::Timeout,
        H::InvalidState => E::InvalidState,
        H::AddressNotBindable => E::AddressNotBindable,
        H::AddressInUse => E::AddressInUse,
        H::RemoteUnreachable => E::RemoteUnreachable,
        H::ConnectionRefused => E::ConnectionRefused,
        H::ConnectionBroken => E::ConnectionBroken,
        H::ConnectionReset => E::ConnectionReset,
        H::ConnectionAborted => E::ConnectionAborted,
        H::DatagramTooLarge => E::DatagramTooLarge,
        H::Other(s) => E::Other(s),
    }
}

fn err<T>(r: Result<T, host::ErrorCode>) -> R<T> {
    r.map_err(error_code)
}

/// The host's end-of-stream future, handed on (see `p3_future::pass_future`).
fn pass_done(done: FutureReader<Result<(), host::ErrorCode>>) -> Done {
    let vtable = <Result<(), host::ErrorCode> as wit_future::FuturePayload>::VTABLE;
    p3_future::pass_future(done, vtable)
}

fn family(f: ex::IpAddressFamily) -> host::IpAddressFamily {
    match f {
        ex::IpAddressFamily::Ipv4 => host::IpAddressFamily::Ipv4,
        ex::IpAddressFamily::Ipv6 => host::IpAddressFamily::Ipv6,
    }
}

fn family_back(f: host::IpAddressFamily) -> ex::IpAddressFamily {
    match f {
        host::IpAddressFamily::Ipv4 => ex::IpAddressFamily::Ipv4,
        host::IpAddressFamily::Ipv6 => ex::IpAddressFamily::Ipv6,
    }
}

/// Converts between the two copies of `ip-socket-address` (they have one shape).
macro_rules! address_conv {
    ($name:ident: $from:ident => $to:ident) => {
        fn $name(a: $from::IpSocketAddress) -> $to::IpSocketAddress {
            match a {
                $from::IpSocketAddress::Ipv4(a) => {
                    $to::IpSocketAddress::Ipv4($to::Ipv4SocketAddress {
                        port: a.port,
                        address: a.address,
                    })
                }
                $from::IpSocketAddress::Ipv6(a) => {
                    $to::IpSocketAddress::Ipv6($to::Ipv6SocketAddress {
                        port: a.port,
                        flow_info: a.flow_info,
                        address: a.address,
                        scope_id: a.scope_id,
                    })
                }
            }
        }
    };
}
address_conv!(to_host: ex => host);
address_conv!(from_host: host => ex);

/// A host TCP socket, connect-checked.
pub struct Socket(host::TcpSocket);

/// A UDP socket that cannot exist.
pub enum Never {}

#[path = "../../p3_udp_deny.rs"]
mod p3_udp_deny;

/// Forwards getters and setters to the host socket, converting the error.
macro_rules! forward {
    ($(fn $name:ident($($arg:ident: $ty:ty),*) -> $ret:ty;)*) => {
        $(fn $name(&self, $($arg: $ty),*) -> R<$ret> {
            err(self.0.$name($($arg),*))
        })*
    };
}

struct Guard;

impl ex::Guest for Guard {
    type TcpSocket = Socket;
    type UdpSocket = Never;
}

impl ex::GuestTcpSocket for Socket {
    fn create(f: ex::IpAddressFamily) -> R<ex::TcpSocket> {
        err(host::TcpSocket::create(family(f))).map(|s| ex::TcpSocket::new(Socket(s)))
    }
    fn bind(&self, _: IpSocketAddress) -> R<()> {
        Err(ex::ErrorCode::AccessDenied)
    }
    async fn connect(&self, remote: ex::IpSocketAddress) -> R<()> {
        if !connect_allow::allowed_address!(&remote, IpSocketAddress) {
            return Err(ex::ErrorCode::AccessDenied);
        }
        err(self.0.connect(to_host(remote)).await)
    }
    fn listen(&self) -> R<StreamReader<ex::TcpSocket>> {
        Err(ex::ErrorCode::AccessDenied)
    }
    fn send(&self, data: StreamReader<u8>) -> Done {
        pass_done(self.0.send(data))
    }
    fn receive(&self) -> (StreamReader<u8>, Done) {
        let (data, done) = self.0.receive();
        (data, pass_done(done))
    }
    fn get_local_address(&self) -> R<ex::IpSocketAddress> {
        err(self.0.get_local_address()).map(from_host)
    }
    fn get_remote_address(&self) -> R<ex::IpSocketAddress> {
        err(self.0.get_remote_address()).map(from_host)
    }
    fn get_is_listening(&self) -> bool {
        self.0.get_is_listening()
    }
    fn get_address_family(&self) -> ex::IpAddressFamily {
        family_back(self.0.get_address_family())
    }
    forward! {
        fn set_listen_backlog_size(v: u64) -> ();
        fn get_keep_alive_enabled() -> bool;
        fn set_keep_alive_enabled(v: bool) -> ();
        fn get_keep_alive_idle_time() -> u64;
        fn set_keep_alive_idle_time(v: u64) -> ();
        fn get_keep_alive_interval() -> u64;
        fn set_keep_alive_interval(v: u64) -> ();
        fn get_keep_alive_count() -> u32;
        fn set_keep_alive_count(v: u32) -> ();
        fn get_hop_limit() -> u8;
        fn set_hop_limit(v: u8) -> ();
        fn get_receive_buffer_size() -> u64;
        fn set_receive_buffer_size(v: u64) -> ();
        fn get_send_buffer_size() -> u64;
        fn set_send_buffer_size(v: u64) -> ();
    }
}

export!(Guard);
