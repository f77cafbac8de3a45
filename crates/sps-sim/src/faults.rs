//! Fault injection: the table of faults the control API registered, and the matching of a
//! node's request against it. Applying a fault to a connection is `server.rs`'s job.

use crate::control::types::{FaultKind, FaultSpec, FaultTimes, FaultView};

#[derive(Debug, Default)]
pub struct FaultTable {
    next_id: u64,
    faults: Vec<ActiveFault>,
}

#[derive(Debug, Clone)]
struct ActiveFault {
    id: u64,
    spec: FaultSpec,
    /// `None` for a fault that never runs out.
    remaining: Option<u32>,
}

impl FaultTable {
    pub fn add(&mut self, spec: FaultSpec) -> Result<u64, String> {
        if !spec.path.starts_with('/') {
            return Err(format!("path {:?} must start with '/'", spec.path));
        }
        let remaining = match spec.times {
            FaultTimes::Once => Some(1),
            FaultTimes::Count(0) => return Err("count must be at least 1".to_owned()),
            FaultTimes::Count(count) => Some(count),
            FaultTimes::Always => None,
        };
        self.next_id += 1;
        let id = self.next_id;
        self.faults.push(ActiveFault {
            id,
            spec,
            remaining,
        });
        Ok(id)
    }

    pub fn list(&self) -> Vec<FaultView> {
        self.faults
            .iter()
            .map(|f| FaultView {
                id: f.id,
                spec: f.spec.clone(),
                remaining: f.remaining,
            })
            .collect()
    }

    pub fn remove(&mut self, id: u64) -> bool {
        let before = self.faults.len();
        self.faults.retain(|f| f.id != id);
        self.faults.len() != before
    }

    pub fn clear(&mut self) {
        self.faults.clear();
    }

    /// The first fault that matches this request, used up by one. Faults apply in the
    /// order they were added, so a test can stack a `once` fault over an `always` one.
    pub fn take(&mut self, node: &str, method: &str, path: &str) -> Option<FaultKind> {
        let position = self
            .faults
            .iter()
            .position(|f| matches(&f.spec, node, method, path))?;
        let fault = &mut self.faults[position];
        let kind = fault.spec.kind.clone();
        if let Some(remaining) = fault.remaining.as_mut() {
            *remaining -= 1;
            if *remaining == 0 {
                self.faults.remove(position);
            }
        }
        Some(kind)
    }
}

fn matches(spec: &FaultSpec, node: &str, method: &str, path: &str) -> bool {
    if spec.node != node {
        return false;
    }
    if let Some(wanted) = &spec.method {
        if !wanted.eq_ignore_ascii_case(method) {
            return false;
        }
    }
    match spec.path.strip_suffix('*') {
        Some(prefix) => path.starts_with(prefix),
        None => spec.path == path,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spec(method: Option<&str>, path: &str, times: FaultTimes) -> FaultSpec {
        FaultSpec {
            node: "node-1".into(),
            method: method.map(str::to_owned),
            path: path.into(),
            kind: FaultKind::Drop,
            times,
        }
    }

    #[test]
    fn matching_table() {
        let cases = [
            (None, "/api/info", "GET", "/api/info", true),
            (None, "/api/info", "GET", "/api/info/x", false),
            (None, "/api/*", "POST", "/api/cluster/nodes", true),
            (None, "/api/cluster*", "GET", "/api/info", false),
            (Some("post"), "/api/*", "POST", "/api/x", true),
            (Some("PUT"), "/api/*", "GET", "/api/x", false),
        ];

        for (method, pattern, request_method, path, expected) in cases {
            let spec = spec(method, pattern, FaultTimes::Always);
            let outcome = matches(&spec, "node-1", request_method, path);
            assert_eq!(outcome, expected, "{pattern} vs {request_method} {path}");
        }
    }

    #[test]
    fn a_counted_fault_runs_out_and_an_always_fault_does_not() {
        let mut table = FaultTable::default();
        table.add(spec(None, "/a", FaultTimes::Count(2))).unwrap();
        table.add(spec(None, "/b", FaultTimes::Always)).unwrap();

        let hits_a = (0..5)
            .filter(|_| table.take("node-1", "GET", "/a").is_some())
            .count();
        let hits_b = (0..5)
            .filter(|_| table.take("node-1", "GET", "/b").is_some())
            .count();

        assert_eq!((hits_a, hits_b), (2, 5));
        assert_eq!(table.list().len(), 1);
    }

    #[test]
    fn a_fault_on_another_node_does_not_apply() {
        let mut table = FaultTable::default();
        table.add(spec(None, "/*", FaultTimes::Once)).unwrap();

        assert!(table.take("node-2", "GET", "/api").is_none());
        assert!(table.take("node-1", "GET", "/api").is_some());
    }
}
