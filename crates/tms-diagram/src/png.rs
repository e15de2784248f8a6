//! PNG: our SVG rasterised by resvg, with only the bundled font loaded, so a
//! picture is the same on every machine and needs no system font or program.

use resvg::tiny_skia;
use resvg::usvg;

use super::font;
use super::Error;

/// Pixels per SVG unit: sharp on high-density screens and in documents.
const SCALE: f32 = 2.0;
/// The most pixels drawn; a larger diagram is scaled down to fit (a
/// 10,000-element model would otherwise ask for gigabytes).
const MAX_PIXELS: f32 = 64.0 * 1024.0 * 1024.0;
/// tiny-skia's limit on either side.
const MAX_SIDE: f32 = 32_000.0;

pub fn from_svg(svg: &str) -> Result<Vec<u8>, Error> {
    let mut opt = usvg::Options {
        font_family: font::FAMILY.to_string(),
        ..usvg::Options::default()
    };
    let db = opt.fontdb_mut();
    db.load_font_data(font::regular_data().to_vec());
    db.load_font_data(font::bold_data().to_vec());
    db.set_sans_serif_family(font::FAMILY);
    let tree = usvg::Tree::from_str(svg, &opt)
        .map_err(|e| Error::Render(format!("cannot read the SVG drawn: {e}")))?;
    let size = tree.size();
    let (w, h) = (size.width(), size.height());
    let mut scale = SCALE;
    if w * h * scale * scale > MAX_PIXELS {
        scale = (MAX_PIXELS / (w * h)).sqrt();
    }
    scale = scale.min(MAX_SIDE / w.max(h));
    let pw = (w * scale).ceil().max(1.0) as u32;
    let ph = (h * scale).ceil().max(1.0) as u32;
    let mut pixmap = tiny_skia::Pixmap::new(pw, ph)
        .ok_or_else(|| Error::Render(format!("cannot allocate a {pw}x{ph} picture")))?;
    pixmap.fill(tiny_skia::Color::WHITE);
    resvg::render(
        &tree,
        tiny_skia::Transform::from_scale(scale, scale),
        &mut pixmap.as_mut(),
    );
    pixmap
        .encode_png()
        .map_err(|e| Error::Render(format!("cannot encode the PNG: {e}")))
}
