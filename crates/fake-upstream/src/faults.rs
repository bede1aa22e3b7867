//! Faults a test asks for: what goes wrong, on which call, how many times.

use serde::{Deserialize, Serialize};

/// Which call a fault applies to.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Call {
    Create,
    Query,
    List,
    Any,
}

/// What goes wrong. The `*_after_create` kinds (and `empty`, `malformed`, `not_json`) make the
/// task first, as a provider that failed on the way back would; the others refuse before.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "kind")]
pub enum FaultKind {
    /// The task is made (on a create), then the connection is closed without an answer.
    Drop,
    /// The task is made, then the answer is HTTP 500 with code 5000.
    InternalAfterCreate,
    /// The task is made and the answer is `{}` (KKIAI's documented success body).
    Empty,
    /// The task is made and the answer is HTTP 200 with JSON cut in the middle.
    Malformed,
    /// The task is made and the answer is a gateway's HTML page with this status.
    NotJson { status: u16 },
    /// An error answer in the provider's shape; nothing is made. `code: None` sends
    /// `"code": null` (seed 000's live answer).
    Status {
        status: u16,
        code: Option<i64>,
        #[serde(default)]
        message: Option<String>,
        #[serde(default)]
        retry_after: Option<u32>,
    },
    /// The answer comes after this many milliseconds (a create makes its task when the wait
    /// ends, as a provider slow to accept would).
    Slow { ms: u64 },
    /// A JSON answer of this many bytes (padding in an extra field).
    Oversize { bytes: usize },
    /// The task is made and ends `failed` with Kling's real reason ("Image pixel is invalid").
    FailTask,
    /// Result links of the tasks made answer 404.
    MissingResults,
    /// The task succeeds, but its answer lists a `javascript:` and a `data:` link before the
    /// real result: what a compromised or careless provider could send.
    HostileLinks,
    /// The task ends `failed` with a reason that is markup and script.
    HostileReason,
}

/// One fault and how often it applies.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Fault {
    pub on: Call,
    #[serde(flatten)]
    pub kind: FaultKind,
    /// How many matching calls it applies to; absent: every one.
    #[serde(default)]
    pub times: Option<u32>,
}

impl Fault {
    pub fn once(on: Call, kind: FaultKind) -> Fault {
        Fault {
            on,
            kind,
            times: Some(1),
        }
    }

    pub fn always(on: Call, kind: FaultKind) -> Fault {
        Fault {
            on,
            kind,
            times: None,
        }
    }

    fn matches(&self, call: Call) -> bool {
        self.on == Call::Any || self.on == call
    }
}

/// The faults still to apply, in the order they were added.
#[derive(Debug, Default)]
pub struct Faults(Vec<Fault>);

impl Faults {
    pub fn add(&mut self, fault: Fault) {
        self.0.push(fault);
    }

    pub fn clear(&mut self) {
        self.0.clear();
    }

    /// The first fault for `call`, used up once.
    pub fn take(&mut self, call: Call) -> Option<FaultKind> {
        let position = self.0.iter().position(|f| f.matches(call))?;
        let fault = &mut self.0[position];
        let kind = fault.kind.clone();
        if let Some(times) = &mut fault.times {
            *times = times.saturating_sub(1);
            if *times == 0 {
                self.0.remove(position);
            }
        }
        Some(kind)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_fault_applies_as_often_as_asked_and_to_its_call_only() {
        let mut faults = Faults::default();
        faults.add(Fault::once(Call::Create, FaultKind::Drop));
        faults.add(Fault::always(Call::Query, FaultKind::Slow { ms: 5 }));
        assert_eq!(faults.take(Call::List), None);
        assert_eq!(faults.take(Call::Create), Some(FaultKind::Drop));
        assert_eq!(faults.take(Call::Create), None);
        for _ in 0..3 {
            assert_eq!(faults.take(Call::Query), Some(FaultKind::Slow { ms: 5 }));
        }
    }

    #[test]
    fn faults_read_from_json() {
        let fault: Fault = serde_json::from_str(
            r#"{"on":"create","kind":"status","status":429,"code":1302,"retry_after":2,"times":1}"#,
        )
        .unwrap();
        assert_eq!(
            fault,
            Fault::once(
                Call::Create,
                FaultKind::Status {
                    status: 429,
                    code: Some(1302),
                    message: None,
                    retry_after: Some(2)
                }
            )
        );
    }
}
