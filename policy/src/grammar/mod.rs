//! The pattern languages of the grants, one type and one parser each, shared by the
//! checker, the wrappers inside the output (which compile these files in through
//! `#[path]`, so they use `std` alone) and the deploy targets.

pub mod connect_rule;
pub mod http_pattern;

pub use connect_rule::ConnectRule;
pub use http_pattern::{HttpPattern, PatternPort};

/// An `http:` pattern is written (in host contracts, manifests) as its text.
impl serde::Serialize for HttpPattern {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

/// ... and read back with its grammar.
impl<'de> serde::Deserialize<'de> for HttpPattern {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let text = String::deserialize(d)?;
        HttpPattern::parse(&text).map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::{ConnectRule, HttpPattern, PatternPort};

    #[test]
    fn http_patterns_match_as_the_guard_applies_them() {
        let p = |t: &str| HttpPattern::parse(t).unwrap();
        let wild = p("https://*.Example.com");
        assert_eq!(wild.host, "*.example.com");
        assert_eq!(wild.port, PatternPort::Default);
        assert!(wild.matches("https", "api.example.com", 443));
        assert!(!wild.matches("https", "example.com", 443));
        assert!(!wild.matches("https", "evilexample.com", 443));
        assert!(!wild.matches("http", "api.example.com", 80));
        assert!(!wild.matches("https", "api.example.com", 8443));
        let any = p("*://[::1]:*");
        assert!(any.matches("http", "::1", 1234));
        assert_eq!(any.to_string(), "*://[::1]:*");
        assert!(p("http://10.0.0.1:8080").matches("http", "10.0.0.1", 8080));
        assert_eq!(
            p("https://API.example.com:443").to_string(),
            "https://api.example.com:443"
        );
    }

    #[test]
    fn connect_rules_allow_their_network_and_port_only() {
        let r = |t: &str| ConnectRule::parse(t).unwrap();
        let net = r("10.0.0.0/8:443");
        assert!(net.allows("10.1.2.3".parse().unwrap(), 443));
        assert!(!net.allows("11.0.0.1".parse().unwrap(), 443));
        assert!(!net.allows("10.1.2.3".parse().unwrap(), 80));
        assert!(!net.allows("::ffff:10.1.2.3".parse().unwrap(), 443));
        let v6 = r("[fe80::/16]:*");
        assert!(v6.allows("fe80::1".parse().unwrap(), 1));
        assert!(!v6.allows("fe81::1".parse().unwrap(), 1));
        assert!(r("*:*").allows("192.0.2.1".parse().unwrap(), 9));
        assert_eq!(r("127.0.0.1:80").to_string(), "127.0.0.1:80");
        assert_eq!(r("[::1]:80").to_string(), "[::1]:80");
        assert!(ConnectRule::parse("::1:80").is_err());
    }
}
