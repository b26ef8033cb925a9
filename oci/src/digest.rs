//! Content digests (`ALGORITHM:HEX`): the only text from a registry that ever becomes
//! part of a file name, so it is parsed strictly before it touches a path, and every
//! byte it names is checked against it as it arrives.

use sha2::{Digest as _, Sha256, Sha512};

/// A digest witpipe can check: `sha256:` and 64, or `sha512:` and 128, lower-case hex
/// digits.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Digest {
    algorithm: Algorithm,
    hex: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Algorithm {
    Sha256,
    Sha512,
}

impl Digest {
    /// Parses `text`; the error says what a digest must be.
    pub fn parse(text: &str) -> Result<Digest, String> {
        let refuse = || {
            format!(
                "`{}` is not a content digest (expected `sha256:` and 64 lower-case hex digits, or `sha512:` and 128)",
                text.escape_debug()
            )
        };
        let (algorithm, hex) = text.split_once(':').ok_or_else(refuse)?;
        let (algorithm, len) = match algorithm {
            "sha256" => (Algorithm::Sha256, 64),
            "sha512" => (Algorithm::Sha512, 128),
            _ => return Err(refuse()),
        };
        let hex_digit = |b: u8| b.is_ascii_digit() || (b'a'..=b'f').contains(&b);
        if hex.len() != len || !hex.bytes().all(hex_digit) {
            return Err(refuse());
        }
        Ok(Digest {
            algorithm,
            hex: hex.to_string(),
        })
    }

    /// The SHA-256 digest of `bytes`.
    pub fn sha256_of(bytes: &[u8]) -> Digest {
        Digest {
            algorithm: Algorithm::Sha256,
            hex: format!("{:x}", Sha256::digest(bytes)),
        }
    }

    /// The SHA-256 digest and the size of the file at `path`, read in chunks.
    pub fn sha256_of_file(path: &std::path::Path) -> std::io::Result<(Digest, u64)> {
        let mut hasher = Sha256::new();
        let size = std::io::copy(&mut std::fs::File::open(path)?, &mut hasher)?;
        let hex = format!("{:x}", hasher.finalize());
        let digest = Digest {
            algorithm: Algorithm::Sha256,
            hex,
        };
        Ok((digest, size))
    }

    /// A file name for what this digest names: `sha256-HEX` (nothing but the
    /// algorithm, a dash and hex digits).
    pub fn file_stem(&self) -> String {
        format!("{}-{}", self.algorithm.name(), self.hex)
    }

    /// A hasher of this digest's algorithm, to check bytes as they arrive.
    pub fn verifier(&self) -> Verifier {
        Verifier {
            expected: self.clone(),
            state: match self.algorithm {
                Algorithm::Sha256 => State::Sha256(Sha256::new()),
                Algorithm::Sha512 => State::Sha512(Box::new(Sha512::new())),
            },
        }
    }

    /// Whether `bytes` have this digest.
    pub fn matches(&self, bytes: &[u8]) -> bool {
        let mut v = self.verifier();
        v.update(bytes);
        v.finish().is_ok()
    }
}

impl std::fmt::Display for Digest {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}:{}", self.algorithm.name(), self.hex)
    }
}

impl Algorithm {
    fn name(self) -> &'static str {
        match self {
            Algorithm::Sha256 => "sha256",
            Algorithm::Sha512 => "sha512",
        }
    }
}

/// Bytes hashed as they arrive, checked against a [`Digest`] at the end.
pub struct Verifier {
    expected: Digest,
    state: State,
}

enum State {
    Sha256(Sha256),
    Sha512(Box<Sha512>),
}

impl Verifier {
    /// Hashes the next bytes.
    pub fn update(&mut self, bytes: &[u8]) {
        match &mut self.state {
            State::Sha256(h) => h.update(bytes),
            State::Sha512(h) => h.update(bytes),
        }
    }

    /// `Ok` if the bytes had the expected digest, else the digest they had.
    pub fn finish(self) -> Result<(), String> {
        let hex = match self.state {
            State::Sha256(h) => format!("{:x}", h.finalize()),
            State::Sha512(h) => format!("{:x}", h.finalize()),
        };
        if hex == self.expected.hex {
            Ok(())
        } else {
            Err(format!("{}:{hex}", self.expected.algorithm.name()))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::Digest;

    #[test]
    fn only_algorithm_colon_hex_of_the_right_length_is_a_digest() {
        let good = format!("sha256:{}", "a".repeat(64));
        assert_eq!(
            Digest::parse(&good).unwrap().file_stem(),
            format!("sha256-{}", "a".repeat(64))
        );
        Digest::parse(&format!("sha512:{}", "0".repeat(128))).unwrap();
        for bad in [
            "/some/dir/evil".to_string(),
            "sha256:../../etc/passwd".into(),
            format!("sha256:{}", "a".repeat(63)),
            format!("sha256:{}", "a".repeat(65)),
            format!("sha256:{}", "A".repeat(64)),
            format!("sha256:{}/", "a".repeat(63)),
            format!("md5:{}", "a".repeat(32)),
            format!("sha512:{}", "a".repeat(64)),
            format!("sha256:{}\n", "a".repeat(64)),
            String::new(),
        ] {
            assert!(Digest::parse(&bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn a_verifier_tells_the_digest_of_what_arrived() {
        let d = Digest::sha256_of(b"hello");
        let mut v = d.verifier();
        v.update(b"hel");
        v.update(b"lo");
        v.finish().unwrap();
        assert!(!d.matches(b"hello!"));
    }
}
