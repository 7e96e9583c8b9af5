//! Path and name globs, compiled once when the config is read: `*` and `?` stay within one path
//! segment, `**` crosses segments (`**/` also matches no directory).

use globset::{GlobBuilder, GlobSet, GlobSetBuilder};
use serde::{Deserialize, Deserializer};

/// A list of globs matched as one.
#[derive(Clone, Debug)]
pub struct Globs {
    patterns: Vec<String>,
    set: GlobSet,
}

impl Globs {
    pub fn new<S: AsRef<str>>(patterns: &[S]) -> Result<Self, String> {
        let mut builder = GlobSetBuilder::new();
        for p in patterns {
            let glob = GlobBuilder::new(p.as_ref())
                .literal_separator(true)
                .backslash_escape(true)
                .build()
                .map_err(|e| format!("bad glob {:?}: {}", p.as_ref(), e.kind()))?;
            builder.add(glob);
        }
        Ok(Self {
            patterns: patterns.iter().map(|p| p.as_ref().to_owned()).collect(),
            set: builder.build().map_err(|e| e.to_string())?,
        })
    }

    pub fn is_match(&self, text: &str) -> bool {
        self.set.is_match(text)
    }

    pub fn is_empty(&self) -> bool {
        self.patterns.is_empty()
    }

    pub fn patterns(&self) -> &[String] {
        &self.patterns
    }
}

impl Default for Globs {
    fn default() -> Self {
        Self::new::<&str>(&[]).expect("no globs")
    }
}

impl PartialEq for Globs {
    fn eq(&self, other: &Self) -> bool {
        self.patterns == other.patterns
    }
}

impl<'de> Deserialize<'de> for Globs {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        Self::new(&Vec::<String>::deserialize(d)?).map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::Globs;

    fn matches(pattern: &str, text: &str) -> bool {
        Globs::new(&[pattern]).unwrap().is_match(text)
    }

    #[test]
    fn segments_and_double_stars() {
        assert!(matches(
            "envs/prod/network/*.tf",
            "envs/prod/network/main.tf"
        ));
        assert!(!matches(
            "envs/prod/network/*.tf",
            "envs/prod/network/sub/main.tf"
        ));
        assert!(matches("modules/vpc/**", "modules/vpc/a/b/c.tf"));
        assert!(matches("**/*.tf", "main.tf"));
        assert!(matches("**/*.tf", "a/b/main.tf"));
        assert!(!matches("**/*.tf", "a/b/main.tfvars.json"));
        assert!(matches("aws_iam_*", "aws_iam_role"));
        assert!(!matches("aws_iam_*", "aws_s3_bucket"));
        assert!(matches("v?.tf", "v1.tf"));
    }

    #[test]
    fn many_double_stars_do_not_backtrack() {
        let deep = format!("{}x.tf", "a/".repeat(2_000));
        assert!(!matches("**/b/**/c/**/d/**/e/**/*.tfvars", &deep));
    }

    #[test]
    fn a_bad_glob_is_refused_with_why() {
        let err = Globs::new(&["modules/[vpc/**"]).unwrap_err();
        assert!(err.starts_with("bad glob \"modules/[vpc/**\""), "{err}");
    }
}
