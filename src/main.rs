fn main() {
    std::process::exit(tms::cli::main());
}
