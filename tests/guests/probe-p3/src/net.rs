//! Network modes through `wasi:sockets@0.3`.

use std::future::IntoFuture;
use wasip3::sockets::types::{IpAddressFamily, IpSocketAddress, Ipv4SocketAddress, TcpSocket};

/// `tcp any` creates a socket; `tcp A.B.C.D:PORT` connects, sends a request through
/// a stream and reads what comes back (`connected, got "…"`), or says why not.
pub async fn tcp(target: &str) -> String {
    let socket = match TcpSocket::create(IpAddressFamily::Ipv4) {
        Ok(s) => s,
        Err(e) => return format!("error: {e:?}"),
    };
    if target == "any" {
        return "created a socket".into();
    }
    let Some(address) = parse(target) else {
        return format!("error: not an IPv4 address and port: {target}");
    };
    if let Err(e) = socket.connect(address).await {
        return format!("error: {e:?}");
    }
    let (mut tx, rx) = wasip3::wit_stream::new();
    let sent = socket.send(rx);
    let (received, ended) = socket.receive();
    let (sent, ()) = futures::join!(sent.into_future(), async {
        tx.write_all(b"GET / HTTP/1.0\r\n\r\n".to_vec()).await;
        drop(tx);
    });
    let reply = received.collect().await;
    let ended = ended.await;
    let reply = String::from_utf8_lossy(&reply);
    let body = reply.rsplit("\r\n\r\n").next().unwrap_or_default();
    format!("connected, sent {sent:?}, got {body:?}, {ended:?}")
}

fn parse(text: &str) -> Option<IpSocketAddress> {
    let (ip, port) = text.rsplit_once(':')?;
    let ip: std::net::Ipv4Addr = ip.parse().ok()?;
    let [a, b, c, d] = ip.octets();
    Some(IpSocketAddress::Ipv4(Ipv4SocketAddress {
        port: port.parse().ok()?,
        address: (a, b, c, d),
    }))
}
