//! Configuration served inside the output: `wasi:config/store` answers from the
//! `config=KEY=VALUE` settings lines (escaped, see `settings_keys.rs`) witpipe baked in
//! from the pipeline's `config:` grants. Nothing is asked of the host.

#[path = "../../settings.rs"]
mod settings;

wit_bindgen::generate!({
    path: "../../wit",
    world: "witpipe:policy/config-store",
    generate_all,
});

use exports::wasi::config::store::{Error, Guest};
use settings::Settings;

thread_local! {
    /// The granted values, sorted by key, decoded on the first call.
    static VALUES: Vec<(String, String)> = {
        Settings::parse(&witpipe::policy::settings::get()).config()
    };
}

struct ConfigStore;

impl Guest for ConfigStore {
    fn get(key: String) -> Result<Option<String>, Error> {
        Ok(VALUES.with(|values| {
            let found = values.iter().find(|(k, _)| *k == key);
            found.map(|(_, v)| v.clone())
        }))
    }

    fn get_all() -> Result<Vec<(String, String)>, Error> {
        Ok(VALUES.with(Vec::clone))
    }
}

export!(ConfigStore);
