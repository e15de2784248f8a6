//! The integration tests, one binary: each module was a test file of its own.

mod budget;
mod conditions;
mod corpus;
mod coverage;
mod diagram;
mod diagram_tools;
mod diff;
mod examples;
mod explain;
mod export_interchange;
mod hardening;
mod import_formats;
mod import_pytm;
mod loader_props;
mod mitigations;
mod pytm_parity;
mod quality;
mod report_browser;
mod report_formats;
mod report_json;
mod rule_fixtures;
mod sarif;
mod schema;
mod stdin;
mod stix;
mod threat_model_spec;
