//! Components: they draw state and send events; requests go through [`crate::api`].

pub mod endpoint_list;
pub mod sign_in;
