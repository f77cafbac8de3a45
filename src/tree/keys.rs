//! The WAI-ARIA tree view keyboard pattern over [`Tree`]'s visible rows.

use super::{Target, Tree};

/// A key the tree answers to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Key {
    Up,
    Down,
    /// Opens a closed entry, or moves to the first child of an open one.
    Right,
    /// Closes an open entry, or moves to the parent.
    Left,
    Home,
    End,
    /// Enter or Space: selects the focused entry.
    Activate,
    /// A printable character: moves to the next entry whose label starts with it.
    Char(char),
}

impl Key {
    /// Maps `KeyboardEvent.key`; `None` for keys the tree leaves to the browser.
    pub fn from_dom(key: &str) -> Option<Key> {
        let key = match key {
            "ArrowUp" => Key::Up,
            "ArrowDown" => Key::Down,
            "ArrowRight" => Key::Right,
            "ArrowLeft" => Key::Left,
            "Home" => Key::Home,
            "End" => Key::End,
            "Enter" | " " => Key::Activate,
            other => {
                let mut chars = other.chars();
                match (chars.next(), chars.next()) {
                    (Some(c), None) if !c.is_control() => Key::Char(c),
                    _ => return None,
                }
            }
        };
        Some(key)
    }
}

/// What a key did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum KeyOutcome {
    /// Nothing: the browser may use the key.
    Ignored,
    /// The tab stop moved or an entry opened or closed; the page must move focus to
    /// the tab stop.
    Moved,
    /// This path was selected.
    Selected(String),
}

impl Tree {
    /// Applies one key to the focused row.
    pub fn key(&mut self, key: Key) -> KeyOutcome {
        let rows = self.rows();
        let current = self.tab_stop();
        let Some(index) = rows.iter().position(|row| row.id == current) else {
            return KeyOutcome::Ignored;
        };
        let row = &rows[index];
        let target = match key {
            Key::Up => index.checked_sub(1).map(|i| rows[i].id.clone()),
            Key::Down => rows.get(index + 1).map(|r| r.id.clone()),
            Key::Home => rows.first().map(|r| r.id.clone()),
            Key::End => rows.last().map(|r| r.id.clone()),
            Key::Right => match row.expanded {
                Some(false) => {
                    self.expand(&current);
                    return KeyOutcome::Moved;
                }
                Some(true) => self.children(&current).first().cloned(),
                None => None,
            },
            Key::Left => match row.expanded {
                Some(true) => {
                    self.collapse(&current);
                    return KeyOutcome::Moved;
                }
                _ => self.entries.get(&current).and_then(|e| e.parent.clone()),
            },
            Key::Activate => {
                return match self.entries.get(&current).map(|e| &e.target) {
                    Some(Target::Path(path)) => {
                        let path = path.clone();
                        self.select(&path);
                        KeyOutcome::Selected(path)
                    }
                    _ => KeyOutcome::Ignored,
                };
            }
            Key::Char(c) => {
                let wanted = c.to_lowercase().to_string();
                (1..rows.len())
                    .map(|step| &rows[(index + step) % rows.len()])
                    .find(|r| {
                        r.label
                            .to_lowercase()
                            .trim_start_matches('/')
                            .starts_with(&wanted)
                    })
                    .map(|r| r.id.clone())
            }
        };
        match target {
            Some(id) => {
                self.focused = Some(id);
                KeyOutcome::Moved
            }
            None => KeyOutcome::Ignored,
        }
    }
}
