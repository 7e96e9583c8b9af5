//! Finding the scalars a locator points at, and how each must be written.

use super::tree::*;
use super::*;
use saphyr_parser::ScalarStyle;

/// A scalar to rewrite: the node, whether an ancestor is marked, and its new value.
pub(super) struct Target<'n> {
    pub(super) node: &'n Node,
    pub(super) guarded: bool,
    pub(super) new: String,
}

/// `repo[:tag][@digest]` → (repo, tag, digest). A `:` after the last `/` starts the tag.
pub fn split_image(image: &str) -> (&str, Option<&str>, Option<&str>) {
    let (rest, digest) = match image.split_once('@') {
        Some((r, d)) => (r, Some(d)),
        None => (image, None),
    };
    let slash = rest.rfind('/').map_or(0, |i| i + 1);
    match rest[slash..].rfind(':') {
        Some(i) => (&rest[..slash + i], Some(&rest[slash + i + 1..]), digest),
        None => (rest, None, digest),
    }
}

pub(super) fn is_digest(v: &str) -> bool {
    v.strip_prefix("sha256:")
        .is_some_and(|h| h.len() == 64 && h.bytes().all(|b| b.is_ascii_hexdigit()))
}

/// `repo:tag` or `repo@sha256:…` for a new tag or digest.
pub(super) fn image_with(repo: &str, new: &str) -> String {
    if is_digest(new) {
        format!("{repo}@{new}")
    } else {
        format!("{repo}:{new}")
    }
}

/// Visit every map in the documents, with whether an ancestor is marked.
pub(super) fn walk_maps<'n>(node: &'n Node, guarded: bool, f: &mut impl FnMut(&'n Node, bool)) {
    let guarded = guarded || node.marked;
    match &node.kind {
        Kind::Map(pairs) => {
            f(node, guarded);
            for (_, v) in pairs {
                walk_maps(v, guarded, f);
            }
        }
        Kind::Seq(items) => items.iter().for_each(|i| walk_maps(i, guarded, f)),
        _ => {}
    }
}

pub(super) fn locate<'n>(
    text: &str,
    docs: &'n [Node],
    locator: &Locator,
    new: &str,
) -> Result<Vec<Target<'n>>, Refusal> {
    let mut found = vec![];
    match locator {
        Locator::Image { repository } => {
            for doc in docs {
                walk_maps(doc, false, &mut |map, guarded| {
                    if let Some(v) = map.get("image")
                        && let Some(image) = v.scalar()
                        && split_image(image).0 == repository
                    {
                        found.push(Target {
                            node: v,
                            guarded,
                            new: image_with(repository, new),
                        });
                    }
                });
            }
            if found.is_empty() {
                return Err(Refusal::NotFound(format!(
                    "no `image: {repository}…` in the file"
                )));
            }
            let mut current: Vec<&str> = found.iter().filter_map(|t| t.node.scalar()).collect();
            current.sort();
            current.dedup();
            if current.len() > 1 {
                return Err(Refusal::Ambiguous {
                    what: format!("`{repository}`"),
                    lines: lines_with(&found, |t| t.node.scalar().unwrap_or("").to_owned()),
                });
            }
        }
        Locator::Key { path, repository } => {
            let parts: Vec<&str> = path.split('.').collect();
            for doc in docs {
                let mut node = doc;
                let mut guarded = doc.marked;
                let mut ok = true;
                for (i, part) in parts.iter().enumerate() {
                    match node.get(part) {
                        Some(next) => {
                            node = next;
                            guarded |= next.marked;
                        }
                        None => {
                            ok = i == 0 && doc.get(path).is_some();
                            if ok {
                                node = doc.get(path).expect("checked");
                            }
                            break;
                        }
                    }
                }
                if !ok {
                    continue;
                }
                if node.scalar().is_none() {
                    return Err(match node.kind {
                        Kind::Alias => Refusal::Anchored { line: node.line() },
                        _ => Refusal::NotScalar {
                            line: node.line(),
                            key: path.clone(),
                        },
                    });
                }
                if let Some(repo) = repository {
                    let parent_path = &parts[..parts.len() - 1];
                    let parent = parent_path.iter().try_fold(doc, |n, p| n.get(p));
                    let sibling = parent.and_then(|p| p.get("repository"));
                    match sibling.and_then(Node::scalar) {
                        Some(r) if r == repo => {}
                        Some(r) => {
                            return Err(Refusal::OtherRepository {
                                line: sibling.map_or(0, Node::line),
                                found: r.to_owned(),
                                wanted: repo.clone(),
                            });
                        }
                        None => {
                            return Err(Refusal::NotFound(format!(
                                "no `repository` next to `{path}` to check against `{repo}`"
                            )));
                        }
                    }
                }
                found.push(Target {
                    node,
                    guarded,
                    new: new.to_owned(),
                });
            }
            if found.is_empty() {
                return Err(Refusal::NotFound(format!(
                    "no key `{path}` in the file (banto does not add keys)"
                )));
            }
            if found.len() > 1 {
                return Err(Refusal::Ambiguous {
                    what: format!("`{path}`"),
                    lines: lines_with(&found, |_| path.clone()),
                });
            }
        }
        Locator::Kustomize { name } => {
            let key = if is_digest(new) { "digest" } else { "newTag" };
            for doc in docs {
                let Some(images) = doc.get("images") else {
                    continue;
                };
                let Kind::Seq(items) = &images.kind else {
                    continue;
                };
                for item in items
                    .iter()
                    .filter(|i| i.get("name").and_then(Node::scalar) == Some(name))
                {
                    match item.get(key) {
                        Some(v) => found.push(Target {
                            node: v,
                            guarded: doc.marked || images.marked || item.marked,
                            new: new.to_owned(),
                        }),
                        None => {
                            return Err(Refusal::NotFound(format!(
                                "line {}: images entry `{name}` has no `{key}` (banto does not add keys)",
                                item.line()
                            )));
                        }
                    }
                }
            }
            if found.is_empty() {
                return Err(Refusal::NotFound(format!(
                    "no `images:` entry named `{name}`"
                )));
            }
            if found.len() > 1 {
                return Err(Refusal::Ambiguous {
                    what: format!("images entry `{name}`"),
                    lines: lines_with(&found, |t| t.node.scalar().unwrap_or("").to_owned()),
                });
            }
        }
        Locator::Setter { policy } => {
            let whole = format!("{{\"$imagepolicy\": \"{policy}\"}}");
            let tag_only = format!("{{\"$imagepolicy\": \"{policy}:tag\"}}");
            let lines: Vec<&str> = text.lines().collect();
            for doc in docs {
                walk_scalars(doc, false, &mut |node, guarded| {
                    let line = lines.get(node.line() - 1).copied().unwrap_or("");
                    let Some(comment) = line.split_once(" # ").map(|(_, c)| c.trim()) else {
                        return;
                    };
                    let value = node.scalar().unwrap_or("");
                    let new_value = if comment == tag_only {
                        new.to_owned()
                    } else if comment == whole {
                        image_with(split_image(value).0, new)
                    } else {
                        return;
                    };
                    found.push(Target {
                        node,
                        guarded,
                        new: new_value,
                    });
                });
            }
            if found.is_empty() {
                return Err(Refusal::NotFound(format!(
                    "no `# {{\"$imagepolicy\": \"{policy}\"}}` marker in the file"
                )));
            }
        }
    }
    Ok(found)
}

pub(super) fn walk_scalars<'n>(node: &'n Node, guarded: bool, f: &mut impl FnMut(&'n Node, bool)) {
    let guarded = guarded || node.marked;
    match &node.kind {
        Kind::Scalar { .. } => f(node, guarded),
        Kind::Seq(items) => items.iter().for_each(|i| walk_scalars(i, guarded, f)),
        Kind::Map(pairs) => pairs.iter().for_each(|(_, v)| walk_scalars(v, guarded, f)),
        Kind::Alias => {}
    }
}

pub(super) fn lines_with(found: &[Target<'_>], what: impl Fn(&Target<'_>) -> String) -> String {
    found
        .iter()
        .map(|t| format!("line {} `{}`", t.node.line(), what(t)))
        .collect::<Vec<_>>()
        .join(", ")
}

/// Would a plain scalar with this text be read as something other than this string?
pub(super) fn needs_quotes(v: &str) -> bool {
    let lower = v.to_ascii_lowercase();
    let special_word = [
        "", "~", "null", "true", "false", "yes", "no", "on", "off", "y", "n", ".inf", "-.inf",
        "+.inf", ".nan",
    ]
    .contains(&lower.as_str());
    let numeric = {
        let t = v.trim_start_matches(['+', '-']);
        // One dot at most: `1.20` is a float, `1.5.0` is a string.
        !t.is_empty()
            && (t
                .bytes()
                .all(|b| b.is_ascii_digit() || b == b'.' || b == b'_' || b == b'e' || b == b'E')
                && t.bytes()
                    .next()
                    .is_some_and(|b| b.is_ascii_digit() || b == b'.')
                && t.matches('.').count() <= 1
                || t.starts_with("0x")
                || t.starts_with("0o"))
    };
    let indicator = v.starts_with([
        '-', '?', ':', ',', '[', ']', '{', '}', '#', '&', '*', '!', '|', '>', '\'', '"', '%', '@',
        '`',
    ]);
    special_word
        || numeric
        || indicator
        || v.contains(": ")
        || v.contains(" #")
        || v.ends_with(':')
        || v != v.trim()
}

pub(super) fn render(new: &str, style: ScalarStyle) -> String {
    match style {
        ScalarStyle::SingleQuoted => format!("'{}'", new.replace('\'', "''")),
        ScalarStyle::DoubleQuoted => {
            format!("\"{}\"", new.replace('\\', "\\\\").replace('"', "\\\""))
        }
        _ if needs_quotes(new) => format!("\"{}\"", new.replace('\\', "\\\\").replace('"', "\\\"")),
        _ => new.to_owned(),
    }
}

/// The length in bytes of the scalar written at the start of `src` (the parser's span may run on
/// over trailing spaces and comments). `None` for a plain scalar folded over several lines.
pub(super) fn scalar_len(src: &str, style: ScalarStyle, value: &str) -> Option<usize> {
    let bytes = src.as_bytes();
    match style {
        ScalarStyle::SingleQuoted => {
            let mut i = 1;
            while i < bytes.len() {
                if bytes[i] == b'\'' {
                    if bytes.get(i + 1) == Some(&b'\'') {
                        i += 2;
                        continue;
                    }
                    return Some(i + 1);
                }
                i += 1;
            }
            None
        }
        ScalarStyle::DoubleQuoted => {
            let mut i = 1;
            while i < bytes.len() {
                match bytes[i] {
                    b'\\' => i += 2,
                    b'"' => return Some(i + 1),
                    _ => i += 1,
                }
            }
            None
        }
        _ => src.starts_with(value).then_some(value.len()),
    }
}

pub(super) fn valid_tag(v: &str) -> bool {
    is_digest(v)
        || (!v.is_empty()
            && v.len() <= 128
            && v.bytes()
                .all(|b| b.is_ascii_alphanumeric() || b"._-".contains(&b))
            && !v.starts_with(['.', '-']))
}
