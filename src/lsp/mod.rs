//! `tms lsp`: a language server over stdio (lsp-server + lsp-types,
//! synchronous). Every open document is loaded, validated and analysed with
//! the command line's loader, validator and engine on each change. The
//! server only reads what the editor sends: it never writes a file, and no
//! input makes it panic (a bad document is diagnostics; a handler that fails
//! anyway answers with an error and the server carries on).

mod actions;
mod complete;
mod context;
mod document;
mod hover;
mod index;
mod keys;
mod navigate;
mod text;

use std::collections::HashMap;
use std::panic::{catch_unwind, AssertUnwindSafe};

use lsp_server::{Connection, ErrorCode, Message, Notification, Request, Response};
use lsp_types::notification::{
    DidChangeTextDocument, DidCloseTextDocument, DidOpenTextDocument, Notification as _,
    PublishDiagnostics,
};
use lsp_types::request::{
    CodeActionRequest, Completion, DocumentSymbolRequest, GotoDefinition, HoverRequest,
    PrepareRenameRequest, References, Rename, Request as _,
};
use lsp_types::{
    CodeActionProviderCapability, CompletionOptions, HoverProviderCapability, OneOf,
    PublishDiagnosticsParams, RenameOptions, ServerCapabilities, TextDocumentSyncCapability,
    TextDocumentSyncKind, Uri,
};
use serde::de::DeserializeOwned;
use serde::Serialize;

use document::Document;
use tms_rules::library::Library;

/// The server's state: the rule library and the open documents by URI.
struct Server {
    lib: Library,
    docs: HashMap<String, Document>,
}

fn capabilities() -> ServerCapabilities {
    ServerCapabilities {
        text_document_sync: Some(TextDocumentSyncCapability::Kind(TextDocumentSyncKind::FULL)),
        completion_provider: Some(CompletionOptions {
            trigger_characters: Some(vec![":".into(), " ".into(), ",".into(), "[".into()]),
            ..CompletionOptions::default()
        }),
        hover_provider: Some(HoverProviderCapability::Simple(true)),
        definition_provider: Some(OneOf::Left(true)),
        references_provider: Some(OneOf::Left(true)),
        rename_provider: Some(OneOf::Right(RenameOptions {
            prepare_provider: Some(true),
            work_done_progress_options: Default::default(),
        })),
        code_action_provider: Some(CodeActionProviderCapability::Simple(true)),
        document_symbol_provider: Some(OneOf::Left(true)),
        ..ServerCapabilities::default()
    }
}

/// Runs the server until the editor says `exit`; the exit code for the command line.
pub fn run(lib: Library) -> i32 {
    let (conn, threads) = Connection::stdio();
    let caps = match serde_json::to_value(capabilities()) {
        Ok(c) => c,
        Err(e) => {
            errln!("tms lsp: error: {e}");
            return crate::cli::EXIT_INVALID;
        }
    };
    if let Err(e) = conn.initialize(caps) {
        errln!("tms lsp: error: the editor did not initialize the session: {e}");
        return crate::cli::EXIT_INVALID;
    }
    let mut server = Server {
        lib,
        docs: HashMap::new(),
    };
    let code = server.serve(&conn);
    drop(conn);
    if let Err(e) = threads.join() {
        errln!("tms lsp: error: {e}");
        return crate::cli::EXIT_INVALID;
    }
    code
}

impl Server {
    fn serve(&mut self, conn: &Connection) -> i32 {
        for msg in &conn.receiver {
            match msg {
                Message::Request(req) => {
                    match conn.handle_shutdown(&req) {
                        Ok(true) => return crate::cli::EXIT_OK,
                        Ok(false) => {}
                        Err(e) => {
                            errln!("tms lsp: error: {e}");
                            return crate::cli::EXIT_INVALID;
                        }
                    }
                    let resp = self.request(req);
                    if conn.sender.send(resp.into()).is_err() {
                        return crate::cli::EXIT_INVALID;
                    }
                }
                Message::Notification(n) => {
                    if n.method == "exit" {
                        // `exit` without `shutdown` first: the protocol's error exit.
                        return crate::cli::EXIT_FAIL;
                    }
                    if let Some(publish) = self.notification(n) {
                        if conn.sender.send(publish.into()).is_err() {
                            return crate::cli::EXIT_INVALID;
                        }
                    }
                }
                Message::Response(_) => {}
            }
        }
        crate::cli::EXIT_OK
    }

    /// Opens, changes or closes a document; the diagnostics to publish.
    fn notification(&mut self, n: Notification) -> Option<Notification> {
        let uri = match n.method.as_str() {
            DidOpenTextDocument::METHOD => {
                let p: lsp_types::DidOpenTextDocumentParams =
                    serde_json::from_value(n.params).ok()?;
                let doc = self
                    .docs
                    .entry(p.text_document.uri.as_str().to_string())
                    .or_insert_with(|| Document::new(file_name(&p.text_document.uri)));
                update(doc, p.text_document.text, &self.lib);
                p.text_document.uri
            }
            DidChangeTextDocument::METHOD => {
                let p: lsp_types::DidChangeTextDocumentParams =
                    serde_json::from_value(n.params).ok()?;
                let doc = self.docs.get_mut(p.text_document.uri.as_str())?;
                let mut text = doc.text.clone();
                for c in p.content_changes {
                    text = match c.range {
                        Some(r) => {
                            let t = text::Text::new(&text);
                            let (s, e) = (t.offset(r.start), t.offset(r.end));
                            let (s, e) = (s.min(e), s.max(e));
                            format!(
                                "{}{}{}",
                                text.get(..s).unwrap_or(""),
                                c.text,
                                text.get(e..).unwrap_or("")
                            )
                        }
                        None => c.text,
                    };
                }
                update(doc, text, &self.lib);
                p.text_document.uri
            }
            DidCloseTextDocument::METHOD => {
                let p: lsp_types::DidCloseTextDocumentParams =
                    serde_json::from_value(n.params).ok()?;
                self.docs.remove(p.text_document.uri.as_str());
                return Some(publish(p.text_document.uri, Vec::new()));
            }
            _ => return None,
        };
        let doc = self.docs.get(uri.as_str())?;
        let lib = &self.lib;
        let diagnostics =
            catch_unwind(AssertUnwindSafe(|| doc.diagnostics(lib))).unwrap_or_default();
        Some(publish(uri, diagnostics))
    }

    fn request(&self, req: Request) -> Response {
        let id = req.id.clone();
        let method = req.method.clone();
        catch_unwind(AssertUnwindSafe(|| self.dispatch(req))).unwrap_or_else(|_| {
            Response::new_err(
                id,
                ErrorCode::InternalError as i32,
                format!("tms could not answer {method}"),
            )
        })
    }

    fn doc(&self, uri: &Uri) -> Result<&Document, String> {
        self.docs
            .get(uri.as_str())
            .ok_or_else(|| format!("{} is not open", uri.as_str()))
    }

    fn dispatch(&self, req: Request) -> Response {
        let lib = &self.lib;
        match req.method.as_str() {
            Completion::METHOD => reply(req, |p: lsp_types::CompletionParams| {
                let pos = p.text_document_position;
                Ok(complete::complete(
                    self.doc(&pos.text_document.uri)?,
                    pos.position,
                ))
            }),
            HoverRequest::METHOD => reply(req, |p: lsp_types::HoverParams| {
                let pos = p.text_document_position_params;
                Ok(hover::hover(
                    self.doc(&pos.text_document.uri)?,
                    lib,
                    pos.position,
                ))
            }),
            GotoDefinition::METHOD => reply(req, |p: lsp_types::GotoDefinitionParams| {
                let pos = p.text_document_position_params;
                let uri = &pos.text_document.uri;
                Ok(navigate::definition(self.doc(uri)?, uri, pos.position))
            }),
            References::METHOD => reply(req, |p: lsp_types::ReferenceParams| {
                let pos = p.text_document_position;
                let uri = &pos.text_document.uri;
                Ok(navigate::references(
                    self.doc(uri)?,
                    uri,
                    pos.position,
                    p.context.include_declaration,
                ))
            }),
            PrepareRenameRequest::METHOD => {
                reply(req, |p: lsp_types::TextDocumentPositionParams| {
                    Ok(navigate::prepare_rename(
                        self.doc(&p.text_document.uri)?,
                        p.position,
                    ))
                })
            }
            Rename::METHOD => reply(req, |p: lsp_types::RenameParams| {
                let pos = p.text_document_position;
                let uri = &pos.text_document.uri;
                navigate::rename(self.doc(uri)?, uri, pos.position, &p.new_name).map(Some)
            }),
            CodeActionRequest::METHOD => reply(req, |p: lsp_types::CodeActionParams| {
                let uri = &p.text_document.uri;
                Ok(actions::actions(
                    self.doc(uri)?,
                    uri,
                    p.range,
                    &p.context.diagnostics,
                ))
            }),
            DocumentSymbolRequest::METHOD => reply(req, |p: lsp_types::DocumentSymbolParams| {
                Ok(navigate::symbols(self.doc(&p.text_document.uri)?))
            }),
            _ => Response::new_err(
                req.id,
                ErrorCode::MethodNotFound as i32,
                format!("tms does not answer {}", req.method),
            ),
        }
    }
}

/// Analyses a document's new text; should that fail anyway, the document
/// keeps the text with no model rather than bringing the server down.
fn update(doc: &mut Document, text: String, lib: &Library) {
    let name = doc.name.clone();
    let kept = text.clone();
    if catch_unwind(AssertUnwindSafe(|| doc.update(text, lib))).is_err() {
        *doc = Document::new(name);
        doc.text = kept;
    }
}

fn reply<P: DeserializeOwned, R: Serialize>(
    req: Request,
    f: impl FnOnce(P) -> Result<R, String>,
) -> Response {
    match serde_json::from_value::<P>(req.params) {
        Ok(p) => match f(p) {
            Ok(r) => Response::new_ok(req.id, r),
            Err(m) => Response::new_err(req.id, ErrorCode::RequestFailed as i32, m),
        },
        Err(e) => Response::new_err(req.id, ErrorCode::InvalidParams as i32, e.to_string()),
    }
}

fn publish(uri: Uri, diagnostics: Vec<lsp_types::Diagnostic>) -> Notification {
    Notification::new(
        PublishDiagnostics::METHOD.to_string(),
        PublishDiagnosticsParams {
            uri,
            diagnostics,
            version: None,
        },
    )
}

/// The URI's last path segment: messages name the file by it, and its
/// extension tells JSON from YAML.
fn file_name(uri: &Uri) -> String {
    let path = uri.as_str().split(['?', '#']).next().unwrap_or("");
    let name = path.rsplit('/').next().unwrap_or(path);
    if name.is_empty() {
        "model.yaml".to_string()
    } else {
        name.to_string()
    }
}
