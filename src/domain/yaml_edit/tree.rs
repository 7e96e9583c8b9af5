//! The YAML parsed with byte spans: nodes, and every scalar in document order.

use super::*;
use saphyr_parser::{Event, Parser, ScalarStyle, Span};

#[derive(Debug)]
pub(super) enum Kind {
    Scalar { value: String, style: ScalarStyle },
    Seq(Vec<Node>),
    Map(Vec<(Node, Node)>),
    Alias,
}

#[derive(Debug)]
pub(super) struct Node {
    pub(super) kind: Kind,
    /// Has an anchor or a non-core tag: edits here could change more than this spot.
    pub(super) marked: bool,
    pub(super) span: Span,
}

impl Node {
    pub(super) fn line(&self) -> usize {
        self.span.start.line()
    }

    pub(super) fn scalar(&self) -> Option<&str> {
        match &self.kind {
            Kind::Scalar { value, .. } => Some(value),
            _ => None,
        }
    }

    pub(super) fn get(&self, key: &str) -> Option<&Node> {
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
pub(super) struct Offsets<'a> {
    pub(super) text: &'a str,
    pub(super) ascii: bool,
    pub(super) table: Vec<usize>,
}

impl<'a> Offsets<'a> {
    pub(super) fn new(text: &'a str) -> Self {
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

    pub(super) fn byte(&self, char_index: usize) -> usize {
        if self.ascii {
            char_index.min(self.text.len())
        } else {
            self.table[char_index.min(self.table.len() - 1)]
        }
    }
}

pub(super) fn parse(text: &str) -> Result<Vec<Node>, Refusal> {
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

/// Every scalar's value in document order: what must not change outside the targets.
pub(super) fn scalars(text: &str) -> Result<Vec<(usize, String)>, Refusal> {
    let mut out = vec![];
    for doc in parse(text)? {
        collect(&doc, &mut out);
    }
    Ok(out)
}

pub(super) fn collect(node: &Node, out: &mut Vec<(usize, String)>) {
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
