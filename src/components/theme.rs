//! Placeholder for the theme switch; being written.

use leptos::prelude::*;

#[component]
pub fn ThemeSwitch() -> impl IntoView {
    view! { <p class="empty">"Not built yet."</p> }
}
