//! The encoded-query parser: splits on `^`, then reads each term.

use crate::query::{
    Clause, Condition, Direction, EncodedQuery, Operator, OrderBy, ParseError, QueryGroup,
};

/// Operator spellings in the order they are tried: a spelling comes before any shorter spelling it
/// starts with (`NOT LIKE` before nothing shorter, `<=` before `<`). `*`, `!*` and `%` are the
/// documented aliases of `LIKE`, `NOT LIKE` and `ENDSWITH`.
const SPELLINGS: [(&str, Operator); 37] = [
    ("NOT LIKE", Operator::NotLike),
    ("NOT IN", Operator::NotIn),
    ("NOTON", Operator::NotOn),
    ("NSAMEAS", Operator::NotSameAs),
    ("ISNOTEMPTY", Operator::IsNotEmpty),
    ("ISEMPTY", Operator::IsEmpty),
    ("IN", Operator::In),
    ("EMPTYSTRING", Operator::EmptyString),
    ("ANYTHING", Operator::Anything),
    ("STARTSWITH", Operator::StartsWith),
    ("ENDSWITH", Operator::EndsWith),
    ("LIKE", Operator::Like),
    ("BETWEEN", Operator::Between),
    ("SAMEAS", Operator::SameAs),
    ("ON", Operator::On),
    ("DATEPART", Operator::DatePart),
    ("RELATIVEGT", Operator::RelativeAfter),
    ("RELATIVELT", Operator::RelativeBefore),
    ("MORETHAN", Operator::IsMoreThan),
    ("LESSTHAN", Operator::IsLessThan),
    ("GT_OR_EQUALS_FIELD", Operator::GreaterThanOrEqualsField),
    ("GT_FIELD", Operator::GreaterThanField),
    ("LT_OR_EQUALS_FIELD", Operator::LessThanOrEqualsField),
    ("LT_FIELD", Operator::LessThanField),
    ("DYNAMIC", Operator::Dynamic),
    ("VALCHANGES", Operator::ValueChanges),
    ("CHANGESFROM", Operator::ChangesFrom),
    ("CHANGESTO", Operator::ChangesTo),
    ("!=", Operator::NotEquals),
    ("!*", Operator::NotLike),
    ("<=", Operator::LessThanOrEquals),
    (">=", Operator::GreaterThanOrEquals),
    ("<", Operator::LessThan),
    (">", Operator::GreaterThan),
    ("=", Operator::Equals),
    ("*", Operator::Like),
    ("%", Operator::EndsWith),
];

/// Reserved upper-case "fields" of `c_EncodedQueryStrings.md` (search term, text index group).
const RESERVED_FIELDS: [&str; 2] = ["123TEXTQUERY321", "123TEXTINDEXGROUP321"];

/// Reads every term; unreadable terms are left out and reported.
pub(crate) fn parse_terms(encoded: &str) -> (EncodedQuery, Vec<ParseError>) {
    let mut query = EncodedQuery::default();
    let mut errors = Vec::new();
    let mut group = QueryGroup::default();
    for term in encoded.split('^') {
        // `EQ` ends the queries the list filter generates; it adds nothing.
        if term.is_empty() || term == "EQ" {
            continue;
        }
        if let Some(field) = term.strip_prefix("ORDERBYDESC") {
            push_order(&mut query, &mut errors, term, field, Direction::Descending);
            continue;
        }
        if let Some(field) = term.strip_prefix("ORDERBY") {
            push_order(&mut query, &mut errors, term, field, Direction::Ascending);
            continue;
        }
        if term.starts_with("RLQUERY") || term.starts_with("ENDRLQUERY") {
            errors.push(ParseError::Unsupported {
                term: term.to_owned(),
            });
            continue;
        }
        if let Some(rest) = term.strip_prefix("NQ") {
            if !group.all_of.is_empty() {
                query.groups.push(std::mem::take(&mut group));
            }
            match parse_condition(rest) {
                Ok(condition) => group.all_of.push(Clause {
                    any_of: vec![condition],
                }),
                Err(error) => errors.push(error),
            }
            continue;
        }
        if let Some(rest) = term.strip_prefix("OR") {
            match (parse_condition(rest), group.all_of.last_mut()) {
                (Ok(condition), Some(clause)) => clause.any_of.push(condition),
                (Ok(condition), None) => group.all_of.push(Clause {
                    any_of: vec![condition],
                }),
                (Err(error), _) => errors.push(error),
            }
            continue;
        }
        match parse_condition(term) {
            Ok(condition) => group.all_of.push(Clause {
                any_of: vec![condition],
            }),
            Err(error) => errors.push(error),
        }
    }
    if !group.all_of.is_empty() {
        query.groups.push(group);
    }
    (query, errors)
}

fn push_order(
    query: &mut EncodedQuery,
    errors: &mut Vec<ParseError>,
    term: &str,
    field: &str,
    direction: Direction,
) {
    if field.is_empty() {
        errors.push(ParseError::MissingSortField {
            term: term.to_owned(),
        });
        return;
    }
    query.order_by.push(OrderBy {
        field: field.to_owned(),
        direction,
    });
}

fn parse_condition(term: &str) -> Result<Condition, ParseError> {
    let field_len = match RESERVED_FIELDS
        .iter()
        .find(|reserved| term.starts_with(**reserved))
    {
        Some(reserved) => reserved.len(),
        None => term.bytes().take_while(|byte| is_field_byte(*byte)).count(),
    };
    if field_len == 0 {
        return Err(ParseError::MissingField {
            term: term.to_owned(),
        });
    }
    let (field, rest) = term.split_at(field_len);
    let Some((spelling, operator)) = SPELLINGS
        .iter()
        .find(|(spelling, _)| rest.starts_with(spelling))
    else {
        return Err(ParseError::UnknownOperator {
            term: term.to_owned(),
        });
    };
    Ok(Condition::new(field, *operator, &rest[spelling.len()..]))
}

/// Column names are lower case (`sys_id`, `u_custom`, `caller_id.user_name`); operators are upper
/// case or symbols, which is what makes the two separable without a delimiter.
fn is_field_byte(byte: u8) -> bool {
    byte.is_ascii_lowercase() || byte.is_ascii_digit() || byte == b'_' || byte == b'.'
}
