//! Granted directories only, read-only where the grant says so, at WASI 0.3.
//!
//! As the 0.2 guard (`../fs-guard`): the host's preopens are filtered to the mounts
//! in the settings (`mount=GUEST=ro` or `mount=GUEST=rw`); every descriptor handed to
//! the component wraps a host descriptor; on a read-only mount every mutating call,
//! and every `open-at` that asks to create, truncate or write, fails with `read-only`.
//! Path resolution (`..`, absolute paths, symlinks) stays the host's, which refuses
//! paths that leave a preopen.
//!
//! WASI 0.3 moves data in streams. `read-via-stream` and `read-directory` hand the
//! host's stream and result future to the component as they are, and
//! `write-via-stream`/`append-via-stream` hand the component's stream to the host:
//! the wrapper never reads or copies a byte. A refused write drops the component's
//! stream unread and returns a future that already says `read-only`.

#[path = "../../fs_types.rs"]
mod fs_types;
#[path = "../../p3_future.rs"]
mod p3_future;
#[path = "../../settings.rs"]
mod settings;

wit_bindgen::generate!({
    path: "../../wit/p3",
    world: "witpipe:policy-p3/fs-guard",
    generate_all,
});

use exports::wasi::filesystem::{preopens, types as ex};
use wasi::filesystem::{preopens as host_preopens, types as host};
use wit_bindgen::{FutureReader, StreamReader};

thread_local! {
    static SETTINGS: settings::Settings = settings::Settings::parse(&witpipe::policy::settings::get());
}

fs_types::fs_conversions!(host, ex;
    host::ErrorCode::Other(s) => ex::ErrorCode::Other(s);;
    host::DescriptorType::Other(s) => ex::DescriptorType::Other(s));

type R<T> = Result<T, ex::ErrorCode>;
/// The future that ends a stream: the exported copy of its type.
type Done = FutureReader<R<()>>;

/// The end-of-stream future's glue (generated once, for the host's copy of the type).
const DONE: &wit_bindgen::rt::async_support::FutureVtable<Result<(), host::ErrorCode>> =
    <Result<(), host::ErrorCode> as wit_future::FuturePayload>::VTABLE;

/// The host's end-of-stream future, handed on.
fn pass_done(done: FutureReader<Result<(), host::ErrorCode>>) -> Done {
    p3_future::pass_future(done, DONE)
}

/// A future that already says `read-only`, for a refused write.
fn read_only() -> Done {
    pass_done(p3_future::ready(DONE, Err(host::ErrorCode::ReadOnly)))
}

impl Descriptor {
    /// Hands `data` to the host's `write` unless the mount is read-only; then the
    /// stream is dropped unread and the future already says `read-only`.
    fn write_with(
        &self,
        data: StreamReader<u8>,
        write: impl FnOnce(StreamReader<u8>) -> FutureReader<Result<(), host::ErrorCode>>,
    ) -> Done {
        if self.writable {
            pass_done(write(data))
        } else {
            drop(data);
            read_only()
        }
    }

    /// A descriptor on the same mount.
    fn sibling(&self, inner: host::Descriptor) -> ex::Descriptor {
        ex::Descriptor::new(Descriptor {
            inner,
            writable: self.writable,
        })
    }
}

/// The wrapper's descriptor behind a borrowed exported one.
fn ours(d: ex::DescriptorBorrow<'_>) -> &Descriptor {
    d.get::<Descriptor>()
}

struct FsGuard;

impl ex::Guest for FsGuard {
    type Descriptor = Descriptor;
}

impl ex::GuestDescriptor for Descriptor {
    fn read_via_stream(&self, offset: u64) -> (StreamReader<u8>, Done) {
        let (data, done) = self.inner.read_via_stream(offset);
        (data, pass_done(done))
    }
    fn write_via_stream(&self, data: StreamReader<u8>, offset: u64) -> Done {
        self.write_with(data, |data| self.inner.write_via_stream(data, offset))
    }
    fn append_via_stream(&self, data: StreamReader<u8>) -> Done {
        self.write_with(data, |data| self.inner.append_via_stream(data))
    }
    async fn advise(&self, offset: u64, length: u64, a: ex::Advice) -> R<()> {
        err(self.inner.advise(offset, length, advice(a)).await)
    }
    async fn sync_data(&self) -> R<()> {
        self.mutable()?;
        err(self.inner.sync_data().await)
    }
    async fn get_flags(&self) -> R<ex::DescriptorFlags> {
        Ok(self.shown_flags(err(self.inner.get_flags().await)?))
    }
    async fn get_type(&self) -> R<ex::DescriptorType> {
        err(self.inner.get_type().await).map(descriptor_type)
    }
    async fn set_size(&self, size: u64) -> R<()> {
        self.mutable()?;
        err(self.inner.set_size(size).await)
    }
    async fn set_times(&self, atime: ex::NewTimestamp, mtime: ex::NewTimestamp) -> R<()> {
        self.mutable()?;
        err(self
            .inner
            .set_times(timestamp(atime), timestamp(mtime))
            .await)
    }
    fn read_directory(&self) -> (StreamReader<ex::DirectoryEntry>, Done) {
        let (entries, done) = self.inner.read_directory();
        let entries = p3_future::pass_stream(
            entries,
            <host::DirectoryEntry as wit_stream::StreamPayload>::VTABLE,
        );
        (entries, pass_done(done))
    }
    async fn sync(&self) -> R<()> {
        self.mutable()?;
        err(self.inner.sync().await)
    }
    async fn create_directory_at(&self, path: String) -> R<()> {
        self.mutable()?;
        err(self.inner.create_directory_at(path).await)
    }
    async fn stat(&self) -> R<ex::DescriptorStat> {
        err(self.inner.stat().await).map(stat)
    }
    async fn stat_at(&self, flags: ex::PathFlags, path: String) -> R<ex::DescriptorStat> {
        err(self.inner.stat_at(path_flags(flags), path).await).map(stat)
    }
    async fn set_times_at(
        &self,
        flags: ex::PathFlags,
        path: String,
        atime: ex::NewTimestamp,
        mtime: ex::NewTimestamp,
    ) -> R<()> {
        self.mutable()?;
        let (atime, mtime) = (timestamp(atime), timestamp(mtime));
        err(self
            .inner
            .set_times_at(path_flags(flags), path, atime, mtime)
            .await)
    }
    async fn link_at(
        &self,
        old_flags: ex::PathFlags,
        old_path: String,
        new_descriptor: ex::DescriptorBorrow<'_>,
        new_path: String,
    ) -> R<()> {
        let to = ours(new_descriptor);
        self.both_mutable(to)?;
        err(self
            .inner
            .link_at(path_flags(old_flags), old_path, &to.inner, new_path)
            .await)
    }
    async fn open_at(
        &self,
        flags: ex::PathFlags,
        path: String,
        open: ex::OpenFlags,
        dflags: ex::DescriptorFlags,
    ) -> R<ex::Descriptor> {
        self.may_open(open, dflags)?;
        let opened = self.inner.open_at(
            path_flags(flags),
            path,
            host::OpenFlags::from_bits_retain(open.bits()),
            host::DescriptorFlags::from_bits_retain(dflags.bits()),
        );
        Ok(self.sibling(err(opened.await)?))
    }
    async fn readlink_at(&self, path: String) -> R<String> {
        err(self.inner.readlink_at(path).await)
    }
    async fn remove_directory_at(&self, path: String) -> R<()> {
        self.mutable()?;
        err(self.inner.remove_directory_at(path).await)
    }
    async fn rename_at(
        &self,
        old_path: String,
        new_descriptor: ex::DescriptorBorrow<'_>,
        new_path: String,
    ) -> R<()> {
        let to = ours(new_descriptor);
        self.both_mutable(to)?;
        err(self.inner.rename_at(old_path, &to.inner, new_path).await)
    }
    async fn symlink_at(&self, old_path: String, new_path: String) -> R<()> {
        self.mutable()?;
        err(self.inner.symlink_at(old_path, new_path).await)
    }
    async fn unlink_file_at(&self, path: String) -> R<()> {
        self.mutable()?;
        err(self.inner.unlink_file_at(path).await)
    }
    async fn is_same_object(&self, other: ex::DescriptorBorrow<'_>) -> bool {
        self.inner.is_same_object(&ours(other).inner).await
    }
    async fn metadata_hash(&self) -> R<ex::MetadataHashValue> {
        err(self.inner.metadata_hash().await).map(hash)
    }
    async fn metadata_hash_at(
        &self,
        flags: ex::PathFlags,
        path: String,
    ) -> R<ex::MetadataHashValue> {
        err(self.inner.metadata_hash_at(path_flags(flags), path).await).map(hash)
    }
}

impl preopens::Guest for FsGuard {
    fn get_directories() -> Vec<(ex::Descriptor, String)> {
        let mounts = SETTINGS.with(settings::Settings::mounts);
        host_preopens::get_directories()
            .into_iter()
            .filter_map(|(inner, name)| {
                let writable = fs_types::mounted(&mounts, &name)?;
                Some((ex::Descriptor::new(Descriptor { inner, writable }), name))
            })
            .collect()
    }
}

export!(FsGuard);
