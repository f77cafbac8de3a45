//! The cluster view's model, in plain Rust so it is tested natively: rows merged from the
//! Central Management node's answers and the directory, the status rules, sorting and
//! filtering with their query-string form, the CSV export, the refresh schedule and
//! which rows of a long table are drawn.
//!
//! Nothing here knows about the browser; `components::cluster_view` draws this state.

pub mod csv;
pub mod refresh;
pub mod rows;
pub mod time;
pub mod view_state;
pub mod window;

pub use refresh::RefreshSchedule;
pub use rows::{NodeRow, Outside, RowStatus};
pub use view_state::{RefreshChoice, SortDir, SortKey, ViewState};
