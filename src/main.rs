// Loading a large model allocates millions of small strings; mimalloc halves that cost.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() {
    no_transparent_huge_pages();
    std::process::exit(tms::cli::main());
}

/// mimalloc asks for transparent huge pages, and the kernel then zeroes 2 MiB
/// at every first touch of its arenas: on a 100,000-element model that was a
/// second of system time for memory never used. A failure changes nothing
/// but speed, so it is ignored.
#[cfg(target_os = "linux")]
fn no_transparent_huge_pages() {
    // SAFETY: PR_SET_THP_DISABLE takes plain integers and touches no memory of ours.
    unsafe {
        libc::prctl(libc::PR_SET_THP_DISABLE, 1, 0, 0, 0);
    }
}

#[cfg(not(target_os = "linux"))]
fn no_transparent_huge_pages() {}
