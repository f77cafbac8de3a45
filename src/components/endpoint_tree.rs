//! Placeholder for the endpoint tree; being written.

use leptos::prelude::*;

#[component]
pub fn EndpointTreeScreen() -> impl IntoView {
    view! { <p class="empty">"Not built yet."</p> }
}
