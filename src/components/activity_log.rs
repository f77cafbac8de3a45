//! Placeholder for the activity log; being written.

use leptos::prelude::*;

#[component]
pub fn ActivityScreen() -> impl IntoView {
    view! { <p class="empty">"Not built yet."</p> }
}
