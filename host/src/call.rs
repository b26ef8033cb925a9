//! `call`: invoke any exported function with arguments and results in WAVE.

use crate::limits::Ticker;
use crate::{granted_store, host_linker, HostError, HostGrants, Limits, Shared};
use wasmtime::component::types::ComponentItem;
use wasmtime::component::{wasm_wave, Component, Val};
use wasmtime::Engine;

/// Every function the component exports, as `name` or `interface#name`.
pub fn callable(engine: &Engine, component: &Component) -> Vec<String> {
    let mut out = Vec::new();
    for (name, item) in component.component_type().exports(engine) {
        match item.ty {
            ComponentItem::ComponentFunc(_) => out.push(name.to_string()),
            ComponentItem::ComponentInstance(instance) => {
                for (func, item) in instance.exports(engine) {
                    if let ComponentItem::ComponentFunc(_) = item.ty {
                        out.push(format!("{name}#{func}"));
                    }
                }
            }
            _ => {}
        }
    }
    out
}

/// Calls `call` (`name(arg, …)` in WAVE, `name` possibly `interface#function`) on a
/// fresh instance of `component`, granting `grants`; returns the results.
pub fn call(
    engine: &Engine,
    component: &Component,
    grants: &HostGrants,
    limits: Limits,
    call: &str,
) -> Result<Vec<Val>, HostError> {
    let (name, args) = match call.find('(') {
        Some(i) => (call[..i].trim(), &call[i..]),
        None => (call.trim(), "()"),
    };
    let names = callable(engine, component);
    if !names.iter().any(|n| n == name) {
        return Err(HostError::Call(format!(
            "no exported function `{name}`; the component exports: {}",
            if names.is_empty() {
                "no functions".into()
            } else {
                names.join(", ")
            }
        )));
    }
    let linker = host_linker(engine, grants, false).map_err(HostError::Start)?;
    let mut store = granted_store(engine, grants, &Shared::new(grants), &limits, false)?;
    let _ticker = Ticker::start(engine, limits.timeout.is_some());
    let instance = linker
        .instantiate(&mut store, component)
        .map_err(HostError::Start)?;
    let index = match name.split_once('#') {
        Some((iface, func)) => instance
            .get_export_index(&mut store, None, iface)
            .and_then(|i| instance.get_export_index(&mut store, Some(&i), func)),
        None => instance.get_export_index(&mut store, None, name),
    };
    let func = index
        .and_then(|i| instance.get_func(&mut store, i))
        .ok_or_else(|| HostError::Call(format!("`{name}` is not a function")))?;
    let ty = func.ty(&store);
    let param_types: Vec<_> = ty.params().map(|(_, t)| t).collect();
    let source = format!("f{args}");
    let parsed = wasm_wave::untyped::UntypedFuncCall::parse(&source)
        .map_err(|e| HostError::Call(format!("`{call}` is not a WAVE call `name(arg, …)`: {e}")))?;
    let params: Vec<Val> = parsed.to_wasm_params(param_types.iter()).map_err(|e| {
        let expected: Vec<String> = ty
            .params()
            .map(|(n, t)| format!("{n}: {}", type_name(&t)))
            .collect();
        HostError::Call(format!(
            "bad arguments for `{name}({})`: {e}",
            expected.join(", ")
        ))
    })?;
    let mut results = vec![Val::Bool(false); ty.results().len()];
    func.call(&mut store, &params, &mut results)
        .map_err(|e| limits.classify(e))?;
    Ok(results)
}

/// A readable name for a component value type.
fn type_name(t: &wasmtime::component::Type) -> String {
    use wasmtime::component::Type;
    match t {
        Type::String => "string".into(),
        Type::U32 => "u32".into(),
        Type::U64 => "u64".into(),
        Type::S32 => "s32".into(),
        Type::S64 => "s64".into(),
        Type::Bool => "bool".into(),
        Type::Float64 => "f64".into(),
        Type::List(l) => format!("list<{}>", type_name(&l.ty())),
        Type::Option(o) => format!("option<{}>", type_name(&o.ty())),
        Type::Record(_) => "record".into(),
        Type::Variant(_) => "variant".into(),
        Type::Enum(_) => "enum".into(),
        Type::Result(_) => "result".into(),
        other => format!("{other:?}").to_lowercase(),
    }
}
