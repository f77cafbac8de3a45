//! Step-by-step progress of a flow, and the report at its end.

use leptos::prelude::*;

use crate::flows::{Outcome, Report, StepState};

/// The steps of one flow with their states; `label` says whose flow it is.
#[component]
pub fn StepList(label: String, steps: Signal<Vec<(&'static str, StepState)>>) -> impl IntoView {
    view! {
        <ol class="steps" aria-label=label>
            {move || {
                steps
                    .get()
                    .into_iter()
                    .map(|(name, state)| {
                        view! {
                            <li class=format!("step {}", state.label()) data-state=state.label()>
                                <span class="step-name">{name}</span>
                                <span class="step-state">{state.label()}</span>
                            </li>
                        }
                    })
                    .collect_view()
            }}
        </ol>
    }
}

pub fn outcome_class(outcome: Outcome) -> &'static str {
    match outcome {
        Outcome::Succeeded => "outcome ok",
        Outcome::RolledBack | Outcome::JoinPending => "outcome warn",
        Outcome::Inconsistent | Outcome::NeedsRepair => "outcome bad",
    }
}

#[component]
pub fn ReportView(report: Report) -> impl IntoView {
    let role = if report.outcome == Outcome::Succeeded {
        "status"
    } else {
        "alert"
    };
    view! {
        <p class=outcome_class(report.outcome) role=role>
            {report.summary()}
        </p>
    }
}

/// The text an ARIA live region announces when a step changes.
pub fn announcement(node: &str, step: &str, state: StepState) -> String {
    format!("{node}: {step}: {}", state.label())
}
