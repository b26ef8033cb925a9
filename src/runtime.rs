//! What `run`, `serve`, `call` and `compile` share: loading a pipeline or a component,
//! the host grants, limits, the engine and the compile cache.

use crate::diagnostics::{report_plain, Reported};
use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant, UNIX_EPOCH};
use witpipe_compose::cache::{housekeeping, CompositionCache};
use witpipe_compose::Report;
use witpipe_host::{Component, Engine, EngineOptions, HostGrants, Limits, TrapNote};

/// Options of every command that loads and compiles a pipeline or component
/// (`run`, `serve`, `call` and `compile`).
#[derive(clap::Args)]
pub struct LoadArgs {
    /// Compose and compile afresh, without using (or filling) the caches.
    #[arg(long)]
    no_cache: bool,
    /// Log what is composed, granted, compiled and cached.
    #[arg(short, long)]
    pub verbose: bool,
}

/// Options of every command that runs a component.
#[derive(clap::Args)]
pub struct RuntimeArgs {
    /// Stop an instance after this many seconds (under `serve`: each request's).
    /// Default: 30 under `serve`, no limit under `run` and `call`; `none` lifts it.
    #[arg(long, value_name = "SECONDS|none", value_parser = bound(parse_seconds))]
    timeout: Option<Bound<Duration>>,
    /// Bytes each linear memory may grow to (suffixes K, M, G allowed). Default: 512M
    /// under `serve`, 2G under `run` and `call`; `none` lifts it (to wasm's own 4G).
    #[arg(long, value_name = "BYTES|none", value_parser = bound(parse_size))]
    max_memory: Option<Bound<usize>>,
    /// Units of fuel (about one per wasm instruction) an instance may use.
    #[arg(long, value_name = "UNITS")]
    fuel: Option<u64>,
    /// A bare component only (a pipeline's grants are in its file): preopen directory
    /// HOST, seen by the component at GUEST (default: HOST as written), read-write as
    /// under `wasmtime run --dir`; `::ro` after GUEST makes it read-only.
    #[arg(long, value_name = "HOST[::GUEST[::ro]]", value_parser = parse_dir)]
    dir: Vec<BareDir>,
    /// A bare component only: pass environment variable NAME with VALUE, or with the
    /// host's value when there is no `=VALUE`, as `wasmtime run --env` does.
    #[arg(long, value_name = "NAME[=VALUE]", value_parser = parse_env)]
    env: Vec<(String, Option<String>)>,
    #[command(flatten)]
    pub load: LoadArgs,
}

/// A `--dir` of a bare component: host path, guest path, read-only.
#[derive(Debug, Clone)]
pub struct BareDir {
    host: PathBuf,
    guest: String,
    read_only: bool,
}

/// Reads `--dir HOST[::GUEST[::ro]]`.
fn parse_dir(text: &str) -> Result<BareDir, String> {
    let mut parts = text.split("::");
    let host = parts.next().unwrap_or_default();
    let guest = parts.next().unwrap_or(host);
    let read_only = match parts.next() {
        None => false,
        Some("ro") => true,
        Some(other) => {
            return Err(format!(
                "`{other}` is not `ro`: write HOST, HOST::GUEST or HOST::GUEST::ro"
            ))
        }
    };
    if parts.next().is_some() || host.is_empty() || guest.is_empty() {
        return Err("write HOST, HOST::GUEST or HOST::GUEST::ro".into());
    }
    if !std::path::Path::new(host).is_dir() {
        return Err(format!(
            "`{host}` is not a directory here; name one that exists"
        ));
    }
    Ok(BareDir {
        host: PathBuf::from(host),
        guest: guest.to_string(),
        read_only,
    })
}

/// Reads `--env NAME[=VALUE]`.
fn parse_env(text: &str) -> Result<(String, Option<String>), String> {
    let (name, value) = match text.split_once('=') {
        Some((name, value)) => (name, Some(value.to_string())),
        None => (text, None),
    };
    if name.is_empty() || name.contains('\0') || value.as_deref().is_some_and(|v| v.contains('\0'))
    {
        return Err("write NAME or NAME=VALUE, with a non-empty NAME and no NUL byte".into());
    }
    Ok((name.to_string(), value))
}

/// A pipeline composed in memory, or a component read from a file.
pub struct Target {
    /// The file named on the command line.
    pub path: PathBuf,
    /// The component (or precompiled component) bytes.
    pub bytes: Vec<u8>,
    /// The composed pipeline's shape and host contract; `None` for a bare component.
    pub report: Option<Report>,
    /// The program name the component sees as `argv[0]`.
    pub argv0: String,
    /// `-v`: errors keep their backtraces.
    pub verbose: bool,
    /// `--dir` of a bare component.
    pub dirs: Vec<BareDir>,
    /// `--env` of a bare component.
    pub env: Vec<(String, Option<String>)>,
}

impl Target {
    /// Whether the component exports an interface named one of `prefixes…` (always assumed for a
    /// bare component: wasmtime reports what is missing).
    pub fn exports(&self, prefixes: &[&str]) -> Result<(), Reported> {
        let Some(report) = &self.report else {
            return Ok(());
        };
        let exports = &report.contract.exports;
        if exports
            .iter()
            .any(|n| prefixes.iter().any(|p| n.starts_with(p)))
        {
            return Ok(());
        }
        let names: Vec<&str> = exports.iter().map(String::as_str).collect();
        let wanted: Vec<String> = prefixes
            .iter()
            .map(|p| format!("`{}`", p.trim_end_matches('@')))
            .collect();
        // The output may be another kind of program, which another command starts.
        let exported = |p: &str| names.iter().any(|n| n.starts_with(p));
        let path = self.path.display();
        let fix = if exported("wasi:http/incoming-handler@") || exported("wasi:http/handler@0.3") {
            format!("it serves HTTP: start it with `witpipe serve {path}`")
        } else if exported("wasi:cli/run@") {
            format!("it is a command: run it with `witpipe run {path}`")
        } else {
            "export the instance that does with `exports:`, or call a function with `witpipe call`"
                .into()
        };
        Err(report_plain(format!(
            "{path}: the composed component exports no {}, so there is nothing to start (it exports {}); {fix}",
            wanted.join(" or "),
            names.join(", ")
        )))
    }

    /// What the host grants: exactly the pipeline's host contract; a bare component
    /// gets its standard streams and its arguments, nothing else. `args` follow argv[0].
    pub fn grants(&self, args: &[String]) -> HostGrants {
        let argv: Vec<String> = std::iter::once(self.argv0.clone())
            .chain(args.iter().cloned())
            .collect();
        match &self.report {
            Some(report) => HostGrants::from_contract(&report.contract, argv),
            None => {
                let mut grants = HostGrants::bare(argv);
                for d in &self.dirs {
                    grants
                        .dirs
                        .push((d.host.clone(), d.guest.clone(), d.read_only));
                }
                for (name, value) in &self.env {
                    match value {
                        Some(value) => grants.env_values.push((name.clone(), value.clone())),
                        None => grants.env.push(name.clone()),
                    }
                }
                grants
            }
        }
    }

    /// An error about this target, as the CLI prints it; a trap names the pipeline
    /// instance (or policy wrapper) and the function it happened in.
    pub fn fail(&self, e: witpipe_host::HostError) -> Reported {
        let text = e.to_string();
        if let Some(note) = self.trap_note(&e) {
            return match note.explains {
                true => report_plain(format!("{}: {}", self.path.display(), note.site)),
                false => report_plain(format!("{}: {}: {text}", self.path.display(), note.site)),
            };
        }
        report_plain(format!("{}: {text}", self.path.display()))
    }

    /// Where a trap happened, if this is a pipeline (see [`trap_note`]).
    pub fn trap_note(&self, e: &witpipe_host::HostError) -> Option<TrapNote> {
        trap_note(self.report.as_ref()?, e, self.verbose)
    }
}

/// The pipeline instance (or policy wrapper) whose code a trap happened in; a denial
/// is explained with the grant that allows it, without the backtrace unless `verbose`.
pub fn trap_note(report: &Report, e: &witpipe_host::HostError, verbose: bool) -> Option<TrapNote> {
    let frames = witpipe_host::trap_frames(e);
    let site = report.trap_site(frames.iter().map(|f| witpipe_compose::TrapFrame {
        module: f.module.as_deref(),
        exports: f.exports.as_slice(),
        function: f.function.as_str(),
        functions: f.functions,
    }))?;
    Some(match site.denial_message() {
        Some(message) if !verbose => TrapNote {
            site: message,
            explains: true,
        },
        _ => TrapNote {
            site: site.to_string(),
            explains: false,
        },
    })
}

impl RuntimeArgs {
    /// The limits asked for, `defaults` where none was (`none` lifts a default).
    pub fn limits(&self, defaults: Limits) -> Limits {
        Limits {
            timeout: self.timeout.map_or(defaults.timeout, |b| b.0),
            max_memory: self.max_memory.map_or(defaults.max_memory, |b| b.0),
            fuel: self.fuel,
        }
    }

    /// [`LoadArgs::load`], with `--dir` and `--env` for a bare component (refused for a
    /// pipeline, whose grants are in its file).
    pub fn load(&self, path: &Path) -> Result<Target, Reported> {
        let mut target = self.load.load(path)?;
        if target.report.is_some() && !(self.dir.is_empty() && self.env.is_empty()) {
            return Err(report_plain(format!(
                "{}: --dir and --env are for a bare component; a pipeline's grants are in its file: grant directories with `fs: [{{ host: ./data, guest: /data }}]` and variables with `env: [NAME]` under the component's `grants:` (docs/policy.md)",
                path.display()
            )));
        }
        target.dirs = self.dir.clone();
        target.env = self.env.clone();
        Ok(target)
    }

    /// [`LoadArgs::prepare`] with this command's fuel setting.
    pub fn prepare(
        &self,
        target: &Target,
        pooling: Option<u32>,
    ) -> Result<(Engine, Component), Reported> {
        self.load.prepare(target, pooling, self.fuel.is_some())
    }
}

impl LoadArgs {
    /// Prints `message` under `-v`.
    pub fn log(&self, message: impl std::fmt::Display) {
        if self.verbose {
            eprintln!("witpipe: {message}");
        }
    }

    /// Composes `path` in memory if it is a pipeline file, else reads the component.
    pub fn load(&self, path: &Path) -> Result<Target, Reported> {
        let is_component = matches!(
            path.extension().and_then(|e| e.to_str()),
            Some("wasm" | "cwasm")
        );
        if is_component {
            let max = witpipe_compose::load::MAX_COMPONENT_BYTES;
            let bytes = witpipe_compose::load::read_at_most(path, max).map_err(|e| {
                report_plain(format!(
                    "{}: cannot read the component: {e}; check the path",
                    path.display()
                ))
            })?;
            // An import no host serves (not WASI), or one a bare run does not grant,
            // would fail at start with wasmtime's text; say what it is and how to
            // satisfy it instead.
            let (imports, _) = witpipe_compose::wit::top_level_names(&bytes);
            if let Some(other) = imports.iter().find(|i| !i.starts_with("wasi:")) {
                return Err(report_plain(format!(
                    "{}: the component imports `{other}`, which is not a WASI interface, so no host serves it; write a pipeline file that names this component with one that exports `{other}` (`pipe:` or `links:`), and run that",
                    path.display()
                )));
            }
            let bare = HostGrants::bare(Vec::new());
            let unserved = witpipe_host::unserved(&bare, imports.iter().map(String::as_str));
            if !unserved.is_empty() {
                let names: Vec<String> = unserved.iter().map(|i| format!("`{i}`")).collect();
                return Err(report_plain(format!(
                    "{}: the component imports {}, which a bare component is not granted (it gets its standard streams, its arguments and what --dir and --env give): name it in a pipeline file and grant what it needs there (docs/policy.md)",
                    path.display(),
                    names.join(", ")
                )));
            }
            self.log(format_args!(
                "{}: a bare component ({} bytes): it gets its standard streams and arguments only; write a pipeline file to grant more",
                path.display(),
                bytes.len()
            ));
            return Ok(Target {
                argv0: stem(path),
                path: path.to_path_buf(),
                bytes,
                report: None,
                verbose: self.verbose,
                dirs: Vec::new(),
                env: Vec::new(),
            });
        }
        let started = Instant::now();
        let cache = self.composition_cache();
        if let Some(cached) = cache.as_ref().and_then(|c| c.get(path)) {
            self.log(format_args!(
                "{}: its components and grants are unchanged: the composition from the cache ({} bytes) in {:.1?}",
                path.display(),
                cached.bytes.len(),
                started.elapsed()
            ));
            return Ok(self.pipeline_target(path, cached.bytes, cached.report, cached.name));
        }
        let composition = crate::commands::compose_pipeline(path)?;
        let report = composition.report();
        self.log(format_args!(
            "composed {} ({} instances, {} links) into {} bytes in {:.1?}{}",
            path.display(),
            report.instances.len(),
            report.links.len(),
            composition.bytes.len(),
            started.elapsed(),
            match cache.is_some_and(|c| c.put(&composition)) {
                true => ", kept in the cache",
                false => "",
            }
        ));
        let name = composition.pipeline.output_name();
        Ok(self.pipeline_target(path, composition.bytes, report, name))
    }

    /// The composition cache, unless `--no-cache` or there is no cache directory. It is
    /// keyed to this executable (version, size, modification time), so a rebuilt witpipe
    /// composes afresh.
    fn composition_cache(&self) -> Option<CompositionCache> {
        if self.no_cache {
            return None;
        }
        let dir = witpipe_compose::cache::dir()?;
        let exe = std::env::current_exe().ok()?.metadata().ok()?;
        let modified = exe.modified().ok()?.duration_since(UNIX_EPOCH).ok()?;
        let tool = format!(
            "witpipe {} {} {}",
            env!("CARGO_PKG_VERSION"),
            exe.len(),
            modified.as_nanos()
        );
        Some(CompositionCache::new(&dir, tool))
    }

    /// A composed pipeline to run, its grants logged under `-v`.
    fn pipeline_target(&self, path: &Path, bytes: Vec<u8>, report: Report, name: String) -> Target {
        for import in &report.contract.imports {
            let who = import.instances.join(", ");
            self.log(format_args!("grant {} (for {who})", import.name));
        }
        Target {
            argv0: name,
            path: path.to_path_buf(),
            bytes,
            report: Some(report),
            verbose: self.verbose,
            dirs: Vec::new(),
            env: Vec::new(),
        }
    }

    /// The engine: fuel metering compiled in or not, the pooling allocator or not.
    pub fn engine(
        &self,
        target: &Target,
        pooling: Option<u32>,
        fuel: bool,
    ) -> Result<Engine, Reported> {
        witpipe_host::engine(EngineOptions { fuel, pooling }).map_err(|e| target.fail(e))
    }

    /// The engine and the compiled component, from the compile cache when possible.
    pub fn prepare(
        &self,
        target: &Target,
        pooling: Option<u32>,
        fuel: bool,
    ) -> Result<(Engine, Component), Reported> {
        let engine = self.engine(target, pooling, fuel)?;
        let cache = if self.no_cache {
            None
        } else {
            witpipe_compose::cache::dir()
        };
        if let Some(dir) = &cache {
            if let Some(component) = witpipe_host::cached(&engine, &target.bytes, dir) {
                self.log(format_args!(
                    "compiled code from the cache in {}",
                    dir.display()
                ));
                return Ok((engine, component));
            }
        }
        let started = Instant::now();
        self.log(format_args!(
            "compiling {} bytes of wasm to machine code",
            target.bytes.len()
        ));
        let progress = Progress::start(target.bytes.len());
        let component = witpipe_host::compile(&engine, &target.bytes, cache.as_deref());
        drop(progress);
        let component = component.map_err(|e| target.fail(e))?;
        self.log(format_args!(
            "compiled {} bytes in {:.1?}{}",
            target.bytes.len(),
            started.elapsed(),
            match &cache {
                Some(dir) => format!(", cached in {}", dir.display()),
                None => String::new(),
            }
        ));
        if let Some(dir) = &cache {
            let budget = housekeeping::budget().map_err(report_plain)?;
            let removed = housekeeping::prune(dir, budget);
            if removed.files > 0 {
                self.log(format_args!(
                    "cache over its budget of {budget} bytes (WITPIPE_CACHE_MAX): removed the {} least recently used entries ({} bytes)",
                    removed.files, removed.bytes
                ));
            }
        }
        Ok((engine, component))
    }
}

/// A line on a terminal's stderr while a first compile runs; off a terminal (CI
/// logs), a line after two seconds and then every ten.
struct Progress(Option<std::sync::mpsc::Sender<()>>);

impl Progress {
    fn start(size: usize) -> Progress {
        let (stop, stopped) = std::sync::mpsc::channel::<()>();
        let started = Instant::now();
        if !std::io::stderr().is_terminal() {
            std::thread::spawn(move || {
                let mut next = Duration::from_secs(2);
                while stopped
                    .recv_timeout(next.saturating_sub(started.elapsed()))
                    .is_err()
                {
                    eprintln!(
                        "witpipe: compiling {} KB of wasm to machine code, {}s so far (once; later starts use the cache)",
                        size / 1024,
                        started.elapsed().as_secs()
                    );
                    next += Duration::from_secs(10);
                }
            });
            return Progress(Some(stop));
        }
        std::thread::spawn(move || {
            let frames = ['|', '/', '-', '\\'];
            let mut i = 0;
            while stopped.recv_timeout(Duration::from_millis(120)).is_err() {
                if started.elapsed() > Duration::from_millis(300) {
                    eprint!(
                        "\r{} compiling {} KB of wasm to machine code (once; later starts use the cache) {:.1}s",
                        frames[i % 4],
                        size / 1024,
                        started.elapsed().as_secs_f64()
                    );
                    i += 1;
                }
            }
            if i > 0 {
                eprint!("\r\x1b[2K");
            }
        });
        Progress(Some(stop))
    }
}

impl Drop for Progress {
    fn drop(&mut self) {
        if let Some(stop) = self.0.take() {
            let _ = stop.send(());
            // Let the line be cleared before anything else is printed.
            std::thread::sleep(Duration::from_millis(5));
        }
    }
}

fn stem(path: &Path) -> String {
    path.file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default()
}

/// `2`, `0.5`.
/// The default limits of `serve`: what one request's instance may use.
pub const SERVE_LIMITS: Limits = Limits {
    timeout: Some(Duration::from_secs(30)),
    max_memory: Some(512 << 20),
    fuel: None,
};

/// The default limits of `run` and `call`: a command takes as long as its input
/// needs, but no memory grows without bound.
pub const COMMAND_LIMITS: Limits = Limits {
    timeout: None,
    max_memory: Some(2 << 30),
    fuel: None,
};

/// A limit given on the command line: a value, or `none` (no limit).
#[derive(Debug, Clone, Copy)]
pub struct Bound<T>(Option<T>);

/// `parse`, or `none` for no limit.
fn bound<T>(
    parse: fn(&str) -> Result<T, String>,
) -> impl Fn(&str) -> Result<Bound<T>, String> + Clone {
    move |text| match text {
        "none" => Ok(Bound(None)),
        _ => parse(text).map(|v| Bound(Some(v))),
    }
}

/// A duration: seconds (`2`, `0.5`), or a number with a unit as wasmtime writes them
/// (`100ms`, `2s`, `1m`, `1h`).
fn parse_seconds(text: &str) -> Result<Duration, String> {
    let split = text
        .find(|c: char| c.is_ascii_alphabetic())
        .unwrap_or(text.len());
    let (number, unit) = text.split_at(split);
    let scale = match unit {
        "" | "s" => 1.0,
        "ms" => 0.001,
        "us" => 0.000_001,
        "m" => 60.0,
        "h" => 3600.0,
        _ => f64::NAN,
    };
    number
        .parse::<f64>()
        .ok()
        .map(|n| n * scale)
        .filter(|s| s.is_finite() && *s > 0.0)
        .and_then(|s| Duration::try_from_secs_f64(s).ok())
        .ok_or_else(|| format!("`{text}` is not a duration such as 2, 0.5, 100ms, 2s or 1m"))
}

/// `1048576`, `64K`, `16M`, `1G`.
pub fn parse_size(text: &str) -> Result<usize, String> {
    let (digits, unit) = match text.char_indices().find(|(_, c)| !c.is_ascii_digit()) {
        Some((i, _)) => text.split_at(i),
        None => (text, ""),
    };
    let n: usize = digits
        .parse()
        .map_err(|_| format!("`{text}` is not a size such as 64M"))?;
    let scale = match unit
        .to_ascii_uppercase()
        .trim_end_matches("IB")
        .trim_end_matches('B')
    {
        "" => 1,
        "K" => 1 << 10,
        "M" => 1 << 20,
        "G" => 1 << 30,
        _ => return Err(format!("`{text}`: the unit must be K, M or G")),
    };
    n.checked_mul(scale)
        .ok_or_else(|| format!("`{text}` is too large"))
}

#[cfg(test)]
mod tests {
    use super::{RuntimeArgs, COMMAND_LIMITS, SERVE_LIMITS};
    use clap::Parser;
    use std::time::Duration;

    #[derive(Parser)]
    struct Cli {
        #[command(flatten)]
        runtime: RuntimeArgs,
    }

    fn limits(args: &[&str], defaults: witpipe_host::Limits) -> witpipe_host::Limits {
        let cli = Cli::try_parse_from(std::iter::once("witpipe").chain(args.iter().copied()));
        cli.unwrap().runtime.limits(defaults)
    }

    #[test]
    fn each_command_has_default_limits_that_flags_change_or_lift() {
        let serve = limits(&[], SERVE_LIMITS);
        assert_eq!(
            (serve.timeout, serve.max_memory),
            (Some(Duration::from_secs(30)), Some(512 << 20))
        );
        let run = limits(&[], COMMAND_LIMITS);
        assert_eq!((run.timeout, run.max_memory), (None, Some(2 << 30)));
        let set = limits(&["--timeout", "2", "--max-memory", "64M"], SERVE_LIMITS);
        assert_eq!(
            (set.timeout, set.max_memory),
            (Some(Duration::from_secs(2)), Some(64 << 20))
        );
        let lifted = limits(&["--timeout", "none", "--max-memory", "none"], SERVE_LIMITS);
        assert_eq!((lifted.timeout, lifted.max_memory), (None, None));
        assert!(
            Cli::try_parse_from(["witpipe", "--timeout"]).is_err(),
            "a value is required"
        );
        // Durations as wasmtime writes them.
        for (text, ms) in [("100ms", 100), ("2s", 2000), ("1m", 60_000), ("0.5", 500)] {
            let set = limits(&["--timeout", text], COMMAND_LIMITS);
            assert_eq!(set.timeout, Some(Duration::from_millis(ms)), "{text}");
        }
        for bad in ["0", "-1", "1x", "ms", "1 m"] {
            let flag = format!("--timeout={bad}");
            let Err(e) = Cli::try_parse_from(["witpipe", flag.as_str()]) else {
                panic!("{bad} was taken");
            };
            let wanted = format!("`{bad}` is not a duration such as 2, 0.5, 100ms, 2s or 1m");
            assert!(e.to_string().contains(&wanted), "{bad}: {e}");
        }
    }

    #[test]
    fn dir_and_env_flags_say_how_to_write_them() {
        let refused = |flag: &str| match Cli::try_parse_from(["witpipe", flag]) {
            Err(e) => e.to_string(),
            Ok(_) => panic!("{flag} was taken"),
        };
        let e = refused("--dir=.::/data::rw");
        assert!(
            e.contains("`rw` is not `ro`: write HOST, HOST::GUEST or HOST::GUEST::ro"),
            "{e}"
        );
        for bad in ["--dir=", "--dir=.::", "--dir=.::/a::ro::x"] {
            let e = refused(bad);
            assert!(
                e.contains("write HOST, HOST::GUEST or HOST::GUEST::ro"),
                "{bad}: {e}"
            );
        }
        let e = refused("--dir=/no/such/dir");
        assert!(
            e.contains("`/no/such/dir` is not a directory here; name one that exists"),
            "{e}"
        );
        for bad in ["--env==x", "--env=A=b\0c"] {
            let e = refused(bad);
            assert!(
                e.contains("write NAME or NAME=VALUE, with a non-empty NAME and no NUL byte"),
                "{bad}: {e}"
            );
        }
        let cli = Cli::try_parse_from(["witpipe", "--dir=.::/data::ro", "--env=A", "--env=B=c=d"])
            .unwrap();
        let d = &cli.runtime.dir[0];
        assert_eq!(
            (d.host.as_path(), d.guest.as_str(), d.read_only),
            (std::path::Path::new("."), "/data", true)
        );
        assert_eq!(
            cli.runtime.env,
            [
                ("A".to_string(), None),
                ("B".to_string(), Some("c=d".to_string()))
            ]
        );
    }
}
