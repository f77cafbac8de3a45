//! Cluster roles and the rules a node's roles must follow, checked by the panel before it
//! sends a change and enforced by the simulator when it receives one.

use std::fmt;

use serde::{Deserialize, Serialize};

/// A node's role in the cluster. Unknown names from newer firmware are kept as `Other`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(from = "String", into = "String")]
pub enum Role {
    CentralManagement,
    ManagedHost,
    SearchMaster,
    SearchMinion,
    SearchLocal,
    Other(String),
}

impl Role {
    /// Every role a person may pick, in the order the panel lists them.
    pub const KNOWN: [Role; 5] = [
        Role::CentralManagement,
        Role::ManagedHost,
        Role::SearchMaster,
        Role::SearchMinion,
        Role::SearchLocal,
    ];

    pub fn as_str(&self) -> &str {
        match self {
            Role::CentralManagement => "central-management",
            Role::ManagedHost => "managed-host",
            Role::SearchMaster => "search-master",
            Role::SearchMinion => "search-minion",
            Role::SearchLocal => "search-local",
            Role::Other(name) => name,
        }
    }

    pub fn is_search_role(&self) -> bool {
        matches!(
            self,
            Role::SearchMaster | Role::SearchMinion | Role::SearchLocal
        )
    }
}

impl From<String> for Role {
    fn from(name: String) -> Self {
        match name.as_str() {
            "central-management" => Role::CentralManagement,
            "managed-host" => Role::ManagedHost,
            "search-master" => Role::SearchMaster,
            "search-minion" => Role::SearchMinion,
            "search-local" => Role::SearchLocal,
            _ => Role::Other(name),
        }
    }
}

impl From<Role> for String {
    fn from(role: Role) -> Self {
        role.as_str().to_owned()
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Why a set of roles cannot be assigned. `Display` is the sentence a person reads.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RoleRuleViolation {
    /// Roles are assigned by editing; `central-management` only ever comes from promote.
    CentralManagementByEdit,
    /// A node in a cluster has exactly one search role.
    SearchRoleCount(usize),
    /// `search-master` needs `managed-host` or `central-management` beside it.
    SearchMasterWithoutHost,
    /// Another node already is the cluster's `search-master`.
    SecondSearchMaster { holder: String },
    /// A role this project does not know cannot be checked, so it is not sent.
    UnknownRole(String),
    /// The same role listed twice.
    DuplicateRole(Role),
}

impl fmt::Display for RoleRuleViolation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            RoleRuleViolation::CentralManagementByEdit => f.write_str(
                "central-management cannot be assigned by editing roles: promote a node instead",
            ),
            RoleRuleViolation::SearchRoleCount(count) => write!(
                f,
                "a node needs exactly one search role (search-master, search-minion or \
                 search-local); {count} given"
            ),
            RoleRuleViolation::SearchMasterWithoutHost => f.write_str(
                "search-master needs managed-host or central-management on the same node",
            ),
            RoleRuleViolation::SecondSearchMaster { holder } => {
                write!(f, "node {holder} is already the cluster's search-master")
            }
            RoleRuleViolation::UnknownRole(name) => write!(f, "unknown role {name:?}"),
            RoleRuleViolation::DuplicateRole(role) => write!(f, "role {role} is listed twice"),
        }
    }
}

/// Checks the roles a PUT would give `node_id`, against the rules of section 6 of the
/// API contract. `current` is the node's roles now (a node keeps `central-management`
/// if it has it); `others` are the other nodes of the cluster with their roles.
pub fn check_role_assignment<'a>(
    node_id: &str,
    current: &[Role],
    requested: &[Role],
    others: impl IntoIterator<Item = (&'a str, &'a [Role])>,
) -> Result<(), RoleRuleViolation> {
    for (index, role) in requested.iter().enumerate() {
        if let Role::Other(name) = role {
            return Err(RoleRuleViolation::UnknownRole(name.clone()));
        }
        if requested[..index].contains(role) {
            return Err(RoleRuleViolation::DuplicateRole(role.clone()));
        }
    }
    let had_central = current.contains(&Role::CentralManagement);
    if requested.contains(&Role::CentralManagement) != had_central {
        return Err(RoleRuleViolation::CentralManagementByEdit);
    }
    let search_roles = requested.iter().filter(|r| r.is_search_role()).count();
    if search_roles != 1 {
        return Err(RoleRuleViolation::SearchRoleCount(search_roles));
    }
    if requested.contains(&Role::SearchMaster) {
        let hosts = requested.contains(&Role::ManagedHost) || had_central;
        if !hosts {
            return Err(RoleRuleViolation::SearchMasterWithoutHost);
        }
        let holder = others
            .into_iter()
            .find(|(id, roles)| *id != node_id && roles.contains(&Role::SearchMaster));
        if let Some((holder, _)) = holder {
            return Err(RoleRuleViolation::SecondSearchMaster {
                holder: holder.to_owned(),
            });
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use Role::*;

    /// Other nodes of the cluster with their roles.
    type Others<'a> = &'a [(&'a str, Vec<Role>)];

    fn check(current: &[Role], requested: &[Role], others: Others) -> String {
        let others = others.iter().map(|(id, roles)| (*id, roles.as_slice()));
        match check_role_assignment("me", current, requested, others) {
            Ok(()) => "ok".to_owned(),
            Err(violation) => format!("{violation:?}"),
        }
    }

    #[test]
    fn role_rules_table() {
        let none: Others = &[];
        let master_elsewhere = &[("other", vec![ManagedHost, SearchMaster])];
        let unknown = [Other("x".into()), SearchLocal];
        let cases: Vec<(&[Role], &[Role], Others, &str)> = vec![
            (&[], &[ManagedHost, SearchMinion], none, "ok"),
            (&[], &[ManagedHost, SearchLocal], none, "ok"),
            (&[], &[ManagedHost, SearchMaster], none, "ok"),
            (
                &[CentralManagement],
                &[CentralManagement, SearchMaster],
                none,
                "ok",
            ),
            (&[], &[ManagedHost], none, "SearchRoleCount(0)"),
            (
                &[],
                &[SearchMinion, SearchLocal],
                none,
                "SearchRoleCount(2)",
            ),
            (&[], &[SearchMaster], none, "SearchMasterWithoutHost"),
            (
                &[],
                &[CentralManagement, SearchLocal],
                none,
                "CentralManagementByEdit",
            ),
            (
                &[CentralManagement],
                &[SearchLocal],
                none,
                "CentralManagementByEdit",
            ),
            (
                &[],
                &[ManagedHost, SearchMinion, SearchMinion],
                none,
                "DuplicateRole",
            ),
            (&[], &unknown, none, "UnknownRole"),
            (
                &[],
                &[ManagedHost, SearchMaster],
                master_elsewhere,
                "SecondSearchMaster",
            ),
            (&[], &[ManagedHost, SearchMinion], master_elsewhere, "ok"),
        ];

        for (current, requested, others, expected) in cases {
            let outcome = check(current, requested, others);
            assert!(
                outcome.starts_with(expected),
                "{current:?} -> {requested:?}: expected {expected}, got {outcome}"
            );
        }
    }

    #[test]
    fn unknown_role_names_survive_a_round_trip() {
        let roles: Vec<Role> = serde_json::from_str(r#"["managed-host","future-role"]"#).unwrap();

        assert_eq!(roles, vec![ManagedHost, Other("future-role".into())]);
        assert_eq!(
            serde_json::to_string(&roles).unwrap(),
            r#"["managed-host","future-role"]"#
        );
    }
}
