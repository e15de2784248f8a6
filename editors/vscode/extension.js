// A minimal client for `tms lsp`: starts the server over stdio for the model
// files `tms.files` names. Everything else is the server's.
const vscode = require("vscode");
const { LanguageClient, TransportKind } = require("vscode-languageclient/node");

let client;

function activate(context) {
  const config = vscode.workspace.getConfiguration("tms");
  const command = config.get("path", "tms");
  const args = ["lsp", ...config.get("args", [])];
  const serverOptions = {
    run: { command, args, transport: TransportKind.stdio },
    debug: { command, args, transport: TransportKind.stdio },
  };
  const documentSelector = config
    .get("files", [])
    .map((pattern) => ({ scheme: "file", pattern }));
  client = new LanguageClient("tms", "tms", serverOptions, { documentSelector });
  context.subscriptions.push(client);
  return client.start();
}

function deactivate() {
  return client ? client.stop() : undefined;
}

module.exports = { activate, deactivate };
