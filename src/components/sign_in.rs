//! The sign-in form of one node: HTTP Basic credentials on `GET /api/authentication`,
//! optionally the same credentials for every node the panel knows.

use leptos::ev::SubmitEvent;
use leptos::prelude::*;
use leptos::task::spawn_local;

use crate::api::{ApiError, Credentials, NodeClient};
use crate::context::Panel;

/// Signs in to one node and records the session. The password lives only in
/// `credentials`, which the caller drops when every request has been sent.
pub async fn sign_in_to(
    panel: Panel,
    client: NodeClient,
    credentials: &Credentials,
) -> Result<(), String> {
    match client.sign_in(credentials).await {
        Ok(authentication) => {
            let now = js_sys::Date::now();
            panel.sessions.update(|sessions| {
                sessions.signed_in(
                    &client.node,
                    &credentials.user,
                    authentication.meta.remaining_seconds,
                    now,
                )
            });
            Ok(())
        }
        Err(error) => Err(sign_in_message(&error)),
    }
}

fn sign_in_message(error: &ApiError) -> String {
    if error.needs_sign_in() {
        format!("{}: the user name or the password is wrong.", error.node)
    } else {
        error.to_string()
    }
}

/// `offer_all_nodes` adds the "same credentials for every node" option; `on_done` runs
/// once every requested sign-in succeeded.
#[component]
pub fn SignInForm(
    node: String,
    #[prop(optional)] offer_all_nodes: bool,
    #[prop(optional)] on_done: Option<Callback<()>>,
) -> impl IntoView {
    let panel = Panel::expect();
    let (user, set_user) = signal(String::new());
    let (password, set_password) = signal(String::new());
    let (every_node, set_every_node) = signal(false);
    let (errors, set_errors) = signal(Vec::<String>::new());
    let (busy, set_busy) = signal(false);
    let form_node = node.clone();

    let submit = move |event: SubmitEvent| {
        event.prevent_default();
        if busy.get_untracked() {
            return;
        }
        let credentials = Credentials::new(user.get_untracked(), password.get_untracked());
        if let Some(problem) = credentials.problem() {
            set_errors.set(vec![problem.to_owned()]);
            return;
        }
        let targets: Vec<NodeClient> = if every_node.get_untracked() {
            panel.directory.with_untracked(|d| {
                d.all()
                    .filter(|n| {
                        n.name == form_node
                            || !panel.sessions.with_untracked(|s| s.is_active(&n.name))
                    })
                    .map(NodeClient::new)
                    .collect()
            })
        } else {
            panel.client(&form_node).into_iter().collect()
        };
        set_busy.set(true);
        set_errors.set(Vec::new());
        spawn_local(async move {
            let mut failures = Vec::new();
            // One node after another: a wrong password then fails once per node rather
            // than locking an account by a burst of parallel attempts.
            for client in targets {
                if let Err(message) = sign_in_to(panel, client, &credentials).await {
                    failures.push(message);
                }
            }
            drop(credentials);
            set_busy.try_set(false);
            if failures.is_empty() {
                set_password.try_set(String::new());
                if let Some(on_done) = on_done {
                    // The form may be gone by now: signing in hides it.
                    on_done.try_run(());
                }
            }
            set_errors.try_set(failures);
        });
    };

    let user_id = format!("sign-in-user-{node}");
    let password_id = format!("sign-in-password-{node}");
    let every_id = format!("sign-in-every-{node}");
    view! {
        <form class="sign-in" on:submit=submit aria-label=format!("Sign in to {node}")>
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
            <Show when=move || offer_all_nodes>
                <label class="checkbox" for=every_id.clone()>
                    <input
                        id=every_id.clone()
                        type="checkbox"
                        class="every-node"
                        prop:checked=every_node
                        on:change=move |event| set_every_node.set(event_target_checked(&event))
                    />
                    "Use these credentials for every node"
                </label>
            </Show>
            <button type="submit" disabled=busy>
                {move || if busy.get() { "Signing in…" } else { "Sign in" }}
            </button>
            <Show when=move || !errors.get().is_empty()>
                <ul class="error" role="alert">
                    {move || {
                        errors.get().into_iter().map(|e| view! { <li>{e}</li> }).collect_view()
                    }}
                </ul>
            </Show>
        </form>
    }
}
