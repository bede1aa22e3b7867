//! Whether Expand can be pressed, and if not, why — said in words next to the button.

use kling_expand_core::geometry::{Infeasible, Ratios};
use kling_expand_core::validate;

use crate::i18n::{en, Strings};

/// Everything that blocks an expansion, as sentences; empty when the request can be sent.
/// The framing's own explanation (an infeasible choice) is shown beside the framing controls,
/// so here it only needs a short pointer.
pub fn expand_blockers(
    strings: &Strings,
    has_picture: bool,
    ratios: Option<&Result<Ratios, Infeasible>>,
    prompt: &str,
    n: u32,
) -> Vec<String> {
    let mut blockers = Vec::new();
    if !has_picture {
        blockers.push(strings.get(en::CHOOSE_FIRST));
    }
    match ratios {
        Some(Err(_)) => blockers.push(strings.get(en::FRAMING_REFUSED)),
        Some(Ok(ratios)) if ratios.is_zero() => blockers.push(strings.get(en::NO_GROWTH)),
        Some(Ok(ratios)) => {
            if let Err(problem) = validate::check_ratios(ratios) {
                blockers.push(strings.say(&problem.sentence()));
            }
        }
        None => {}
    }
    if let Err(problem) = validate::check_prompt(prompt) {
        blockers.push(strings.say(&problem.sentence()));
    }
    if let Err(problem) = validate::check_n(n) {
        blockers.push(strings.say(&problem.sentence()));
    }
    blockers
}

#[cfg(test)]
mod tests {
    use super::*;

    fn some_ratios() -> Result<Ratios, Infeasible> {
        Ok(Ratios {
            up: 0.1,
            down: 0.1,
            left: 0.2,
            right: 0.2,
        })
    }

    #[test]
    fn a_picture_with_a_valid_frame_and_defaults_can_be_sent() {
        assert!(expand_blockers(&Strings::english(), true, Some(&some_ratios()), "", 1).is_empty());
    }

    #[test]
    fn no_picture_is_the_first_thing_said() {
        let blockers = expand_blockers(&Strings::english(), false, None, "", 1);
        assert_eq!(blockers, ["Choose, drop or paste a picture first."]);
    }

    #[test]
    fn a_zero_frame_a_long_prompt_and_a_bad_count_are_each_named() {
        let zero = Ok(Ratios {
            up: 0.0,
            down: 0.0,
            left: 0.0,
            right: 0.0,
        });
        let prompt = "x".repeat(2501);
        let blockers = expand_blockers(&Strings::english(), true, Some(&zero), &prompt, 12);
        assert_eq!(blockers.len(), 3, "{blockers:?}");
        assert!(blockers[0].contains("at least one side"));
        assert!(blockers[1].contains("2,501"), "{}", blockers[1]);
        assert!(blockers[2].contains("12"), "{}", blockers[2]);
    }
}
