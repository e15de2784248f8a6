// Loading a large model allocates millions of small strings; mimalloc halves that cost.
// (It asks for no transparent huge pages: the `no_thp` feature in Cargo.toml.)
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() {
    std::process::exit(tms::cli::main());
}
