// Compiles D2 files with D2's own compiler (its WASM build) and prints, per
// file, one JSON line: the shapes (full path id, label, shape) and the
// connections (source path, target path, label), or the compile error.
// One process for all files: starting the compiler takes seconds.
import { readFileSync } from "node:fs";
import { D2 } from "@terrastruct/d2";

const d2 = new D2();
for (const file of process.argv.slice(2)) {
  try {
    const r = await d2.compile(readFileSync(file, "utf8"));
    const shapes = r.diagram.shapes.map((s) => ({ id: s.id, label: s.label, shape: s.type }));
    const connections = r.diagram.connections.map((c) => ({ from: c.src, to: c.dst, label: c.label }));
    console.log(JSON.stringify({ file, ok: true, shapes, connections }));
  } catch (e) {
    console.log(JSON.stringify({ file, ok: false, error: String(e?.message ?? e) }));
  }
}
process.exit(0);
