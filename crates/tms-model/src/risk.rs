//! Risk scoring: likelihood x impact on a documented 5x5 matrix, DREAD where
//! the model gives its factors, and CVSS 3.x/4.0 computed from the vector.
//!
//! The matrix (impact is the severity: info 1 ... critical 5; likelihood very-low 1 ... very-high 5):
//!
//! ```text
//!              likelihood  1   2   3   4   5
//! impact 5 (critical)      5  10  15  20  25
//! impact 4 (high)          4   8  12  16  20
//! impact 3 (medium)        3   6   9  12  15
//! impact 2 (low)           2   4   6   8  10
//! impact 1 (info)          1   2   3   4   5
//! ```
//!
//! Score 1-4 is low risk, 5-9 medium, 10-15 high, 16-25 critical.

use std::str::FromStr;

use serde::Serialize;

use crate::Likelihood;
use crate::{Dread, Severity};

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum RiskLevel {
    Low,
    Medium,
    High,
    Critical,
}

impl RiskLevel {
    pub fn as_str(self) -> &'static str {
        match self {
            RiskLevel::Low => "low",
            RiskLevel::Medium => "medium",
            RiskLevel::High => "high",
            RiskLevel::Critical => "critical",
        }
    }

    /// A 0-10 number for tools that want one (SARIF's `security-severity`), in
    /// the CVSS band of the same name.
    pub fn security_severity(self) -> f64 {
        match self {
            RiskLevel::Low => 3.0,
            RiskLevel::Medium => 5.5,
            RiskLevel::High => 8.0,
            RiskLevel::Critical => 9.5,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Risk {
    pub likelihood: u8,
    pub impact: u8,
    pub score: u8,
    pub level: RiskLevel,
}

pub fn impact(severity: Severity) -> u8 {
    severity as u8 + 1
}

pub fn level_of(score: u8) -> RiskLevel {
    match score {
        0..=4 => RiskLevel::Low,
        5..=9 => RiskLevel::Medium,
        10..=15 => RiskLevel::High,
        _ => RiskLevel::Critical,
    }
}

pub fn risk(likelihood: Likelihood, severity: Severity) -> Risk {
    let (l, i) = (likelihood.score(), impact(severity));
    Risk {
        likelihood: l,
        impact: i,
        score: l * i,
        level: level_of(l * i),
    }
}

/// The DREAD score: the mean of its five factors (0-10), to one decimal.
pub fn dread_score(d: &Dread) -> f64 {
    let sum = u32::from(d.damage)
        + u32::from(d.reproducibility)
        + u32::from(d.exploitability)
        + u32::from(d.affected_users)
        + u32::from(d.discoverability);
    (f64::from(sum) / 5.0 * 10.0).round() / 10.0
}

/// A DREAD mean's severity band: 9 and above critical, 7 high, 4 medium,
/// above 0 low (the usual thirds of DREAD's 0-10 scale, with its top decile
/// critical, as CVSS does).
pub fn severity_of_dread(score: f64) -> Severity {
    match score {
        s if s >= 9.0 => Severity::Critical,
        s if s >= 7.0 => Severity::High,
        s if s >= 4.0 => Severity::Medium,
        s if s > 0.0 => Severity::Low,
        _ => Severity::Info,
    }
}

/// A CVSS score's qualitative rating as our severity ("none" is info).
pub fn severity_of_cvss(score: &CvssScore) -> Severity {
    Severity::parse(score.severity).unwrap_or(Severity::Info)
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CvssScore {
    pub vector: String,
    pub version: &'static str,
    pub score: f64,
    pub severity: &'static str,
}

/// Parses a CVSS 3.0, 3.1 or 4.0 vector and computes its base score.
pub fn cvss(vector: &str) -> Result<CvssScore, String> {
    let parsed = cvss::Cvss::from_str(vector.trim())
        .map_err(|e| format!("`{vector}` is not a valid CVSS vector: {e}"))?;
    let version = if vector.starts_with("CVSS:4.0") {
        "4.0"
    } else if vector.starts_with("CVSS:3.0") {
        "3.0"
    } else {
        "3.1"
    };
    let severity = match parsed.severity() {
        cvss::Severity::None => "none",
        cvss::Severity::Low => "low",
        cvss::Severity::Medium => "medium",
        cvss::Severity::High => "high",
        cvss::Severity::Critical => "critical",
    };
    Ok(CvssScore {
        vector: vector.trim().to_string(),
        version,
        score: parsed.score(),
        severity,
    })
}

/// Checks a stated score against the vector: the contract makes a mismatch an error.
pub fn check_stated(vector: &str, stated: Option<f64>) -> Result<CvssScore, String> {
    let computed = cvss(vector)?;
    if let Some(s) = stated {
        if (s - computed.score).abs() > 0.05 {
            return Err(format!(
                "the stated CVSS base score {s} disagrees with the vector, which scores {}",
                computed.score
            ));
        }
    }
    Ok(computed)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cvss_examples() {
        assert_eq!(
            cvss("CVSS:3.1/AV:N/AC:L/PR:N/UI:R/S:C/C:H/I:H/A:N")
                .unwrap()
                .score,
            9.3
        );
        assert_eq!(
            cvss("CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H")
                .unwrap()
                .score,
            9.8
        );
        assert_eq!(
            cvss("CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N")
                .unwrap()
                .score,
            9.3
        );
        assert!(cvss("CVSS:3.1/AV:X").is_err());
        assert!(
            check_stated("CVSS:3.1/AV:N/AC:L/PR:N/UI:R/S:C/C:H/I:H/A:N", Some(7.5))
                .unwrap_err()
                .contains("9.3")
        );
    }

    #[test]
    fn matrix() {
        assert_eq!(
            risk(Likelihood::Medium, Severity::High).level,
            RiskLevel::High
        );
        assert_eq!(risk(Likelihood::VeryHigh, Severity::Critical).score, 25);
        assert_eq!(risk(Likelihood::Low, Severity::Low).level, RiskLevel::Low);
        assert_eq!(
            risk(Likelihood::High, Severity::High).level,
            RiskLevel::Critical
        );
    }
}
