//! `tms watch`: edits to a model show up as changed findings and rewritten
//! outputs; an invalid save is reported and leaves the outputs alone.

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc::{channel, Receiver};
use std::time::{Duration, Instant};

const MODEL: &str = "title: Shop
boundaries:
  - {id: internet, name: Internet}
data:
  - {id: creds, name: Credentials, classification: secret, isCredentials: true}
elements:
  - {id: customer, type: actor, name: Customer, boundary: internet}
  - {id: web, type: server, name: Web server}
flows:
  - {id: login, from: customer, to: web, data: [creds], protocol: HTTPS}
";

/// Kills the watcher however the test ends.
struct Watcher(Child);

impl Drop for Watcher {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// Lines of a stream, sent as they come.
fn lines(r: impl std::io::Read + Send + 'static) -> Receiver<String> {
    let (tx, rx) = channel();
    std::thread::spawn(move || {
        for line in BufReader::new(r).lines().map_while(Result::ok) {
            if tx.send(line).is_err() {
                return;
            }
        }
    });
    rx
}

/// Waits (at most two minutes) for a line that passes `want`; all lines seen so far on failure.
fn wait_for(rx: &Receiver<String>, seen: &mut Vec<String>, want: impl Fn(&str) -> bool) {
    let deadline = Instant::now() + Duration::from_secs(120);
    while let Some(left) = deadline.checked_duration_since(Instant::now()) {
        match rx.recv_timeout(left) {
            Ok(line) => {
                let hit = want(&line);
                seen.push(line);
                if hit {
                    return;
                }
            }
            Err(_) => break,
        }
    }
    panic!("the expected line never came; got:\n{}", seen.join("\n"));
}

#[test]
fn watch_reports_changes_and_survives_a_bad_save() {
    let dir = tempfile::tempdir().expect("temp dir");
    let model = dir.path().join("model.yaml");
    let report = dir.path().join("report.json");
    std::fs::write(&model, MODEL).expect("write the model");
    let mut child = Command::new(env!("CARGO_BIN_EXE_tms"))
        .arg("watch")
        .arg(&model)
        .arg("--report")
        .arg(&report)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("tms watch starts");
    let out = lines(child.stdout.take().expect("stdout"));
    let err = lines(child.stderr.take().expect("stderr"));
    let _guard = Watcher(child);
    let (mut seen, mut seen_err) = (Vec::new(), Vec::new());
    wait_for(&out, &mut seen, |l| l.starts_with("watching "));
    assert!(
        seen[0].ends_with("1 finding open, 25 questions"),
        "{seen:?}"
    );
    let first = std::fs::read_to_string(&report).expect("the report is written");
    assert!(!first.contains("unencrypted-transport@login"));

    // Plain HTTP: the finding appears, the report follows.
    std::fs::write(&model, MODEL.replace("protocol: HTTPS", "protocol: HTTP")).expect("edit");
    wait_for(&out, &mut seen, |l| {
        l.starts_with("  + unencrypted-transport@login (critical, open)")
    });
    let deadline = Instant::now() + Duration::from_secs(120);
    while !std::fs::read_to_string(&report)
        .unwrap_or_default()
        .contains("unencrypted-transport@login")
    {
        assert!(Instant::now() < deadline, "the report was not rewritten");
        std::thread::sleep(Duration::from_millis(100));
    }

    // A broken save: its problem is printed, the report is left as it was.
    std::fs::write(&model, "title: Shop\nelements: [\n").expect("break");
    wait_for(&err, &mut seen_err, |l| {
        l.contains("invalid; the outputs are left as they were")
    });
    assert!(
        seen_err
            .iter()
            .any(|l| l.contains("model.yaml:") && l.contains("error: invalid YAML")),
        "{seen_err:?}"
    );
    assert!(std::fs::read_to_string(&report)
        .unwrap_or_default()
        .contains("unencrypted-transport@login"));

    // Fixed again: back to the first state, compared with the last good run.
    std::fs::write(&model, MODEL).expect("fix");
    wait_for(&out, &mut seen, |l| {
        l.starts_with("  - unencrypted-transport@login")
    });
}
