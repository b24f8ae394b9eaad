//! The `group` object clients send to create and update groups, and how it changes a group; the
//! `group_membership` object that puts an agent in a group.
//!
//! The writable keys are those of Zendesk's group object that are not read-only (Groups reference,
//! "JSON format"): `name` (mandatory), `description` and `is_public`. Other keys are ignored, as
//! for tickets. The reference names no error bodies for groups; refusals are 422 `RecordInvalid`
//! for the field, in the sandbox's own wording.

use serde_json::Value;

use crate::zendesk::account::Group;
use crate::zendesk::error::ZendeskError;
use crate::zendesk::tickets::{body_object, value_as_id};

/// What a `group` object asks for; `None` for keys not sent.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct GroupInput {
    pub(crate) name: Option<String>,
    pub(crate) description: Option<String>,
    pub(crate) is_public: Option<bool>,
}

impl GroupInput {
    /// Reads the `group` object of a request body; values of the wrong kind answer 422 for their
    /// field.
    pub(crate) fn parse(body: &Value) -> Result<GroupInput, ZendeskError> {
        let object = body_object(body, "group")?;
        let text = |key: &str| match object.get(key) {
            None => Ok(None),
            Some(Value::Null) => Ok(Some(String::new())),
            Some(Value::String(text)) => Ok(Some(text.clone())),
            Some(_) => Err(ZendeskError::invalid_value(key)),
        };
        let is_public = match object.get("is_public") {
            None | Some(Value::Null) => None,
            Some(Value::Bool(is_public)) => Some(*is_public),
            Some(_) => return Err(ZendeskError::invalid_value("is_public")),
        };
        Ok(GroupInput {
            name: text("name")?,
            description: text("description")?,
            is_public,
        })
    }
}

/// What a `group_membership` object asks for (Zendesk's Group Memberships reference: `user_id`
/// and `group_id` mandatory, `default` optional).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct MembershipInput {
    pub(crate) user_id: u64,
    pub(crate) group_id: u64,
    pub(crate) default: bool,
}

impl MembershipInput {
    /// Reads the `group_membership` object of a request body; a missing or unreadable id answers
    /// 422 for its field.
    pub(crate) fn parse(body: &Value) -> Result<MembershipInput, ZendeskError> {
        let object = body_object(body, "group_membership")?;
        let id = |key: &str| {
            object
                .get(key)
                .and_then(value_as_id)
                .ok_or_else(|| ZendeskError::invalid_value(key))
        };
        let default = match object.get("default") {
            None | Some(Value::Null) => false,
            Some(Value::Bool(default)) => *default,
            Some(_) => return Err(ZendeskError::invalid_value("default")),
        };
        Ok(MembershipInput {
            user_id: id("user_id")?,
            group_id: id("group_id")?,
            default,
        })
    }
}

/// Applies `input` to `group`. The name must not end up blank ("Mandatory" in the reference), and
/// a private group cannot be made public ("You can't change a private group to a public group").
pub(crate) fn apply(group: &mut Group, input: &GroupInput) -> Result<(), ZendeskError> {
    let name = input.name.as_deref().unwrap_or(&group.name).trim();
    if name.is_empty() {
        return Err(ZendeskError::invalid("name", "Name: cannot be blank"));
    }
    if input.is_public == Some(true) && !group.is_public {
        return Err(ZendeskError::invalid(
            "is_public",
            "Is public: a private group cannot be made public",
        ));
    }
    group.name = name.to_owned();
    if let Some(description) = &input.description {
        group.description = description.clone();
    }
    if let Some(is_public) = input.is_public {
        group.is_public = is_public;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::zendesk::error::check_applied;

    fn group(is_public: bool) -> Group {
        Group {
            id: 1,
            name: "Support".into(),
            description: String::new(),
            is_public,
            default: false,
            deleted: false,
            created_at: 0,
            updated_at: 0,
        }
    }

    /// Applies `body` to a group that is public or not, and gives its name, description and
    /// visibility, or the field refused.
    fn check(is_public: bool, body: Value, expected: Result<(&str, &str, bool), &str>) {
        let mut group = group(is_public);
        let applied = GroupInput::parse(&body)
            .and_then(|input| apply(&mut group, &input))
            .map(|()| {
                (
                    group.name.as_str(),
                    group.description.as_str(),
                    group.is_public,
                )
            });
        check_applied(&body, applied, expected);
    }

    #[test]
    fn applies_the_writable_keys() {
        check(
            true,
            json!({"group": {"name": " Tier 2 ", "description": "Escalations", "id": 7}}),
            Ok(("Tier 2", "Escalations", true)),
        );
        check(
            true,
            json!({"group": {"description": null}}),
            Ok(("Support", "", true)),
        );
        check(
            true,
            json!({"group": {"is_public": false}}),
            Ok(("Support", "", false)),
        );
        check(
            false,
            json!({"group": {"is_public": false}}),
            Ok(("Support", "", false)),
        );
    }

    #[test]
    fn refuses_what_the_reference_rules_out() {
        check(true, json!({"group": {"name": "  "}}), Err("name"));
        check(true, json!({"group": {"name": 5}}), Err("name"));
        check(
            true,
            json!({"group": {"is_public": "yes"}}),
            Err("is_public"),
        );
        check(
            false,
            json!({"group": {"is_public": true}}),
            Err("is_public"),
        );
        assert!(matches!(
            GroupInput::parse(&json!({"name": "no envelope"})),
            Err(ZendeskError::BadRequest(_))
        ));
    }
}
