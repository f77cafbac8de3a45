//! The sign-in form of one node: HTTP Basic credentials on `GET /api/authentication`.

use leptos::ev::SubmitEvent;
use leptos::prelude::*;
use leptos::task::spawn_local;

use crate::api::{Credentials, NodeClient};

/// What a successful sign-in tells the rest of the panel. The session itself is the
/// node's cookie; the password is dropped as soon as the request is sent.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignedIn {
    pub node: String,
    pub user: String,
    pub remaining_seconds: Option<u64>,
}

#[component]
pub fn SignInForm(client: NodeClient, on_signed_in: Callback<SignedIn>) -> impl IntoView {
    let node = client.node.clone();
    let client = StoredValue::new(client);
    let (user, set_user) = signal(String::new());
    let (password, set_password) = signal(String::new());
    let (error, set_error) = signal(None::<String>);
    let (busy, set_busy) = signal(false);

    let submit = move |event: SubmitEvent| {
        event.prevent_default();
        if busy.get_untracked() {
            return;
        }
        let credentials = Credentials::new(user.get_untracked(), password.get_untracked());
        if let Some(problem) = credentials.problem() {
            set_error.set(Some(problem.to_owned()));
            return;
        }
        set_busy.set(true);
        set_error.set(None);
        let client = client.get_value();
        spawn_local(async move {
            let outcome = client.sign_in(&credentials).await;
            set_busy.set(false);
            match outcome {
                Ok(authentication) => {
                    set_password.set(String::new());
                    on_signed_in.run(SignedIn {
                        node: client.node.clone(),
                        user: credentials.user.clone(),
                        remaining_seconds: authentication.meta.remaining_seconds,
                    });
                }
                Err(error) if error.needs_sign_in() => set_error.set(Some(format!(
                    "{}: the user name or the password is wrong.",
                    client.node
                ))),
                Err(error) => set_error.set(Some(error.to_string())),
            }
        });
    };

    let user_id = format!("sign-in-user-{node}");
    let password_id = format!("sign-in-password-{node}");
    view! {
        <form class="sign-in" on:submit=submit aria-label=format!("Sign in to {node}")>
            <h2>"Sign in to " {node.clone()}</h2>
            <label for=user_id.clone()>"User"</label>
            <input
                id=user_id
                name="user"
                autocomplete="username"
                prop:value=user
                on:input=move |event| set_user.set(event_target_value(&event))
            />
            <label for=password_id.clone()>"Password"</label>
            <input
                id=password_id
                name="password"
                type="password"
                autocomplete="current-password"
                prop:value=password
                on:input=move |event| set_password.set(event_target_value(&event))
            />
            <button type="submit" disabled=busy>
                {move || if busy.get() { "Signing in…" } else { "Sign in" }}
            </button>
            <Show when=move || error.get().is_some()>
                <p class="error" role="alert">{move || error.get()}</p>
            </Show>
        </form>
    }
}
