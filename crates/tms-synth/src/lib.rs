//! Synthetic models for benchmarks and differential tests: N elements in N/10
//! nested boundaries, 2N flows, random attributes, all from a seed.

use std::fmt::Write;

use tms_model::attrs::{self, AttrType};
use tms_model::{Classification, ElementKind, Lifetime, Targets};

/// splitmix64: tiny, deterministic, good enough for test data.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
    fn chance(&mut self, percent: u64) -> bool {
        self.next() % 100 < percent
    }
}

#[derive(Debug, Clone, Copy)]
pub struct Params {
    pub elements: usize,
    pub seed: u64,
}

/// A model in our JSON format.
pub fn generate(p: Params) -> String {
    let mut rng = Rng(p.seed);
    let n = p.elements.max(2);
    let nb = (n / 10).max(1);
    let nd = (n / 20).clamp(3, 500);
    let mut s = String::with_capacity(n * 400);
    let _ = write!(
        s,
        "{{\"title\": \"Synthetic model {n} seed {}\",\n\"boundaries\": [",
        p.seed
    );
    for b in 0..nb {
        let sep = if b == 0 { "" } else { "," };
        // Every fourth boundary nests inside an earlier one.
        let parent = if b > 0 && b % 4 == 0 {
            format!(", \"parent\": \"b{}\"", rng.below(b))
        } else {
            String::new()
        };
        let _ = write!(
            s,
            "{sep}\n {{\"id\": \"b{b}\", \"name\": \"Boundary {b}\"{parent}}}"
        );
    }
    s.push_str("],\n\"data\": [");
    let classes = Classification::ALL;
    let lives = Lifetime::ALL;
    for d in 0..nd {
        let sep = if d == 0 { "" } else { "," };
        let c = classes[rng.below(classes.len())];
        let _ = write!(s, "{sep}\n {{\"id\": \"d{d}\", \"classification\": \"{c}\", \"isPII\": {}, \"isStored\": {}, \"format\": \"{}\"",
            rng.chance(30), rng.chance(40), ["JSON", "XML", "CSV", ""][rng.below(4)]);
        if rng.chance(25) {
            let _ = write!(
                s,
                ", \"isCredentials\": true, \"credentialsLife\": \"{}\"",
                lives[rng.below(lives.len())]
            );
        }
        s.push('}');
    }
    s.push_str("],\n\"elements\": [");
    for e in 0..n {
        let sep = if e == 0 { "" } else { "," };
        let kind = ElementKind::ALL[rng.below(ElementKind::ALL.len())];
        let _ = write!(s, "{sep}\n {{\"id\": \"e{e}\", \"type\": \"{kind}\"");
        if !rng.chance(10) {
            let _ = write!(s, ", \"boundary\": \"b{}\"", rng.below(nb));
        }
        random_attrs(&mut rng, &mut s, kind.bit());
        s.push('}');
    }
    s.push_str("],\n\"flows\": [");
    let mut last = (0, 1);
    for f in 0..2 * n {
        let sep = if f == 0 { "" } else { "," };
        // One flow in five answers the one before it, running the other way.
        let answer = f > 0 && rng.chance(20);
        let (from, to) = if answer {
            last
        } else {
            let from = rng.below(n);
            let to = rng.below(n);
            (from, if to == from { (to + 1) % n } else { to })
        };
        last = (to, from);
        let _ = write!(
            s,
            "{sep}\n {{\"id\": \"f{f}\", \"from\": \"e{from}\", \"to\": \"e{to}\""
        );
        if answer {
            let _ = write!(s, ", \"responseTo\": \"f{}\"", f - 1);
        }
        if rng.chance(50) {
            let _ = write!(s, ", \"data\": [\"d{}\"", rng.below(nd));
            if rng.chance(30) {
                let _ = write!(s, ", \"d{}\"", (rng.below(nd) + 1) % nd);
            }
            s.push(']');
        }
        random_attrs(&mut rng, &mut s, Targets::FLOW);
        s.push('}');
    }
    s.push_str("]}\n");
    s
}

/// A few attributes of the target's kind, with random values.
fn random_attrs(rng: &mut Rng, s: &mut String, t: Targets) {
    let candidates: Vec<_> = attrs::for_targets(t).collect();
    let mut seen = Vec::new();
    for _ in 0..rng.below(8) {
        let (id, a) = candidates[rng.below(candidates.len())];
        // Derived flow attributes stay unset so the comparison with pytm (which
        // overwrites them) remains meaningful; inScope stays true for the same reason.
        if seen.contains(&id)
            || a.name == "inScope"
            || (t.contains_flow() && a.derived != attrs::Derivation::None)
        {
            continue;
        }
        seen.push(id);
        let v = match a.ty {
            AttrType::Bool => rng.chance(50).to_string(),
            AttrType::Int => ["80", "443", "8080", "-1"][rng.below(4)].to_string(),
            AttrType::Str => match a.name {
                "protocol" => {
                    ["\"HTTP\"", "\"HTTPS\"", "\"SOAP\"", "\"SMTP\""][rng.below(4)].to_string()
                }
                "environment" => ["\"Production\"", "\"Staging\""][rng.below(2)].to_string(),
                "usesEncryptionAlgorithm" => {
                    ["\"AES\"", "\"RSA\"", "\"DES\""][rng.below(3)].to_string()
                }
                _ => "\"x\"".to_string(),
            },
            AttrType::Classification => format!("\"{}\"", Classification::ALL[rng.below(6)]),
            AttrType::TlsVersion => format!("\"{}\"", tms_model::TlsVersion::ALL[rng.below(8)]),
            AttrType::DatastoreType => {
                format!("\"{}\"", tms_model::DatastoreType::ALL[rng.below(5)])
            }
            AttrType::IntList | AttrType::StrList => continue,
        };
        let _ = write!(s, ", \"{}\": {v}", a.name);
    }
}

/// The same model as block YAML (the layout people write), for benchmarks
/// that read YAML.
pub fn to_yaml(json: &str) -> Result<String, String> {
    let value: serde_json::Value = serde_json::from_str(json).map_err(|e| e.to_string())?;
    serde_saphyr::to_string(&value).map_err(|e| e.to_string())
}
