//! Byte-exact image tag bumps in YAML. The file is parsed with spans (saphyr-parser), the target
//! scalars are located, their bytes alone are replaced, and the result is parsed again to prove
//! that every other value is unchanged and the targets hold the new value. Comments, blank
//! lines, key order, quote style, CRLF, BOM, `---` documents and indentation are never touched
//! because they are never rewritten. Anything ambiguous or risky is refused with file and line.

use saphyr_parser::ScalarStyle;

mod chunked;
mod locate;
mod tree;

pub use locate::split_image;
use locate::*;
use tree::*;

/// How to find the tag in a file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Locator {
    /// Every `image: <repository>[:tag][@digest]` whose repository matches, as Kustomize does.
    Image { repository: String },
    /// A key path such as `image.tag` (Helm values); with `repository`, the sibling
    /// `repository` key must name that image.
    Key {
        path: String,
        repository: Option<String>,
    },
    /// `images: [{name: <name>, newTag: …}]` in a kustomization (`digest` for a digest).
    Kustomize { name: String },
    /// Flux setter comments: `# {"$imagepolicy": "<policy>"}` (whole image) or
    /// `# {"$imagepolicy": "<policy>:tag"}` (tag only).
    Setter { policy: String },
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Change {
    pub line: usize,
    pub old: String,
    pub new: String,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Edited {
    pub text: String,
    pub changes: Vec<Change>,
}

#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum Refusal {
    #[error("line {line}: not valid YAML: {message}")]
    Invalid { line: usize, message: String },
    #[error("{0}")]
    NotFound(String),
    #[error("{what} matches more than once and the matches disagree: {lines}")]
    Ambiguous { what: String, lines: String },
    #[error("line {line}: the target is behind an anchor, alias or tag; edit it by hand")]
    Anchored { line: usize },
    #[error("line {line}: the target is a block scalar (`|` or `>`); edit it by hand")]
    BlockScalar { line: usize },
    #[error("line {line}: `{key}` is not a scalar")]
    NotScalar { line: usize, key: String },
    #[error("line {line}: the sibling repository is `{found}`, not `{wanted}`")]
    OtherRepository {
        line: usize,
        found: String,
        wanted: String,
    },
    #[error("`{0}` is not a valid tag or digest")]
    BadTag(String),
    #[error("the edit could not be verified ({0}); nothing was changed")]
    Unverified(String),
}

/// One scalar's replacement, in bytes of the text it was planned on.
struct Splice {
    start: usize,
    end: usize,
    replacement: String,
    change: Change,
    /// Where the verifier finds the new scalar (character index of its start).
    at: usize,
    new: String,
}

/// Find the targets and how each one's bytes change; nothing is applied yet.
fn plan_splices(
    text: &str,
    docs: &[Node],
    locator: &Locator,
    new: &str,
) -> Result<Vec<Splice>, Refusal> {
    let mut targets = locate(text, docs, locator, new)?;
    targets.sort_by_key(|t| t.node.span.start.index());
    let offsets = Offsets::new(text);
    let mut splices = vec![];
    for t in &targets {
        let line = t.node.line();
        if t.node.marked || t.guarded {
            return Err(Refusal::Anchored { line });
        }
        let Kind::Scalar { value, style } = &t.node.kind else {
            return Err(Refusal::Anchored { line });
        };
        if matches!(style, ScalarStyle::Literal | ScalarStyle::Folded) {
            return Err(Refusal::BlockScalar { line });
        }
        let start = offsets.byte(t.node.span.start.index());
        let len = scalar_len(&text[start..], *style, value).ok_or(Refusal::Unverified(format!(
            "line {line}: the scalar spans several lines"
        )))?;
        splices.push(Splice {
            start,
            end: start + len,
            replacement: render(&t.new, *style),
            change: Change {
                line,
                old: value.clone(),
                new: t.new.clone(),
            },
            at: t.node.span.start.index(),
            new: t.new.clone(),
        });
    }
    Ok(splices)
}

fn apply(text: &str, splices: &[Splice]) -> String {
    let mut out = String::with_capacity(text.len() + 64);
    let mut at = 0;
    for s in splices {
        out.push_str(&text[at..s.start]);
        out.push_str(&s.replacement);
        at = s.end;
    }
    out.push_str(&text[at..]);
    out
}

/// Plan, apply and verify on `text` as a whole.
fn edit(text: &str, locator: &Locator, new: &str) -> Result<(Vec<Splice>, String), Refusal> {
    let docs = parse(text)?;
    let splices = plan_splices(text, &docs, locator, new)?;
    let out = apply(text, &splices);
    let mut old = vec![];
    docs.iter().for_each(|d| collect(d, &mut old));
    verify(&old, &out, &splices)?;
    Ok((splices, out))
}

/// Set the tag (or digest) `new` where `locator` points. The result differs from `text` only in
/// the target scalars' bytes, and is verified by parsing it again.
pub fn set_tag(text: &str, locator: &Locator, new: &str) -> Result<Edited, Refusal> {
    if !valid_tag(new) {
        return Err(Refusal::BadTag(new.to_owned()));
    }
    if let Some(edited) = chunked::set_tag(text, locator, new) {
        return Ok(edited);
    }
    let (splices, out) = edit(text, locator, new)?;
    Ok(Edited {
        text: out,
        changes: changes(&splices),
    })
}

/// The tag (or digest) `locator` points at now; `None` for an image without either. Refuses
/// what `set_tag` would refuse, so a file that cannot be bumped says so before anything starts.
pub fn current_tag(text: &str, locator: &Locator) -> Result<Option<String>, Refusal> {
    let probe = set_tag(text, locator, "banto-probe")?;
    let Some(c) = probe.changes.first() else {
        return Ok(None);
    };
    Ok(if c.old.contains('/') {
        let (_, tag, digest) = split_image(&c.old);
        digest.or(tag).map(str::to_owned)
    } else {
        Some(c.old.clone()).filter(|t| !t.is_empty())
    })
}

/// The whole-file path only (tests compare it with the fast path).
#[doc(hidden)]
pub fn set_tag_whole(text: &str, locator: &Locator, new: &str) -> Result<Edited, Refusal> {
    if !valid_tag(new) {
        return Err(Refusal::BadTag(new.to_owned()));
    }
    let (splices, out) = edit(text, locator, new)?;
    Ok(Edited {
        text: out,
        changes: changes(&splices),
    })
}

fn changes(splices: &[Splice]) -> Vec<Change> {
    splices
        .iter()
        .filter(|s| s.change.old != s.change.new)
        .map(|s| s.change.clone())
        .collect()
}

fn verify(old: &[(usize, String)], after: &str, splices: &[Splice]) -> Result<(), Refusal> {
    let new = scalars(after)
        .map_err(|e| Refusal::Unverified(format!("the result does not parse: {e}")))?;
    if old.len() != new.len() {
        return Err(Refusal::Unverified("the structure changed".into()));
    }
    let target_at: std::collections::HashMap<usize, &str> =
        splices.iter().map(|s| (s.at, s.new.as_str())).collect();
    for ((at, was), (_, now)) in old.iter().zip(&new) {
        let expected = target_at.get(at).copied().unwrap_or(was.as_str());
        if now != expected {
            return Err(Refusal::Unverified(format!(
                "`{was}` would read as `{now}`"
            )));
        }
    }
    Ok(())
}

/// A unified diff of an edit (only target lines change, so each change is its own hunk).
pub fn unified_diff(name: &str, before: &str, edited: &Edited) -> String {
    let old: Vec<&str> = before.split_inclusive('\n').collect();
    let new: Vec<&str> = edited.text.split_inclusive('\n').collect();
    let mut out = format!("--- a/{name}\n+++ b/{name}\n");
    for (i, (a, b)) in old.iter().zip(&new).enumerate() {
        if a != b {
            out.push_str(&format!("@@ -{n},1 +{n},1 @@\n-{a}", n = i + 1));
            if !a.ends_with('\n') {
                out.push_str("\n\\ No newline at end of file\n");
            }
            out.push_str(&format!("+{b}"));
            if !b.ends_with('\n') {
                out.push_str("\n\\ No newline at end of file\n");
            }
        }
    }
    out
}

#[cfg(test)]
mod tests;
