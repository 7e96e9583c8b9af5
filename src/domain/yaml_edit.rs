//! Byte-exact image tag bumps in YAML. The file is parsed with spans (saphyr-parser), the target
//! scalars are located, their bytes alone are replaced, and the result is parsed again to prove
//! that every other value is unchanged and the targets hold the new value. Comments, blank
//! lines, key order, quote style, CRLF, BOM, `---` documents and indentation are never touched
//! because they are never rewritten. Anything ambiguous or risky is refused with file and line.

use saphyr_parser::{Event, Parser, ScalarStyle, Span};

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

#[derive(Debug)]
enum Kind {
    Scalar { value: String, style: ScalarStyle },
    Seq(Vec<Node>),
    Map(Vec<(Node, Node)>),
    Alias,
}

#[derive(Debug)]
struct Node {
    kind: Kind,
    /// Has an anchor or a non-core tag: edits here could change more than this spot.
    marked: bool,
    span: Span,
}

impl Node {
    fn line(&self) -> usize {
        self.span.start.line()
    }

    fn scalar(&self) -> Option<&str> {
        match &self.kind {
            Kind::Scalar { value, .. } => Some(value),
            _ => None,
        }
    }

    fn get(&self, key: &str) -> Option<&Node> {
        match &self.kind {
            Kind::Map(pairs) => pairs
                .iter()
                .find(|(k, _)| k.scalar() == Some(key))
                .map(|(_, v)| v),
            _ => None,
        }
    }
}

/// Character index → byte offset (saphyr's markers count characters).
struct Offsets<'a> {
    text: &'a str,
    ascii: bool,
    table: Vec<usize>,
}

impl<'a> Offsets<'a> {
    fn new(text: &'a str) -> Self {
        let ascii = text.is_ascii();
        let table = if ascii {
            vec![]
        } else {
            text.char_indices()
                .map(|(b, _)| b)
                .chain(std::iter::once(text.len()))
                .collect()
        };
        Self { text, ascii, table }
    }

    fn byte(&self, char_index: usize) -> usize {
        if self.ascii {
            char_index.min(self.text.len())
        } else {
            self.table[char_index.min(self.table.len() - 1)]
        }
    }
}

fn parse(text: &str) -> Result<Vec<Node>, Refusal> {
    enum Open {
        Seq(Vec<Node>, bool, Span),
        Map(Vec<Node>, bool, Span),
    }
    let mut docs = vec![];
    let mut stack: Vec<Open> = vec![];
    let marked = |anchor: usize, tag: &Option<std::borrow::Cow<'_, saphyr_parser::Tag>>| {
        anchor != 0 || tag.as_ref().is_some_and(|t| !t.is_yaml_core_schema())
    };
    for item in Parser::new_from_str(text) {
        let (event, span) = item.map_err(|e| Refusal::Invalid {
            line: e.marker().line(),
            message: e.info().to_owned(),
        })?;
        let node = match event {
            Event::Scalar(value, style, anchor, tag) => Node {
                marked: marked(anchor, &tag),
                kind: Kind::Scalar {
                    value: value.into_owned(),
                    style,
                },
                span,
            },
            Event::Alias(_) => Node {
                kind: Kind::Alias,
                marked: true,
                span,
            },
            Event::SequenceStart(anchor, tag) => {
                stack.push(Open::Seq(vec![], marked(anchor, &tag), span));
                continue;
            }
            Event::MappingStart(anchor, tag) => {
                stack.push(Open::Map(vec![], marked(anchor, &tag), span));
                continue;
            }
            Event::SequenceEnd | Event::MappingEnd => match stack.pop() {
                Some(Open::Seq(items, marked, start)) => Node {
                    kind: Kind::Seq(items),
                    marked,
                    span: Span::new(start.start, span.end),
                },
                Some(Open::Map(items, marked, start)) => {
                    let mut pairs = vec![];
                    let mut it = items.into_iter();
                    while let (Some(k), Some(v)) = (it.next(), it.next()) {
                        pairs.push((k, v));
                    }
                    Node {
                        kind: Kind::Map(pairs),
                        marked,
                        span: Span::new(start.start, span.end),
                    }
                }
                None => continue,
            },
            _ => continue,
        };
        match stack.last_mut() {
            Some(Open::Seq(items, ..)) | Some(Open::Map(items, ..)) => items.push(node),
            None => docs.push(node),
        }
    }
    Ok(docs)
}

/// A scalar to rewrite: the node, whether an ancestor is marked, and its new value.
struct Target<'n> {
    node: &'n Node,
    guarded: bool,
    new: String,
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

fn is_digest(v: &str) -> bool {
    v.strip_prefix("sha256:")
        .is_some_and(|h| h.len() == 64 && h.bytes().all(|b| b.is_ascii_hexdigit()))
}

/// `repo:tag` or `repo@sha256:…` for a new tag or digest.
fn image_with(repo: &str, new: &str) -> String {
    if is_digest(new) {
        format!("{repo}@{new}")
    } else {
        format!("{repo}:{new}")
    }
}

/// Visit every map in the documents, with whether an ancestor is marked.
fn walk_maps<'n>(node: &'n Node, guarded: bool, f: &mut impl FnMut(&'n Node, bool)) {
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

fn locate<'n>(
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

fn walk_scalars<'n>(node: &'n Node, guarded: bool, f: &mut impl FnMut(&'n Node, bool)) {
    let guarded = guarded || node.marked;
    match &node.kind {
        Kind::Scalar { .. } => f(node, guarded),
        Kind::Seq(items) => items.iter().for_each(|i| walk_scalars(i, guarded, f)),
        Kind::Map(pairs) => pairs.iter().for_each(|(_, v)| walk_scalars(v, guarded, f)),
        Kind::Alias => {}
    }
}

fn lines_with(found: &[Target<'_>], what: impl Fn(&Target<'_>) -> String) -> String {
    found
        .iter()
        .map(|t| format!("line {} `{}`", t.node.line(), what(t)))
        .collect::<Vec<_>>()
        .join(", ")
}

/// Would a plain scalar with this text be read as something other than this string?
fn needs_quotes(v: &str) -> bool {
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

fn render(new: &str, style: ScalarStyle) -> String {
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
fn scalar_len(src: &str, style: ScalarStyle, value: &str) -> Option<usize> {
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

fn valid_tag(v: &str) -> bool {
    is_digest(v)
        || (!v.is_empty()
            && v.len() <= 128
            && v.bytes()
                .all(|b| b.is_ascii_alphanumeric() || b"._-".contains(&b))
            && !v.starts_with(['.', '-']))
}

/// Every scalar's value in document order: what must not change outside the targets.
fn scalars(text: &str) -> Result<Vec<(usize, String)>, Refusal> {
    let mut out = vec![];
    for doc in parse(text)? {
        collect(&doc, &mut out);
    }
    Ok(out)
}

fn collect(node: &Node, out: &mut Vec<(usize, String)>) {
    match &node.kind {
        Kind::Scalar { value, .. } => out.push((node.span.start.index(), value.clone())),
        Kind::Seq(items) => items.iter().for_each(|i| collect(i, out)),
        Kind::Map(pairs) => pairs.iter().for_each(|(k, v)| {
            collect(k, out);
            collect(v, out);
        }),
        Kind::Alias => out.push((node.span.start.index(), "*alias".into())),
    }
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

/// Large files: a file whose documents are block mappings splits at column-0 keys into entries
/// that parse independently. Only the entries that could hold a target are parsed, edited and
/// verified, as one smaller file; the splices are mapped back. Any doubt (another layout, a
/// parse error, an alias to elsewhere) falls back to the whole file.
mod chunked {
    use super::*;

    struct Chunk {
        start: usize,
        end: usize,
        line: usize,
        doc: usize,
    }

    fn chunks(text: &str) -> Option<Vec<Chunk>> {
        let mut out: Vec<Chunk> = vec![];
        let (mut at, mut line, mut doc) = (0, 1, 0);
        let mut in_doc_chunk = false;
        for l in text.split_inclusive('\n') {
            let body = l.strip_prefix('\u{feff}').unwrap_or(l);
            let bom = l.len() - body.len();
            let first = body.chars().next().unwrap_or('\n');
            let is_marker = |m: &str| {
                body.starts_with(m) && body[3..].chars().next().is_none_or(|c| c.is_whitespace())
            };
            if is_marker("---") || is_marker("...") {
                if !body[3..].trim().is_empty() && !body[3..].trim_start().starts_with('#') {
                    return None; // content on the marker line
                }
                if let Some(c) = out.last_mut() {
                    c.end = at;
                }
                doc += 1;
                in_doc_chunk = false;
            } else if first == '-' {
                // A compact sequence under the current root key; a root sequence is not handled.
                if !in_doc_chunk {
                    return None;
                }
            } else if " #\r\n".contains(first) {
            } else if "?[{'\"&*!|>%@`\t".contains(first) {
                return None;
            } else {
                if let Some(c) = out.last_mut().filter(|_| in_doc_chunk) {
                    c.end = at;
                }
                out.push(Chunk {
                    start: at + bom,
                    end: text.len(),
                    line,
                    doc,
                });
                in_doc_chunk = true;
            }
            at += l.len();
            line += 1;
        }
        Some(out)
    }

    /// Could this entry hold a target? (A superset: the edit engine decides on the entries.)
    fn candidate(chunk: &str, locator: &Locator) -> bool {
        let quoted_key = chunk.starts_with(['\'', '"']);
        let escaped = chunk.contains('\\');
        match locator {
            Locator::Image { repository } => escaped || chunk.contains(repository.as_str()),
            Locator::Key { path, .. } => {
                let first = path.split('.').next().unwrap_or("");
                quoted_key
                    || escaped
                    || chunk.starts_with(first)
                    || chunk.starts_with(path.as_str())
            }
            Locator::Kustomize { .. } => chunk.starts_with("images"),
            Locator::Setter { .. } => chunk.contains("$imagepolicy"),
        }
    }

    pub fn set_tag(text: &str, locator: &Locator, new: &str) -> Option<Edited> {
        const WORTH_IT: usize = 64 * 1024;
        if text.len() < WORTH_IT {
            return None;
        }
        let chunks = chunks(text)?;
        // The smaller file: candidate entries, `---` between documents.
        let mut reduced = String::new();
        // (start in the smaller file, start in the original, original line − smaller file line)
        let mut map: Vec<(usize, usize, isize)> = vec![];
        let mut last_doc = None;
        let mut reduced_line = 1;
        for c in &chunks {
            let body = &text[c.start..c.end];
            if !candidate(body, locator) {
                continue;
            }
            if last_doc.is_some_and(|d| d != c.doc) {
                reduced.push_str("---\n");
                reduced_line += 1;
            }
            last_doc = Some(c.doc);
            if !reduced.is_empty() && !reduced.ends_with('\n') {
                return None;
            }
            map.push((
                reduced.len(),
                c.start,
                c.line as isize - reduced_line as isize,
            ));
            reduced.push_str(body);
            reduced_line += body.matches('\n').count();
        }
        if reduced.is_empty() {
            return None; // let the whole-file path say what is missing
        }
        let (splices, _) = edit(&reduced, locator, new).ok()?;
        let mut out_splices = vec![];
        for s in splices {
            let &(r_start, o_start, shift) = map.iter().rev().find(|(r, _, _)| *r <= s.start)?;
            let delta = o_start as isize - r_start as isize;
            let mut change = s.change.clone();
            change.line = (change.line as isize + shift) as usize;
            out_splices.push(Splice {
                start: (s.start as isize + delta) as usize,
                end: (s.end as isize + delta) as usize,
                replacement: s.replacement,
                change,
                at: s.at,
                new: s.new,
            });
        }
        Some(Edited {
            text: apply(text, &out_splices),
            changes: changes(&out_splices),
        })
    }
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
mod tests {
    use super::*;

    fn image(repo: &str) -> Locator {
        Locator::Image {
            repository: repo.into(),
        }
    }

    #[test]
    fn only_the_target_bytes_change() {
        let text = "# app\r\nspec:\r\n  containers:\r\n  - name: web   # the web\r\n    image: 'ghcr.io/acme/web:v1.2.3'  # pinned\r\n\r\n  - name: side\r\n    image: ghcr.io/acme/side:v9\r\n";
        let e = set_tag(text, &image("ghcr.io/acme/web"), "v1.3.0").unwrap();
        assert_eq!(e.text, text.replace("web:v1.2.3", "web:v1.3.0"));
        assert_eq!(
            e.changes,
            vec![Change {
                line: 5,
                old: "ghcr.io/acme/web:v1.2.3".into(),
                new: "ghcr.io/acme/web:v1.3.0".into()
            }]
        );
    }

    #[test]
    fn bom_non_ascii_and_several_documents() {
        let text = "\u{feff}# 本番\n---\nimage: acme/web:v1 # 日本語のコメント\n---\nname: ユーザー\nimage: acme/web:v1\n";
        let e = set_tag(text, &image("acme/web"), "v2").unwrap();
        assert_eq!(e.text, text.replace("acme/web:v1", "acme/web:v2"));
        assert_eq!(
            e.changes.len(),
            2,
            "every container of that repository, as Kustomize does"
        );
    }

    #[test]
    fn numbers_and_booleans_get_quoted() {
        let text = "image:\n  tag: v1\n";
        let key = Locator::Key {
            path: "image.tag".into(),
            repository: None,
        };
        assert_eq!(
            set_tag(text, &key, "1.20").unwrap().text,
            "image:\n  tag: \"1.20\"\n"
        );
        assert_eq!(
            set_tag(text, &key, "yes").unwrap().text,
            "image:\n  tag: \"yes\"\n"
        );
        let quoted = "image:\n  tag: '1.19'\n";
        assert_eq!(
            set_tag(quoted, &key, "1.20").unwrap().text,
            "image:\n  tag: '1.20'\n"
        );
    }

    #[test]
    fn refusals_name_the_line() {
        let anchored = "base: &img\n  tag: v1\nimage: *img\n";
        let key = Locator::Key {
            path: "base.tag".into(),
            repository: None,
        };
        assert_eq!(
            set_tag(anchored, &key, "v2").unwrap_err(),
            Refusal::Anchored { line: 2 }
        );
        let through_alias = Locator::Key {
            path: "image.tag".into(),
            repository: None,
        };
        assert!(set_tag(anchored, &through_alias, "v2").is_err());
        let block = "image:\n  tag: |\n    v1\n";
        let key = Locator::Key {
            path: "image.tag".into(),
            repository: None,
        };
        assert_eq!(
            set_tag(block, &key, "v2").unwrap_err(),
            Refusal::BlockScalar { line: 3 }
        );
        let two = "a:\n  image: acme/web:v1\nb:\n  image: acme/web:v2\n";
        let e = set_tag(two, &image("acme/web"), "v3").unwrap_err();
        assert!(
            e.to_string().contains("line 2") && e.to_string().contains("line 4"),
            "{e}"
        );
        let e = set_tag("x: 1\n", &image("acme/web"), "v3").unwrap_err();
        assert!(matches!(e, Refusal::NotFound(_)));
        assert_eq!(
            set_tag("image: a:b\n", &image("a"), "v1 # x").unwrap_err(),
            Refusal::BadTag("v1 # x".into())
        );
        let docs = "---\nimage:\n  tag: v1\n---\nimage:\n  tag: v1\n";
        assert!(matches!(
            set_tag(
                docs,
                &Locator::Key {
                    path: "image.tag".into(),
                    repository: None
                },
                "v2"
            ),
            Err(Refusal::Ambiguous { .. })
        ));
    }

    #[test]
    fn helm_key_checks_the_sibling_repository() {
        let text = "image:\n  repository: ghcr.io/acme/web\n  tag: \"v1\"\n";
        let ok = Locator::Key {
            path: "image.tag".into(),
            repository: Some("ghcr.io/acme/web".into()),
        };
        assert_eq!(
            set_tag(text, &ok, "v2").unwrap().text,
            "image:\n  repository: ghcr.io/acme/web\n  tag: \"v2\"\n"
        );
        let other = Locator::Key {
            path: "image.tag".into(),
            repository: Some("ghcr.io/acme/api".into()),
        };
        assert!(matches!(
            set_tag(text, &other, "v2"),
            Err(Refusal::OtherRepository { line: 2, .. })
        ));
    }

    #[test]
    fn kustomize_tag_or_digest() {
        let text = "images:\n- name: web\n  newName: ghcr.io/acme/web\n  newTag: v1\n  digest: sha256:0000000000000000000000000000000000000000000000000000000000000000\n";
        let k = Locator::Kustomize { name: "web".into() };
        assert_eq!(
            set_tag(text, &k, "v2").unwrap().text,
            text.replace("newTag: v1", "newTag: v2")
        );
        let d = format!("sha256:{}", "a".repeat(64));
        assert_eq!(
            set_tag(text, &k, &d).unwrap().text,
            text.replace(&format!("sha256:{}", "0".repeat(64)), &d)
        );
    }

    #[test]
    fn flux_setters() {
        let text = "image: acme/web:v1 # {\"$imagepolicy\": \"flux:web\"}\ntag: v1 # {\"$imagepolicy\": \"flux:web:tag\"}\nother: acme/web:v1 # {\"$imagepolicy\": \"flux:api\"}\n";
        let e = set_tag(
            text,
            &Locator::Setter {
                policy: "flux:web".into(),
            },
            "v2",
        )
        .unwrap();
        assert_eq!(
            e.text,
            "image: acme/web:v2 # {\"$imagepolicy\": \"flux:web\"}\ntag: v2 # {\"$imagepolicy\": \"flux:web:tag\"}\nother: acme/web:v1 # {\"$imagepolicy\": \"flux:api\"}\n"
        );
    }

    #[test]
    fn image_references_split_like_docker() {
        assert_eq!(
            split_image("localhost:5000/web:v1"),
            ("localhost:5000/web", Some("v1"), None)
        );
        assert_eq!(
            split_image("web@sha256:ab"),
            ("web", None, Some("sha256:ab"))
        );
        assert_eq!(split_image("nginx"), ("nginx", None, None));
    }

    #[test]
    fn current_tag_reads_what_set_tag_would_change() {
        let image = Locator::Image {
            repository: "ghcr.io/acme/web".into(),
        };
        let text = "spec:\n  containers:\n    - image: ghcr.io/acme/web:v1.2.3 # pinned\n";
        assert_eq!(
            current_tag(text, &image).unwrap().as_deref(),
            Some("v1.2.3")
        );
        let bare = "spec:\n  containers:\n    - image: ghcr.io/acme/web\n";
        assert_eq!(current_tag(bare, &image).unwrap(), None);
        let key = Locator::Key {
            path: "image.tag".into(),
            repository: None,
        };
        assert_eq!(
            current_tag("image:\n  tag: \"1.20\"\n", &key)
                .unwrap()
                .as_deref(),
            Some("1.20")
        );
        assert!(
            current_tag("other: 1\n", &key).is_err(),
            "no target is a refusal"
        );
    }

    #[test]
    fn only_values_yaml_would_not_read_as_strings_are_quoted() {
        for (tag, quoted) in [
            ("1.5.0", false),
            ("v1.20", false),
            ("sha-3484a3f", false),
            ("1.20", true),
            ("0.3", true),
            ("1e5", true),
            ("20251126", true),
            ("yes", true),
        ] {
            assert_eq!(needs_quotes(tag), quoted, "{tag}");
        }
    }
}
