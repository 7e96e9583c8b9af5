//! Reading a set's Rego files into one compiled bundle.

use super::Bundle;
use crate::domain::policy::Level;
use regorus::Engine;
use serde_json::Value as Json;
use sha2::{Digest, Sha256};
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

/// A policy that cannot be used, at its file and line.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{}:{line}:{column}: {message}", path.display())]
pub struct LoadError {
    pub path: PathBuf,
    pub line: usize,
    pub column: usize,
    pub message: String,
}

impl LoadError {
    fn at(path: &Path, message: impl Into<String>) -> Self {
        Self {
            path: path.to_owned(),
            line: 1,
            column: 1,
            message: message.into(),
        }
    }

    /// regorus says `--> file:line:col`, the source line, then `error: …`.
    fn from_regorus(path: &Path, e: &anyhow::Error) -> Self {
        let text = e.to_string();
        let mut out = Self::at(path, text.trim());
        if let Some(at) = text.lines().find_map(|l| l.trim().strip_prefix("--> ")) {
            let mut parts = at.rsplitn(3, ':');
            if let (Some(col), Some(line)) = (parts.next(), parts.next()) {
                out.line = line.parse().unwrap_or(1);
                out.column = col.parse().unwrap_or(1);
            }
        }
        if let Some(m) = text.lines().find_map(|l| l.trim().strip_prefix("error: ")) {
            out.message = m.to_owned();
        }
        out
    }
}

/// Names a rule head may have for conftest to read it.
fn level_of(rule: &str) -> Option<Level> {
    let base = rule.split('_').next().unwrap_or(rule);
    match base {
        "deny" | "violation" => Some(Level::Fail),
        "warn" => Some(Level::Warn),
        _ => None,
    }
}

/// Every `.rego` file under `root` (or `root` itself), in name order.
fn rego_files(root: &Path) -> Result<Vec<PathBuf>, LoadError> {
    if root.is_file() {
        return Ok(vec![root.to_owned()]);
    }
    let mut out = vec![];
    let entries = std::fs::read_dir(root)
        .map_err(|e| LoadError::at(root, format!("cannot read the policy folder: {e}")))?;
    for entry in entries {
        let path = entry
            .map_err(|e| LoadError::at(root, e.to_string()))?
            .path();
        if path.is_dir() {
            out.extend(rego_files(&path)?);
        } else if path.extension().is_some_and(|x| x == "rego") {
            out.push(path);
        }
    }
    out.sort();
    Ok(out)
}

fn is_test(path: &Path) -> bool {
    path.file_name()
        .is_some_and(|n| n.to_string_lossy().ends_with("_test.rego"))
}

/// The dotted path of a reference in regorus' AST (`crypto.x509.parse_certificates`).
fn ref_path(v: &Json) -> Option<String> {
    if let Some(var) = v.get("Var") {
        return var["value"].as_str().map(str::to_owned);
    }
    let dot = v.get("RefDot")?;
    let field = dot["field"].get(1)?.as_str()?;
    Some(format!("{}.{field}", ref_path(&dot["refr"])?))
}

/// The first name of a reference (`crypto` in `crypto.x509.parse_certificates`).
fn root_var(v: &Json) -> &Json {
    match v.get("RefDot") {
        Some(dot) => root_var(&dot["refr"]),
        None => v.get("Var").unwrap_or(v),
    }
}

/// Each call in `v` with its line and column.
fn calls(v: &Json, out: &mut Vec<(String, usize, usize)>) {
    match v {
        Json::Object(map) => {
            if let Some(call) = map.get("Call")
                && let Some(name) = ref_path(&call["fcn"])
            {
                let span = &root_var(&call["fcn"])["span"];
                let n = |k: &str| span[k].as_u64().unwrap_or(1) as usize;
                out.push((name, n("line"), n("col")));
            }
            map.values().for_each(|x| calls(x, out));
        }
        Json::Array(items) => items.iter().for_each(|x| calls(x, out)),
        _ => {}
    }
}

/// The root name of each rule a module declares, and whether it takes arguments.
fn rule_names(module: &Json) -> Vec<(String, bool)> {
    let mut out = vec![];
    for rule in module["rules"].as_array().into_iter().flatten() {
        let (refr, func) = if let Some(spec) = rule.get("Spec") {
            let head = &spec["head"];
            match head.as_object().and_then(|h| h.iter().next()) {
                Some((kind, h)) => (&h["refr"], kind == "Func"),
                None => continue,
            }
        } else if let Some(default) = rule.get("Default") {
            (&default["refr"], false)
        } else {
            continue;
        };
        if let Some(path) = ref_path(refr) {
            out.push((path, func));
        }
    }
    out
}

impl Bundle {
    /// Read and compile every `.rego` under `roots`.
    pub fn load(roots: &[PathBuf]) -> Result<Bundle, LoadError> {
        let mut files = vec![];
        for root in roots {
            for path in rego_files(root)? {
                let name = path
                    .strip_prefix(root)
                    .ok()
                    .filter(|p| !p.as_os_str().is_empty())
                    .or(path.file_name().map(Path::new))
                    .unwrap_or(&path)
                    .to_owned();
                let text = std::fs::read_to_string(&path)
                    .map_err(|e| LoadError::at(&path, format!("cannot read: {e}")))?;
                files.push((path, name, text));
            }
        }
        if files.iter().all(|(p, ..)| is_test(p)) {
            let at = roots.first().map_or(Path::new("."), PathBuf::as_path);
            return Err(LoadError::at(at, "no policy (.rego) files here"));
        }
        Self::compile(files)
    }

    /// Compile Rego held in memory: (path for messages, name for the digest, text).
    pub fn compile(files: Vec<(PathBuf, PathBuf, String)>) -> Result<Bundle, LoadError> {
        if files.is_empty() {
            return Err(LoadError::at(Path::new("."), "no policy (.rego) files"));
        }
        let mut engine = Engine::new();
        let mut with_tests = Engine::new();
        let mut digest = Sha256::new();
        let mut packages = vec![];
        for (path, name, text) in &files {
            let label = path.display().to_string();
            let package = with_tests
                .add_policy(label.clone(), text.clone())
                .map_err(|e| LoadError::from_regorus(path, &e))?;
            if !is_test(path) {
                engine
                    .add_policy(label, text.clone())
                    .map_err(|e| LoadError::from_regorus(path, &e))?;
                digest.update(name.to_string_lossy().as_bytes());
                digest.update([0]);
                digest.update(text.as_bytes());
                digest.update([0]);
            }
            packages.push(package);
        }
        let ast: Json = serde_json::from_str(
            &with_tests
                .get_ast_as_json()
                .map_err(|e| LoadError::at(&files[0].0, e.to_string()))?,
        )
        .map_err(|e| LoadError::at(&files[0].0, e.to_string()))?;
        let modules: Vec<&Json> = ast
            .as_array()
            .into_iter()
            .flatten()
            .map(|m| &m["ast"])
            .collect();
        let defined: BTreeSet<String> = modules
            .iter()
            .flat_map(|m| rule_names(m))
            .filter(|(_, func)| *func)
            .filter_map(|(name, _)| name.rsplit('.').next().map(str::to_owned))
            .collect();
        let mut rules = vec![];
        let mut tests = vec![];
        for ((path, _, _), (module, package)) in files.iter().zip(modules.iter().zip(&packages)) {
            let mut found = vec![];
            calls(module, &mut found);
            for (name, line, column) in found {
                let last = name.rsplit('.').next().unwrap_or(&name);
                let known = name == "print"
                    || regorus::unstable::BUILTINS.contains_key(name.as_str())
                    || defined.contains(last);
                if !known {
                    return Err(LoadError {
                        path: path.clone(),
                        line,
                        column,
                        message: format!(
                            "`{name}` is not a function banto's policy engine (regorus) has, \
                             nor one these policies define"
                        ),
                    });
                }
            }
            let names: BTreeSet<String> = rule_names(module)
                .into_iter()
                .map(|(n, _)| n.split('.').next().unwrap_or("").to_owned())
                .collect();
            for name in names {
                if is_test(path) {
                    if name.starts_with("test_") {
                        tests.push((format!("{package}.{name}"), path.clone()));
                    }
                } else if let Some(level) = level_of(&name) {
                    rules.push((format!("{package}.{name}"), level));
                }
            }
        }
        rules.sort();
        rules.dedup();
        Ok(Bundle {
            engine,
            rules,
            tests: (!tests.is_empty()).then_some((with_tests, tests)),
            digest: hex::encode(digest.finalize()),
            files: files
                .into_iter()
                .filter(|(p, ..)| !is_test(p))
                .map(|(p, ..)| p)
                .collect(),
        })
    }
}
