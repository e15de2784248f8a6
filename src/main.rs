// Loading a large model allocates millions of small strings; mimalloc halves that cost.
// (Its transparent huge pages are turned off at build time: see .cargo/config.toml.)
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() {
    std::process::exit(tms::cli::main());
}
