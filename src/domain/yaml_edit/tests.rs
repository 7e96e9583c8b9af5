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
