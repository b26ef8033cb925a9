//! Command pipes: a `pipe:` whose every member is a WASI 0.3 command (it exports
//! `wasi:cli/run`) is wired like a shell pipe, `a | b | c`.
//!
//! For each `|`, witpipe adds two instances of its own plumbing
//! ([`crate::plumbing`]): a *pipe*, which takes the left stage's stdout stream
//! and hands that same stream to the right stage as its stdin (no byte is copied), and
//! a *driver*, which runs both sides concurrently and answers for both, as
//! `set -o pipefail` does. The drivers chain: the left side of each is the driver
//! before it (the first one's is the first stage), and the output's `wasi:cli/run` is
//! the last driver's. So the drivers decide what runs concurrently: every stage runs
//! from the moment the stage before it has handed over its output, and the streams'
//! back-pressure paces them. The first stage's stdin, the last one's stdout, and every
//! stage's stderr stay imports that each stage's own grants decide.

use crate::error::Error;
use crate::load::{ComponentFile, Instance, Loaded};
use crate::plumbing::{driver_component, pipe_component, JOINT_BUILT_FOR};
use crate::plumbing::{CommandPipe, Joint};
use crate::span::{At, Span};
use crate::spec::PipelineSpec;
use std::path::PathBuf;
use wac_graph::types::ItemKind;

/// The export that makes a component a WASI 0.3 command.
const RUN: &str = "wasi:cli/run@0.3.0";

/// The name of `instance`'s `wasi:cli/run` export of WASI 0.3, if it has one.
pub fn run_export(loaded: &Loaded, instance: usize) -> Option<String> {
    let package = loaded.package(instance)?;
    let world = &loaded.graph.types()[loaded.graph[package].ty()];
    world
        .exports
        .iter()
        .filter(|(_, kind)| matches!(kind, ItemKind::Instance(_)))
        .map(|(name, _)| name)
        .find(|name| wac_types::are_semver_compatible(name, RUN))
        .cloned()
}

/// If `spec.pipe` is a pipe of WASI 0.3 commands, adds its plumbing to `loaded` (a
/// pipe and a driver per `|`, after the pipeline's own instances) and records it in
/// [`Loaded::command_pipe`]. Anything else is left to the ordinary `pipe:` wiring,
/// which reports what does not fit.
pub fn insert(spec: &PipelineSpec, loaded: &mut Loaded) -> Result<(), Error> {
    let mut stages = Vec::new();
    for member in &spec.pipe {
        let found = loaded
            .instances
            .iter()
            .position(|i| i.name.value == member.value && i.file.is_some());
        match found {
            Some(i) if run_export(loaded, i).is_some() && !stages.contains(&i) => stages.push(i),
            _ => return Ok(()),
        }
    }
    if stages.len() < 2 {
        return Ok(());
    }
    let run = run_export(loaded, stages[0]).unwrap_or_default();
    let stage_version = run.rsplit('@').next().unwrap_or(JOINT_BUILT_FOR);
    let version = match witpipe_policy::served_by(stage_version) {
        Some(JOINT_BUILT_FOR) => stage_version.to_string(),
        _ => JOINT_BUILT_FOR.to_string(),
    };
    let encode = |reason: String| Error::Encode { reason };
    let pipe_file = add_file(loaded, "pipe", pipe_component(&version).map_err(encode)?)?;
    let driver_file = add_file(
        loaded,
        "driver",
        driver_component(&version).map_err(encode)?,
    )?;
    let name = |i: usize, loaded: &Loaded| loaded.instances[i].name.value.clone();
    let mut joints = Vec::new();
    let mut left = stages[0];
    for (k, pair) in stages.windows(2).enumerate() {
        let span = spec.pipe[k + 1].span;
        let covered: Vec<String> = stages[..k + 2].iter().map(|&i| name(i, loaded)).collect();
        let pipe = loaded.instances.len();
        loaded.instances.push(Instance {
            name: At {
                value: format!("pipe({}|{})", name(pair[0], loaded), name(pair[1], loaded)),
                span,
            },
            file: Some(pipe_file),
            entry: None,
        });
        let driver = loaded.instances.len();
        loaded.instances.push(Instance {
            name: At {
                value: format!("run({})", covered.join("|")),
                span,
            },
            file: Some(driver_file),
            entry: None,
        });
        joints.push(Joint {
            left_stage: pair[0],
            left,
            right: pair[1],
            pipe,
            driver,
            span,
        });
        left = driver;
    }
    loaded.command_pipe = Some(CommandPipe { stages, joints });
    Ok(())
}

/// Registers one of witpipe's plumbing components as a file of the pipeline.
fn add_file(loaded: &mut Loaded, role: &str, bytes: Vec<u8>) -> Result<usize, Error> {
    let package = crate::load::register_internal(loaded, bytes.clone())?;
    loaded.files.push(ComponentFile {
        path: PathBuf::from(format!("(witpipe's command-pipe {role})")),
        bytes,
        package,
        span: Span::default(),
    });
    Ok(loaded.files.len() - 1)
}
