//! `witpipe push FILE REF [--spin]`: a pipeline (composed in memory) or a component to
//! an OCI registry, as a standard Wasm OCI artifact, or as a Spin application.

use crate::diagnostics::{report_plain, Reported};
use std::path::PathBuf;

/// Push a pipeline (composed in memory) or a component to an OCI registry.
#[derive(clap::Args)]
pub struct Args {
    /// The pipeline file, or a component (`.wasm`).
    file: PathBuf,
    /// Where to push: `registry/repository:tag`.
    reference: String,
    /// Speak plain HTTP to this registry (one on loopback, or listed in
    /// WITPIPE_INSECURE_REGISTRIES, is spoken to in plain HTTP anyway).
    #[arg(long)]
    insecure: bool,
    /// Push a Spin application (what `spin registry push` writes and SpinKube pulls):
    /// an HTTP trigger for the output's handler, the grants as its outbound hosts,
    /// static files and variables. Needs the pipeline file.
    #[cfg(feature = "deploy")]
    #[arg(long)]
    spin: bool,
}

impl Args {
    /// Runs the command.
    pub fn exec(self) -> Result<(), Reported> {
        #[cfg(feature = "deploy")]
        if self.spin {
            return self.push_spin();
        }
        let bytes = if self.file.extension().is_some_and(|e| e == "wasm") {
            let max = witpipe_compose::load::MAX_COMPONENT_BYTES;
            witpipe_compose::load::read_at_most(&self.file, max).map_err(|e| {
                report_plain(format!(
                    "{}: cannot read the component: {e}",
                    self.file.display()
                ))
            })?
        } else {
            super::compose_pipeline(&self.file)?.bytes
        };
        let url = witpipe_oci::push(&bytes, &self.reference, self.insecure)
            .map_err(|e| report_plain(format!("{}: {e}", self.file.display())))?;
        eprintln!("pushed {} ({} bytes) to {url}", self.reference, bytes.len());
        Ok(())
    }

    /// `--spin`: the Spin application of the pipeline.
    #[cfg(feature = "deploy")]
    fn push_spin(self) -> Result<(), Reported> {
        if self.file.extension().is_some_and(|e| e == "wasm") {
            return Err(report_plain(format!(
                "{}: --spin needs the pipeline file, not a component: its grants become the application's outbound hosts, files and variables",
                self.file.display()
            )));
        }
        let fail =
            |e: &dyn std::fmt::Display| report_plain(format!("{}: {e}", self.file.display()));
        let composition = super::compose_pipeline(&self.file)?;
        let name = composition.pipeline.output_name();
        let version = witpipe_deploy::version_of(&composition.bytes);
        let app = witpipe_deploy::spin_application(
            &composition.bytes,
            &composition.contract,
            &name,
            &version,
        )
        .map_err(|e| fail(&e))?;
        for line in &app.mapping {
            eprintln!("witpipe push: {line}");
        }
        let layers = app.layers.len();
        let blobs: Result<Vec<_>, String> = app.layers.into_iter().map(blob).collect();
        let image = witpipe_oci::Image {
            layers: blobs.map_err(|e| fail(&e))?,
            config: witpipe_oci::Blob::bytes(app.config, witpipe_deploy::SPIN_CONFIG_MEDIA_TYPE),
            annotations: Some(app.annotations),
        };
        let url =
            witpipe_oci::push_image(image, &self.reference, self.insecure).map_err(|e| fail(&e))?;
        eprintln!(
            "pushed the Spin application {name} ({layers} layers) as {} to {url}",
            self.reference
        );
        Ok(())
    }
}

/// The blob that pushes a Spin layer: its bytes, or its file streamed.
#[cfg(feature = "deploy")]
fn blob(layer: witpipe_deploy::Layer) -> Result<witpipe_oci::Blob, String> {
    let content = match layer.data {
        witpipe_deploy::LayerData::Bytes(data) => witpipe_oci::Content::Bytes(data),
        witpipe_deploy::LayerData::File(path) => witpipe_oci::Content::File(path),
    };
    Ok(witpipe_oci::Blob {
        content,
        media_type: layer.media_type.to_string(),
        digest: witpipe_oci::Digest::parse(&layer.digest)?,
        size: layer.size,
    })
}
