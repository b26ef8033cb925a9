//! The render stage: writes the page for one hit, greeting with the `greeting` value
//! from `wasi:config` (granted in the pipeline file).

wit_bindgen::generate!({
    path: "../../../wit/counter",
    world: "renderer",
    generate_all,
});

use exports::witpipe::counter::render::{Guest, Hit, Page};
use wasi::config::store;

#[path = "../../page.rs"]
mod page;

struct Render;

impl Guest for Render {
    fn render(hit: Hit) -> Page {
        let greeting = store::get("greeting")
            .ok()
            .flatten()
            .unwrap_or_else(|| "Hello".into());
        page::page(&greeting, hit)
    }
}

export!(Render);
