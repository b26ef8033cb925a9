//! What the filesystem guards of both WASI lines share: the conversions between the
//! host's and the exported copies of `wasi:filesystem/types` (the same WIT, so the
//! same cases).

/// Converts between the host's and the exported copies of an enum or variant whose
/// cases carry nothing; `extra` arms convert the cases that do.
macro_rules! enum_conv {
    ($name:ident: $from:ty => $to:ty { $($v:ident),* $(,)? } $($pat:pat => $e:expr),*) => {
        fn $name(x: $from) -> $to {
            match x { $(<$from>::$v => <$to>::$v,)* $($pat => $e,)* }
        }
    };
}

/// The conversions both lines need (`error-code`, `descriptor-type` and `advice`: the
/// cases both lines have, plus the extra arms a line needs — 0.2 alone has
/// `would-block` and `unknown`, 0.3 alone `other(option<string>)`; stats, hashes, path
/// flags, timestamps), and the wrapper's `Descriptor`: a host descriptor on a mount.
macro_rules! fs_conversions {
    ($host:ident, $ex:ident $(; $($pat:pat => $e:expr),*)? $(;; $($tpat:pat => $te:expr),*)?) => {
        $crate::fs_types::enum_conv!(error_code: $host::ErrorCode => $ex::ErrorCode {
            Access, Already, BadDescriptor, Busy, Deadlock, Quota, Exist,
            FileTooLarge, IllegalByteSequence, InProgress, Interrupted, Invalid, Io,
            IsDirectory, Loop, TooManyLinks, MessageSize, NameTooLong, NoDevice, NoEntry,
            NoLock, InsufficientMemory, InsufficientSpace, NotDirectory, NotEmpty,
            NotRecoverable, Unsupported, NoTty, NoSuchDevice, Overflow, NotPermitted, Pipe,
            ReadOnly, InvalidSeek, TextFileBusy, CrossDevice,
        } $($($pat => $e),*)?);
        $crate::fs_types::enum_conv!(descriptor_type: $host::DescriptorType => $ex::DescriptorType {
            BlockDevice, CharacterDevice, Directory, Fifo, SymbolicLink, RegularFile, Socket,
        } $($($tpat => $te),*)?);
        $crate::fs_types::enum_conv!(advice: $ex::Advice => $host::Advice {
            Normal, Sequential, Random, WillNeed, DontNeed, NoReuse,
        });

        fn err<T>(r: Result<T, $host::ErrorCode>) -> Result<T, $ex::ErrorCode> {
            r.map_err(error_code)
        }

        fn stat(s: $host::DescriptorStat) -> $ex::DescriptorStat {
            $ex::DescriptorStat {
                type_: descriptor_type(s.type_),
                link_count: s.link_count,
                size: s.size,
                data_access_timestamp: s.data_access_timestamp,
                data_modification_timestamp: s.data_modification_timestamp,
                status_change_timestamp: s.status_change_timestamp,
            }
        }

        fn hash(h: $host::MetadataHashValue) -> $ex::MetadataHashValue {
            $ex::MetadataHashValue {
                lower: h.lower,
                upper: h.upper,
            }
        }

        fn path_flags(f: $ex::PathFlags) -> $host::PathFlags {
            $host::PathFlags::from_bits_retain(f.bits())
        }

        fn timestamp(t: $ex::NewTimestamp) -> $host::NewTimestamp {
            match t {
                $ex::NewTimestamp::NoChange => $host::NewTimestamp::NoChange,
                $ex::NewTimestamp::Now => $host::NewTimestamp::Now,
                $ex::NewTimestamp::Timestamp(d) => $host::NewTimestamp::Timestamp(d),
            }
        }

        /// A host descriptor on a mount, and whether the mount is writable.
        pub struct Descriptor {
            inner: $host::Descriptor,
            writable: bool,
        }

        impl Descriptor {
            /// Fails with `read-only` on a read-only mount.
            fn mutable(&self) -> Result<(), $ex::ErrorCode> {
                if self.writable {
                    Ok(())
                } else {
                    Err($ex::ErrorCode::ReadOnly)
                }
            }

            /// Fails with `read-only` unless both this mount and `to`'s are writable
            /// (a link or rename changes both directories).
            fn both_mutable(&self, to: &Descriptor) -> Result<(), $ex::ErrorCode> {
                self.mutable()?;
                to.mutable()
            }

            /// Fails with `read-only` when an `open-at` asks to create, truncate or
            /// write on a read-only mount.
            fn may_open(
                &self,
                open: $ex::OpenFlags,
                flags: $ex::DescriptorFlags,
            ) -> Result<(), $ex::ErrorCode> {
                if open.bits() & $crate::fs_types::CHANGING_OPENS != 0
                    || flags.bits() & $crate::fs_types::CHANGING_FLAGS != 0
                {
                    self.mutable()?;
                }
                Ok(())
            }

            /// The host's flags as this mount shows them: no write or
            /// directory-mutation flag on a read-only mount.
            fn shown_flags(&self, host: $host::DescriptorFlags) -> $ex::DescriptorFlags {
                let mut bits = host.bits();
                if !self.writable {
                    bits &= !$crate::fs_types::CHANGING_FLAGS;
                }
                $ex::DescriptorFlags::from_bits_retain(bits)
            }
        }
    };
}
pub(crate) use {enum_conv, fs_conversions};

/// Whether a preopen named `name` is mounted, and if so whether it is writable.
pub fn mounted(mounts: &[(String, bool)], name: &str) -> Option<bool> {
    mounts.iter().find(|(guest, _)| guest == name).map(|m| m.1)
}

/// The `descriptor-flags` bits that let a descriptor change anything (`write`,
/// `mutate-directory`), the same at both lines.
pub const CHANGING_FLAGS: u8 = 0b10 | 0b10_0000;
/// The `open-flags` bits that create or change a file (`create`, `exclusive`,
/// `truncate`).
pub const CHANGING_OPENS: u8 = 0b1 | 0b100 | 0b1000;
