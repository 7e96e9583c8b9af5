//! The YAML edit engine on real manifests from `shared/corpus/gitops` (Argo CD, Image Updater,
//! Flux, Helm, Kustomize; see its SOURCES.tsv): every bump changes the target bytes and nothing
//! else, refusals say why, and random valid files never change outside the target.

use banto::domain::yaml_edit::{Locator, Refusal, set_tag, set_tag_whole, split_image};
use rand::{Rng, SeedableRng};

fn corpus(name: &str) -> String {
    banto::fake::corpus::text(&format!("gitops/{name}"))
}

fn image(repo: &str) -> Locator {
    Locator::Image {
        repository: repo.into(),
    }
}

fn key(path: &str, repo: Option<&str>) -> Locator {
    Locator::Key {
        path: path.into(),
        repository: repo.map(str::to_owned),
    }
}

/// Every line not reported as changed is byte-identical; changed lines hold the new value.
fn assert_only_targets_changed(name: &str, before: &str, locator: &Locator, tag: &str) -> String {
    let e = set_tag(before, locator, tag).unwrap_or_else(|r| panic!("{name}: {r}"));
    assert!(!e.changes.is_empty(), "{name}: nothing changed");
    let old: Vec<&str> = before.split_inclusive('\n').collect();
    let new: Vec<&str> = e.text.split_inclusive('\n').collect();
    assert_eq!(old.len(), new.len(), "{name}: line count changed");
    let changed: Vec<usize> = e.changes.iter().map(|c| c.line).collect();
    for (i, (a, b)) in old.iter().zip(&new).enumerate() {
        if changed.contains(&(i + 1)) {
            assert!(b.contains(tag), "{name}:{}: {b:?} lacks {tag}", i + 1);
            let (a_code, b_code) = (a.split(" #").next(), b.split(" #").next());
            assert_ne!(a_code, b_code, "{name}:{}", i + 1);
            assert_eq!(
                a.split_once(" #").map(|x| x.1),
                b.split_once(" #").map(|x| x.1),
                "{name}:{}: comment kept",
                i + 1
            );
        } else {
            assert_eq!(a, b, "{name}:{}: an untouched line changed", i + 1);
        }
    }
    e.text
}

#[test]
fn every_corpus_manifest_with_a_target_is_bumped_byte_exactly() {
    let cases: &[(&str, Locator, &str)] = &[
        (
            "argocd-example-apps__guestbook-ui-deployment.yaml",
            image("quay.io/argoprojlabs/argocd-e2e-container"),
            "0.3",
        ),
        (
            "argocd-example-apps__helm-guestbook__values.yaml",
            key(
                "image.tag",
                Some("quay.io/argoprojlabs/argocd-e2e-container"),
            ),
            "0.2",
        ),
        (
            "argocd-image-updater__004-multi-images__deployment.yaml",
            image("10.42.0.1:30000/test-image"),
            "1.1.0",
        ),
        (
            "flux__setters__original__marked-cronjob.yaml",
            Locator::Setter {
                policy: "automation-ns:policy".into(),
            },
            "v1.0.1",
        ),
        (
            "flux__setters__original__kustomization.yml",
            Locator::Setter {
                policy: "automation-ns:policy".into(),
            },
            "v1.0.1",
        ),
        (
            "helm__create__default-values.yaml",
            key("image.tag", Some("nginx")),
            "1.27.0",
        ),
        (
            "kustomize__examples__transformerconfigs-images__kustomization.yaml",
            Locator::Kustomize {
                name: "my-app".into(),
            },
            "v2",
        ),
        (
            "kustomize__transformersimage_test__kustomization.yaml",
            Locator::Kustomize {
                name: "nginx".into(),
            },
            "v3",
        ),
        (
            "kustomize__transformersimage_test__deploy1.yaml",
            image("nginx"),
            "1.7.10",
        ),
        (
            "kustomize__ImageTagTransformerAnchor__expected-output.yaml",
            image("my-nginx"),
            "1.9",
        ),
    ];
    for (name, locator, tag) in cases {
        assert_only_targets_changed(name, &corpus(name), locator, tag);
    }
}

#[test]
fn golden_outputs_match_what_the_original_tools_produce() {
    // Helm reads a plain `0.1` as a float: banto's value is quoted so `0.2` stays a string.
    let values = corpus("argocd-example-apps__helm-guestbook__values.yaml");
    let out = set_tag(&values, &key("image.tag", None), "0.2")
        .unwrap()
        .text;
    assert_eq!(out, values.replace("  tag: 0.1\n", "  tag: \"0.2\"\n"));

    // Flux's own expected file, for the tag setter line.
    let original = corpus("flux__setters__original__kustomization.yml");
    let expected = corpus("flux__setters__expected__kustomization.yml");
    let out = set_tag(
        &original,
        &Locator::Setter {
            policy: "automation-ns:policy".into(),
        },
        "v1.0.1",
    )
    .unwrap()
    .text;
    let line = |t: &str, n: usize| t.lines().nth(n - 1).unwrap().to_owned();
    assert_eq!(line(&out, 9), line(&expected, 9));
    assert_eq!(
        line(&out, 8),
        line(&original, 8),
        "the :name setter is not a tag"
    );

    // The marked CronJob: the container marked with another policy keeps its tag.
    let cron = corpus("flux__setters__original__marked-cronjob.yaml");
    let out = set_tag(
        &cron,
        &Locator::Setter {
            policy: "automation-ns:policy".into(),
        },
        "v1.0.1",
    )
    .unwrap()
    .text;
    assert_eq!(
        out,
        cron.replacen(
            "image:v1.0.0 # {\"$imagepolicy\": \"automation-ns:policy\"}",
            "image:v1.0.1 # {\"$imagepolicy\": \"automation-ns:policy\"}",
            1
        )
    );
}

#[test]
fn refusals_on_real_files() {
    // `image: nginx` and `image: nginx:v1` in one file: which one is production? Refuse.
    let random = corpus("kustomize__transformersimage_test__random.yaml");
    let e = set_tag(&random, &image("nginx"), "v2").unwrap_err();
    assert!(matches!(e, Refusal::Ambiguous { .. }), "{e}");
    assert!(
        e.to_string().contains("line 9") && e.to_string().contains("line 15"),
        "{e}"
    );
    // A kustomization entry without newTag: banto does not invent keys.
    let k = corpus("kustomize__transformersimage_test__kustomization.yaml");
    let e = set_tag(
        &k,
        &Locator::Kustomize {
            name: "alpine".into(),
        },
        "v2",
    )
    .unwrap_err();
    assert!(e.to_string().contains("has no `newTag`"), "{e}");
    // The wrong image behind a Helm key.
    let values = corpus("helm__create__default-values.yaml");
    let e = set_tag(&values, &key("image.tag", Some("ghcr.io/acme/web")), "v2").unwrap_err();
    assert!(
        e.to_string().contains("`nginx`, not `ghcr.io/acme/web`"),
        "{e}"
    );
}

#[test]
fn image_updaters_helm_cases_agree_where_the_key_exists() {
    let cases: Vec<serde_json::Value> = serde_json::from_str(&corpus(
        "argocd-image-updater__Test_SetHelmValue-cases.json",
    ))
    .unwrap();
    let mut agreed = 0;
    for c in &cases {
        let (name, input, k, value) = (
            c["name"].as_str().unwrap(),
            c["input"].as_str().unwrap(),
            c["key"].as_str().unwrap(),
            c["value"].as_str().unwrap(),
        );
        let ours = set_tag(input, &key(k, None), value);
        match (c["expected"].as_str(), ours) {
            (Some(expected), Ok(e)) => {
                assert_eq!(e.text, expected, "{name}");
                agreed += 1;
            }
            // Image Updater adds missing keys and edits anchored values through their aliases;
            // banto refuses both, by design.
            (
                Some(_),
                Err(Refusal::NotFound(_) | Refusal::NotScalar { .. } | Refusal::Anchored { .. }),
            ) => {}
            (None, Err(_)) => agreed += 1,
            (expected, ours) => panic!("{name}: Image Updater {expected:?}, banto {ours:?}"),
        }
    }
    assert!(agreed >= 3, "only {agreed} cases compared");
}

/// Random valid YAML with comments, quotes, blank lines, CRLF and several documents: a bump
/// changes exactly the target's bytes.
#[test]
fn random_files_never_change_outside_the_target() {
    let mut rng = rand::rngs::StdRng::seed_from_u64(0xBA_4709);
    let words = [
        "alpha",
        "beta",
        "true",
        "1.20",
        "x y",
        "日本語",
        "",
        "~",
        "a#b",
        "v1.0",
    ];
    for round in 0..400 {
        let nl = if rng.random_bool(0.3) { "\r\n" } else { "\n" };
        let mut doc = String::new();
        if rng.random_bool(0.1) {
            doc.push('\u{feff}');
        }
        let docs = rng.random_range(1..=3);
        let target_doc = rng.random_range(0..docs);
        for d in 0..docs {
            if docs > 1 || rng.random_bool(0.3) {
                doc.push_str(&format!("---{nl}"));
            }
            for i in 0..rng.random_range(0..8) {
                match rng.random_range(0..5) {
                    0 => doc.push_str(&format!(
                        "# comment {i} {}{nl}",
                        words[rng.random_range(0..words.len())]
                    )),
                    1 => doc.push_str(nl),
                    2 => doc.push_str(&format!(
                        "k{i}: '{}'{nl}",
                        words[rng.random_range(0..words.len())].replace('\'', "''")
                    )),
                    3 => doc.push_str(&format!(
                        "k{i}: \"{}\"   # trailing{nl}",
                        words[rng.random_range(0..words.len())]
                    )),
                    _ => doc.push_str(&format!("list{i}:{nl}  - a{nl}  -   b  # c{nl}")),
                }
            }
            if d == target_doc {
                let indent = " ".repeat(rng.random_range(1..=4));
                let quote = ["", "'", "\""][rng.random_range(0..3)];
                doc.push_str(&format!("spec:{nl}{indent}containers:{nl}{indent}- name: web{nl}{indent}  image: {quote}ghcr.io/acme/web:v{round}{quote}{}{nl}", if rng.random_bool(0.5) { "  # pinned" } else { "" }));
            } else {
                doc.push_str(&format!("other: ghcr.io/acme/api:v{round}{nl}"));
            }
        }
        let tag = format!("v{}.{}", round + 1, rng.random_range(0..100));
        let out = assert_only_targets_changed(
            &format!("round {round}"),
            &doc,
            &image("ghcr.io/acme/web"),
            &tag,
        );
        assert_eq!(
            out.len() as isize - doc.len() as isize,
            tag.len() as isize - format!("v{round}").len() as isize,
            "round {round}: only the tag's bytes differ:\n{doc}"
        );
        assert_eq!(
            split_image(&format!("ghcr.io/acme/web:{tag}")).1,
            Some(tag.as_str())
        );
    }
}

/// Big files take the fast path (only the entries that can hold the target are parsed); it must
/// agree with the whole-file path byte for byte, refusals included.
#[test]
fn the_fast_path_for_big_files_agrees_with_the_whole_file_path() {
    let filler: String = (0..3000)
        .map(|i| format!("svc{i}:\n  # entry {i}\n  image:\n    repository: ghcr.io/acme/svc{i}\n    tag: \"v{i}\"\n  list:\n  - a: 1\n"))
        .collect();
    let cases: Vec<(String, Locator, &str)> = vec![
        (
            format!(
                "{filler}web:\n  image:\n    repository: ghcr.io/acme/web\n    tag: v1 # pinned\n"
            ),
            key("web.image.tag", Some("ghcr.io/acme/web")),
            "v2",
        ),
        (
            format!(
                "{filler}a:\n  image: ghcr.io/acme/web:v1\n---\n{filler}b:\n  image: ghcr.io/acme/web:v1\n"
            ),
            image("ghcr.io/acme/web"),
            "v2",
        ),
        (
            format!("{filler}a:\n  image: ghcr.io/acme/web:v1\nb:\n  image: ghcr.io/acme/web:v0\n"),
            image("ghcr.io/acme/web"),
            "v2",
        ),
        (
            format!("images:\n- name: web\n  newTag: v1\n{filler}"),
            Locator::Kustomize { name: "web".into() },
            "v2",
        ),
        (
            format!("{filler}web:\n  tag: 1.0 # {{\"$imagepolicy\": \"flux:web:tag\"}}\n"),
            Locator::Setter {
                policy: "flux:web".into(),
            },
            "1.1",
        ),
        (
            format!("\u{feff}{filler}web:\r\n  image: &img ghcr.io/acme/web:v1\r\n"),
            image("ghcr.io/acme/web"),
            "v2",
        ),
        (
            format!("{filler}web:\n  image:\n    tag: v1\n"),
            key("web.image.tag", Some("ghcr.io/acme/web")),
            "v2",
        ),
        (filler.clone(), key("nothing.here", None), "v2"),
    ];
    for (i, (text, locator, tag)) in cases.iter().enumerate() {
        assert!(text.len() > 64 * 1024);
        let fast = set_tag(text, locator, tag);
        let whole = set_tag_whole(text, locator, tag);
        assert_eq!(fast, whole, "case {i}");
    }
    let (text, locator, tag) = &cases[0];
    let e = set_tag(text, locator, tag).unwrap();
    assert_eq!(
        e.changes[0].line,
        text.lines().count(),
        "line numbers are the original file's"
    );
}
