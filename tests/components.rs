//! Component tests: panel components mounted in headless Chromium (wasm-bindgen-test).
#![cfg(target_arch = "wasm32")]

use leptos::prelude::*;
use sps_panel::app::provide_panel;
use sps_panel::components::sign_in::SignInForm;
use wasm_bindgen::JsCast;
use wasm_bindgen_test::*;
use web_sys::HtmlElement;

wasm_bindgen_test_configure!(run_in_browser);

fn scratch() -> HtmlElement {
    let document = document();
    let element = document.create_element("div").unwrap();
    document.body().unwrap().append_child(&element).unwrap();
    element.unchecked_into()
}

async fn next_tick() {
    leptos::task::tick().await;
}

#[wasm_bindgen_test]
async fn sign_in_form_labels_every_field() {
    let root = scratch();
    let _mounted = leptos::mount::mount_to(root.clone(), || {
        provide_panel();
        view! { <SignInForm node="node-1".to_owned() /> }
    });
    next_tick().await;

    let user_label = root
        .query_selector("label[for=sign-in-user-node-1]")
        .unwrap();
    let password = root
        .query_selector("#sign-in-password-node-1")
        .unwrap()
        .unwrap();

    assert!(user_label.is_some());
    assert_eq!(password.get_attribute("type").as_deref(), Some("password"));
}

#[wasm_bindgen_test]
async fn submitting_without_a_user_name_says_so_and_sends_nothing() {
    let root = scratch();
    let _mounted = leptos::mount::mount_to(root.clone(), || {
        provide_panel();
        view! { <SignInForm node="node-1".to_owned() /> }
    });
    next_tick().await;

    let button: HtmlElement = root
        .query_selector("button[type=submit]")
        .unwrap()
        .unwrap()
        .unchecked_into();
    button.click();
    next_tick().await;

    let error = root.query_selector("[role=alert]").unwrap().unwrap();
    assert_eq!(error.text_content().as_deref(), Some("Enter a user name."));
    let every_node = root.query_selector("#sign-in-every-node-1").unwrap();
    assert!(
        every_node.is_none(),
        "the every-node option is only offered when asked for"
    );
}
