//! Keep credentials out of logs and messages.

/// A URL with any password replaced by `***`.
pub fn url(raw: &str) -> String {
    match url::Url::parse(raw) {
        Ok(mut u) if u.password().is_some() => {
            let _ = u.set_password(Some("***"));
            u.to_string()
        }
        Ok(u) => u.to_string(),
        Err(_) if raw.contains('@') => "<unparseable URL with credentials>".into(),
        Err(_) => raw.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn passwords_are_masked() {
        assert_eq!(
            super::url("postgres://banto:s3cret@db:5432/banto"),
            "postgres://banto:***@db:5432/banto"
        );
        assert_eq!(super::url("sqlite://banto.db"), "sqlite://banto.db");
    }
}
