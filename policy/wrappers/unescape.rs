//! Undoing `MARKER` + two hex digits escapes (`%20` in URLs, `=20` in NATS keys); shared
//! through `#[path]` by the keyvalue-bucket wrapper (the keys it stores) and by the
//! lattice test's front stage and key-value provider.

/// `text` with every `marker` followed by two hex digits replaced by that byte; a marker
/// without them stays as it is.
pub fn unescape(text: &str, marker: u8) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = text
            .get(i + 1..i + 3)
            .and_then(|h| u8::from_str_radix(h, 16).ok());
        match hex {
            Some(b) if bytes[i] == marker => {
                out.push(b);
                i += 3;
            }
            _ => {
                out.push(bytes[i]);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}
