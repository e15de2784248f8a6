//! Text measurement with the bundled font (DejaVu Sans, from the `dejavu`
//! crate), so that layouts are the same on every machine whatever fonts it has,
//! and PNG output draws text with the font the layout was measured with.

use std::sync::OnceLock;

use ttf_parser::Face;

pub const FAMILY: &str = "DejaVu Sans";

pub fn regular_data() -> &'static [u8] {
    dejavu::sans::regular()
}

pub fn bold_data() -> &'static [u8] {
    dejavu::sans::bold()
}

struct Font {
    face: Option<Face<'static>>,
    units: f32,
    /// Advances of ASCII characters, in em, looked up once.
    ascii: [f32; 128],
}

impl Font {
    fn load(data: &'static [u8]) -> Font {
        let face = Face::parse(data, 0).ok();
        let units = face
            .as_ref()
            .map_or(2048.0, |f| f32::from(f.units_per_em()));
        let mut ascii = [0.6; 128];
        if let Some(f) = &face {
            for (i, slot) in ascii.iter_mut().enumerate() {
                if let Some(a) = char::from_u32(i as u32).and_then(|c| advance(f, c, units)) {
                    *slot = a;
                }
            }
        }
        Font { face, units, ascii }
    }

    fn em(&self, c: char) -> f32 {
        if (c as u32) < 128 {
            return self.ascii[c as usize];
        }
        if let Some(a) = self.face.as_ref().and_then(|f| advance(f, c, self.units)) {
            return a;
        }
        // Not in the font: East Asian characters are full width, the rest about
        // as wide as a typical Latin letter.
        if is_wide(c) {
            1.0
        } else {
            0.6
        }
    }
}

fn advance(f: &Face<'_>, c: char, units: f32) -> Option<f32> {
    let g = f.glyph_index(c)?;
    Some(f32::from(f.glyph_hor_advance(g)?) / units)
}

fn is_wide(c: char) -> bool {
    matches!(c as u32,
        0x1100..=0x115F | 0x2E80..=0xA4CF | 0xAC00..=0xD7A3 | 0xF900..=0xFAFF
        | 0xFE30..=0xFE4F | 0xFF00..=0xFF60 | 0xFFE0..=0xFFE6 | 0x1F300..=0x1FAFF
        | 0x20000..=0x3FFFD)
}

fn regular() -> &'static Font {
    static F: OnceLock<Font> = OnceLock::new();
    F.get_or_init(|| Font::load(regular_data()))
}

fn bold() -> &'static Font {
    static F: OnceLock<Font> = OnceLock::new();
    F.get_or_init(|| Font::load(bold_data()))
}

/// The width of one line of text at `size` pixels.
pub fn width(text: &str, size: f32, is_bold: bool) -> f32 {
    let f = if is_bold { bold() } else { regular() };
    text.chars().map(|c| f.em(c)).sum::<f32>() * size
}

pub fn line_height(size: f32) -> f32 {
    (size * 1.25).ceil()
}

/// Breaks text into lines no wider than `max` pixels: at its own line breaks,
/// then between words, and inside a word only when the word alone is too wide.
pub fn wrap(text: &str, size: f32, is_bold: bool, max: f32) -> Vec<String> {
    let mut lines = Vec::new();
    for para in text.split('\n') {
        let mut line = String::new();
        let mut line_w = 0.0;
        let space = width(" ", size, is_bold);
        for word in para.split(' ').filter(|w| !w.is_empty()) {
            let w = width(word, size, is_bold);
            if !line.is_empty() && line_w + space + w <= max {
                line.push(' ');
                line.push_str(word);
                line_w += space + w;
                continue;
            }
            if !line.is_empty() {
                lines.push(std::mem::take(&mut line));
            }
            if w <= max {
                line.push_str(word);
                line_w = w;
                continue;
            }
            // A word wider than a line: cut it where it fills one.
            line_w = 0.0;
            for c in word.chars() {
                let cw = width(c.encode_utf8(&mut [0; 4]), size, is_bold);
                if !line.is_empty() && line_w + cw > max {
                    lines.push(std::mem::take(&mut line));
                    line_w = 0.0;
                }
                line.push(c);
                line_w += cw;
            }
        }
        lines.push(line);
    }
    lines
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_bundled_font_measures_text() {
        assert!(regular().face.is_some() && bold().face.is_some());
        let w = width("Web server", 12.0, false);
        assert!((50.0..80.0).contains(&w), "{w}");
        assert!(width("Web server", 12.0, true) > w);
        assert!(width("WWW", 12.0, false) > width("iii", 12.0, false));
        // Not in DejaVu Sans: measured as full-width characters.
        assert_eq!(width("中文", 10.0, false), 20.0);
    }

    #[test]
    fn wrapping_keeps_words_and_breaks_only_overlong_ones() {
        let lines = wrap("Customer payment gateway\nv2", 12.0, false, 90.0);
        assert_eq!(lines, ["Customer", "payment", "gateway", "v2"]);
        let lines = wrap("abcdefghijklmnopqrstuvwxyz", 12.0, false, 60.0);
        assert!(lines.len() > 2 && lines.concat() == "abcdefghijklmnopqrstuvwxyz");
        assert!(lines.iter().all(|l| width(l, 12.0, false) <= 60.0));
        assert_eq!(wrap("", 12.0, false, 50.0), [""]);
    }
}
