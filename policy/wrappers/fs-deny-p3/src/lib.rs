//! No filesystem at WASI 0.3: no preopened directories, so no descriptor can ever be
//! obtained (`wasi:filesystem/preopens` is the only source of them). `types` is
//! answered here too, with a descriptor type that cannot be constructed, so the
//! composed component imports nothing of the host's filesystem.

wit_bindgen::generate!({
    path: "../../wit/p3",
    world: "witpipe:policy-p3/fs-deny",
    generate_all,
});

use exports::wasi::filesystem::{preopens, types};
use types::{
    Advice, DescriptorBorrow, DescriptorFlags, DescriptorStat, DescriptorType, DirectoryEntry,
    ErrorCode, MetadataHashValue, NewTimestamp, OpenFlags, PathFlags,
};
use wit_bindgen::{FutureReader, StreamReader};

type R<T> = Result<T, ErrorCode>;
type Done = FutureReader<R<()>>;

struct FsDeny;

/// A descriptor that never exists.
pub enum NoDescriptor {}

impl preopens::Guest for FsDeny {
    fn get_directories() -> Vec<(types::Descriptor, String)> {
        Vec::new()
    }
}

impl types::Guest for FsDeny {
    type Descriptor = NoDescriptor;
}

impl types::GuestDescriptor for NoDescriptor {
    fn read_via_stream(&self, _: u64) -> (StreamReader<u8>, Done) {
        match *self {}
    }
    fn write_via_stream(&self, _: StreamReader<u8>, _: u64) -> Done {
        match *self {}
    }
    fn append_via_stream(&self, _: StreamReader<u8>) -> Done {
        match *self {}
    }
    async fn advise(&self, _: u64, _: u64, _: Advice) -> R<()> {
        match *self {}
    }
    async fn sync_data(&self) -> R<()> {
        match *self {}
    }
    async fn get_flags(&self) -> R<DescriptorFlags> {
        match *self {}
    }
    async fn get_type(&self) -> R<DescriptorType> {
        match *self {}
    }
    async fn set_size(&self, _: u64) -> R<()> {
        match *self {}
    }
    async fn set_times(&self, _: NewTimestamp, _: NewTimestamp) -> R<()> {
        match *self {}
    }
    fn read_directory(&self) -> (StreamReader<DirectoryEntry>, Done) {
        match *self {}
    }
    async fn sync(&self) -> R<()> {
        match *self {}
    }
    async fn create_directory_at(&self, _: String) -> R<()> {
        match *self {}
    }
    async fn stat(&self) -> R<DescriptorStat> {
        match *self {}
    }
    async fn stat_at(&self, _: PathFlags, _: String) -> R<DescriptorStat> {
        match *self {}
    }
    async fn set_times_at(
        &self,
        _: PathFlags,
        _: String,
        _: NewTimestamp,
        _: NewTimestamp,
    ) -> R<()> {
        match *self {}
    }
    async fn link_at(&self, _: PathFlags, _: String, _: DescriptorBorrow<'_>, _: String) -> R<()> {
        match *self {}
    }
    async fn open_at(
        &self,
        _: PathFlags,
        _: String,
        _: OpenFlags,
        _: DescriptorFlags,
    ) -> R<types::Descriptor> {
        match *self {}
    }
    async fn readlink_at(&self, _: String) -> R<String> {
        match *self {}
    }
    async fn remove_directory_at(&self, _: String) -> R<()> {
        match *self {}
    }
    async fn rename_at(&self, _: String, _: DescriptorBorrow<'_>, _: String) -> R<()> {
        match *self {}
    }
    async fn symlink_at(&self, _: String, _: String) -> R<()> {
        match *self {}
    }
    async fn unlink_file_at(&self, _: String) -> R<()> {
        match *self {}
    }
    async fn is_same_object(&self, _: DescriptorBorrow<'_>) -> bool {
        match *self {}
    }
    async fn metadata_hash(&self) -> R<MetadataHashValue> {
        match *self {}
    }
    async fn metadata_hash_at(&self, _: PathFlags, _: String) -> R<MetadataHashValue> {
        match *self {}
    }
}

export!(FsDeny);
