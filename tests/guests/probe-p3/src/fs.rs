//! Filesystem modes through `wasi:filesystem@0.3`: a path is looked up in the
//! preopens as wasi-libc does (the longest preopen name it starts with), and the rest
//! is handed to the host relative to that directory, `..` and symlinks and all.

use std::future::IntoFuture;
use wasip3::filesystem::preopens;
use wasip3::filesystem::types::{Descriptor, DescriptorFlags, ErrorCode, OpenFlags, PathFlags};

/// The preopen that holds `path`, and the path relative to it.
fn resolve(path: &str) -> Result<(Descriptor, String), String> {
    let mut best: Option<(Descriptor, String, usize)> = None;
    for (dir, name) in preopens::get_directories() {
        let rest = match path.strip_prefix(name.trim_end_matches('/')) {
            Some("") => Some("."),
            Some(rest) => rest.strip_prefix('/'),
            None => None,
        };
        if let Some(rest) = rest {
            if best.as_ref().is_none_or(|b| name.len() > b.2) {
                let rest = if rest.is_empty() { "." } else { rest };
                best = Some((dir, rest.to_string(), name.len()));
            }
        }
    }
    best.map(|(dir, rest, _)| (dir, rest))
        .ok_or_else(|| "no preopened directory holds it".into())
}

/// Runs `op` (read, list, write, mkdir, remove, `write-ro`: write through a stream to
/// a file opened for reading; `count`; `stat-calls N` on `/data`) on `path`, or says why not.
pub async fn run(op: &str, path: &str) -> String {
    match attempt(op, path).await {
        Ok(said) => said,
        Err(why) => format!("error: {why}"),
    }
}

fn code(e: ErrorCode) -> String {
    format!("{e:?}")
}

async fn open(path: &str, open: OpenFlags, flags: DescriptorFlags) -> Result<Descriptor, String> {
    let (dir, rel) = resolve(path)?;
    if rel == "." && open == OpenFlags::DIRECTORY {
        return Ok(dir);
    }
    let follow = PathFlags::SYMLINK_FOLLOW;
    dir.open_at(follow, rel, open, flags).await.map_err(code)
}

/// The whole of a file, read through one stream.
async fn read_all(path: &str) -> Result<Vec<u8>, String> {
    let file = open(path, OpenFlags::empty(), DescriptorFlags::READ).await?;
    let (data, done) = file.read_via_stream(0);
    let bytes = data.collect().await;
    done.await.map_err(code)?;
    Ok(bytes)
}

/// Writes the probe's line through `file`'s write stream and says how it ended.
async fn write_through(file: &Descriptor) -> Result<(), String> {
    let (mut tx, rx) = wasip3::wit_stream::new();
    let (ended, ()) = futures::join!(file.write_via_stream(rx, 0).into_future(), async {
        tx.write_all(b"written by the probe".to_vec()).await;
        drop(tx);
    });
    ended.map_err(code)
}

async fn attempt(op: &str, path: &str) -> Result<String, String> {
    let read = DescriptorFlags::READ;
    match op {
        "read" => Ok(String::from_utf8_lossy(&read_all(path).await?).into_owned()),
        "list" => {
            let dir = open(path, OpenFlags::DIRECTORY, read).await?;
            let (entries, done) = dir.read_directory();
            let mut names: Vec<String> = entries
                .collect()
                .await
                .into_iter()
                .map(|e| e.name)
                .collect();
            done.await.map_err(code)?;
            names.sort();
            Ok(names.join(","))
        }
        "write" => {
            let creates = OpenFlags::CREATE | OpenFlags::TRUNCATE;
            let file = open(path, creates, DescriptorFlags::WRITE).await?;
            write_through(&file).await?;
            Ok("written".into())
        }
        "write-ro" => {
            let file = open(path, OpenFlags::empty(), read).await?;
            write_through(&file).await?;
            Ok("written".into())
        }
        "mkdir" | "remove" => {
            let (dir, rel) = resolve(path)?;
            let done = if op == "mkdir" {
                dir.create_directory_at(rel).await
            } else {
                dir.unlink_file_at(rel).await
            };
            done.map_err(code)?;
            Ok(format!("{op} done"))
        }
        // For benchmarks: the size of a file read through one stream; N `stat` calls.
        "count" => Ok(format!("{} bytes", read_all(path).await?.len())),
        "stat-calls" => {
            // `path` is the count: the calls go to the directory mounted at `/data`.
            let dir = open("/data", OpenFlags::DIRECTORY, read).await?;
            let mut links = 0;
            for _ in 0..path.parse::<u32>().map_err(|e| e.to_string())? {
                links = dir.stat().await.map_err(code)?.link_count;
            }
            Ok(format!("{links} links"))
        }
        _ => Err(format!("unknown filesystem mode {op}")),
    }
}
