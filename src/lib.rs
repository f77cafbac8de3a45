//! The SPS cluster panel: a Leptos single-page app that signs in to SPS nodes through a
//! same-origin reverse proxy, shows their API and their cluster, and drives cluster changes.
//!
//! Layout: [`api`] owns all HTTP to SPS nodes; [`directory`] knows which nodes exist;
//! [`components`] draw state and send events; [`app`] puts the screens together.

pub mod api;
pub mod app;
pub mod browser;
pub mod cluster;
pub mod components;
pub mod context;
pub mod directory;
pub mod driver;
pub mod flows;
pub mod session;
pub mod tree;
pub mod url_state;
