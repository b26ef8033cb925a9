//! No network at WASI 0.3: creating a TCP or UDP socket and looking up a name fail
//! with `access-denied`; the socket types cannot be constructed, so every method is
//! unreachable and nothing of the host's network is imported.

wit_bindgen::generate!({
    path: "../../wit/p3",
    world: "witpipe:policy-p3/sockets-deny",
    generate_all,
});

use exports::wasi::sockets::{ip_name_lookup, types};
use types::{Duration, ErrorCode, IpAddress, IpAddressFamily, IpSocketAddress, TcpSocket};
use wit_bindgen::{FutureReader, StreamReader};

type R<T> = Result<T, ErrorCode>;

struct SocketsDeny;

/// A socket that never exists.
pub enum Never {}

#[path = "../../p3_udp_deny.rs"]
mod p3_udp_deny;
use p3_udp_deny::unreachable_methods;

impl types::Guest for SocketsDeny {
    type TcpSocket = Never;
    type UdpSocket = Never;
}

impl types::GuestTcpSocket for Never {
    fn create(_: IpAddressFamily) -> R<TcpSocket> {
        Err(ErrorCode::AccessDenied)
    }
    unreachable_methods! {
        fn bind(IpSocketAddress) -> R<()>;
        #[async] fn connect(IpSocketAddress) -> R<()>;
        fn listen() -> R<StreamReader<TcpSocket>>;
        fn send(StreamReader<u8>) -> FutureReader<R<()>>;
        fn receive() -> (StreamReader<u8>, FutureReader<R<()>>);
        fn get_local_address() -> R<IpSocketAddress>;
        fn get_remote_address() -> R<IpSocketAddress>;
        fn get_is_listening() -> bool;
        fn get_address_family() -> IpAddressFamily;
        fn set_listen_backlog_size(u64) -> R<()>;
        fn get_keep_alive_enabled() -> R<bool>;
        fn set_keep_alive_enabled(bool) -> R<()>;
        fn get_keep_alive_idle_time() -> R<Duration>;
        fn set_keep_alive_idle_time(Duration) -> R<()>;
        fn get_keep_alive_interval() -> R<Duration>;
        fn set_keep_alive_interval(Duration) -> R<()>;
        fn get_keep_alive_count() -> R<u32>;
        fn set_keep_alive_count(u32) -> R<()>;
        fn get_hop_limit() -> R<u8>;
        fn set_hop_limit(u8) -> R<()>;
        fn get_receive_buffer_size() -> R<u64>;
        fn set_receive_buffer_size(u64) -> R<()>;
        fn get_send_buffer_size() -> R<u64>;
        fn set_send_buffer_size(u64) -> R<()>;
    }
}

impl ip_name_lookup::Guest for SocketsDeny {
    async fn resolve_addresses(_: String) -> Result<Vec<IpAddress>, ip_name_lookup::ErrorCode> {
        Err(ip_name_lookup::ErrorCode::AccessDenied)
    }
}

export!(SocketsDeny);
