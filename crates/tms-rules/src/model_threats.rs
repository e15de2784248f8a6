//! Threats the model itself states (`threats:`), as findings of source
//! "model". Each threat becomes a rule of the library that no condition ever
//! matches, so every report, export and gate shows it through the same view
//! as a rule's finding; its findings are made here, one per element or flow
//! it affects (one for the system when it names none).

use crate::condition::compile::{Compiled, Const, Node};
use crate::condition::TargetRef;
use crate::engine::{target_id, Finding};
use crate::library::Library;
use crate::{Rule, RuleMappings, RuleOrigin};
use tms_model::{Item, Likelihood, Mappings, Model, Status, Targets, Threat};
use tms_syntax::dates::{parse_date, Date};
use tms_syntax::diag::{Diagnostic, Diagnostics};

impl Library {
    /// Puts `model`'s threats in the library as rules, replacing those of a
    /// model read before (one process may check several models). A threat
    /// whose id is a rule's id is an error: their findings' ids would clash.
    pub fn set_model_threats(&mut self, model: &Model) -> Diagnostics {
        self.rules.retain(|r| r.threat.is_none());
        let mut diags = Diagnostics::default();
        let mut ids: tms_syntax::fxhash::FxHashMap<&str, usize> = Default::default();
        for (i, r) in self.rules.iter().enumerate() {
            ids.insert(&r.id, i);
        }
        let mut rules = Vec::with_capacity(model.threats.len());
        for (i, t) in model.threats.iter().enumerate() {
            if let Some(&r) = ids.get(t.id.as_str()) {
                diags.push(
                    Diagnostic::error(
                        &model.file,
                        t.pos,
                        format!(
                            "the threat `{}` has the id of the rule `{}` ({}:{}), so their findings' ids would clash",
                            t.id, self.rules[r].id, self.rules[r].origin.file, self.rules[r].origin.pos.line
                        ),
                    )
                    .with_hint("give the threat an id of its own, such as `TM-1`"),
                );
                continue;
            }
            rules.push(rule_of(model, i, t));
        }
        self.rules.extend(rules);
        diags
    }
}

fn rule_of(model: &Model, index: usize, t: &Threat) -> Rule {
    Rule {
        id: t.id.clone(),
        title: t.title.clone(),
        stride: t.stride.clone(),
        // No kind of target: the engine never evaluates it.
        targets: Targets(0),
        condition: String::new(),
        compiled: Compiled {
            root: Node::Const(Const::Bool(false)),
            slots: 0,
        },
        severity: t.effective_severity(),
        likelihood: t.likelihood.unwrap_or(Likelihood::Medium),
        description: t.description.clone(),
        mitigation: t.mitigations.join("\n"),
        references: t.references.clone(),
        mappings: t.mappings.as_ref().map(compact).unwrap_or_default(),
        cvss: t.cvss.clone(),
        origin: RuleOrigin {
            file: model.file.clone(),
            pos: t.pos,
        },
        fixtures: None,
        cause: None,
        applies_to: Vec::new(),
        except: Vec::new(),
        mitigated_by: Vec::new(),
        three_valued: true,
        threat: Some(index),
    }
}

/// The model's mappings in the rules' compact form (lists of ids).
fn compact(m: &Mappings) -> RuleMappings {
    let technique = |t: &tms_model::TechniqueRef| {
        t.sub_technique_id
            .clone()
            .or_else(|| t.technique_id.clone())
    };
    RuleMappings {
        capec: m.capec.iter().map(|x| x.id.clone()).collect(),
        cwe: m.cwe.iter().map(|x| x.id.clone()).collect(),
        attack: m.mitre_attack.iter().filter_map(technique).collect(),
        atlas: m.mitre_atlas.iter().filter_map(technique).collect(),
        owasp: m.owasp.iter().map(|x| x.id.clone()).collect(),
    }
}

/// The findings of the model's threats, with the status the model gives
/// them; a closed threat past its `expires` date counts as open again.
pub(crate) fn findings(model: &Model, lib: &Library, today: Date) -> Vec<Finding> {
    let mut out = Vec::new();
    for (r, rule) in lib.rules.iter().enumerate() {
        let Some(t) = rule.threat.and_then(|i| model.threats.get(i)) else {
            continue;
        };
        let targets: Vec<TargetRef> = if t.affects.is_empty() {
            vec![TargetRef::Model]
        } else {
            t.affects.iter().filter_map(|i| target_of(*i)).collect()
        };
        let expired = t
            .expires
            .as_deref()
            .and_then(parse_date)
            .filter(|d| *d < today && t.status != Status::Open);
        for target in targets {
            let id = match target {
                TargetRef::Model => t.id.clone(),
                _ => format!("{}@{}", t.id, target_id(model, target)),
            };
            out.push(Finding {
                id,
                rule: r,
                also: Vec::new(),
                matches: vec![(r, target)],
                target,
                severity: rule.severity,
                exposure: crate::assess::Exposure::External,
                data: None,
                status: if expired.is_some() {
                    Status::Open
                } else {
                    t.status
                },
                justification: t.justification.clone(),
                triage: None,
                assumption: None,
                expired: expired.map(|d| d.to_string()),
            });
        }
    }
    out
}

fn target_of(item: Item) -> Option<TargetRef> {
    match item {
        Item::Element(e) => Some(TargetRef::Element(e)),
        Item::Flow(f) => Some(TargetRef::Flow(f)),
        Item::Boundary(_) | Item::Data(_) => None,
    }
}
