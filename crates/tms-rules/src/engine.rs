//! Matching rules against a model, and applying the team's triage to the results.

use rayon::prelude::*;

use super::library::Library;
use crate::condition::eval::Verdict;
use crate::condition::{self, Ctx, TargetRef};
use tms_model::attr_id::IN_SCOPE;
use tms_model::graph::Graph;
use tms_model::*;
use tms_syntax::dates::{parse_date, Date};
use tms_syntax::diag::{Diagnostic, Diagnostics};

/// What the model shows to be wrong on one target, with the team's decision
/// about it: the rules that fired there for one cause (contract section 2,
/// "one finding per cause"), a request and its response being one connection.
#[derive(Debug, Clone, PartialEq)]
pub struct Finding {
    /// `CAUSE@TARGET` where rules of one cause merged, else `RULE@TARGET`:
    /// stable while the rule library and the target ids are.
    pub id: String,
    /// Index into the library's rules: the most severe rule of the finding
    /// (the first by id on a tie), whose texts stand for it.
    pub rule: usize,
    /// The other rules of the same cause that fired on the target or on its
    /// response, in id order.
    pub also: Vec<usize>,
    /// Every single match the finding stands for: (rule, where it fired).
    pub matches: Vec<(usize, TargetRef)>,
    pub target: TargetRef,
    /// Severity from evidence: the rule's, moved by `exposure` and `data`
    /// (`crate::assess`). A triage entry may still restate it.
    pub severity: Severity,
    pub exposure: crate::assess::Exposure,
    /// The most sensitive class of data that reaches the target, if any.
    pub data: Option<Classification>,
    pub status: Status,
    pub justification: Option<String>,
    /// The triage entry that decided the status, if any.
    pub triage: Option<usize>,
    /// The assumption that rules the finding out, if any.
    pub assumption: Option<usize>,
    /// Set when a triage decision expired and the finding counts as open again.
    pub expired: Option<String>,
}

/// What the model does not say and a rule needs: one unset attribute of one
/// element or flow, with every rule whose verdict hinged on it. Setting the
/// attribute answers it (and may raise a finding or close the question).
#[derive(Debug, Clone, PartialEq)]
pub struct Question {
    /// `ATTRIBUTE@ITEM`.
    pub id: String,
    /// The element or flow whose attribute is unset.
    pub item: TargetRef,
    pub attr: AttrId,
    /// Library indices of the rules that would decide on it, in id order.
    pub rules: Vec<usize>,
    /// The targets those rules were evaluated on, by id.
    pub targets: Vec<TargetRef>,
    /// What is at stake: the worst severity the answer could give a finding,
    /// assessed like a finding's (the rules' impact, the exposure of and the
    /// data reaching each target), so questions rank as findings would.
    pub severity: Severity,
}

#[derive(Debug, Clone, Default)]
pub struct Analysis {
    pub findings: Vec<Finding>,
    /// Sorted by id.
    pub questions: Vec<Question>,
    pub warnings: Diagnostics,
}

/// Below this many targets the thread pool costs more than it saves.
const PARALLEL_THRESHOLD: usize = 2_000;

pub fn analyze(model: &Model, lib: &Library) -> Analysis {
    use tms_syntax::timings::phase;
    let order = phase("order", || IdOrder::of(model));
    let (findings, unknowns, exhausted) = phase("match", || match_rules(model, lib, &order));
    let mut findings = phase("merge", || merge_by_cause(model, lib, findings));
    let reach = phase("reach", || crate::assess::Reach::of(model));
    phase("assess", || assess(model, lib, &reach, &mut findings));
    let today = tms_syntax::dates::today();
    let stated = crate::model_threats::findings(model, lib, today);
    if !stated.is_empty() {
        // The team's severity stands; exposure and data are shown, not applied.
        let at = findings.len();
        findings.extend(stated);
        for f in &mut findings[at..] {
            f.exposure = reach.exposure(model, f.target);
            f.data = reach.data_class(model, f.target);
        }
        findings.sort_by(|a, b| a.id.cmp(&b.id));
    }
    let questions = phase("questions", || {
        questions(model, lib, &reach, &order, unknowns)
    });
    let mut warnings = phase("triage", || apply_triage(model, lib, &mut findings, today));
    for (r, t) in exhausted {
        let rule = &lib.rules[r];
        warnings.push(
            Diagnostic::error(
                &rule.origin.file,
                rule.origin.pos,
                format!(
                    "rule `{}` took more than its evaluation budget ({} steps on one target, {} in all) at `{}` and was stopped; its findings are incomplete",
                    rule.id,
                    condition::eval::STEP_BUDGET,
                    condition::eval::RULE_BUDGET,
                    target_id(model, t)
                ),
            )
            .with_hint("nested generators multiply: `any(... for a in x.outgoing)` inside another is one loop per pair; flatten the condition"),
        );
    }
    warnings.sort();
    Analysis {
        findings,
        questions,
        warnings,
    }
}

/// The request a response answers, where its findings belong.
fn connection(model: &Model, t: TargetRef) -> TargetRef {
    match t {
        TargetRef::Flow(f) => model.flows[f].response_to.map_or(t, TargetRef::Flow),
        e => e,
    }
}

/// One finding per cause and connection: matches of rules that name the same
/// cause, on one target or on a request and its response, become one finding.
/// Rules without a cause (pytm's library) keep one finding per match, and a
/// model where nothing merges keeps the engine's id order untouched.
fn merge_by_cause(model: &Model, lib: &Library, findings: Vec<Finding>) -> Vec<Finding> {
    let mut groups: tms_syntax::fxhash::FxHashMap<(&str, TargetRef), usize> = Default::default();
    let mut out: Vec<Finding> = Vec::with_capacity(findings.len());
    let mut merged_any = false;
    for f in findings {
        let Some(cause) = lib.rules[f.rule].cause.as_deref() else {
            out.push(f);
            continue;
        };
        let at = connection(model, f.target);
        match groups.get(&(cause, at)) {
            Some(&i) => {
                let g = &mut out[i];
                g.matches.push((f.rule, f.target));
                merged_any = true;
            }
            None => {
                groups.insert((cause, at), out.len());
                let moved = at != f.target;
                merged_any |= moved;
                out.push(Finding { target: at, ..f });
            }
        }
    }
    if !merged_any {
        return out;
    }
    for f in &mut out {
        let mut rules: Vec<usize> = f.matches.iter().map(|(r, _)| *r).collect();
        rules.sort_unstable_by(|a, b| lib.rules[*a].id.cmp(&lib.rules[*b].id));
        rules.dedup();
        // The most severe rule stands for the finding; the first by id on a tie.
        let primary = rules
            .iter()
            .copied()
            .min_by(|a, b| {
                let (x, y) = (&lib.rules[*a], &lib.rules[*b]);
                y.severity.cmp(&x.severity).then_with(|| x.id.cmp(&y.id))
            })
            .unwrap_or(f.rule);
        f.rule = primary;
        f.also = rules.into_iter().filter(|r| *r != primary).collect();
        let head = match (&lib.rules[primary].cause, f.also.is_empty()) {
            (Some(cause), false) => cause.as_str(),
            _ => lib.rules[primary].id.as_str(),
        };
        f.id = format!("{head}@{}", target_id(model, f.target));
    }
    out.sort_by(|a, b| a.id.cmp(&b.id));
    out
}

/// Severity from evidence for every finding (contract section 2).
fn assess(model: &Model, lib: &Library, reach: &crate::assess::Reach, findings: &mut [Finding]) {
    for f in findings {
        f.exposure = reach.exposure(model, f.target);
        f.data = reach.data_class(model, f.target);
        f.severity = crate::assess::assessed(lib.rules[f.rule].severity, f.exposure, f.data);
    }
}

/// An unknown verdict, ready for grouping into questions: the question it
/// asks as one sortable key (`QuestionKey`), the rule, and the target it was
/// evaluated on by its place in id order. Sixteen bytes, so that the millions
/// a large model gives sort fast.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
struct Unknown {
    key: QuestionKey,
    rule: u32,
    target: u32,
}

/// A question's place in id order (`ATTRIBUTE@ITEM`): the attribute's place
/// among attribute names, then the item's place among ids. Attribute names are
/// letters only, so this is the order of the id strings ("isEncrypted@…"
/// before "isEncryptedAtRest@…", as '@' sorts before letters).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
struct QuestionKey(u64);

impl QuestionKey {
    fn new(order: &IdOrder, item: TargetRef, attr: AttrId) -> QuestionKey {
        let name_rank = u64::from(order.attr_rank[usize::from(attr.0)]);
        QuestionKey(name_rank << 32 | u64::from(order.rank(item)))
    }

    fn item(self, order: &IdOrder) -> TargetRef {
        order.at((self.0 & u64::from(u32::MAX)) as u32)
    }

    fn attr(self, order: &IdOrder) -> AttrId {
        order.attr_by_rank[(self.0 >> 32) as usize]
    }
}

/// One question per unset attribute of one item, listing every rule and
/// target it would decide, so that one answer clears them all. An unknown
/// verdict asks only the first unset attribute it read: conditions name the
/// deciding control first (`not isEncrypted and not usesVPN and ...`), and
/// when the answer leaves the verdict open the next run asks the next one,
/// instead of a bare model asking five things about every flow at once.
///
/// The unknowns are sorted by question key, so each question is one run of
/// them, the runs come in id order, and no map or string is compared.
fn questions(
    model: &Model,
    lib: &Library,
    reach: &crate::assess::Reach,
    order: &IdOrder,
    mut unknowns: Vec<Unknown>,
) -> Vec<Question> {
    use rayon::slice::ParallelSliceMut;
    let question = |run: &[Unknown]| -> Question {
        let (item, attr) = (run[0].key.item(order), run[0].key.attr(order));
        let mut rules: Vec<usize> = run.iter().map(|u| u.rule as usize).collect();
        rules.dedup(); // sorted already, as part of the key order
        let mut ranks: Vec<u32> = run.iter().map(|u| u.target).collect();
        ranks.sort_unstable();
        ranks.dedup();
        let targets: Vec<TargetRef> = ranks.iter().map(|r| order.at(*r)).collect();
        // What is at stake: the worst severity any of its verdicts could give.
        let severity = run
            .iter()
            .map(|u| {
                let target = order.at(u.target);
                crate::assess::assessed(
                    lib.rules[u.rule as usize].severity,
                    reach.exposure(model, target),
                    reach.data_class(model, target),
                )
            })
            .max()
            .unwrap_or(Severity::Info);
        let (name, id) = (attr.def().name, target_id(model, item));
        let mut qid = String::with_capacity(name.len() + 1 + id.len());
        qid.push_str(name);
        qid.push('@');
        qid.push_str(id);
        Question {
            id: qid,
            item,
            attr,
            rules,
            targets,
            severity,
        }
    };
    let runs = |part: &[Unknown]| -> Vec<Question> {
        part.chunk_by(|a, b| a.key == b.key).map(question).collect()
    };
    if unknowns.len() < PARALLEL_THRESHOLD {
        unknowns.sort_unstable();
        return runs(&unknowns);
    }
    unknowns.par_sort_unstable();
    // Parts cut where a question ends, one question never split between two,
    // built on every core and joined in order.
    let mut parts: Vec<&[Unknown]> = Vec::new();
    let mut rest: &[Unknown] = &unknowns;
    let size = unknowns
        .len()
        .div_ceil(4 * rayon::current_num_threads())
        .max(1);
    while !rest.is_empty() {
        let mut cut = size.min(rest.len());
        while cut < rest.len() && rest[cut].key == rest[cut - 1].key {
            cut += 1;
        }
        let (part, tail) = rest.split_at(cut);
        parts.push(part);
        rest = tail;
    }
    let built: Vec<Vec<Question>> = parts.into_par_iter().map(runs).collect();
    built.into_iter().flatten().collect()
}

/// Where to ask about an unset attribute: a flow attribute the flow would take
/// from an endpoint (contract section 1, derived values) is asked of that
/// endpoint, so one answer there settles every flow it sends or receives.
fn asked_where(model: &Model, item: TargetRef, attr: AttrId) -> (TargetRef, AttrId) {
    use tms_model::attr_id::*;
    let TargetRef::Flow(f) = item else {
        return (item, attr);
    };
    let fl = &model.flows[f];
    if fl.response_to.is_some() || fl.attrs.flag(IS_RESPONSE) {
        return (item, attr);
    }
    let endpoint = if attr == IS_ENCRYPTED {
        Some((fl.sink, IS_ENCRYPTED))
    } else if attr == AUTHENTICATES_DESTINATION || attr == CHECKS_DESTINATION_REVOCATION {
        Some((fl.source, attr))
    } else {
        None
    };
    match endpoint {
        Some((e, a)) if a.def().applies.contains_kind(model.elements[e].kind) => {
            (TargetRef::Element(e), a)
        }
        _ => (item, attr),
    }
}

/// Whether a rule's roles (`appliesTo`, `except`) admit the target: an
/// element's own role, a flow's sink's. An element with no role is unknown
/// and admitted: the rule's condition decides.
fn admits(model: &Model, rule: &crate::Rule, target: TargetRef) -> bool {
    if rule.applies_to.is_empty() && rule.except.is_empty() {
        return true;
    }
    let e = match target {
        TargetRef::Element(e) => e,
        TargetRef::Flow(f) => model.flows[f].sink,
        TargetRef::Model => return true,
    };
    let Some(role) = model.elements[e].role.as_deref() else {
        return true;
    };
    let roles = &tms_model::roles::ROLES;
    (rule.applies_to.is_empty() || roles.matches(role, &rule.applies_to))
        && !roles.matches(role, &rule.except)
}

fn new_finding(model: &Model, lib: &Library, rule: usize, target: TargetRef) -> Finding {
    let (r, t) = (lib.rules[rule].id.as_str(), target_id(model, target));
    let mut id = String::with_capacity(r.len() + 1 + t.len());
    id.push_str(r);
    id.push('@');
    id.push_str(t);
    Finding {
        id,
        rule,
        also: Vec::new(),
        matches: vec![(rule, target)],
        target,
        severity: lib.rules[rule].severity,
        exposure: crate::assess::Exposure::External,
        data: None,
        status: Status::Open,
        justification: None,
        triage: None,
        assumption: None,
        expired: None,
    }
}

/// Rule indices in the order of their ids followed by `@`: `@` appears in no
/// id, so ordering findings by rule in this order and then by target id is
/// ordering them by their `RULE@TARGET` id.
fn rules_in_id_order(lib: &Library) -> Vec<usize> {
    let mut rules: Vec<usize> = (0..lib.rules.len()).collect();
    rules.sort_by(|a, b| {
        let (x, y) = (&lib.rules[*a].id, &lib.rules[*b].id);
        x.bytes().chain([b'@']).cmp(y.bytes().chain([b'@']))
    });
    rules
}

pub fn target_id(model: &Model, t: TargetRef) -> &str {
    match t {
        TargetRef::Element(e) => &model.elements[e].id,
        TargetRef::Flow(f) => &model.flows[f].id,
        // The system as a whole has no id; its findings are named by the threat alone.
        TargetRef::Model => "",
    }
}

/// Every element and flow in id order, and each one's place in it: sorting
/// by place compares integers where sorting by id would compare strings (a
/// large model has a million questions whose ids share long prefixes).
struct IdOrder {
    sorted: Vec<TargetRef>,
    element_rank: Vec<u32>,
    flow_rank: Vec<u32>,
    /// Each attribute's place among attribute names, and the reverse.
    attr_rank: Vec<u32>,
    attr_by_rank: Vec<AttrId>,
}

impl IdOrder {
    fn of(model: &Model) -> IdOrder {
        let mut sorted: Vec<TargetRef> = (0..model.elements.len())
            .map(TargetRef::Element)
            .chain((0..model.flows.len()).map(TargetRef::Flow))
            .collect();
        sorted.sort_unstable_by(|a, b| target_id(model, *a).cmp(target_id(model, *b)));
        let mut element_rank = vec![0; model.elements.len()];
        let mut flow_rank = vec![0; model.flows.len()];
        for (rank, t) in sorted.iter().enumerate() {
            let rank = u32::try_from(rank).unwrap_or(u32::MAX);
            match t {
                TargetRef::Element(e) => element_rank[*e] = rank,
                TargetRef::Flow(f) => flow_rank[*f] = rank,
                TargetRef::Model => {}
            }
        }
        let mut attr_by_rank: Vec<AttrId> = (0..ATTRS.len())
            .map(|i| AttrId(u16::try_from(i).unwrap_or(u16::MAX)))
            .collect();
        attr_by_rank.sort_by_key(|a| a.def().name);
        let mut attr_rank = vec![0; ATTRS.len()];
        for (rank, a) in attr_by_rank.iter().enumerate() {
            attr_rank[usize::from(a.0)] = u32::try_from(rank).unwrap_or(u32::MAX);
        }
        IdOrder {
            sorted,
            element_rank,
            flow_rank,
            attr_rank,
            attr_by_rank,
        }
    }

    /// The target at a place in id order.
    fn at(&self, rank: u32) -> TargetRef {
        self.sorted[rank as usize]
    }

    fn rank(&self, t: TargetRef) -> u32 {
        match t {
            TargetRef::Element(e) => self.element_rank[e],
            TargetRef::Flow(f) => self.flow_rank[f],
            // Before every element and flow, as "" sorts before every id.
            TargetRef::Model => 0,
        }
    }

    /// Targets in scope (out-of-scope ones are skipped, as in pytm), by id.
    fn in_scope(&self, model: &Model) -> Vec<TargetRef> {
        self.sorted
            .iter()
            .copied()
            .filter(|t| match t {
                TargetRef::Element(e) => model.elements[*e].attrs.flag(IN_SCOPE),
                TargetRef::Flow(f) => model.flows[*f].attrs.flag(IN_SCOPE),
                TargetRef::Model => false,
            })
            .collect()
    }
}

/// Every finding, sorted by id. Targets are visited in id order and each
/// match lands in its rule's bucket, so reading the buckets rule by rule
/// gives the id order without comparing a single finding id.
/// One chunk's matches per rule, unknown verdicts and exhausted rules.
type ChunkResult = (Vec<Vec<TargetRef>>, Vec<Unknown>, Vec<(usize, TargetRef)>);

/// Findings, unknown verdicts, and the rules that ran out of evaluation steps
/// (with the first target they did so on).
type Matched = (Vec<Finding>, Vec<Unknown>, Vec<(usize, TargetRef)>);

fn match_rules(model: &Model, lib: &Library, order: &IdOrder) -> Matched {
    let graph = Graph::build(model);
    let ctx2 = Ctx {
        model,
        graph: &graph,
        three_valued: false,
    };
    let ctx3 = Ctx {
        three_valued: true,
        ..ctx2
    };
    // Rules applicable to each kind, resolved once: index 0..9 element kinds, 9 flows.
    let by_kind: Vec<Vec<usize>> = (0..10)
        .map(|bit| {
            let t = Targets(1 << bit);
            (0..lib.rules.len())
                .filter(|i| lib.rules[*i].targets.intersects(t))
                .collect()
        })
        .collect();
    let targets = order.in_scope(model);
    let eval_chunk = |chunk: &[TargetRef]| -> ChunkResult {
        let mut st = condition::eval::State::default();
        let mut buckets = vec![Vec::new(); lib.rules.len()];
        let mut unknown = Vec::new();
        let mut exhausted: Vec<(usize, TargetRef)> = Vec::new();
        let mut spent = vec![0u64; lib.rules.len()];
        for t in chunk {
            let kind = match t {
                TargetRef::Element(e) => model.elements[*e].kind as usize,
                TargetRef::Flow(_) => 9,
                TargetRef::Model => continue,
            };
            for r in &by_kind[kind] {
                let rule = &lib.rules[*r];
                if !admits(model, rule, *t) {
                    continue;
                }
                // A rule that ran out of steps once is not tried again: it
                // would cost its whole budget on every target.
                if exhausted.iter().any(|(x, _)| x == r) {
                    continue;
                }
                let ctx = if rule.three_valued { ctx3 } else { ctx2 };
                let verdict = condition::eval::verdict_with(&rule.compiled, ctx, *t, &mut st);
                spent[*r] += st.steps_used();
                match verdict {
                    _ if st.exhausted || spent[*r] > condition::eval::RULE_BUDGET => {
                        exhausted.push((*r, *t))
                    }
                    Verdict::True => buckets[*r].push(*t),
                    Verdict::False => {}
                    Verdict::Unknown(item, attr) => {
                        let (item, attr) = asked_where(model, item, attr);
                        unknown.push(Unknown {
                            key: QuestionKey::new(order, item, attr),
                            rule: u32::try_from(*r).unwrap_or(u32::MAX),
                            target: order.rank(*t),
                        });
                    }
                }
            }
        }
        (buckets, unknown, exhausted)
    };
    let results: Vec<ChunkResult> = if targets.len() < PARALLEL_THRESHOLD {
        vec![eval_chunk(&targets)]
    } else {
        targets.par_chunks(4096).map(eval_chunk).collect()
    };
    let mut unknowns = Vec::new();
    let mut chunks = Vec::with_capacity(results.len());
    let mut exhausted: Vec<(usize, TargetRef)> = Vec::new();
    for (b, u, x) in results {
        chunks.push(b);
        unknowns.extend(u);
        for (r, t) in x {
            if !exhausted.iter().any(|(y, _)| *y == r) {
                exhausted.push((r, t));
            }
        }
    }
    let total = chunks.iter().flatten().map(Vec::len).sum();
    let mut findings = Vec::with_capacity(total);
    for rule in rules_in_id_order(lib) {
        for chunk in &chunks {
            findings.extend(
                chunk[rule]
                    .iter()
                    .map(|t| new_finding(model, lib, rule, *t)),
            );
        }
    }
    (findings, unknowns, exhausted)
}

/// `*` matches any run of characters; everything else matches itself.
pub fn glob(pattern: &str, text: &str) -> bool {
    let Some((head, rest)) = pattern.split_once('*') else {
        return pattern == text;
    };
    let Some(mut remaining) = text.strip_prefix(head) else {
        return false;
    };
    let parts: Vec<&str> = rest.split('*').collect();
    for (i, part) in parts.iter().enumerate() {
        if i == parts.len() - 1 {
            return remaining.ends_with(part) && remaining.len() >= part.len();
        }
        match remaining.find(part) {
            Some(at) => remaining = &remaining[at + part.len()..],
            None => return false,
        }
    }
    true
}

/// Whether a triage entry matches every finding (`*@*`, `**@*`).
pub fn is_blanket(t: &TriageEntry) -> bool {
    t.rule.chars().all(|c| c == '*') && t.target.chars().all(|c| c == '*')
}

/// Whether a triage entry has a wildcard in it.
pub fn is_wildcard(t: &TriageEntry) -> bool {
    specificity(t) < 2
}

/// How specific a triage entry is: an exact id beats a wildcard.
fn specificity(t: &TriageEntry) -> u8 {
    u8::from(!t.rule.contains('*')) + u8::from(!t.target.contains('*'))
}

/// The triage entries ready for lookup: exact ids in a map, so a large model
/// with a long triage list is not one glob per finding and entry.
struct TriageIndex<'m> {
    exact: tms_syntax::fxhash::FxHashMap<(&'m str, &'m str), usize>,
    wildcards: Vec<usize>,
}

impl<'m> TriageIndex<'m> {
    fn new(triage: &'m [TriageEntry]) -> Self {
        let mut exact = tms_syntax::fxhash::FxHashMap::default();
        let mut wildcards = Vec::new();
        for (i, t) in triage.iter().enumerate() {
            if specificity(t) == 2 {
                // The first written wins a tie.
                exact
                    .entry((t.rule.as_str(), t.target.as_str()))
                    .or_insert(i);
            } else {
                wildcards.push(i);
            }
        }
        TriageIndex { exact, wildcards }
    }

    /// The entry deciding a finding: the most specific that matches, the first
    /// written among equals. An exact id is the most specific there is.
    fn decide(&self, triage: &[TriageEntry], rule: &str, target: &str) -> Option<usize> {
        if let Some(i) = self.exact.get(&(rule, target)) {
            return Some(*i);
        }
        self.wildcards
            .iter()
            .copied()
            .filter(|i| glob(&triage[*i].rule, rule) && glob(&triage[*i].target, target))
            .min_by_key(|i| (std::cmp::Reverse(specificity(&triage[*i])), *i))
    }
}

fn apply_triage(
    model: &Model,
    lib: &Library,
    findings: &mut [Finding],
    today: Date,
) -> Diagnostics {
    let mut used = vec![false; model.triage.len()];
    let index = TriageIndex::new(&model.triage);
    // The first assumption that excludes each rule, found once per rule.
    let ruled_out: Vec<Option<usize>> = lib
        .rules
        .iter()
        .map(|r| {
            model
                .assumptions
                .iter()
                .position(|a| a.excludes.iter().any(|x| glob(x, &r.id)))
        })
        .collect();
    let mut renamed = Vec::new();
    for f in findings.iter_mut() {
        let target = target_id(model, f.target);
        let (head, _) = f.id.rsplit_once('@').unwrap_or((f.id.as_str(), ""));
        // The finding's own id first; then, for a merged finding, what its
        // single matches were called before (`RULE@TARGET`), so older
        // decisions keep applying, with a warning that names the new id.
        let own = index.decide(&model.triage, head, target);
        let decided = own.or_else(|| {
            f.matches.iter().find_map(|(r, at)| {
                let old = (lib.rules[*r].id.as_str(), target_id(model, *at));
                // A finding that stands alone is its one match: asked already.
                if old == (head, target) {
                    return None;
                }
                let i = index.decide(&model.triage, old.0, old.1)?;
                let t = &model.triage[i];
                if t.rule == old.0 && t.target == old.1 {
                    renamed.push((i, f.id.clone()));
                }
                Some(i)
            })
        });
        if let Some(i) = decided {
            let t = &model.triage[i];
            used[i] = true;
            f.triage = Some(i);
            let expired = t
                .expires
                .as_deref()
                .and_then(parse_date)
                .filter(|d| *d < today);
            if let Some(d) = expired {
                f.expired = Some(d.to_string());
            } else {
                f.status = t.status;
                f.justification = t.justification.clone();
            }
            continue;
        }
        if let Some(a) = ruled_out[f.rule] {
            // Every rule of the finding must be ruled out for it to go.
            if f.also.iter().any(|r| ruled_out[*r].is_none()) {
                continue;
            }
            f.assumption = Some(a);
            f.status = Status::NotApplicable;
            f.justification = Some(format!("assumption: {}", model.assumptions[a].name));
        }
    }
    let mut warnings = Diagnostics::default();
    renamed.sort_unstable();
    renamed.dedup();
    for (i, new_id) in renamed {
        let t = &model.triage[i];
        warnings.push(
            Diagnostic::warning(
                &model.file,
                t.pos,
                format!("the triage entry `{}` now addresses the finding `{new_id}`", t.finding),
            )
            .with_hint(format!(
                "rules of one cause on one connection are one finding: write `finding: \"{new_id}\"`"
            )),
        );
    }
    // Excludes are checked as triage entries are: one that names no loaded
    // rule excludes nothing, which is worth a word.
    for a in &model.assumptions {
        for x in &a.excludes {
            if lib.rules.iter().any(|r| glob(x, &r.id)) {
                continue;
            }
            let hint = tms_syntax::diag::did_you_mean(x, lib.rules.iter().map(|r| r.id.as_str()))
                .map_or_else(
                    || {
                        "name rule ids (`tms rules list`); `*` stands for any run of characters"
                            .to_string()
                    },
                    |c| format!("did you mean `{c}`?"),
                );
            warnings.push(
                Diagnostic::warning(
                    &model.file,
                    a.pos,
                    format!(
                        "the assumption `{}` excludes `{x}`, which matches no loaded rule",
                        a.name
                    ),
                )
                .with_hint(hint),
            );
        }
    }
    for t in &model.triage {
        if is_blanket(t) {
            warnings.push(
                Diagnostic::warning(
                    &model.file,
                    t.pos,
                    format!("the triage entry `{}` decides every finding", t.finding),
                )
                .with_hint("a blanket decision hides every new finding too: name the rules or targets it is about"),
            );
        }
    }
    for (t, used) in model.triage.iter().zip(used) {
        if used {
            continue;
        }
        let mut d = Diagnostic::warning(
            &model.file,
            t.pos,
            format!("the triage entry `{}` matches no finding", t.finding),
        );
        if !t.rule.contains('*') && lib.get(&t.rule).is_none() {
            let hint =
                tms_syntax::diag::did_you_mean(&t.rule, lib.rules.iter().map(|r| r.id.as_str()))
                    .map_or_else(
                        || format!("no rule `{}` is loaded", t.rule),
                        |c| format!("no rule `{}` is loaded; did you mean `{c}`?", t.rule),
                    );
            d = d.with_hint(hint);
        } else {
            d = d.with_hint("the threat it recorded no longer applies: remove the entry, or check the model still says what you meant");
        }
        warnings.push(d);
    }
    warnings
}

#[cfg(test)]
mod tests {
    use super::{glob, TriageIndex};
    use tms_model::{Status, TriageEntry};
    use tms_syntax::source::Pos;

    fn entry(finding: &str) -> TriageEntry {
        let (rule, target) = finding.split_once('@').unwrap_or((finding, "*"));
        TriageEntry::decision(rule, target, Status::Accepted, None, Pos::default())
    }

    #[test]
    fn the_most_specific_triage_entry_decides_then_the_first_written() {
        let triage: Vec<TriageEntry> = [
            "*@web",
            "FLOW-001@*",
            "FLOW-001@web",
            "FLOW-001@web",
            "*@*",
            "FLOW-*@db",
        ]
        .iter()
        .map(|f| entry(f))
        .collect();
        let index = TriageIndex::new(&triage);
        let decide = |r: &str, t: &str| index.decide(&triage, r, t);
        assert_eq!(decide("FLOW-001", "web"), Some(2), "exact beats wildcards");
        assert_eq!(decide("FLOW-002", "web"), Some(0));
        assert_eq!(
            decide("FLOW-001", "db"),
            Some(1),
            "equal specificity: first written"
        );
        assert_eq!(
            decide("FLOW-002", "db"),
            Some(5),
            "one exact half beats `*@*`"
        );
        assert_eq!(decide("WEB-001", "api"), Some(4));
        assert_eq!(
            TriageIndex::new(&triage[..4]).decide(&triage, "X", "y"),
            None
        );
    }

    #[test]
    fn globs() {
        assert!(glob("*", "anything"));
        assert!(glob("FLOW-*", "FLOW-001"));
        assert!(glob("*-001", "FLOW-001"));
        assert!(glob("F*W*1", "FLOW-001"));
        assert!(!glob("FLOW-*", "WEB-001"));
        assert!(!glob("web", "web2"));
        assert!(!glob("a*a", "a"));
    }
}
