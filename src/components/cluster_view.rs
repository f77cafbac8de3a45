//! The Cluster tab: every node of the cluster in one table, as the Central Management
//! node reports it, with the configured nodes outside the cluster beside them.
//!
//! The model (rows, status, sorting, filters, CSV, refresh schedule) is in
//! [`crate::cluster`]; this screen fetches, keeps one signal per row so a refresh only
//! touches the cells that changed, and draws.

mod export;
mod load;
pub mod row;

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use futures::future::{AbortHandle, Abortable};
use leptos::prelude::*;
use leptos::task::spawn_local;
use sps_api::roles::Role;
use wasm_bindgen::JsCast;

use crate::cluster::time::format_age;
use crate::cluster::view_state::keys;
use crate::cluster::window::{is_windowed, window, RowWindow, DEFAULT_ROW_HEIGHT_PX};
use crate::cluster::{NodeRow, RefreshChoice, RefreshSchedule, RowStatus, SortKey, ViewState};
use crate::context::Panel;
use export::CsvExport;
use load::{describe, load, Snapshot};
use row::ClusterRow;

/// The User Timing mark set when a refresh has every answer parsed, just before the
/// table takes them in; the benchmark measures the table's update from it.
pub const ANSWERS_MARK: &str = "sps-panel:cluster-answers";

/// What the last successful refresh said, without its rows (they live in per-row
/// signals).
#[derive(Debug, Clone, PartialEq)]
struct Found {
    cm: Option<String>,
    notice: Option<String>,
    fetched_at_ms: f64,
    clock_offset_ms: f64,
}

/// The last failed refresh: what a person reads, and when.
#[derive(Debug, Clone, PartialEq)]
struct Failure {
    message: String,
    at_ms: f64,
}

/// The table's rows. The whole list is one signal, which the filters, the sort and the
/// window read without touching each row; a row on screen also has a signal of its own,
/// made when it is first drawn, so a refresh re-renders only the cells that changed.
/// At 10,000 nodes this keeps a refresh to one pass over the rows instead of a signal
/// read, a subscription and a clone per row.
#[derive(Clone, Copy)]
struct RowStore {
    rows: RwSignal<Arc<Vec<NodeRow>>>,
    /// Where each key is in `rows`.
    index: StoredValue<HashMap<String, usize>>,
    /// The signals of the rows drawn so far. Reference-counted rather than owned by a
    /// row's component, so one outlives the row scrolling out of view and is still
    /// there, up to date, when it scrolls back.
    cells: StoredValue<HashMap<String, ArcRwSignal<NodeRow>>>,
}

impl RowStore {
    fn new() -> Self {
        RowStore {
            rows: RwSignal::new(Arc::new(Vec::new())),
            index: StoredValue::new(HashMap::new()),
            cells: StoredValue::new(HashMap::new()),
        }
    }

    /// Puts a refresh's rows in place. A list equal to the one shown changes nothing; a
    /// drawn row that changed sets its own signal only, and one that is gone is dropped.
    fn replace(&self, rows: Vec<NodeRow>) {
        if self.rows.with_untracked(|old| **old == rows) {
            return;
        }
        let index: HashMap<String, usize> = rows
            .iter()
            .enumerate()
            .map(|(at, row)| (row.key.clone(), at))
            .collect();
        self.cells.update_value(|cells| {
            cells.retain(|key, signal| match index.get(key) {
                Some(&at) => {
                    let fresh = &rows[at];
                    if signal.with_untracked(|old| old != fresh) {
                        signal.set(fresh.clone());
                    }
                    true
                }
                None => false,
            });
        });
        self.index.set_value(index);
        self.rows.set(Arc::new(rows));
    }

    /// The signal of the row with `key`, made on its first use.
    fn get(&self, key: &str) -> Option<RwSignal<NodeRow>> {
        if let Some(signal) = self.cells.with_value(|cells| cells.get(key).cloned()) {
            return Some(signal.into());
        }
        let at = self.index.with_value(|index| index.get(key).copied())?;
        let row = self.rows.with_untracked(|rows| rows.get(at).cloned())?;
        let signal = ArcRwSignal::new(row);
        self.cells.update_value(|cells| {
            cells.insert(key.to_owned(), signal.clone());
        });
        Some(signal.into())
    }

    /// Every row, tracked: a refresh that changed any row reruns the reader.
    fn rows(&self) -> Arc<Vec<NodeRow>> {
        self.rows.get()
    }
}

#[component]
pub fn ClusterScreen() -> impl IntoView {
    let panel = Panel::expect();
    let state = Memo::new(move |_| panel.query.with(ViewState::from_query));
    let chosen_cm = Memo::new(move |_| panel.query_value(keys::CM).filter(|n| !n.is_empty()));
    let directory = Memo::new(move |_| {
        panel
            .directory
            .with(|d| d.all().cloned().collect::<Vec<_>>())
    });

    let store = RowStore::new();
    let found = RwSignal::new(None::<Found>);
    let failure = RwSignal::new(None::<Failure>);
    let loading = RwSignal::new(false);
    let schedule = RwSignal::new(RefreshSchedule::new(
        state.get_untracked().refresh.interval_ms(),
    ));
    let remembered_cm = StoredValue::new(None::<String>);
    // Each forced refresh starts a new epoch; an answer from an older epoch is dropped,
    // so switching the Central Management node never shows the previous one's rows.
    let epoch = StoredValue::new(0u64);
    let in_flight = StoredValue::new(false);
    // The refresh under way, stopped when a forced one replaces it: its questions still
    // waiting for a request slot are then never sent. Before a sign-in a large fleet
    // queues hundreds of questions that end in 401, and the refresh the sign-in starts
    // would otherwise wait behind all of them.
    let running = StoredValue::new(None::<AbortHandle>);

    let refresh = move |force: bool| {
        if force {
            epoch.update_value(|e| *e += 1);
            if let Some(previous) = running.get_value() {
                previous.abort();
            }
        } else if in_flight.get_value() {
            return;
        }
        let mine = epoch.get_value();
        in_flight.set_value(true);
        loading.set(true);
        let nodes = directory.get_untracked();
        let chosen = chosen_cm.get_untracked();
        let remembered = remembered_cm.get_value();
        let (stop, stopped) = AbortHandle::new_pair();
        running.set_value(Some(stop));
        spawn_local(async move {
            let loading_all = load(nodes, chosen, remembered, js_sys::Date::now);
            let Ok(outcome) = Abortable::new(loading_all, stopped).await else {
                return;
            };
            if epoch.try_get_value() != Some(mine) {
                return;
            }
            in_flight.set_value(false);
            loading.set(false);
            let now = js_sys::Date::now();
            match outcome {
                Ok(snapshot) => {
                    crate::browser::mark(ANSWERS_MARK);
                    let Snapshot {
                        cm,
                        notice,
                        rows,
                        fetched_at_ms,
                        clock_offset_ms,
                    } = snapshot;
                    remembered_cm.set_value(cm.clone());
                    store.replace(rows);
                    found.set(Some(Found {
                        cm,
                        notice,
                        fetched_at_ms,
                        clock_offset_ms,
                    }));
                    failure.set(None);
                    schedule.update(|s| s.succeeded(now));
                }
                Err(error) => {
                    failure.set(Some(Failure {
                        message: describe(&error),
                        at_ms: now,
                    }));
                    schedule.update(|s| s.failed(now, js_sys::Math::random()));
                }
            }
        });
    };

    // A new choice of Central Management node, a new node list or a new sign-in all
    // start again at once. Read, not only tracked: tracking a memo that nothing has
    // read never runs it, so it never changes (a sign-in once failed to refresh the view
    // that way). And read straight from their sources rather than through a memo of
    // them: a memo derived from the directory, read here beside the directory, made
    // the effect miss the directory's own change.
    Effect::new(move |_| {
        chosen_cm.get();
        directory.with(|nodes| {
            for node in nodes {
                panel.generation(&node.name);
            }
        });
        refresh(true);
    });
    Effect::new(move |_| {
        let interval = state.with(|s| s.refresh.interval_ms());
        schedule.update(|s| s.interval_ms = interval);
    });
    let visibility = window_event_listener_untyped("visibilitychange", move |_| {
        let hidden = document().hidden();
        schedule.update(|s| s.hidden = hidden);
    });
    on_cleanup(move || visibility.remove());
    let timer = StoredValue::new(None::<TimeoutHandle>);
    Effect::new(move |_| {
        let due = schedule.with(|s| s.due_at_ms());
        if let Some(handle) = timer.get_value() {
            handle.clear();
        }
        timer.set_value(None);
        let Some(due) = due else {
            return;
        };
        let wait = (due - js_sys::Date::now()).max(0.0) as u64;
        let handle = set_timeout_with_handle(move || refresh(false), Duration::from_millis(wait));
        timer.set_value(handle.ok());
    });
    // Leaving the tab stops the timer and the refresh under way.
    on_cleanup(move || {
        if let Some(handle) = timer.try_get_value().flatten() {
            handle.clear();
        }
        if let Some(refreshing) = running.try_get_value().flatten() {
            refreshing.abort();
        }
    });

    // The appliances' "now": the browser's clock, moved by how far the newest report
    // showed the appliances' clock to be ahead.
    let now_ms = Signal::derive(move || {
        let offset = found.with(|f| f.as_ref().map_or(0.0, |f| f.clock_offset_ms));
        panel.now_ms.get() + offset
    });
    let visible = Memo::new(move |_| {
        let rows = store.rows();
        let now = now_ms.get();
        state.with(|s| {
            s.apply(&rows, now)
                .into_iter()
                .map(|row| row.key.clone())
                .collect::<Vec<String>>()
        })
    });
    let total = Signal::derive(move || store.rows().len());
    let cm = Signal::derive(move || found.with(|f| f.as_ref().and_then(|f| f.cm.clone())));
    let stale_since = Signal::derive(move || {
        failure.with(|f| f.as_ref().map(|f| f.at_ms))?;
        found.with(|f| f.as_ref().map(|f| f.fetched_at_ms))
    });
    let csv = Signal::derive(move || {
        let rows = store.rows();
        let now = now_ms.get();
        let shown = state.with(|s| s.apply(&rows, now).into_iter().cloned().collect::<Vec<_>>());
        crate::cluster::csv::to_csv(&shown, now)
    });

    view! {
        <section class="cluster-view" aria-labelledby="cluster-heading">
            <h2 id="cluster-heading">{move || heading(cm.get(), found.with(Option::is_some))}</h2>
            <Controls state=state directory=directory refresh=move || refresh(false)
                loading=loading.into() />
            <StatusLine found=found failure=failure loading=loading stale_since=stale_since
                panel=panel />
            <Show when=move || found.with(Option::is_some)>
                <Body store=store visible=visible state=state now_ms=now_ms cm=cm
                    stale_since=stale_since total=total />
                <CsvExport csv=csv cm=cm />
            </Show>
        </section>
    }
}

fn heading(cm: Option<String>, loaded: bool) -> String {
    match (cm, loaded) {
        (Some(cm), _) => format!("Cluster managed by {cm}"),
        (None, true) => "No cluster yet".to_owned(),
        (None, false) => "Cluster".to_owned(),
    }
}

/// Loading, error and staleness, above the table.
#[component]
fn StatusLine(
    found: RwSignal<Option<Found>>,
    failure: RwSignal<Option<Failure>>,
    loading: RwSignal<bool>,
    stale_since: Signal<Option<f64>>,
    panel: Panel,
) -> impl IntoView {
    let first_load = move || loading.get() && found.with(Option::is_none);
    let data_age = move || {
        stale_since
            .get()
            .map(|at| format_age(panel.now_ms.get() - at))
            .unwrap_or_default()
    };
    view! {
        <div class="cluster-status" aria-live="polite">
            <Show when=first_load>
                <p class="loading">"Loading the cluster…"</p>
            </Show>
            {move || {
                failure
                    .get()
                    .map(|failure| {
                        let stale = found.with(Option::is_some);
                        view! {
                            <p class="error" role="alert">
                                <span class="cluster-error">{failure.message}</span>
                                <Show when=move || stale>
                                    " Showing the data of the last successful refresh, "
                                    <span class="data-age">{data_age}</span>
                                    "."
                                </Show>
                            </p>
                        }
                    })
            }}
            {move || {
                found
                    .get()
                    .and_then(|found| found.notice)
                    .map(|notice| view! { <p class="notice">{notice}</p> })
            }}
            {move || {
                let no_cluster = found.with(|f| f.as_ref().is_some_and(|f| f.cm.is_none()));
                no_cluster
                    .then(|| {
                        view! {
                            <p class="notice no-cluster">
                                "The cluster does not exist yet: no node lists itself as the "
                                "Central Management node. The configured nodes, with their "
                                "join status and SPS version:"
                            </p>
                        }
                    })
            }}
        </div>
    }
}

/// The filters, the choice of Central Management node and the refresh controls.
#[component]
fn Controls(
    state: Memo<ViewState>,
    directory: Memo<Vec<sps_api::deployment::NodeLocation>>,
    refresh: impl Fn() + Copy + Send + Sync + 'static,
    loading: Signal<bool>,
) -> impl IntoView {
    let panel = Panel::expect();
    let set_state = move |change: &dyn Fn(&mut ViewState)| {
        let mut next = state.get_untracked();
        change(&mut next);
        panel.set_query(&next.query_changes());
    };
    view! {
        <form class="cluster-controls" on:submit=|event| event.prevent_default()>
            <label for="cluster-cm">"Central Management node"</label>
            <CentralChoice directory=directory />
            <label for="cluster-filter">"Filter"</label>
            <input id="cluster-filter" type="search" placeholder="name, address, role, path…"
                prop:value=move || state.with(|s| s.text.clone())
                on:input=move |event| {
                    let text = event_target_value(&event);
                    set_state(&|s| s.text = text.clone())
                } />
            <label for="cluster-role">"Role"</label>
            <select id="cluster-role"
                prop:value=move || state.with(|s| s.role.as_ref().map(|r| r.to_string()))
                    .unwrap_or_default()
                on:change=move |event| {
                    let value = event_target_value(&event);
                    set_state(&|s| {
                        s.role = (!value.is_empty()).then(|| Role::from(value.clone()))
                    })
                }>
                <option value="">"any role"</option>
                {Role::KNOWN
                    .into_iter()
                    .map(|role| {
                        let name = role.as_str().to_owned();
                        let selected = role.clone();
                        view! {
                            <option value=name.clone()
                                selected=move || state.with(|s| s.role.as_ref() == Some(&selected))>
                                {name.clone()}
                            </option>
                        }
                    })
                    .collect_view()}
            </select>
            <label for="cluster-status-filter">"Status"</label>
            <select id="cluster-status-filter"
                prop:value=move || state.with(|s| s.status.map(|x| x.key()).unwrap_or_default())
                on:change=move |event| {
                    let value = event_target_value(&event);
                    set_state(&|s| s.status = RowStatus::from_key(&value))
                }>
                <option value="">"any status"</option>
                {RowStatus::ALL
                    .into_iter()
                    .map(|status| {
                        view! {
                            <option value=status.key()
                                selected=move || state.with(|s| s.status == Some(status))>
                                {status.label()}
                            </option>
                        }
                    })
                    .collect_view()}
            </select>
            <label for="cluster-refresh">"Auto-refresh"</label>
            <select id="cluster-refresh"
                prop:value=move || state.with(|s| s.refresh.key())
                on:change=move |event| {
                    let value = event_target_value(&event);
                    if let Some(choice) = RefreshChoice::from_key(&value) {
                        set_state(&|s| s.refresh = choice)
                    }
                }>
                {RefreshChoice::ALL
                    .into_iter()
                    .map(|choice| {
                        view! {
                            <option value=choice.key()
                                selected=move || state.with(|s| s.refresh == choice)>
                                {choice.label()}
                            </option>
                        }
                    })
                    .collect_view()}
            </select>
            <button type="button" class="refresh-now" on:click=move |_| refresh()
                disabled=move || loading.get()>
                "Refresh now"
            </button>
        </form>
    }
}

/// The choice of Central Management node: "detect", then every configured node. A fleet
/// can list thousands, so the options are made outside the document and put in with
/// one insertion, and the choice is the select's value rather than a reactive
/// attribute on each option: a live `<select>` redoes its bookkeeping on every option
/// inserted, which at 1,000 nodes cost the cluster tab's first draw about 80 ms. They
/// are made after the cluster view's requests have gone out (a timer runs after the
/// effects that send them), so the page draws them while it waits for the answers.
#[component]
fn CentralChoice(directory: Memo<Vec<sps_api::deployment::NodeLocation>>) -> impl IntoView {
    let panel = Panel::expect();
    let select = NodeRef::<leptos::html::Select>::new();
    let chosen = move || panel.query_value(keys::CM).unwrap_or_default();
    Effect::new(move |_| {
        // Read rather than tracked, so the memo runs (see the refresh effect above).
        directory.with(|_| ());
        set_timeout(
            move || {
                let Some(select) = select.get_untracked() else {
                    return;
                };
                let filled = directory.try_with_untracked(|nodes| {
                    fill_node_options(&select, nodes.iter().map(|node| node.name.as_str()))
                });
                if filled.is_some_and(|filled| filled.is_err()) {
                    leptos::logging::warn!(
                        "the Central Management node choices could not be drawn"
                    );
                }
                // New options drop the selection; the choice in the address is put back.
                select.set_value(&untrack(chosen));
            },
            Duration::ZERO,
        );
    });
    view! {
        <select id="cluster-cm" node_ref=select prop:value=chosen
            on:change=move |event| {
                panel.set_query(&[(keys::CM, Some(event_target_value(&event)))])
            }>
        </select>
    }
}

/// Replaces the options of `select` with "detect" (the empty value) and one per name.
fn fill_node_options<'a>(
    select: &web_sys::HtmlSelectElement,
    names: impl Iterator<Item = &'a str>,
) -> Result<(), wasm_bindgen::JsValue> {
    let options = document().create_document_fragment();
    let option =
        |text: &str, value: &str| web_sys::HtmlOptionElement::new_with_text_and_value(text, value);
    let detect: web_sys::Node = option("detect", "")?.into();
    options.append_child(&detect)?;
    for name in names {
        let node: web_sys::Node = option(name, name)?.into();
        options.append_child(&node)?;
    }
    select.replace_children_with_node_1(&options);
    Ok(())
}

/// The column headers: label, and the sort key for sortable ones.
const COLUMNS: [(&str, Option<SortKey>); 9] = [
    ("Node", Some(SortKey::Node)),
    ("Address", Some(SortKey::Address)),
    ("FQDN", Some(SortKey::Fqdn)),
    ("Roles", Some(SortKey::Roles)),
    ("Status", Some(SortKey::Status)),
    ("Configuration sync", Some(SortKey::Sync)),
    ("Last seen", Some(SortKey::LastSeen)),
    ("Health", Some(SortKey::Sessions)),
    ("Sync warnings", Some(SortKey::Warnings)),
];

#[component]
fn Body(
    store: RowStore,
    visible: Memo<Vec<String>>,
    state: Memo<ViewState>,
    now_ms: Signal<f64>,
    cm: Signal<Option<String>>,
    stale_since: Signal<Option<f64>>,
    total: Signal<usize>,
) -> impl IntoView {
    let panel = Panel::expect();
    let shown = move || {
        let count = visible.with(Vec::len);
        let total = total.get();
        match total {
            0 => "No nodes are configured.".to_owned(),
            _ => format!("{count} of {total} nodes shown"),
        }
    };
    let headers = COLUMNS
        .into_iter()
        .map(|(label, sort)| match sort {
            Some(column) => view! {
                <th scope="col" aria-sort=move || state.with(|s| s.aria_sort(column))>
                    <button type="button" class="sort" data-sort=column.key()
                        on:click=move |_| {
                            let next = state.get_untracked().sorted_by(column);
                            panel.set_query(&next.query_changes())
                        }>
                        {label}
                    </button>
                </th>
            }
            .into_any(),
            None => view! { <th scope="col">{label}</th> }.into_any(),
        })
        .collect_view();
    // Long tables draw only the rows their scroll box shows (see `cluster::window`).
    let scroller = NodeRef::<leptos::html::Div>::new();
    let scroll = RwSignal::new((0.0_f64, 0.0_f64));
    let row_height = RwSignal::new(DEFAULT_ROW_HEIGHT_PX);
    let windowed = Memo::new(move |_| visible.with(|keys| is_windowed(keys.len())));
    let range = Memo::new(move |_| {
        let (top, viewport) = scroll.get();
        window(visible.with(Vec::len), row_height.get(), top, viewport)
    });
    let drawn = Memo::new(move |_| {
        let range = range.get();
        visible.with(|keys| {
            keys.get(range.start..range.end)
                .unwrap_or_default()
                .to_vec()
        })
    });
    let measure = move || {
        let Some(element) = scroller.get_untracked() else {
            return;
        };
        let viewport = f64::from(element.client_height());
        scroll.set((f64::from(element.scroll_top()), viewport));
        // Every windowed row has the same height; the first drawn one tells which.
        let first_row = element
            .query_selector("tbody tr.node-row")
            .ok()
            .flatten()
            .and_then(|row| row.dyn_into::<web_sys::HtmlElement>().ok());
        if let Some(row) = first_row {
            let height = f64::from(row.offset_height());
            if height >= 1.0 && (height - row_height.get_untracked()).abs() > 0.5 {
                row_height.set(height);
            }
        }
    };
    // Measured again whenever other rows are drawn or a refresh brings new data: a row
    // that gained a line (an error, a version) changes every row's height, and the
    // spacers must follow or the end of the table cannot be scrolled to. In the next
    // frame, once the rows show the new data: this effect may run before they do.
    Effect::new(move |_| {
        if windowed.get() {
            drawn.track();
            store.rows.track();
            request_animation_frame(measure);
        }
    });
    let spacer = move |height: fn(&RowWindow) -> f64| {
        move || {
            let px = height(&range.get());
            (windowed.get() && px > 0.0).then(|| {
                view! {
                    <tr class="spacer" aria-hidden="true">
                        <td colspan="9" style:height=format!("{px}px")></td>
                    </tr>
                }
            })
        }
    };

    view! {
        <p class="row-count">{shown}</p>
        <div class="table-scroll" class:windowed=windowed node_ref=scroller
            on:scroll=move |_| measure()>
        <table class="cluster-table" class:stale=move || stale_since.get().is_some()
            class:windowed=windowed
            aria-rowcount=move || windowed.get().then(|| visible.with(Vec::len) + 1)>
            <caption class="visually-hidden">"Nodes, one row each"</caption>
            <thead>
                <tr>{headers}</tr>
            </thead>
            <tbody>
                {spacer(|range| range.above_px)}
                <For each=move || drawn.get() key=|key| key.clone() let:key>
                    {store
                        .get(&key)
                        .map(|row| {
                            view! {
                                <ClusterRow row=row now_ms=now_ms cm=cm stale_since=stale_since />
                            }
                        })}
                </For>
                {spacer(|range| range.below_px)}
                <Show when=move || { visible.with(Vec::is_empty) && total.get() != 0 }>
                    <tr class="no-match">
                        <td colspan="9">"No node matches the filters."</td>
                    </tr>
                </Show>
            </tbody>
        </table>
        </div>
    }
}
