// Compiles D2 files with the official D2 compiler (its WebAssembly build,
// npm @terrastruct/d2) and prints one JSON line per file: whether it compiled,
// the error if not, and the shapes and connections D2 made of it, so a test
// can check that no connection invented a shape.
//
//   node scripts/d2-compile.mjs FILE.d2...
//
// The package is looked up in $TMS_D2JS (a directory holding node_modules),
// else in target/d2js, where scripts/test.sh installs it.
// Exits 0 when every file compiled, 1 otherwise, 2 when D2 cannot be loaded.

import { readFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const base = process.env.TMS_D2JS || join(root, "target", "d2js");
const entry = join(base, "node_modules", "@terrastruct", "d2", "dist", "node-esm", "index.js");

let D2;
try {
  ({ D2 } = await import(pathToFileURL(entry).href));
} catch (e) {
  console.error(`cannot load @terrastruct/d2 from ${entry}: ${e.message}`);
  console.error("install it with: npm install --prefix target/d2js @terrastruct/d2@0.1.33");
  process.exit(2);
}

const d2 = new D2();
let failed = false;
for (const file of process.argv.slice(2)) {
  const source = await readFile(file, "utf8");
  try {
    const r = await d2.compile(source);
    const shapes = r.diagram.shapes.map((s) => ({ id: s.id, label: s.label }));
    const connections = r.diagram.connections.map((c) => ({ src: c.src, dst: c.dst, label: c.label }));
    console.log(JSON.stringify({ file, ok: true, shapes, connections }));
  } catch (e) {
    failed = true;
    console.log(JSON.stringify({ file, ok: false, error: String(e && e.message ? e.message : e) }));
  }
}
// The compiler runs in a worker thread that would keep node alive.
process.exit(failed ? 1 : 0);
