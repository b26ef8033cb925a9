//! No filesystem: no preopened directories, so no descriptor can ever be obtained
//! (`wasi:filesystem/preopens` is the only source of descriptors in WASI 0.2). The
//! `types` interface is answered here as well, with resource types that cannot be
//! constructed, so the composed component imports nothing of the host's filesystem.

wit_bindgen::generate!({
    path: "../../wit",
    world: "witpipe:policy/fs-deny",
    generate_all,
});

use exports::wasi::filesystem::{preopens, types as ex};
use wasi::io::streams::{InputStream, OutputStream};

/// A resource that cannot exist: no value of this type can be made.
pub enum Never {}

type R<T> = Result<T, ex::ErrorCode>;

struct FsDeny;

impl preopens::Guest for FsDeny {
    fn get_directories() -> Vec<(ex::Descriptor, String)> {
        Vec::new()
    }
}

impl ex::Guest for FsDeny {
    type Descriptor = Never;
    type DirectoryEntryStream = Never;

    fn filesystem_error_code(_: &wasi::io::error::Error) -> Option<ex::ErrorCode> {
        None
    }
}

impl ex::GuestDirectoryEntryStream for Never {
    fn read_directory_entry(&self) -> R<Option<ex::DirectoryEntry>> {
        match *self {}
    }
}

impl ex::GuestDescriptor for Never {
    fn read_via_stream(&self, _: u64) -> R<InputStream> {
        match *self {}
    }
    fn write_via_stream(&self, _: u64) -> R<OutputStream> {
        match *self {}
    }
    fn append_via_stream(&self) -> R<OutputStream> {
        match *self {}
    }
    fn advise(&self, _: u64, _: u64, _: ex::Advice) -> R<()> {
        match *self {}
    }
    fn sync_data(&self) -> R<()> {
        match *self {}
    }
    fn get_flags(&self) -> R<ex::DescriptorFlags> {
        match *self {}
    }
    fn get_type(&self) -> R<ex::DescriptorType> {
        match *self {}
    }
    fn set_size(&self, _: u64) -> R<()> {
        match *self {}
    }
    fn set_times(&self, _: ex::NewTimestamp, _: ex::NewTimestamp) -> R<()> {
        match *self {}
    }
    fn read(&self, _: u64, _: u64) -> R<(Vec<u8>, bool)> {
        match *self {}
    }
    fn write(&self, _: Vec<u8>, _: u64) -> R<u64> {
        match *self {}
    }
    fn read_directory(&self) -> R<ex::DirectoryEntryStream> {
        match *self {}
    }
    fn sync(&self) -> R<()> {
        match *self {}
    }
    fn create_directory_at(&self, _: String) -> R<()> {
        match *self {}
    }
    fn stat(&self) -> R<ex::DescriptorStat> {
        match *self {}
    }
    fn stat_at(&self, _: ex::PathFlags, _: String) -> R<ex::DescriptorStat> {
        match *self {}
    }
    fn set_times_at(
        &self,
        _: ex::PathFlags,
        _: String,
        _: ex::NewTimestamp,
        _: ex::NewTimestamp,
    ) -> R<()> {
        match *self {}
    }
    fn link_at(
        &self,
        _: ex::PathFlags,
        _: String,
        _: ex::DescriptorBorrow<'_>,
        _: String,
    ) -> R<()> {
        match *self {}
    }
    fn open_at(
        &self,
        _: ex::PathFlags,
        _: String,
        _: ex::OpenFlags,
        _: ex::DescriptorFlags,
    ) -> R<ex::Descriptor> {
        match *self {}
    }
    fn readlink_at(&self, _: String) -> R<String> {
        match *self {}
    }
    fn remove_directory_at(&self, _: String) -> R<()> {
        match *self {}
    }
    fn rename_at(&self, _: String, _: ex::DescriptorBorrow<'_>, _: String) -> R<()> {
        match *self {}
    }
    fn symlink_at(&self, _: String, _: String) -> R<()> {
        match *self {}
    }
    fn unlink_file_at(&self, _: String) -> R<()> {
        match *self {}
    }
    fn is_same_object(&self, _: ex::DescriptorBorrow<'_>) -> bool {
        match *self {}
    }
    fn metadata_hash(&self) -> R<ex::MetadataHashValue> {
        match *self {}
    }
    fn metadata_hash_at(&self, _: ex::PathFlags, _: String) -> R<ex::MetadataHashValue> {
        match *self {}
    }
}

export!(FsDeny);
