//! Any grant values → settings text → what the wrappers read back: exactly the
//! settings witpipe meant, no line added, lost or moved.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    if let Err(e) = witpipe_policy::fuzzing::settings_bytes(data) {
        panic!("{e}");
    }
});
