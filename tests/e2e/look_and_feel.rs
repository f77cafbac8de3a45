//! Layout at desktop and narrow widths, and the light and dark themes. Screenshots land
//! in target/screenshots for a person to look at.

use crate::harness::{Browser, Demo};

const SCREENSHOTS: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/target/screenshots");

/// The sidebar's and the screen's boxes, and whether the page scrolls sideways.
const LAYOUT: &str = r#"
    const nav = document.querySelector('.node-nav').getBoundingClientRect();
    const main = document.querySelector('main').getBoundingClientRect();
    return {
        nav_right: nav.right, nav_bottom: nav.bottom,
        main_left: main.left, main_top: main.top,
        sideways: document.documentElement.scrollWidth > window.innerWidth,
    };
"#;

#[tokio::test]
async fn the_layout_reads_at_desktop_and_narrow_widths() {
    let demo = Demo::start(3);
    let browser = Browser::start().await;
    std::fs::create_dir_all(SCREENSHOTS).unwrap();

    browser
        .open_panel(&demo, "?tab=transactions&node=node-1")
        .await;
    browser.sign_in("node-1", "admin", "admin").await;
    browser.wait_for_text(".transaction-status", "closed").await;
    let wide = browser.run_js(LAYOUT).await;
    browser
        .screenshot(&format!("{SCREENSHOTS}/desktop.png"))
        .await;
    browser.client.set_window_size(420, 800).await.unwrap();
    let narrow = browser.run_js(LAYOUT).await;
    browser
        .screenshot(&format!("{SCREENSHOTS}/narrow.png"))
        .await;

    assert!(
        wide["nav_right"].as_f64() <= wide["main_left"].as_f64(),
        "{wide}"
    );
    assert!(
        narrow["nav_bottom"].as_f64() <= narrow["main_top"].as_f64(),
        "{narrow}"
    );
    assert_eq!(wide["sideways"], false, "{wide}");
    assert_eq!(narrow["sideways"], false, "{narrow}");
    browser.end().await;
}

#[tokio::test]
async fn the_theme_switch_changes_colours_and_is_remembered() {
    let demo = Demo::start(1);
    let browser = Browser::start().await;
    let background = "return getComputedStyle(document.body).backgroundColor";

    browser.open_panel(&demo, "").await;
    let light = browser.run_js(background).await;
    browser
        .find("#theme")
        .await
        .select_by_value("dark")
        .await
        .unwrap();
    let dark = browser.run_js(background).await;
    browser.screenshot(&format!("{SCREENSHOTS}/dark.png")).await;
    browser.client.refresh().await.unwrap();
    browser.wait_for_text(".node-list", "node-1").await;
    let after_reload = browser
        .run_js("return document.documentElement.dataset.theme")
        .await;

    assert_ne!(light, dark);
    assert_eq!(after_reload, "dark");
    browser.end().await;
}
