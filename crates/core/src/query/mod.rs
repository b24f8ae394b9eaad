//! ServiceNow encoded queries: a typed syntax tree, a parser and a printer.
//!
//! An encoded query is the `sysparm_query` string of the Table API, such as
//! `active=true^caller_id=javascript:gs.getUserID()^ORDERBYDESCsys_updated_on`.
//! The grammar follows the vendor's documentation (`c_EncodedQueryStrings.md` and
//! `r_OpAvailableFiltersQueries.md`):
//!
//! - `^` joins conditions with AND, `^OR` joins a condition to the one before it with OR (so OR binds
//!   tighter than AND: `a=1^b=2^ORc=3` means `a=1 AND (b=2 OR c=3)`), and `^NQ` starts a new query
//!   whose results are added to the others ("OR filter").
//! - `ORDERBY<field>` and `ORDERBYDESC<field>` sort the result, in the order they appear.
//! - A condition is `<field><operator><value>`: field names are lower case (dot-walked names like
//!   `caller_id.user_name` included), operators are the upper-case words and symbols of [`Operator`],
//!   and the value runs to the next `^`.
//!
//! The printer writes the canonical form, so `parse(q.to_string()) == q` for every query the types
//! can hold (checked by a property test). Evaluating a query against records is not done here: the
//! sandbox does it, because only it knows the tables.

mod parse;

use std::fmt;

/// The value ServiceNow replaces with the calling user's `sys_id` (Table API docs, `sysparm_query`).
pub const CURRENT_USER: &str = "javascript:gs.getUserID()";

/// A parsed encoded query: alternatives joined by `^NQ`, then the sort order.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct EncodedQuery {
    /// The queries joined by `^NQ`; a record matches if it matches any of them. Empty means every
    /// record matches.
    pub groups: Vec<QueryGroup>,
    /// The `ORDERBY`/`ORDERBYDESC` terms, most significant first.
    pub order_by: Vec<OrderBy>,
}

/// One query between `^NQ` separators: clauses that must all hold.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct QueryGroup {
    /// Clauses joined by `^`; all must hold. Never empty in a parsed query.
    pub all_of: Vec<Clause>,
}

/// Conditions joined by `^OR`; at least one must hold.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Clause {
    /// The alternatives. Never empty in a parsed query.
    pub any_of: Vec<Condition>,
}

/// One `<field><operator><value>` condition.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Condition {
    /// The column name, possibly dot-walked (`caller_id.user_name`).
    pub field: String,
    /// The comparison.
    pub operator: Operator,
    /// The value exactly as written; see [`Condition::values`] and [`Condition::range`] for the
    /// list and range readings. Empty for operators that take no value.
    pub value: String,
}

/// A sort term.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OrderBy {
    /// The column to sort on.
    pub field: String,
    /// Ascending (`ORDERBY`) or descending (`ORDERBYDESC`).
    pub direction: Direction,
}

/// The direction of an [`OrderBy`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Direction {
    /// `ORDERBY<field>`.
    Ascending,
    /// `ORDERBYDESC<field>`.
    Descending,
}

/// The operators of `r_OpAvailableFiltersQueries.md`, named after their condition-builder labels.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Operator {
    /// `=`: is.
    Equals,
    /// `!=`: is not.
    NotEquals,
    /// `LIKE` (alias `*`): contains.
    Like,
    /// `NOT LIKE` (alias `!*`): does not contain.
    NotLike,
    /// `STARTSWITH`: starts with.
    StartsWith,
    /// `ENDSWITH` (alias `%`): ends with.
    EndsWith,
    /// `IN`: is one of a comma-separated list.
    In,
    /// `NOT IN`: is not one of a comma-separated list.
    NotIn,
    /// `ISEMPTY`: has no value.
    IsEmpty,
    /// `ISNOTEMPTY`: has any value.
    IsNotEmpty,
    /// `ANYTHING`: any value, empty or NULL.
    Anything,
    /// `EMPTYSTRING`: is the empty string.
    EmptyString,
    /// `<`: less than, or before for dates.
    LessThan,
    /// `<=`: less than or is, or at or before for dates.
    LessThanOrEquals,
    /// `>`: greater than, or after for dates.
    GreaterThan,
    /// `>=`: greater than or is, or at or after for dates.
    GreaterThanOrEquals,
    /// `BETWEEN`: between two values joined by `@`, inclusive.
    Between,
    /// `SAMEAS`: has the same value as another field.
    SameAs,
    /// `NSAMEAS`: has a different value from another field.
    NotSameAs,
    /// `ON`: on a day, written `<label>@<start>@<end>`.
    On,
    /// `NOTON`: not on a day, written like [`Operator::On`].
    NotOn,
    /// `DATEPART`: a trend on a part of the date.
    DatePart,
    /// `RELATIVEGT`: relative (after), written `@<unit>@<ago|ahead>@<count>`.
    RelativeAfter,
    /// `RELATIVELT`: relative (before), written like [`Operator::RelativeAfter`].
    RelativeBefore,
    /// `MORETHAN`: is more than some time before or after another field.
    IsMoreThan,
    /// `LESSTHAN`: is less than some time before or after another field.
    IsLessThan,
    /// `GT_FIELD`: greater than another field.
    GreaterThanField,
    /// `LT_FIELD`: less than another field.
    LessThanField,
    /// `GT_OR_EQUALS_FIELD`: greater than or equal to another field.
    GreaterThanOrEqualsField,
    /// `LT_OR_EQUALS_FIELD`: less than or equal to another field.
    LessThanOrEqualsField,
    /// `DYNAMIC`: is (dynamic), the value names a dynamic filter such as "Me".
    Dynamic,
    /// `VALCHANGES`: changes (email notifications only).
    ValueChanges,
    /// `CHANGESFROM`: changes from (email notifications only).
    ChangesFrom,
    /// `CHANGESTO`: changes to (email notifications only).
    ChangesTo,
}

/// Why a term of an encoded query could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ParseError {
    /// The term does not start with a field name.
    #[error("missing field name in query term `{term}`")]
    MissingField {
        /// The offending term.
        term: String,
    },
    /// No operator follows the field name.
    #[error("unknown operator in query term `{term}`")]
    UnknownOperator {
        /// The offending term.
        term: String,
    },
    /// `ORDERBY` or `ORDERBYDESC` without a field name.
    #[error("missing field name in sort term `{term}`")]
    MissingSortField {
        /// The offending term.
        term: String,
    },
    /// A documented construct this parser does not support, such as `RLQUERY`.
    #[error("unsupported query term `{term}`")]
    Unsupported {
        /// The offending term.
        term: String,
    },
}

impl EncodedQuery {
    /// Parses an encoded query, failing on the first term it cannot read.
    pub fn parse(encoded: &str) -> Result<Self, ParseError> {
        let (query, errors) = crate::query::parse::parse_terms(encoded);
        match errors.into_iter().next() {
            None => Ok(query),
            Some(error) => Err(error),
        }
    }

    /// Parses an encoded query the way an instance does: terms it cannot read are left out of the
    /// query and returned beside it ("the instance ignores the invalid part", Table API docs).
    pub fn parse_lenient(encoded: &str) -> (Self, Vec<ParseError>) {
        crate::query::parse::parse_terms(encoded)
    }

    /// Adds `condition` with AND (`^`) to the last `^NQ` group.
    pub fn and(mut self, condition: Condition) -> Self {
        let clause = Clause {
            any_of: vec![condition],
        };
        match self.groups.last_mut() {
            Some(group) => group.all_of.push(clause),
            None => self.groups.push(QueryGroup {
                all_of: vec![clause],
            }),
        }
        self
    }

    /// Adds `condition` with OR (`^OR`) to the last clause, or with AND if there is none.
    pub fn or(mut self, condition: Condition) -> Self {
        match self
            .groups
            .last_mut()
            .and_then(|group| group.all_of.last_mut())
        {
            Some(clause) => {
                clause.any_of.push(condition);
                self
            }
            None => self.and(condition),
        }
    }

    /// Starts a new `^NQ` group holding `condition`.
    pub fn new_query(mut self, condition: Condition) -> Self {
        self.groups.push(QueryGroup {
            all_of: vec![Clause {
                any_of: vec![condition],
            }],
        });
        self
    }

    /// Sorts by `field`, ascending, after any earlier sort terms.
    pub fn order_by(mut self, field: &str) -> Self {
        self.order_by.push(OrderBy {
            field: field.to_owned(),
            direction: Direction::Ascending,
        });
        self
    }

    /// Sorts by `field`, descending, after any earlier sort terms.
    pub fn order_by_desc(mut self, field: &str) -> Self {
        self.order_by.push(OrderBy {
            field: field.to_owned(),
            direction: Direction::Descending,
        });
        self
    }

    /// Every condition in the query, in order.
    pub fn conditions(&self) -> impl Iterator<Item = &Condition> {
        self.groups
            .iter()
            .flat_map(|group| group.all_of.iter())
            .flat_map(|clause| clause.any_of.iter())
    }
}

impl Condition {
    /// A condition `<field><operator><value>`.
    ///
    /// A `^` in `value` becomes a space. Encoded queries have no escape for it (ServiceNow's own
    /// community: "there is no way to escape the carat character in encoded query search values"),
    /// and left in, a value typed by a user such as `x^NQactiveANYTHING` would add conditions of its
    /// own and widen the query.
    pub fn new(field: &str, operator: Operator, value: &str) -> Self {
        Condition {
            field: field.to_owned(),
            operator,
            value: value.replace('^', " "),
        }
    }

    /// The comma-separated reading of the value, as `IN` and `NOT IN` use it.
    pub fn values(&self) -> Vec<&str> {
        self.value.split(',').collect()
    }

    /// The `low@high` reading of the value, as `BETWEEN` uses it; `None` without an `@`.
    pub fn range(&self) -> Option<(&str, &str)> {
        self.value.split_once('@')
    }
}

impl Operator {
    /// Every operator, in no particular order.
    pub const ALL: [Operator; 34] = [
        Operator::Equals,
        Operator::NotEquals,
        Operator::Like,
        Operator::NotLike,
        Operator::StartsWith,
        Operator::EndsWith,
        Operator::In,
        Operator::NotIn,
        Operator::IsEmpty,
        Operator::IsNotEmpty,
        Operator::Anything,
        Operator::EmptyString,
        Operator::LessThan,
        Operator::LessThanOrEquals,
        Operator::GreaterThan,
        Operator::GreaterThanOrEquals,
        Operator::Between,
        Operator::SameAs,
        Operator::NotSameAs,
        Operator::On,
        Operator::NotOn,
        Operator::DatePart,
        Operator::RelativeAfter,
        Operator::RelativeBefore,
        Operator::IsMoreThan,
        Operator::IsLessThan,
        Operator::GreaterThanField,
        Operator::LessThanField,
        Operator::GreaterThanOrEqualsField,
        Operator::LessThanOrEqualsField,
        Operator::Dynamic,
        Operator::ValueChanges,
        Operator::ChangesFrom,
        Operator::ChangesTo,
    ];

    /// The canonical spelling in an encoded query.
    pub fn as_str(self) -> &'static str {
        match self {
            Operator::Equals => "=",
            Operator::NotEquals => "!=",
            Operator::Like => "LIKE",
            Operator::NotLike => "NOT LIKE",
            Operator::StartsWith => "STARTSWITH",
            Operator::EndsWith => "ENDSWITH",
            Operator::In => "IN",
            Operator::NotIn => "NOT IN",
            Operator::IsEmpty => "ISEMPTY",
            Operator::IsNotEmpty => "ISNOTEMPTY",
            Operator::Anything => "ANYTHING",
            Operator::EmptyString => "EMPTYSTRING",
            Operator::LessThan => "<",
            Operator::LessThanOrEquals => "<=",
            Operator::GreaterThan => ">",
            Operator::GreaterThanOrEquals => ">=",
            Operator::Between => "BETWEEN",
            Operator::SameAs => "SAMEAS",
            Operator::NotSameAs => "NSAMEAS",
            Operator::On => "ON",
            Operator::NotOn => "NOTON",
            Operator::DatePart => "DATEPART",
            Operator::RelativeAfter => "RELATIVEGT",
            Operator::RelativeBefore => "RELATIVELT",
            Operator::IsMoreThan => "MORETHAN",
            Operator::IsLessThan => "LESSTHAN",
            Operator::GreaterThanField => "GT_FIELD",
            Operator::LessThanField => "LT_FIELD",
            Operator::GreaterThanOrEqualsField => "GT_OR_EQUALS_FIELD",
            Operator::LessThanOrEqualsField => "LT_OR_EQUALS_FIELD",
            Operator::Dynamic => "DYNAMIC",
            Operator::ValueChanges => "VALCHANGES",
            Operator::ChangesFrom => "CHANGESFROM",
            Operator::ChangesTo => "CHANGESTO",
        }
    }

    /// Whether the operator ignores its value (`ISEMPTY`, `ISNOTEMPTY`, `ANYTHING`, `EMPTYSTRING`,
    /// `VALCHANGES`).
    pub fn takes_no_value(self) -> bool {
        matches!(
            self,
            Operator::IsEmpty
                | Operator::IsNotEmpty
                | Operator::Anything
                | Operator::EmptyString
                | Operator::ValueChanges
        )
    }
}

impl fmt::Display for EncodedQuery {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut first_term = true;
        for (group_idx, group) in self.groups.iter().enumerate() {
            if group_idx > 0 {
                f.write_str("^NQ")?;
            }
            for (clause_idx, clause) in group.all_of.iter().enumerate() {
                if clause_idx > 0 {
                    f.write_str("^")?;
                }
                for (condition_idx, condition) in clause.any_of.iter().enumerate() {
                    if condition_idx > 0 {
                        f.write_str("^OR")?;
                    }
                    write!(f, "{condition}")?;
                }
            }
            first_term = false;
        }
        for order in &self.order_by {
            if !first_term {
                f.write_str("^")?;
            }
            first_term = false;
            let keyword = match order.direction {
                Direction::Ascending => "ORDERBY",
                Direction::Descending => "ORDERBYDESC",
            };
            write!(f, "{keyword}{}", order.field)?;
        }
        Ok(())
    }
}

impl fmt::Display for Condition {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}{}{}", self.field, self.operator.as_str(), self.value)
    }
}

impl fmt::Display for Operator {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl std::str::FromStr for EncodedQuery {
    type Err = ParseError;

    fn from_str(encoded: &str) -> Result<Self, Self::Err> {
        EncodedQuery::parse(encoded)
    }
}

#[cfg(test)]
mod tests;
