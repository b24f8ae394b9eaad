use proptest::prelude::*;

use super::*;

/// Parses a one-condition query and compares the condition; the canonical printing must read back.
fn check(encoded: &str, field: &str, operator: Operator, value: &str) {
    let query = EncodedQuery::parse(encoded).expect("the example parses");
    let conditions: Vec<&Condition> = query.conditions().collect();
    assert_eq!(
        conditions,
        vec![&Condition::new(field, operator, value)],
        "{encoded}"
    );
    assert_eq!(
        EncodedQuery::parse(&query.to_string()),
        Ok(query),
        "{encoded}"
    );
}

// One test per operator, with the examples of `r_OpAvailableFiltersQueries.md`.

#[test]
fn equals() {
    check(
        "short_description=Network storage unavailable",
        "short_description",
        Operator::Equals,
        "Network storage unavailable",
    );
    check(
        "caller_id=javascript:gs.getUserID()",
        "caller_id",
        Operator::Equals,
        CURRENT_USER,
    );
    check("active=", "active", Operator::Equals, "");
}

#[test]
fn not_equals() {
    check(
        "caller_id!=9ee1b13dc6112271007f9d0efdb69cd0",
        "caller_id",
        Operator::NotEquals,
        "9ee1b13dc6112271007f9d0efdb69cd0",
    );
}

#[test]
fn like_and_its_alias() {
    check(
        "short_descriptionLIKESAP",
        "short_description",
        Operator::Like,
        "SAP",
    );
    check(
        "short_description*SAP",
        "short_description",
        Operator::Like,
        "SAP",
    );
}

#[test]
fn not_like_and_its_alias() {
    check(
        "short_descriptionNOT LIKESAP",
        "short_description",
        Operator::NotLike,
        "SAP",
    );
    check(
        "short_description!*SAP",
        "short_description",
        Operator::NotLike,
        "SAP",
    );
}

#[test]
fn starts_with() {
    check(
        "short_descriptionSTARTSWITHSAP",
        "short_description",
        Operator::StartsWith,
        "SAP",
    );
}

#[test]
fn ends_with_and_its_alias() {
    check(
        "short_descriptionENDSWITHoutage",
        "short_description",
        Operator::EndsWith,
        "outage",
    );
    check(
        "short_description%outage",
        "short_description",
        Operator::EndsWith,
        "outage",
    );
}

#[test]
fn in_list() {
    check(
        "subcategoryINdb2,sql server,oracle",
        "subcategory",
        Operator::In,
        "db2,sql server,oracle",
    );
    let query = EncodedQuery::parse("impactIN1,2").unwrap();
    assert_eq!(query.conditions().next().unwrap().values(), vec!["1", "2"]);
}

#[test]
fn not_in_list() {
    check(
        "subcategoryNOT INdb2,sql server,oracle",
        "subcategory",
        Operator::NotIn,
        "db2,sql server,oracle",
    );
}

#[test]
fn is_empty() {
    check(
        "short_descriptionISEMPTY",
        "short_description",
        Operator::IsEmpty,
        "",
    );
}

#[test]
fn is_not_empty() {
    check("caller_idISNOTEMPTY", "caller_id", Operator::IsNotEmpty, "");
}

#[test]
fn anything() {
    check(
        "short_descriptionANYTHING",
        "short_description",
        Operator::Anything,
        "",
    );
}

#[test]
fn empty_string() {
    check(
        "short_descriptionEMPTYSTRING",
        "short_description",
        Operator::EmptyString,
        "",
    );
}

#[test]
fn less_than() {
    check(
        "reassignment_count<2",
        "reassignment_count",
        Operator::LessThan,
        "2",
    );
    check(
        "sla_due<javascript:gs.daysAgoStart(0)",
        "sla_due",
        Operator::LessThan,
        "javascript:gs.daysAgoStart(0)",
    );
}

#[test]
fn less_than_or_equals() {
    check("impact<=2", "impact", Operator::LessThanOrEquals, "2");
}

#[test]
fn greater_than() {
    check("impact>2", "impact", Operator::GreaterThan, "2");
}

#[test]
fn greater_than_or_equals() {
    check(
        "short_description>=s",
        "short_description",
        Operator::GreaterThanOrEquals,
        "s",
    );
}

#[test]
fn between() {
    check(
        "reassignment_countBETWEEN1@3",
        "reassignment_count",
        Operator::Between,
        "1@3",
    );
    let query = EncodedQuery::parse("short_descriptionBETWEENq@t").unwrap();
    assert_eq!(query.conditions().next().unwrap().range(), Some(("q", "t")));
}

#[test]
fn same_as() {
    check(
        "short_descriptionSAMEASdescription",
        "short_description",
        Operator::SameAs,
        "description",
    );
    check(
        "sla_dueSAMEASactivity_due@day",
        "sla_due",
        Operator::SameAs,
        "activity_due@day",
    );
}

#[test]
fn not_same_as() {
    check(
        "caller_idNSAMEASassigned_to",
        "caller_id",
        Operator::NotSameAs,
        "assigned_to",
    );
}

#[test]
fn on() {
    check(
        "sla_dueONToday@javascript:gs.daysAgoStart(0)@javascript:gs.daysAgoEnd(0)",
        "sla_due",
        Operator::On,
        "Today@javascript:gs.daysAgoStart(0)@javascript:gs.daysAgoEnd(0)",
    );
}

#[test]
fn not_on() {
    check(
        "sla_dueNOTONToday@a@b",
        "sla_due",
        Operator::NotOn,
        "Today@a@b",
    );
}

#[test]
fn date_part() {
    check(
        "sla_dueDATEPARTMonday@javascript:gs.datePart('dayofweek','monday','GE')",
        "sla_due",
        Operator::DatePart,
        "Monday@javascript:gs.datePart('dayofweek','monday','GE')",
    );
}

#[test]
fn relative() {
    check(
        "sla_dueRELATIVEGT@hour@ago@1",
        "sla_due",
        Operator::RelativeAfter,
        "@hour@ago@1",
    );
    check(
        "sla_dueRELATIVELT@hour@ago@1",
        "sla_due",
        Operator::RelativeBefore,
        "@hour@ago@1",
    );
}

#[test]
fn more_and_less_than() {
    check(
        "sla_dueMORETHANactivity_due@day@before@1",
        "sla_due",
        Operator::IsMoreThan,
        "activity_due@day@before@1",
    );
    check(
        "sla_dueLESSTHANactivity_due@day@before@3",
        "sla_due",
        Operator::IsLessThan,
        "activity_due@day@before@3",
    );
}

#[test]
fn field_comparisons() {
    check(
        "reassignment_countGT_FIELDreopen_count",
        "reassignment_count",
        Operator::GreaterThanField,
        "reopen_count",
    );
    check(
        "reassignment_countLT_FIELDreopen_count",
        "reassignment_count",
        Operator::LessThanField,
        "reopen_count",
    );
    check(
        "reassignment_countGT_OR_EQUALS_FIELDreopen_count",
        "reassignment_count",
        Operator::GreaterThanOrEqualsField,
        "reopen_count",
    );
    check(
        "reassignment_countLT_OR_EQUALS_FIELDreopen_count",
        "reassignment_count",
        Operator::LessThanOrEqualsField,
        "reopen_count",
    );
}

#[test]
fn dynamic() {
    check(
        "caller_idDYNAMIC54635e965f510100a9ad2572f2b4774c",
        "caller_id",
        Operator::Dynamic,
        "54635e965f510100a9ad2572f2b4774c",
    );
}

#[test]
fn change_operators() {
    check("stateVALCHANGES", "state", Operator::ValueChanges, "");
    check("stateCHANGESFROM4", "state", Operator::ChangesFrom, "4");
    check("stateCHANGESTO4", "state", Operator::ChangesTo, "4");
}

#[test]
fn dot_walked_field() {
    check(
        "caller_id.user_name=abel.tuter",
        "caller_id.user_name",
        Operator::Equals,
        "abel.tuter",
    );
}

#[test]
fn reserved_text_query_field() {
    check(
        "123TEXTQUERY321=email",
        "123TEXTQUERY321",
        Operator::Equals,
        "email",
    );
}

#[test]
fn every_operator_prints_and_reads_back() {
    for operator in Operator::ALL {
        let condition = Condition::new("field_1", operator, "value");
        let printed = condition.to_string();
        let query = EncodedQuery::parse(&printed).expect("a printed condition parses");
        assert_eq!(
            query.conditions().collect::<Vec<_>>(),
            vec![&condition],
            "{printed}"
        );
    }
}

/// Parses `encoded`, compares the structure (as `Debug` text, for short expectations) and checks
/// that the canonical printing is `canonical`.
fn check_query(encoded: &str, canonical: &str) {
    let query = EncodedQuery::parse(encoded).expect("the example parses");
    assert_eq!(query.to_string(), canonical, "{encoded}");
    assert_eq!(EncodedQuery::parse(canonical), Ok(query));
}

#[test]
fn and_or_and_new_query() {
    let query =
        EncodedQuery::parse("active=true^priority=1^ORpriority=2^NQshort_descriptionISEMPTY")
            .unwrap();
    let expected = EncodedQuery::default()
        .and(Condition::new("active", Operator::Equals, "true"))
        .and(Condition::new("priority", Operator::Equals, "1"))
        .or(Condition::new("priority", Operator::Equals, "2"))
        .new_query(Condition::new("short_description", Operator::IsEmpty, ""));
    assert_eq!(query, expected);
    assert_eq!(query.groups.len(), 2);
    assert_eq!(query.groups[0].all_of[1].any_of.len(), 2);
}

#[test]
fn order_by() {
    let query = EncodedQuery::parse("active=true^ORDERBYnumber^ORDERBYDESCcategory").unwrap();
    let expected = EncodedQuery::default()
        .and(Condition::new("active", Operator::Equals, "true"))
        .order_by("number")
        .order_by_desc("category");
    assert_eq!(query, expected);
}

#[test]
fn canonical_forms() {
    check_query(
        "active=true^ORDERBYnumber^ORDERBYcategory",
        "active=true^ORDERBYnumber^ORDERBYcategory",
    );
    check_query("ORDERBYDESCsys_updated_on", "ORDERBYDESCsys_updated_on");
    check_query("ORDERBYnumber^active=true", "active=true^ORDERBYnumber");
    check_query("^active=true^EQ", "active=true");
    check_query("short_description*SAP", "short_descriptionLIKESAP");
    check_query("", "");
    check_query("roles=itil^ORroles=admin", "roles=itil^ORroles=admin");
    check_query("a=1^NQb=2^ORDERBYc", "a=1^NQb=2^ORDERBYc");
}

#[test]
fn errors_name_the_term() {
    assert_eq!(
        EncodedQuery::parse("active=true^Bogus=1"),
        Err(ParseError::MissingField {
            term: "Bogus=1".to_owned()
        })
    );
    assert_eq!(
        EncodedQuery::parse("active~true"),
        Err(ParseError::UnknownOperator {
            term: "active~true".to_owned()
        })
    );
    assert_eq!(
        EncodedQuery::parse("ORDERBY"),
        Err(ParseError::MissingSortField {
            term: "ORDERBY".to_owned()
        })
    );
    assert_eq!(
        EncodedQuery::parse("^RLQUERYincident.problem_id,>=1^ENDRLQUERY").unwrap_err(),
        ParseError::Unsupported {
            term: "RLQUERYincident.problem_id,>=1".to_owned()
        }
    );
    assert_eq!(
        ParseError::UnknownOperator {
            term: "a~b".to_owned()
        }
        .to_string(),
        "unknown operator in query term `a~b`"
    );
}

#[test]
fn lenient_parse_drops_bad_terms_only() {
    let (query, errors) =
        EncodedQuery::parse_lenient("active=true^Bogus=1^ORpriority=1^ORDERBYnumber");
    assert_eq!(query.to_string(), "active=true^ORpriority=1^ORDERBYnumber");
    assert_eq!(errors.len(), 1);
}

fn field() -> impl Strategy<Value = String> {
    "[a-z][a-z0-9_]{0,8}(\\.[a-z][a-z0-9_]{0,8})?"
}

fn condition() -> impl Strategy<Value = Condition> {
    // A value may hold anything but `^`; it may not start with `=`, because `<` + `=x` and `<=` + `x`
    // print the same.
    (
        field(),
        proptest::sample::select(Operator::ALL.to_vec()),
        "([^=^][^^]{0,12})?",
    )
        .prop_map(|(field, operator, value)| Condition {
            field,
            operator,
            value,
        })
}

fn query() -> impl Strategy<Value = EncodedQuery> {
    let clause = proptest::collection::vec(condition(), 1..3).prop_map(|any_of| Clause { any_of });
    let group = proptest::collection::vec(clause, 1..4).prop_map(|all_of| QueryGroup { all_of });
    let order = (field(), any::<bool>()).prop_map(|(field, descending)| OrderBy {
        field,
        direction: if descending {
            Direction::Descending
        } else {
            Direction::Ascending
        },
    });
    (
        proptest::collection::vec(group, 0..3),
        proptest::collection::vec(order, 0..3),
    )
        .prop_map(|(groups, order_by)| EncodedQuery { groups, order_by })
}

proptest! {
    #[test]
    fn printing_then_parsing_gives_the_same_query(query in query()) {
        let printed = query.to_string();
        prop_assert_eq!(EncodedQuery::parse(&printed), Ok(query), "{}", printed);
    }

    #[test]
    fn lenient_parsing_never_panics_and_prints_readable_queries(encoded in "\\PC{0,40}") {
        let (query, _) = EncodedQuery::parse_lenient(&encoded);
        let printed = query.to_string();
        prop_assert_eq!(EncodedQuery::parse(&printed), Ok(query));
    }
}

#[test]
fn values_cannot_inject_terms() {
    let query = EncodedQuery::default()
        .and(Condition::new(
            "short_description",
            Operator::Like,
            "avalue^NQanyfieldANYTHING",
        ))
        .and(Condition::new("state", Operator::Equals, "1"));
    let printed = query.to_string();
    assert_eq!(
        printed,
        "short_descriptionLIKEavalue NQanyfieldANYTHING^state=1"
    );
    let reparsed = EncodedQuery::parse(&printed).expect("parses");
    assert_eq!(reparsed.groups.len(), 1, "no ^NQ group was injected");
    assert_eq!(reparsed, query);
}
