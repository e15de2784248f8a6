//! The planted-flaw corpus (`tests/quality`, see its README): every pair is one
//! system in a vulnerable and a fixed variant that differ only by the flaw. A
//! library detects a pair on a variant when one of the pair's expected rules
//! (or a rule of one of its expected causes) has an open finding on the target,
//! or on a response to it. We score our built-in library and, for comparison
//! only, pytm's: TPR, FPR, Youden's J, and the open findings and questions per
//! target left on the fixed variants (the noise on a system that has its
//! controls).

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use tms_model::{Model, Status};
use tms_rules::condition::TargetRef;
use tms_rules::engine::{analyze, target_id, Analysis, Finding};
use tms_rules::library::Library;
use tms_syntax::source::Node;

/// Youden's index our library must reach on the corpus.
const MIN_J: f64 = 0.9;
/// Open findings per target (element or flow) our library may leave on the fixed variants.
const MAX_OPEN_PER_TARGET: f64 = 0.5;

const VARIANTS: [&str; 2] = ["vulnerable", "fixed"];

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).to_path_buf()
}

fn show(d: &tms_syntax::diag::Diagnostics) -> String {
    d.0.iter()
        .map(|x| x.to_string())
        .collect::<Vec<_>>()
        .join("\n")
}

/// One entry of `pairs.yaml`.
struct Pair {
    id: String,
    target: String,
    rules: Vec<String>,
    causes: Vec<String>,
    pytm: Vec<String>,
}

fn strings(n: Option<&Node>) -> Vec<String> {
    n.and_then(Node::as_seq)
        .unwrap_or(&[])
        .iter()
        .filter_map(|x| x.as_str().map(str::to_owned))
        .collect()
}

fn manifest() -> Vec<Pair> {
    let path = root().join("tests/quality/pairs.yaml");
    let src = tms_syntax::source::read(&path).unwrap_or_else(|d| panic!("{d}"));
    let doc = src.parse().unwrap_or_else(|d| panic!("{d}"));
    let pairs = doc
        .get("pairs")
        .and_then(Node::as_seq)
        .expect("pairs.yaml has a `pairs` list");
    pairs
        .iter()
        .map(|p| {
            let id = p.str_at("id").expect("a pair has an id").to_owned();
            let expect = p.get("expect");
            Pair {
                target: p
                    .str_at("target")
                    .unwrap_or_else(|| panic!("{id}: no target"))
                    .to_owned(),
                rules: strings(expect.and_then(|e| e.get("rules"))),
                causes: strings(expect.and_then(|e| e.get("causes"))),
                pytm: strings(expect.and_then(|e| e.get("pytm"))),
                id,
            }
        })
        .collect()
}

/// A pair's variant, which must hold the pair's target.
fn load_with_target(dir: &str, pair: &str, variant: &str, target: &str) -> Model {
    let model = load_from(dir, pair, variant);
    assert!(
        model.ids.contains_key(target),
        "{pair}: target `{target}` is not in {variant}.yaml"
    );
    model
}

fn load_from(dir: &str, pair: &str, variant: &str) -> Model {
    let path = root().join(format!("{dir}/{pair}/{variant}.yaml"));
    match tms_formats::load::load_path(&path) {
        Ok(l) => l.model,
        Err(d) => panic!("{}: does not load:\n{}", path.display(), show(&d)),
    }
}

/// The library indices a finding stands for: its rule, and the rules merged
/// into it because they share its cause on the same target.
fn rules_of(f: &Finding) -> Vec<usize> {
    tms_rules::view::finding_rules(f).collect()
}

/// Whether `t` is the pair's target, or a response flow to it.
fn on_target(model: &Model, t: TargetRef, target: &str) -> bool {
    target_id(model, t) == target
        || matches!(t, TargetRef::Flow(f)
            if model.flows[f].response_to.is_some_and(|r| model.flows[r].id == target))
}

/// What one library did on one variant of one pair.
#[derive(Default)]
struct Outcome {
    /// Expected rules with an open finding on the target.
    hits: BTreeSet<String>,
    /// Every open finding, by id.
    open: Vec<String>,
    questions: usize,
    /// Elements and flows of the model.
    size: usize,
    /// Questions on the target that an expected rule hinged on (why a miss is a miss).
    unknowns: Vec<String>,
    /// The attribute each question asks for.
    asked: Vec<&'static str>,
}

/// Whether rule `r` of `lib` is one the pair expects, by id or cause.
fn by_rule_or_cause<'a>(
    lib: &'a Library,
    expect: &'a [String],
    causes: &'a [String],
) -> impl Fn(usize) -> bool + 'a {
    move |r| {
        let rule = &lib.rules[r];
        expect.contains(&rule.id) || rule.cause.as_ref().is_some_and(|c| causes.contains(c))
    }
}

fn outcome(
    model: &Model,
    lib: &Library,
    a: &Analysis,
    target: &str,
    expected: &dyn Fn(usize) -> bool,
) -> Outcome {
    let mut o = Outcome {
        questions: a.questions.len(),
        size: model.elements.len() + model.flows.len(),
        ..Outcome::default()
    };
    for f in a.findings.iter().filter(|f| f.status == Status::Open) {
        o.open.push(f.id.clone());
        if on_target(model, f.target, target) {
            for r in rules_of(f).into_iter().filter(|r| expected(*r)) {
                o.hits.insert(lib.rules[r].id.clone());
            }
        }
    }
    for q in &a.questions {
        o.asked.push(q.attr.def().name);
        if q.targets.iter().any(|t| on_target(model, *t, target))
            && q.rules.iter().any(|r| expected(*r))
        {
            let rules: Vec<&str> = q
                .rules
                .iter()
                .filter(|r| expected(**r))
                .map(|r| lib.rules[*r].id.as_str())
                .collect();
            o.unknowns.push(format!("{} ({})", q.id, rules.join(",")));
        }
    }
    o
}

/// A library's figures over the whole corpus.
#[derive(Default)]
struct Score {
    pairs: usize,
    detected_vulnerable: usize,
    detected_fixed: usize,
    open_fixed: usize,
    questions_fixed: usize,
    size_fixed: usize,
}

impl Score {
    fn add(&mut self, vulnerable: &Outcome, fixed: &Outcome) {
        self.pairs += 1;
        self.detected_vulnerable += usize::from(!vulnerable.hits.is_empty());
        self.detected_fixed += usize::from(!fixed.hits.is_empty());
        self.open_fixed += fixed.open.len();
        self.questions_fixed += fixed.questions;
        self.size_fixed += fixed.size;
    }
    fn tpr(&self) -> f64 {
        self.detected_vulnerable as f64 / self.pairs as f64
    }
    fn fpr(&self) -> f64 {
        self.detected_fixed as f64 / self.pairs as f64
    }
    fn j(&self) -> f64 {
        self.tpr() - self.fpr()
    }
    fn open_per_target(&self) -> f64 {
        self.open_fixed as f64 / self.size_fixed as f64
    }
    fn questions_per_target(&self) -> f64 {
        self.questions_fixed as f64 / self.size_fixed as f64
    }
    fn line(&self, name: &str) -> String {
        format!(
            "{name:5} TPR {}/{} = {:.3}   FPR {}/{} = {:.3}   J = {:.3}   open findings per target on fixed: {}/{} = {:.3}   questions per target on fixed: {}/{} = {:.3}",
            self.detected_vulnerable,
            self.pairs,
            self.tpr(),
            self.detected_fixed,
            self.pairs,
            self.fpr(),
            self.j(),
            self.open_fixed,
            self.size_fixed,
            self.open_per_target(),
            self.questions_fixed,
            self.size_fixed,
            self.questions_per_target(),
        )
    }
}

fn cell(o: &Outcome) -> String {
    let mut it = o.hits.iter();
    match it.next() {
        None => "no".into(),
        Some(first) if o.hits.len() == 1 => first.clone(),
        Some(first) => format!("{first}+{}", o.hits.len() - 1),
    }
}

fn libraries() -> (Library, Library) {
    let ours = Library::builtin().unwrap_or_else(|d| panic!("{}", show(&d)));
    let mut pytm = Library::default();
    pytm.add_path(&root().join("tests/third-party/fixtures/pytm/threats.json"))
        .unwrap_or_else(|d| panic!("pytm's threats.json: {}", show(&d)));
    assert!(!pytm.rules.is_empty(), "pytm's library is empty");
    (ours, pytm)
}

#[test]
fn quality_corpus_scores() {
    let (ours, pytm) = libraries();

    let pairs = manifest();
    assert!(!pairs.is_empty(), "the manifest lists no pairs");
    let (mut s_ours, mut s_pytm) = (Score::default(), Score::default());
    let mut table = vec![format!(
        "{:36} {:12} {:10} {:>6}  {:10} {:10} {:>6}",
        "pair", "tms vuln", "tms fixed", "open/t", "pytm vuln", "pytm fixed", "open/t"
    )];
    let mut misses = Vec::new();
    let mut false_positives = Vec::new();
    let mut noise = Vec::new();
    let mut asked: BTreeMap<&str, usize> = BTreeMap::new();
    for p in &pairs {
        let mut o_ours = Vec::new();
        let mut o_pytm = Vec::new();
        for v in VARIANTS {
            let model = load_with_target("tests/quality/pairs", &p.id, v, &p.target);
            let a = analyze(&model, &ours);
            let expected = by_rule_or_cause(&ours, &p.rules, &p.causes);
            o_ours.push(outcome(&model, &ours, &a, &p.target, &expected));
            let a = analyze(&model, &pytm);
            let expected = by_rule_or_cause(&pytm, &p.pytm, &[]);
            o_pytm.push(outcome(&model, &pytm, &a, &p.target, &expected));
        }
        s_ours.add(&o_ours[0], &o_ours[1]);
        s_pytm.add(&o_pytm[0], &o_pytm[1]);
        let per = |o: &Outcome| format!("{:.2}", o.open.len() as f64 / o.size as f64);
        table.push(format!(
            "{:36} {:12} {:10} {:>6}  {:10} {:10} {:>6}",
            p.id,
            cell(&o_ours[0]),
            cell(&o_ours[1]),
            per(&o_ours[1]),
            cell(&o_pytm[0]),
            cell(&o_pytm[1]),
            per(&o_pytm[1]),
        ));
        if o_ours[0].hits.is_empty() {
            misses.push(format!(
                "  {}: none of {:?} (causes {:?}) on `{}`; unknown on the target: {}",
                p.id,
                p.rules,
                p.causes,
                p.target,
                if o_ours[0].unknowns.is_empty() {
                    "nothing".to_owned()
                } else {
                    o_ours[0].unknowns.join(", ")
                }
            ));
        }
        if !o_ours[1].hits.is_empty() {
            false_positives.push(format!(
                "  {}: {} on `{}` in fixed.yaml",
                p.id,
                o_ours[1]
                    .hits
                    .iter()
                    .cloned()
                    .collect::<Vec<_>>()
                    .join(", "),
                p.target
            ));
        }
        for a in &o_ours[1].asked {
            *asked.entry(a).or_default() += 1;
        }
        if !o_ours[1].open.is_empty() {
            noise.push(format!("  {}: {}", p.id, o_ours[1].open.join(", ")));
        }
    }

    eprintln!("{}", table.join("\n"));
    eprintln!();
    eprintln!("{}", s_ours.line("tms"));
    eprintln!("{}", s_pytm.line("pytm"));
    if !misses.is_empty() {
        eprintln!("\ntms misses (vulnerable variant):\n{}", misses.join("\n"));
    }
    if !false_positives.is_empty() {
        eprintln!(
            "\ntms fires on the fixed variant:\n{}",
            false_positives.join("\n")
        );
    }
    if !noise.is_empty() {
        eprintln!(
            "\ntms open findings on the fixed variants:\n{}",
            noise.join("\n")
        );
    }

    let mut asked: Vec<(&str, usize)> = asked.into_iter().collect();
    asked.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(b.0)));
    eprintln!(
        "\ntms questions on the fixed variants, by attribute (top 20):\n  {}",
        asked
            .iter()
            .take(20)
            .map(|(a, n)| format!("{a} {n}"))
            .collect::<Vec<_>>()
            .join(", ")
    );

    // pytm's figures are for comparison: it only has to have run on every pair.
    assert_eq!(s_pytm.pairs, pairs.len());
    assert!(
        s_ours.j() >= MIN_J,
        "J = {:.3} < {MIN_J} (TPR {:.3}, FPR {:.3})\nmisses:\n{}\nfires on fixed:\n{}",
        s_ours.j(),
        s_ours.tpr(),
        s_ours.fpr(),
        misses.join("\n"),
        false_positives.join("\n")
    );
    assert!(
        s_ours.open_per_target() <= MAX_OPEN_PER_TARGET,
        "{:.3} open findings per target on the fixed variants (at most {MAX_OPEN_PER_TARGET})\n{}",
        s_ours.open_per_target(),
        noise.join("\n")
    );
}

/// Youden's index our library must reach on the blind corpus, which was
/// written without the rules in view (tests/quality/blind/README.md).
const MIN_J_BLIND: f64 = 0.75;

/// One entry of `blind/pairs.yaml`: the target and the STRIDE letters a
/// reviewer files the flaw under, with no rule named.
struct BlindPair {
    id: String,
    target: String,
    stride: Vec<String>,
}

fn blind_manifest() -> Vec<BlindPair> {
    let path = root().join("tests/quality/blind/pairs.yaml");
    let src = tms_syntax::source::read(&path).unwrap_or_else(|d| panic!("{d}"));
    let doc = src.parse().unwrap_or_else(|d| panic!("{d}"));
    doc.get("pairs")
        .and_then(Node::as_seq)
        .expect("blind/pairs.yaml has a `pairs` list")
        .iter()
        .map(|p| {
            let id = p.str_at("id").expect("a pair has an id").to_owned();
            let stride = strings(p.get("stride"));
            assert!(!stride.is_empty(), "{id}: no STRIDE letters");
            BlindPair {
                target: p
                    .str_at("target")
                    .unwrap_or_else(|| panic!("{id}: no target"))
                    .to_owned(),
                stride,
                id,
            }
        })
        .collect()
}

/// A rule counts for a blind pair when it files under one of the pair's letters.
fn by_stride<'a>(lib: &'a Library, letters: &'a [String]) -> impl Fn(usize) -> bool + 'a {
    move |r| {
        lib.rules[r]
            .stride
            .iter()
            .any(|s| letters.iter().any(|l| l == s.as_str()))
    }
}

#[test]
fn blind_corpus_scores() {
    let (ours, pytm) = libraries();
    let pairs = blind_manifest();
    assert!(
        pairs.len() >= 30,
        "the blind corpus has {} pairs",
        pairs.len()
    );
    let (mut s_ours, mut s_pytm) = (Score::default(), Score::default());
    let mut lines = Vec::new();
    for p in &pairs {
        let mut o_ours = Vec::new();
        let mut o_pytm = Vec::new();
        for v in VARIANTS {
            let model = load_with_target("tests/quality/blind", &p.id, v, &p.target);
            let a = analyze(&model, &ours);
            o_ours.push(outcome(
                &model,
                &ours,
                &a,
                &p.target,
                &by_stride(&ours, &p.stride),
            ));
            let a = analyze(&model, &pytm);
            o_pytm.push(outcome(
                &model,
                &pytm,
                &a,
                &p.target,
                &by_stride(&pytm, &p.stride),
            ));
        }
        s_ours.add(&o_ours[0], &o_ours[1]);
        s_pytm.add(&o_pytm[0], &o_pytm[1]);
        lines.push(format!(
            "{:40} {:6} {:12} {:12} asked on target: {}  open on fixed: {}",
            p.id,
            p.stride.join(""),
            cell(&o_ours[0]),
            cell(&o_ours[1]),
            if o_ours[0].unknowns.is_empty() {
                "-".to_owned()
            } else {
                o_ours[0].unknowns.join(", ")
            },
            o_ours[1].open.join(", "),
        ));
    }
    eprintln!("{}", lines.join("\n"));
    eprintln!();
    eprintln!("{}", s_ours.line("tms"));
    eprintln!("{}", s_pytm.line("pytm"));
    assert_eq!(s_pytm.pairs, pairs.len());
    assert!(
        s_ours.j() >= MIN_J_BLIND,
        "blind corpus: J = {:.3} < {MIN_J_BLIND}\n{}",
        s_ours.j(),
        lines.join("\n")
    );
    assert!(
        s_ours.open_per_target() <= MAX_OPEN_PER_TARGET,
        "blind corpus: {:.3} open findings per target on the fixed variants",
        s_ours.open_per_target()
    );
}
