//! Placeholder for the cluster view; being written.

use leptos::prelude::*;

#[component]
pub fn ClusterScreen() -> impl IntoView {
    view! { <p class="empty">"Not built yet."</p> }
}
