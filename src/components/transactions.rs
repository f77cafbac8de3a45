//! Placeholder for the transactions screen; being written.

use leptos::prelude::*;

#[component]
pub fn TransactionsScreen() -> impl IntoView {
    view! { <p class="empty">"Not built yet."</p> }
}
