//! A render stage with a fixed greeting and no capabilities at all: for hosts that serve
//! no `wasi:config` at the version `render` imports (wasmCloud 0.27 serves
//! 0.2.0-draft), as in the distributed counter (`pipelines/counter/lattice.yaml`).

wit_bindgen::generate!({
    path: "../../../wit/counter",
    world: "plain-renderer",
    generate_all,
});

use exports::witpipe::counter::render::{Guest, Hit, Page};

#[path = "../../page.rs"]
mod page;

struct Render;

impl Guest for Render {
    fn render(hit: Hit) -> Page {
        page::page("Hello from the lattice", hit)
    }
}

export!(Render);
