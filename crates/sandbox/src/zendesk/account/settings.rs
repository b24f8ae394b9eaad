//! The account's fixed configuration (`crate::zendesk::settings`): its brand and organizations,
//! read by agents, and its custom roles, listed for agents and shown one at a time to admins.

use crate::zendesk::account::{require_admin, require_agent, Account, User};
use crate::zendesk::error::ZendeskError;
use crate::zendesk::settings::{self, Brand, CustomRole, Organization, BRAND};

impl Account {
    /// The account's brands (Zendesk's Brands reference, ListBrands: admins, and agents for the
    /// brands they belong to, which in the sandbox is its only one).
    pub(crate) fn brands(&self, caller: &User) -> Result<Vec<&'static Brand>, ZendeskError> {
        require_agent(caller)?;
        Ok(vec![&BRAND])
    }

    /// A brand (ShowBrand: "Admins, Agents").
    pub(crate) fn brand(
        &self,
        caller: &User,
        brand_id: u64,
    ) -> Result<&'static Brand, ZendeskError> {
        require_agent(caller)?;
        (brand_id == BRAND.id)
            .then_some(&BRAND)
            .ok_or(ZendeskError::RecordNotFound)
    }

    /// The organizations, by id (Zendesk's Organizations reference, ListOrganizations: agents).
    pub(crate) fn organizations(
        &self,
        caller: &User,
    ) -> Result<Vec<&'static Organization>, ZendeskError> {
        require_agent(caller)?;
        Ok(settings::ORGANIZATIONS.iter().collect())
    }

    /// An organization (ShowOrganization: "Admins, Agents").
    pub(crate) fn organization(
        &self,
        caller: &User,
        organization_id: u64,
    ) -> Result<&'static Organization, ZendeskError> {
        require_agent(caller)?;
        settings::organization(organization_id).ok_or(ZendeskError::RecordNotFound)
    }

    /// The custom roles (Zendesk's Custom Roles reference, ListCustomRoles: agents).
    pub(crate) fn custom_roles(
        &self,
        caller: &User,
    ) -> Result<Vec<&'static CustomRole>, ZendeskError> {
        require_agent(caller)?;
        Ok(settings::CUSTOM_ROLES.iter().collect())
    }

    /// A custom role (ShowCustomRoleById: administrators, and agents allowed to manage roles,
    /// which no seeded agent role allows).
    pub(crate) fn custom_role(
        &self,
        caller: &User,
        role_id: u64,
    ) -> Result<&'static CustomRole, ZendeskError> {
        require_admin(caller)?;
        settings::custom_role(role_id).ok_or(ZendeskError::RecordNotFound)
    }

    /// How many users not deleted hold a custom role, its `team_member_count`.
    pub(crate) fn team_member_count(&self, role_id: u64) -> usize {
        self.users
            .values()
            .filter(|user| user.active && user.custom_role_id == Some(role_id))
            .count()
    }
}
