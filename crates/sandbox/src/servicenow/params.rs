//! The `sysparm_*` query parameters of the Table API (`c_TableAPI.md`).

use flare_core::query::{Condition, EncodedQuery, Operator};

use crate::servicenow::eval;
use crate::servicenow::schema::{FieldKind, Table};
use crate::servicenow::wire::DisplayValue;

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
    /// present they are ignored. Unlike in `sysparm_query`, their values may be display values (see
    /// [`name_value_condition`]).
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
                    name_value_condition(query, table, key, value)
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

/// Adds the filter of one name-value pair to `query`. "You can also use the display value when the
/// field is a choice or reference type field, such as `&state=closed` instead of `&state=7`"
/// (`c_TableAPI.md`): a choice label, in any case as in that example, stands for its value, and a
/// reference matches the referenced record's sys_id or display value, or for users, as in the
/// example `&assigned_to=john.smith`, the user name.
fn name_value_condition(
    query: EncodedQuery,
    table: Table,
    field: &str,
    value: &str,
) -> EncodedQuery {
    let kind = table.field(field).map(|definition| definition.kind);
    match kind {
        Some(FieldKind::Choice(choices)) => {
            let is_value = choices.iter().any(|(stored, _)| *stored == value);
            let by_label = choices
                .iter()
                .find(|(_, label)| label.eq_ignore_ascii_case(value))
                .map(|(stored, _)| *stored);
            let value = match (is_value, by_label) {
                (false, Some(stored)) => stored,
                _ => value,
            };
            query.and(Condition::new(field, Operator::Equals, value))
        }
        Some(FieldKind::Reference(target)) => {
            let query = query.and(Condition::new(field, Operator::Equals, value));
            let Some(target) = Table::from_name(target) else {
                return query;
            };
            let display_path = format!("{field}.{}", target.display_field());
            let query = query.or(Condition::new(&display_path, Operator::Equals, value));
            match target {
                Table::SysUser => query.or(Condition::new(
                    &format!("{field}.user_name"),
                    Operator::Equals,
                    value,
                )),
                _ => query,
            }
        }
        _ => query.and(Condition::new(field, Operator::Equals, value)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(pairs: &[(&str, &str)], expected: &str) {
        let pairs: Vec<(String, String)> = pairs
            .iter()
            .map(|(key, value)| ((*key).to_owned(), (*value).to_owned()))
            .collect();
        let params = TableParams::from_pairs(&pairs, Table::Incident);
        assert_eq!(params.query.to_string(), expected, "{pairs:?}");
    }

    #[test]
    fn name_value_pairs_take_display_values() {
        check(&[("state", "7")], "state=7");
        check(&[("state", "closed")], "state=7");
        check(
            &[("state", "On Hold"), ("active", "true")],
            "state=3^active=true",
        );
        check(&[("state", "nonsense")], "state=nonsense");
        check(
            &[("assigned_to", "john.smith")],
            "assigned_to=john.smith^ORassigned_to.name=john.smith^ORassigned_to.user_name=john.smith",
        );
        check(
            &[("assignment_group", "Service Desk")],
            "assignment_group=Service Desk^ORassignment_group.name=Service Desk",
        );
        check(&[("nosuch", "1"), ("sysparm_limit", "1")], "");
        check(
            &[("sysparm_query", "state=closed"), ("state", "1")],
            "state=closed",
        );
    }
}
