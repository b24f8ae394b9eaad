//! Pages of a list, and where the next one is.

/// One page of a list, and where the next one starts.
#[derive(Debug, Clone, PartialEq)]
pub struct Page<T> {
    /// The records on this page.
    pub items: Vec<T>,
    /// How many records match in all, when the service said (`X-Total-Count`, `count`).
    pub total: Option<u64>,
    /// The offset of the next page, or `None` on the last page.
    pub next_offset: Option<u64>,
}
