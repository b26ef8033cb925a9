//! Any authority text: whenever the HTTP guard lets it through, the host reads the same
//! host and port from it and connects to exactly that.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    if let Err(e) = witpipe_host::fuzzing::authority_bytes(data) {
        panic!("{e}");
    }
});
