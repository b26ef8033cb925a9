//! The render stage: writes the page for one hit, greeting with the `greeting` value
//! from `wasi:config` (granted in the pipeline file).

wit_bindgen::generate!({
    path: "../../../wit/counter",
    world: "renderer",
    generate_all,
});

use exports::witpipe::counter::render::{Guest, Hit, Page};
use wasi::config::store;

struct Render;

impl Guest for Render {
    fn render(hit: Hit) -> Page {
        let greeting = store::get("greeting")
            .ok()
            .flatten()
            .unwrap_or_else(|| "Hello".into());
        let times = if hit.count == 1 { "time" } else { "times" };
        Page {
            status: 200,
            content_type: "text/plain; charset=utf-8".into(),
            body: format!(
                "{greeting}! {} {} has been requested {} {times}.\n",
                hit.method, hit.path, hit.count
            ),
        }
    }
}

export!(Render);
