//! The `user` object clients send to create and update users, and how it changes a user.
//!
//! Keys are those of Zendesk's user object (Users reference, "JSON format"; recorded
//! `TestUsersPagination`, which creates users from `{"user": {"name": ...}}`): `name` (mandatory),
//! `email`, `role`, `organization_id`, `custom_role_id`, `external_id` and `verified`. Other keys
//! are ignored, as for tickets. A missing name answers as a real account did (node-zendesk issue
//! 3: "Name: is too short (minimum is 1 characters)"); other refusals are 422 `RecordInvalid` for
//! the field in the sandbox's own wording.
//!
//! The role decides the custom role, as on an account with custom roles: admins hold the admin
//! role, agents an agent role (the one asked for, the one they had, or Staff), end users none.

use serde_json::Value;

use crate::zendesk::account::{Role, User};
use crate::zendesk::error::ZendeskError;
use crate::zendesk::settings::{self, ADMIN_ROLE_ID, STAFF_ROLE_ID};
use crate::zendesk::tickets::{body_object, value_as_id};

/// What a `user` object asks for. `Option<Option<_>>` tells "not sent" from "sent as null".
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct UserInput {
    pub(crate) name: Option<String>,
    pub(crate) email: Option<Option<String>>,
    pub(crate) role: Option<Role>,
    pub(crate) organization_id: Option<Option<u64>>,
    pub(crate) custom_role_id: Option<u64>,
    pub(crate) external_id: Option<Option<String>>,
    pub(crate) verified: Option<bool>,
}

impl UserInput {
    /// Reads the `user` object of a request body; values of the wrong kind answer 422 for their
    /// field.
    pub(crate) fn parse(body: &Value) -> Result<UserInput, ZendeskError> {
        let object = body_object(body, "user")?;
        let text = |key: &str| match object.get(key) {
            None => Ok(None),
            Some(Value::Null) => Ok(Some(None)),
            Some(Value::String(text)) => Ok(Some(Some(text.trim().to_owned()))),
            Some(Value::Number(number)) => Ok(Some(Some(number.to_string()))),
            Some(_) => Err(ZendeskError::invalid_value(key)),
        };
        let id = |key: &str| match object.get(key) {
            None => Ok(None),
            Some(Value::Null) => Ok(Some(None)),
            Some(value) => value_as_id(value)
                .map(|id| Some(Some(id)))
                .ok_or_else(|| ZendeskError::invalid_value(key)),
        };
        let role = match text("role")?.flatten() {
            None => None,
            Some(code) => {
                Some(Role::from_code(&code).ok_or_else(|| ZendeskError::invalid_value("role"))?)
            }
        };
        let verified = match object.get("verified") {
            None | Some(Value::Null) => None,
            Some(Value::Bool(verified)) => Some(*verified),
            Some(_) => return Err(ZendeskError::invalid_value("verified")),
        };
        Ok(UserInput {
            name: text("name")?.map(Option::unwrap_or_default),
            email: text("email")?.map(|email| email.filter(|email| !email.is_empty())),
            role,
            organization_id: id("organization_id")?,
            custom_role_id: id("custom_role_id")?.flatten(),
            external_id: text("external_id")?,
            verified,
        })
    }
}

/// Applies `input` to `user`: the name must not end up blank, an organization or custom role
/// must exist, and the custom role follows the role.
pub(crate) fn apply(user: &mut User, input: &UserInput) -> Result<(), ZendeskError> {
    let name = input.name.as_deref().unwrap_or(&user.name).trim();
    if name.is_empty() {
        return Err(ZendeskError::invalid(
            "name",
            "Name: is too short (minimum is 1 characters)",
        ));
    }
    if let Some(Some(organization_id)) = input.organization_id {
        if settings::organization(organization_id).is_none() {
            return Err(ZendeskError::invalid(
                "organization_id",
                "Organization: is invalid",
            ));
        }
    }
    let role = input.role.unwrap_or(user.role);
    let custom_role_id = match (role, input.custom_role_id) {
        (Role::EndUser, _) => None,
        (Role::Admin, _) => Some(ADMIN_ROLE_ID),
        (Role::Agent, Some(wanted)) => match settings::custom_role(wanted) {
            Some(custom_role) if custom_role.is_for_agents() => Some(wanted),
            _ => {
                return Err(ZendeskError::invalid(
                    "custom_role_id",
                    "Custom role: is invalid",
                ));
            }
        },
        (Role::Agent, None) => user
            .custom_role_id
            .filter(|_| user.role == Role::Agent)
            .or(default_custom_role(role)),
    };
    user.name = name.to_owned();
    user.role = role;
    user.custom_role_id = custom_role_id;
    if let Some(email) = &input.email {
        user.email = email.clone();
    }
    if let Some(organization_id) = input.organization_id {
        user.organization_id = organization_id;
    }
    if let Some(external_id) = &input.external_id {
        user.external_id = external_id.clone();
    }
    if let Some(verified) = input.verified {
        user.verified = verified;
    }
    Ok(())
}

/// The custom role a user with `role` holds unless another is named.
pub(crate) fn default_custom_role(role: Role) -> Option<u64> {
    match role {
        Role::EndUser => None,
        Role::Agent => Some(STAFF_ROLE_ID),
        Role::Admin => Some(ADMIN_ROLE_ID),
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::zendesk::error::check_applied;
    use crate::zendesk::settings::ORGANIZATION_ID;

    fn end_user() -> User {
        User {
            verified: true,
            ..User::end_user(1, "Uma User".into(), Some("user@example.com".into()), 0)
        }
    }

    /// Applies `body` to an end user and gives its name, role and custom role, or the field
    /// refused.
    fn check(body: Value, expected: Result<(&str, Role, Option<u64>), &str>) {
        let mut user = end_user();
        let applied = UserInput::parse(&body)
            .and_then(|input| apply(&mut user, &input))
            .map(|()| (user.name.as_str(), user.role, user.custom_role_id));
        check_applied(&body, applied, expected);
    }

    #[test]
    fn the_custom_role_follows_the_role() {
        check(
            json!({"user": {"name": " Uma U. "}}),
            Ok(("Uma U.", Role::EndUser, None)),
        );
        check(
            json!({"user": {"role": "agent"}}),
            Ok(("Uma User", Role::Agent, Some(STAFF_ROLE_ID))),
        );
        check(
            json!({"user": {"role": "agent", "custom_role_id": 360_000_000_007_u64}}),
            Ok(("Uma User", Role::Agent, Some(360_000_000_007))),
        );
        check(
            json!({"user": {"role": "admin", "custom_role_id": STAFF_ROLE_ID}}),
            Ok(("Uma User", Role::Admin, Some(ADMIN_ROLE_ID))),
        );
        check(
            json!({"user": {"custom_role_id": STAFF_ROLE_ID}}),
            Ok(("Uma User", Role::EndUser, None)),
        );
    }

    #[test]
    fn refuses_what_the_account_lacks() {
        check(json!({"user": {"name": "  "}}), Err("name"));
        check(json!({"user": {"name": null}}), Err("name"));
        check(json!({"user": {"role": "owner"}}), Err("role"));
        check(
            json!({"user": {"organization_id": 1}}),
            Err("organization_id"),
        );
        check(
            json!({"user": {"role": "agent", "custom_role_id": ADMIN_ROLE_ID}}),
            Err("custom_role_id"),
        );
        check(json!({"user": {"verified": "yes"}}), Err("verified"));
        let mut user = end_user();
        let input = UserInput::parse(&json!({"user": {"organization_id": ORGANIZATION_ID}}))
            .expect("valid");
        apply(&mut user, &input).expect("the seeded organization");
        assert_eq!(user.organization_id, Some(ORGANIZATION_ID));
        assert!(matches!(
            UserInput::parse(&json!({"name": "no envelope"})),
            Err(ZendeskError::BadRequest(_))
        ));
    }
}
