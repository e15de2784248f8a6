//! `tms lsp` driven over stdio with JSON-RPC, as an editor does: the answers'
//! content is checked, and edits the server proposes are applied and re-checked.

use std::io::{BufRead, BufReader, Read, Write};
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::mpsc::{channel, Receiver};
use std::time::Duration;

use serde_json::{json, Value};

const URI: &str = "file:///tmp/shop/model.yaml";

const MODEL: &str = "title: Shop
boundaries:
  - id: internet
    name: Internet
data:
  - id: creds
    name: Credentials
    classification: secret
    isCredentials: true
elements:
  - id: customer
    type: actor
    name: Customer
    boundary: internet
  - id: web
    type: server
    name: Web server
flows:
  - id: login
    from: customer
    to: web
    data: [creds]
    protocol: HTTP
";

struct Client {
    child: Child,
    stdin: ChildStdin,
    rx: Receiver<Value>,
    next: i64,
    /// Notifications received while waiting for responses.
    notes: Vec<Value>,
    version: i32,
}

/// Reads framed messages (`Content-Length: N` + body) until the stream ends.
fn read_messages(out: impl Read + Send + 'static) -> Receiver<Value> {
    let (tx, rx) = channel();
    std::thread::spawn(move || {
        let mut r = BufReader::new(out);
        loop {
            let mut len = 0usize;
            loop {
                let mut line = String::new();
                if r.read_line(&mut line).unwrap_or(0) == 0 {
                    return;
                }
                let line = line.trim();
                if line.is_empty() {
                    break;
                }
                if let Some(n) = line.strip_prefix("Content-Length:") {
                    len = n.trim().parse().unwrap_or(0);
                }
            }
            let mut body = vec![0; len];
            if r.read_exact(&mut body).is_err() {
                return;
            }
            let Ok(v) = serde_json::from_slice(&body) else {
                return;
            };
            if tx.send(v).is_err() {
                return;
            }
        }
    });
    rx
}

impl Client {
    fn start() -> Client {
        let mut child = Command::new(env!("CARGO_BIN_EXE_tms"))
            .args(["lsp", "--stdio"])
            .env("TMS_TODAY", "2026-03-01")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("tms lsp starts");
        let stdin = child.stdin.take().expect("stdin");
        let rx = read_messages(child.stdout.take().expect("stdout"));
        Client {
            child,
            stdin,
            rx,
            next: 0,
            notes: Vec::new(),
            version: 0,
        }
    }

    fn send(&mut self, msg: Value) {
        let body = msg.to_string();
        write!(self.stdin, "Content-Length: {}\r\n\r\n{body}", body.len()).expect("write");
        self.stdin.flush().expect("flush");
    }

    fn recv(&mut self) -> Value {
        self.rx
            .recv_timeout(Duration::from_secs(120))
            .expect("the server answers")
    }

    fn request(&mut self, method: &str, params: Value) -> Value {
        self.next += 1;
        let id = self.next;
        self.send(json!({"jsonrpc": "2.0", "id": id, "method": method, "params": params}));
        loop {
            let m = self.recv();
            if m["id"] == json!(id) {
                assert!(m.get("error").is_none(), "{method}: {m}");
                return m["result"].clone();
            }
            self.notes.push(m);
        }
    }

    fn notify(&mut self, method: &str, params: Value) {
        self.send(json!({"jsonrpc": "2.0", "method": method, "params": params}));
    }

    /// The next diagnostics published for the document.
    fn diagnostics(&mut self) -> Vec<Value> {
        loop {
            let m = if self.notes.is_empty() {
                self.recv()
            } else {
                self.notes.remove(0)
            };
            if m["method"] == "textDocument/publishDiagnostics" && m["params"]["uri"] == URI {
                return m["params"]["diagnostics"]
                    .as_array()
                    .cloned()
                    .unwrap_or_default();
            }
        }
    }

    fn change(&mut self, text: &str) -> Vec<Value> {
        self.version += 1;
        let v = self.version;
        self.notify(
            "textDocument/didChange",
            json!({"textDocument": {"uri": URI, "version": v}, "contentChanges": [{"text": text}]}),
        );
        self.diagnostics()
    }

    fn at(&mut self, method: &str, line: u32, character: u32, extra: Value) -> Value {
        let mut params = json!({"textDocument": {"uri": URI}, "position": {"line": line, "character": character}});
        if let (Some(p), Some(e)) = (params.as_object_mut(), extra.as_object()) {
            p.extend(e.clone());
        }
        self.request(method, params)
    }
}

fn by_code<'a>(diags: &'a [Value], code: &str) -> Option<&'a Value> {
    diags.iter().find(|d| d["code"] == code)
}

fn labels(v: &Value) -> Vec<String> {
    let items = v.get("items").unwrap_or(v);
    items
        .as_array()
        .map(|a| {
            a.iter()
                .filter_map(|i| i["label"].as_str().map(String::from))
                .collect()
        })
        .unwrap_or_default()
}

/// Applies a list of TextEdits (LSP positions, UTF-16; ASCII here) to a text.
fn apply(text: &str, edits: &[Value]) -> String {
    let offset = |p: &Value| -> usize {
        let line = p["line"].as_u64().unwrap_or(0) as usize;
        let ch = p["character"].as_u64().unwrap_or(0) as usize;
        let start: usize = text.split_inclusive('\n').take(line).map(str::len).sum();
        (start + ch).min(text.len())
    };
    let mut edits: Vec<(usize, usize, String)> = edits
        .iter()
        .map(|e| {
            (
                offset(&e["range"]["start"]),
                offset(&e["range"]["end"]),
                e["newText"].as_str().unwrap_or("").to_string(),
            )
        })
        .collect();
    edits.sort_by_key(|e| std::cmp::Reverse(e.0));
    let mut out = text.to_string();
    for (s, e, t) in edits {
        out.replace_range(s..e, &t);
    }
    out
}

fn edits_of(action: &Value) -> Vec<Value> {
    action["edit"]["changes"][URI]
        .as_array()
        .cloned()
        .unwrap_or_default()
}

fn action_titled<'a>(actions: &'a Value, start: &str) -> &'a Value {
    actions
        .as_array()
        .and_then(|a| {
            a.iter()
                .find(|x| x["title"].as_str().is_some_and(|t| t.starts_with(start)))
        })
        .unwrap_or_else(|| panic!("no action `{start}` in {actions}"))
}

#[test]
fn lsp_session_end_to_end() {
    let mut c = Client::start();
    let init = c.request(
        "initialize",
        json!({"processId": null, "rootUri": null, "capabilities": {}}),
    );
    let caps = &init["capabilities"];
    for cap in [
        "completionProvider",
        "hoverProvider",
        "definitionProvider",
        "referencesProvider",
        "renameProvider",
        "codeActionProvider",
        "documentSymbolProvider",
    ] {
        assert!(
            caps.get(cap).is_some_and(|v| !v.is_null()),
            "{cap} in {caps}"
        );
    }
    c.notify("initialized", json!({}));
    c.notify(
        "textDocument/didOpen",
        json!({"textDocument": {"uri": URI, "languageId": "yaml", "version": 0, "text": MODEL}}),
    );

    // Findings as information on their flow or element, questions as hints.
    let d = c.diagnostics();
    let f = by_code(&d, "unencrypted-transport@login").expect("the finding on the flow");
    assert_eq!(f["severity"], 3);
    assert!(
        f["message"]
            .as_str()
            .unwrap_or("")
            .contains("Credentials sent unencrypted across a trust boundary"),
        "{f}"
    );
    assert_eq!(
        f["range"],
        json!({"start": {"line": 18, "character": 8}, "end": {"line": 18, "character": 13}})
    );
    let q = by_code(&d, "validatesInput@web").expect("a question on web");
    assert_eq!(q["severity"], 4);
    assert!(
        q["message"]
            .as_str()
            .unwrap_or("")
            .contains("Set `validatesInput` to true or false"),
        "{q}"
    );
    assert!(
        d.iter().all(|x| x["severity"] != 1),
        "no errors in a valid model"
    );

    // A typo: an error at the word, and the did-you-mean as a quick fix.
    let typo = MODEL.replace("to: web", "to: webb");
    let d = c.change(&typo);
    let err = d.iter().find(|x| x["severity"] == 1).expect("an error");
    assert!(
        err["message"]
            .as_str()
            .unwrap_or("")
            .contains("element `webb` does not exist"),
        "{err}"
    );
    assert_eq!(
        err["range"],
        json!({"start": {"line": 20, "character": 8}, "end": {"line": 20, "character": 12}})
    );
    let actions = c.request("textDocument/codeAction", json!({"textDocument": {"uri": URI}, "range": err["range"], "context": {"diagnostics": [err]}}));
    let fix = action_titled(&actions, "Replace with `web`");
    assert_eq!(apply(&typo, &edits_of(fix)), MODEL);

    // Completion: keys of the element's type, ids where an id goes, roles, findings.
    let with_key = MODEL.replace(
        "    name: Web server\n",
        "    name: Web server\n    isEnc\n",
    );
    c.change(&with_key);
    let keys = labels(&c.at("textDocument/completion", 17, 9, json!({})));
    assert_eq!(keys, ["isEncrypted", "isEncryptedAtRest"]);
    let with_role = MODEL.replace(
        "    name: Web server\n",
        "    name: Web server\n    role: \n",
    );
    c.change(&with_role);
    let roles = labels(&c.at("textDocument/completion", 17, 10, json!({})));
    assert!(
        roles.contains(&"reverse-proxy".to_string()) && !roles.contains(&"browser".to_string()),
        "{roles:?}"
    );
    c.change(MODEL);
    let ends = labels(&c.at("textDocument/completion", 20, 8, json!({})));
    assert_eq!(ends, ["customer", "web"]);
    let data = labels(&c.at("textDocument/completion", 21, 11, json!({})));
    assert_eq!(data, ["creds"]);
    let with_triage = format!("{MODEL}triage:\n  - finding: \n");
    c.change(&with_triage);
    let findings = labels(&c.at("textDocument/completion", 24, 13, json!({})));
    assert!(
        findings.contains(&"unencrypted-transport@login".to_string())
            && findings.contains(&"CLOUD-006@web".to_string()),
        "{findings:?}"
    );
    c.change(MODEL);

    // Hover: an attribute as `tms describe` tells it; an id with its findings.
    let h = c.at("textDocument/hover", 22, 6, json!({}));
    let text = h["contents"]["value"].as_str().unwrap_or("");
    assert!(
        text.starts_with("**protocol** (string)") && text.contains("Read by"),
        "{text}"
    );
    let h = c.at("textDocument/hover", 20, 9, json!({}));
    let text = h["contents"]["value"].as_str().unwrap_or("");
    assert!(
        text.starts_with("**element** `web` (server): Web server"),
        "{text}"
    );
    assert!(
        text.contains("`CLOUD-006@web`: open") && text.contains("Mitigation:"),
        "{text}"
    );
    assert!(text.contains("**Question** `validatesInput@web`"), "{text}");
    let h = c.at("textDocument/hover", 18, 9, json!({}));
    let text = h["contents"]["value"].as_str().unwrap_or("");
    assert!(
        text.contains("`unencrypted-transport@login`: open")
            && text.contains("Closed by setting: `isEncrypted: true`"),
        "{text}"
    );

    // Definition and references of an id; rename everywhere.
    let def = c.at("textDocument/definition", 20, 9, json!({}));
    assert_eq!(
        def["range"],
        json!({"start": {"line": 14, "character": 8}, "end": {"line": 14, "character": 11}})
    );
    let refs = c.at(
        "textDocument/references",
        14,
        9,
        json!({"context": {"includeDeclaration": true}}),
    );
    assert_eq!(refs.as_array().map(Vec::len), Some(2), "{refs}");
    let edit = c.at("textDocument/rename", 14, 9, json!({"newName": "frontend"}));
    let renamed = apply(
        MODEL,
        edit["changes"][URI]
            .as_array()
            .map_or(&[][..], Vec::as_slice),
    );
    assert_eq!(
        renamed,
        MODEL
            .replace("id: web", "id: frontend")
            .replace("to: web", "to: frontend")
    );

    // Code actions on web: answer a question (and the question goes), triage a finding (and it closes).
    let actions = c.request("textDocument/codeAction", json!({"textDocument": {"uri": URI}, "range": {"start": {"line": 14, "character": 8}, "end": {"line": 14, "character": 8}}, "context": {"diagnostics": []}}));
    let answer = action_titled(
        &actions,
        "Answer `validatesInput@web`: set `validatesInput: true`",
    );
    let answered = apply(MODEL, &edits_of(answer));
    assert!(
        answered.contains("  - id: web\n    validatesInput: true\n    type: server\n"),
        "{answered}"
    );
    let d = c.change(&answered);
    assert!(by_code(&d, "validatesInput@web").is_none() && d.iter().all(|x| x["severity"] != 1));
    let triage = action_titled(&actions, "Triage `CLOUD-006@web`");
    let triaged = apply(MODEL, &edits_of(triage));
    assert!(triaged.ends_with("triage:\n  - finding: \"CLOUD-006@web\"\n    status: accepted\n    justification: \"TODO: why this decision holds\"\n    owner: \"TODO\"\n    expires: 2026-05-30\n"), "{triaged}");
    let d = c.change(&triaged);
    assert!(
        by_code(&d, "CLOUD-006@web").is_none() && d.iter().all(|x| x["severity"] != 1),
        "{d:?}"
    );

    // The outline.
    c.change(MODEL);
    let symbols = c.request(
        "textDocument/documentSymbol",
        json!({"textDocument": {"uri": URI}}),
    );
    let names: Vec<&str> = symbols
        .as_array()
        .map(|a| a.iter().filter_map(|s| s["name"].as_str()).collect())
        .unwrap_or_default();
    assert_eq!(names, ["elements", "flows", "boundaries", "data"]);
    assert_eq!(
        labels(&json!(symbols[0]["children"].as_array().map(|a| a
            .iter()
            .map(|s| json!({"label": s["name"]}))
            .collect::<Vec<_>>()))),
        ["customer", "web"]
    );

    // Garbage is diagnostics, not a crash; the server still answers.
    let d = c.change("{{{: [\u{0}\n  - id: \"\n");
    assert!(d.iter().any(|x| x["severity"] == 1));
    c.at("textDocument/hover", 0, 2, json!({}));
    c.at("textDocument/completion", 5, 40, json!({}));

    assert_eq!(c.request("shutdown", Value::Null), Value::Null);
    c.notify("exit", Value::Null);
    let status = c.child.wait().expect("the server exits");
    assert!(status.success(), "{status}");
}
