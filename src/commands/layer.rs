//! `witpipe layer new NAME --interface IFACE`: a Rust guest crate for a layer that
//! forwards every function of an interface, to edit and put on an edge with `layers:`.

use crate::diagnostics::{report_plain, Reported};
use std::path::PathBuf;
use witpipe_compose::scaffold::{layer, WitSource};

/// Help with layers: components that import and export one interface, put on an edge
/// with `layers:`.
#[derive(clap::Args)]
pub struct Args {
    #[command(subcommand)]
    action: Action,
}

#[derive(clap::Subcommand)]
enum Action {
    /// Write a Rust guest crate (wit-bindgen) for a layer that forwards every function
    /// of an interface unchanged, with a pipeline to try it on its own.
    New {
        /// The layer's name: lowercase words joined by `-` (the crate, its world and,
        /// by default, its folder).
        name: String,
        /// The interface it sits on: `wasi:keyvalue/store`, `wasi:http/client@0.3.2`,
        /// `my:app/logger@1.0.0`; repeat it, or write `ns:pkg/*`, for interfaces of one
        /// package that share resources (`wasi:keyvalue/*`).
        #[arg(long, required = true)]
        interface: Vec<String>,
        /// Where the interface's WIT is: a WIT folder or file, or a component that
        /// imports or exports it (default: the WASI interfaces witpipe wraps).
        #[arg(long)]
        wit: Option<PathBuf>,
        /// The folder to write (default: `./NAME`); it must not exist.
        #[arg(long)]
        dir: Option<PathBuf>,
    },
}

impl Args {
    /// Runs the command.
    pub fn exec(self) -> Result<(), Reported> {
        let Action::New {
            name,
            interface,
            wit,
            dir,
        } = self.action;
        let source = match &wit {
            Some(path) => WitSource::Path(path),
            None => WitSource::Bundled,
        };
        let scaffold = layer(&name, &interface, source).map_err(|e| {
            let help = miette::Diagnostic::help(&e)
                .map(|h| format!("\n  help: {h}"))
                .unwrap_or_default();
            report_plain(format!("{e}{help}"))
        })?;
        let dir = dir.unwrap_or_else(|| PathBuf::from(&name));
        scaffold
            .write_to(&dir)
            .map_err(|e| report_plain(format!("cannot write {}: {e}", dir.display())))?;
        println!(
            "wrote {}: layer `{name}` on {} ({} files)\n\
             build:  cd {} && cargo build --release --target wasm32-wasip2\n\
             try it: witpipe check layer-test.yaml (the layer alone, in front of the host)\n\
             use it: in your pipeline, `layers: [{{ import: {}, chain: [{name}] }}]` with\n        \
             `{name}: {{ path: …/{}.wasm }}` in `components:`",
            dir.display(),
            scaffold.interfaces.join(", "),
            scaffold.files.len(),
            dir.display(),
            scaffold.edge,
            name.replace('-', "_"),
        );
        Ok(())
    }
}
