//! Which rows of a long table are in the DOM. A cluster of thousands of nodes would put
//! tens of thousands of elements on the page if every row were drawn, and each refresh
//! would walk them all; instead the table draws the rows that a scroll position shows,
//! plus a margin on either side, between two spacers as tall as the rows left out.
//!
//! Short tables are drawn whole: below [`WINDOW_FROM_ROWS`] the cost is small and the
//! page then behaves exactly like a plain table (the browser's find, printing).

/// From this many rows on, the table is windowed.
pub const WINDOW_FROM_ROWS: usize = 200;

/// Rows drawn beyond each edge of the viewport, so a quick scroll shows rows at once
/// rather than blank space while the next frame catches up.
pub const OVERSCAN_ROWS: usize = 10;

/// The height the table assumes for every row until one has been measured, in CSS
/// pixels. The windowed style gives every row the same height.
pub const DEFAULT_ROW_HEIGHT_PX: f64 = 64.0;

/// The slice of rows to draw and the heights of the spacers around it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct RowWindow {
    /// First row drawn (index into the filtered, sorted rows).
    pub start: usize,
    /// One past the last row drawn.
    pub end: usize,
    /// Height of the spacer above the first drawn row, in CSS pixels.
    pub above_px: f64,
    /// Height of the spacer below the last drawn row, in CSS pixels.
    pub below_px: f64,
}

impl RowWindow {
    /// Every row: what a short table draws.
    pub fn whole(rows: usize) -> RowWindow {
        RowWindow {
            start: 0,
            end: rows,
            above_px: 0.0,
            below_px: 0.0,
        }
    }

    pub fn len(&self) -> usize {
        self.end - self.start
    }

    pub fn is_empty(&self) -> bool {
        self.start == self.end
    }
}

/// Whether a table of `rows` rows is windowed.
pub fn is_windowed(rows: usize) -> bool {
    rows >= WINDOW_FROM_ROWS
}

/// The rows to draw for `rows` rows of `row_height_px` each, when the scroll box's top
/// is `scroll_top_px` below the first row and it shows `viewport_px` of them. Values
/// from the browser may be zero, negative or not numbers (a box not laid out yet): they
/// are read as "at the top, one screen tall".
pub fn window(rows: usize, row_height_px: f64, scroll_top_px: f64, viewport_px: f64) -> RowWindow {
    if !is_windowed(rows) {
        return RowWindow::whole(rows);
    }
    let row_height = match row_height_px {
        h if h.is_finite() && h >= 1.0 => h,
        _ => DEFAULT_ROW_HEIGHT_PX,
    };
    let scroll_top = match scroll_top_px {
        s if s.is_finite() && s > 0.0 => s,
        _ => 0.0,
    };
    let viewport = match viewport_px {
        v if v.is_finite() && v >= row_height => v,
        _ => 800.0,
    };
    let first_seen = ((scroll_top / row_height).floor() as usize).min(rows.saturating_sub(1));
    let seen = (viewport / row_height).ceil() as usize + 1;
    let start = first_seen.saturating_sub(OVERSCAN_ROWS);
    let end = (first_seen + seen + OVERSCAN_ROWS).min(rows);
    RowWindow {
        start,
        end,
        above_px: start as f64 * row_height,
        below_px: (rows - end) as f64 * row_height,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn short_tables_are_drawn_whole() {
        let drawn = window(WINDOW_FROM_ROWS - 1, 64.0, 5_000.0, 600.0);

        assert_eq!(drawn, RowWindow::whole(WINDOW_FROM_ROWS - 1));
    }

    #[test]
    fn the_top_of_a_long_table_draws_one_screen_and_the_margin_below() {
        let drawn = window(10_000, 50.0, 0.0, 500.0);

        assert_eq!(drawn.start, 0);
        assert_eq!(drawn.end, 11 + OVERSCAN_ROWS);
        assert_eq!(drawn.above_px, 0.0);
        assert_eq!(drawn.below_px, (10_000 - drawn.end) as f64 * 50.0);
    }

    #[test]
    fn a_scrolled_table_keeps_a_margin_on_both_sides_and_its_full_height() {
        let drawn = window(10_000, 50.0, 100_000.0, 500.0);

        assert_eq!(drawn.start, 2_000 - OVERSCAN_ROWS);
        assert_eq!(drawn.end, 2_000 + 11 + OVERSCAN_ROWS);
        let total = drawn.above_px + drawn.len() as f64 * 50.0 + drawn.below_px;
        assert_eq!(total, 10_000.0 * 50.0);
    }

    #[test]
    fn scrolling_past_the_end_still_draws_the_last_rows() {
        let drawn = window(1_000, 50.0, 1e9, 500.0);

        assert_eq!(drawn.end, 1_000);
        assert!(drawn.start < 1_000 && drawn.len() > OVERSCAN_ROWS);
        assert_eq!(drawn.below_px, 0.0);
    }

    #[test]
    fn unusable_measurements_read_as_the_top_of_one_screen() {
        let cases = [
            (f64::NAN, f64::NAN, f64::NAN),
            (0.0, -10.0, 0.0),
            (f64::INFINITY, f64::NEG_INFINITY, -1.0),
        ];
        for (height, top, viewport) in cases {
            let drawn = window(5_000, height, top, viewport);

            assert_eq!(drawn.start, 0, "{height} {top} {viewport}");
            assert!(
                drawn.len() > OVERSCAN_ROWS && drawn.len() < 100,
                "{drawn:?}"
            );
        }
    }
}
