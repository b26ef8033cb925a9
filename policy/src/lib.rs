//! Grants and capability wrappers for witpipe pipelines.
//!
//! This crate owns what a pipeline may grant to each component and, later, the
//! wrapper components that enforce it. It never runs a component: no wasmtime here.
//!
//! Status: the grant *syntax* is reserved and parsed (so a pipeline file can carry
//! it and errors can point at it), but enforcement is not implemented yet. Until it
//! is, [`GrantsSpec::check_supported`] refuses every non-empty grant with
//! [`PolicyError::NotYetSupported`] rather than composing an output that would
//! silently give a component more authority than its file says.
#![deny(missing_docs)]

use serde::Deserialize;

/// The `grants:` (or `defaults:`) block of a pipeline file, kept opaque until the
/// policy layer lands.
#[derive(Debug, Clone, Default)]
pub struct GrantsSpec {
    /// Whether the block named anything at all (`grants: {}` is empty).
    pub is_empty: bool,
}

impl<'de> Deserialize<'de> for GrantsSpec {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> serde::de::Visitor<'de> for V {
            type Value = GrantsSpec;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("a mapping of capabilities to grant")
            }
            fn visit_map<A: serde::de::MapAccess<'de>>(
                self,
                mut m: A,
            ) -> Result<GrantsSpec, A::Error> {
                let mut is_empty = true;
                while m
                    .next_entry::<serde::de::IgnoredAny, serde::de::IgnoredAny>()?
                    .is_some()
                {
                    is_empty = false;
                }
                Ok(GrantsSpec { is_empty })
            }
            fn visit_unit<E>(self) -> Result<GrantsSpec, E> {
                Ok(GrantsSpec { is_empty: true })
            }
        }
        d.deserialize_any(V)
    }
}

impl GrantsSpec {
    /// Refuses grants that this version of witpipe cannot enforce.
    pub fn check_supported(&self) -> Result<(), PolicyError> {
        if self.is_empty {
            Ok(())
        } else {
            Err(PolicyError::NotYetSupported)
        }
    }
}

/// Errors from the policy layer.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum PolicyError {
    /// Grants are parsed but not enforced yet.
    #[error("grants are not supported yet: this version of witpipe cannot enforce them")]
    NotYetSupported,
}
