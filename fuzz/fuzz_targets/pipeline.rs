//! Pipeline text → checked pipeline → composed component: never a panic or a hang.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    let base = std::path::Path::new(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../pipelines/wordfreq"
    ));
    witpipe_compose::fuzzing::pipeline_text(data, base);
});
