//! The page for one hit, shared by both render stages (each includes this file next to
//! its own bindings).

use crate::exports::witpipe::counter::render::{Hit, Page};

/// `GREETING! METHOD PATH has been requested N time(s).`
pub fn page(greeting: &str, hit: Hit) -> Page {
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
