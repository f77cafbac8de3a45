//! Placeholder for the session-expired dialog; being written.

use leptos::prelude::*;

#[component]
pub fn SessionExpiredDialog() -> impl IntoView {
    view! { <p class="empty">"Not built yet."</p> }
}
