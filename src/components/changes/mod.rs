//! The "Promote & join" screen: the changes to the cluster, each run as a flow from
//! [`crate::flows`] by [`crate::driver`], with its progress shown step by step.

mod join;
mod progress;
mod promote;
mod roles;

use leptos::prelude::*;

pub use join::{JoinRuns, JoinWizard};
pub use promote::PromotePanel;
pub use roles::RolesPanel;

#[component]
pub fn ChangesScreen() -> impl IntoView {
    view! {
        <section class="changes-screen" aria-labelledby="changes-title">
            <h2 id="changes-title">"Promote & join"</h2>
            <PromotePanel />
            <JoinWizard />
            <RolesPanel />
        </section>
    }
}
