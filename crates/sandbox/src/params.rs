//! The `sysparm_*` query parameters of the Table API (`c_TableAPI.md`).

use flare_core::query::{Condition, EncodedQuery, Operator};

use crate::eval;
use crate::render::DisplayValue;
use crate::schema::Table;

/// `sysparm_limit` when none is given.
pub(crate) const DEFAULT_LIMIT: usize = 10_000;

/// Every parameter a Table API GET understands, read leniently: values that do not parse fall back
/// to the default, as unknown parameters are ignored.
#[derive(Debug, Clone)]
pub(crate) struct TableParams {
    pub(crate) query: EncodedQuery,
    pub(crate) limit: usize,
    pub(crate) offset: usize,
    pub(crate) fields: Option<Vec<String>>,
    pub(crate) display_value: DisplayValue,
    pub(crate) exclude_reference_link: bool,
    pub(crate) no_count: bool,
    pub(crate) suppress_pagination_header: bool,
    pub(crate) input_display_value: bool,
}

impl TableParams {
    /// Reads the parameters of a request on `table`. Name-value pairs (`&active=true`) filter like
    /// `sysparm_query`, with which the docs call them mutually exclusive: when `sysparm_query` is
    /// present they are ignored.
    pub(crate) fn from_pairs(pairs: &[(String, String)], table: Table) -> TableParams {
        let get = |name: &str| {
            pairs
                .iter()
                .find(|(key, _)| key == name)
                .map(|(_, value)| value.as_str())
        };
        let flag = |name: &str| get(name).is_some_and(|value| value.eq_ignore_ascii_case("true"));
        let query = match get("sysparm_query") {
            Some(encoded) => EncodedQuery::parse_lenient(encoded).0,
            None => pairs
                .iter()
                .filter(|(key, _)| !key.starts_with("sysparm_") && table.field(key).is_some())
                .fold(EncodedQuery::default(), |query, (key, value)| {
                    query.and(Condition::new(key, Operator::Equals, value))
                }),
        };
        TableParams {
            query: eval::drop_invalid_parts(query, table),
            limit: get("sysparm_limit")
                .and_then(|limit| limit.parse().ok())
                .unwrap_or(DEFAULT_LIMIT),
            offset: get("sysparm_offset")
                .and_then(|offset| offset.parse().ok())
                .unwrap_or(0),
            fields: get("sysparm_fields")
                .filter(|fields| !fields.is_empty())
                .map(|fields| {
                    fields
                        .split(',')
                        .map(|field| field.trim().to_owned())
                        .collect()
                }),
            display_value: match get("sysparm_display_value") {
                Some(value) if value.eq_ignore_ascii_case("true") => DisplayValue::Display,
                Some(value) if value.eq_ignore_ascii_case("all") => DisplayValue::Both,
                _ => DisplayValue::Stored,
            },
            exclude_reference_link: flag("sysparm_exclude_reference_link"),
            no_count: flag("sysparm_no_count"),
            suppress_pagination_header: flag("sysparm_suppress_pagination_header"),
            input_display_value: flag("sysparm_input_display_value"),
        }
    }
}
