//! The CSV download of the rows on screen: a Blob behind an object URL, offered by a
//! link that stays on the page so the file can be fetched again.

use leptos::prelude::*;
use wasm_bindgen::JsValue;

#[component]
pub fn CsvExport(csv: Signal<String>, cm: Signal<Option<String>>) -> impl IntoView {
    let link = NodeRef::<leptos::html::A>::new();
    let url = RwSignal::new(None::<String>);
    let error = RwSignal::new(None::<String>);
    let file_name = move || {
        let stamp = js_sys::Date::new_0()
            .to_iso_string()
            .as_string()
            .unwrap_or_default();
        let stamp: String = stamp
            .chars()
            .filter(|c| c.is_ascii_alphanumeric())
            .collect();
        format!(
            "cluster-{}-{stamp}.csv",
            cm.get_untracked().unwrap_or_else(|| "nodes".into())
        )
    };
    let name = RwSignal::new(String::new());

    let export = move |_| {
        match object_url(&csv.get_untracked()) {
            Ok(fresh) => {
                if let Some(old) = url.get_untracked() {
                    let _ = web_sys::Url::revoke_object_url(&old);
                }
                name.set(file_name());
                url.set(Some(fresh));
                error.set(None);
                // The link's attributes are written before the click, so the browser
                // downloads this export and not the previous one.
                request_animation_frame(move || {
                    if let Some(anchor) = link.get_untracked() {
                        anchor.click();
                    }
                });
            }
            Err(why) => error.set(Some(why)),
        }
    };
    on_cleanup(move || {
        if let Some(old) = url.try_get_untracked().flatten() {
            let _ = web_sys::Url::revoke_object_url(&old);
        }
    });

    view! {
        <div class="csv-export">
            <button type="button" class="export-csv" on:click=export>"Export CSV"</button>
            <a node_ref=link class="csv-download" hidden=move || url.with(Option::is_none)
                href=move || url.get() download=move || name.get()>
                "Download the last export again"
            </a>
            {move || error.get().map(|why| view! { <p class="error" role="alert">{why}</p> })}
        </div>
    }
}

/// A `text/csv` Blob's object URL; `Err` says why the browser refused.
fn object_url(csv: &str) -> Result<String, String> {
    let parts = js_sys::Array::of1(&JsValue::from_str(csv));
    let options = web_sys::BlobPropertyBag::new();
    options.set_type("text/csv;charset=utf-8");
    let blob = web_sys::Blob::new_with_str_sequence_and_options(&parts, &options)
        .map_err(|_| "The browser could not build the CSV file.".to_owned())?;
    web_sys::Url::create_object_url_with_blob(&blob)
        .map_err(|_| "The browser could not offer the CSV file for download.".to_owned())
}
