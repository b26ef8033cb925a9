//! The WASI WIT witpipe's wrappers are built against, as text: WASI 0.2.12 (with
//! `wasi:config@0.2.0-rc.1` and `wasi:keyvalue@0.2.0-draft`) and WASI 0.3.2. Read by
//! `witpipe layer new` to write a layer's WIT in full.

/// Each WIT file: its path under `policy/wit/` and its text. Files of one folder are
/// one package.
pub const FILES: &[(&str, &str)] = &[
    ("deps/cli/cli.wit", include_str!("../wit/deps/cli/cli.wit")),
    (
        "deps/clocks/clocks.wit",
        include_str!("../wit/deps/clocks/clocks.wit"),
    ),
    (
        "deps/config/store.wit",
        include_str!("../wit/deps/config/store.wit"),
    ),
    (
        "deps/config/world.wit",
        include_str!("../wit/deps/config/world.wit"),
    ),
    (
        "deps/filesystem/filesystem.wit",
        include_str!("../wit/deps/filesystem/filesystem.wit"),
    ),
    (
        "deps/http/http.wit",
        include_str!("../wit/deps/http/http.wit"),
    ),
    ("deps/io/io.wit", include_str!("../wit/deps/io/io.wit")),
    (
        "deps/keyvalue/atomic.wit",
        include_str!("../wit/deps/keyvalue/atomic.wit"),
    ),
    (
        "deps/keyvalue/batch.wit",
        include_str!("../wit/deps/keyvalue/batch.wit"),
    ),
    (
        "deps/keyvalue/store.wit",
        include_str!("../wit/deps/keyvalue/store.wit"),
    ),
    (
        "deps/keyvalue/world.wit",
        include_str!("../wit/deps/keyvalue/world.wit"),
    ),
    (
        "deps/random/random.wit",
        include_str!("../wit/deps/random/random.wit"),
    ),
    (
        "deps/sockets/sockets.wit",
        include_str!("../wit/deps/sockets/sockets.wit"),
    ),
    ("p3/deps/cli.wit", include_str!("../wit/p3/deps/cli.wit")),
    (
        "p3/deps/clocks.wit",
        include_str!("../wit/p3/deps/clocks.wit"),
    ),
    (
        "p3/deps/filesystem.wit",
        include_str!("../wit/p3/deps/filesystem.wit"),
    ),
    ("p3/deps/http.wit", include_str!("../wit/p3/deps/http.wit")),
    (
        "p3/deps/random.wit",
        include_str!("../wit/p3/deps/random.wit"),
    ),
    (
        "p3/deps/sockets.wit",
        include_str!("../wit/p3/deps/sockets.wit"),
    ),
];
