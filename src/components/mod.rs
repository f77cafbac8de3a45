//! Components: they draw state and send events; requests go through [`crate::api`].

pub mod activity_log;
pub mod changes;
pub mod cluster_view;
pub mod endpoint_tree;
pub mod node_sidebar;
pub mod session_dialog;
pub mod sign_in;
pub mod theme;
pub mod transactions;
