//! Futures and streams that WASI 0.3 wrappers hand out from synchronous functions.

// Each wrapper uses what it needs of these.
#![allow(dead_code)]

use wit_bindgen::rt::async_support::{FutureVtable, StreamVtable};
use wit_bindgen::{FutureReader, StreamReader};

/// A future that already holds `value` (`vtable` is the one generated for `T`).
///
/// Functions such as `write-via-stream` are synchronous, and a synchronous export has
/// no task in which to wait for its reader (wit-bindgen's write-on-drop would have to,
/// and traps). So the wrapper does what `future.write` allows without waiting: it
/// issues the write and leaves it pending; the reader's first read completes it. The
/// writable end and the lowered value (a few bytes) stay with this instance.
pub fn ready<T>(vtable: &'static FutureVtable<T>, value: T) -> FutureReader<T> {
    // SAFETY: the vtable is the one generated for this payload type; `buffer` has its
    // layout and is never freed, so the pending write always reads valid memory.
    unsafe {
        let handles = (vtable.new)();
        let (reader, writer) = (handles as u32, (handles >> 32) as u32);
        let buffer = std::alloc::alloc(vtable.layout);
        (vtable.lower)(value, buffer);
        (vtable.start_write)(writer, buffer);
        FutureReader::new(reader, vtable)
    }
}

/// The host's future handed on as the exported interface's own copy of its type.
///
/// Importing and exporting one interface gives two Rust copies of each of its types
/// (`error-code`, `directory-entry`, …) but one component-model type, and wit-bindgen
/// generates the future and stream glue once, for the import's copy. The handle is
/// passed on as it is, never read or copied; the exported copy only ever uses the
/// glue's handle operations (hand-over, drop), which do not depend on the payload.
/// `vtable` is the glue generated for `T`.
pub fn pass_future<T, U>(
    host: FutureReader<T>,
    vtable: &'static FutureVtable<T>,
) -> FutureReader<U> {
    // SAFETY: `T` and `U` are copies of one WIT type; a `FutureVtable`'s layout does
    // not depend on its payload, and the reader handed out is only transferred or
    // dropped, never read through `U`'s lift.
    unsafe {
        let vtable =
            std::mem::transmute::<&'static FutureVtable<T>, &'static FutureVtable<U>>(vtable);
        FutureReader::new(host.take_handle(), vtable)
    }
}

/// The host's stream handed on as the exported interface's copy of its element type
/// (see [`pass_future`]): the handle moves, no element is read or copied.
pub fn pass_stream<T, U>(
    host: StreamReader<T>,
    vtable: &'static StreamVtable<T>,
) -> StreamReader<U> {
    // SAFETY: as in `pass_future`.
    let vtable = unsafe {
        std::mem::transmute::<&'static StreamVtable<T>, &'static StreamVtable<U>>(vtable)
    };
    StreamReader::new(host.take_handle(), vtable)
}
