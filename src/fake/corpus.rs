//! The real third-party samples in `../shared/corpus` (see its README for where each comes
//! from), for tests and benchmarks. A missing corpus is a loud failure, never a skip.

use std::path::{Path, PathBuf};

pub fn path(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../shared/corpus")
        .join(name)
}

/// A sample as text, e.g. `gitops/argocd-example-apps__helm-guestbook__values.yaml`.
pub fn text(name: &str) -> String {
    let p = path(name);
    std::fs::read_to_string(&p).unwrap_or_else(|e| panic!("{}: {e}", p.display()))
}

/// A JSON sample, e.g. `slack/webapi__chat.postMessage.ok.json`.
pub fn json(name: &str) -> serde_json::Value {
    serde_json::from_str(&text(name)).unwrap_or_else(|e| panic!("{name}: {e}"))
}

/// Every file of a corpus folder, by name, sorted.
pub fn files(dir: &str) -> Vec<(String, Vec<u8>)> {
    let mut out: Vec<(String, Vec<u8>)> = std::fs::read_dir(path(dir))
        .unwrap_or_else(|e| {
            panic!("corpus folder {dir} is missing ({e}): is shared/ beside the checkout?")
        })
        .map(|e| e.expect("corpus entry").path())
        .map(|p| {
            (
                p.file_name()
                    .expect("a file")
                    .to_string_lossy()
                    .into_owned(),
                std::fs::read(&p).unwrap_or_else(|e| panic!("{}: {e}", p.display())),
            )
        })
        .collect();
    out.sort();
    out
}
