//! Asks for a node's credentials again when its session ends while the person works.
//! It overlays the screen instead of replacing it, so nothing the person was doing is
//! lost; views that failed fetch again once the node's sign-in generation grows.

use leptos::prelude::*;

use crate::components::sign_in::SignInForm;
use crate::context::Panel;

#[component]
pub fn SessionExpiredDialog() -> impl IntoView {
    let panel = Panel::expect();
    let first_expired = move || {
        panel
            .sessions
            .with(|s| s.expired_nodes().into_iter().next())
    };

    move || {
        let node = first_expired()?;
        let dismiss = {
            let node = node.clone();
            move |_| panel.sessions.update(|s| s.signed_out(&node))
        };
        Some(view! {
            <div class="dialog-backdrop">
                <div
                    class="dialog session-expired"
                    role="dialog"
                    aria-modal="true"
                    aria-labelledby="session-expired-title"
                >
                    <h2 id="session-expired-title">"Session ended on " {node.clone()}</h2>
                    <p>
                        "The node ended your session. Sign in again to carry on; "
                        "the screen behind this dialog stays as it was."
                    </p>
                    <SignInForm node=node.clone() />
                    <button class="secondary" on:click=dismiss>"Not now"</button>
                </div>
            </div>
        })
    }
}
