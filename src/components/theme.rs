//! The theme switch: follow the system, or force light or dark. The choice is a display
//! preference, so it may live in local storage.

use leptos::prelude::*;

const THEME_KEY: &str = "sps-panel.theme";

fn storage() -> Option<web_sys::Storage> {
    web_sys::window()?.local_storage().ok().flatten()
}

/// Sets `data-theme` on `<html>`; the stylesheet follows the system when it is absent.
fn apply(theme: &str) {
    let Some(root) = web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.document_element())
    else {
        return;
    };
    let _ = match theme {
        "light" | "dark" => root.set_attribute("data-theme", theme),
        _ => root.remove_attribute("data-theme"),
    };
}

#[component]
pub fn ThemeSwitch() -> impl IntoView {
    let stored = storage()
        .and_then(|s| s.get_item(THEME_KEY).ok().flatten())
        .filter(|t| t == "light" || t == "dark")
        .unwrap_or_else(|| "system".to_owned());
    let (theme, set_theme) = signal(stored);
    Effect::new(move |_| {
        let theme = theme.get();
        apply(&theme);
        if let Some(storage) = storage() {
            let _ = storage.set_item(THEME_KEY, &theme);
        }
    });

    view! {
        <label class="theme-switch">
            "Theme "
            <select
                id="theme"
                prop:value=theme
                on:change=move |event| set_theme.set(event_target_value(&event))
            >
                <option value="system">"System"</option>
                <option value="light">"Light"</option>
                <option value="dark">"Dark"</option>
            </select>
        </label>
    }
}
