//! `catchup reference`, and the documentation's generated tables: every block between
//! `<!-- reference:SECTION ... -->` and `<!-- /reference -->` in `docs/` must equal what
//! `catchup reference --section SECTION` prints, so the documented keys, defaults,
//! ranges and columns are the program's. After changing a catalogue, run this test
//! with `CATCHUP_BLESS=1` to rewrite the blocks, and review the diff.

mod common;

use std::fs;
use std::path::Path;

use common::catchup;

const END: &str = "<!-- /reference -->";

/// The documents that carry generated tables.
const DOCS: &[&str] = &["docs/scenario-reference.md", "docs/ODD.md"];

/// The text with each generated block replaced by the program's current output.
fn regenerate(root: &Path, text: &str) -> String {
    let mut out = String::new();
    let mut rest = text;
    while let Some(start) = rest.find("<!-- reference:") {
        let marker_end = start + rest[start..].find("-->").expect("a closed marker") + 3;
        let marker = &rest[start..marker_end];
        let section: String = marker["<!-- reference:".len()..]
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric())
            .collect();
        let end = marker_end + rest[marker_end..].find(END).expect("an end marker");
        let table = catchup(root, ["reference", "--section", &section])
            .ok()
            .stdout;
        out.push_str(&rest[..marker_end]);
        out.push('\n');
        out.push_str(&table);
        rest = &rest[end..];
    }
    out.push_str(rest);
    out
}

#[test]
fn the_documented_tables_are_what_the_program_uses() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let bless = std::env::var_os("CATCHUP_BLESS").is_some();
    let mut sections = 0;
    for doc in DOCS {
        let path = root.join(doc);
        let text = fs::read_to_string(&path).unwrap();
        sections += text.matches("<!-- reference:").count();
        let fresh = regenerate(root, &text);
        if bless {
            fs::write(&path, &fresh).unwrap();
        } else {
            assert!(
                fresh == text,
                "{doc} differs from `catchup reference`: run `CATCHUP_BLESS=1 cargo test --test reference` and review the diff"
            );
        }
    }
    assert_eq!(
        sections, 5,
        "levers, model and columns documented once, structure in the reference and in ODD 7.1"
    );
}

#[test]
fn the_catalogues_print_as_json_and_bad_sections_are_refused() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let out = catchup(root, ["reference", "--json"]).ok().stdout;
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    let tariff = v["levers"]
        .as_array()
        .unwrap()
        .iter()
        .find(|l| l["path"] == "policy.tariff")
        .unwrap();
    assert_eq!(tariff["minimum"], 0.0);
    assert_eq!(tariff["maximum"], 10.0);
    assert_eq!(tariff["per_ownership"], false);
    assert_eq!(tariff["scheduled"], true);
    let wage = v["model"]
        .as_array()
        .unwrap()
        .iter()
        .find(|l| l["path"] == "model.wage")
        .unwrap();
    assert_eq!(wage["minimum_exclusive"], true);
    assert!(
        v["columns"]
            .as_array()
            .unwrap()
            .iter()
            .any(|c| c["name"] == "gap")
    );
    catchup(root, ["reference", "--section", "lever"]).refused(&["--section lever", "levers"]);
}
