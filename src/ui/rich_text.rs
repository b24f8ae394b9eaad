//! Messages whose substituted values carry markup: a link, a `<strong>`, a `<time>`.

use leptos::prelude::*;

use crate::i18n::Piece;

/// The pieces of a message (`Messages::pieces`) as one view: words as text, and each substitution
/// as `arg` renders it, given its index (0 for `$1`). Languages order the values differently, so
/// the markup cannot be put around a `format`ted string.
pub fn rich_text(pieces: Vec<Piece<'_>>, arg: impl Fn(usize) -> AnyView) -> Vec<AnyView> {
    pieces
        .into_iter()
        .map(|piece| match piece {
            Piece::Text(text) => text.to_owned().into_any(),
            Piece::Arg(arg_idx) => arg(arg_idx),
        })
        .collect()
}
