//! Placeholder for the roles editor, node removal and join status; being written.

use leptos::prelude::*;

#[component]
pub fn RolesPanel() -> impl IntoView {
    view! { <p class="empty">"Not built yet."</p> }
}
