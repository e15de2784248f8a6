//! Writing results: to stdout, or atomically to a file so that a failure never
//! leaves a partial or clobbered output behind.

use std::io::Write;
use std::path::Path;

/// Writes `bytes` to `path` through a temporary file in the same directory and a rename.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    emit_with(Some(path), |w| w.write_all(bytes))
}

/// Writes to `path`, or to stdout when it is `None` or `-`.
pub fn emit(path: Option<&Path>, bytes: &[u8]) -> std::io::Result<()> {
    emit_with(path, |w| w.write_all(bytes))
}

/// Streams output through `write` to `path` (atomically) or to stdout.
pub fn emit_with(
    path: Option<&Path>,
    write: impl FnOnce(&mut dyn Write) -> std::io::Result<()>,
) -> std::io::Result<()> {
    match path {
        Some(p) if p != Path::new("-") => {
            let dir = match p.parent() {
                Some(d) if !d.as_os_str().is_empty() => d,
                _ => Path::new("."),
            };
            let name = p.file_name().ok_or_else(|| {
                std::io::Error::new(
                    std::io::ErrorKind::InvalidInput,
                    "the output path names no file",
                )
            })?;
            let tmp = dir.join(format!(
                ".{}.tms-{}.tmp",
                name.to_string_lossy(),
                std::process::id()
            ));
            let result = (|| {
                let f = std::fs::File::create(&tmp)?;
                let mut w = std::io::BufWriter::with_capacity(1 << 20, f);
                write(&mut w)?;
                let f = w.into_inner().map_err(|e| e.into_error())?;
                f.sync_all()?;
                std::fs::rename(&tmp, p)
            })();
            if result.is_err() {
                let _ = std::fs::remove_file(&tmp);
            }
            result
        }
        _ => {
            let stdout = std::io::stdout();
            let mut w = std::io::BufWriter::with_capacity(1 << 16, stdout.lock());
            write(&mut w)?;
            w.flush()
        }
    }
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
