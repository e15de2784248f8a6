use std::path::PathBuf;

use super::{EXIT_INVALID, EXIT_OK};

/// Starter models, embedded so `tms init` works anywhere.
pub const TEMPLATES: &[(&str, &str, &str)] = &[
    (
        "minimal",
        "a small commented model to start from",
        include_str!("../../templates/minimal.yaml"),
    ),
    (
        "web-app",
        "three-tier web application",
        include_str!("../../templates/web-app.yaml"),
    ),
    (
        "microservices",
        "cloud-native microservices with serverless functions",
        include_str!("../../templates/microservices.yaml"),
    ),
    (
        "mobile",
        "mobile app with a backend API",
        include_str!("../../templates/mobile.yaml"),
    ),
    (
        "iot",
        "IoT devices, gateway and cloud",
        include_str!("../../templates/iot.yaml"),
    ),
    (
        "llm-agent",
        "LLM agent with tools and retrieval",
        include_str!("../../templates/llm-agent.yaml"),
    ),
];

#[derive(clap::Args, Debug)]
pub struct Args {
    /// Directory to write `threat-model.yaml` into
    #[arg(default_value = ".")]
    dir: PathBuf,
    /// Starter architecture: minimal, web-app, microservices, mobile, iot, llm-agent
    #[arg(short, long, default_value = "minimal")]
    template: String,
    /// File name to write inside the directory
    #[arg(long, default_value = "threat-model.yaml")]
    name: String,
    /// Replace an existing file
    #[arg(long)]
    force: bool,
}

pub fn run(args: Args) -> i32 {
    let Some((_, _, text)) = TEMPLATES.iter().find(|(n, _, _)| *n == args.template) else {
        errln!("error: no template `{}`", args.template);
        for (n, about, _) in TEMPLATES {
            errln!("  {n:14} {about}");
        }
        return EXIT_INVALID;
    };
    if let Err(e) = std::fs::create_dir_all(&args.dir) {
        errln!(
            "{}: error: cannot create the directory: {e}",
            args.dir.display()
        );
        return EXIT_INVALID;
    }
    let path = args.dir.join(&args.name);
    if path.exists() && !args.force {
        errln!(
            "{}: error: the file exists; pass --force to replace it",
            path.display()
        );
        return EXIT_INVALID;
    }
    if let Err(e) = tms_syntax::output::write_atomic(&path, text.as_bytes()) {
        errln!("{}: error: cannot write: {e}", path.display());
        return EXIT_INVALID;
    }
    errln!(
        "wrote {} ({} template); next: tms validate {}",
        path.display(),
        args.template,
        path.display()
    );
    EXIT_OK
}
