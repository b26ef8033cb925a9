//! Granted directories only, read-only where the grant says so.
//!
//! The host's preopens are filtered to the mounts in the settings (`mount=GUEST=ro`
//! or `mount=GUEST=rw`, one per line). Every descriptor handed to the component wraps
//! a host descriptor: reads pass through, and on a read-only mount every mutating
//! call, and every `open-at` that asks to create, truncate or write, fails with
//! `read-only`. Path resolution (`..`, absolute paths, symlinks) stays the host's:
//! WASI hosts refuse paths that leave a preopen, so the wrapper needs no path logic.

#[path = "../../fs_types.rs"]
mod fs_types;
#[path = "../../settings.rs"]
mod settings;

wit_bindgen::generate!({
    path: "../../wit",
    world: "witpipe:policy/fs-guard",
    generate_all,
});

use exports::wasi::filesystem::{preopens, types as ex};
use wasi::filesystem::{preopens as host_preopens, types as host};
use wasi::io::streams::{InputStream, OutputStream};

thread_local! {
    static SETTINGS: settings::Settings = settings::Settings::parse(&witpipe::policy::settings::get());
}

fs_types::fs_conversions!(host, ex;
    host::ErrorCode::WouldBlock => ex::ErrorCode::WouldBlock;;
    host::DescriptorType::Unknown => ex::DescriptorType::Unknown);

/// The descriptor inside a borrowed exported descriptor.
fn inner(d: ex::DescriptorBorrow<'_>) -> &host::Descriptor {
    &d.get::<Descriptor>().inner
}

/// A host directory listing.
pub struct DirectoryEntryStream(host::DirectoryEntryStream);

struct FsGuard;

impl ex::Guest for FsGuard {
    type Descriptor = Descriptor;
    type DirectoryEntryStream = DirectoryEntryStream;

    fn filesystem_error_code(e: &wasi::io::error::Error) -> Option<ex::ErrorCode> {
        host::filesystem_error_code(e).map(error_code)
    }
}

impl ex::GuestDirectoryEntryStream for DirectoryEntryStream {
    fn read_directory_entry(&self) -> Result<Option<ex::DirectoryEntry>, ex::ErrorCode> {
        Ok(
            err(self.0.read_directory_entry())?.map(|e| ex::DirectoryEntry {
                type_: descriptor_type(e.type_),
                name: e.name,
            }),
        )
    }
}

impl ex::GuestDescriptor for Descriptor {
    fn read_via_stream(&self, offset: u64) -> Result<InputStream, ex::ErrorCode> {
        err(self.inner.read_via_stream(offset))
    }
    fn write_via_stream(&self, offset: u64) -> Result<OutputStream, ex::ErrorCode> {
        self.mutable()?;
        err(self.inner.write_via_stream(offset))
    }
    fn append_via_stream(&self) -> Result<OutputStream, ex::ErrorCode> {
        self.mutable()?;
        err(self.inner.append_via_stream())
    }
    fn advise(&self, offset: u64, length: u64, a: ex::Advice) -> Result<(), ex::ErrorCode> {
        err(self.inner.advise(offset, length, advice(a)))
    }
    fn sync_data(&self) -> Result<(), ex::ErrorCode> {
        self.mutable()?;
        err(self.inner.sync_data())
    }
    fn get_flags(&self) -> Result<ex::DescriptorFlags, ex::ErrorCode> {
        Ok(self.shown_flags(err(self.inner.get_flags())?))
    }
    fn get_type(&self) -> Result<ex::DescriptorType, ex::ErrorCode> {
        err(self.inner.get_type()).map(descriptor_type)
    }
    fn set_size(&self, size: u64) -> Result<(), ex::ErrorCode> {
        self.mutable()?;
        err(self.inner.set_size(size))
    }
    fn set_times(
        &self,
        atime: ex::NewTimestamp,
        mtime: ex::NewTimestamp,
    ) -> Result<(), ex::ErrorCode> {
        self.mutable()?;
        err(self.inner.set_times(timestamp(atime), timestamp(mtime)))
    }
    fn read(&self, length: u64, offset: u64) -> Result<(Vec<u8>, bool), ex::ErrorCode> {
        err(self.inner.read(length, offset))
    }
    fn write(&self, buffer: Vec<u8>, offset: u64) -> Result<u64, ex::ErrorCode> {
        self.mutable()?;
        err(self.inner.write(&buffer, offset))
    }
    fn read_directory(&self) -> Result<ex::DirectoryEntryStream, ex::ErrorCode> {
        Ok(ex::DirectoryEntryStream::new(DirectoryEntryStream(err(
            self.inner.read_directory(),
        )?)))
    }
    fn sync(&self) -> Result<(), ex::ErrorCode> {
        self.mutable()?;
        err(self.inner.sync())
    }
    fn create_directory_at(&self, path: String) -> Result<(), ex::ErrorCode> {
        self.mutable()?;
        err(self.inner.create_directory_at(&path))
    }
    fn stat(&self) -> Result<ex::DescriptorStat, ex::ErrorCode> {
        err(self.inner.stat()).map(stat)
    }
    fn stat_at(
        &self,
        flags: ex::PathFlags,
        path: String,
    ) -> Result<ex::DescriptorStat, ex::ErrorCode> {
        err(self.inner.stat_at(path_flags(flags), &path)).map(stat)
    }
    fn set_times_at(
        &self,
        flags: ex::PathFlags,
        path: String,
        atime: ex::NewTimestamp,
        mtime: ex::NewTimestamp,
    ) -> Result<(), ex::ErrorCode> {
        self.mutable()?;
        err(self
            .inner
            .set_times_at(path_flags(flags), &path, timestamp(atime), timestamp(mtime)))
    }
    fn link_at(
        &self,
        old_flags: ex::PathFlags,
        old_path: String,
        new_descriptor: ex::DescriptorBorrow<'_>,
        new_path: String,
    ) -> Result<(), ex::ErrorCode> {
        self.both_mutable(new_descriptor.get::<Descriptor>())?;
        err(self.inner.link_at(
            path_flags(old_flags),
            &old_path,
            inner(new_descriptor),
            &new_path,
        ))
    }
    fn open_at(
        &self,
        flags: ex::PathFlags,
        path: String,
        open: ex::OpenFlags,
        dflags: ex::DescriptorFlags,
    ) -> Result<ex::Descriptor, ex::ErrorCode> {
        self.may_open(open, dflags)?;
        let d = err(self.inner.open_at(
            path_flags(flags),
            &path,
            host::OpenFlags::from_bits_retain(open.bits()),
            host::DescriptorFlags::from_bits_retain(dflags.bits()),
        ))?;
        Ok(ex::Descriptor::new(Descriptor {
            inner: d,
            writable: self.writable,
        }))
    }
    fn readlink_at(&self, path: String) -> Result<String, ex::ErrorCode> {
        err(self.inner.readlink_at(&path))
    }
    fn remove_directory_at(&self, path: String) -> Result<(), ex::ErrorCode> {
        self.mutable()?;
        err(self.inner.remove_directory_at(&path))
    }
    fn rename_at(
        &self,
        old_path: String,
        new_descriptor: ex::DescriptorBorrow<'_>,
        new_path: String,
    ) -> Result<(), ex::ErrorCode> {
        self.both_mutable(new_descriptor.get::<Descriptor>())?;
        err(self
            .inner
            .rename_at(&old_path, inner(new_descriptor), &new_path))
    }
    fn symlink_at(&self, old_path: String, new_path: String) -> Result<(), ex::ErrorCode> {
        self.mutable()?;
        err(self.inner.symlink_at(&old_path, &new_path))
    }
    fn unlink_file_at(&self, path: String) -> Result<(), ex::ErrorCode> {
        self.mutable()?;
        err(self.inner.unlink_file_at(&path))
    }
    fn is_same_object(&self, other: ex::DescriptorBorrow<'_>) -> bool {
        self.inner.is_same_object(inner(other))
    }
    fn metadata_hash(&self) -> Result<ex::MetadataHashValue, ex::ErrorCode> {
        err(self.inner.metadata_hash()).map(hash)
    }
    fn metadata_hash_at(
        &self,
        flags: ex::PathFlags,
        path: String,
    ) -> Result<ex::MetadataHashValue, ex::ErrorCode> {
        err(self.inner.metadata_hash_at(path_flags(flags), &path)).map(hash)
    }
}

impl preopens::Guest for FsGuard {
    fn get_directories() -> Vec<(ex::Descriptor, String)> {
        let mounts = SETTINGS.with(settings::Settings::mounts);
        host_preopens::get_directories()
            .into_iter()
            .filter_map(|(d, name)| {
                let writable = fs_types::mounted(&mounts, &name)?;
                Some((ex::Descriptor::new(Descriptor { inner: d, writable }), name))
            })
            .collect()
    }
}

export!(FsGuard);
