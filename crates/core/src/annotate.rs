//! A screenshot's edits: crop, redactions, highlight boxes and arrows, as plain geometry in the
//! image's own pixels, and the drawing steps that burn them into the picture.
//!
//! A redaction is an opaque box drawn into the pixels before the picture is encoded, so what it
//! covers is not in the file that leaves the browser, whatever a viewer does with layers.

use serde::{Deserialize, Serialize};

/// A rectangle in image pixels.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Rect {
    /// Left edge.
    pub x: f64,
    /// Top edge.
    pub y: f64,
    /// Width, never negative.
    pub width: f64,
    /// Height, never negative.
    pub height: f64,
}

/// A point in image pixels.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Point {
    /// From the left.
    pub x: f64,
    /// From the top.
    pub y: f64,
}

/// One mark on the screenshot.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub enum Mark {
    /// An opaque box hiding what is under it.
    Redact(Rect),
    /// An outlined box drawing the eye to something.
    Highlight(Rect),
    /// An arrow pointing from one point to another.
    Arrow {
        /// Where it starts.
        from: Point,
        /// Where its head is.
        to: Point,
    },
}

/// What the user did to a screenshot, in the order they did it.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Edits {
    /// The part of the picture to keep; all of it when `None`.
    pub crop: Option<Rect>,
    /// The marks, oldest first (later ones are drawn over earlier ones).
    pub marks: Vec<Mark>,
}

/// One drawing step, in the coordinates of the output picture.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Draw {
    /// Copy the source picture's `source` rectangle to the output's origin, at its size.
    Picture {
        /// The part of the source to copy.
        source: Rect,
    },
    /// Fill a rectangle, opaque, in the redaction colour.
    FillRect(Rect),
    /// Outline a rectangle in the highlight colour, `width` pixels wide.
    StrokeRect {
        /// The rectangle.
        rect: Rect,
        /// The line width.
        width: f64,
    },
    /// A line in the highlight colour.
    Line {
        /// Start.
        from: Point,
        /// End.
        to: Point,
        /// The line width.
        width: f64,
    },
    /// A filled triangle in the highlight colour (an arrow's head).
    Triangle([Point; 3]),
}

/// Marks smaller than this many pixels either way are taken as stray clicks and dropped.
const MIN_SIZE: f64 = 3.0;

impl Rect {
    /// The rectangle spanned by two corners dragged in any direction.
    pub fn spanning(a: Point, b: Point) -> Rect {
        Rect {
            x: a.x.min(b.x),
            y: a.y.min(b.y),
            width: (a.x - b.x).abs(),
            height: (a.y - b.y).abs(),
        }
    }

    /// This rectangle clipped to an image of `width` × `height`; `None` if nothing is left.
    pub fn clip(self, width: f64, height: f64) -> Option<Rect> {
        let left = self.x.max(0.0);
        let top = self.y.max(0.0);
        let right = (self.x + self.width).min(width);
        let bottom = (self.y + self.height).min(height);
        (right - left >= MIN_SIZE && bottom - top >= MIN_SIZE).then_some(Rect {
            x: left,
            y: top,
            width: right - left,
            height: bottom - top,
        })
    }

    fn moved(self, dx: f64, dy: f64) -> Rect {
        Rect {
            x: self.x + dx,
            y: self.y + dy,
            ..self
        }
    }
}

impl Point {
    fn moved(self, dx: f64, dy: f64) -> Point {
        Point {
            x: self.x + dx,
            y: self.y + dy,
        }
    }
}

impl Edits {
    /// Adds a mark, dropping one too small to mean anything.
    pub fn add(&mut self, mark: Mark) {
        let big_enough = match mark {
            Mark::Redact(rect) | Mark::Highlight(rect) => {
                rect.width >= MIN_SIZE && rect.height >= MIN_SIZE
            }
            Mark::Arrow { from, to } => (to.x - from.x).hypot(to.y - from.y) >= MIN_SIZE,
        };
        if big_enough {
            self.marks.push(mark);
        }
    }

    /// Takes back the last thing done: the last mark, else the crop.
    pub fn undo(&mut self) {
        if self.marks.pop().is_none() {
            self.crop = None;
        }
    }

    /// Where a point of the output picture (what the editor shows) is on the source picture.
    pub fn to_source(&self, point: Point, width: f64, height: f64) -> Point {
        match self.crop.and_then(|crop| crop.clip(width, height)) {
            Some(crop) => point.moved(crop.x, crop.y),
            None => point,
        }
    }

    /// The output picture's size for a source of `width` × `height`.
    pub fn output_size(&self, width: f64, height: f64) -> (f64, f64) {
        match self.crop.and_then(|crop| crop.clip(width, height)) {
            Some(crop) => (crop.width.round(), crop.height.round()),
            None => (width, height),
        }
    }

    /// The drawing steps that make the output picture from a source of `width` × `height`: the
    /// kept part of the picture, then every mark in order, moved into the cropped frame.
    /// Redactions are drawn into the picture itself.
    pub fn plan(&self, width: f64, height: f64) -> Vec<Draw> {
        let source = self
            .crop
            .and_then(|crop| crop.clip(width, height))
            .unwrap_or(Rect {
                x: 0.0,
                y: 0.0,
                width,
                height,
            });
        let (dx, dy) = (-source.x, -source.y);
        // Lines scale with the picture, so a mark reads the same on a small or a large screen.
        let line = (width.max(height) / 300.0).clamp(2.0, 8.0);
        let mut steps = vec![Draw::Picture { source }];
        for mark in &self.marks {
            match *mark {
                Mark::Redact(rect) => steps.push(Draw::FillRect(rect.moved(dx, dy))),
                Mark::Highlight(rect) => steps.push(Draw::StrokeRect {
                    rect: rect.moved(dx, dy),
                    width: line,
                }),
                Mark::Arrow { from, to } => {
                    let (from, to) = (from.moved(dx, dy), to.moved(dx, dy));
                    steps.push(Draw::Line {
                        from,
                        to,
                        width: line,
                    });
                    steps.push(Draw::Triangle(arrow_head(from, to, line * 4.0)));
                }
            }
        }
        steps
    }
}

/// The head of an arrow from `from` to `to`: a triangle with its tip at `to`, `size` long.
fn arrow_head(from: Point, to: Point, size: f64) -> [Point; 3] {
    let angle = (to.y - from.y).atan2(to.x - from.x);
    let spread = std::f64::consts::FRAC_PI_6;
    let corner = |side: f64| Point {
        x: to.x - size * (angle + side * spread).cos(),
        y: to.y - size * (angle + side * spread).sin(),
    };
    [to, corner(1.0), corner(-1.0)]
}

#[cfg(test)]
mod tests;
