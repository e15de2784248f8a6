//! Writes a synthetic model for benchmarks: `tms-synth N [SEED] > model.json`.

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let elements = args.first().and_then(|a| a.parse().ok()).unwrap_or(1000);
    let seed = args.get(1).and_then(|a| a.parse().ok()).unwrap_or(1);
    print!(
        "{}",
        tms_synth::generate(tms_synth::Params { elements, seed })
    );
}
