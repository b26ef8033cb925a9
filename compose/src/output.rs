//! The output: the pipeline composed flat when it fits the component model's
//! instance limit ([`crate::compose`]), else nested in parts ([`crate::nest`]), then
//! validated whole, as any engine will.

use crate::error::Error;
use crate::graph::LinkGraph;
use crate::load::Loaded;
use crate::policy::ComponentPolicy;

/// Composes the pipeline into one component: flat when it fits the component model's
/// instance limit, else nested in parts ([`crate::nest`]). Returns the validated
/// component and the names of its imports that carry only types.
pub fn build(
    loaded: &mut Loaded,
    links: &LinkGraph,
    policies: &[ComponentPolicy],
) -> Result<(Vec<u8>, Vec<String>), Vec<Error>> {
    let bytes = if crate::nest::needed(loaded, links, policies) {
        crate::nest::compose_nested(loaded, links, policies)?
    } else {
        crate::compose::compose_flat(loaded, links, policies)?
    };
    let used = links.used(loaded);
    let in_output: std::collections::BTreeSet<usize> = used
        .iter()
        .filter_map(|&i| loaded.instances[i].file)
        .collect();
    match validate_output(&bytes, used.len()) {
        // Files left out of the output were not validated with it.
        Ok(type_only) => match crate::load::invalid_file(
            (loaded.files.iter().enumerate())
                .filter(|(f, _)| !in_output.contains(f))
                .map(|(_, file)| file),
        ) {
            None => Ok((bytes, type_only)),
            Some(e) => Err(vec![e]),
        },
        // An input's broken function body shows up here first: name the input.
        Err(e) => Err(vec![crate::load::invalid_file(&loaded.files).unwrap_or(e)]),
    }
}

/// Validates an output with every feature and the validator's limits, as any engine
/// will, and names its imports that carry only types (instances without functions:
/// records, resources, no authority) from the types the validation found.
fn validate_output(bytes: &[u8], instances: usize) -> Result<Vec<String>, Error> {
    use wasmparser::component_types::ComponentEntityType;
    let types = wasmparser::Validator::new_with_features(wasmparser::WasmFeatures::all())
        .validate_all(bytes)
        .map_err(|e| invalid_output(&e, instances))?;
    let (imports, _) = crate::wit::top_level_names(bytes);
    Ok(imports
        .into_iter()
        .filter(
            |name| match types.component_item_for_import(name).map(|i| &i.ty) {
                Some(ComponentEntityType::Instance(id)) => !types[*id]
                    .exports
                    .values()
                    .any(|e| matches!(e.ty, ComponentEntityType::Func(_))),
                _ => false,
            },
        )
        .collect())
}

/// The error for an output that fails validation: a limit the user can act on, or a bug.
fn invalid_output(e: &wasmparser::BinaryReaderError, instances: usize) -> Error {
    if e.message().contains("count exceeds limit") {
        Error::TooLarge {
            reason: e.message().to_string(),
            instances,
        }
    } else {
        Error::Encode {
            reason: format!("the composed component is invalid: {e}"),
        }
    }
}
