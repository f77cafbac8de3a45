//! The activity log: every request the panel made, newest first, exportable as JSON.

use leptos::prelude::*;

use crate::api::activity::to_json;
use crate::browser::download_text;
use crate::context::Panel;

/// `HH:MM:SS` in UTC, from milliseconds since the epoch.
pub fn clock_time(ms: f64) -> String {
    let seconds = (ms / 1000.0).max(0.0) as u64 % 86_400;
    format!(
        "{:02}:{:02}:{:02}",
        seconds / 3600,
        seconds / 60 % 60,
        seconds % 60
    )
}

#[component]
pub fn ActivityScreen() -> impl IntoView {
    let panel = Panel::expect();
    let (export_error, set_export_error) = signal(None::<String>);
    let export = move |_| {
        let json = panel.activity.with_untracked(|log| to_json(log));
        set_export_error
            .set(download_text("sps-panel-activity.json", "application/json", &json).err());
    };
    let count = move || panel.activity.with(Vec::len);

    view! {
        <section class="activity" aria-labelledby="activity-title">
            <div class="screen-head">
                <h2 id="activity-title">"Activity"</h2>
                <span class="muted">{move || format!("{} requests", count())}</span>
                <button class="export-activity" on:click=export disabled=move || count() == 0>
                    "Export JSON"
                </button>
                <button class="secondary" on:click=move |_| panel.activity.set(Vec::new())>
                    "Clear"
                </button>
            </div>
            <Show when=move || export_error.get().is_some()>
                <p class="error" role="alert">{move || export_error.get()}</p>
            </Show>
            <Show
                when=move || count() != 0
                fallback=|| view! { <p class="empty">"No requests yet."</p> }
            >
                <table class="activity-table">
                    <thead>
                        <tr>
                            <th scope="col">"Time (UTC)"</th>
                            <th scope="col">"Node"</th>
                            <th scope="col">"Method"</th>
                            <th scope="col">"Path"</th>
                            <th scope="col">"Status"</th>
                            <th scope="col">"Duration"</th>
                        </tr>
                    </thead>
                    <tbody>
                        {move || {
                            panel
                                .activity
                                .get()
                                .into_iter()
                                .rev()
                                .map(|entry| {
                                    let status = entry
                                        .status
                                        .map_or("no answer".to_owned(), |s| s.to_string());
                                    view! {
                                        <tr>
                                            <td>{clock_time(entry.time_ms)}</td>
                                            <td>{entry.node}</td>
                                            <td>{entry.method}</td>
                                            <td><code>{entry.path}</code></td>
                                            <td>{status}</td>
                                            <td>{format!("{:.0} ms", entry.duration_ms)}</td>
                                        </tr>
                                    }
                                })
                                .collect_view()
                        }}
                    </tbody>
                </table>
            </Show>
        </section>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn clock_time_is_utc_hours_minutes_seconds() {
        assert_eq!(clock_time(0.0), "00:00:00");
        assert_eq!(
            clock_time(((13 * 3600 + 5 * 60 + 9) * 1000) as f64),
            "13:05:09"
        );
    }
}
