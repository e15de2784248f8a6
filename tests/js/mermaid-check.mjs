// Parses Mermaid files with Mermaid's own parser (in jsdom, as Mermaid needs a
// DOM) and prints, per file, one JSON line with what the diagram holds, its
// text decoded the way Mermaid's renderer shows it: entity codes (`#35;`,
// `#quot;`) to characters and `<br>` to a line break.
import { readFileSync } from "node:fs";
import { JSDOM } from "jsdom";

const dom = new JSDOM("<!doctype html><html><body></body></html>");
globalThis.window = dom.window;
globalThis.document = dom.window.document;
globalThis.Option = dom.window.Option;
const { default: mermaid } = await import("mermaid");
mermaid.initialize({ startOnLoad: false, securityLevel: "strict" });

const named = { quot: '"', amp: "&", lt: "<", gt: ">", nbsp: "\u00a0", apos: "'" };
// Mermaid keeps entity codes in placeholders until it renders.
function shown(text) {
  if (text === undefined || text === null) return null;
  return String(text)
    .replace(/ﬂ°°(\d+)¶ß/g, (_, n) => String.fromCodePoint(Number(n)))
    .replace(/ﬂ°(\w+)¶ß/g, (m, n) => (n in named ? named[n] : m))
    .replace(/<br\s*\/?>/g, "\n");
}

for (const file of process.argv.slice(2)) {
  try {
    const diagram = await mermaid.mermaidAPI.getDiagramFromText(readFileSync(file, "utf8"));
    const db = diagram.db;
    if (db.getVertices) {
      const subgraphs = db.getSubGraphs().map((s) => ({ id: s.id, title: shown(s.title), nodes: s.nodes }));
      const groups = new Set(subgraphs.map((s) => s.id));
      const nodes = [...db.getVertices().values()]
        .filter((v) => !groups.has(v.id))
        .map((v) => ({ id: v.id, label: shown(v.text), shape: v.type ?? null }));
      const edges = db.getEdges().map((e) => ({ from: e.start, to: e.end, label: shown(e.text), stroke: e.stroke }));
      console.log(JSON.stringify({ file, ok: true, type: "flowchart", nodes, edges, subgraphs }));
    } else {
      const actors = [...db.getActors().values()].map((a) => ({ id: a.name, label: shown(a.description), kind: a.type }));
      const messages = db.getMessages()
        .filter((m) => m.from !== undefined)
        .map((m) => ({ from: m.from, to: m.to, label: shown(m.message), dotted: m.type === 1 }));
      const boxes = db.getBoxes().map((b) => ({ label: shown(b.name), actors: b.actorKeys }));
      console.log(JSON.stringify({ file, ok: true, type: "sequence", actors, messages, boxes }));
    }
  } catch (e) {
    console.log(JSON.stringify({ file, ok: false, error: String(e?.message ?? e).slice(0, 2000) }));
  }
}
process.exit(0);
