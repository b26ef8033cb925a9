//! The HTTP guard's reading of an authority against the host's, for the `authority`
//! fuzz target (`fuzz/`) and the tests that replay it. The guard
//! (`policy/wrappers/authority.rs`, compiled here as well) lets a request through only
//! after reading its destination; the host then parses the same text as an
//! `http::uri::Authority` and connects to it (wasmtime-wasi-http's
//! `default_send_request`: the authority as written, with the scheme's default port
//! added when it has none). Whenever the guard accepts a text, the host must read the
//! same host and port from it and connect to exactly that.

#[path = "../../policy/wrappers/authority.rs"]
mod guard;

/// Compares the two readings of `text`; an `Err` says how they differ.
pub fn authority(text: &str) -> Result<(), String> {
    let Some((host, port)) = guard::destination(text) else {
        return Ok(());
    };
    let theirs = http::uri::Authority::try_from(text)
        .map_err(|e| format!("the guard accepted {text:?}, the host refuses it: {e}"))?;
    let their_host = theirs.host().trim_start_matches('[').trim_end_matches(']');
    if their_host.to_ascii_lowercase() != host || theirs.port_u16() != port {
        return Err(format!(
            "{text:?}: the guard reads {host}:{port:?}, the host {their_host}:{:?}",
            theirs.port_u16()
        ));
    }
    // What the host connects to: the authority as written, plus a default port.
    let connects = match theirs.port() {
        Some(_) => theirs.to_string(),
        None => format!("{theirs}:80"),
    };
    let shown = match host.contains(':') {
        true => format!("[{host}]:{}", port.unwrap_or(80)),
        false => format!("{host}:{}", port.unwrap_or(80)),
    };
    if connects.to_ascii_lowercase() != shown {
        return Err(format!(
            "{text:?}: the guard allows {shown}, the host connects to {connects}"
        ));
    }
    Ok(())
}

/// The fuzz target's body: [`authority`] of `data` as text (not UTF-8: nothing to do,
/// the WIT carries strings).
pub fn authority_bytes(data: &[u8]) -> Result<(), String> {
    std::str::from_utf8(data).map_or(Ok(()), authority)
}

#[cfg(test)]
mod tests {
    use super::{authority, guard::destination};

    #[test]
    fn the_guard_refuses_what_is_not_host_and_port() {
        for refused in [
            "127.0.0.1:8080@127.0.0.1:9090",
            "user@example.com",
            "user:pw@example.com:80",
            "",
            ":80",
            "example.com:",
            "example.com:http",
            "example.com:65536",
            "example.com:080080",
            "72:022",
            "[::1]:0443",
            "exa mple.com",
            "example.com/path",
            "example.com?q",
            "example.com#f",
            "ex%61mple.com",
            "[::1",
            "[::1]x",
            "[::1]:",
            "[fe80::1%eth0]:80",
            "[not-v6]:80",
            "a:b:c",
            "example.com\r\nHost: evil",
        ] {
            assert_eq!(destination(refused), None, "{refused:?}");
        }
        assert_eq!(
            destination("Example.COM"),
            Some(("example.com".into(), None))
        );
        assert_eq!(
            destination("127.0.0.1:8080"),
            Some(("127.0.0.1".into(), Some(8080)))
        );
        assert_eq!(destination("[::1]:443"), Some(("::1".into(), Some(443))));
    }

    #[test]
    fn what_the_guard_accepts_the_host_reads_the_same_way() {
        for text in [
            "example.com",
            "Example.com:8080",
            "127.0.0.1:1",
            "[::1]",
            "[2001:DB8::1]:65535",
            "a_b.c-d",
        ] {
            authority(text).unwrap();
        }
    }
}
