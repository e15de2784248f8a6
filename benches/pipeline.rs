//! The report pipeline on synthetic models: parse, load, analyse, write JSON.
//! `cargo bench --bench pipeline`; scripts/bench.sh times the whole binary at 100,000.

use divan::Bencher;
use tms_rules::engine::analyze;
use tms_rules::library::Library;
use tms_syntax::source::SourceFile;
use tms_synth::{generate, Params};

fn main() {
    divan::main();
}

fn model_text(n: usize) -> String {
    generate(Params {
        elements: n,
        seed: 7,
    })
}

#[divan::bench(args = [1_000, 10_000], sample_count = 10)]
fn load(bencher: Bencher, n: usize) {
    let src = SourceFile::from_text("synthetic.json", model_text(n));
    bencher.bench(|| tms_formats::load::load_source(&src).map(|l| l.model.elements.len()));
}

#[divan::bench(args = [1_000, 10_000], sample_count = 10)]
fn analyse(bencher: Bencher, n: usize) {
    let src = SourceFile::from_text("synthetic.json", model_text(n));
    let model = match tms_formats::load::load_source(&src) {
        Ok(l) => l.model,
        Err(d) => panic!("synthetic model invalid: {:?}", d.0.first()),
    };
    let lib = Library::builtin().unwrap_or_default();
    bencher.bench(|| analyze(&model, &lib).findings.len());
}

#[divan::bench(args = [1_000, 10_000], sample_count = 10)]
fn report_json(bencher: Bencher, n: usize) {
    let src = SourceFile::from_text("synthetic.json", model_text(n));
    let lib = Library::builtin().unwrap_or_default();
    bencher.bench(|| {
        let loaded = tms_formats::load::load_source(&src).ok()?;
        let a = analyze(&loaded.model, &lib);
        let mut sink = std::io::sink();
        tms_report::json::write(&mut sink, &loaded.model, &lib, &a).ok()
    });
}

#[divan::bench(sample_count = 20)]
fn compile_condition() -> usize {
    let c = "(target.hasDataLeaks() or any(d.isCredentials or d.isPII for d in target.data)) and (not target.controls.isEncrypted or (not target.isResponse and any(d.isStored and d.isDestEncryptedAtRest for d in target.data)))";
    tms_rules::condition::compile(c, tms_model::Targets::FLOW)
        .map(|c| c.slots)
        .unwrap_or(0)
}
