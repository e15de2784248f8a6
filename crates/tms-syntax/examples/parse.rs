//! Parses one file, for instruction counts of the parsers alone:
//! `cargo run --release -p tms-syntax --example parse -- yaml|yaml-exact|json FILE`.
fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let (Some(mode), Some(path)) = (args.first(), args.get(1)) else {
        eprintln!("usage: parse yaml|yaml-exact|json FILE");
        std::process::exit(2);
    };
    let text = match std::fs::read_to_string(path) {
        Ok(t) => t,
        Err(e) => {
            eprintln!("{path}: {e}");
            std::process::exit(2);
        }
    };
    use tms_syntax::source::{json, yaml};
    let result = match mode.as_str() {
        "yaml" => yaml::parse(&text),
        "yaml-exact" => yaml::parse_exact(&text),
        _ => json::parse(&text),
    };
    match result {
        Ok(n) => println!("{} top-level entries", n.as_map().map_or(0, <[_]>::len)),
        Err(e) => {
            eprintln!("{path}:{}: {}", e.pos, e.message);
            std::process::exit(2);
        }
    }
}
