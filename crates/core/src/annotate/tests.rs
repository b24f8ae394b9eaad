use super::*;

fn point(x: f64, y: f64) -> Point {
    Point { x, y }
}

fn rect(x: f64, y: f64, width: f64, height: f64) -> Rect {
    Rect {
        x,
        y,
        width,
        height,
    }
}

#[test]
fn a_drag_in_any_direction_spans_a_rectangle() {
    assert_eq!(
        Rect::spanning(point(50.0, 40.0), point(10.0, 60.0)),
        rect(10.0, 40.0, 40.0, 20.0)
    );
}

#[test]
fn clipping_keeps_what_is_on_the_picture_and_drops_slivers() {
    assert_eq!(
        rect(-10.0, 90.0, 50.0, 50.0).clip(100.0, 100.0),
        Some(rect(0.0, 90.0, 40.0, 10.0))
    );
    assert_eq!(rect(99.0, 0.0, 50.0, 50.0).clip(100.0, 100.0), None);
}

#[test]
fn an_uncropped_picture_is_drawn_whole_with_its_marks_on_top_in_order() {
    let mut edits = Edits::default();
    edits.add(Mark::Redact(rect(10.0, 10.0, 30.0, 20.0)));
    edits.add(Mark::Highlight(rect(50.0, 50.0, 20.0, 20.0)));
    let plan = edits.plan(600.0, 300.0);
    assert_eq!(
        plan[0],
        Draw::Picture {
            source: rect(0.0, 0.0, 600.0, 300.0)
        }
    );
    assert_eq!(plan[1], Draw::FillRect(rect(10.0, 10.0, 30.0, 20.0)));
    assert_eq!(
        plan[2],
        Draw::StrokeRect {
            rect: rect(50.0, 50.0, 20.0, 20.0),
            width: 2.0
        }
    );
    assert_eq!(edits.output_size(600.0, 300.0), (600.0, 300.0));
}

#[test]
fn a_crop_moves_every_mark_into_the_kept_frame() {
    let mut edits = Edits {
        crop: Some(rect(100.0, 50.0, 200.0, 100.0)),
        ..Edits::default()
    };
    edits.add(Mark::Redact(rect(120.0, 60.0, 10.0, 10.0)));
    let plan = edits.plan(1200.0, 900.0);
    assert_eq!(
        plan[0],
        Draw::Picture {
            source: rect(100.0, 50.0, 200.0, 100.0)
        }
    );
    assert_eq!(plan[1], Draw::FillRect(rect(20.0, 10.0, 10.0, 10.0)));
    assert_eq!(edits.output_size(1200.0, 900.0), (200.0, 100.0));
    // What the editor shows is the kept frame: a point on it is that far into the crop.
    assert_eq!(
        edits.to_source(point(20.0, 10.0), 1200.0, 900.0),
        point(120.0, 60.0)
    );
}

#[test]
fn an_arrow_ends_in_a_head_at_its_tip() {
    let mut edits = Edits::default();
    edits.add(Mark::Arrow {
        from: point(0.0, 0.0),
        to: point(100.0, 0.0),
    });
    let plan = edits.plan(300.0, 300.0);
    let Draw::Triangle([tip, left, right]) = plan[2] else {
        panic!("an arrow head, not {:?}", plan[2]);
    };
    assert_eq!(tip, point(100.0, 0.0));
    assert!(left.x < 100.0 && right.x < 100.0, "the head points forward");
    assert!(
        (left.y + right.y).abs() < 1e-9,
        "and is symmetric about the shaft"
    );
}

#[test]
fn stray_clicks_are_not_marks_and_undo_takes_back_marks_then_the_crop() {
    let mut edits = Edits {
        crop: Some(rect(0.0, 0.0, 50.0, 50.0)),
        ..Edits::default()
    };
    edits.add(Mark::Redact(rect(5.0, 5.0, 1.0, 40.0)));
    edits.add(Mark::Arrow {
        from: point(1.0, 1.0),
        to: point(2.0, 2.0),
    });
    assert!(edits.marks.is_empty());
    edits.add(Mark::Highlight(rect(5.0, 5.0, 10.0, 10.0)));
    edits.undo();
    assert!(edits.marks.is_empty() && edits.crop.is_some());
    edits.undo();
    assert_eq!(edits, Edits::default());
}
