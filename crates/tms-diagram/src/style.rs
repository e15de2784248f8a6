//! The house style of a diagram: colours per element kind, boundary and flow
//! colours, the colormap's severity colours, font and direction. Read from a
//! YAML or JSON file (`--style FILE`, docs/diagrams.md) with every problem
//! reported at its position, like a model.

use std::fmt;
use std::path::Path;

use tms_model::{ElementKind, Severity};
use tms_syntax::diag::Diagnostics;
use tms_syntax::reader::Reader;
use tms_syntax::source::{Node, NodeKind};

/// An sRGB colour. Only `#rgb`, `#rgba`, `#rrggbb` and `#rrggbbaa` are accepted:
/// every target format understands hex, while colour names differ between tools
/// (and a name would be user text inside diagram syntax).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Color {
    pub r: u8,
    pub g: u8,
    pub b: u8,
    pub a: u8,
}

impl Color {
    pub const fn rgb(hex: u32) -> Color {
        Color {
            r: (hex >> 16) as u8,
            g: (hex >> 8) as u8,
            b: hex as u8,
            a: 255,
        }
    }

    pub fn parse(s: &str) -> Option<Color> {
        let hex = s.strip_prefix('#')?;
        if !hex.bytes().all(|b| b.is_ascii_hexdigit()) {
            return None;
        }
        let digit = |i: usize| u8::from_str_radix(&hex[i..i + 1], 16).ok();
        let pair = |i: usize| u8::from_str_radix(&hex[i..i + 2], 16).ok();
        let (r, g, b, a) = match hex.len() {
            3 | 4 => (
                digit(0)? * 17,
                digit(1)? * 17,
                digit(2)? * 17,
                if hex.len() == 4 { digit(3)? * 17 } else { 255 },
            ),
            6 | 8 => (
                pair(0)?,
                pair(2)?,
                pair(4)?,
                if hex.len() == 8 { pair(6)? } else { 255 },
            ),
            _ => return None,
        };
        Some(Color { r, g, b, a })
    }

    /// `#rrggbb`, or `#rrggbbaa` when not opaque: the spelling Graphviz, D2,
    /// Mermaid and SVG all accept.
    pub fn hex(self) -> String {
        if self.a == 255 {
            format!("#{:02x}{:02x}{:02x}", self.r, self.g, self.b)
        } else {
            format!("#{:02x}{:02x}{:02x}{:02x}", self.r, self.g, self.b, self.a)
        }
    }

    /// Without the `#`, as PlantUML's inline colour syntax wants it.
    pub fn bare_hex(self) -> String {
        self.hex()[1..].to_string()
    }
}

impl fmt::Display for Color {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.hex())
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Direction {
    #[default]
    LeftRight,
    TopBottom,
    RightLeft,
    BottomTop,
}

impl Direction {
    pub fn parse(s: &str) -> Option<Direction> {
        match s.to_ascii_uppercase().as_str() {
            "LR" => Some(Direction::LeftRight),
            "TB" | "TD" => Some(Direction::TopBottom),
            "RL" => Some(Direction::RightLeft),
            "BT" => Some(Direction::BottomTop),
            _ => None,
        }
    }

    /// Graphviz and Mermaid spell it the same way.
    pub fn short(self) -> &'static str {
        match self {
            Direction::LeftRight => "LR",
            Direction::TopBottom => "TB",
            Direction::RightLeft => "RL",
            Direction::BottomTop => "BT",
        }
    }

    pub fn horizontal(self) -> bool {
        matches!(self, Direction::LeftRight | Direction::RightLeft)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Paint {
    pub fill: Color,
    pub stroke: Color,
    pub text: Color,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Style {
    pub direction: Direction,
    /// A CSS-like family list, checked to hold only names (see `valid_family`).
    pub font_family: String,
    pub font_size: f32,
    /// Indexed by `ElementKind as usize`.
    pub kinds: [Paint; 9],
    pub boundary: Paint,
    pub flow_stroke: Color,
    pub flow_text: Color,
    /// Indexed by `Severity as usize` (info .. critical).
    pub severity: [Color; 5],
    /// The fill of an element with no open finding when the colormap is on.
    pub clean: Color,
}

const INK: Color = Color::rgb(0x1f2937);

const fn paint(fill: u32, stroke: u32) -> Paint {
    Paint {
        fill: Color::rgb(fill),
        stroke: Color::rgb(stroke),
        text: INK,
    }
}

impl Default for Style {
    fn default() -> Self {
        // Kinds that talk to the system from outside share warm tones; the system's
        // own parts cool ones; data stores and AI components stand apart.
        let kinds = [
            paint(0xfef3c7, 0xb45309), // actor
            paint(0xfde8d8, 0xc2410c), // external-entity
            paint(0xdbeafe, 0x1d4ed8), // process
            paint(0xdbeafe, 0x1e40af), // set-of-processes
            paint(0xe0e7ff, 0x4338ca), // server
            paint(0xcffafe, 0x0e7490), // lambda
            paint(0xdcfce7, 0x15803d), // datastore
            paint(0xf3e8ff, 0x7e22ce), // agent
            paint(0xfce7f3, 0xbe185d), // llm
        ];
        Style {
            direction: Direction::LeftRight,
            font_family: "DejaVu Sans, Verdana, sans-serif".to_string(),
            font_size: 12.0,
            kinds,
            boundary: Paint {
                fill: Color::rgb(0xfafafa),
                stroke: Color::rgb(0xdc2626),
                text: Color::rgb(0x991b1b),
            },
            flow_stroke: Color::rgb(0x4b5563),
            flow_text: INK,
            severity: [
                Color::rgb(0xe0f2fe), // info
                Color::rgb(0xfef9c3), // low
                Color::rgb(0xfed7aa), // medium
                Color::rgb(0xfca5a5), // high
                Color::rgb(0xef4444), // critical
            ],
            clean: Color::rgb(0xdcfce7),
        }
    }
}

impl Style {
    pub fn kind(&self, k: ElementKind) -> Paint {
        self.kinds[k as usize]
    }

    pub fn severity(&self, s: Severity) -> Color {
        self.severity[s as usize]
    }

    /// An element's fill: its kind's, or under the colormap its worst open finding's.
    pub fn fill(&self, k: ElementKind, heat: super::Heat) -> Color {
        match heat {
            super::Heat::Off => self.kind(k).fill,
            super::Heat::Clean => self.clean,
            super::Heat::Worst(sev) => self.severity(sev),
        }
    }

    /// The first family of the list, for tools that take a single name (Graphviz).
    pub fn primary_family(&self) -> &str {
        self.font_family
            .split(',')
            .next()
            .map(str::trim)
            .unwrap_or("sans-serif")
    }

    pub fn load(path: &Path) -> Result<Style, Diagnostics> {
        let src = tms_syntax::source::read(path).map_err(|d| Diagnostics(vec![d]))?;
        let root = src.parse().map_err(|d| Diagnostics(vec![d]))?;
        Style::from_node(&root, &src.name)
    }

    /// Reads a style over the defaults: everything left out keeps its default.
    pub fn from_node(root: &Node, file: &str) -> Result<Style, Diagnostics> {
        let mut r = Reader::new(file);
        let mut style = Style::default();
        if let Some(entries) = r.map(root, "a style file") {
            r.check_keys(
                entries,
                "the style file",
                &[
                    "direction",
                    "font",
                    "elements",
                    "boundaries",
                    "flows",
                    "colormap",
                ],
                |_| None,
            );
            for (key, v) in entries {
                match &*key.name {
                    "direction" => {
                        if let Some(d) =
                            r.choice(v, "direction", Direction::parse, &["LR", "TB", "RL", "BT"])
                        {
                            style.direction = d;
                        }
                    }
                    "font" => read_font(&mut r, v, &mut style),
                    "elements" => {
                        let Some(kinds) = r.map(v, "`elements`") else {
                            continue;
                        };
                        let names: Vec<&str> = ElementKind::spellings().collect();
                        r.check_keys(kinds, "`elements`", &names, |_| None);
                        for (k, pv) in kinds {
                            if let Some(kind) = ElementKind::parse(&k.name) {
                                let what = format!("`elements.{}`", k.name);
                                read_paint(&mut r, pv, &what, &mut style.kinds[kind as usize]);
                            }
                        }
                    }
                    "boundaries" => read_paint(&mut r, v, "`boundaries`", &mut style.boundary),
                    "flows" => {
                        let Some(m) = r.map(v, "`flows`") else {
                            continue;
                        };
                        r.check_keys(m, "`flows`", &["stroke", "text"], |_| None);
                        for (k, cv) in m {
                            let slot = match &*k.name {
                                "stroke" => &mut style.flow_stroke,
                                "text" => &mut style.flow_text,
                                _ => continue,
                            };
                            if let Some(c) = read_color(&mut r, cv, &format!("`flows.{}`", k.name))
                            {
                                *slot = c;
                            }
                        }
                    }
                    "colormap" => {
                        let Some(m) = r.map(v, "`colormap`") else {
                            continue;
                        };
                        let mut allowed: Vec<&str> = Severity::spellings().collect();
                        allowed.push("none");
                        r.check_keys(m, "`colormap`", &allowed, |_| None);
                        for (k, cv) in m {
                            let slot = match Severity::parse(&k.name) {
                                Some(s) => &mut style.severity[s as usize],
                                None if &*k.name == "none" => &mut style.clean,
                                None => continue,
                            };
                            let what = format!("`colormap.{}`", k.name);
                            if let Some(c) = read_color(&mut r, cv, &what) {
                                *slot = c;
                            }
                        }
                    }
                    _ => {}
                }
            }
        }
        if r.diags.has_errors() {
            r.diags.sort();
            Err(r.diags)
        } else {
            Ok(style)
        }
    }
}

fn read_font(r: &mut Reader, v: &Node, style: &mut Style) {
    let Some(m) = r.map(v, "`font`") else {
        return;
    };
    r.check_keys(m, "`font`", &["family", "size"], |_| None);
    for (k, fv) in m {
        match &*k.name {
            "family" => {
                if let Some(f) = r.string(fv, "`font.family`") {
                    if valid_family(&f) {
                        style.font_family = f;
                    } else {
                        r.error(fv.pos, "`font.family` must be a comma-separated list of font names")
                            .hint = Some(
                            "names hold letters, digits, spaces, `-`, `_` and `.`, such as `Inter, sans-serif`"
                                .into(),
                        );
                    }
                }
            }
            "size" => {
                let size = match fv.kind {
                    NodeKind::Int(i) => Some(i as f64),
                    NodeKind::Float(f) => Some(f),
                    _ => {
                        r.wrong_type(fv, "`font.size`", "a number");
                        None
                    }
                };
                match size {
                    Some(s) if (6.0..=48.0).contains(&s) => style.font_size = s as f32,
                    Some(_) => {
                        r.error(fv.pos, "`font.size` must be between 6 and 48");
                    }
                    None => {}
                }
            }
            _ => {}
        }
    }
}

/// Font names end up inside DOT attributes, SVG attributes and PlantUML skin
/// parameters; allowing only plain names keeps them from needing escaping there.
pub fn valid_family(f: &str) -> bool {
    !f.trim().is_empty()
        && f.len() <= 200
        && f.split(',').all(|name| {
            let name = name.trim();
            !name.is_empty()
                && name
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || matches!(c, ' ' | '-' | '_' | '.'))
        })
}

fn read_paint(r: &mut Reader, v: &Node, what: &str, paint: &mut Paint) {
    let Some(m) = r.map(v, what) else {
        return;
    };
    r.check_keys(m, what, &["fill", "stroke", "text"], |_| None);
    for (k, cv) in m {
        let slot = match &*k.name {
            "fill" => &mut paint.fill,
            "stroke" => &mut paint.stroke,
            "text" => &mut paint.text,
            _ => continue,
        };
        let inner = format!("{}.{}`", what.trim_end_matches('`'), k.name);
        if let Some(c) = read_color(r, cv, &inner) {
            *slot = c;
        }
    }
}

fn read_color(r: &mut Reader, v: &Node, what: &str) -> Option<Color> {
    let s = r.string(v, what)?;
    let c = Color::parse(s.trim());
    if c.is_none() {
        r.error(v.pos, format!("{what} must be a hex colour, found `{s}`"))
            .hint = Some("write `#rgb` or `#rrggbb`, such as `#1d4ed8`".into());
    }
    c
}

#[cfg(test)]
mod tests {
    use super::*;
    use tms_syntax::source::SourceFile;

    fn style(yaml: &str) -> Result<Style, Diagnostics> {
        let src = SourceFile::from_text("style.yaml", yaml);
        let root = src.parse().map_err(|d| Diagnostics(vec![d]))?;
        Style::from_node(&root, "style.yaml")
    }

    #[test]
    fn colours_parse_in_every_hex_spelling() {
        assert_eq!(
            Color::parse("#abc").map(Color::hex).as_deref(),
            Some("#aabbcc")
        );
        assert_eq!(
            Color::parse("#AABBCC80").map(Color::hex).as_deref(),
            Some("#aabbcc80")
        );
        assert_eq!(Color::parse("red"), None);
        assert_eq!(Color::parse("#abcde"), None);
        assert_eq!(Color::parse("#ggg"), None);
        assert_eq!(Color::parse("#é12"), None);
    }

    #[test]
    fn a_style_file_overrides_only_what_it_sets() {
        let s = style(
            "direction: TB\nfont: {family: 'Inter, sans-serif', size: 14}\n\
             elements: {datastore: {fill: '#123456'}}\ncolormap: {critical: '#f00', none: '#fff'}\n",
        )
        .expect("valid style");
        assert_eq!(s.direction, Direction::TopBottom);
        assert_eq!(s.font_family, "Inter, sans-serif");
        assert_eq!(s.font_size, 14.0);
        assert_eq!(s.kind(ElementKind::Datastore).fill.hex(), "#123456");
        let d = Style::default();
        assert_eq!(
            s.kind(ElementKind::Datastore).stroke,
            d.kind(ElementKind::Datastore).stroke
        );
        assert_eq!(s.severity(Severity::Critical).hex(), "#ff0000");
        assert_eq!(s.clean.hex(), "#ffffff");
        assert_eq!(s.kind(ElementKind::Actor), d.kind(ElementKind::Actor));
    }

    #[test]
    fn every_problem_is_reported_with_its_position() {
        let e = style(
            "direction: up\nfont: {family: 'x\"; evil', size: 100}\n\
             elements: {servr: {fill: red}, llm: {fill: red}}\nborders: {}\n",
        )
        .expect_err("invalid style");
        let text: Vec<String> = e.0.iter().map(|d| d.to_string()).collect();
        let all = text.join("\n");
        assert!(all.contains("style.yaml:1:12"), "{all}");
        assert!(all.contains("`up` is not a valid direction"), "{all}");
        assert!(all.contains("`font.family` must be"), "{all}");
        assert!(all.contains("`font.size` must be between"), "{all}");
        assert!(all.contains("unknown key `servr`"), "{all}");
        assert!(all.contains("did you mean `server`"), "{all}");
        assert!(
            all.contains("`elements.llm.fill` must be a hex colour"),
            "{all}"
        );
        assert!(all.contains("unknown key `borders`"), "{all}");
    }
}
