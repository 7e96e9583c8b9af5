//! Large files: a file whose documents are block mappings splits at column-0 keys into entries
//! that parse independently. Only the entries that could hold a target are parsed, edited and
//! verified, as one smaller file; the splices are mapped back. Any doubt (another layout, a
//! parse error, an alias to elsewhere) falls back to the whole file.

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
            quoted_key || escaped || chunk.starts_with(first) || chunk.starts_with(path.as_str())
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
