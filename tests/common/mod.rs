//! The wasmtime host the tests and benchmarks run components in: WASI 0.2 and
//! WASI HTTP, with whatever the caller grants through the `WasiCtx` builder.

use wasmtime::component::{Linker, ResourceTable};
use wasmtime::{Engine, Store};
use wasmtime_wasi::{WasiCtx, WasiCtxBuilder, WasiCtxView, WasiView};
use wasmtime_wasi_http::{WasiHttpCtx, WasiHttpCtxView, WasiHttpView};

/// A store's data: the WASI contexts and the resource table.
pub struct Host {
    ctx: WasiCtx,
    http: WasiHttpCtx,
    table: ResourceTable,
}

impl WasiView for Host {
    fn ctx(&mut self) -> WasiCtxView<'_> {
        WasiCtxView {
            ctx: &mut self.ctx,
            table: &mut self.table,
        }
    }
}

impl WasiHttpView for Host {
    fn http(&mut self) -> WasiHttpCtxView<'_> {
        WasiHttpCtxView {
            ctx: &mut self.http,
            table: &mut self.table,
            hooks: wasmtime_wasi_http::default_hooks(),
        }
    }
}

/// A store granting what `builder` grants.
pub fn store(engine: &Engine, mut builder: WasiCtxBuilder) -> Store<Host> {
    Store::new(
        engine,
        Host {
            ctx: builder.build(),
            http: WasiHttpCtx::new(),
            table: ResourceTable::new(),
        },
    )
}

/// A linker with WASI 0.2 and WASI HTTP.
pub fn linker(engine: &Engine) -> Linker<Host> {
    let mut linker = Linker::new(engine);
    wasmtime_wasi::p2::add_to_linker_sync(&mut linker).unwrap();
    wasmtime_wasi_http::p2::add_only_http_to_linker_sync(&mut linker).unwrap();
    linker
}
