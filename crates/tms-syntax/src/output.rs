//! Writing results: to stdout, or atomically to a file so that a failure never
//! leaves a partial or clobbered output behind.

use std::io::Write;
use std::path::Path;

/// Writes `bytes` to `path` through a temporary file in the same directory and a
/// rename (see `emit_with`).
pub fn write_atomic(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    emit_with(Some(path), |w| w.write_all(bytes))
}

/// Writes to `path`, or to stdout when it is `None` or `-`.
pub fn emit(path: Option<&Path>, bytes: &[u8]) -> std::io::Result<()> {
    emit_with(path, |w| w.write_all(bytes))
}

/// Streams output through `write` to `path` or to stdout (`None` or `-`).
///
/// A regular file (or a path that does not exist yet) is written atomically:
/// to a temporary file created exclusively, with a random name, beside it
/// (`.NAME.tms-XXXXXX.tmp`, removed on failure), then renamed over it, keeping
/// an existing file's permissions. Anything else (a device such as
/// `/dev/null`, a FIFO, a symbolic link such as `/dev/stdout`) is written in
/// place, as a shell's `>` would.
pub fn emit_with(
    path: Option<&Path>,
    write: impl FnOnce(&mut dyn Write) -> std::io::Result<()>,
) -> std::io::Result<()> {
    match path {
        Some(p) if p != Path::new("-") => match std::fs::symlink_metadata(p) {
            Ok(m) if m.is_dir() => Err(std::io::Error::new(
                std::io::ErrorKind::InvalidInput,
                "the output path is a folder",
            )),
            Ok(m) if !m.is_file() => {
                let f = std::fs::OpenOptions::new()
                    .write(true)
                    .truncate(true)
                    .open(p)?;
                let mut w = std::io::BufWriter::with_capacity(1 << 20, f);
                write(&mut w)?;
                w.flush()
            }
            Ok(m) => replace(p, Some(m.permissions()), write),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => replace(p, None, write),
            Err(e) => Err(e),
        },
        _ => {
            let stdout = std::io::stdout();
            let mut w = std::io::BufWriter::with_capacity(1 << 16, stdout.lock());
            write(&mut w)?;
            w.flush()
        }
    }
}

/// The folder an output path names a file in (`.` for a bare name).
fn folder_of(p: &Path) -> &Path {
    match p.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    }
}

/// The atomic write of `emit_with`, to a regular file `p` (with `keep`, the
/// permissions of the file it replaces).
fn replace(
    p: &Path,
    keep: Option<std::fs::Permissions>,
    write: impl FnOnce(&mut dyn Write) -> std::io::Result<()>,
) -> std::io::Result<()> {
    let dir = folder_of(p);
    if !dir.is_dir() {
        return Err(std::io::Error::new(
            std::io::ErrorKind::NotFound,
            format!("the folder {} does not exist", dir.display()),
        ));
    }
    let name = p.file_name().ok_or_else(|| {
        std::io::Error::new(
            std::io::ErrorKind::InvalidInput,
            "the output path names no file",
        )
    })?;
    let prefix = format!(".{}.tms-", name.to_string_lossy());
    let mut builder = tempfile::Builder::new();
    builder.prefix(&prefix).suffix(".tmp").rand_bytes(6);
    // A new file gets the usual mode (0666 less the umask), not the 0600 of a
    // temporary file.
    #[cfg(unix)]
    let new_mode = {
        use std::os::unix::fs::PermissionsExt;
        std::fs::Permissions::from_mode(0o666)
    };
    #[cfg(unix)]
    if keep.is_none() {
        builder.permissions(new_mode);
    }
    // Dropped on any failure below, the temporary file is removed.
    let tmp = builder.tempfile_in(dir)?;
    if let Some(perm) = keep {
        std::fs::set_permissions(tmp.path(), perm)?;
    }
    let mut w = std::io::BufWriter::with_capacity(1 << 20, tmp);
    write(&mut w)?;
    let tmp = w.into_inner().map_err(|e| e.into_error())?;
    tmp.as_file().sync_all()?;
    tmp.persist(p).map_err(|e| e.error)?;
    Ok(())
}

/// Writes `value` as pretty JSON and a final newline. A concrete buffer sits
/// in front of the `dyn` writer: the serialiser writes a few bytes at a time,
/// and a virtual call for each was an eighth of a large report's run time.
pub fn write_json_pretty<T: serde::Serialize + ?Sized>(
    out: &mut dyn Write,
    value: &T,
) -> std::io::Result<()> {
    let mut w = std::io::BufWriter::with_capacity(1 << 16, out);
    serde_json::to_writer_pretty(&mut w, value)?;
    w.write_all(b"\n")?;
    w.flush()
}
