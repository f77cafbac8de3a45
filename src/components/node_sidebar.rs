//! Placeholder for the node sidebar; being written.

use leptos::prelude::*;

#[component]
pub fn NodeSidebar() -> impl IntoView {
    view! { <p class="empty">"Not built yet."</p> }
}
