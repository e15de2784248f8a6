//! Writes a synthetic model for benchmarks: `tms-synth N [SEED] [--yaml] > model`.
//! JSON by default; `--yaml` writes the same model as block YAML.

use std::io::Write;

fn main() {
    let yaml = std::env::args().any(|a| a == "--yaml");
    let args: Vec<String> = std::env::args().skip(1).filter(|a| a != "--yaml").collect();
    let elements = args.first().and_then(|a| a.parse().ok()).unwrap_or(1000);
    let seed = args.get(1).and_then(|a| a.parse().ok()).unwrap_or(1);
    let json = tms_synth::generate(tms_synth::Params { elements, seed });
    let text = if yaml {
        match tms_synth::to_yaml(&json) {
            Ok(t) => t,
            Err(e) => {
                let _ = writeln!(std::io::stderr(), "tms-synth: {e}");
                std::process::exit(2);
            }
        }
    } else {
        json
    };
    let _ = std::io::stdout().lock().write_all(text.as_bytes());
}
