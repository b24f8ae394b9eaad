//! Drawing a screenshot and its marks on a canvas (flare-core's `annotate` plans the steps), and
//! the PNG that comes out, with the marks burned into its pixels.

use flare_core::annotate::{Draw, Edits, Point};
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;
use web_sys::{CanvasRenderingContext2d, HtmlCanvasElement, HtmlImageElement};

use crate::browser::extension::describe;
use crate::browser::BrowserError;

/// What a redaction is filled with: opaque black.
const REDACTION: &str = "#000000";
/// What highlights and arrows are drawn in.
const MARKER: &str = "#e11d48";

/// A decoded screenshot.
#[derive(Clone)]
pub struct Picture {
    image: HtmlImageElement,
    /// Its width in pixels.
    pub width: f64,
    /// Its height in pixels.
    pub height: f64,
}

/// Decodes the picture at `data_url`.
pub async fn load_picture(data_url: &str) -> Result<Picture, BrowserError> {
    let image = HtmlImageElement::new().map_err(|error| BrowserError::Api(describe(&error)))?;
    image.set_src(data_url);
    JsFuture::from(image.decode())
        .await
        .map_err(|error| BrowserError::Api(describe(&error)))?;
    Ok(Picture {
        width: f64::from(image.natural_width()),
        height: f64::from(image.natural_height()),
        image,
    })
}

/// Draws `picture` with `edits` (and `preview`, what a drag going on adds) on `canvas`, which
/// takes the output's size in pixels.
pub fn paint(
    canvas: &HtmlCanvasElement,
    picture: &Picture,
    edits: &Edits,
    preview: &[Draw],
) -> Result<(), BrowserError> {
    draw(canvas, picture, edits, preview)
}

/// The picture with `edits` burned in, as a PNG `data:` URL.
pub fn render_png(picture: &Picture, edits: &Edits) -> Result<String, BrowserError> {
    let canvas = web_sys::window()
        .and_then(|window| window.document())
        .and_then(|document| document.create_element("canvas").ok())
        .and_then(|element| element.dyn_into::<HtmlCanvasElement>().ok())
        .ok_or_else(|| BrowserError::Api("cannot make a canvas".to_owned()))?;
    draw(&canvas, picture, edits, &[])?;
    canvas
        .to_data_url_with_type("image/png")
        .map_err(|error| BrowserError::Api(describe(&error)))
}

/// Where a pointer at `client_x`, `client_y` (CSS pixels in the window) is on `canvas`, in the
/// canvas's own pixels: the canvas is shown scaled to fit.
pub fn canvas_point(canvas: &HtmlCanvasElement, client_x: f64, client_y: f64) -> Option<Point> {
    let bounds = canvas.get_bounding_client_rect();
    if bounds.width() <= 0.0 || bounds.height() <= 0.0 {
        return None;
    }
    Some(Point {
        x: (client_x - bounds.left()) * f64::from(canvas.width()) / bounds.width(),
        y: (client_y - bounds.top()) * f64::from(canvas.height()) / bounds.height(),
    })
}

/// Keeps sending the pointer `pointer_id`'s events to `canvas` until it is let go, so a drag that
/// ends outside the canvas still ends on it.
pub fn capture_pointer(canvas: &HtmlCanvasElement, pointer_id: i32) {
    // Fails only for a pointer that is no longer down; the drag then ends where it is.
    let _ = canvas.set_pointer_capture(pointer_id);
}

fn draw(
    canvas: &HtmlCanvasElement,
    picture: &Picture,
    edits: &Edits,
    preview: &[Draw],
) -> Result<(), BrowserError> {
    let failed = |error: wasm_bindgen::JsValue| BrowserError::Api(describe(&error));
    let (width, height) = edits.output_size(picture.width, picture.height);
    canvas.set_width(width as u32);
    canvas.set_height(height as u32);
    let context = canvas
        .get_context("2d")
        .map_err(failed)?
        .and_then(|context| context.dyn_into::<CanvasRenderingContext2d>().ok())
        .ok_or_else(|| BrowserError::Api("no 2d canvas".to_owned()))?;
    context.set_fill_style_str(REDACTION);
    context.set_stroke_style_str(MARKER);
    for step in edits
        .plan(picture.width, picture.height)
        .iter()
        .chain(preview)
    {
        match *step {
            Draw::Picture { source } => context
                .draw_image_with_html_image_element_and_sw_and_sh_and_dx_and_dy_and_dw_and_dh(
                    &picture.image,
                    source.x,
                    source.y,
                    source.width,
                    source.height,
                    0.0,
                    0.0,
                    source.width,
                    source.height,
                )
                .map_err(failed)?,
            Draw::FillRect(rect) => {
                context.set_fill_style_str(REDACTION);
                context.fill_rect(rect.x, rect.y, rect.width, rect.height);
            }
            Draw::StrokeRect { rect, width } => {
                context.set_line_width(width);
                context.stroke_rect(rect.x, rect.y, rect.width, rect.height);
            }
            Draw::Line { from, to, width } => {
                context.set_line_width(width);
                context.begin_path();
                context.move_to(from.x, from.y);
                context.line_to(to.x, to.y);
                context.stroke();
            }
            Draw::Triangle([a, b, c]) => {
                context.set_fill_style_str(MARKER);
                context.begin_path();
                context.move_to(a.x, a.y);
                context.line_to(b.x, b.y);
                context.line_to(c.x, c.y);
                context.close_path();
                context.fill();
            }
        }
    }
    Ok(())
}

/// The bytes of a base64 `data:` URL, such as a screenshot's.
pub fn data_url_bytes(data_url: &str) -> Result<Vec<u8>, BrowserError> {
    let (_, encoded) = data_url
        .split_once(";base64,")
        .ok_or_else(|| BrowserError::Api("not a base64 data: URL".to_owned()))?;
    // The global scope's, as the background worker decodes the screenshot it files.
    let binary = crate::browser::global::scope()
        .atob(encoded)
        .map_err(|error| BrowserError::Api(describe(&error)))?;
    // `atob` gives one character per byte.
    Ok(binary.chars().map(|character| character as u8).collect())
}
