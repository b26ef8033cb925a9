//! `call`: invoke any exported function with arguments and results in WAVE.

use crate::limits::Ticker;
use crate::Shared;
use crate::{concurrent, granted_store, host_linker, runtime, HostError, HostGrants, Limits};
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

/// `call` split into its function name and its parenthesised arguments (`()` when
/// there are none), with the byte offset of the arguments in `call`.
pub fn split_call(call: &str) -> (&str, &str, usize) {
    match call.find('(') {
        Some(i) => (call[..i].trim(), &call[i..], i),
        None => (call.trim(), "()", call.len()),
    }
}

/// Which of `names` (as [`callable`] lists them) `wanted` means: itself, or written
/// bare (`fetch`), the one `interface#fetch` when exactly one exported interface has a
/// function of that name — as `wasmtime run --invoke` reads it.
pub fn resolve_function<'a>(names: &'a [String], wanted: &str) -> Result<&'a str, String> {
    if let Some(exact) = names.iter().find(|n| *n == wanted) {
        return Ok(exact);
    }
    let bare: Vec<&String> = match wanted.contains('#') {
        true => Vec::new(),
        false => names
            .iter()
            .filter(|n| n.rsplit_once('#').is_some_and(|(_, f)| f == wanted))
            .collect(),
    };
    match bare.as_slice() {
        [one] => Ok(one),
        [] => Err(format!(
            "no exported function `{wanted}`; the component exports: {}",
            match names.is_empty() {
                true => "no functions".into(),
                false => names.join(", "),
            }
        )),
        several => Err(format!(
            "`{wanted}` is a function of several exported interfaces ({}): name one as `interface#{wanted}(…)`",
            several.iter().map(|n| n.as_str()).collect::<Vec<_>>().join(", ")
        )),
    }
}

/// Checks the WAVE syntax of `call`'s arguments (their types need the component); an
/// error points into `call`.
pub fn check_call_syntax(call: &str) -> Result<(), HostError> {
    let source = arguments_source(call);
    parse_arguments(call, &source).map(|_| ())
}

/// WAVE wants a plain name before the arguments, and `interface#name` is not one: the
/// arguments of `call` behind a one-letter name.
fn arguments_source(call: &str) -> String {
    format!("f{}", split_call(call).1)
}

/// The untyped arguments in `source` (from [`arguments_source`]); an error's position
/// is `call`'s own.
fn parse_arguments<'s>(
    call: &str,
    source: &'s str,
) -> Result<wasm_wave::untyped::UntypedFuncCall<'s>, HostError> {
    wasm_wave::untyped::UntypedFuncCall::parse(source)
        .map_err(|e| HostError::Call(wave_error(call, "not a WAVE call `name(arg, …)`", &e)))
}

/// A WAVE error about `call`, its position moved from the parsed text (from
/// [`arguments_source`]) into `call`, shown under it with a caret.
fn wave_error(call: &str, what: &str, e: &wasm_wave::parser::ParserError) -> String {
    // The parsed text is the arguments behind the one-letter name `f`.
    let shift = |offset: usize| (offset + split_call(call).2).saturating_sub(1);
    let span = e.span();
    let start = shift(span.start).min(call.len());
    let end = shift(span.end).clamp(start, call.len());
    let column = call[..start].chars().count();
    let width = call[start..end].chars().count().max(1);
    let detail = e.detail().map(|d| format!(": {d}")).unwrap_or_default();
    format!(
        "{what}: {}{detail}, at character {}\n    {call}\n    {}{}",
        e.kind(),
        column + 1,
        " ".repeat(column),
        "^".repeat(width)
    )
}

/// Calls `call` (`name(arg, …)` in WAVE, `name` possibly `interface#function`, or the
/// bare name of exactly one exported interface's function) on a fresh instance of
/// `component`, granting `grants`; returns the results.
pub fn call(
    engine: &Engine,
    component: &Component,
    grants: &HostGrants,
    limits: Limits,
    call: &str,
) -> Result<Vec<Val>, HostError> {
    let (wanted, _, _) = split_call(call);
    let names = callable(engine, component);
    let name = resolve_function(&names, wanted).map_err(HostError::Call)?;
    let source = arguments_source(call);
    let parsed = parse_arguments(call, &source)?;
    let is_async = concurrent(engine, component);
    let linker = host_linker(engine, grants, is_async).map_err(HostError::Start)?;
    let mut store = granted_store(engine, grants, &Shared::new(grants), &limits, false)?;
    let _ticker = Ticker::start(engine, limits.timeout.is_some());
    // One runtime for instantiation and the call (see `runtime`).
    let runtime = if is_async { Some(runtime()?) } else { None };
    let instance = match &runtime {
        None => linker.instantiate(&mut store, component),
        Some(rt) => rt.block_on(linker.instantiate_async(&mut store, component)),
    }
    .map_err(|e| limits.at_start(HostError::Start(e)))?;
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
    let params: Vec<Val> = parsed.to_wasm_params(param_types.iter()).map_err(|e| {
        let expected: Vec<String> = ty
            .params()
            .map(|(n, t)| format!("{n}: {}", wasm_wave::wasm::DisplayType(&t)))
            .collect();
        let what = format!("bad arguments for `{name}({})`", expected.join(", "));
        HostError::Call(wave_error(call, &what, &e))
    })?;
    let mut results = vec![Val::Bool(false); ty.results().len()];
    // An async function runs, with every task it starts, until it returns.
    match &runtime {
        None => func.call(&mut store, &params, &mut results),
        // Bounded by the wall clock too: a call waiting on the host runs no wasm.
        Some(rt) => rt.block_on(crate::limits::bounded(
            limits.timeout,
            func.call_async(&mut store, &params, &mut results),
        )),
    }
    .map_err(|e| limits.classify(e))?;
    Ok(results)
}
