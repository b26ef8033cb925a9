//! `clock-pass-p3`: a layer written by `witpipe layer new` (the WIT from
//! witpipe's WASI WIT (0.2.12, 0.3.2, and the proposals it wraps)), for edges of
//! - `wasi:clocks/monotonic-clock@0.3.2`
//!
//! Every call goes on to the next component on the edge (the next layer, or the
//! capability behind the edge's policy); change the functions below to log, check,
//! rewrite or answer calls here.

wit_bindgen::generate!({ path: "wit", world: "clock-pass-p3", generate_all });

#[allow(unused_imports)]
use exports::wasi::clocks::monotonic_clock as exp;
#[allow(unused_imports)]
use wasi::clocks::monotonic_clock as imp;

/// The layer: every call goes on to the next component on the edge, unchanged.
struct Forward;

impl exp::Guest for Forward {
    fn now() -> exp::Mark {
        imp::now()
    }
    fn get_resolution() -> exp::Duration {
        imp::get_resolution()
    }
    async fn wait_until(when: exp::Mark) {
        imp::wait_until(when).await
    }
    async fn wait_for(how_long: exp::Duration) {
        imp::wait_for(how_long).await
    }
}

export!(Forward);
