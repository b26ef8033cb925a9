//! No name lookup at WASI 0.3: `resolve-addresses` fails with `access-denied`. The
//! address type is the one of the component's `wasi:sockets/types`.

wit_bindgen::generate!({
    path: "../../wit/p3",
    world: "witpipe:policy-p3/lookup-deny",
    generate_all,
});

use exports::wasi::sockets::ip_name_lookup::{ErrorCode, Guest};
use wasi::sockets::types::IpAddress;

struct LookupDeny;

impl Guest for LookupDeny {
    async fn resolve_addresses(_: String) -> Result<Vec<IpAddress>, ErrorCode> {
        Err(ErrorCode::AccessDenied)
    }
}

export!(LookupDeny);
