//! Property tests of the matching code: the laws `r_OpAvailableFiltersQueries.md` and
//! `c_EncodedQueryStrings.md` imply between operators, checked on generated incidents.

use proptest::prelude::*;

use flare_core::query::EncodedQuery;

use crate::common::datetime::{self, UnixSeconds};
use crate::servicenow::eval::{self, EvalContext};
use crate::servicenow::schema::Table;
use crate::servicenow::store::{Database, Record, User};
use crate::servicenow::table::build_record;

/// 2024-03-04 00:00:00 UTC; generated dates fall in the ten days after it.
const BASE: UnixSeconds = 1_709_510_400;

/// The fields of a generated incident the queries look at; `""` is an empty field.
#[derive(Debug, Clone)]
struct Fields {
    short_description: String,
    description: String,
    reassignment_count: String,
    reopen_count: String,
    sla_due: String,
}

const TEXT_FIELDS: [&str; 2] = ["short_description", "description"];
const COUNT_FIELDS: [&str; 2] = ["reassignment_count", "reopen_count"];

fn text() -> impl Strategy<Value = String> {
    "[ab]{0,3}"
}

/// A value to look for: never empty, so `LIKE` and `IN` have something to match.
fn text_value() -> impl Strategy<Value = String> {
    "[ab]{1,2}"
}

fn count() -> impl Strategy<Value = String> {
    prop_oneof![Just(String::new()), count_value()]
}

fn count_value() -> impl Strategy<Value = String> {
    (0_u32..12).prop_map(|count| count.to_string())
}

fn date() -> impl Strategy<Value = String> {
    prop_oneof![Just(String::new()), date_value()]
}

/// Whole hours, so that bounds often fall exactly on a field's value.
fn date_value() -> impl Strategy<Value = String> {
    (0_i64..240).prop_map(|hours| datetime::format(BASE + hours * 3600))
}

fn fields() -> impl Strategy<Value = Fields> {
    (text(), text(), count(), count(), date()).prop_map(
        |(short_description, description, reassignment_count, reopen_count, sla_due)| Fields {
            short_description,
            description,
            reassignment_count,
            reopen_count,
            sla_due,
        },
    )
}

/// One condition on one of the generated fields.
fn condition() -> impl Strategy<Value = String> {
    let text_operator = prop::sample::select(vec![
        "=",
        "!=",
        "LIKE",
        "NOT LIKE",
        "STARTSWITH",
        "ENDSWITH",
    ]);
    let comparison = prop::sample::select(vec!["=", "!=", "<", "<=", ">", ">="]);
    prop_oneof![
        (
            prop::sample::select(TEXT_FIELDS.to_vec()),
            text_operator,
            text_value()
        )
            .prop_map(|(field, operator, value)| format!("{field}{operator}{value}")),
        (
            prop::sample::select(TEXT_FIELDS.to_vec()),
            prop::sample::select(vec!["ISEMPTY", "ISNOTEMPTY"])
        )
            .prop_map(|(field, operator)| format!("{field}{operator}")),
        (
            prop::sample::select(COUNT_FIELDS.to_vec()),
            comparison.clone(),
            count_value()
        )
            .prop_map(|(field, operator, value)| format!("{field}{operator}{value}")),
        (comparison, date_value())
            .prop_map(|(operator, value)| format!("sla_due{operator}{value}")),
        (
            prop::sample::select(COUNT_FIELDS.to_vec()),
            count_value(),
            count_value()
        )
            .prop_map(|(field, low, high)| format!("{field}BETWEEN{low}@{high}")),
    ]
}

/// A query of one to four conditions joined by `^` or `^OR`.
fn query() -> impl Strategy<Value = String> {
    (
        condition(),
        prop::collection::vec((prop::bool::ANY, condition()), 0..4),
    )
        .prop_map(|(first, rest)| {
            rest.into_iter()
                .fold(first, |query, (or, condition)| match or {
                    true => format!("{query}^OR{condition}"),
                    false => format!("{query}^{condition}"),
                })
        })
}

fn incident(fields: &Fields, idx: usize) -> Record {
    let author = User {
        sys_id: String::new(),
        user_name: "admin".to_owned(),
        roles: Vec::new(),
    };
    let values = [
        ("sys_id", format!("{idx:032x}")),
        ("short_description", fields.short_description.clone()),
        ("description", fields.description.clone()),
        ("reassignment_count", fields.reassignment_count.clone()),
        ("reopen_count", fields.reopen_count.clone()),
        ("sla_due", fields.sla_due.clone()),
    ];
    build_record(Table::Incident, &author, &values, BASE)
}

fn parse(query: &str) -> EncodedQuery {
    let parsed = EncodedQuery::parse(query)
        .unwrap_or_else(|error| panic!("{query} does not parse: {error}"));
    eval::drop_invalid_parts(parsed, Table::Incident)
}

fn holds(query: &str, record: &Record) -> bool {
    let db = Database::default();
    let user = User {
        sys_id: String::new(),
        user_name: "admin".to_owned(),
        roles: vec!["admin".to_owned()],
    };
    let context = EvalContext {
        db: &db,
        user: &user,
        now: BASE,
    };
    eval::matches(&parse(query), record, &context)
}

/// The order the ORDERBY terms ask for, worked out without the sandbox's `compare`: counts as
/// numbers, an empty count first; text and dates as text.
fn expected_order(records: &[Fields], order_by: &[(&str, bool)]) -> Vec<usize> {
    let mut indexes: Vec<usize> = (0..records.len()).collect();
    indexes.sort_by(|&left, &right| {
        let (left, right) = (&records[left], &records[right]);
        order_by
            .iter()
            .map(|&(field, descending)| {
                let ordering = match field {
                    "reassignment_count" => {
                        let number =
                            |fields: &Fields| fields.reassignment_count.parse::<i64>().ok();
                        number(left).cmp(&number(right))
                    }
                    "short_description" => left.short_description.cmp(&right.short_description),
                    _ => left.sla_due.cmp(&right.sla_due),
                };
                match descending {
                    true => ordering.reverse(),
                    false => ordering,
                }
            })
            .find(|ordering| ordering.is_ne())
            .unwrap_or(std::cmp::Ordering::Equal)
    });
    indexes
}

proptest! {
    #[test]
    fn or_is_either_and_caret_is_both(a in condition(), b in condition(), fields in fields()) {
        let record = incident(&fields, 0);
        let (a_holds, b_holds) = (holds(&a, &record), holds(&b, &record));
        prop_assert_eq!(holds(&format!("{a}^OR{b}"), &record), a_holds || b_holds);
        prop_assert_eq!(holds(&format!("{a}^{b}"), &record), a_holds && b_holds);
    }

    /// `^OR` joins a condition to the one before it, so `a^b^ORc` is `a` and (`b` or `c`), as the
    /// condition builder's rows read.
    #[test]
    fn or_binds_tighter_than_and(
        a in condition(),
        b in condition(),
        c in condition(),
        fields in fields(),
    ) {
        let record = incident(&fields, 0);
        let expected = holds(&a, &record) && (holds(&b, &record) || holds(&c, &record));
        prop_assert_eq!(holds(&format!("{a}^{b}^OR{c}"), &record), expected);
    }

    /// `^NQ` is the "OR filter": "OR all these conditions must be met", so it matches the records
    /// either query matches.
    #[test]
    fn new_query_is_the_union(first in query(), second in query(), fields in fields()) {
        let record = incident(&fields, 0);
        let expected = holds(&first, &record) || holds(&second, &record);
        prop_assert_eq!(holds(&format!("{first}^NQ{second}"), &record), expected);
    }

    #[test]
    fn not_equals_is_the_complement_on_non_empty_fields(
        field in prop::sample::select([TEXT_FIELDS, COUNT_FIELDS].concat()),
        value in prop_oneof![text_value(), count_value()],
        fields in fields(),
    ) {
        let record = incident(&fields, 0);
        prop_assume!(!record.get(field).is_empty());
        prop_assert_eq!(
            holds(&format!("{field}!={value}"), &record),
            !holds(&format!("{field}={value}"), &record)
        );
    }

    #[test]
    fn in_is_an_or_of_equals(
        field in prop::sample::select(TEXT_FIELDS.to_vec()),
        values in prop::collection::vec(text_value(), 1..4),
        fields in fields(),
    ) {
        let record = incident(&fields, 0);
        let any_equal = values
            .iter()
            .map(|value| format!("{field}={value}"))
            .collect::<Vec<_>>()
            .join("^OR");
        let list = values.join(",");
        prop_assert_eq!(holds(&format!("{field}IN{list}"), &record), holds(&any_equal, &record));
        prop_assert_eq!(
            holds(&format!("{field}NOT IN{list}"), &record),
            !holds(&any_equal, &record)
        );
    }

    #[test]
    fn not_like_is_the_complement_of_like(
        field in prop::sample::select(TEXT_FIELDS.to_vec()),
        value in text_value(),
        fields in fields(),
    ) {
        let record = incident(&fields, 0);
        prop_assert_eq!(
            holds(&format!("{field}NOT LIKE{value}"), &record),
            !holds(&format!("{field}LIKE{value}"), &record)
        );
        prop_assert_eq!(
            holds(&format!("{field}ISNOTEMPTY"), &record),
            !holds(&format!("{field}ISEMPTY"), &record)
        );
    }

    #[test]
    fn between_is_at_least_and_at_most_for_numbers(
        field in prop::sample::select(COUNT_FIELDS.to_vec()),
        low in count_value(),
        high in count_value(),
        fields in fields(),
    ) {
        let record = incident(&fields, 0);
        prop_assert_eq!(
            holds(&format!("{field}BETWEEN{low}@{high}"), &record),
            holds(&format!("{field}>={low}^{field}<={high}"), &record)
        );
    }

    /// Also with the bounds as pysnow sends datetimes, `javascript:gs.dateGenerate("...")`.
    #[test]
    fn between_is_at_least_and_at_most_for_dates(
        low in date_value(),
        high in date_value(),
        fields in fields(),
    ) {
        let record = incident(&fields, 0);
        let expected = holds(&format!("sla_due>={low}^sla_due<={high}"), &record);
        prop_assert_eq!(holds(&format!("sla_dueBETWEEN{low}@{high}"), &record), expected);
        let generated = format!(
            r#"sla_dueBETWEENjavascript:gs.dateGenerate("{low}")@javascript:gs.dateGenerate("{high}")"#
        );
        prop_assert_eq!(holds(&generated, &record), expected);
    }

    /// ORDERBY and ORDERBYDESC sort by each term in turn and keep the order of equal records.
    #[test]
    fn order_by_sorts(
        records in prop::collection::vec(fields(), 0..12),
        order_by in prop::collection::vec(
            (
                prop::sample::select(vec!["reassignment_count", "short_description", "sla_due"]),
                prop::bool::ANY,
            ),
            1..3,
        ),
    ) {
        let query = order_by
            .iter()
            .map(|(field, descending)| match descending {
                true => format!("ORDERBYDESC{field}"),
                false => format!("ORDERBY{field}"),
            })
            .collect::<Vec<_>>()
            .join("^");
        let incidents: Vec<Record> = records
            .iter()
            .enumerate()
            .map(|(idx, fields)| incident(fields, idx))
            .collect();
        let mut sorted: Vec<&Record> = incidents.iter().collect();
        let db = Database::default();
        let user = User {
            sys_id: String::new(),
            user_name: "admin".to_owned(),
            roles: Vec::new(),
        };
        let context = EvalContext { db: &db, user: &user, now: BASE };
        eval::sort(&mut sorted, &parse(&query), &context);
        let actual: Vec<&str> = sorted.iter().map(|record| record.sys_id()).collect();
        let expected: Vec<String> = expected_order(&records, &order_by)
            .into_iter()
            .map(|idx| format!("{idx:032x}"))
            .collect();
        prop_assert_eq!(actual, expected, "{}", query);
    }
}
